import fs from 'node:fs';
import net from 'node:net';
import { CHILD_ENV, EXIT as ChildExit, FIRST_LISTENER_FD, POD_FD, type ChildBootstrap } from './protocol.js';
import { childConfigFromJson, type ChildConfig } from './config.js';
import { serveConnection, type ConnectionContext } from './http/connection.js';
import { statusResponse } from './handlers/status.js';
import { AccessLog, ErrorLog, fileSink, type LineSink, type LogRecord } from './logs.js';
import { codeCacheOutcome, saveCodeCacheIfMaker } from './code-cache.js';
import { IdleMemory } from './idle-memory.js';
import { loadNativeAcceptor, type NativeAcceptor } from './native.js';
import { MemoryScoreboard, Stage, type ScoreboardPort } from './scoreboard-port.js';
import { SharedScoreboard } from './scoreboard-shared.js';

/** What a running child holds; built by runChild, injectable for tests. */
export interface ChildRuntime {
  bootstrap: ChildBootstrap;
  cfg: ChildConfig;
  scoreboard: ScoreboardPort;
  errorLog: ErrorLog;
  accessLogs: AccessLog[];
  native: NativeAcceptor;
  /** mod_status's handler, when a section sets `SetHandler server-status`. */
  serverStatus?: ConnectionContext['serverStatus'];
  /** Per-vhost ErrorLog/CustomLog writers, for the vhosts that have their own. */
  vhostContext?: ConnectionContext['vhostContext'];
  /** Every access log writer (main and vhosts), to flush. */
  allAccessLogs: AccessLog[];
  /** The flock accept mutex's file, when several listeners need it. */
  acceptLockFd?: number;
  /** The pipe of death's read end: fd 3 in a spawned child; the master's own in ONE_PROCESS. */
  podFd?: number;
}

/**
 * The logs of each `<VirtualHost>` that names its own ErrorLog or CustomLog (mod_log_config
 * opens a vhost's logs at start; a vhost without uses the main server's). A piped target is
 * already the FIFO the master made for it; syslog goes to stderr as the main server's does.
 */
function vhostLogs(cfg: ChildConfig, stderrSink: LineSink, opened: AccessLog[]): ConnectionContext['vhostContext'] | undefined {
  if (cfg.vhosts.length === 0) return undefined;
  const mainLogs = JSON.stringify(cfg.accessLogs);
  const errorLogs = new Map<string, ErrorLog>();
  const perVhost = cfg.vhosts.map((v) => {
    const out: { errorLog?: ErrorLog; accessLog?: (r: LogRecord) => void } = {};
    const errorFile = v.config.errorLog ?? cfg.errorLog;
    const level = v.config.logLevel ?? cfg.logLevel;
    const key = `${errorFile}\0${level}`;
    if (errorFile !== cfg.errorLog || level !== cfg.logLevel) {
      let log = errorLogs.get(key);
      if (!log) {
        log = new ErrorLog(openSink(errorFile, stderrSink), level);
        errorLogs.set(key, log);
      }
      out.errorLog = log;
    }
    const logs = v.config.accessLogs;
    if (logs && JSON.stringify(logs) !== mainLogs) {
      const writers = logs.map((a) => new AccessLog(a, openSink(a.target, stderrSink), cfg.bufferedLogs));
      opened.push(...writers);
      out.accessLog = (r) => {
        for (const a of writers) a.write(r);
      };
    }
    return out;
  });
  return (index) => perVhost[index] ?? {};
}

/** mod_status over this child's view of the scoreboard. */
function statusHandler(cfg: ChildConfig, scoreboard: ScoreboardPort): NonNullable<ConnectionContext['serverStatus']> {
  const started = Date.now() * 1000;
  const fallback = new MemoryScoreboard();
  return (req, conn) => statusResponse(cfg, req, conn, () => scoreboard.readStatus?.() ?? fallback.readStatus(), started);
}

