import fs from 'node:fs';
import path from 'node:path';
import { bytePath } from '../logs.js';
import { STANDARD_METHODS } from '@prefork/core/methods';
import { ipSubnetTest, parseIpSubnet, type IpSubnet } from '@prefork/modules';
import { perConfig, type AccessCompatDirConfig, type AccessSection, type AllowDeny, type ChildConfig, type RequireRule } from '../config.js';
import { cachedRegExp } from '../regex-cache.js';

/** Converts an Apache wildcard path (`*`, `?`, `[...]`) to a regular expression. */
function wildcardToRegex(pattern: string, anchoredPrefix: boolean): RegExp {
  let re = '';
  for (const c of pattern) {
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return cachedRegExp('^' + re + (anchoredPrefix ? '(/|$)' : '$'));
}

function directoryMatches(section: AccessSection, dir: string): boolean {
  if (section.kind === 'directoryMatch' || section.pattern.startsWith('~')) {
    const src = section.pattern.replace(/^~\s*/, '');
    return cachedRegExp(src).test(dir + '/');
  }
  const p = section.pattern.replace(/\/+$/, '') || '/';
  if (p === '/') return true;
  return wildcardToRegex(p, true).test(dir);
}

function filesMatches(section: AccessSection, base: string): boolean {
  if (section.kind === 'filesMatch' || section.pattern.startsWith('~')) {
    return cachedRegExp(section.pattern.replace(/^~\s*/, '')).test(base);
  }
  return wildcardToRegex(section.pattern, false).test(base);
}

/**
 * Whether a `<Location>` / `<LocationMatch>` section applies to a URL-path (ap_location_walk): a
 * regular expression searches it; a wildcard pattern must match it whole (`*` stays within a
 * segment); a plain path is a prefix that ends at a `/` or at the end of the path, so
 * `<Location /private>` covers `/private` and `/private/x` but not `/privatex`.
 */
export function locationMatches(section: AccessSection, uri: string): boolean {
  if (section.kind === 'locationMatch' || section.pattern.startsWith('~')) {
    return cachedRegExp(section.pattern.replace(/^~\s*/, '')).test(uri);
  }
  if (/[*?[]/.test(section.pattern)) return wildcardToRegex(section.pattern, false).test(uri);
  const p = section.pattern;
  if (!uri.startsWith(p)) return false;
  return p.endsWith('/') || uri.length === p.length || uri[p.length] === '/';
}

/** Collapses runs of slashes, as Apache does before the location walk (MergeSlashes On). */
function mergeSlashes(uri: string): string {
  return uri.replace(/\/{2,}/g, '/');
}

/** A configuration's sections sorted once for the walk: `<Directory>` by depth, and the rest by kind. */
interface SectionIndex {
  directories: AccessSection[];
  directoryMatches: AccessSection[];
  files: AccessSection[];
  locations: AccessSection[];
  /** How many sections the index was built from (a test may add sections to a configuration). */
  count: number;
  /** Walk results by filename, kind and URL-path; the configuration never changes in a child. */
  walks: Map<string, readonly AccessSection[]>;
}

const indexes = new WeakMap<readonly AccessSection[], SectionIndex>();
/** Walk results kept per configuration; past this the map starts again (clients choose the URLs). */
const MAX_CACHED_WALKS = 4096;

function sectionIndex(cfg: ChildConfig): SectionIndex {
  let index = indexes.get(cfg.sections);
  if (index && index.count === cfg.sections.length) return index;
  const isRegexDir = (s: AccessSection): boolean => s.kind === 'directoryMatch' || (s.kind === 'directory' && s.pattern.startsWith('~'));
  index = {
    directories: cfg.sections
      .filter((s) => s.kind === 'directory' && !s.pattern.startsWith('~'))
      .map((s) => ({ s, depth: s.pattern === '/' ? 0 : s.pattern.replace(/\/+$/, '').split('/').length - 1 }))
      .sort((x, y) => x.depth - y.depth)
      .map(({ s }) => s),
    directoryMatches: cfg.sections.filter(isRegexDir),
    files: cfg.sections.filter((s) => s.kind === 'files' || s.kind === 'filesMatch'),
    locations: cfg.sections.filter((s) => s.kind === 'location' || s.kind === 'locationMatch'),
    count: cfg.sections.length,
    walks: new Map(),
  };
  indexes.set(cfg.sections, index);
  return index;
}

/**
 * The sections that apply to a request, in the order Apache merges them: `<Directory>` by
 * depth, `<DirectoryMatch>`, `<Files>`/`<FilesMatch>` on the file's name, then `<Location>`
 * forms on the URL-path. Without a filename only the Location forms apply. The result is
 * shared between calls with the same arguments: it must not be changed.
 */
export function matchingSections(cfg: ChildConfig, filename: string | undefined, isDir: boolean, uri: string | undefined): readonly AccessSection[] {
  const index = sectionIndex(cfg);
  const key = `${filename ?? ''}\0${filename === undefined ? 'n' : isDir ? 'd' : 'f'}\0${uri === undefined ? '\0' : uri}`;
  const cached = index.walks.get(key);
  if (cached) return cached;
  const out: AccessSection[] = [];
  if (filename !== undefined) {
    const dir = isDir ? filename.replace(/\/+$/, '') || '/' : path.dirname(filename);
    const base = isDir ? '' : path.basename(filename);
    for (const s of index.directories) if (directoryMatches(s, dir)) out.push(s);
    for (const s of index.directoryMatches) if (directoryMatches(s, dir)) out.push(s);
    if (base) for (const s of index.files) if (filesMatches(s, base)) out.push(s);
  }
  if (uri !== undefined) {
    const u = mergeSlashes(uri);
    for (const s of index.locations) if (locationMatches(s, u)) out.push(s);
  }
  if (index.walks.size >= MAX_CACHED_WALKS) index.walks.clear();
  index.walks.set(key, out);
  return out;
}

/**
 * The handler `SetHandler` gives a request: the server's, then the last matching section that
 * sets one (`None` clears it). Undefined means the default handler (files).
 */
export function handlerFor(cfg: ChildConfig, uri: string, filename?: string, isDir = false): string | undefined {
  let handler = cfg.setHandler?.toLowerCase() === 'none' ? undefined : cfg.setHandler;
  for (const s of matchingSections(cfg, filename, isDir, uri)) {
    if (s.handler !== undefined) handler = s.handler.toLowerCase() === 'none' ? undefined : s.handler;
  }
  return handler;
}

/**
 * mod_mime's handler by extension (AddHandler): every extension of the name is looked up, the
 * last that maps wins; sections' AddHandler lines merge over the server's.
 */
export function addHandlerFor(cfg: ChildConfig, filename: string, uri?: string): { handler: string; extension: string } | undefined {
  const map: Record<string, string> = { ...(cfg.mime.addHandler ?? {}) };
  for (const s of matchingSections(cfg, filename, false, uri)) if (s.addHandler) Object.assign(map, s.addHandler);
  const base = filename.slice(filename.lastIndexOf('/') + 1);
  let found: { handler: string; extension: string } | undefined;
  for (const e of base.split('.').slice(1)) {
    const h = map[e.toLowerCase()];
    if (h !== undefined) found = { handler: h, extension: e };
  }
  return found;
}

/** Subnets as apr_ipsubnet_create reads them (the configuration was checked at load), each parsed once. */
const subnets = new Map<string, IpSubnet | null>();

/** apr_ipsubnet_test: the client's address in the subnet (IPv4-mapped clients match IPv4 subnets). */
export function ipMatches(spec: string, addr: string): boolean {
  let subnet = subnets.get(spec);
  if (subnet === undefined) {
    try {
      subnet = parseIpSubnet(spec);
    } catch {
      subnet = null;
    }
    subnets.set(spec, subnet);
  }
  return subnet !== null && ipSubnetTest(subnet, addr);
}

export interface ClientInfo {
  remoteAddr: string;
  localAddr: string;
  remoteHost?: string;
  /** r->subprocess_env (names lower-cased), for `Require env`. */
  env?: ReadonlyMap<string, string>;
}

/** Method masks as the snapshot spells them (hexadecimal), each parsed once. */
const masks = new Map<string, bigint>();

function parseMask(hexMask: string): bigint {
  let mask = masks.get(hexMask);
  if (mask === undefined) masks.set(hexMask, (mask = BigInt(`0x${hexMask}`)));
  return mask;
}

function hasMethod(mask: bigint, number: bigint): boolean {
  return ((mask >> number) & 1n) === 1n;
}

/** Every method: a Require line outside <Limit> (cmd->limited is all ones). */
const ALL_METHODS_MASK = (1n << 64n) - 1n;

/** What a rule decides (authz_status without the user cases). */
type Authz = 'granted' | 'denied' | 'neutral';

/** A node of the tree authz_core evaluates: a Require line, a block, a section's implicit block or a merge. */
type AuthzNode = RequireRule | { kind: 'block'; op: 'all' | 'any' | 'none'; rules: readonly AuthzNode[]; methods?: undefined };

/**
 * A node's `limited` mask: a line's is the <Limit> around it (every method outside one); a
 * block's is the union of its lines' (add_authz_section ORs them in), whatever <Limit> it is in.
 */
const limitedMasks = new WeakMap<object, bigint>();
function limitedOf(node: AuthzNode, inherited: bigint): bigint {
  let mask = limitedMasks.get(node);
  if (mask !== undefined) return mask;
  const own = node.methods !== undefined ? parseMask(node.methods) : inherited;
  if (node.kind === 'block') {
    mask = 0n;
    for (const r of node.rules) mask |= limitedOf(r, own);
  } else {
    mask = own;
  }
  limitedMasks.set(node, mask);
  return mask;
}

/** Whether a provider's test passes for this request. */
function providerMatches(rule: Exclude<RequireRule, { kind: 'block' }>, client: ClientInfo, method: bigint): boolean {
  switch (rule.kind) {
    case 'method':
      return hasMethod(parseMask(rule.mask), method);
    case 'all':
      return rule.granted;
    case 'ip':
      return rule.values.some((v) => ipMatches(v, client.remoteAddr));
    case 'host': {
      const host = client.remoteHost;
      return host !== undefined && rule.values.some((v) => inDomain(v, host));
    }
    case 'local': {
      const a = client.remoteAddr.replace(/^::ffff:/i, '');
      return a.startsWith('127.') || a === '::1' || a === client.localAddr.replace(/^::ffff:/i, '');
    }
    case 'env':
      return client.env !== undefined && rule.values.some((v) => client.env!.has(v.toLowerCase()));
  }
}

/**
 * mod_authz_core's apply_authz_sections. A node limited to other methods is granted inside a
 * RequireAll (and at the top) and neutral inside a RequireAny; a provider grants or denies,
 * `not` turning granted into denied and denied into neutral; a RequireAll is denied by any
 * denial and granted by a grant, a RequireAny granted by any grant and denied by a denial,
 * neutral children left out; a RequireNone is a negated RequireAny.
 */
function evaluate(node: AuthzNode, parentOp: 'and' | 'or', inherited: bigint, client: ClientInfo, method: bigint): Authz {
  const limited = limitedOf(node, inherited);
  if (!hasMethod(limited, method)) return parentOp === 'and' ? 'granted' : 'neutral';
  let result: Authz;
  let negate: boolean;
  if (node.kind === 'block') {
    const op = node.op === 'all' ? 'and' : 'or';
    const own = node.methods !== undefined ? parseMask(node.methods) : inherited;
    result = 'neutral';
    for (const child of node.rules) {
      const c = evaluate(child, op, own, client, method);
      if (c === 'neutral') continue;
      if (op === 'and' && c === 'denied') {
        result = c;
        break;
      }
      if (op === 'or' && c === 'granted') {
        result = c;
        break;
      }
      if (result === 'neutral') result = c;
    }
    negate = node.op === 'none';
  } else {
    result = providerMatches(node, client, method) ? 'granted' : 'denied';
    negate = node.negated === true;
  }
  if (negate) return result === 'granted' ? 'denied' : result === 'denied' ? 'neutral' : result;
  return result;
}

/**
 * The authorization a request's sections leave, merged in Apache's order as
 * merge_authz_core_dir_config does: a section with Require lines replaces what came before
 * (AuthMerging unset or Off), or is combined with it in a RequireAll (And) or RequireAny (Or);
 * a section with neither Require nor AuthMerging keeps what came before. Undefined: no Require.
 */
const mergedAuthz = new WeakMap<readonly AccessSection[], { node?: AuthzNode }>();
function authzFor(sections: readonly AccessSection[]): AuthzNode | undefined {
  const cached = mergedAuthz.get(sections);
  if (cached) return cached.node;
  let node: AuthzNode | undefined;
  for (const s of sections) {
    const own: AuthzNode | undefined = s.require.length > 0 ? { kind: 'block', op: 'any', rules: s.require } : undefined;
    const op = s.authMerging;
    if (op === undefined && own === undefined) continue;
    if (op === undefined || op === 'off' || (node === undefined && own === undefined)) node = own;
    else if (node !== undefined && own !== undefined) node = { kind: 'block', op: op === 'and' ? 'all' : 'any', rules: [node, own] };
    else node = node ?? own;
  }
  mergedAuthz.set(sections, { node });
  return node;
}

/**
 * mod_authz_core's decision (its check_access_ex hook): the sections that apply (in Apache's
 * merge order: Directory by depth, DirectoryMatch, Files, then Location for the URL-path `uri`)
 * merged as AuthMerging says, then evaluated as a RequireAll's child would be; only a grant
 * lets the request through (a neutral result is 403, as in Apache). With no Require anywhere
 * access is granted, as with mod_authz_core's default.
 */
export function accessAllowed(cfg: ChildConfig, filename: string, isDir: boolean, client: ClientInfo, uri: string | undefined, method: string): boolean {
  return checkAccess(cfg, filename, isDir, client, uri, method).allowed;
}

/** What the access phase decided, and which module refused (each logs its own line). */
export interface AccessResult {
  allowed: boolean;
  /** mod_access_compat's Order/Allow/Deny refused (AH01797), whether or not Satisfy Any let Require decide. */
  compatDenied: boolean;
  /** mod_authz_core's Require refused (AH01630). */
  authzDenied: boolean;
}

/**
 * ap_process_request_internal's access phase: mod_access_compat's check (the last section
 * with Order/Allow/Deny/Satisfy), then mod_authz_core's. With Satisfy All (or none) both must
 * pass; with Satisfy Any a pass of the first is enough, and Require decides otherwise.
 */
export function checkAccess(cfg: ChildConfig, filename: string, isDir: boolean, client: ClientInfo, uri: string | undefined, method: string): AccessResult {
  const sections = matchingSections(cfg, filename, isDir, uri);
  const m = methodNumber(cfg, method);
  const compat = compatFor(sections);
  const compatOk = compat === undefined || compatAllows(compat, m, client);
  const satisfy = compat === undefined ? undefined : lastFor(compat.satisfy, m)?.satisfy;
  if (!compatOk && satisfy !== 'any') return { allowed: false, compatDenied: true, authzDenied: false };
  if (compatOk && satisfy === 'any') return { allowed: true, compatDenied: false, authzDenied: false };
  const node = authzFor(sections);
  const granted = node === undefined || evaluate(node, 'and', ALL_METHODS_MASK, client, BigInt(m)) === 'granted';
  return { allowed: granted, compatDenied: !compatOk, authzDenied: !granted };
}

/** Whether the sections' access rules name a host (Require host, Allow/Deny from a name): the client's name is needed. */
const namesHost = new WeakMap<readonly AccessSection[], boolean>();
export function accessNeedsRemoteHost(cfg: ChildConfig, filename: string, isDir: boolean, uri: string | undefined): boolean {
  const sections = matchingSections(cfg, filename, isDir, uri);
  let needs = namesHost.get(sections);
  if (needs === undefined) {
    const inRules = (rules: readonly RequireRule[]): boolean => rules.some((r) => (r.kind === 'block' ? inRules(r.rules) : r.kind === 'host'));
    needs = sections.some((s) => inRules(s.require) || [...(s.accessCompat?.allows ?? []), ...(s.accessCompat?.denys ?? [])].some((a) => a.type === 'host'));
    namesHost.set(sections, needs);
  }
  return needs;
}

/** The configuration of the last section with Order/Allow/Deny/Satisfy lines: access_compat has no merge. */
function compatFor(sections: readonly AccessSection[]): AccessCompatDirConfig | undefined {
  for (let i = sections.length - 1; i >= 0; i--) {
    const c = sections[i]!.accessCompat;
    if (c) return c;
  }
  return undefined;
}

/** The last setting that covers method `m` (later lines overwrite the methods they name). */
function lastFor<T extends { methods: string }>(list: readonly T[], m: number): T | undefined {
  for (let i = list.length - 1; i >= 0; i--) if (hasMethod(parseMask(list[i]!.methods), BigInt(m))) return list[i];
  return undefined;
}

/** find_allowdeny: whether a line for method `m` matches the client. */
function findAllowDeny(list: readonly AllowDeny[], m: number, client: ClientInfo): boolean {
  for (const a of list) {
    if (!hasMethod(parseMask(a.limited), BigInt(m))) continue;
    switch (a.type) {
      case 'env':
        if (client.env?.has(a.from.toLowerCase())) return true;
        break;
      case 'nenv':
        if (!client.env?.has(a.from.toLowerCase())) return true;
        break;
      case 'all':
        return true;
      case 'ip':
        if (ipMatches(a.from, client.remoteAddr)) return true;
        break;
      case 'host':
        // ap_get_useragent_host with REMOTE_DOUBLE_REV: only a name that resolves back to the client.
        if (client.remoteHost !== undefined && inDomain(a.from, client.remoteHost)) return true;
        break;
    }
  }
  return false;
}

/** in_domain: the name is the domain, or ends with it at a dot (or the domain starts with one). */
export function inDomain(domain: string, what: string): boolean {
  if (what.length < domain.length) return false;
  if (what.slice(what.length - domain.length).toLowerCase() !== domain.toLowerCase()) return false;
  return what.length === domain.length || domain.startsWith('.') || what[what.length - domain.length - 1] === '.';
}

/** check_dir_access: Order's evaluation of the Allow and Deny lines for method `m`. */
function compatAllows(c: AccessCompatDirConfig, m: number, client: ClientInfo): boolean {
  const order = lastFor(c.order, m)?.order ?? 'deny,allow';
  if (order === 'allow,deny') return findAllowDeny(c.allows, m, client) && !findAllowDeny(c.denys, m, client);
  if (order === 'deny,allow') return !findAllowDeny(c.denys, m, client) || findAllowDeny(c.allows, m, client);
  return findAllowDeny(c.allows, m, client) && !findAllowDeny(c.denys, m, client);
}

/** M_INVALID: the number of a method that is neither standard nor registered. */
const M_INVALID = STANDARD_METHODS.length;

/** ap_method_number_of: the standard methods by number (HEAD is GET's), then the registered ones. */
function methodNumber(cfg: ChildConfig, method: string): number {
  if (method === 'HEAD') return 0;
  const n = STANDARD_METHODS.indexOf(method);
  if (n >= 0) return n;
  const r = cfg.registeredMethods?.indexOf(method) ?? -1;
  return r >= 0 ? M_INVALID + 1 + r : M_INVALID;
}

/** Whether a section's AllowOverride or AllowOverrideList lets an access file apply. */
const overridesSomething = (s: AccessSection): boolean =>
  (s.allowOverride !== undefined && !s.allowOverride.every((o) => o.toLowerCase() === 'none')) || (s.allowOverrideList?.length ?? 0) > 0;
const anyOverrides = perConfig((cfg) => cfg.sections.some(overridesSomething));

/**
 * The first access file (AccessFileName, default .htaccess) that ap_directory_walk would read
 * for this path: in a directory, from the root down, where the deepest <Directory> setting
 * AllowOverride (or AllowOverrideList) allows anything. This server does not read access
 * files, so such a request must be refused rather than served without their rules.
 */
export function accessFileOnWalk(cfg: ChildConfig, filename: string, isDir: boolean): string | undefined {
  if (!anyOverrides(cfg)) return undefined;
  const dir = isDir ? filename.replace(/\/+$/, '') || '/' : path.dirname(filename);
  const names = cfg.accessFileNames ?? ['.htaccess'];
  const index = sectionIndex(cfg);
  const parts = dir.split('/').filter((p) => p !== '');
  for (let i = 0; i <= parts.length; i++) {
    const d = '/' + parts.slice(0, i).join('/');
    // The deepest section that says anything decides (merge_core_dir_configs).
    let allows = false;
    for (const list of [index.directories, index.directoryMatches]) {
      for (const s of list) if ((s.allowOverride !== undefined || s.allowOverrideList !== undefined) && directoryMatches(s, d)) allows = overridesSomething(s);
    }
    if (!allows) continue;
    for (const n of names) {
      const file = (d === '/' ? '' : d) + '/' + n;
      if (fs.existsSync(bytePath(file))) return file;
    }
  }
  return undefined;
}

/** Whether some Options setting may leave FollowSymLinks out. */
const lacksFollow = (set?: readonly string[], remove?: readonly string[]): boolean =>
  (set !== undefined && !set.some((o) => o === 'FollowSymLinks' || o === 'All')) || (remove ?? []).includes('FollowSymLinks');
const symlinksLimited = perConfig((cfg) => lacksFollow(cfg.options?.set, cfg.options?.remove) || cfg.sections.some((x) => lacksFollow(x.options, x.optionsRemove)));

/**
 * ap_directory_walk's symlink check: each component of the path, from the root down, that is a
 * symbolic link is followed only where the Options of the directory holding it have
 * FollowSymLinks, or SymLinksIfOwnerMatch and the link and its target have one owner. Returns
 * the path up to the refused link (for AH00037), or undefined.
 */
export function symlinkRefused(cfg: ChildConfig, filename: string, missing = false): string | undefined {
  const limited = symlinksLimited(cfg);
  // Where every link may be followed only a dangling one is refused, and only a missing file can be one.
  if (!limited && !missing) return undefined;
  const parts = filename.split('/').filter((p) => p !== '');
  let dir = '';
  for (const part of parts) {
    const parent = dir || '/';
    const cur = `${dir}/${part}`;
    let st: fs.Stats;
    try {
      st = fs.lstatSync(bytePath(cur));
    } catch {
      return undefined;
    }
    if (st.isSymbolicLink()) {
      const opts = limited ? allowOptions(cfg, matchingSections(cfg, parent, true, undefined)) : undefined;
      // resolve_symlink: the target must be there, and with SymLinksIfOwnerMatch alone have the link's owner.
      let target: fs.Stats;
      try {
        target = fs.statSync(bytePath(cur));
      } catch {
        return cur;
      }
      if (opts && !opts.has('FollowSymLinks') && (!opts.has('SymLinksIfOwnerMatch') || target.uid !== st.uid)) return cur;
      if (!target.isDirectory()) return undefined;
    } else if (!st.isDirectory()) {
      return undefined;
    }
    dir = cur;
  }
  return undefined;
}

/** What `Options All` stands for (OPT_ALL: not MultiViews). */
const OPTIONS_ALL = ['Indexes', 'Includes', 'FollowSymLinks', 'ExecCGI'];

/**
 * ap_allow_options: the Options in force for a request, merged as merge_core_dir_configs does
 * over the server's and the sections': a set replaces what came before with its +/- changes
 * cleared, +X and -X change what came before. The server's default is FollowSymLinks.
 */
export function allowOptions(cfg: ChildConfig, sections: readonly AccessSection[]): Set<string> {
  let opts = new Set(['FollowSymLinks']);
  let add = new Set<string>();
  let remove = new Set<string>();
  const expand = (list: readonly string[]): string[] => list.flatMap((o) => (o === 'All' ? OPTIONS_ALL : [o]));
  const layers: Array<{ set?: readonly string[]; add?: readonly string[]; remove?: readonly string[] }> = [
    cfg.options ?? {},
    ...sections.map((s) => ({ ...(s.options ? { set: s.options } : {}), add: s.optionsAdd ?? [], remove: s.optionsRemove ?? [] })),
  ];
  for (const l of layers) {
    if (l.set !== undefined) {
      opts = new Set(expand(l.set));
      add = new Set(expand(l.add ?? []));
      remove = new Set(expand(l.remove ?? []));
      for (const o of add) opts.add(o);
      for (const o of remove) opts.delete(o);
    } else {
      for (const o of expand(l.remove ?? [])) add.delete(o);
      for (const o of expand(l.add ?? [])) add.add(o);
      for (const o of expand(l.add ?? [])) remove.delete(o);
      for (const o of expand(l.remove ?? [])) remove.add(o);
      for (const o of remove) opts.delete(o);
      for (const o of add) opts.add(o);
    }
  }
  return opts;
}

/** DirectoryIndex for a directory: the deepest matching section's list, else the server's. */
export function directoryIndexFor(cfg: ChildConfig, dir: string): string[] {
  let list = cfg.directoryIndex;
  for (const s of cfg.sections) if (s.kind === 'directory' && s.directoryIndex && directoryMatches(s, dir.replace(/\/+$/, '') || '/')) list = s.directoryIndex;
  return list;
}
