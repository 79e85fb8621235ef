/**
 * What the master (in @prefork/mpm-core) hands a child (in @prefork/conn-handler) when it
 * spawns one. Children are Node processes started with `child_process.spawn`; they never read
 * configuration files. Both sides import these shapes from here so the compiler checks them.
 *
 * File descriptors: the child's stdio fd 0 is /dev/null, 1 and 2 are the master's (stderr is
 * where a child writes before ErrorLog is open); from fd 3 on, in this order:
 *   3                       the read end of its bucket's pipe of death
 *   4 … 4+listeners.length-1  the listening sockets of its bucket
 * The bootstrap itself arrives as JSON in the environment variable `PREFORK_CHILD`.
 */

/** Child exit codes the master acts on (Apache's APEXIT_*). */
export enum ChildExit {
  /** Normal exit (pod, MaxConnectionsPerChild, graceful). */
  OK = 0,
  /** Initialisation failed: APEXIT_CHILDINIT. */
  INIT = 0x3,
  /** Something is wrong with this child; spawn rate goes back to 1: APEXIT_CHILDSICK. */
  SICK = 0x7,
  /** Fatal: the whole server must stop: APEXIT_CHILDFATAL. */
  FATAL = 0xf,
}

export const CHILD_ENV = 'PREFORK_CHILD';
export const POD_FD = 3;
export const FIRST_LISTENER_FD = 4;

export interface ListenerInfo {
  /** The fd in the child (FIRST_LISTENER_FD + index). */
  fd: number;
  /** As bound: '0.0.0.0', '127.0.0.1', '::' … */
  address: string;
  port: number;
  /** Listen's protocol argument ('http' unless given). */
  protocol: string;
}

/** Which accept mutex a child takes before accepting (Apache's Mutex mpm-accept). */
export type AcceptMutex =
  | { kind: 'none' }
  | { kind: 'flock'; path: string }
  | { kind: 'pthread'; scoreboardOffset: number };

export interface ChildBootstrap {
  /** Scoreboard slot (process_score index) this child owns. */
  slot: number;
  /** Listener bucket (ListenCoresBucketsRatio); 0 when there is one. */
  bucket: number;
  /** The master's generation at spawn (ap_my_generation). */
  generation: number;
  /** How to attach the shared scoreboard (see @prefork/scoreboard). */
  scoreboard: { name: string; file?: string };
  listeners: ListenerInfo[];
  acceptMutex: AcceptMutex;
  /** Path of the JSON snapshot of the evaluated configuration for this generation. */
  configSnapshot: string;
  /** Run as this user/group after start (the master is root); absent otherwise. */
  user?: { uid: number; gid: number; name: string };
  /** The master's pid, for the parent-death check. */
  masterPid: number;
}
