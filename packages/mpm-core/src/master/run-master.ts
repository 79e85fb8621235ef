/**
 * The prefork master: prefork.c's prefork_open_logs + prefork_run and mpm_unix.c's helpers,
 * as one object per server life (Retained) and one per configuration generation (Generation).
 */
import type { ChildProcess } from 'node:child_process';
import { ChildExit, type AcceptMutex, type ChildBootstrap } from '@prefork/core';
import { inheritedFdPath } from '@prefork/scoreboard';
import type { PreforkSettings } from '../config/settings.js';
import { applyRunAdjustments } from '../config/clamps.js';
import { coreLog, preforkLog, type MpmLogger, type MpmLogRecord } from '../logging.js';
import { ServerStatus, type MasterScoreboard } from '../scoreboard-view.js';
import { NativeMasterScoreboard } from '../scoreboard-native.js';
import { ListenError, bucketCount, closeListeners, setupListeners, type OpenListener } from '../listen/listeners.js';
import { dummyConnection, podClose, podOpen, podSignal, type Pod } from '../children/pod.js';
import { createAcceptMutex, destroyAcceptMutex, effectiveMechanism, DEFAULT_MUTEX_MECHANISM } from '../children/accept-mutex.js';
import { processChildStatus, type ChildExitInfo } from '../children/child-status.js';
import { DEFAULT_CHILD_NODE_FLAGS, childExtraFd, childListenerInfo, spawnChild } from '../children/make-child.js';
import { resolveChildUser } from '../children/user.js';
import { STOP_WAIT_MS, killIfStillStarting } from '../children/stop-starting.js';
import {
  initialSpawnState,
  performIdleServerMaintenance,
  type SpawnState,
} from '../maintenance/perform-idle-server-maintenance.js';
import { MpmQuery, MpmState, mpmQuery } from '../query.js';
import { applySignal, noPending, SignalQueue, type PendingFlags } from './signals.js';
import { reclaimChildProcesses, relieveChildProcesses, type ReclaimDeps } from './reclaim.js';
import { logPid, removePid, PidFileError } from './pidfile.js';
import { acceptQueueLength } from '../native/libc.js';

/** What loadConfig returns for a new generation. */
export interface LoadedConfig {
  settings: PreforkSettings;
  /** Path of this generation's configuration snapshot, handed to children. */
  configSnapshot: string;
}

/** Options of {@link runMaster}. */
export interface MasterOptions {
  /** The first generation's settings (after prefork_check_config's clamps). */
  settings: PreforkSettings;
  configSnapshot: string;
  /** Script a child runs (packages/conn-handler's entry). */
  childEntry: string;
  /** Node flags for children; default {@link DEFAULT_CHILD_NODE_FLAGS}. */
  childNodeFlags?: readonly string[];
  /** Re-reads the configuration at a restart; a throw stops the server (its message goes to stderr). */
  loadConfig: () => LoadedConfig | Promise<LoadedConfig>;
  logger: MpmLogger;
  /** ap_get_server_description(): `Apache/2.4.71 (Debian)`. */
  serverDescription: string;
  /** ap_get_server_built(). */
  serverBuilt: string;
  /** The command line as AH00094 shows it. */
  commandLine: string;
  /** -DFOREGROUND / -DNO_DETACH / -DDEBUG: stay attached. Otherwise the master daemonizes. */
  foreground: boolean;
  /**
   * A memory-reducing collection of this process, returning the heap's committed bytes before
   * and after. Called once a generation, {@link reduceMemoryAfterCycles} maintenance cycles
   * after it started: what reading the configuration left behind is given back.
   */
  reduceMemory?: () => { before: number; after: number };
  /** Default 10 (about ten seconds). */
  reduceMemoryAfterCycles?: number;
  /** -DONE_PROCESS / -X: no children; {@link runChildInProcess} serves in this process. */
  oneProcess?: boolean;
  /** Runs the child's main loop in this process for ONE_PROCESS (the pod is `podFd`, not fd 3). */
  runChildInProcess?: (bootstrap: ChildBootstrap, fds: { pod: number }) => Promise<number>;
  /** Makes the scoreboard; default @prefork/scoreboard's shared segment (ScoreBoardFile, or POSIX shm). */
  createScoreboard?: (slots: number, settings: PreforkSettings) => MasterScoreboard;
  /** Startup messages (no timestamp) go here; default process.stderr. */
  stderr?: (line: string) => void;
  /** How to start the detached copy of this process; default the current argv. */
  daemonArgv?: string[];
  /** Environment marker telling the detached copy it is the daemon. */
  daemonEnvMarker?: string;
}

