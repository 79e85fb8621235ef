/**
 * V8's code cache for the bundled child program (dist/child.cjs).
 *
 * Every child compiles the same 200 kB program, and its first request compiles the request path
 * lazily on top: about 12 ms of a fresh child's CPU before its first response. V8 can serialise
 * the bytecode of what a script has compiled so far and take it back in another process
 * (vm.Script's cachedData). The first child that finds no cache creates the file, answers its
 * first request, then writes the cache; the children after it start from that bytecode.
 *
 * The file is named after what V8 checks only in part: V8 rejects data made by another V8
 * version or with other flags, but it knows the source only by its length. The name holds the
 * Node version, the architecture, the child's Node flags and the bundle's size, mtime and
 * inode, so a rebuilt bundle gets a new file. It lives in the runtime directory beside the
 * configuration snapshot (DefaultRuntimeDir), is created (O_EXCL) before the child drops
 * privileges, and is written once through that descriptor. Until then it holds a line naming
 * the child that makes it: a child that finds that line compiles without the cache while that
 * child lives, and takes the file over once it is gone (killed before it answered a request,
 * say). A file read while being written is rejected by V8 (its header or length does
 * not match), and that child compiles as it would without one.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

/**
 * Where the loaded program finds what the loader did: the program is a separate bundle, so
 * the two share these through the global object.
 */
const SAVE = Symbol.for('prefork.codeCache.save');
const OUTCOME = Symbol.for('prefork.codeCache.outcome');
type Shared = { [SAVE]?: () => boolean; [OUTCOME]?: CodeCacheOutcome };

/** What became of the cache for this child. */
export type CodeCacheOutcome =
  /** Compiled from the cache. */
  | 'used'
  /** A cache was there and V8 refused it (being written, or damaged): compiled from source. */
  | 'rejected'
  /** This child creates the cache: {@link saveCodeCache} writes it. */
  | 'writer'
  /** No cache and another child is making it, or the directory is not writable. */
  | 'none';

const PREFIX = 'prefork-child.';
const SUFFIX = '.v8cache';

/** What a cache file holds until its maker writes it: this and the maker's pid. */
export const MAKER_MARK = 'prefork code cache being made by pid ';

/** 32-bit FNV-1a of a string's UTF-16 units, as 8 hex digits. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** The cache file for a bundle (its stat) run by this Node with these flags, in `dir`. */
export function codeCachePath(dir: string, bundle: Pick<fs.Stats, 'size' | 'mtimeMs' | 'ino'>, execArgv: readonly string[], version = process.version, arch = process.arch): string {
  const key = [version, arch, bundle.size, bundle.mtimeMs, bundle.ino, execArgv.join(' ')].join('\0');
  return path.join(dir, `${PREFIX}${version.replace(/[^0-9.]/g, '')}-${bundle.size}-${fnv1a(key)}${SUFFIX}`);
}

/** Whether a process runs (it may be another user's: EPERM says it exists). */
function alive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The cache's bytes; 'making' while a live child makes it; undefined when there is none (a
 * file its maker left unwritten, or empty, is removed so that this child can make it).
 */
function readCache(file: string): Buffer | 'making' | undefined {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  if (data.length > 0 && !data.subarray(0, MAKER_MARK.length).equals(Buffer.from(MAKER_MARK, 'latin1'))) return data;
  if (data.length > 0 && alive(Number(data.toString('latin1', MAKER_MARK.length).trim()))) return 'making';
  try {
    fs.unlinkSync(file);
  } catch {
    // gone already, or not ours to remove
  }
  return undefined;
}

/** Other bundles' caches in the directory: left by an earlier build or Node. */
function removeOtherCaches(file: string): void {
  const dir = path.dirname(file);
  try {
    for (const name of fs.readdirSync(dir)) {
      if (name.startsWith(PREFIX) && name.endsWith(SUFFIX) && name !== path.basename(file)) fs.rmSync(path.join(dir, name), { force: true });
    }
  } catch {
    // an unreadable directory: nothing to tidy
  }
}

/** A CommonJS module's text as Node wraps it, with a `#!` line kept as a comment (same line numbers). */
function wrapCommonJs(source: string): string {
  const text = source.startsWith('#!') ? `//${source.slice(2)}` : source;
  return `(function (exports, require, module, __filename, __dirname) { ${text}\n});`;
}

let pending: { fd: number; script: vm.Script } | null = null;

/**
 * Compiles and runs a CommonJS file as `require` would, with the code cache at `cacheFile`
 * (none when undefined). The file must not use a dynamic import(): vm.Script has no loader
 * for it without --experimental-vm-modules.
 */
export function runWithCodeCache(file: string, cacheFile: string | undefined): CodeCacheOutcome {
  const source = fs.readFileSync(file, 'utf8');
  const found = cacheFile !== undefined ? readCache(cacheFile) : undefined;
  const data = found === 'making' ? undefined : found;
  let fd = -1;
  if (cacheFile !== undefined && found === undefined) {
    try {
      fd = fs.openSync(cacheFile, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o644);
      fs.writeSync(fd, `${MAKER_MARK}${process.pid}\n`);
      removeOtherCaches(cacheFile);
    } catch {
      // another child makes it, or the directory is read-only
    }
  }
  const script = new vm.Script(wrapCommonJs(source), { filename: file, ...(data !== undefined ? { cachedData: data } : {}) });
  const outcome: CodeCacheOutcome = data !== undefined ? (script.cachedDataRejected ? 'rejected' : 'used') : fd >= 0 ? 'writer' : 'none';
  if (fd >= 0) {
    pending = { fd, script };
    (globalThis as Shared)[SAVE] = saveCodeCache;
  }
  (globalThis as Shared)[OUTCOME] = outcome;
  const fn = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string) => void;
  const module = { exports: {}, filename: file, id: '.', loaded: false, children: [], paths: [] };
  fn.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  module.loaded = true;
  return outcome;
}

/**
 * Writes the cache, when this child is the one that makes it: what the program has compiled
 * by now (its start-up and the path of its first request). Once; true when written.
 */
export function saveCodeCache(): boolean {
  const p = pending;
  if (p === null) return false;
  pending = null;
  try {
    const data = p.script.createCachedData();
    // Over the maker's line, from the start.
    let off = 0;
    while (off < data.length) off += fs.writeSync(p.fd, data, off, data.length - off, off);
    fs.ftruncateSync(p.fd, data.length);
    return true;
  } catch {
    // Empty: the next child takes the file over.
    try {
      fs.ftruncateSync(p.fd, 0);
    } catch {
      // nothing more to do
    }
    return false;
  } finally {
    fs.closeSync(p.fd);
    delete (globalThis as Shared)[SAVE];
  }
}

/** In the loaded program: how its loader used the cache; undefined when it was not loaded that way. */
export function codeCacheOutcome(): CodeCacheOutcome | undefined {
  return (globalThis as Shared)[OUTCOME];
}

/** In the loaded program: writes the cache if this child makes it (see {@link saveCodeCache}). */
export function saveCodeCacheIfMaker(): boolean {
  return (globalThis as Shared)[SAVE]?.() ?? false;
}
