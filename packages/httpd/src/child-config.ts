/**
 * The configuration snapshot a child reads (conn-handler's ChildConfig), built from the
 * evaluated httpd.conf. Fields the configuration leaves unset are omitted so the child applies
 * Apache's default; fields core records are translated to the child's spelling.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { autoindexModule, reqTimeoutLimits, type ReqTimeoutConfig } from '@prefork/core';
import type { AccessCompatDirConfig, AutoindexDirConfig, CoreDirConfig, DeflateServerConfig, FilterDirConfig, CoreServerConfig, DirSection, EnvDirConfig, ExpiresDirConfig, HeadersDirConfig, LoadResult, SetEnvIfConfig } from '@prefork/core';
import type { PreforkSettings } from '@prefork/mpm-core';
import { randomBytes } from 'node:crypto';

interface HttpCfg { keepAlive?: boolean; keepAliveTimeout?: number; maxKeepAliveRequests?: number }
interface LogCfg { formats: Record<string, string>; logs: Array<{ target: string; format?: string; condition?: string }>; bufferedLogs?: boolean }
interface MimeDir { types: Record<string, string>; charsets: Record<string, string>; encodings?: Record<string, string>; languages?: Record<string, string>; handlers?: Record<string, string>; defaultLanguage?: string }
interface AliasDir { aliases: Array<{ kind: string; from: string; to?: string; status?: number }> }
interface MimeSrv { typesConfig?: string }
interface DirDir { directoryIndex?: string[]; directorySlash?: boolean }
type Rule = { kind: 'require'; negate: boolean; provider: string; args: string[]; methods?: string; methodArgs?: string } | { kind: 'all' | 'any' | 'none'; rules: Rule[]; methods?: string };
interface AuthzDir { rules?: Rule[]; merging?: 'off' | 'and' | 'or' }

/** Child `RequireRule` (conn-handler's spelling). */
type ChildRule = (
  | { kind: 'all'; granted: boolean; negated?: boolean }
  | { kind: 'block'; op: 'all' | 'any' | 'none'; rules: ChildRule[] }
  | { kind: 'ip' | 'host' | 'env'; values: string[]; negated?: boolean }
  | { kind: 'local'; negated?: boolean }
  | { kind: 'method'; mask: string; negated?: boolean }
) & { methods?: string };

const TOKENS: Record<string, string> = { Prod: 'Prod', Major: 'Major', Minor: 'Minor', Minimal: 'Minimal', OS: 'OS', Full: 'Full' };
const FLAG3: Record<string, 'On' | 'Off' | 'EMail'> = { on: 'On', off: 'Off', email: 'EMail' };
const TRACE: Record<string, 'On' | 'Off' | 'Extended'> = { on: 'On', off: 'Off', extended: 'Extended' };
const ETAG: Record<string, string> = { inode: 'INode', mtime: 'MTime', size: 'Size', digest: 'Digest', all: 'All', none: 'None' };
const SECTION_KIND: Record<string, string> = {
  Directory: 'directory', DirectoryMatch: 'directoryMatch', Files: 'files', FilesMatch: 'filesMatch',
  Location: 'location', LocationMatch: 'locationMatch',
};

/** Content types that are handler names for modules that run programs or parse the file (ap_invoke_handler falls back to the type). */
const TYPE_HANDLER_MODULES: Readonly<Record<string, readonly string[]>> = {
  'application/x-httpd-php': ['php_module', 'php5_module', 'php7_module', 'php8_module'],
  'application/x-httpd-php-source': ['php_module', 'php5_module', 'php7_module', 'php8_module'],
  'application/x-httpd-cgi': ['cgi_module', 'cgid_module'],
  'text/x-server-parsed-html': ['include_module'],
  'text/x-server-parsed-html3': ['include_module'],
  'application/x-httpd-imap': ['imagemap_module'],
  'httpd/send-as-is': ['asis_module'],
  'application/x-type-map': ['negotiation_module'],
};

/**
 * Reads a mime.types file into extension → type (later lines win, as mod_mime's hash does).
 * A file that cannot be read yields an empty map: mod_mime's post_config reports it (AH01597).
 */
export function readMimeTypes(file: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'latin1');
  } catch {
    return {};
  }
  const types: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [type, ...exts] = line.split(/\s+/);
    if (type === undefined) continue;
    for (const e of exts) types[e.toLowerCase()] = type;
  }
  return types;
}

