/**
 * The mpm_prefork module's directive table (prefork.c's prefork_cmds with LISTEN_COMMANDS
 * and GracefulShutdownTimeout) and its check_config hook (the clamps).
 */
import {
  atoi, GLOBAL_ONLY, RSRC_CONF,
  type CoreServerConfig, type DirectiveDef, type ModuleDef, type ServerRec, type UnixdServerConfig,
} from '@prefork/core';
import { checkPreforkConfig } from './clamps.js';
import { parseListenAddress } from './listen.js';
import { DEFAULT_ACCEPT_FILTERS, defaultPreforkSettings, type PreforkSettings } from './settings.js';

type D = DirectiveDef<PreforkSettings, undefined>;

function numeric(name: string, help: string, apply: (s: PreforkSettings, n: number) => string | undefined, deprecatedId?: string): D {
  return {
    name, arity: 'TAKE1', context: RSRC_CONF, help,
    set: (cmd, arg) => {
      const err = cmd.checkContext(GLOBAL_ONLY);
      if (err) return err;
      if (deprecatedId) {
        cmd.log({ level: 'info', module: 'mpm_prefork', id: deprecatedId, message: 'MaxClients is deprecated, use MaxRequestWorkers instead.' });
      }
      // Apache reads these with atoi: "abc" is 0 and "2.5" is 2; the clamps then apply.
      return apply(cmd.serverConfig, atoi(arg));
    },
  };
}

const directives: D[] = [
  numeric('ListenBacklog', 'Maximum length of the queue of pending connections, as used by listen(2)', (s, n) => {
    if (n < 1) return 'ListenBacklog must be > 0';
    s.listenBacklog = n;
    return undefined;
  }),
  numeric('ListenCoresBucketsRatio', 'Ratio between the number of CPU cores (online) and the number of listeners buckets', (s, n) => {
    if (n < 1) return 'ListenCoresBucketsRatio must be > 0';
    s.listenCoresBucketsRatio = n;
    return undefined;
  }),
  {
    name: 'Listen', arity: 'TAKE_ARGV', context: RSRC_CONF,
    help: 'A port number or a numeric IP address and a port number, and an optional protocol',
    set: (cmd, argv) => {
      const err = cmd.checkContext(GLOBAL_ONLY);
      if (err) return err;
      if (argv.length < 1 || argv.length > 2) return 'Listen requires 1 or 2 arguments.';
      const parsed = parseListenAddress(argv[0]);
      if ('error' in parsed) return parsed.error;
      if (!parsed.port) return 'Port must be specified';
      const protocol = argv.length === 2 ? argv[1].toLowerCase() : parsed.port === 443 ? 'https' : 'http';
      const list = cmd.serverConfig.listeners;
      if (list.some((l) => l.port === parsed.port && (l.address ?? '') === (parsed.host ?? ''))) {
        return 'Cannot define multiple Listeners on the same IP:port';
      }
      list.push({ address: parsed.host, port: parsed.port, protocol });
      return undefined;
    },
  },
  numeric('SendBufferSize', 'Send buffer size in bytes', (s, n) => {
    if (n < 512 && n !== 0) return 'SendBufferSize must be >= 512 bytes, or 0 for system default.';
    s.sendBufferSize = n;
    return undefined;
  }),
  numeric('ReceiveBufferSize', 'Receive buffer size in bytes', (s, n) => {
    if (n < 512 && n !== 0) return 'ReceiveBufferSize must be >= 512 bytes, or 0 for system default.';
    s.receiveBufferSize = n;
    return undefined;
  }),
  numeric('ListenTCPDeferAccept', 'Value set for the socket option TCP_DEFER_ACCEPT if it is set', (s, n) => {
    if (n < 1) return 'ListenTCPDeferAccept must be > 0';
    s.listenTcpDeferAccept = n;
    return undefined;
  }),
  numeric('StartServers', 'Number of child processes launched at server startup', (s, n) => {
    s.startServers = n;
    return undefined;
  }),
  numeric('MinSpareServers', 'Minimum number of idle children, to handle request spikes', (s, n) => {
    s.minSpareServers = n;
    return undefined;
  }),
  numeric('MaxSpareServers', 'Maximum number of idle children', (s, n) => {
    s.maxSpareServers = n;
    return undefined;
  }),
  numeric('MaxClients', 'Deprecated name of MaxRequestWorkers', (s, n) => {
    s.maxRequestWorkers = n;
    return undefined;
  }, 'AH00188'),
  numeric('MaxRequestWorkers', 'Maximum number of children alive at the same time', (s, n) => {
    s.maxRequestWorkers = n;
    return undefined;
  }),
  numeric('ServerLimit', 'Maximum value of MaxRequestWorkers for this run of Apache', (s, n) => {
    s.serverLimit = n;
    return undefined;
  }),
  numeric('GracefulShutdownTimeout', 'Maximum time in seconds to wait for child processes to complete transactions during shutdown', (s, n) => {
    s.gracefulShutdownTimeout = n;
    return undefined;
  }),
];

