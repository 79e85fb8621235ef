import { isAbsolute } from 'node:path';
import { NativeKind } from './native.js';
import { createRequire } from 'node:module';

/**
 * Where a scoreboard segment lives.
 * - `shm`: a POSIX shared-memory object (`/dev/shm/<name>` on Linux). This is the
 *   default, standing in for httpd's anonymous segment: our children are spawned,
 *   not forked, so they need a name to attach to.
 * - `file`: a regular file mapped MAP_SHARED, used when ScoreBoardFile is set.
 * - `memfd`: an anonymous segment (`memfd_create`), the closest to httpd's anonymous
 *   shared memory: it has no name in any file system, so nothing is left in /dev/shm when
 *   the processes holding it are killed. `name` is only its label (`/memfd:<name>` in
 *   /proc/<pid>/fd). Only {@link Scoreboard.create} takes it: the creator hands
 *   `sb.fd` to its children as an inherited descriptor, and they attach with
 *   `{ kind: 'file', path: inheritedFdPath(n) }`.
 */
export type SegmentLocation =
  | { readonly kind: 'shm'; readonly name: string }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'memfd'; readonly name: string };

/** The path through which a process maps a segment it inherited as descriptor `fd`. */
export function inheritedFdPath(fd: number): string {
  if (!Number.isInteger(fd) || fd < 0) throw new TypeError(`a descriptor is a whole number >= 0, got ${fd}`);
  return `/proc/self/fd/${fd}`;
}

/** Longest memfd name Linux accepts (249 bytes: 255 less the "memfd:" prefix). */
const MEMFD_NAME_MAX = 249;

/** Checks a memfd label. */
export function checkMemfdName(name: string): string {
  if (name === '' || Buffer.byteLength(name) > MEMFD_NAME_MAX || name.includes('\0')) {
    throw new TypeError(`memfd segment name must be 1-249 bytes without NUL, got ${JSON.stringify(name)}`);
  }
  return name;
}

/** Longest shm name Linux accepts (NAME_MAX), slash included. */
const SHM_NAME_MAX = 255;

/**
 * A stable shm name for a server instance. The key should identify the instance
 * (for example ServerRoot plus the config file's absolute path) so that a segment
 * left by a crashed run of the same server is found and replaced at the next start.
 */
export function shmNameFor(key: string): string {
  // node:crypto is loaded here only: a child imports this module and never names a segment,
  // and loading crypto would cost it 3 ms at start.
  // (process.getBuiltinModule is Node 20.16's; before it, a require from here.)
  const crypto = (process.getBuiltinModule?.('node:crypto') ?? createRequire(import.meta.url)('node:crypto')) as typeof import('node:crypto');
  const { createHash } = crypto;
  return `/prefork-scoreboard.${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
}

/** Checks a location and returns the addon's kind and path for it (not for memfd: it has no path). */
export function nativeTarget(loc: SegmentLocation): { kind: NativeKind; path: string } {
  if (loc.kind === 'memfd') {
    throw new TypeError('a memfd segment has no path: attach through the inherited descriptor, { kind: "file", path: inheritedFdPath(fd) }');
  }
  if (loc.kind === 'shm') {
    const ok = /^\/[^/\0]+$/.test(loc.name) && loc.name.length <= SHM_NAME_MAX && loc.name !== '/.' && loc.name !== '/..';
    if (!ok) throw new TypeError(`shm segment name must be "/" followed by 1-254 characters without "/", got ${JSON.stringify(loc.name)}`);
    return { kind: NativeKind.Shm, path: loc.name };
  }
  if (!isAbsolute(loc.path) || loc.path.includes('\0')) {
    throw new TypeError(`scoreboard file path must be absolute (resolve ScoreBoardFile against ServerRoot first), got ${JSON.stringify(loc.path)}`);
  }
  return { kind: NativeKind.File, path: loc.path };
}

/**
 * The file-system path of a segment: `/dev/shm/<name>` for shm on Linux, the path itself for a
 * file; `memfd:<name>` (as /proc shows it) for a memfd, which has none.
 */
export function segmentPath(loc: SegmentLocation): string {
  if (loc.kind === 'memfd') return `memfd:${checkMemfdName(loc.name)}`;
  const t = nativeTarget(loc);
  return t.kind === NativeKind.Shm ? `/dev/shm${t.path}` : t.path;
}