/**
 * The Require rules of a section as the child evaluates them (all, ip, host, local, method, and
 * the <RequireAll|Any|None> blocks). A section using anything else (env, expr, user …) is
 * denied as a whole: an access rule the child cannot evaluate must never leave it open.
 */
export function childRules(rules: Rule[] | undefined): ChildRule[] | undefined {
  if (!rules) return undefined;
  const out: ChildRule[] = [];
  for (const r of rules) {
    const c = childRule(r);
    if (!c) return [{ kind: 'all', granted: false }];
    out.push(c);
  }
  return out;
}

function childRule(r: Rule): ChildRule | undefined {
  // Inside <Limit>/<LimitExcept>: the methods it applies to.
  const limited = r.methods === undefined ? {} : { methods: r.methods };
  if (r.kind !== 'require') {
    const rules: ChildRule[] = [];
    for (const inner of r.rules) {
      const c = childRule(inner);
      if (!c) return undefined;
      rules.push(c);
    }
    return { kind: 'block', op: r.kind, rules, ...limited };
  }
  const negated = r.negate ? { negated: true } : {};
  const p = r.provider.toLowerCase();
  if (p === 'all') return { kind: 'all', granted: (r.args[0] ?? '').toLowerCase() === 'granted', ...negated, ...limited };
  if (p === 'ip' || p === 'host') return { kind: p, values: r.args, ...negated, ...limited };
  if (p === 'local') return { kind: 'local', ...negated, ...limited };
  if (p === 'method' && r.methodArgs !== undefined) return { kind: 'method', mask: r.methodArgs, ...negated, ...limited };
  if (p === 'env') return { kind: 'env', values: r.args, ...negated, ...limited };
  return undefined;
}

function sectionEntries(sections: DirSection[], out: Array<Record<string, unknown>>): void {
  for (const s of sections) {
    const kind = SECTION_KIND[s.kind];
    if (kind !== undefined) {
      const authz = s.config.get('authz_core_module') as AuthzDir | undefined;
      const entry: Record<string, unknown> = { kind: s.regex && !kind.endsWith('Match') ? `${kind}Match` : kind, pattern: s.path, require: childRules(authz?.rules) ?? [] };
      if (authz?.merging !== undefined) entry['authMerging'] = authz.merging;
      const compat = s.config.get('access_compat_module') as AccessCompatDirConfig | undefined;
      if (compat && (compat.order.length || compat.satisfy.length || compat.allows.length || compat.denys.length)) entry['accessCompat'] = compat;
      const sei = s.config.get('setenvif_module') as SetEnvIfConfig | undefined;
      if (sei?.conditionals.length) entry['setEnvIf'] = sei.conditionals;
      const headers = headerLines(s.config.get('headers_module') as HeadersDirConfig | undefined);
      if (headers) entry['headers'] = headers;
      const env = s.config.get('env_module') as EnvDirConfig | undefined;
      if (env && (env.vars.length || env.unset.length)) entry['env'] = env;
      const expires = expiresLines(s.config.get('expires_module') as ExpiresDirConfig | undefined);
      if (expires) entry['expires'] = expires;
      const core = s.config.get('core') as CoreDirConfig | undefined;
      if (core?.allowOverride) entry['allowOverride'] = core.allowOverride;
      if (core?.allowOverrideList?.length) entry['allowOverrideList'] = core.allowOverrideList;
      if (core?.options) entry['options'] = core.options;
      if (core?.optionsAdd.length) entry['optionsAdd'] = core.optionsAdd;
      if (core?.optionsRemove.length) entry['optionsRemove'] = core.optionsRemove;
      const ai = s.config.get('autoindex_module') as AutoindexDirConfig | undefined;
      if (ai && JSON.stringify(ai) !== UNSET_AUTOINDEX) entry['autoindex'] = ai;
      const dir = s.config.get('dir_module') as DirDir | undefined;
      if (dir?.directoryIndex) entry['directoryIndex'] = dir.directoryIndex;
      const handler = (core as { setHandler?: string } | undefined)?.setHandler;
      if (handler !== undefined) entry['handler'] = handler;
      const docs = errorDocumentMap(core?.errorDocuments);
      if (docs) entry['errorDocuments'] = docs;
      const fbt = (s.config.get('filter_module') as FilterDirConfig | undefined)?.byType;
      if (fbt?.length) entry['filterByType'] = fbt;
      const sm = s.config.get('mime_module') as MimeDir | undefined;
      const sectionMime = sm ? nonEmpty({ addType: sm.types, addCharset: sm.charsets, addEncoding: sm.encodings, addLanguage: sm.languages }) : {};
      if (sm?.defaultLanguage !== undefined) sectionMime['defaultLanguage'] = sm.defaultLanguage;
      if (Object.keys(sectionMime).length > 0) entry['mime'] = sectionMime;
      const handlers = (s.config.get('mime_module') as MimeDir | undefined)?.handlers;
      if (handlers && Object.keys(handlers).length > 0) entry['addHandler'] = lowerValues(handlers);
      const redirects = (s.config.get('alias_module') as AliasDir | undefined)?.aliases.filter((a) => a.kind === 'redirect' || a.kind === 'redirectmatch');
      if (redirects && redirects.length > 0) entry['redirects'] = redirects.map((a) => ({ ...a }));
      out.push(entry);
    }
    sectionEntries(s.sections, out);
  }
}

