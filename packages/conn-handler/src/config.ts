/**
 * The configuration snapshot a child reads at start (ChildBootstrap.configSnapshot): plain
 * JSON, built by the master from the evaluated httpd.conf. Every field names the directive it
 * comes from and Apache 2.4's default. A child never reads configuration files itself.
 */
import type { AccessCompatDirConfig, AllowDeny, AutoindexDirConfig, EnvDirConfig, ExpiresDirConfig, HeaderEntry, HeaderFormatTag, HeadersDirConfig, SetEnvIfEntry } from '@prefork/core';

/** `Require` rules the child can evaluate (mod_authz_core + mod_authz_host). */
export type RequireRule = (
  /** `Require all granted|denied` (`Require not all …` inside a block: `negated`). */
  | { kind: 'all'; granted: boolean; negated?: boolean }
  /** `<RequireAll>`, `<RequireAny>`, `<RequireNone>`. */
  | { kind: 'block'; op: 'all' | 'any' | 'none'; rules: RequireRule[] }
  /** `Require ip 10 192.168.1.0/24 ::1`: prefixes, CIDR or netmask forms. */
  | { kind: 'ip'; values: string[]; negated?: boolean }
  /** `Require host example.org`: matched against the client's reverse-resolved name. */
  | { kind: 'host'; values: string[]; negated?: boolean }
  /** `Require local`: loopback or the connection's own address. */
  | { kind: 'local'; negated?: boolean }
  /** `Require method GET POST`: the methods named, as a method mask in hexadecimal (see `methods`). */
  | { kind: 'method'; mask: string; negated?: boolean }
  /** `Require env VAR …`: granted when one of the variables is set for the request (mod_setenvif). */
  | { kind: 'env'; values: string[]; negated?: boolean }
) & {
  /**
   * Inside `<Limit>`/`<LimitExcept>`: the methods the line applies to, as a mask of method
   * numbers in hexadecimal (httpd.h's M_GET = 0 … M_MERGE = 25, M_INVALID = 26 for a method
   * not registered, registered ones from 27, see {@link ChildConfig.registeredMethods}).
   * Absent: every method.
   */
  methods?: string;
};

/** A RequestReadTimeout stage's limits (seconds, seconds, bytes per second). */
export interface ReadStageLimits {
  timeout: number;
  maxTimeout: number;
  minRate: number;
}

/** One SetEnvIf/BrowserMatch condition, as @prefork/core's setenvif module records it. */
export type { SetEnvIfEntry };

/** Header/RequestHeader lines (mod_headers), as @prefork/core's headers module records them. */
export type { HeaderEntry, HeaderFormatTag, HeadersDirConfig };

/** Order/Allow/Deny/Satisfy (mod_access_compat), as @prefork/core's access_compat module records them. */
export type { AccessCompatDirConfig, AllowDeny };

/** mod_autoindex's configuration, as @prefork/core's autoindex module records it. */
export type { AutoindexDirConfig };

/** SetEnv/PassEnv/UnsetEnv (mod_env), as @prefork/core's env module records them. */
export type { EnvDirConfig };

/** ExpiresActive/ExpiresByType/ExpiresDefault (mod_expires), as @prefork/core's expires module records them. */
export type { ExpiresDirConfig };

/** A `<Directory>`, `<DirectoryMatch>`, `<Files>`, `<FilesMatch>`, `<Location>` or `<LocationMatch>` section. */
export interface AccessSection {
  kind: 'directory' | 'directoryMatch' | 'files' | 'filesMatch' | 'location' | 'locationMatch';
  /**
   * The section argument: a path (wildcards allowed), a URL-path for the Location forms, or a
   * regular expression (Match forms, `~`).
   */
  pattern: string;
  /** `SetHandler` inside the section (`server-status`; `None` clears an outer one). */
  handler?: string;
  /** `Require` lines inside the section (RequireAny semantics, as Apache's implicit container). */
  require: RequireRule[];
  /**
   * `AuthMerging` of the section: how its Require lines combine with those of the sections
   * before it in the merge (absent: not set, which replaces them as `off` does).
   */
  authMerging?: 'off' | 'and' | 'or';
  /** Order/Allow/Deny/Satisfy of the section: the last section with any replaces the others' (checked before Require). */
  accessCompat?: AccessCompatDirConfig;
  /** SetEnvIf/BrowserMatch lines of the section, applied after the URL is mapped (header_parser). */
  setEnvIf?: SetEnvIfEntry[];
  /** Header/RequestHeader lines of the section, after those of the sections before it. */
  headers?: HeadersDirConfig;
  /** SetEnv/PassEnv/UnsetEnv lines of the section. */
  env?: EnvDirConfig;
  /** mod_expires' lines of the section (absent: none, which still resets the wildcard flag). */
  expires?: ExpiresDirConfig;
  /**
   * `AllowOverride` (default None since 2.3.9; `AllowOverrideList` names count as some). A
   * request below a directory where it allows anything and that has an access file is refused
   * (.htaccess is not read).
   */
  allowOverride?: string[];
  /** `AllowOverrideList` (directive names an access file may use). */
  allowOverrideList?: string[];
  /** `Options` inside the section without + or - (default FollowSymlinks). */
  options?: string[];
  /** `Options +X` and `Options -X` inside the section, merged over what comes before. */
  optionsAdd?: string[];
  optionsRemove?: string[];
  /** mod_autoindex's lines of the section. */
  autoindex?: AutoindexDirConfig;
  /** AddOutputFilterByType lines of the section, added to the server's. */
  filterByType?: FilterByType[];
  /** mod_mime's extension maps of the section (each extension's fields override the server's), and its DefaultLanguage. */
  mime?: SectionMime;
  /** `DirectoryIndex` inside the section overrides the server one. */
  directoryIndex?: string[];
  /** `AddHandler` inside the section (extension → handler), merged over the server's. */
  addHandler?: Record<string, string>;
  /** `ErrorDocument` lines inside the section (status → value). */
  errorDocuments?: Record<string, string>;
  /** `Redirect`/`RedirectMatch` inside the section (mod_alias's per-dir fixup). */
  redirects?: AliasRule[];
}

