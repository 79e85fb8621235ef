/**
 * What this server does with each Apache module a configuration names.
 *
 *  - builtin:     compiled into Debian's apache2 (`apache2 -l`); LoadModule of it fails as
 *                 Apache's does ("module X is built-in and can't be loaded").
 *  - implemented: a module of ours stands in for it (the registry holds its table).
 *  - warn-accept: not implemented; its directives only tune performance or presentation, so
 *                 the server runs without it: loading it and using its directives is accepted
 *                 with a warning naming file:line. Responses may differ from Apache's
 *                 (no compression, no Expires headers …), never their access decisions.
 *  - fail-closed: not implemented, and it enforces access, authentication, TLS, rewriting or
 *                 runs code: serving without it would expose what the operator protected.
 *                 LoadModule is accepted with a warning (Debian's default tree loads
 *                 auth_basic, authn_file, authz_user), but any use of one of
 *                 its directives, or of a Require provider it supplies, stops startup with an
 *                 error naming the module and file:line.
 *  - other MPMs:  mpm_event / mpm_worker. If one of them is the only MPM loaded (Debian's
 *                 default), it is treated as not loaded and prefork runs (warning PF00003).
 */

export type ModulePolicy = 'builtin' | 'implemented' | 'warn-accept' | 'fail-closed' | 'other-mpm';

/** Modules compiled into Debian's apache2 binary (mod_*.c ones; core.c and http_core.c too). */
export const BUILTIN_MODULES: readonly string[] = [
  'core', 'so_module', 'watchdog_module', 'http_module', 'log_config_module', 'logio_module',
  'version_module', 'unixd_module',
];

/** Performance or presentation only: accepted with a warning. */
export const WARN_ACCEPT_MODULES: readonly string[] = [
  'brotli_module',
  'negotiation_module',
  'mime_magic_module', 'buffer_module', 'ratelimit_module', 'cache_module', 'cache_disk_module',
  'cache_socache_module', 'file_cache_module', 'socache_shmcb_module', 'socache_dbm_module',
  'socache_memcache_module', 'socache_redis_module', 'slotmem_shm_module', 'slotmem_plain_module',
  'unique_id_module', 'usertrack_module', 'log_debug_module', 'log_forensic_module', 'dumpio_module',
  'http2_module', 'info_module', 'speling_module', 'userdir_module',
  'vhost_alias_module', 'charset_lite_module', 'xml2enc_module', 'substitute_module', 'sed_module',
  'request_module', 'data_module', 'echo_module', 'reflector_module', 'heartbeat_module',
  'heartmonitor_module', 'bucketeer_module', 'case_filter_module', 'case_filter_in_module',
  'dialup_module', 'cern_meta_module', 'ident_module', 'imagemap_module',
  'actions_module', 'asis_module', 'dbd_module', 'watchdog_module',
];

/** Access, authentication, TLS, rewriting, proxying or code execution: fail closed when used. */
export const FAIL_CLOSED_MODULES: readonly string[] = [
  'allowmethods_module',
  'auth_basic_module', 'auth_digest_module', 'auth_form_module',
  'authn_anon_module', 'authn_core_module', 'authn_dbd_module', 'authn_dbm_module', 'authn_file_module',
  'authn_socache_module', 'authnz_fcgi_module', 'authnz_ldap_module',
  'authz_dbd_module', 'authz_dbm_module', 'authz_groupfile_module', 'authz_owner_module', 'authz_user_module',
  'ssl_module', 'rewrite_module', 'session_module', 'session_cookie_module', 'session_crypto_module',
  'session_dbd_module', 'ldap_module', 'md_module', 'suexec_module', 'include_module', 'lua_module',
  'cgi_module', 'cgid_module', 'ext_filter_module', 'dav_module', 'dav_fs_module', 'dav_lock_module',
  'proxy_module', 'proxy_ajp_module', 'proxy_balancer_module', 'proxy_connect_module',
  'proxy_express_module', 'proxy_fcgi_module', 'proxy_fdpass_module', 'proxy_ftp_module',
  'proxy_hcheck_module', 'proxy_html_module', 'proxy_http_module', 'proxy_http2_module',
  'proxy_scgi_module', 'proxy_uwsgi_module', 'proxy_wstunnel_module',
  'lbmethod_bybusyness_module', 'lbmethod_byrequests_module', 'lbmethod_bytraffic_module',
  'lbmethod_heartbeat_module', 'php_module', 'php5_module', 'php7_module', 'php8_module',
  'wsgi_module', 'perl_module', 'security2_module', 'evasive20_module',
  // It decides the client address that Require ip, Allow from and the logs see: ignoring it
  // would judge every client behind a trusted proxy by the proxy's address.
  'remoteip_module',
];

export const OTHER_MPMS: readonly string[] = ['mpm_event_module', 'mpm_worker_module'];

/**
 * Stock modules whose shared object uses another module's symbols: loaded before that module,
 * dlopen fails with the first symbol it could not resolve. Recorded from Debian's Apache/2.4.71
 * (`apache2 -t` with each module alone, then with the one it needs loaded first).
 */