/** Why the accept loop ended. */
type LoopEnd = 'pod' | 'pod-eof' | 'max-connections' | 'graceful' | 'terminate';

const EAGAIN = -11;

function readBootstrap(env: NodeJS.ProcessEnv): ChildBootstrap {
  const raw = env[CHILD_ENV];
  if (!raw) throw new Error(`PF02003: ${CHILD_ENV} is not set: this program is started by the prefork master`);
  const b = JSON.parse(raw) as ChildBootstrap;
  if (typeof b.slot !== 'number' || !Array.isArray(b.listeners) || typeof b.configSnapshot !== 'string') {
    throw new Error(`PF02004: ${CHILD_ENV} does not hold a child bootstrap`);
  }
  return b;
}

/** unixd's privilege drop: group first, supplementary groups, then user. */
function dropPrivileges(b: ChildBootstrap, errorLog: ErrorLog): boolean {
  const user = b.user;
  const { setgid, setuid, getuid } = process;
  if (!user || !setgid || !setuid || !getuid || getuid() !== 0) return true;
  try {
    setgid(user.gid);
  } catch {
    errorLog.log('unixd', 'alert', `AH02156: setgid: unable to set group id to Group ${user.gid}`);
    return false;
  }
  try {
    (process as { initgroups?: (u: string, g: number) => void }).initgroups?.(user.name, user.gid);
  } catch {
    errorLog.log('unixd', 'alert', `AH02157: initgroups: unable to set groups for User ${user.name} and Group ${user.gid}`);
    return false;
  }
  try {
    setuid(user.uid);
  } catch {
    errorLog.log('unixd', 'alert', `AH02158: setuid: unable to change to uid: ${user.uid}`);
    return false;
  }
  return true;
}

async function attachScoreboard(b: ChildBootstrap, cfg: ChildConfig, errorLog: ErrorLog): Promise<ScoreboardPort> {
  try {
    return await SharedScoreboard.attach(b, cfg.extendedStatus);
  } catch (e) {
    errorLog.log('mpm_prefork', 'warn', `PF02008: cannot attach the scoreboard ${b.scoreboard.file ?? b.scoreboard.name}: ${(e as Error).message}; status stays local to this child`);
    return new MemoryScoreboard();
  }
}

/** A log target: a file (piped targets arrive as the master's FIFO paths); syslog goes to stderr. */
function openSink(target: string, stderrFallback: LineSink): LineSink {
  if (target.startsWith('syslog')) return stderrFallback;
  return fileSink(target);
}

/**
 * The prefork child's life (prefork.c child_main): initialise, then accept one connection at
 * a time until the pipe of death, pod EOF (the master is gone), MaxConnectionsPerChild, or a
 * signal ends it. Resolves with the exit code the master expects.
 */