/** The maps that have entries. */
function nonEmpty(maps: Record<string, Record<string, string> | undefined>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(maps)) if (v && Object.keys(v).length > 0) out[k] = v;
  return out;
}

/** mod_headers' lines of a section or server; undefined when it has none. */
function headerLines(h: HeadersDirConfig | undefined): HeadersDirConfig | undefined {
  return h && (h.fixupIn.length || h.fixupOut.length || h.fixupErr.length) ? h : undefined;
}

/** A section's mod_autoindex configuration when it has no line of the module. */
const UNSET_AUTOINDEX = JSON.stringify(autoindexModule.createDirConfig!(undefined));

/** mod_expires' settings of a section or server; undefined when it sets nothing. */
function expiresLines(e: ExpiresDirConfig | undefined): ExpiresDirConfig | undefined {
  return e && (e.active !== undefined || e.default !== undefined || e.byType.length > 0) ? e : undefined;
}

function lowerValues(map: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, v.toLowerCase()]));
}

function errorDocumentMap(docs: Array<{ status: number; value: string }> | undefined): Record<string, string> | undefined {
  if (!docs || docs.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const d of docs) out[String(d.status)] = d.value;
  return out;
}

/** The parts of the configuration a child needs; the child fills every other field with Apache's default. */
export function childSnapshot(result: LoadResult, settings: PreforkSettings, description: string, built = ''): Record<string, unknown> {
  const snapshot = serverSnapshot(result, result.server, [result.server], settings, description, built, true);
  snapshot['vhosts'] = result.vhosts.map((v) => {
    // A vhost's mime.types is the main server's (TypesConfig is server-wide): read once.
    const config = serverSnapshot(result, v, [result.server, v], settings, description, built, false);
    const vCore = v.config.get('core') as CoreServerConfig | undefined;
    return {
      // The resolved addresses (names looked up, the main ServerName's port where none is
      // written), as vhost.c matches connections.
      addresses: (v.addrs ?? []).map((a) => ({ addr: a.wildcard ? '*' : a.ip, port: a.port })),
      serverAliases: vCore?.serverAliases ?? [],
      ...(v.loc ? { source: `${v.loc.file}:${v.loc.line}` } : {}),
      config,
    };
  });
  // Content types a loaded module we do not run would take as its handler (mod_php's
  // application/x-httpd-php by AddType, mod_include's server-parsed HTML …): such files are
  // refused, not sent as source.
  const loadedNames = new Set(result.modules.map((m) => m.name));
  const claimed = Object.entries(TYPE_HANDLER_MODULES).filter(([, mods]) => mods.some((m) => loadedNames.has(m))).map(([type]) => type);
  if (claimed.length > 0) snapshot['typeHandlers'] = claimed;
  // ap_multipart_boundary: http_post_config draws 64 random bits once; every child shares them.
  snapshot['multipartBoundary'] = randomBytes(8).toString('hex');
  // Method numbers are the whole configuration's; a vhost's view inherits them (vhostConfig).
  if (result.registeredMethods?.length) snapshot['registeredMethods'] = result.registeredMethods;
  return snapshot;
}

