/**
 * The master's signals. Handlers only enqueue and wake the loop; the loop folds the queue
 * into the pending flags with {@link applySignal}, exactly as ap_start_shutdown and
 * ap_start_restart set them in mpm_unix.c.
 */

/** The signals the master acts on. */
export type MasterSignal = 'SIGTERM' | 'SIGINT' | 'SIGHUP' | 'SIGUSR1' | 'SIGWINCH';
export const MASTER_SIGNALS: readonly MasterSignal[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGUSR1', 'SIGWINCH'];

/** retained->mpm's shutdown_pending, restart_pending and is_ungraceful. */
export interface PendingFlags {
  shutdownPending: boolean;
  restartPending: boolean;
  isUngraceful: boolean;
}

export function noPending(): PendingFlags {
  return { shutdownPending: false, restartPending: false, isUngraceful: false };
}

type Transition = (f: PendingFlags) => PendingFlags;

const startShutdown = (graceful: boolean): Transition => (f) =>
  f.shutdownPending ? f : { ...f, shutdownPending: true, isUngraceful: !graceful };
const startRestart = (graceful: boolean): Transition => (f) =>
  f.restartPending ? f : { ...f, restartPending: true, isUngraceful: !graceful };

/** What each signal does to the flags (unixd's sig_term / restart handlers). */
const TRANSITIONS: Record<MasterSignal, Transition> = {
  SIGTERM: startShutdown(false),
  SIGINT: startShutdown(false),
  SIGWINCH: startShutdown(true),
  SIGHUP: startRestart(false),
  SIGUSR1: startRestart(true),
};

export function applySignal(flags: PendingFlags, sig: MasterSignal): PendingFlags {
  return TRANSITIONS[sig](flags);
}

/**
 * Queue of received signals plus a wake-up for the loop's one-second wait. Also carries child
 * exits, which wake nothing (as SIGCHLD does not interrupt Apache's sleep) but are reaped at
 * the top of the next pass.
 */
export class SignalQueue {
  private readonly queue: MasterSignal[] = [];
  private readonly handlers = new Map<MasterSignal, () => void>();
  private wake: (() => void) | undefined;

  /** Installs the process handlers; {@link uninstall} removes them. */
  install(signals: readonly MasterSignal[] = MASTER_SIGNALS): void {
    for (const sig of signals) {
      const h = (): void => this.push(sig);
      this.handlers.set(sig, h);
      process.on(sig, h);
    }
  }

  uninstall(): void {
    for (const [sig, h] of this.handlers) process.off(sig, h);
    this.handlers.clear();
  }

  push(sig: MasterSignal): void {
    this.queue.push(sig);
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** Removes and returns everything received so far. */
  drain(): MasterSignal[] {
    return this.queue.splice(0, this.queue.length);
  }

  get size(): number {
    return this.queue.length;
  }

  /** Resolves after `ms`, or at once when a signal is (or already was) queued. */
  waitForSignal(ms: number): Promise<void> {
    if (this.queue.length > 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