/** Exit codes of {@link runMaster}. */
export const MasterExit = { OK: 0, ERROR: 1 } as const;

/** A child the master has spawned and not yet reaped. */
interface Child {
  slot: number;
  proc: ChildProcess;
  exit?: ChildExitInfo;
}

/** However long a maintenance cycle took, the next one waits at least this long. */
const MIN_CYCLE_WAIT_MS = 500;

/** State that survives restarts (prefork_retained_data + ap_unixd_mpm_retained_data + the listeners). */
export class Retained {
  myGeneration = 0;
  mpmState = MpmState.STARTING;
  wasGraceful = false;
  flags: PendingFlags = noPending();
  spawn: SpawnState = initialSpawnState();
  numBuckets = 0;
  listeners: OpenListener[][] = [];
  pods: Pod[] = [];
  mutexes: AcceptMutex[] = [];
  scoreboard: MasterScoreboard | undefined;
  readonly children = new Map<number, Child>();
  /** Pids whose exit was seen and not yet processed, in order. */
  readonly exited: number[] = [];
  readonly signals = new SignalQueue();
  pidFileWritten = false;
}

/** The limits of one generation, after prefork_run's bucket clamps. */
export interface Generation {
  settings: PreforkSettings;
  configSnapshot: string;
  daemonsToStart: number;
  minFree: number;
  maxFree: number;
  daemonsLimit: number;
  user: ChildBootstrap['user'];
}

/** prefork_run's bucket clamps: at least one child, and one spare, per bucket. */
export function makeGeneration(loaded: LoadedConfig, numBuckets: number, user: ChildBootstrap['user']): Generation {
  const { settings: a } = applyRunAdjustments(loaded.settings, numBuckets);
  return {
    settings: loaded.settings,
    configSnapshot: loaded.configSnapshot,
    daemonsToStart: a.startServers,
    minFree: a.minSpareServers,
    maxFree: a.maxSpareServers,
    daemonsLimit: a.maxRequestWorkers,
    user,
  };
}

type RunResult = 'restart' | { exit: number };

/** The master of one server life. */
export class PreforkMaster {
  readonly retained = new Retained();
  private gen!: Generation;
  private readonly stderr: (line: string) => void;

  constructor(private readonly opts: MasterOptions) {
    this.stderr = opts.stderr ?? ((line) => process.stderr.write(line + '\n'));
  }

  private log(rec: MpmLogRecord): void {
    this.opts.logger.log(rec);
  }

  /** AP_MPMQ_* for this master, e.g. for mod_status. */
  query(code: MpmQuery): number | undefined {
    const g = this.gen;
    return mpmQuery(code, {
      daemonsLimit: g?.daemonsLimit ?? 0,
      serverLimit: g?.settings.serverLimit ?? 0,
      minSpare: g?.minFree ?? 0,
      maxSpare: g?.maxFree ?? 0,
      maxRequestsPerChild: g?.settings.maxConnectionsPerChild ?? 0,
      state: this.retained.mpmState,
      generation: this.retained.myGeneration,
    });
  }

