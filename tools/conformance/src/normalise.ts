/**
 * Normalisation: what is allowed to differ between two runs of the same case, replaced by a
 * placeholder so that only real differences remain. Each rule says why it exists; nothing is
 * normalised that a correct reimplementation would print identically.
 */
import type { ExtraRule, Json } from './types.js';

/** What a side's output is normalised against. */
export interface NormaliseContext {
  /** The temporary ServerRoot of this run (and its realpath, when different). */
  roots: string[];
  /** Allocated ports by placeholder name without "@": PORT → 41234. */
  ports: Record<string, number>;
  /** Full paths or command lines naming the program (e.g. "/usr/sbin/apache2"). */
  programPaths: string[];
  /** Case-specific rules, applied last. */
  extra?: ExtraRule[];
}

/** One standard rule: a regex and its replacement, with the reason it exists. */
export interface Rule {
  name: string;
  why: string;
  pattern: RegExp;
  replace: string;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The standard rules, in the order they apply. Exported so the README and the tests can list
 * them; a rule is never applied to a value the case marks as compared by sha256 or length.
 */
export const STANDARD_RULES: readonly Rule[] = [
  {
    name: 'version',
    why: 'Apache says "Apache/2.4.71 (Debian)", ours "prefork/0.1.0 (Apache/2.4.71 compatible)": the product token and its comment in parentheses are replaced, nothing around them.',
    pattern: /\b(?:Apache|prefork)\/\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?(?: \([^()\n]*(?:\([^()\n]*\)[^()\n]*)*\))?/g,
    replace: '<version>',
  },
  {
    name: 'server-built',
    why: 'The build date of the binary differs between builds (-v, -V, AH00164, /server-status).',
    pattern: /(Server [Bb]uilt:[ \t]*)[^\n']+/g,
    replace: '$1<built>',
  },
  {
    name: 'errorlog-date',
    why: 'Error log time stamps ("[Wed Nov 25 16:21:50.337919 2026]") differ on every run.',
    pattern: /\[(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(?:\.\d+)? \d{4}\]/g,
    replace: '[<date>]',
  },
  {
    name: 'http-date',
    why: 'Date and Last-Modified headers and status pages carry the current time.',
    pattern: /\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*, \d\d[ -][A-Z][a-z]{2}[ -]\d{4} \d\d:\d\d:\d\d (?:GMT|UTC)/g,
    replace: '<date>',
  },
  {
    name: 'accesslog-date',
    why: 'Access log time stamps ("[25/Nov/2026:16:26:19 +0000]") differ on every run.',
    pattern: /\[\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\]/g,
    replace: '[<date>]',
  },
  {
    name: 'pid-tid',
    why: 'Process and thread ids differ on every run ("[pid 123:tid 123]", "httpd (pid 123) already running").',
    pattern: /\b(pid|tid) \d+/g,
    replace: '$1 <$1>',
  },
  {
    name: 'client-port',
    why: 'The client side of a connection gets an ephemeral port.',
    pattern: /(\[client [0-9a-fA-F.:]+?):\d+\]/g,
    replace: '$1:<cport>]',
  },
  {
    name: 'program-name',
    why: 'Apache prints its short name ("apache2: Syntax error …", "httpd (pid N) already running"); ours prints its own.',
    pattern: /(^|: )(?:apache2|prefork|httpd)(?=: | \(| not running)/gm,
    replace: '$1<httpd>',
  },
  {
    name: 'command-line',
    why: 'AH00094 "Command line: \'…\'" starts with how the program was invoked, which differs by program.',
    pattern: /(Command line: ')\S*?(?:apache2|prefork(?:\.js)?|httpd)(?=[\s'])/g,
    replace: '$1<httpd>',
  },
  {
    name: 'usage-path',
    why: 'The usage text shows argv[0], a different path for each program.',
    pattern: /(Usage: )\S*?(?:apache2|prefork(?:\.js)?|httpd)(?=\s)/g,
    replace: '$1<httpd>',
  },
  {
    name: 'usage-pad',
    why: 'The usage text indents its continuation lines by the length of argv[0], which differs by program.',
    pattern: /^ +(?=\[-[A-Za-z])/gm,
    replace: '<pad>',
  },
];

/**
 * Normalises one text: the ServerRoot, the program paths and the allocated ports (exact values
 * known to this run), then the standard rules, then the case's own rules.
 */
export function normaliseText(text: string, ctx: NormaliseContext): string {
  let out = text;
  // Longest first, so that "/tmp/x/conf" is not half-replaced by a shorter root.
  for (const root of [...ctx.roots].sort((a, b) => b.length - a.length)) {
    if (root) out = out.split(root).join('@ROOT@');
  }
  for (const p of [...ctx.programPaths].sort((a, b) => b.length - a.length)) {
    if (p) out = out.split(p).join('<httpd>');
  }
  // Ports: each run gets free ports, so the number itself means nothing; its role does.
  for (const [name, port] of Object.entries(ctx.ports)) {
    out = out.replace(new RegExp(`(?<!\\d)${port}(?!\\d)`, 'g'), `<${name}>`);
  }
  for (const rule of STANDARD_RULES) out = out.replace(rule.pattern, rule.replace);
  for (const rule of ctx.extra ?? []) {
    out = out.replace(new RegExp(rule.pattern, rule.flags ?? 'gm'), rule.replace);
  }
  return out;
}

/** Normalises every string inside a JSON value. */
export function normaliseJson(value: Json, ctx: NormaliseContext): Json {
  if (typeof value === 'string') return normaliseText(value, ctx);
  if (Array.isArray(value)) return value.map((v) => normaliseJson(v, ctx));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(value)) out[k] = normaliseJson(v, ctx);
    return out;
  }
  return value;
}

/** Replaces the error log's bracketed prefix, leaving "AH00094: text" (or the bare text). */
export function reduceToAh(line: string): string {
  const m = /\b(AH\d{5}: .*)$/.exec(line);
  if (m) return m[1];
  return line.replace(/^(?:\[[^\]]*\] )+/, '');
}

/** Escapes text for use inside a RegExp. */
export { escape as escapeRegExp };