/** mod_deflate's settings (DeflateCompressionLevel -1 is zlib's default; the window negative, a raw stream). */
export interface DeflateSettings {
  level: number;
  memLevel: number;
  windowSize: number;
  bufferSize: number;
  etag: 'AddSuffix' | 'NoChange' | 'Remove';
}

/** One AddOutputFilterByType filter (lower case) and the types it applies to. */
export interface FilterByType {
  filter: string;
  types: string[];
}

/** mod_mime's lines of a section (extensions lower case, no dot). */
export interface SectionMime {
  addType?: Record<string, string>;
  addCharset?: Record<string, string>;
  addEncoding?: Record<string, string>;
  addLanguage?: Record<string, string>;
  defaultLanguage?: string;
}

/** One address of a `<VirtualHost>` (server_addr_rec). */
export interface VhostAddress {
  /** An IP address as written, or `*` for `*` and `_default_`. */
  addr: string;
  /** The port; 0 for any port (`*:*`, or no port given). */
  port: number;
}

/**
 * A `<VirtualHost>` (vhost.c): where it answers, the names it answers to, and its settings.
 * `config` holds the vhost's full per-server view (already merged with the main server's as
 * ap_fixup_virtual_hosts does); the child spreads it over the main server's configuration.
 */
export interface VirtualHostConfig {
  addresses: VhostAddress[];
  /** `ServerAlias` names; `*` and `?` are wildcards. */
  serverAliases: string[];
  /** Where the section starts, for messages (`file:line`). */
  source?: string;
  config: Partial<ChildConfig>;
}

/** One mod_alias rule of the main server, in configuration order. */
export interface AliasRule {
  kind: 'alias' | 'aliasmatch' | 'scriptalias' | 'scriptaliasmatch' | 'redirect' | 'redirectmatch';
  /** The URL-path prefix, or the regular expression of the Match forms. */
  from: string;
  /** The file-system path (`$1`… in the Match forms) or the redirect target; absent for 410. */
  to?: string;
  /** Redirect status (302 default). */
  status?: number;
}

/** One `CustomLog` / `TransferLog`. */
export interface AccessLogConfig {
  /** A file path (relative to ServerRoot already resolved) or `|command` for a piped log. */
  target: string;
  /** The resolved format string (a LogFormat nickname already replaced). */
  format: string;
  /** `env=NAME` / `env=!NAME` condition; absent when unconditional. */
  condition?: { variable: string; negated: boolean };
}