  /** Runs until the server stops; resolves with the process exit code. */
  async run(): Promise<number> {
    const r = this.retained;
    r.signals.install();
    let loaded: LoadedConfig = { settings: this.opts.settings, configSnapshot: this.opts.configSnapshot };
    try {
      for (;;) {
        if (!this.openLogs(loaded)) return MasterExit.ERROR;
        const result = await this.preforkRun();
        if (result !== 'restart') return result.exit;
        try {
          loaded = await this.opts.loadConfig();
        } catch (e) {
          // As a raw USR1/HUP with a broken file on disk: the message, then the server is gone.
          this.stderr(e instanceof Error ? e.message : String(e));
          await this.terminateChildren();
          return MasterExit.ERROR;
        }
      }
    } finally {
      r.signals.uninstall();
      this.releaseResources();
    }
  }

  /** prefork_open_logs: listeners, buckets, pods, accept mutexes. False after printing why not. */
  private openLogs(loaded: LoadedConfig): boolean {
    const r = this.retained;
    const s = loaded.settings;
    const startup = r.listeners.length === 0;
    if (this.opts.oneProcess) r.numBuckets = 1;
    else if (r.numBuckets === 0) r.numBuckets = bucketCount(s.listenCoresBucketsRatio);
    try {
      r.listeners = setupListeners(s, r.numBuckets, r.listeners, (w) => this.log(w));
    } catch (e) {
      if (!(e instanceof ListenError)) throw e;
      for (const line of e.lines) this.stderr(line);
      if (startup) this.stderr('AH00015: Unable to open logs');
      r.listeners = [];
      return false;
    }
    while (r.pods.length < r.numBuckets) r.pods.push(podOpen());
    const mechanism = s.acceptMutex === 'default' ? DEFAULT_MUTEX_MECHANISM : effectiveMechanism(s.acceptMutex);
    for (const m of r.mutexes) destroyAcceptMutex(m);
    r.mutexes = r.listeners.map((ls, b) => createAcceptMutex(s.mutexDir, b, process.pid, mechanism, ls.length));
    let user: ChildBootstrap['user'];
    try {
      user = resolveChildUser(s.user, s.group, process.getuid?.() === 0);
    } catch (e) {
      this.stderr((e as Error).message);
      return false;
    }
    this.gen = makeGeneration(loaded, r.numBuckets, user);
    return true;
  }

