/**
 * Modules Debian compiles into apache2 besides core: http (keep-alive), unixd (User,
 * Group), so (LoadModule, LoadFile: carried out by the read pass), log_config.
 */
import { atoi } from '../args.js';
import { EXEC_ON_READ, GLOBAL_ONLY, NOT_IN_DIR_CONTEXT, RSRC_CONF } from '../constants.js';
import type { DirectiveDef, ModuleDef } from '../module.js';

export interface HttpServerConfig {
  keepAlive?: boolean;
  /** Seconds (atoi). Default 5. */
  keepAliveTimeout?: number;
  /** Default 100; 0 = unlimited. */
  maxKeepAliveRequests?: number;
}

const merge = <T extends object>(base: T, add: T): T => {
  const out = { ...base } as Record<string, unknown>;
  for (const [k, v] of Object.entries(add)) if (v !== undefined) out[k] = v;
  return out as T;
};

/** http_module (http_core.c). */
export const httpModule: ModuleDef<HttpServerConfig, undefined> = {
  name: 'http_module',
  sourceFile: 'http_core.c',
  createServerConfig: () => ({}),
  mergeServerConfig: merge,
  directives: [
    {
      name: 'KeepAliveTimeout', arity: 'TAKE1', context: RSRC_CONF, help: 'Keep-Alive timeout duration (sec)',
      set: (cmd, arg) => {
        const err = cmd.checkContext(NOT_IN_DIR_CONTEXT);
        if (err) return err;
        cmd.serverConfig.keepAliveTimeout = atoi(arg);
        return undefined;
      },
    },
    {
      name: 'MaxKeepAliveRequests', arity: 'TAKE1', context: RSRC_CONF,
      help: 'Maximum number of Keep-Alive requests per connection, or 0 for infinite',
      set: (cmd, arg) => {
        const err = cmd.checkContext(NOT_IN_DIR_CONTEXT);
        if (err) return err;
        cmd.serverConfig.maxKeepAliveRequests = atoi(arg);
        return undefined;
      },
    },
    {
      name: 'KeepAlive', arity: 'FLAG', context: RSRC_CONF, help: 'Whether persistent connections should be On or Off',
      set: (cmd, on) => {
        const err = cmd.checkContext(NOT_IN_DIR_CONTEXT);
        if (err) return err;
        cmd.serverConfig.keepAlive = on;
        return undefined;
      },
    },
  ],
};

export interface UnixdServerConfig {
  user: string;
  group: string;
  chrootDir?: string;
}

/** unixd_module (mod_unixd.c): the identity children run as when started by root. */
export const unixdModule: ModuleDef<UnixdServerConfig, undefined> = {
  name: 'unixd_module',
  sourceFile: 'mod_unixd.c',
  createServerConfig: () => ({ user: '#-1', group: '#-1' }),
  mergeServerConfig: (base) => base,
  directives: [
    {
      name: 'User', arity: 'TAKE1', context: RSRC_CONF, help: 'Effective user id for this server',
      set: (cmd, arg) => {
        const err = cmd.checkContext(GLOBAL_ONLY);
        if (err) return err;
        cmd.serverConfig.user = arg;
        return undefined;
      },
    },
    {
      name: 'Group', arity: 'TAKE1', context: RSRC_CONF, help: 'Effective group id for this server',
      set: (cmd, arg) => {
        const err = cmd.checkContext(GLOBAL_ONLY);
        if (err) return err;
        cmd.serverConfig.group = arg;
        return undefined;
      },
    },
    {
      name: 'ChrootDir', arity: 'TAKE1', context: RSRC_CONF, help: 'The directory to chroot(2) into',
      set: (cmd, arg) => {
        const err = cmd.checkContext(GLOBAL_ONLY);
        if (err) return err;
        cmd.serverConfig.chrootDir = cmd.serverRootRelative(arg);
        return undefined;
      },
    },
  ],
};

/** so_module (mod_so.c). Its directives run in the read pass; the table is for -L and <IfDirective>. */
export const soModule: ModuleDef<undefined, undefined> = {
  name: 'so_module',
  sourceFile: 'mod_so.c',
  directives: [
    { name: 'LoadModule', arity: 'TAKE2', context: RSRC_CONF | EXEC_ON_READ, help: 'a module name and the name of a shared object file to load it from', set: () => undefined },
    { name: 'LoadFile', arity: 'ITERATE', context: RSRC_CONF | EXEC_ON_READ, help: 'shared object file or library to load into the server at runtime', set: () => undefined },
  ],
};