export interface ChildConfig {
  /** Methods `<Limit>` registered (ap_method_register), numbered from 27 in this order. */
  registeredMethods?: string[];
  /** `ServerTokens` (default Full): how much the Server header and signature tell. */
  serverTokens: 'Major' | 'Minor' | 'Min' | 'Minimal' | 'OS' | 'Prod' | 'ProductOnly' | 'Full';
  /** The product/OS text Full mode shows, e.g. `Apache/2.4.71 (Debian)`. */
  serverBanner: { product: string; version: string; os: string };
  /** `ServerSignature` (default Off). */
  serverSignature: 'On' | 'Off' | 'EMail';
  /** `ServerName` (default: the machine's name). */
  serverName: string;
  /** `ServerAdmin` (default none; Apache shows `[no address given]`). */
  serverAdmin?: string;
  /** The port of the main server (from ServerName or the first Listen). */
  port: number;
  /** The port ServerName names (`ServerName host:port`, s->port); absent when it names none. */
  serverNamePort?: number;
  /** `UseCanonicalName` (default Off): self-referential URLs use the Host header. */
  useCanonicalName: 'On' | 'Off' | 'DNS';
  /** `DocumentRoot` (default /usr/local/apache2/htdocs; Debian /var/www/html). */
  documentRoot: string;
  /** `Timeout` in seconds (default 60). */
  timeout: number;
  /** `KeepAlive` (default On). */
  keepAlive: boolean;
  /** `MaxKeepAliveRequests` (default 100; 0 = unlimited). */
  maxKeepAliveRequests: number;
  /** `KeepAliveTimeout` in milliseconds (default 5000). */
  keepAliveTimeoutMs: number;
  /** `LimitRequestLine` (default 8190). */
  limitRequestLine: number;
  /** `LimitRequestFieldSize` (default 8190). */
  limitRequestFieldSize: number;
  /** `LimitRequestFields` (default 100; 0 = unlimited). */
  limitRequestFields: number;
  /** `LimitRequestBody` in bytes (default 1073741824 since 2.4.53; 0 = unlimited). */
  limitRequestBody: number;
  /** `HttpProtocolOptions` (default Strict LenientMethods Allow0.9). */
  httpProtocolOptions: { strict: boolean; registeredMethods: boolean; allow09: boolean };
  /** `TraceEnable` (default On). */
  traceEnable: 'On' | 'Off' | 'Extended';
  /** `FileETag` (default MTime Size). */
  fileETag: Array<'INode' | 'MTime' | 'Size' | 'Digest'>;
  /** `AddDefaultCharset` (default Off); a charset name when On or given one. */
  addDefaultCharset?: string;
  /** `MaxRanges` (default 200; -1 none, 0 unlimited). */
  maxRanges: number;
  mime: {
    /** From `TypesConfig` (mime.types): extension (lower case, no dot) → type. */
    types: Record<string, string>;
    /** `AddType` (extension → type), applied over `types`. */
    addType: Record<string, string>;
    /** `AddCharset` (extension → charset). */
    addCharset: Record<string, string>;
    /** `ForceType` for the whole server; absent when not set. */
    forceType?: string;
    /** `AddHandler` (extension → handler name, lower case). */
    addHandler?: Record<string, string>;
    /** `AddEncoding` (extension → encoding): Content-Encoding. */
    addEncoding?: Record<string, string>;
    /** `AddLanguage` (extension → language): Content-Language. */
    addLanguage?: Record<string, string>;
    /** `DefaultLanguage`: the language of a file whose extensions name none. */
    defaultLanguage?: string;
    /** `DefaultType` is a no-op in 2.4 except `none`; kept for completeness. */
  };
  /** `DirectoryIndex` (default index.html). */
  directoryIndex: string[];
  /** `DirectorySlash` (default On). */
  directorySlash: boolean;
  /** Sections in configuration order; merged as Apache merges per-dir configs. */
  sections: AccessSection[];
  /** ap_multipart_boundary for this generation (drawn by the master; absent: the child draws one). */
  multipartBoundary?: string;
  /** SetEnvIf/BrowserMatch lines outside sections (the vhost's after the main server's), applied before the URL is mapped. */
  setEnvIf?: SetEnvIfEntry[];
  /** Header/RequestHeader lines outside sections (the vhost's after the main server's). */
  headers?: HeadersDirConfig;
  /** SetEnv/PassEnv lines outside sections (the vhost's merged over the main server's). */
  env?: EnvDirConfig;
  /** mod_autoindex's configuration outside sections; present when the module is loaded. */
  autoindex?: AutoindexDirConfig;
  /** `Options` outside sections: a set (absent: not set), and the +/- changes. */
  options?: { set?: string[]; add: string[]; remove: string[] };
  /**
   * Content types that a loaded module this server does not run takes as its handler
   * (ap_invoke_handler uses the type when no handler is set): a file of such a type is refused.
   */
  typeHandlers?: string[];
  /** `AccessFileName` (default .htaccess). */
  accessFileNames?: string[];
  /** mod_deflate's settings when the module is loaded (the DEFLATE filter exists). */
  deflate?: DeflateSettings;
  /** AddOutputFilterByType lines outside sections. */
  filterByType?: FilterByType[];
  /** mod_expires' lines outside sections. */
  expires?: ExpiresDirConfig;
  /**
   * RequestReadTimeout's header and body stages when mod_reqtimeout is loaded (its defaults
   * applied: header=20-40,MinRate=500 body=20,MinRate=500; a timeout of 0 is off). Absent: not loaded.
   */
  requestReadTimeout?: { header: ReadStageLimits; body: ReadStageLimits };
  /** `Alias`, `AliasMatch`, `ScriptAlias`, `ScriptAliasMatch`, `Redirect`, `RedirectMatch` of the main server. */
  aliases: AliasRule[];
  /** `SetHandler` at server level (sections' own come in `sections`). */
  setHandler?: string;
  /** `ErrorDocument` of the server (status → a local URL, a full URL, `"text`, or `default`). */
  errorDocuments: Record<string, string>;
  /** `<VirtualHost>` sections in configuration order; empty when there are none. */
  vhosts: VirtualHostConfig[];
  /** `CustomLog`/`TransferLog` lines of the main server. */
  accessLogs: AccessLogConfig[];
  /** `BufferedLogs` (default Off). */
  bufferedLogs: boolean;
  /** `ErrorLog` (default logs/error_log, resolved); `|cmd` and `syslog:` are the master's. */
  errorLog: string;
  /** `LogLevel` (default warn); per-module levels as `module:level`. */
  logLevel: string;
  /** `ExtendedStatus` (default On since 2.3.6 when mod_status is loaded). */
  extendedStatus: boolean;
  /** `ap_get_server_description()`: the full product text `/server-status` shows as ServerVersion. */
  serverDescription: string;
  /** `ap_get_server_built()`: the build time `/server-status` shows. */
  serverBuilt: string;
  /** `MaxRequestWorkers` after the clamps: `/server-status` shows no dead slot at or past it. */
  maxRequestWorkers: number;
  /** `MaxConnectionsPerChild` (default 0 = unlimited). */
  maxConnectionsPerChild: number;
  /** `ServerRoot`, for relative paths in messages. */
  serverRoot: string;
}

