import fs from 'node:fs';
import { bytePath } from '../logs.js';
import path from 'node:path';
import { perConfig, type ChildConfig } from '../config.js';
import { OutHeaders, type Body, type Request, type Response } from '../http/types.js';
import { mimeMetadata, withDefaultCharset } from './mime.js';
import { deflateResponse, filterByTypeApplies } from './deflate.js';
import { matchingSections } from './access.js';

/** What the default handler hands back when it does not produce a response itself. */
export interface HandlerError {
  status: number;
  /** Apache's error_log line for this failure: level and text (AH id first). */
  log?: { level: 'error' | 'info' | 'debug'; text: string };
}

export interface FileInfo {
  size: number;
  mtimeUs: bigint;
  ino: bigint;
  isDir: boolean;
  isFile: boolean;
}

export function statFile(p: string): FileInfo | { errno: string } {
  try {
    // A missing file is common (404s, the walk's probes): no exception is built for it.
    const st = fs.statSync(bytePath(p), { bigint: true, throwIfNoEntry: false });
    if (st === undefined) return { errno: 'ENOENT' };
    return { size: Number(st.size), mtimeUs: st.mtimeNs / 1000n, ino: st.ino, isDir: st.isDirectory(), isFile: st.isFile() };
  } catch (e) {
    return { errno: (e as NodeJS.ErrnoException).code ?? 'EIO' };
  }
}

/** ap_make_etag: the FileETag components in hex joined by '-', weak within a second of mtime. */
export function makeETag(cfg: ChildConfig, fi: FileInfo, requestTimeMs: number): string | undefined {
  const parts: string[] = [];
  if (cfg.fileETag.includes('INode')) parts.push(fi.ino.toString(16));
  if (cfg.fileETag.includes('Size')) parts.push(fi.size.toString(16));
  if (cfg.fileETag.includes('MTime')) parts.push(fi.mtimeUs.toString(16));
  if (parts.length === 0) return undefined;
  const weak = BigInt(requestTimeMs) * 1000n - fi.mtimeUs <= 1_000_000n;
  return `${weak ? 'W/' : ''}"${parts.join('-')}"`;
}

/** apr_date_parse_http subset: RFC 1123, RFC 850 and asctime; null when bad (including the epoch, as APR). */
export function parseHttpDate(s: string): number | null {
  const t = Date.parse(s.trim());
  if (!Number.isFinite(t) || t <= 0) return null;
  return t;
}