  /** prefork_run: one generation, from start-up to the signal that ends it. */
  private async preforkRun(): Promise<RunResult> {
    const r = this.retained;
    const g = this.gen;
    try {
      logPid(g.settings.pidFile, process.pid, !r.pidFileWritten, (l) => this.log(l));
      r.pidFileWritten = true;
    } catch (e) {
      if (!(e instanceof PidFileError)) throw e;
      this.log(e.record);
      return { exit: MasterExit.ERROR };
    }
    if (!r.wasGraceful) {
      // A non-graceful restart keeps the segment and clears it, as ap_create_scoreboard
      // does; its size stays the first ServerLimit's.
      if (r.scoreboard) r.scoreboard.clear();
      else r.scoreboard = (this.opts.createScoreboard ?? defaultScoreboard)(g.settings.serverLimit, g.settings);
      r.scoreboard.setRunningGeneration(r.myGeneration);
    }
    if (this.opts.oneProcess) return { exit: await this.runOneProcess() };

    let remainingChildrenToStart = Math.min(g.daemonsToStart, g.daemonsLimit);
    if (!r.wasGraceful) {
      this.startupChildren(remainingChildrenToStart);
      remainingChildrenToStart = 0;
    } else {
      // Give the system time to recover before spawning exponentially again.
      r.spawn.holdOffOnExponentialSpawning = 10;
    }

    this.log(preforkLog('notice', 'AH00163', `${this.opts.serverDescription} configured -- resuming normal operations`));
    this.log(preforkLog('info', 'AH00164', `Server built: ${this.opts.serverBuilt}`));
    this.log(coreLog('notice', 'AH00094', `Command line: '${this.opts.commandLine}'`));
    this.log(coreLog('debug', 'AH02639', `Using SO_REUSEPORT: yes (1)`));
    const mutex = r.mutexes[0]?.kind ?? 'none';
    this.log(preforkLog('debug', 'AH00165', `Accept mutex: ${mutex} (default: ${DEFAULT_MUTEX_MECHANISM})`));
    r.mpmState = MpmState.RUNNING;

    // Ours: the second between two maintenance cycles counts from when the last one was due.
    // prefork.c sleeps a whole second after a cycle whose fork()s took next to nothing; each
    // spawn of a Node child costs this process milliseconds, tens of them while earlier
    // children start beside it, and a cycle spawning 16 would otherwise push the next one back
    // by most of a second. A child's exit still restarts the wait, as in ap_wait_or_timeout.
    let nextCycleAt: number | undefined;
    let cycles = 0;
    while (!r.flags.restartPending && !r.flags.shutdownPending) {
      const pid = r.exited.shift();
      if (pid !== undefined) {
        nextCycleAt = undefined;
        const outcome = this.handleChildExit(pid, remainingChildrenToStart > 0);
        if (outcome === 'fatal') {
          r.mpmState = MpmState.STOPPING;
          await this.terminateChildren();
          return { exit: MasterExit.ERROR };
        }
        if (outcome === 'replaced') --remainingChildrenToStart;
        // No idle maintenance when a child dies: only on a timeout.
        continue;
      }
      await r.signals.waitForSignal(nextCycleAt === undefined ? 1000 : Math.max(MIN_CYCLE_WAIT_MS, nextCycleAt - Date.now()));
      // ap_wait_or_timeout: the master's CPU times for /server-status.
      this.scoreboard().updateGlobalTimes?.();
      this.foldSignals();
      if (remainingChildrenToStart > 0) {
        // A quiet second: the old generation is done exiting, start the rest at once.
        this.startupChildren(remainingChildrenToStart);
        remainingChildrenToStart = 0;
        continue;
      }
      if (r.flags.restartPending || r.flags.shutdownPending) break;
      // On a one-second clock: a cycle that ran late (the timer waits for a busy CPU) does not
      // push back the next one, unless it is a whole second behind.
      const cycleStart = Date.now();
      await this.performIdleServerMaintenance();
      if (++cycles === (this.opts.reduceMemoryAfterCycles ?? 10)) this.reduceMemory();
      nextCycleAt = (nextCycleAt !== undefined && cycleStart - nextCycleAt < 1000 ? nextCycleAt : cycleStart) + 1000;
    }

    r.mpmState = MpmState.STOPPING;
    if (r.flags.shutdownPending && r.flags.isUngraceful) return { exit: await this.shutdownNow() };
    if (r.flags.shutdownPending) return { exit: await this.shutdownGracefully() };
    await this.restart();
    return 'restart';
  }

  /** Ours: the master gives back what this generation's start left in its heap (PF00004 at debug). */
  private reduceMemory(): void {
    if (!this.opts.reduceMemory) return;
    try {
      const { before, after } = this.opts.reduceMemory();
      this.log(preforkLog('debug', 'PF00004', `heap reduced from ${Math.round(before / 1024)} to ${Math.round(after / 1024)} kB`));
    } catch {
      // Memory stays as it was; nothing else depends on it.
    }
  }