export interface CustomLogEntry {
  /** File path (ServerRoot-relative resolved) or a `|program` pipe, as written for pipes. */
  target: string;
  /** A format string or the name of a LogFormat. */
  format?: string;
  /** `env=NAME`, `env=!NAME` or `expr=…` condition, as written. */
  condition?: string;
}

export interface LogConfigServerConfig {
  /** Named formats (LogFormat fmt name); the default format under the key ''. */
  formats: Record<string, string>;
  logs: CustomLogEntry[];
  bufferedLogs?: boolean;
}

const DEFAULT_LOG_FORMAT = '%h %l %u %t "%r" %>s %b';

/** log_config_module (mod_log_config.c). */
export const logConfigModule: ModuleDef<LogConfigServerConfig, undefined> = {
  name: 'log_config_module',
  sourceFile: 'mod_log_config.c',
  createServerConfig: () => ({ formats: { '': DEFAULT_LOG_FORMAT }, logs: [] }),
  mergeServerConfig: (base, add) => ({
    formats: { ...base.formats, ...add.formats },
    // A vhost with its own CustomLog logs only there; without, it uses the main server's.
    logs: add.logs.length > 0 ? add.logs : base.logs,
    bufferedLogs: base.bufferedLogs,
  }),
  directives: [
    {
      name: 'LogFormat', arity: 'TAKE12', context: RSRC_CONF, help: 'a log format string (see docs) and an optional format name',
      set: (cmd, fmt, name) => {
        cmd.serverConfig.formats[name ?? ''] = fmt;
        return undefined;
      },
    },
    {
      name: 'CustomLog', arity: 'TAKE23', context: RSRC_CONF,
      help: 'a file name, a custom log format string or format name, and an optional "env=" or "expr=" clause (see docs)',
      set: (cmd, file, fmt, cond) => {
        if (cond !== undefined && !/^(env=|expr=)/i.test(cond)) return 'error in condition clause';
        cmd.serverConfig.logs.push({ target: file.startsWith('|') ? file : cmd.serverRootRelative(file), format: fmt, condition: cond });
        return undefined;
      },
    },
    {
      name: 'TransferLog', arity: 'TAKE1', context: RSRC_CONF, help: 'the filename of the access log',
      set: (cmd, file) => {
        cmd.serverConfig.logs.push({ target: file.startsWith('|') ? file : cmd.serverRootRelative(file) });
        return undefined;
      },
    },
    {
      name: 'BufferedLogs', arity: 'FLAG', context: RSRC_CONF, help: 'Enable Buffered Logging (experimental)',
      set: (cmd, on) => {
        cmd.serverConfig.bufferedLogs = on;
        return undefined;
      },
    },
  ] satisfies DirectiveDef<LogConfigServerConfig, undefined>[],
};


/**
 * watchdog_module (mod_watchdog.c): compiled into Debian's apache2. It runs watchdog threads
 * for other modules (none of ours use them) and declares no directives.
 */
export const watchdogModule: ModuleDef<undefined, undefined> = {
  name: 'watchdog_module',
  sourceFile: 'mod_watchdog.c',
  directives: [],
};

/**
 * logio_module (mod_logio.c): compiled into Debian's apache2. Its LogIOTrackTTFB is not
 * implemented, so the catalogue warns about it as a stock directive this server lacks.
 */
export const logioModule: ModuleDef<undefined, undefined> = {
  name: 'logio_module',
  sourceFile: 'mod_logio.c',
  directives: [],
};

/** version_module (mod_version.c): `<IfVersion>` is evaluated by the configuration reader. */
export const versionModule: ModuleDef<undefined, undefined> = {
  name: 'version_module',
  sourceFile: 'mod_version.c',
  directives: [],
};

/**
 * macro_module (mod_macro.c): `<Macro>`, `Use` and `UndefMacro` are carried out by the
 * configuration reader, and only when this module is loaded.
 */
export const macroModule: ModuleDef<undefined, undefined> = {
  name: 'macro_module',
  sourceFile: 'mod_macro.c',
  directives: [],
};
