import { createHash } from 'node:crypto';
import { isAbsolute } from 'node:path';
import { NativeKind } from './native.js';

/**
 * Where a scoreboard segment lives.
 * - `shm`: a POSIX shared-memory object (`/dev/shm/<name>` on Linux). This is the
 *   default, standing in for httpd's anonymous segment: our children are spawned,
 *   not forked, so they need a name to attach to.
 * - `file`: a regular file mapped MAP_SHARED, used when ScoreBoardFile is set.
 */
export type SegmentLocation =
  | { readonly kind: 'shm'; readonly name: string }
  | { readonly kind: 'file'; readonly path: string };

/** Longest shm name Linux accepts (NAME_MAX), slash included. */
const SHM_NAME_MAX = 255;

/**
 * A stable shm name for a server instance. The key should identify the instance
 * (for example ServerRoot plus the config file's absolute path) so that a segment
 * left by a crashed run of the same server is found and replaced at the next start.
 */
export function shmNameFor(key: string): string {
  return `/prefork-scoreboard.${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
}

/** Checks a location and returns the addon's kind and path for it. */
export function nativeTarget(loc: SegmentLocation): { kind: NativeKind; path: string } {
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

/** The file-system path of a segment: `/dev/shm/<name>` for shm on Linux, the path itself for a file. */
export function segmentPath(loc: SegmentLocation): string {
  const t = nativeTarget(loc);
  return t.kind === NativeKind.Shm ? `/dev/shm${t.path}` : t.path;
}