/**
 * A fact derived from a configuration, computed at its first use and kept for that
 * configuration (a child's configuration never changes): "does any section have X".
 */
export function perConfig<T>(compute: (cfg: ChildConfig) => T): (cfg: ChildConfig) => T {
  const memo = new WeakMap<ChildConfig, { value: T }>();
  return (cfg) => {
    let m = memo.get(cfg);
    if (m === undefined) memo.set(cfg, (m = { value: compute(cfg) }));
    return m.value;
  };
}

/** The configuration Apache 2.4 would run with if httpd.conf set nothing the child reads. */
export function defaultChildConfig(): ChildConfig {
  return {
    serverTokens: 'Full',
    serverBanner: { product: 'Apache', version: '2.4.71', os: 'Debian' },
    serverSignature: 'Off',
    serverName: 'localhost',
    port: 80,
    useCanonicalName: 'Off',
    documentRoot: '/usr/local/apache2/htdocs',
    timeout: 60,
    keepAlive: true,
    maxKeepAliveRequests: 100,
    keepAliveTimeoutMs: 5000,
    limitRequestLine: 8190,
    limitRequestFieldSize: 8190,
    limitRequestFields: 100,
    limitRequestBody: 1073741824,
    httpProtocolOptions: { strict: true, registeredMethods: false, allow09: true },
    traceEnable: 'On',
    fileETag: ['MTime', 'Size'],
    maxRanges: 200,
    mime: { types: {}, addType: {}, addCharset: {} },
    directoryIndex: ['index.html'],
    directorySlash: true,
    sections: [],
    aliases: [],
    errorDocuments: {},
    vhosts: [],
    accessLogs: [],
    bufferedLogs: false,
    errorLog: '/usr/local/apache2/logs/error_log',
    logLevel: 'warn',
    extendedStatus: true,
    serverDescription: 'Apache/2.4.71 (Debian)',
    serverBuilt: '',
    maxRequestWorkers: 256,
    maxConnectionsPerChild: 0,
    serverRoot: '/usr/local/apache2',
  };
}

/** Reads a snapshot and fills absent fields from the defaults (a partial snapshot is valid). */
export function childConfigFromJson(json: unknown): ChildConfig {
  const base = defaultChildConfig();
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new TypeError('PF02001: configuration snapshot is not a JSON object');
  }
  const merged = { ...base, ...(json as Partial<ChildConfig>) };
  merged.httpProtocolOptions = { ...base.httpProtocolOptions, ...(merged.httpProtocolOptions ?? {}) };
  merged.mime = { ...base.mime, ...(merged.mime ?? {}) };
  merged.serverBanner = { ...base.serverBanner, ...(merged.serverBanner ?? {}) };
  return merged;
}

/** The Server header value ServerTokens selects (ap_get_server_banner). */
export function serverBanner(cfg: ChildConfig): string {
  const { product, version, os } = cfg.serverBanner;
  const [major, minor] = version.split('.');
  switch (cfg.serverTokens) {
    case 'Prod':
    case 'ProductOnly':
      return product;
    case 'Major':
      return `${product}/${major}`;
    case 'Minor':
      return `${product}/${major}.${minor}`;
    case 'Min':
    case 'Minimal':
      return `${product}/${version}`;
    case 'OS':
      return `${product}/${version} (${os})`;
    case 'Full':
    default:
      return `${product}/${version} (${os})`;
  }
}
