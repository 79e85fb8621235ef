/**
 * @prefork/mpm-core: Apache httpd's prefork MPM, master side — listeners, children, idle
 * maintenance, pipe of death, signals, generations. See README.md.
 */
export { runMaster } from './master/run.js';
export {
  PreforkMaster,
  Retained,
  MasterExit,
  makeGeneration,
  type Generation,
  type LoadedConfig,
  type MasterOptions,
} from './master/run-master.js';
export {
  performIdleServerMaintenance,
  initialSpawnState,
  type SpawnState,
  type MaintenanceLimits,
  type MaintenanceActions,
} from './maintenance/perform-idle-server-maintenance.js';
export { reclaimChildProcesses, relieveChildProcesses, type ReclaimDeps } from './master/reclaim.js';
export { applySignal, noPending, SignalQueue, MASTER_SIGNALS, type MasterSignal, type PendingFlags } from './master/signals.js';
export { logPid, removePid, PidFileError } from './master/pidfile.js';
export { processChildStatus, type ChildExitInfo, type ProcessedStatus } from './children/child-status.js';
export { spawnChild, childListenerInfo, DEFAULT_CHILD_NODE_FLAGS, type SpawnChildRequest } from './children/make-child.js';
export { podOpen, podClose, podSignal, dummyConnection, dummyRequest, type Pod } from './children/pod.js';
export { createAcceptMutex, destroyAcceptMutex, needsAcceptMutex, DEFAULT_MUTEX_MECHANISM } from './children/accept-mutex.js';
export { resolveChildUser, UnknownUserError } from './children/user.js';
export {
  setupListeners,
  closeListeners,
  makeSock,
  bucketCount,
  bindAddressOf,
  formatSockaddr,
  ListenError,
  type OpenListener,
  type SocketOptions,
} from './listen/listeners.js';
export { ServerStatus, InMemoryScoreboard, FileScoreboard, type MasterScoreboard, type SlotSnapshot } from './scoreboard-view.js';
export { NativeMasterScoreboard } from './scoreboard-native.js';
export { mpmQuery, MpmQuery, MpmState, MPMQ_NOT_SUPPORTED, MPMQ_STATIC, MPMQ_DYNAMIC, type MpmQueryState } from './query.js';
export { detach, isDaemon, DEFAULT_DAEMON_MARKER } from './daemon.js';
export { preforkLog, coreLog, type LogLevel, type MpmLogger, type MpmLogRecord } from './logging.js';
export { SysError } from './native/libc.js';
export * from './config/index.js';