/**
 * Fills the settings the master reads from core's and unixd's directives (PidFile, Mutex,
 * DefaultRuntimeDir, ScoreBoardFile, MaxConnectionsPerChild, User, Group), which Apache
 * keeps in the core but prefork consumes.
 */
function fillFromCore(settings: PreforkSettings, server: ServerRec): void {
  const core = server.config.get('core') as CoreServerConfig | undefined;
  const unixd = server.config.get('unixd_module') as UnixdServerConfig | undefined;
  if (core?.pidFile) settings.pidFile = core.pidFile;
  if (core?.scoreBoardFile) settings.scoreBoardFile = core.scoreBoardFile;
  if (core?.maxConnectionsPerChild !== undefined) settings.maxConnectionsPerChild = core.maxConnectionsPerChild;
  if (core?.defaultRuntimeDir) settings.mutexDir = core.defaultRuntimeDir;
  const mutex = core?.mutexes['mpm-accept'] ?? core?.mutexes.default;
  if (mutex) {
    const [mech, dir] = mutex.split(/:(.*)/s);
    // 'file' is APR's default file-based mechanism, fcntl on Linux.
    settings.acceptMutex = mech.toLowerCase() === 'file' ? 'fcntl' : mech.toLowerCase();
    if (dir) settings.mutexDir = dir;
  }
  if (unixd) {
    settings.user = unixd.user;
    settings.group = unixd.group;
  }
}

/** mpm_prefork_module (prefork.c). Its server config is the PreforkSettings the master reads. */
export const preforkModule: ModuleDef<PreforkSettings, undefined> = {
  name: 'mpm_prefork_module',
  sourceFile: 'prefork.c',
  // ServerRoot is not known when the config is created; PidFile's default is resolved in check_config.
  createServerConfig: () => defaultPreforkSettings(''),
  mergeServerConfig: (base) => base,
  directives,
  registerHooks: (hooks) => {
    hooks.register('check_config', 'prefork.c', (ctx) => {
      const settings = ctx.server.config.get('mpm_prefork_module') as PreforkSettings | undefined;
      if (!settings) return 0;
      fillFromCore(settings, ctx.server);
      const result = checkPreforkConfig(settings);
      for (const m of result.messages) {
        if (ctx.startup) ctx.log({ level: 'warn', module: 'mpm_prefork', id: m.startupId, message: m.startupText, startup: true });
        else ctx.log({ level: 'warn', module: 'mpm_prefork', id: m.logId, message: m.logText });
      }
      Object.assign(settings, result.settings);
      return 0;
    });
  },
};

/** The settings of a loaded configuration (after check_config), or undefined without mpm_prefork. */
export function preforkSettingsOf(server: ServerRec, serverRoot: string): PreforkSettings | undefined {
  const s = server.config.get('mpm_prefork_module') as PreforkSettings | undefined;
  if (!s) return undefined;
  // AcceptFilter is core's directive; the listeners are ours.
  const core = server.config.get('core') as { acceptFilters?: Record<string, string> } | undefined;
  const out = { ...s, listeners: [...s.listeners], acceptFilters: { ...DEFAULT_ACCEPT_FILTERS, ...core?.acceptFilters } };
  if (out.pidFile.startsWith('/logs/') || out.pidFile === '') out.pidFile = `${serverRoot}/logs/httpd.pid`;
  if (out.mutexDir === '/logs' || out.mutexDir === '') out.mutexDir = `${serverRoot}/logs`;
  return out;
}