  /** Reaping one child: its status, its slot, and a 1-for-1 replacement while the start-up is not done. */
  private handleChildExit(pid: number, replacing: boolean): 'fatal' | 'replaced' | 'reaped' {
    const r = this.retained;
    const sb = this.scoreboard();
    const child = r.children.get(pid);
    r.children.delete(pid);
    const exit: ChildExitInfo = child?.exit ?? { pid, code: 0, signal: null };
    const { processed, log } = processChildStatus(exit);
    for (const l of log) this.log(l);
    const slot = child?.slot ?? -1;
    if (processed === ChildExit.FATAL) {
      if (slot < 0 || sb.generation(slot) === r.myGeneration) return 'fatal';
      this.log(preforkLog('warn', 'AH00166', `Ignoring fatal error in child of previous generation (pid ${pid}).`));
    }
    if (slot >= 0) {
      sb.setStatus(slot, ServerStatus.DEAD);
      sb.setPid(slot, 0);
      if (processed === ChildExit.SICK) {
        // The child ran short of a resource: fork slowly.
        r.spawn.idleSpawnRate = 1;
      } else if (replacing && slot < this.gen.daemonsLimit) {
        // Still replacing the old generation's children one for one.
        this.makeChild(slot);
        return 'replaced';
      }
    } else if (r.wasGraceful) {
      this.log(preforkLog('warn', 'AH00167', `long lost child came home! (pid ${pid})`));
    }
    return 'reaped';
  }

  private scoreboard(): MasterScoreboard {
    const sb = this.retained.scoreboard;
    if (!sb) throw new Error('PF00002: scoreboard used before it was created');
    return sb;
  }

  private foldSignals(): void {
    const r = this.retained;
    for (const sig of r.signals.drain()) r.flags = applySignal(r.flags, sig);
  }

  /** startup_children: fill the lowest dead slots. */
  private startupChildren(numberToStart: number): void {
    const sb = this.scoreboard();
    for (let i = 0; numberToStart > 0 && i < Math.min(this.gen.daemonsLimit, sb.slots); ++i) {
      if (sb.status(i) !== ServerStatus.DEAD) continue;
      if (this.makeChild(i) < 0) break;
      --numberToStart;
    }
  }

  /** make_child: one child in `slot`, bucket `slot % numBuckets`. Returns its pid, or -1. */
  makeChild(slot: number): number {
    const r = this.retained;
    const sb = this.scoreboard();
    const bucket = slot % r.numBuckets;
    if (slot + 1 > r.spawn.maxDaemonsLimit) r.spawn.maxDaemonsLimit = slot + 1;
    sb.setStatus(slot, ServerStatus.STARTING);
    const bootstrap = this.bootstrapFor(slot, bucket);
    const extraFds: number[] = [];
    if (sb.inheritFd !== undefined) {
      // An anonymous scoreboard: the child inherits it after its listeners and maps it there.
      extraFds.push(sb.inheritFd);
      bootstrap.scoreboard = { ...sb.attachInfo, file: inheritedFdPath(childExtraFd(r.listeners[bucket].length)) };
    }
    const proc = spawnChild({
      childEntry: this.opts.childEntry,
      nodeFlags: this.opts.childNodeFlags ?? DEFAULT_CHILD_NODE_FLAGS,
      podReadFd: r.pods[bucket].readFd,
      listeners: r.listeners[bucket],
      bootstrap,
      extraFds,
    });
    proc.on('error', () => {
      /* a failed spawn is handled below through the missing pid */
    });
    const pid = proc.pid;
    if (pid === undefined) {
      this.log(preforkLog('error', 'AH00159', 'fork: Unable to fork new process'));
      sb.setStatus(slot, ServerStatus.DEAD);
      return -1;
    }
    const child: Child = { slot, proc };
    r.children.set(pid, child);
    proc.on('exit', (code, signal) => {
      child.exit = { pid, code, signal };
      r.exited.push(pid);
    });
    sb.setPid(slot, pid);
    sb.setGeneration(slot, r.myGeneration);
    return pid;
  }

  private bootstrapFor(slot: number, bucket: number): Omit<ChildBootstrap, 'listeners'> {
    const r = this.retained;
    return {
      slot,
      bucket,
      generation: r.myGeneration,
      scoreboard: this.scoreboard().attachInfo,
      acceptMutex: r.mutexes[bucket] ?? { kind: 'none' },
      configSnapshot: this.gen.configSnapshot,
      user: this.gen.user,
      masterPid: process.pid,
    };
  }