export async function runChild(env: NodeJS.ProcessEnv = process.env, overrides: Partial<ChildRuntime> = {}, early: EarlySignals = {}): Promise<number> {
  const stderrSink: LineSink = (l) => process.stderr.write(l, 'latin1');
  let rt: ChildRuntime;
  try {
    const bootstrap = overrides.bootstrap ?? readBootstrap(env);
    // Read as bytes (latin1), as the requests are: paths, names and texts of the configuration
    // compare with request bytes and reach files, sockets and logs unchanged (logs.ts bytePath).
    const cfg = overrides.cfg ?? childConfigFromJson(JSON.parse(fs.readFileSync(bootstrap.configSnapshot, 'latin1')));
    const errorLog = overrides.errorLog ?? new ErrorLog(openSink(cfg.errorLog, stderrSink), cfg.logLevel);
    const accessLogs = overrides.accessLogs ?? cfg.accessLogs.map((a) => new AccessLog(a, openSink(a.target, stderrSink), cfg.bufferedLogs));
    const allAccessLogs = [...accessLogs];
    const vhostContext = vhostLogs(cfg, stderrSink, allAccessLogs);
    const scoreboard = overrides.scoreboard ?? (await attachScoreboard(bootstrap, cfg, errorLog));
    const statusWanted = [cfg.sections, ...cfg.vhosts.map((v) => v.config.sections ?? [])].some((list) => list.some((s) => s.handler === 'server-status'));
    rt = {
      bootstrap, cfg, errorLog, accessLogs, scoreboard, allAccessLogs,
      native: overrides.native ?? loadNativeAcceptor(),
      ...(statusWanted ? { serverStatus: statusHandler(cfg, scoreboard) } : {}),
      ...(vhostContext ? { vhostContext } : {}),
      ...(overrides.podFd !== undefined ? { podFd: overrides.podFd } : {}),
    };
    if (bootstrap.acceptMutex.kind === 'flock' && bootstrap.listeners.length > 1) rt.acceptLockFd = fs.openSync(bootstrap.acceptMutex.path, 'a');
    if (!dropPrivileges(bootstrap, errorLog)) return ChildExit.FATAL;
  } catch (e) {
    process.stderr.write(`PF02005: child initialisation failed: ${(e as Error).message}\n`);
    return ChildExit.INIT;
  }
  return acceptLoop(rt, early);
}

/** What child-entry caught before this module was loaded. */
export interface EarlySignals {
  /** True when SIGUSR1 or SIGWINCH arrived while the child was starting. */
  gracefulRequested?: () => boolean;
  /** Removes the early handlers once the loop's own are in place. */
  releaseEarlyHandlers?: () => void;
}

