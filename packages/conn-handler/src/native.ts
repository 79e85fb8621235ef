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
  /** accept4 once, non-blocking: a new fd or -errno. */
  accept(listenFd: number): number;
  /** 1 = one byte read, 0 = EOF, -errno otherwise. */
  readByte(fd: number): number;
  closeFd(fd: number): number;
  setNonBlocking(fd: number): number;
  lockFile(fd: number, done: (rc: number) => void): void;
  unlockFile(fd: number): number;
}

/** Loads the addon through node-gyp-build; the error names the package directory it searched. */
export function loadNativeAcceptor(): NativeAcceptor {
  const require = createRequire(import.meta.url);
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  try {
    const build = require('node-gyp-build') as (dir: string) => NativeAcceptor;
    return build(root);
  } catch (e) {
    throw new Error(`PF02002: cannot load the native acceptor from ${root} (build/Release/acceptor.node or prebuilds/): ${(e as Error).message}`);
  }
}