  /** One cycle: decide purely, then act. */
  private async performIdleServerMaintenance(): Promise<void> {
    const r = this.retained;
    const sb = this.scoreboard();
    const statuses = sb.snapshot().map((s) => s.status);
    const actions = performIdleServerMaintenance(
      statuses,
      { daemonsLimit: Math.min(this.gen.daemonsLimit, sb.slots), minSpare: this.gen.minFree, maxSpare: this.gen.maxFree, numBuckets: r.numBuckets },
      r.spawn,
      waitingConnections(r.listeners),
    );
    r.spawn = actions.next;
    for (const l of actions.log) this.log(l);
    this.spawnBatch(actions.spawn, statuses);
    if (actions.killOneIdleInBucket !== undefined) {
      const b = actions.killOneIdleInBucket;
      // Ours: a child of the bucket that is still starting goes at once (stop-starting.ts);
      // else the pod, as prefork.c. Not awaited: the dummy connection must not hold up the loop.
      if (!this.killStartingChild(b)) void podSignal(r.pods[b], r.listeners[b], this.opts.serverDescription, (l) => this.log(l));
    }
  }

  /** Kills the youngest child of `bucket` that has not reached its accept loop; false when there is none. */
  private killStartingChild(bucket: number): boolean {
    const r = this.retained;
    const sb = this.scoreboard();
    const starting = [...r.children]
      .filter(([, c]) => c.exit === undefined && c.slot % r.numBuckets === bucket && sb.status(c.slot) === ServerStatus.STARTING)
      .sort(([, a], [, b]) => b.slot - a.slot);
    // One wait for all of them: the master's loop is held for at most STOP_WAIT_MS.
    const deadline = Date.now() + STOP_WAIT_MS;
    for (const [pid, c] of starting) {
      if (Date.now() >= deadline) break;
      if (killIfStillStarting(pid, () => sb.status(c.slot) === ServerStatus.STARTING, deadline)) return true;
    }
    return false;
  }