/** One server's view (the main server, or a vhost already merged with it); `sectionsOf` in merge order. */
function serverSnapshot(
  result: LoadResult, server: LoadResult['server'], sectionsOf: Array<LoadResult['server']>, settings: PreforkSettings, description: string, built: string,
  withTypes: boolean,
): Record<string, unknown> {
  const core = server.config.get('core') as CoreServerConfig | undefined;
  const coreDir = server.dirDefaults.get('core') as CoreDirConfig | undefined;
  const abs = (p: string) => (isAbsolute(p) || p.startsWith('|') || p.startsWith('syslog') ? p : resolve(result.serverRoot, p));
  const [product = 'Apache', rest = ''] = description.split('/');
  const osMatch = /\(([^)]*)\)/.exec(rest);
  const snapshot: Record<string, unknown> = {
    serverRoot: result.serverRoot,
    port: settings.listeners[0]?.port ?? 80,
    maxConnectionsPerChild: settings.maxConnectionsPerChild,
    maxRequestWorkers: settings.maxRequestWorkers,
    serverDescription: description,
    serverBuilt: built,
    serverBanner: { product, version: rest.split(' ')[0] ?? '', os: osMatch?.[1] ?? 'Unix' },
  };
  const set = (key: string, value: unknown) => {
    if (value !== undefined) snapshot[key] = value;
  };
  const sei = server.config.get('setenvif_module') as SetEnvIfConfig | undefined;
  if (sei?.conditionals.length) snapshot['setEnvIf'] = sei.conditionals;
  const headers = headerLines(server.dirDefaults.get('headers_module') as HeadersDirConfig | undefined);
  if (headers) snapshot['headers'] = headers;
  const env = server.dirDefaults.get('env_module') as EnvDirConfig | undefined;
  if (env?.vars.length) snapshot['env'] = env;
  const expires = expiresLines(server.dirDefaults.get('expires_module') as ExpiresDirConfig | undefined);
  if (expires) snapshot['expires'] = expires;
  const deflate = server.config.get('deflate_module') as DeflateServerConfig | undefined;
  if (deflate) snapshot['deflate'] = { level: deflate.level, memLevel: deflate.memLevel, windowSize: deflate.windowSize, bufferSize: deflate.bufferSize, etag: deflate.etag };
  const fbt = (server.dirDefaults.get('filter_module') as FilterDirConfig | undefined)?.byType;
  if (fbt?.length) snapshot['filterByType'] = fbt;
  // mod_autoindex loaded: its server-wide configuration (the listing needs the module).
  const ai = server.dirDefaults.get('autoindex_module') as AutoindexDirConfig | undefined;
  if (ai) snapshot['autoindex'] = ai;
  // mod_reqtimeout loaded: its stages, defaults applied.
  if (server.config.has('reqtimeout_module')) {
    const rt = server.config.get('reqtimeout_module') as ReqTimeoutConfig;
    snapshot['requestReadTimeout'] = { header: reqTimeoutLimits(rt, 'header'), body: reqTimeoutLimits(rt, 'body') };
  }
  if (core) {
    // The name core derived as Apache does (ServerName's host, else gethostname/reverse DNS).
    set('serverName', server.hostname ?? core.serverName?.replace(/:\d+$/, ''));
    const namePort = /:(\d+)$/.exec(core.serverName ?? '')?.[1];
    if (namePort !== undefined) snapshot['serverNamePort'] = Number(namePort);
    set('serverAdmin', core.serverAdmin);
    set('accessFileNames', core.accessFileNames);
    set('documentRoot', core.documentRoot === undefined ? undefined : abs(core.documentRoot));
    set('timeout', core.timeout);
    set('serverTokens', TOKENS[core.serverTokens]);
    set('limitRequestLine', core.limitRequestLine);
    set('limitRequestFieldSize', core.limitRequestFieldSize);
    set('limitRequestFields', core.limitRequestFields);
    const h = core.httpProtocolOptions;
    snapshot['httpProtocolOptions'] = { strict: h.strict, registeredMethods: !h.lenientMethods, allow09: h.allow09 };
    set('traceEnable', core.traceEnable === undefined ? undefined : TRACE[core.traceEnable]);
    set('errorLog', core.errorLog === undefined ? undefined : abs(core.errorLog));
    set('extendedStatus', core.extendedStatus);
    if (core.logLevel) snapshot['logLevel'] = core.logLevel.level;
  }
  if (coreDir) {
    if (coreDir.options || coreDir.optionsAdd.length || coreDir.optionsRemove.length) {
      snapshot['options'] = { ...(coreDir.options ? { set: coreDir.options } : {}), add: coreDir.optionsAdd, remove: coreDir.optionsRemove };
    }
    set('serverSignature', coreDir.serverSignature === undefined ? undefined : FLAG3[coreDir.serverSignature]);
    set('useCanonicalName', coreDir.useCanonicalName === undefined ? undefined : { on: 'On', off: 'Off', dns: 'DNS' }[coreDir.useCanonicalName]);
    set('limitRequestBody', coreDir.limitRequestBody);
    set('setHandler', coreDir.setHandler);
    if (coreDir.fileETag) snapshot['fileETag'] = coreDir.fileETag.map((e) => ETAG[e.replace(/^[+-]/, '').toLowerCase()] ?? e);
    // On alone means Apache's built-in iso-8859-1.
    if (typeof coreDir.addDefaultCharset === 'string') snapshot['addDefaultCharset'] = coreDir.addDefaultCharset.toLowerCase() === 'on' ? 'iso-8859-1' : coreDir.addDefaultCharset;
  }
  const http = server.config.get('http_module') as HttpCfg | undefined;
  set('keepAlive', http?.keepAlive);
  set('maxKeepAliveRequests', http?.maxKeepAliveRequests);
  set('keepAliveTimeoutMs', http?.keepAliveTimeout === undefined ? undefined : http.keepAliveTimeout * 1000);

  const mimeSrv = server.config.get('mime_module') as MimeSrv | undefined;
  const mimeDir = server.dirDefaults.get('mime_module') as MimeDir | undefined;
  if (mimeSrv || mimeDir) {
    snapshot['mime'] = {
      ...(withTypes ? { types: mimeSrv ? readMimeTypes(abs(mimeSrv.typesConfig ?? 'conf/mime.types')) : {} } : {}),
      addType: mimeDir?.types ?? {},
      addCharset: mimeDir?.charsets ?? {},
      ...(coreDir?.forceType ? { forceType: coreDir.forceType } : {}),
      ...(mimeDir?.handlers && Object.keys(mimeDir.handlers).length > 0 ? { addHandler: lowerValues(mimeDir.handlers) } : {}),
      ...(mimeDir ? nonEmpty({ addEncoding: mimeDir.encodings, addLanguage: mimeDir.languages }) : {}),
      ...(mimeDir?.defaultLanguage !== undefined ? { defaultLanguage: mimeDir.defaultLanguage } : {}),
    };
  }
  const dir = server.dirDefaults.get('dir_module') as DirDir | undefined;
  set('directoryIndex', dir?.directoryIndex);
  set('directorySlash', dir?.directorySlash);

  // A vhost's sections follow the main server's of each kind (merge_core_server_configs).
  const sections: Array<Record<string, unknown>> = [];
  for (const s of sectionsOf) sectionEntries(s.directories, sections);
  for (const s of sectionsOf) sectionEntries(s.files, sections);
  // Location sections merge last (ap_location_walk), in configuration order.
  for (const s of sectionsOf) sectionEntries(s.locations, sections);
  snapshot['sections'] = sections;
  const docs = errorDocumentMap(coreDir?.errorDocuments);
  if (docs) snapshot['errorDocuments'] = docs;

  const logs = server.config.get('log_config_module') as LogCfg | undefined;
  if (logs) {
    snapshot['accessLogs'] = logs.logs.map((l) => {
      const format = l.format === undefined ? logs.formats[''] : (logs.formats[l.format] ?? l.format);
      const cond = /^env=(!?)(.+)$/.exec(l.condition ?? '');
      return { target: abs(l.target), format, ...(cond ? { condition: { variable: cond[2], negated: cond[1] === '!' } } : {}) };
    });
    set('bufferedLogs', logs.bufferedLogs);
  }
  const alias = server.config.get('alias_module') as { aliases: Array<Record<string, unknown>> } | undefined;
  if (alias && alias.aliases.length > 0) snapshot['aliases'] = alias.aliases.map((a) => ({ ...a }));
  return snapshot;
}