function etagMatches(list: string, etag: string, weakOk: boolean): boolean {
  const strip = (e: string): string => (weakOk ? e.replace(/^W\//, '') : e);
  if (!weakOk && etag.startsWith('W/')) return false;
  return list.split(',').map((x) => x.trim()).some((x) => {
    if (!weakOk && x.startsWith('W/')) return false;
    return strip(x) === strip(etag);
  });
}

/** ap_meets_conditions: 0 when the request proceeds, else 304 or 412. */
export function meetsConditions(req: Request, etag: string | undefined, mtimeMs: number): 0 | 304 | 412 {
  const h = req.headers;
  const getOrHead = req.method === 'GET' || req.method === 'HEAD';
  const ifMatch = h.get('If-Match');
  if (ifMatch !== undefined) {
    if (!(ifMatch.trim() === '*' || (etag !== undefined && etagMatches(ifMatch, etag, false)))) return 412;
  } else {
    const ius = h.get('If-Unmodified-Since');
    if (ius !== undefined) {
      const d = parseHttpDate(ius);
      if (d !== null && Math.floor(mtimeMs / 1000) * 1000 > d) return 412;
    }
  }
  const inm = h.get('If-None-Match');
  let notModified = false;
  if (inm !== undefined) {
    const hit = inm.trim() === '*' || (etag !== undefined && etagMatches(inm, etag, getOrHead));
    if (hit) {
      if (!getOrHead) return 412;
      notModified = true;
    } else {
      return 0;
    }
  } else if (getOrHead) {
    const ims = h.get('If-Modified-Since');
    if (ims !== undefined) {
      const d = parseHttpDate(ims);
      if (d !== null && Math.floor(mtimeMs / 1000) * 1000 <= d && d <= req.requestTime) notModified = true;
    }
  }
  return notModified ? 304 : 0;
}

/** Parses a Range header into [start, end] pairs; null = ignore the header, [] = unsatisfiable. */
export function parseRanges(header: string, size: number, maxRanges: number): Array<[number, number]> | null {
  const m = /^bytes=(.*)$/i.exec(header.trim());
  if (!m) return null;
  const specs = m[1]!.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (specs.length === 0) return null;
  const out: Array<[number, number]> = [];
  for (const spec of specs) {
    const r = /^(\d*)-(\d*)$/.exec(spec);
    if (!r || (r[1] === '' && r[2] === '')) return null;
    if (r[1] === '') {
      const n = Number(r[2]);
      if (n === 0) continue;
      out.push([Math.max(0, size - n), size - 1]);
    } else {
      const start = Number(r[1]);
      let end = r[2] === '' ? size - 1 : Number(r[2]);
      if (end < start) return null;
      if (start >= size) continue;
      if (end >= size) end = size - 1;
      out.push([start, end]);
    }
  }
  if (maxRanges > 0 && out.length > maxRanges) return null;
  if (maxRanges < 0) return null;
  // Overlapping or adjacent ranges in ascending order are coalesced, as the byterange filter does.
  const merged: Array<[number, number]> = [];
  for (const r of out) {
    const last = merged[merged.length - 1];
    if (last && r[0] >= last[0] && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

let ownBoundary: string | undefined;

/**
 * ap_multipart_boundary: 64 random bits in hex, drawn once at post_config, so one value for
 * every child of a generation. The master puts it in the snapshot; a child started without one
 * draws its own (insecure random bytes, as Apache's; node:crypto is not loaded for it). Always
 * 16 digits (Apache drops leading zeros, 1 time in 16), so a response's length is the same each run.
 */
function multipartBoundary(cfg: ChildConfig): string {
  if (cfg.multipartBoundary) return cfg.multipartBoundary;
  const word = () => Math.floor(Math.random() * 0x100000000);
  return (ownBoundary ??= ((BigInt(word()) << 32n) | BigInt(word())).toString(16).padStart(16, '0'));
}

/** The last second formatted, and its text: a busy child formats each second once. */
let lastDateSecond = NaN;
let lastDateText = '';

/** An HTTP-date (RFC 9110 IMF-fixdate) for a time in milliseconds; whole seconds, as apr_rfc822_date. */
export function httpDate(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastDateSecond) {
    lastDateText = new Date(second * 1000).toUTCString();
    lastDateSecond = second;
  }
  return lastDateText;
}

/** Whether any AddOutputFilterByType line is configured for this server. */
const hasFilterByType = perConfig((cfg) => cfg.filterByType !== undefined || cfg.sections.some((x) => x.filterByType !== undefined));

/** The default handler's answer for an existing regular file (after access checks). */
export function serveFile(cfg: ChildConfig, req: Request, filename: string, fi: FileInfo): Response {
  const meta = mimeMetadata(cfg, filename, req.uri);
  const contentType = withDefaultCharset(cfg, meta.type);
  // mod_filter's AddOutputFilterByType DEFLATE for r->content_type (mod_mime's, before AddDefaultCharset).
  // An ErrorDocument has the error's status: filter_harness drops the filter (no Vary either)
  // unless the redirected request has filter-errordocs (the original's is renamed
  // REDIRECT_filter-errordocs; the document's own sections can set it).
  const settings = cfg.deflate;
  const deflate = settings !== undefined && (!req.errorDocument || req.env?.has('filter-errordocs') === true) && hasFilterByType(cfg)
    && filterByTypeApplies([cfg.filterByType, ...matchingSections(cfg, filename, false, req.uri).map((x) => x.filterByType)], 'deflate', meta.type)
    ? (headers: OutHeaders): { headers: OutHeaders; body?: Buffer } => {
      let body: Buffer;
      try {
        body = fs.readFileSync(bytePath(filename));
      } catch {
        return { headers };
      }
      const table: Array<[string, string]> = [...headers.entries()];
      const d = deflateResponse(settings, table, body, {
        ...(meta.type !== undefined ? { contentType: meta.type } : {}), ...(meta.encoding !== undefined ? { contentEncoding: meta.encoding } : {}),
        ...(req.env ? { env: req.env } : {}), ...(req.headers.get('Accept-Encoding') !== undefined ? { acceptEncoding: req.headers.get('Accept-Encoding')! } : {}),
      });
      return { headers: OutHeaders.from(table), ...(d.body ? { body: d.body } : {}) };
    }
    : undefined;
  const res = fileResponse(cfg, req, filename, fi, contentType, deflate);
  // r->content_type: a 304 sends none and a multipart 206 another, but the file's is what modules see.
  res.file = { mtimeUs: fi.mtimeUs, ...(contentType !== undefined ? { contentType } : {}) };
  // The header filter sends r->content_encoding and r->content_languages, except on a 304 or an error.
  if (res.status === 200 || res.status === 206) {
    if (meta.encoding !== undefined) res.contentEncoding = meta.encoding;
    if (meta.languages !== undefined) res.contentLanguages = meta.languages;
  }
  return res;
}

function fileResponse(
  cfg: ChildConfig, req: Request, filename: string, fi: FileInfo, contentType: string | undefined,
  filter?: (headers: OutHeaders) => { headers: OutHeaders; body?: Buffer },
): Response {
  let headers = new OutHeaders();
  const mtimeMs = Number(fi.mtimeUs / 1000n);
  const lastMod = Math.min(mtimeMs, req.requestTime);
  headers.set('Last-Modified', httpDate(lastMod));
  const etag = makeETag(cfg, fi, req.requestTime);
  if (etag) headers.set('ETag', etag);
  headers.set('Accept-Ranges', 'bytes');
  headers.set('Content-Length', String(fi.size));
  const cond = meetsConditions(req, etag, mtimeMs);
  if (cond === 304) {
    headers.delete('Content-Length');
    return { status: 304, headers, body: { kind: 'empty' }, noContentLength: true };
  }
  if (cond === 412) {
    headers.set('Content-Length', '0');
    return { status: 412, headers, contentType, body: { kind: 'empty' } };
  }
  // An output filter (DEFLATE) runs before the byte ranges are cut: they are of its output.
  let data: Buffer | undefined;
  if (filter) {
    const f = filter(headers);
    headers = f.headers;
    if (f.body) {
      data = f.body;
      headers.set('Content-Length', String(data.length));
    }
  }
  const size = data?.length ?? fi.size;
  const part = (start: number, end: number): Body => (data ? { kind: 'buffer', data: data.subarray(start, end + 1) } : { kind: 'file', path: filename, parts: [{ start, end }] });
  const range = req.headers.get('Range');
  if (range !== undefined && (req.method === 'GET' || req.method === 'HEAD' || req.method === 'POST')) {
    const ifRange = req.headers.get('If-Range');
    const rangeApplies = ifRange === undefined
      || (ifRange.trim().startsWith('"') || ifRange.trim().startsWith('W/') ? etag !== undefined && !etag.startsWith('W/') && ifRange.trim() === etag : ifRange.trim() === httpDate(lastMod));
    const ranges = rangeApplies ? parseRanges(range, size, cfg.maxRanges) : null;
    if (ranges !== null) {
      if (ranges.length === 0) {
        return { status: 416, headers: new OutHeaders(), body: { kind: 'empty' } };
      }
      if (ranges.length === 1) {
        const [s, e] = ranges[0]!;
        // Behind a filter the length is counted last, after the byterange filter's Content-Range.
        if (data) headers.delete('Content-Length');
        headers.set('Content-Range', `bytes ${s}-${e}/${size}`);
        headers.set('Content-Length', String(e - s + 1));
        return { status: 206, headers, contentType, body: part(s, e) };
      }
      const boundary = multipartBoundary(cfg);
      const parts = ranges.map(([s, e]) => ({
        prefix: Buffer.from(`\r\n--${boundary}\r\n${contentType ? `Content-type: ${contentType}\r\n` : ''}Content-range: bytes ${s}-${e}/${size}\r\n\r\n`, 'latin1'),
        start: s,
        end: e,
      }));
      const suffix = Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1');
      const total = parts.reduce((n, p) => n + p.prefix.length + (p.end - p.start + 1), 0) + suffix.length;
      if (data) headers.delete('Content-Length');
      headers.set('Content-Length', String(total));
      const body: Body = data
        ? { kind: 'buffer', data: Buffer.concat([...parts.flatMap((p) => [p.prefix, data!.subarray(p.start, p.end + 1)]), suffix]) }
        : { kind: 'file', path: filename, parts, suffix };
      return { status: 206, headers, contentType: `multipart/byteranges; boundary=${boundary}`, body };
    }
  }
  if (data) return { status: 200, headers, contentType, body: { kind: 'buffer', data } };
  return { status: 200, headers, contentType, body: fi.size > 0 ? { kind: 'file', path: filename, parts: [{ start: 0, end: fi.size - 1 }] } : { kind: 'empty' } };
}

/** Joins DocumentRoot and the decoded URI path; ENAMETOOLONG and friends surface at stat. */
export function mapToFile(cfg: ChildConfig, uri: string): string {
  return path.join(cfg.documentRoot, uri).replace(/\/$/, uri.endsWith('/') ? '/' : '');
}

/**
 * directory_walk's split of a path into the longest existing prefix and path_info: stops at
 * the first component that is missing or is not a directory.
 */
export function walkPath(cfg: ChildConfig, uri: string): { filename: string; pathInfo: string; info: FileInfo | null; errno?: string } {
  return walkFrom(cfg.documentRoot, uri);
}

/**
 * The same walk from another root: an Alias target `root` and the rest of the URL-path `rest`
 * ('' or starting with '/').
 */
export function walkFrom(rootPath: string, rest: string): { filename: string; pathInfo: string; info: FileInfo | null; errno?: string } {
  const root = rootPath.length > 1 ? rootPath.replace(/\/+$/, '') : rootPath;
  // Most requests name a file that exists: one stat of the whole path says so, and the walk
  // below would find the same (every component before it a directory, no path info).
  if (!rest.includes('//')) {
    const whole = statFile(root + rest);
    if (!('errno' in whole)) return { filename: root + rest, pathInfo: '', info: whole };
  }
  const segs = rest === '' ? [] : rest.split('/').slice(1);
  let current = root;
  const rootInfo = statFile(root);
  if ('errno' in rootInfo) {
    if (rootInfo.errno === 'ENOENT' || rootInfo.errno === 'ENOTDIR') return { filename: root + rest, pathInfo: '', info: null };
    return { filename: root + rest, pathInfo: '', info: null, errno: rootInfo.errno };
  }
  let info: FileInfo = rootInfo;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]!;
    if (!info.isDir) return { filename: current, pathInfo: '/' + segs.slice(i).join('/'), info };
    if (seg === '' && i === segs.length - 1) return { filename: current + '/', pathInfo: '', info };
    const next = current + '/' + seg;
    const st = statFile(next);
    if ('errno' in st) {
      if (st.errno === 'ENOENT' || st.errno === 'ENOTDIR') return { filename: next, pathInfo: segs.length > i + 1 ? '/' + segs.slice(i + 1).join('/') : '', info: null };
      return { filename: next, pathInfo: '', info: null, errno: st.errno };
    }
    current = next;
    info = st;
  }
  return { filename: current, pathInfo: '', info };
}
