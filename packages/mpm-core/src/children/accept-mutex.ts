/**
 * The accept mutex of a bucket (Mutex mpm-accept). The master only creates what the child
 * needs to take it: for flock a file named as Apache names it, `mpm-accept-<bucket>.<pid>`.
 */
import { closeSync, openSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { AcceptMutex } from '@prefork/core';

/** What `Mutex default` means on this build. Apache here defaults to pthread; without a native pthread mutex we use flock. */
export const DEFAULT_MUTEX_MECHANISM = 'flock';

/**
 * SINGLE_LISTEN_UNSERIALIZED_ACCEPT: with one listener the kernel already hands each
 * connection to one waiter, so no mutex is made.
 */
export function needsAcceptMutex(listenerCount: number, mechanism: string): boolean {
  return listenerCount > 1 && mechanism !== 'none';
}

/** The mechanism actually used for a configured one. */
export function effectiveMechanism(configured: string): 'flock' | 'none' {
  return configured === 'none' ? 'none' : 'flock';
}

export function createAcceptMutex(mutexDir: string, bucket: number, masterPid: number, mechanism: string, listenerCount: number): AcceptMutex {
  if (!needsAcceptMutex(listenerCount, mechanism)) return { kind: 'none' };
  const path = join(mutexDir, `mpm-accept-${bucket}.${masterPid}`);
  closeSync(openSync(path, 'w', 0o600));
  return { kind: 'flock', path };
}

export function destroyAcceptMutex(m: AcceptMutex): void {
  if (m.kind === 'flock') {
    try {
      unlinkSync(m.path);
    } catch {
      /* already gone */
    }
  }
}
