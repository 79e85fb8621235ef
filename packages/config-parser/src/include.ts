/**
 * Which files an Include / IncludeOptional names (util.c ap_dir_nofnmatch / ap_dir_fnmatch):
 * a file; a directory = every entry in it, recursively, in byte order; wildcards in any path
 * component. Files are handed to a callback one by one, as Apache reads each before it looks
 * at the next, so an error in one stops the walk.
 */
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { hasWildcard, fnmatch } from './fnmatch.js';

/** AP_MAX_FNMATCH_DIR_DEPTH */
export const MAX_DIR_DEPTH = 128;

const PREFIX = 'Include/IncludeOptional: ';

/** The callback says whether to stop the walk (an error was already recorded). */
export type FileVisitor = (file: string) => boolean;

/** The outcome of a walk: an error message of Apache's, a stop requested by the visitor, or done. */
export type WalkResult = { error: string } | 'stopped' | undefined;

/** apr's strerror texts for the errors file system calls give here. */
export function strerror(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'No such file or directory';
    case 'EACCES':
      return 'Permission denied';
    case 'ENOTDIR':
      return 'Not a directory';
    case 'EISDIR':
      return 'Is a directory';
    case 'ELOOP':
      return 'Too many levels of symbolic links';
    case 'ENAMETOOLONG':
      return 'File name too long';
    case 'EMFILE':
      return 'Too many open files';
    case 'EBADF':
      return 'Bad file descriptor';
    case 'EPERM':
      return 'Operation not permitted';
    case 'EIO':
      return 'Input/output error';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}

/** ap_make_full_path */
export function joinPath(dir: string, name: string): string {
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

class Walk {
  depth = 0;
  constructor(
    private readonly optional: boolean,
    private readonly visit: FileVisitor,
  ) {}

  /** ap_dir_nofnmatch */
  noMatch(fname: string): WalkResult {
    if (isDirectory(fname)) {
      if (++this.depth > MAX_DIR_DEPTH) {
        return {
          error:
            `${PREFIX}Directory '${fname}' exceeds the maximum include directory nesting level of ${MAX_DIR_DEPTH}. ` +
            'You have probably a recursion somewhere.',
        };
      }
      let names: string[];
      try {
        names = readdirSync(fname);
      } catch (e) {
        return { error: `${PREFIX}Could not open directory ${fname}: ${strerror(e)}` };
      }
      const candidates = names.map((n) => joinPath(fname, n)).sort(byteOrder);
      for (const c of candidates) {
        const r = this.noMatch(c);
        if (r !== undefined) return r;
      }
      this.depth--;
      return undefined;
    }
    if (this.optional) {
      try {
        statSync(fname);
      } catch {
        return undefined;
      }
    }
    return this.visit(fname) ? 'stopped' : undefined;
  }

  /** ap_dir_fnmatch: `path` is the directory reached so far, `rest` what remains of the pattern. */
  match(path: string, rest: string): WalkResult {
    const slash = rest.indexOf('/');
    const part = slash >= 0 ? rest.slice(0, slash) : rest;
    const after = slash >= 0 ? rest.slice(slash + 1) : undefined;
    if (!hasWildcard(part)) {
      const next = joinPath(path, part);
      return after === undefined ? this.noMatch(next) : this.match(next, after);
    }
    let entries: Dirent[];
    try {
      entries = readdirSync(path, { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' && this.optional) return undefined;
      return { error: `${PREFIX}Could not open directory ${path}: ${strerror(e)}` };
    }
    const candidates: string[] = [];
    for (const ent of entries) {
      if (!fnmatch(part, ent.name)) continue;
      // Inside the path only directories lead on (the entry's own type: a link does not).
      if (after !== undefined && !ent.isDirectory()) continue;
      candidates.push(joinPath(path, ent.name));
    }
    if (candidates.length === 0) {
      if (this.optional) return undefined;
      return { error: `${PREFIX}No matches for the wildcard '${part}' in '${path}', failing` };
    }
    candidates.sort(byteOrder);
    for (const c of candidates) {
      const r = after === undefined ? this.noMatch(c) : this.match(c, after);
      if (r !== undefined) return r;
    }
    return undefined;
  }
}

/**
 * Walks what an absolute Include path names, calling `visit` for each file in Apache's order.
 * `optional` is IncludeOptional: missing files and unmatched wildcards are silent.
 */
export function walkInclude(absPath: string, optional: boolean, visit: FileVisitor): WalkResult {
  const w = new Walk(optional, visit);
  if (!hasWildcard(absPath)) return w.noMatch(absPath);
  return w.match('/', absPath.replace(/^\/+/, ''));
}