export const MODULE_NEEDS: Readonly<Record<string, { module: string; symbol: string }>> = {
  cache_disk_module: { module: 'cache_module', symbol: 'ap_cache_cacheable_headers_in' },
  cache_socache_module: { module: 'cache_module', symbol: 'ap_cache_cacheable_headers_in' },
  dav_fs_module: { module: 'dav_module', symbol: 'dav_do_find_liveprop' },
  dav_lock_module: { module: 'dav_module', symbol: 'dav_push_error' },
  proxy_ajp_module: { module: 'proxy_module', symbol: 'proxy_module' },
  proxy_balancer_module: { module: 'proxy_module', symbol: 'proxy_hcmethods' },
  proxy_connect_module: { module: 'proxy_module', symbol: 'ap_proxy_tunnel_create' },
  proxy_express_module: { module: 'proxy_module', symbol: 'proxy_module' },
  proxy_fcgi_module: { module: 'proxy_module', symbol: 'proxy_module' },
  proxy_fdpass_module: { module: 'proxy_module', symbol: 'proxy_hook_canon_handler' },
  proxy_ftp_module: { module: 'proxy_module', symbol: 'ap_proxy_canonenc' },
  proxy_hcheck_module: { module: 'proxy_module', symbol: 'proxy_hcmethods' },
  proxy_http_module: { module: 'proxy_module', symbol: 'ap_proxy_location_reverse_map' },
  proxy_http2_module: { module: 'proxy_module', symbol: 'ap_proxy_location_reverse_map' },
  proxy_scgi_module: { module: 'proxy_module', symbol: 'proxy_hook_canon_handler' },
  proxy_uwsgi_module: { module: 'proxy_module', symbol: 'proxy_module' },
  proxy_wstunnel_module: { module: 'proxy_module', symbol: 'ap_proxy_pass_brigade' },
  session_cookie_module: { module: 'session_module', symbol: 'ap_hook_session_save' },
  session_crypto_module: { module: 'session_module', symbol: 'ap_hook_session_encode' },
  session_dbd_module: { module: 'session_module', symbol: 'ap_hook_session_save' },
};

/**
 * Require providers and the module that supplies each; a Require naming one of a module we
 * do not implement fails closed.
 */
export const AUTHZ_PROVIDER_MODULES: Readonly<Record<string, string>> = {
  user: 'authz_user_module',
  'valid-user': 'authz_user_module',
  group: 'authz_groupfile_module',
  'file-owner': 'authz_owner_module',
  'file-group': 'authz_owner_module',
  'dbd-group': 'authz_dbd_module',
  'dbm-group': 'authz_dbm_module',
  'ldap-user': 'authnz_ldap_module',
  'ldap-group': 'authnz_ldap_module',
  'ldap-dn': 'authnz_ldap_module',
  'ldap-attribute': 'authnz_ldap_module',
  'ldap-filter': 'authnz_ldap_module',
  'ssl': 'ssl_module',
  'ssl-verify-client': 'ssl_module',
};

/** The policy for a module name, given the set of module names we implement. */
export function modulePolicy(name: string, implemented: ReadonlySet<string>): ModulePolicy | undefined {
  if (implemented.has(name)) return 'implemented';
  if (BUILTIN_MODULES.includes(name)) return 'builtin';
  if (OTHER_MPMS.includes(name)) return 'other-mpm';
  if (FAIL_CLOSED_MODULES.includes(name)) return 'fail-closed';
  if (WARN_ACCEPT_MODULES.includes(name)) return 'warn-accept';
  return undefined;
}

/**
 * Directives of modules we implement whose effect is presentation only (filters, content
 * negotiation details): accepted with the PF00001 warning rather than refused as unknown.
 */
export const IGNORED_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  mime_module: [
    'AddOutputFilter', 'AddInputFilter', 'RemoveOutputFilter', 'RemoveInputFilter', 'RemoveCharset',
    'RemoveEncoding', 'RemoveLanguage', 'MultiviewsMatch', 'ModMimeUsePathInfo',
  ],
  // Smart filter chains select providers with ap_expr expressions, which are not evaluated here.
  filter_module: ['FilterDeclare', 'FilterProvider', 'FilterChain', 'FilterTrace', 'FilterProtocol'],
};

/** Our own message ids (Apache has none for these conditions). */
export const PF = {
  /** A directive of a warn-accept module, or of core, that this server does not implement. */
  NOT_SUPPORTED: 'PF00001',
  /** LoadModule of a module we do not implement (warn-accept or fail-closed). */
  MODULE_NOT_IMPLEMENTED: 'PF00002',
  /** The only MPM loaded is event or worker: prefork runs instead. */
  MPM_REPLACED: 'PF00003',
  /** LoadModule of a JavaScript module that does not export a module of that name. */
  JS_MODULE_BAD: 'PF00005',
  /** LoadModule of an existing shared object that is not a stock Apache module. */
  UNKNOWN_SHARED_OBJECT: 'PF00006',
  /** ScriptAlias/ScriptAliasMatch: accepted, and every request under it is refused (403). */
  SCRIPT_ALIAS_REFUSED: 'PF00007',
  /** Require expr: accepted; the child counts its section's Require lines as 'Require all denied'. */
  REQUIRE_NOT_EVALUATED: 'PF00008',
  /** SetEnvIfExpr: accepted; the expression is not evaluated and the line never matches. */
  EXPR_NOT_EVALUATED: 'PF00009',
} as const;
