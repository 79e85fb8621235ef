/**
 * The evaluated settings of mpm_prefork and of the listeners, after prefork_check_config's
 * clamps. The directive table (config/directives.ts) fills these in; the master reads them.
 */

/** Compile-time limits of Apache's prefork.c. */
export const MAX_SERVER_LIMIT = 200000;
export const DEFAULT_SERVER_LIMIT = 256;
/** The spawn rate doubles each second up to this (MAX_SPAWN_RATE). */
export const MAX_SPAWN_RATE = 32;

export interface ListenDirective {
  /** As written: undefined for `Listen 80` (all addresses). */
  address?: string;
  port: number;
  /** Listen's optional protocol argument; 'http' (or 'https' for port 443) otherwise. */
  protocol: string;
}

export interface PreforkSettings {
  startServers: number; // default 5
  minSpareServers: number; // default 5
  maxSpareServers: number; // default 10
  /** MaxRequestWorkers (MaxClients): default 256. */
  maxRequestWorkers: number;
  /** ServerLimit: default 256. */
  serverLimit: number;
  /** MaxConnectionsPerChild (MaxRequestsPerChild): 0 = unlimited. */
  maxConnectionsPerChild: number;
  /** GracefulShutdownTimeout in seconds; 0 = wait for ever. */
  gracefulShutdownTimeout: number;
  listeners: ListenDirective[];
  /** ListenBacklog: default 511. */
  listenBacklog: number;
  /** ListenCoresBucketsRatio: 0 = one bucket. */
  listenCoresBucketsRatio: number;
  /** ReceiveBufferSize / SendBufferSize: 0 = system default. */
  receiveBufferSize: number;
  sendBufferSize: number;
  /**
   * ListenTCPDeferAccept: seconds, default 30: the TCP_DEFER_ACCEPT a listener gets when its
   * protocol has an accept filter (see {@link acceptFilters}).
   */
  listenTcpDeferAccept: number;
  /**
   * core's AcceptFilter by protocol. Linux has no accept filters: as in Apache, a protocol with
   * one other than `none` (http and https have `data` by default) gets TCP_DEFER_ACCEPT, so a
   * connection takes a child only once the client has sent something.
   */
  acceptFilters: Record<string, string>;
  /** PidFile, resolved against ServerRoot (Apache's default: logs/httpd.pid; Debian sets one). */
  pidFile: string;
  /** ScoreBoardFile, resolved; undefined = anonymous shared memory. */
  scoreBoardFile?: string;
  /** Mutex mpm-accept mechanism: 'default', 'flock', 'fcntl', 'pthread', 'sysvsem', 'posixsem', 'none'. */
  acceptMutex: string;
  /** Mutex directory for file-based mutexes (DefaultRuntimeDir). */
  mutexDir: string;
  /** User and Group the children run as when the master is root. */
  user: string;
  group: string;
}

/** ListenTCPDeferAccept's default, in seconds (listen.c's 30). */
export const DEFAULT_TCP_DEFER_ACCEPT = 30;

/** core.c's accept filter map on a system without SO_ACCEPTFILTER (Linux). */
export const DEFAULT_ACCEPT_FILTERS: Readonly<Record<string, string>> = { http: 'data', https: 'data' };

export function defaultPreforkSettings(serverRoot: string): PreforkSettings {
  return {
    startServers: 5,
    minSpareServers: 5,
    maxSpareServers: 10,
    maxRequestWorkers: 256,
    serverLimit: DEFAULT_SERVER_LIMIT,
    maxConnectionsPerChild: 0,
    gracefulShutdownTimeout: 0,
    listeners: [],
    listenBacklog: 511,
    listenCoresBucketsRatio: 0,
    receiveBufferSize: 0,
    sendBufferSize: 0,
    listenTcpDeferAccept: DEFAULT_TCP_DEFER_ACCEPT,
    acceptFilters: { ...DEFAULT_ACCEPT_FILTERS },
    pidFile: `${serverRoot}/logs/httpd.pid`,
    scoreBoardFile: undefined,
    acceptMutex: 'default',
    mutexDir: `${serverRoot}/logs`,
    user: '#-1',
    group: '#-1',
  };
}