async function acceptLoop(rt: ChildRuntime, early: EarlySignals = {}): Promise<number> {
  const { cfg, native, scoreboard, errorLog } = rt;
  const listenFds = rt.bootstrap.listeners.map((l, i) => (typeof l.fd === 'number' ? l.fd : FIRST_LISTENER_FD + i));
  const podFd = rt.podFd ?? POD_FD;
  for (const fd of [podFd, ...listenFds]) native.setNonBlocking(fd);
  // Opened in runChild before the privilege drop: the mutex file belongs to the master's user.
  const lockFd: number | null = rt.acceptLockFd ?? null;
  if (rt.bootstrap.acceptMutex.kind === 'pthread' && listenFds.length > 1) {
    errorLog.log('mpm_prefork', 'warn', 'PF02006: pthread accept mutex is not available in the child; accepting without a mutex');
  }

  let stopAccepting = false;
  let wake: ((why: LoopEnd | null) => void) | null = null;
  // Set once the poller exists: closes this child's copies of the listening sockets.
  let closeListeners: (() => void) | null = null;
  const signalled = (why: LoopEnd): void => {
    stopAccepting = true;
    if (wake) wake(why);
    // Busy with a connection: stop_listening closes the listeners now, so that once the master
    // has closed its own the kernel refuses new connections instead of queueing them here.
    else closeListeners?.();
  };
  // Handlers only record the request; the loop acts on it.
  const onTerm = (): void => {
    for (const a of rt.allAccessLogs) a.flush();
    process.exit(ChildExit.OK);
  };
  process.on('SIGTERM', onTerm);
  process.on('SIGHUP', onTerm);
  process.on('SIGUSR1', () => signalled('graceful'));
  process.on('SIGWINCH', () => signalled('graceful'));
  process.on('SIGPIPE', () => undefined);
  early.releaseEarlyHandlers?.();
  // A graceful restart that reached this child while it started: it accepts nothing.
  if (early.gracefulRequested?.()) stopAccepting = true;

  const podCheck = (): LoopEnd | null => {
    const r = native.readByte(podFd);
    if (r === 1) return 'pod';
    if (r === 0) return 'pod-eof';
    return null;
  };

  let pending: number | null = null;
  const acceptFailed = (c: number): void => {
    if (c !== EAGAIN) errorLog.log('mpm_prefork', 'error', `AH00158: apr_socket_accept: (${-c}) accept failed`);
  };
  // One waiting child woken per connection, the oldest idle one first, where the kernel can
  // (exclusiveAcceptor); otherwise every idle child polls the listeners and races for accept.
  const exclusive = exclusiveAcceptor(native, listenFds, lockFd, (c) => {
    if (c < 0) return acceptFailed(c);
    pending = c;
    wake?.(null);
  });
  const poller = new native.Poller(exclusive ? [podFd] : [podFd, ...listenFds], (fd) => {
    if (!wake) return;
    if (fd === podFd) {
      const why = podCheck();
      if (why) wake(why);
      return;
    }
    const c = native.accept(fd);
    if (c >= 0) {
      pending = c;
      wake(null);
    } else acceptFailed(c);
  });

  closeListeners = () => {
    closeListeners = null;
    poller.close();
    // Busy: the acceptor is disarmed and holds no connection.
    exclusive?.close();
    for (const fd of listenFds) {
      try {
        fs.closeSync(fd);
      } catch {
        // already closed
      }
    }
  };

  // After a while without a connection the child gives back what a burst made V8 keep. The
  // acceptor is disarmed for the collection, so the kernel wakes another child meanwhile.
  const reduce = native.reduceMemory;
  const delayMs = idleMemoryDelay(process.env);
  const idleMemory = reduce && process.env['PREFORK_IDLE_MEMORY'] !== 'keep' ? new IdleMemory({
    reduce: () => reduce(),
    reduced: (before, after) => errorLog.log('mpm_prefork', 'debug', `PF02009: idle: heap reduced from ${Math.round(before / 1024)} to ${Math.round(after / 1024)} kB`),
    claim: () => {
      if (!wake) return false;
      poller.stop();
      const late = exclusive?.disarm() ?? -1;
      if (late < 0) return true;
      pending = late;
      wake(null);
      return false;
    },
    release: () => {
      if (!wake) return;
      poller.start();
      exclusive?.arm();
    },
    ...(delayMs !== undefined ? { delayMs } : {}),
  }) : null;

  const cache = codeCacheOutcome();
  if (cache !== undefined) errorLog.log('mpm_prefork', 'debug', `PF02012: code cache: ${cache}`);

  let served = 0;
  let end: LoopEnd;
  scoreboard.setStatus(Stage.READY);
  for (;;) {
    const early = podCheck();
    if (early) {
      end = early;
      break;
    }
    // A graceful restart that happened while this child started reached it only through the
    // pod (which another child may have taken) and the generation.
    if (stopAccepting || scoreboard.generationChanged?.()) {
      end = 'graceful';
      break;
    }
    if (lockFd !== null) {
      const fdLock = lockFd;
      const rc = await new Promise<number>((resolve) => native.lockFile(fdLock, resolve));
      if (rc < 0) {
        errorLog.log('mpm_prefork', 'emerg', `AH00144: couldn't grab the accept mutex`);
        return ChildExit.SICK;
      }
    }
    pending = null;
    const why = await new Promise<LoopEnd | null>((resolve) => {
      // Settles once: a signal and a readable listener in the same turn must not both count,
      // or a connection accepted after the signal's wake-up would be dropped unanswered.
      wake = (w) => {
        wake = null;
        resolve(w);
      };
      poller.start();
      exclusive?.arm();
      idleMemory?.idle();
    });
    idleMemory?.busy();
    poller.stop();
    // A connection the acceptor took while the pod or a signal woke us is served, not dropped:
    // the kernel woke this child alone for it.
    const late = exclusive?.disarm() ?? -1;
    if (late >= 0) pending = late;
    if (lockFd !== null) native.unlockFile(lockFd);
    const fd: number | null = pending;
    if (why) {
      if (fd !== null) await serveOne(rt, fd, () => false);
      end = why;
      break;
    }
    if (fd === null) continue;
    await serveOne(rt, fd, () => !stopAccepting);
    served++;
    scoreboard.setStatus(Stage.READY);
    if (scoreboard.generationChanged?.()) {
      end = 'graceful';
      break;
    }
    if (cfg.maxConnectionsPerChild > 0 && served >= cfg.maxConnectionsPerChild) {
      end = 'max-connections';
      break;
    }
  }
  poller.close();
  exclusive?.close();
  scoreboard.setStatus(end === 'graceful' ? Stage.GRACEFUL : Stage.DEAD);
  for (const a of rt.allAccessLogs) a.flush();
  return ChildExit.OK;
}