  /**
   * Starts a child in each slot. Ours: while the master spawns, every child still starting is
   * held stopped (SIGSTOP), each new one too, and all go on together once the batch is out
   * (SIGCONT). A Node child spends a second or more of CPU starting, and each spawn waits for
   * its new process to be scheduled up to its exec: with children of this batch and of the
   * last one starting beside it, 25 spawns took the master over 4 s, where fork() costs
   * Apache's master a millisecond a child. A child that is READY or serving is never stopped.
   */
  private spawnBatch(slots: readonly number[], statuses: readonly ServerStatus[]): void {
    if (slots.length === 0) return;
    const r = this.retained;
    const held: number[] = [];
    const hold = (pid: number) => {
      try {
        process.kill(pid, 'SIGSTOP');
        held.push(pid);
      } catch {
        // already gone: reaped as any exit
      }
    };
    if (slots.length > 1) {
      for (const [pid, child] of r.children) {
        if (statuses[child.slot] === ServerStatus.STARTING && child.exit === undefined) hold(pid);
      }
    }
    for (const slot of slots) {
      const pid = this.makeChild(slot);
      if (pid > 0 && slots.length > 1) hold(pid);
    }
    for (const pid of held) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // already gone
      }
    }
  }

  /** ap_mpm_pod_killpg: wake each idle child of `bucket` with a dummy connection (no pod byte: the generation tells them). */
  private podKillpg(bucket: number, listeners: OpenListener[]): void {
    const r = this.retained;
    const sb = this.scoreboard();
    for (let i = 0; i < r.spawn.maxDaemonsLimit; i++) {
      if (i % r.numBuckets !== bucket) continue;
      if (sb.status(i) !== ServerStatus.READY || sb.pid(i) === 0) continue;
      void dummyConnection(listeners, this.opts.serverDescription, (l) => this.log(l));
    }
  }

  private signalStartingChildren(sig: NodeJS.Signals): void {
    const sb = this.scoreboard();
    for (let i = 0; i < sb.slots; i++) {
      if (sb.status(i) === ServerStatus.STARTING && sb.pid(i) > 0) safeKill(sb.pid(i), sig, this.retained);
    }
  }

  private signalChildren(sig: NodeJS.Signals, onlyLive: boolean, skipStarting = false): number {
    const sb = this.scoreboard();
    let n = 0;
    for (let i = 0; i < sb.slots; i++) {
      const pid = sb.pid(i);
      if (pid <= 0 || (onlyLive && sb.status(i) === ServerStatus.DEAD)) continue;
      if (skipStarting && sb.status(i) === ServerStatus.STARTING) continue;
      if (safeKill(pid, sig, this.retained)) n++;
    }
    return n;
  }

  private reclaimDeps(): ReclaimDeps {
    const r = this.retained;
    const sb = this.scoreboard();
    return {
      now: () => Date.now(),
      sleep: (ms) => new Promise((res) => setTimeout(res, ms)),
      // Our own table rather than a scoreboard scan: it also holds children whose slot a
      // restart already marked GRACEFUL, and nothing in shared memory can forge an entry.
      children: () => [...r.children].map(([pid, c]) => ({ slot: c.slot, pid })),
      reap: (pid) => this.reap(pid),
      kill: (pid, sig) => safeKill(pid, sig, r),
      noteChildKilled: (slot) => {
        sb.setStatus(slot, ServerStatus.DEAD);
        sb.setPid(slot, 0);
      },
      log: (l) => this.log(l),
    };
  }

  /** waitpid(pid, WNOHANG) with the exit processed once: true when the pid is gone. */
  private reap(pid: number): boolean {
    const r = this.retained;
    const child = r.children.get(pid);
    if (!child) return true;
    if (!child.exit) return false;
    r.children.delete(pid);
    const i = r.exited.indexOf(pid);
    if (i >= 0) r.exited.splice(i, 1);
    for (const l of processChildStatus(child.exit).log) this.log(l);
    return true;
  }

  /** SIGTERM to every child, then ap_reclaim_child_processes. */
  private async terminateChildren(): Promise<void> {
    if (!this.retained.scoreboard) return;
    this.signalChildren('SIGTERM', false);
    await reclaimChildProcesses(true, this.reclaimDeps());
  }

  /** SIGTERM / SIGINT. */
  private async shutdownNow(): Promise<number> {
    await this.terminateChildren();
    removePid(this.gen.settings.pidFile, process.pid, (l) => this.log(l));
    this.log(preforkLog('notice', 'AH00169', 'caught SIGTERM, shutting down'));
    return MasterExit.OK;
  }

  /** SIGWINCH: stop listening at once, let busy children finish (up to GracefulShutdownTimeout). */
  private async shutdownGracefully(): Promise<number> {
    const r = this.retained;
    const kept = r.listeners;
    closeListeners(r.listeners);
    r.listeners = [];
    for (let b = 0; b < r.numBuckets; b++) this.podKillpg(b, kept[b] ?? []);
    // Not to children still starting (see restart()): those see the generation move on when
    // their loop begins, and stop without accepting.
    this.scoreboard().setRunningGeneration(r.myGeneration + 1);
    this.signalChildren('SIGUSR1', true, true);
    // A child still starting serves nothing yet but holds the listeners it inherited: while it
    // lives the kernel would queue connections that no one accepts. It can go at once.
    this.signalStartingChildren('SIGTERM');
    const deps = this.reclaimDeps();
    relieveChildProcesses(deps);
    removePid(this.gen.settings.pidFile, process.pid, (l) => this.log(l));
    this.log(preforkLog('notice', 'AH00170', 'caught SIGWINCH, shutting down gracefully'));
    const timeout = this.gen.settings.gracefulShutdownTimeout;
    const cutoff = timeout > 0 ? Date.now() + timeout * 1000 : Infinity;
    r.flags = { ...r.flags, shutdownPending: false };
    let active: boolean;
    do {
      await r.signals.waitForSignal(1000);
      this.foldSignals();
      relieveChildProcesses(deps);
      active = deps.children().length > 0;
    } while (!r.flags.shutdownPending && active && Date.now() < cutoff);
    await this.terminateChildren();
    return MasterExit.OK;
  }

  /** The end of prefork_run on USR1 / HUP: next generation; old children told to go. */
  private async restart(): Promise<void> {
    const r = this.retained;
    const sb = this.scoreboard();
    const graceful = !r.flags.isUngraceful;
    ++r.myGeneration;
    sb.setRunningGeneration(r.myGeneration);
    if (graceful) {
      this.log(preforkLog('notice', 'AH00171', 'Graceful restart requested, doing restart'));
      for (let b = 0; b < r.numBuckets; b++) this.podKillpg(b, r.listeners[b]);
      for (let i = 0; i < Math.min(this.gen.daemonsLimit, sb.slots); i++) {
        // A child still STARTING has no SIGUSR1 handler yet (Node's default for it opens the
        // inspector); the pod byte and its generation check retire it when its loop begins.
        if (sb.status(i) === ServerStatus.DEAD || sb.status(i) === ServerStatus.STARTING) continue;
        sb.setStatus(i, ServerStatus.GRACEFUL);
        // Through the scoreboard's pids, not the process group: piped loggers and CGIs
        // share the group and would not take SIGUSR1 kindly.
        safeKill(sb.pid(i), 'SIGUSR1', r);
      }
    } else {
      this.signalChildren('SIGHUP', false);
      await reclaimChildProcesses(false, this.reclaimDeps());
      this.log(preforkLog('notice', 'AH00173', 'SIGHUP received.  Attempting to restart'));
    }
    r.wasGraceful = graceful;
    r.flags = noPending();
  }

  /** ONE_PROCESS: the child's loop runs here, slot 0, bucket 0. */
  private async runOneProcess(): Promise<number> {
    const r = this.retained;
    if (!this.opts.runChildInProcess) {
      this.stderr('PF00003: ONE_PROCESS needs an in-process child runner');
      return MasterExit.ERROR;
    }
    const sb = this.scoreboard();
    sb.setPid(0, process.pid);
    sb.setGeneration(0, r.myGeneration);
    r.spawn.maxDaemonsLimit = 1;
    const bootstrap: ChildBootstrap = {
      ...this.bootstrapFor(0, 0),
      listeners: childListenerInfo(r.listeners[0]).map((l, i) => ({ ...l, fd: r.listeners[0][i].fd })),
    };
    return this.opts.runChildInProcess(bootstrap, { pod: r.pods[0].readFd });
  }

  private releaseResources(): void {
    const r = this.retained;
    closeListeners(r.listeners);
    r.listeners = [];
    for (const p of r.pods) podClose(p);
    r.pods = [];
    for (const m of r.mutexes) destroyAcceptMutex(m);
    r.mutexes = [];
    r.scoreboard?.destroy();
    r.scoreboard = undefined;
  }
}

/** ap_mpm_safe_kill: only our own children get signals. */
function safeKill(pid: number, sig: NodeJS.Signals, r: Retained): boolean {
  if (pid < 1 || !r.children.has(pid)) return false;
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

function defaultScoreboard(slots: number, s: PreforkSettings): MasterScoreboard {
  return NativeMasterScoreboard.create(slots, s.scoreBoardFile, `${s.pidFile}\0${process.pid}`);
}

/**
 * Connections accepted by the kernel and not yet by a child, over every listener (TCP_INFO);
 * undefined when a listener's queue cannot be read.
 */
function waitingConnections(buckets: readonly OpenListener[][]): number | undefined {
  let n = 0;
  for (const bucket of buckets) {
    for (const l of bucket) {
      const q = acceptQueueLength(l.fd);
      if (q < 0) return undefined;
      n += q;
    }
  }
  return n;
}
