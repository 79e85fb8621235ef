import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The acceptor addon's surface (src/native/acceptor.cc). */
export interface NativeAcceptor {
  Poller: new (fds: number[], onReadable: (fd: number, status: number) => void) => {
    start(): void;
    stop(): void;
    close(): void;
  };
  /**
   * One connection at a time with one waiting child woken per connection (EPOLLEXCLUSIVE, from
   * a thread of its own), the longest-registered idle child first. `arm()` waits for one; it
   * arrives as `onAccepted(fd)` (or `-errno`), and the acceptor is disarmed again. `disarm()`
   * stops waiting and returns a connection accepted but not yet delivered, else -1; `close()`
   * does the same and ends the thread.
   */
  ExclusiveAcceptor?: new (listenFds: number[], onAccepted: (fd: number) => void) => {
    arm(): void;
    disarm(): number;
    close(): number;
  };
  /** accept4 once, non-blocking: a new fd or -errno. */
  accept(listenFd: number): number;
  /** 1 = one byte read, 0 = EOF, -errno otherwise. */
  readByte(fd: number): number;
  closeFd(fd: number): number;
  setNonBlocking(fd: number): number;
  lockFile(fd: number, done: (rc: number) => void): void;
  unlockFile(fd: number): number;
  /**
   * V8's memory-reducing collection (the isolate's low-memory notification: compaction, free
   * pages returned) and malloc_trim. Synchronous; tens of milliseconds at most for a child.
   */
  reduceMemory?(): void;
}

/**
 * Loads the addon: the package's own build (build/Release, as `npm install` makes it) directly,
 * else through node-gyp-build's search (prebuilds/, build/Debug). Loading node-gyp-build itself
 * costs a starting child 2-3 ms. The error names the package directory searched.
 */
export function loadNativeAcceptor(): NativeAcceptor {
  const require = createRequire(import.meta.url);
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  try {
    return require(path.join(root, 'build', 'Release', 'acceptor.node')) as NativeAcceptor;
  } catch {
    // not built here: node-gyp-build's search below
  }
  try {
    const build = require('node-gyp-build') as (dir: string) => NativeAcceptor;
    return build(root);
  } catch (e) {
    throw new Error(`PF02002: cannot load the native acceptor from ${root} (build/Release/acceptor.node or prebuilds/): ${(e as Error).message}`);
  }
}