/** PREFORK_IDLE_MEMORY_MS, when it is a whole number of milliseconds from 1 (else the default). */
function idleMemoryDelay(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env['PREFORK_IDLE_MEMORY_MS'];
  return raw !== undefined && /^[1-9][0-9]{0,8}$/.test(raw) ? Number(raw) : undefined;
}

/**
 * The exclusive acceptor, where it applies: the addon has it, no accept mutex is in use (with
 * one, the lock holder alone polls), and PREFORK_ACCEPT is not `poll` (every idle child polls
 * and races, as before). Null when the kernel refuses it (EPOLLEXCLUSIVE needs Linux 4.5).
 */
function exclusiveAcceptor(native: NativeAcceptor, listenFds: number[], lockFd: number | null, onAccepted: (fd: number) => void): InstanceType<NonNullable<NativeAcceptor['ExclusiveAcceptor']>> | null {
  if (!native.ExclusiveAcceptor || lockFd !== null || process.env['PREFORK_ACCEPT'] === 'poll') return null;
  try {
    return new native.ExclusiveAcceptor(listenFds, onAccepted);
  } catch {
    return null;
  }
}

let codeCacheUnsaved = true;

/**
 * After the first response (sent and logged): the child that makes the code cache writes it
 * now, with the bytecode of the request path, before anything can end the child.
 */
function saveCodeCacheOnce(rt: ChildRuntime): void {
  codeCacheUnsaved = false;
  if (saveCodeCacheIfMaker()) rt.errorLog.log('mpm_prefork', 'debug', 'PF02012: code cache written');
}

async function serveOne(rt: ChildRuntime, fd: number, isRunning: () => boolean): Promise<void> {
  // Half-open allowed: a client that shuts down its side after a partial request still gets
  // Apache's answer (400); the connection code ends our side itself (lingering close).
  const socket = new net.Socket({ fd, readable: true, writable: true, allowHalfOpen: true });
  // ap_sock_disable_nagle: a response's last segment must not wait for the client's ACK.
  socket.setNoDelay(true);
  const info = {
    remoteAddr: (socket.remoteAddress ?? '0.0.0.0').replace(/^::ffff:/, ''),
    remotePort: socket.remotePort ?? 0,
    localAddr: (socket.localAddress ?? '0.0.0.0').replace(/^::ffff:/, ''),
    localPort: socket.localPort ?? 0,
  };
  await serveConnection(socket, info, {
    cfg: rt.cfg,
    errorLog: rt.errorLog,
    accessLog: (r) => {
      for (const a of rt.accessLogs) a.write(r);
      if (codeCacheUnsaved) saveCodeCacheOnce(rt);
    },
    scoreboard: rt.scoreboard,
    isRunning,
    ...(rt.serverStatus ? { serverStatus: rt.serverStatus } : {}),
    ...(rt.vhostContext ? { vhostContext: rt.vhostContext } : {}),
  });
}

/**
 * -X / -DONE_PROCESS: the child's life in the master's own process (mpm-core's
 * runChildInProcess), with the master's listeners and pod; the privilege drop applies to this
 * process, as in Apache.
 */
export function runChildInProcess(bootstrap: ChildBootstrap, fds: { pod: number }): Promise<number> {
  return runChild(process.env, { bootstrap, podFd: fds.pod });
}
