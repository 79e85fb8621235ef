#!/usr/bin/env node
// The program the master spawns for each child (see @prefork/core child-protocol).
//
// SIGUSR1 is caught before anything is loaded: Node's default action for it opens the
// inspector, and the master sends it to every child at a graceful restart, including children
// still starting. A request that arrives this early is kept and honoured once the loop runs.
const early = { graceful: false };
const onEarly = (): void => {
  early.graceful = true;
};
process.on('SIGUSR1', onEarly);
process.on('SIGWINCH', onEarly);

// No top-level await: the same program is also bundled as CommonJS (dist/child.cjs).
void import('./child-main.js').then(({ runChild }) =>
  runChild(process.env, {}, {
    gracefulRequested: () => early.graceful,
    releaseEarlyHandlers: () => {
      process.off('SIGUSR1', onEarly);
      process.off('SIGWINCH', onEarly);
    },
  }),
).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`PF02007: child failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(7);
  },
);
