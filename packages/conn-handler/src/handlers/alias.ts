/**
 * mod_alias's translate_name in the child: Redirect/RedirectMatch first, then
 * Alias/AliasMatch/ScriptAlias/ScriptAliasMatch, each list in configuration order, the first
 * match winning. ScriptAlias maps to programs; this server runs none, so such a request is
 * refused (Apache without mod_cgi would send the script's source as a file).
 */
import type { AliasRule } from '../config.js';
import { cachedRegExp } from '../regex-cache.js';

/** What translation decided for a URL-path; null when no rule applies (DocumentRoot maps it). */
export type Translation =
  | { kind: 'file'; filename: string; rule: AliasRule }
  | { kind: 'script'; filename: string; rule: AliasRule }
  /** `location` is absent for statuses that carry none (410 Gone, and 3xx rules without a target). */
  | { kind: 'redirect'; status: number; location?: string; rule: AliasRule };

/**
 * How many characters of `uri` a prefix rule `fake` covers, or 0 (mod_alias's alias_matches):
 * a run of slashes in either matches a run in the other, and the rule's last segment must end
 * at a slash or the end of the URL-path, so `/icons` covers `/icons/a` but not `/iconsx`.
 */
export function aliasMatchLength(uri: string, fake: string): number {
  let u = 0;
  let a = 0;
  while (a < fake.length) {
    if (fake[a] === '/') {
      if (uri[u] !== '/') return 0;
      while (fake[a] === '/') a++;
      while (uri[u] === '/') u++;
    } else {
      if (uri[u] !== fake[a]) return 0;
      u++;
      a++;
    }
  }
  if (fake[fake.length - 1] !== '/' && u < uri.length && uri[u] !== '/') return 0;
  return u;
}

/** ap_pregsub: `$0`–`$9` and `&` replaced by the match's groups; `\$` and `\&` are literal. */
export function substituteGroups(template: string, m: RegExpExecArray): string {
  return template.replace(/\\([$&])|\$(\d)|&/g, (all, esc: string | undefined, n: string | undefined) => {
    if (esc !== undefined) return esc;
    if (n !== undefined) return m[Number(n)] ?? '';
    return m[0];
  });
}

/** Escapes a path for a Location header as ap_escape_uri does (lower-case hex, as its c2x). */
function escapePath(p: string): string {
  return p.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/]/g, (c) => [...Buffer.from(c, 'latin1')].map((x) => '%' + x.toString(16).padStart(2, '0')).join(''));
}

function isRedirect(rule: AliasRule): boolean {
  return rule.kind === 'redirect' || rule.kind === 'redirectmatch';
}

function isRegex(rule: AliasRule): boolean {
  return rule.kind.endsWith('match');
}

/** The target a rule gives for `uri`, or null when it does not match. */
function apply(rule: AliasRule, uri: string): string | null | undefined {
  if (isRegex(rule)) {
    const m = cachedRegExp(rule.from).exec(uri);
    if (!m) return null;
    if (rule.to === undefined) return undefined;
    const found = substituteGroups(rule.to, m);
    if (!isRedirect(rule)) return found;
    // The path is escaped, the query string kept as written.
    const q = found.indexOf('?');
    return q < 0 ? escapePath(found) : escapePath(found.slice(0, q)) + found.slice(q);
  }
  const n = aliasMatchLength(uri, rule.from);
  if (n === 0) return null;
  if (rule.to === undefined) return undefined;
  const rest = uri.slice(n);
  return isRedirect(rule) ? rule.to + escapePath(rest) : rule.to + rest;
}

/**
 * translate_alias_redir for a decoded URL-path. `args` (the query string) is appended to a
 * redirect target that has none.
 */
export function translateAlias(rules: readonly AliasRule[], uri: string, args: string | undefined): Translation | null {
  if (!uri.startsWith('/')) return null;
  for (const rule of rules) {
    if (!isRedirect(rule)) continue;
    const target = apply(rule, uri);
    if (target === null) continue;
    const status = rule.status ?? 302;
    if (target === undefined) return { kind: 'redirect', status, rule };
    const location = args !== undefined && !target.includes('?') ? `${target}?${args}` : target;
    return { kind: 'redirect', status, location, rule };
  }
  for (const rule of rules) {
    if (isRedirect(rule)) continue;
    const target = apply(rule, uri);
    if (target === null || target === undefined) continue;
    const script = rule.kind === 'scriptalias' || rule.kind === 'scriptaliasmatch';
    return { kind: script ? 'script' : 'file', filename: target, rule };
  }
  return null;
}
