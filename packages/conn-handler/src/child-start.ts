/**
 * What every form of the child program (child-entry.ts, the bundle, the startup snapshot) does
 * around runChild. Kept free of imports so the child-entry can load it before anything else.
 */

/** What the child caught before its loop was running (child-main's EarlySignals). */
export interface CaughtEarly {
  gracefulRequested: () => boolean;
  releaseEarlyHandlers: () => void;
}

/**
 * Catches SIGUSR1/SIGWINCH from the first moment: Node's default action for SIGUSR1 opens the
 * inspector, and the master sends it to every child at a graceful restart, including children
 * still starting. A request that arrives this early is kept and honoured once the loop runs.
 */
export function catchEarlySignals(): CaughtEarly {
  let graceful = false;
  const onEarly = (): void => {
    graceful = true;
  };
  process.on('SIGUSR1', onEarly);
  process.on('SIGWINCH', onEarly);
  return {
    gracefulRequested: () => graceful,
    releaseEarlyHandlers: () => {
      process.off('SIGUSR1', onEarly);
      process.off('SIGWINCH', onEarly);
    },
  };
}

/** Exits with the code the child's life ended with; an unexpected failure is exit 7 (PF02007). */
export function exitWith(life: Promise<number>): void {
  life.then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`PF02007: child failed: ${(e as Error).stack ?? String(e)}\n`);
      process.exit(7);
    },
  );
}
