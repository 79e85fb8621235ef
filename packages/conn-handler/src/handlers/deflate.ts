/**
 * mod_deflate's DEFLATE output filter, where mod_filter's AddOutputFilterByType puts it. The
 * body is compressed by the system's zlib (libz.so.1, through koffi, bound to its own symbols:
 * Node carries another zlib whose output differs), with Apache's gzip header and parameters,
 * so the bytes are apache2's.
 */
import { createRequire } from 'node:module';
import type { DeflateSettings, FilterByType } from '../config.js';
import { tableGet, tableMerge, tableSet, tableUnset, type Table } from '../http/types.js';

interface Libz {
  deflateInit2_(strm: Buffer, level: number, method: number, windowBits: number, memLevel: number, strategy: number, version: string, size: number): number;
  deflate(strm: Buffer, flush: number): number;
  deflateEnd(strm: Buffer): number;
  deflateBound(strm: Buffer, len: number): number | bigint;
  crc32(crc: number, buf: Buffer, len: number): number | bigint;
  version: string;
  address(b: Buffer): bigint;
}

let libz: Libz | null | undefined;

/** The system zlib, loaded at first use; null when it cannot be (the response is then sent as it is). */
function loadLibz(): Libz | null {
  if (libz !== undefined) return libz;
  try {
    const require = createRequire(import.meta.url);
    const koffi = require('koffi') as {
      load(path: string, opts: { deep: boolean }): { func(decl: string): (...a: unknown[]) => unknown };
      address(b: Buffer): bigint;
    };
    // RTLD_DEEPBIND: libz's own calls stay inside libz, not in Node's zlib.
    const lib = koffi.load('libz.so.1', { deep: true });
    const version = (lib.func('const char *zlibVersion()') as () => string)();
    libz = {
      deflateInit2_: lib.func('int deflateInit2_(void *strm, int level, int method, int windowBits, int memLevel, int strategy, const char *version, int stream_size)') as Libz['deflateInit2_'],
      deflate: lib.func('int deflate(void *strm, int flush)') as Libz['deflate'],
      deflateEnd: lib.func('int deflateEnd(void *strm)') as Libz['deflateEnd'],
      deflateBound: lib.func('unsigned long deflateBound(void *strm, unsigned long sourceLen)') as Libz['deflateBound'],
      crc32: lib.func('unsigned long crc32(unsigned long crc, const void *buf, unsigned int len)') as Libz['crc32'],
      version,
      address: (b) => koffi.address(b),
    };
  } catch {
    libz = null;
  }
  return libz;
}

/** sizeof(z_stream) on LP64, and the offsets deflate reads and writes. */
const Z_STREAM_SIZE = 112;
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);

/** The gzip member deflate_out_filter writes: its header, the raw deflate stream, CRC-32 and length. */
export function gzipLikeApache(input: Buffer, s: DeflateSettings): Buffer | undefined {
  const z = loadLibz();
  if (!z) return undefined;
  const strm = Buffer.alloc(Z_STREAM_SIZE);
  if (z.deflateInit2_(strm, s.level, 8, s.windowSize, s.memLevel, 0, z.version, Z_STREAM_SIZE) !== 0) return undefined;
  try {
    const bound = Number(z.deflateBound(strm, input.length));
    const out = Buffer.alloc(bound);
    const src = input.length > 0 ? input : Buffer.alloc(1);
    strm.writeBigUInt64LE(z.address(src), 0);
    strm.writeUInt32LE(input.length, 8);
    strm.writeBigUInt64LE(z.address(out), 24);
    strm.writeUInt32LE(bound, 32);
    // Z_FINISH in one call: the output of Z_NO_FLUSH pieces is the same stream.
    if (z.deflate(strm, 4) !== 1) return undefined;
    const n = Number(strm.readBigUInt64LE(40));
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(Number(z.crc32(0, src, input.length)) >>> 0, 0);
    trailer.writeUInt32LE(input.length >>> 0, 4);
    return Buffer.concat([GZIP_HEADER, out.subarray(0, n), trailer]);
  } finally {
    z.deflateEnd(strm);
  }
}

/** Whether AddOutputFilterByType puts `filter` on this type (filter_lookup: the type before any parameter, exactly). */
export function filterByTypeApplies(lists: ReadonlyArray<readonly FilterByType[] | undefined>, filter: string, contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const base = contentType.slice(0, contentType.search(/[; \t]|$/));
  return lists.some((l) => l?.some((f) => f.filter === filter && f.types.includes(base)));
}

/** ap_get_token over Accept-Encoding: whether `gzip` is named (exactly, any case) without q=0. */
export function acceptsGzip(accept: string): boolean {
  for (const item of accept.split(',')) {
    const [token = '', first] = item.split(';');
    if (token.trim().toLowerCase() !== 'gzip') continue;
    // Only the gzip token's first parameter is read, with case: strncmp("q=0.000", param,
    // strlen(param)) refuses q=0, q=0.0 …, while Q=0 or a q=0 after another parameter does not.
    const param = first?.trim();
    if (param !== undefined && param.length >= 3 && 'q=0.000'.startsWith(param)) return false;
    return true;
  }
  return false;
}

/** What the filter does to a response whose whole body is `body`. */
export interface DeflateDecision {
  /** The compressed body, when it is compressed. */
  body?: Buffer;
}

/**
 * deflate_out_filter's decision and its header changes on `headers` (r->headers_out): nothing
 * for a body of 68 bytes or less; nothing under no-gzip, for another type under
 * gzip-only-text/html, or for a body already encoded; else `Vary: Accept-Encoding`, and when
 * the client takes gzip (or force-gzip is set), `Content-Encoding: gzip`, no Content-Length
 * (the caller counts the new body) and the ETag's -gzip suffix.
 */
export function deflateResponse(
  settings: DeflateSettings, headers: Table, body: Buffer, o: { contentType?: string; contentEncoding?: string; env?: ReadonlyMap<string, string>; acceptEncoding?: string },
): DeflateDecision {
  if (body.length <= 10 + 8 + 50) return {};
  if (o.env?.has('no-gzip')) return {};
  if (!(o.contentType ?? '').startsWith('text/html') && o.env?.get('gzip-only-text/html') === '1') return {};
  const encodings = [tableGet(headers, 'Content-Encoding'), o.contentEncoding].filter((e): e is string => e !== undefined).join(',');
  if (encodings.split(',').map((t) => t.trim()).some((t) => t !== '' && !['identity', '7bit', '8bit', 'binary'].includes(t))) return {};
  tableMerge(headers, 'Vary', 'Accept-Encoding');
  if (!o.env?.has('force-gzip') && !acceptsGzip(o.acceptEncoding ?? '')) return {};
  const gz = gzipLikeApache(body, settings);
  if (!gz) return {};
  tableSet(headers, 'Content-Encoding', 'gzip');
  tableUnset(headers, 'Content-Length');
  tableUnset(headers, 'Content-MD5');
  const etag = tableGet(headers, 'ETag');
  if (settings.etag === 'Remove') tableUnset(headers, 'ETag');
  else if (settings.etag === 'AddSuffix' && etag !== undefined && etag.length > 2 && etag.endsWith('"')) tableSet(headers, 'ETag', `${etag.slice(0, -1)}-gzip"`);
  return { body: gz };
}
