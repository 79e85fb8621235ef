/**
 * Pure parsing steps of Apache 2.4's request reader (protocol.c, request.c, util.c, vhost.c).
 * Nothing here does I/O, so each rule is unit-testable.
 */
import { STANDARD_METHODS } from '@prefork/core/methods';

const TCHAR = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]$/;

export function isTokenChar(c: string): boolean {
  return TCHAR.test(c);
}

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';
}

/** VCHAR or obs-text (ap_scan_vchar_obstext stops at anything else). */
function isVcharObs(c: string): boolean {
  const x = c.charCodeAt(0);
  return (x > 0x20 && x < 0x7f) || x >= 0x80;
}

/** Apache's method registry (the names ap_method_number_of knows; HEAD is GET's). */
export const KNOWN_METHODS = new Set([...STANDARD_METHODS, 'HEAD']);

export interface RequestLineOptions {
  strict: boolean;
  allow09: boolean;
  registeredMethods: boolean;
}

/** Whether ap_method_number_of knows a method: a standard one, or one the configuration registered. */
export function isKnownMethod(method: string, registered: readonly string[] | undefined): boolean {
  return KNOWN_METHODS.has(method) || (registered?.includes(method) ?? false);
}

export interface ParsedRequestLine {
  method: string;
  uri: string;
  protocol: string;
  /** major * 1000 + minor, as HTTP_VERSION(). */
  protoNum: number;
  /** HTTP/0.9 simple request: no status line, no headers in the response. */
  assbackwards: boolean;
  /** The request line rebuilt with single spaces (r->the_request). */
  theRequest: string;
  /** Set when the line is rejected: the status and the debug message Apache logs. */
  error?: { status: number; log: string };
}

export const HTTP_VERSION = (major: number, minor: number): number => major * 1000 + minor;

/** ap_parse_request_line of 2.4: the same deferred-error order and messages. */
/** `registered`: the methods the configuration registered (`<Limit BREW>`), known besides the standard ones. */
export function parseRequestLine(line: string, opts: RequestLineOptions, registered?: readonly string[]): ParsedRequestLine {
  type Deferred = 'none' | 'badmethod' | 'badwhitespace' | 'excesswhitespace' | 'missinguri' | 'baduri' | 'badprotocol' | 'trailingtext' | 'badmethod09' | 'reject09';
  let deferred: Deferred = 'none';
  let i = 0;
  if (isSpace(line[0])) {
    deferred = 'badwhitespace';
    while (isSpace(line[i])) i++;
  }
  const mStart = i;
  if (opts.strict) {
    while (i < line.length && isTokenChar(line[i]!)) i++;
  } else {
    while (i < line.length && isVcharObs(line[i]!)) i++;
  }
  let ll: number | null = i;
  if ((ll === mStart || (ll < line.length && !isSpace(line[ll]))) && deferred === 'none') {
    deferred = 'badmethod';
    let j = ll;
    while (j < line.length && !isSpace(line[j])) j++;
    ll = j < line.length ? j : null;
  }
  let method: string;
  let uri = '';
  let protocol = '';
  let protoLen = 0;
  let trailing = '';
  if (ll === null || ll >= line.length) {
    method = line.slice(mStart);
    if (deferred === 'none') deferred = 'missinguri';
  } else {
    method = line.slice(mStart, ll);
    if (opts.strict && isSpace(line[ll + 1]) && deferred === 'none') deferred = 'excesswhitespace';
    let u = ll;
    while (isSpace(line[u])) {
      if (line[u] !== ' ' && deferred === 'none') deferred = 'badwhitespace';
      u++;
    }
    if (u >= line.length && deferred === 'none') deferred = 'missinguri';
    let e = u;
    while (e < line.length && isVcharObs(line[e]!)) e++;
    let uriEnd: number | null = e;
    if (e === u || (e < line.length && !isSpace(line[e]))) {
      deferred = 'baduri';
      let j = e;
      while (j < line.length && !isSpace(line[j])) j++;
      uriEnd = j < line.length ? j : null;
    }
    if (uriEnd === null || uriEnd >= line.length) {
      uri = line.slice(u);
    } else {
      uri = line.slice(u, uriEnd);
      if (opts.strict && isSpace(line[uriEnd + 1]) && deferred === 'none') deferred = 'excesswhitespace';
      let p = uriEnd;
      while (isSpace(line[p])) {
        if (line[p] !== ' ' && deferred === 'none') deferred = 'badwhitespace';
        p++;
      }
      let pe = p;
      while (pe < line.length && isVcharObs(line[pe]!)) pe++;
      protocol = line.slice(p, pe);
      protoLen = pe - p;
      if (pe < line.length) {
        if (!isSpace(line[pe])) deferred = 'badprotocol';
        else if (opts.strict) deferred = 'excesswhitespace';
        else {
          let t = pe;
          while (isSpace(line[t])) {
            if (line[t] !== ' ' && deferred === 'none') deferred = 'badwhitespace';
            t++;
          }
          if (t < line.length && deferred === 'none') {
            deferred = 'trailingtext';
            trailing = line.slice(t);
          }
        }
      }
    }
  }
  const theRequest = method + (uri ? ' ' + uri : '') + (protocol ? ' ' + protocol : '');
  let protoNum: number;
  let assbackwards = false;
  const digit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
  if (protoLen === 8 && protocol.startsWith('HTTP/') && digit(protocol[5]) && protocol[6] === '.' && digit(protocol[7]) && protocol[5] !== '0') {
    protoNum = HTTP_VERSION(Number(protocol[5]), Number(protocol[7]));
  } else if (protoLen === 8 && /^http\/$/i.test(protocol.slice(0, 5)) && digit(protocol[5]) && protocol[6] === '.' && digit(protocol[7]) && protocol[5] !== '0') {
    protoNum = HTTP_VERSION(Number(protocol[5]), Number(protocol[7]));
    if (opts.strict && deferred === 'none') deferred = 'badprotocol';
    else protocol = 'HTTP' + protocol.slice(4);
  } else if (protocol) {
    protoNum = HTTP_VERSION(0, 9);
    if (deferred === 'none') deferred = 'badprotocol';
  } else {
    assbackwards = true;
    protocol = 'HTTP/0.9';
    protoNum = HTTP_VERSION(0, 9);
  }
  const isGet = method === 'GET';
  if (protoNum === HTTP_VERSION(0, 9) && deferred === 'none') {
    if (!opts.allow09) deferred = 'reject09';
    else if (opts.strict && !isGet) deferred = 'badmethod09';
  }
  const res: ParsedRequestLine = { method, uri, protocol, protoNum, assbackwards, theRequest };
  const cut = (s: string): string => s.slice(0, Math.min(80, s.indexOf(':') >= 0 ? s.indexOf(':') : 80));
  const logs: Record<Exclude<Deferred, 'none'>, string> = {
    badmethod: `AH03445: HTTP Request Line; Invalid method token: '${cut(method)}'`,
    badmethod09: `AH03444: HTTP Request Line; Invalid method token: '${cut(method)}' (only GET is allowed for HTTP/0.9 requests)`,
    missinguri: 'AH03446: HTTP Request Line; Missing URI',
    baduri: `AH03454: HTTP Request Line; URI incorrectly encoded: '${cut(uri)}'`,
    badwhitespace: 'AH03447: HTTP Request Line; Invalid whitespace',
    excesswhitespace: 'AH03448: HTTP Request Line; Excess whitespace (disallowed by HttpProtocolOptions Strict)',
    trailingtext: `AH03449: HTTP Request Line; Extraneous text found '${cut(trailing)}' (perhaps whitespace was injected?)`,
    reject09: 'AH02401: HTTP Request Line; Rejected HTTP/0.9 request',
    badprotocol: `AH02418: HTTP Request Line; Unrecognized protocol '${cut(protocol)}' (perhaps whitespace was injected?)`,
  };
  if (deferred !== 'none') {
    res.error = { status: 400, log: logs[deferred] };
  } else if (opts.registeredMethods && !isKnownMethod(method, registered)) {
    res.error = { status: 501, log: `AH02423: HTTP Request Line; Unrecognized HTTP method: '${cut(method)}' (disallowed by RegisteredMethods)` };
  }
  if (res.error && protoNum === HTTP_VERSION(0, 9)) {
    // Errors on a would-be 0.9 request are answered as HTTP/1.0 (RFC 7230 3.5).
    res.assbackwards = false;
    res.protoNum = HTTP_VERSION(1, 0);
    res.protocol = 'HTTP/1.0';
  }
  return res;
}

export interface ParsedUri {
  scheme?: string;
  user?: string;
  hostname?: string;
  port?: string;
  path: string;
  query?: string;
  fragment?: string;
}

/** apr_uri_parse for request targets (absolute-form, origin-form, asterisk); null when invalid. */
export function parseUri(target: string, method: string): ParsedUri | null {
  let uri = target;
  while (uri.startsWith('//')) uri = uri.slice(1);
  if (method === 'CONNECT') {
    const m = /^([^:/?#]*):(\d*)$/.exec(uri);
    if (!m) return null;
    return { hostname: m[1]!.toLowerCase(), port: m[2], path: '' };
  }
  const out: ParsedUri = { path: '' };
  let rest = uri;
  const sm = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(rest);
  if (sm && !rest.startsWith('/')) {
    out.scheme = sm[1];
    rest = rest.slice(sm[0].length);
    if (rest.startsWith('//')) {
      rest = rest.slice(2);
      const end = rest.search(/[/?#]/);
      const authority = end < 0 ? rest : rest.slice(0, end);
      rest = end < 0 ? '' : rest.slice(end);
      let hostport = authority;
      const at = authority.lastIndexOf('@');
      if (at >= 0) {
        out.user = authority.slice(0, at);
        hostport = authority.slice(at + 1);
      }
      const pm = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(hostport);
      if (!pm) return null;
      out.hostname = pm[1]!.replace(/^\[|\]$/g, '');
      if (pm[2] !== undefined) out.port = pm[2];
    }
  }
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    out.fragment = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
  }
  const q = rest.indexOf('?');
  if (q >= 0) {
    out.query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  out.path = rest;
  return out;
}

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
const HEX = /^[0-9A-Fa-f]{2}$/;

/**
 * ap_normalize_path with NOT_ABOVE_ROOT, DECODE_UNRESERVED and MERGE_SLASHES: removes `.` and
 * `..` segments and decodes %-escapes of unreserved characters; null when the path is invalid.
 */
export function normalizePath(path: string, mergeSlashes = true): string | null {
  if (!path.startsWith('/')) return null;
  let decoded = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c === '%') {
      const hex = path.slice(i + 1, i + 3);
      if (!HEX.test(hex)) return null;
      const ch = String.fromCharCode(parseInt(hex, 16));
      if (UNRESERVED.test(ch)) {
        decoded += ch;
        i += 2;
        continue;
      }
      decoded += '%' + hex.toUpperCase();
      i += 2;
      continue;
    }
    decoded += c;
  }
  const segs = decoded.split('/').slice(1);
  const out: string[] = [];
  for (let k = 0; k < segs.length; k++) {
    const s = segs[k]!;
    const last = k === segs.length - 1;
    if (s === '.') {
      if (last) out.push('');
      continue;
    }
    if (s === '..') {
      if (out.length === 0) return null;
      out.pop();
      if (last) out.push('');
      continue;
    }
    if (s === '' && mergeSlashes && !last) continue;
    out.push(s);
  }
  return '/' + out.join('/');
}

/** ap_unescape_url: 400 for a malformed escape, 404 for an encoded `/` or NUL. */
export function unescapeUrl(path: string): { ok: string } | { status: 400 | 404 } {
  let out = '';
  let badpath = false;
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    const hex = path.slice(i + 1, i + 3);
    if (!HEX.test(hex)) return { status: 400 };
    const code = parseInt(hex, 16);
    if (code === 0x2f || code === 0) badpath = true;
    out += String.fromCharCode(code);
    i += 2;
  }
  if (badpath) return { status: 404 };
  return { ok: out };
}

/** fix_hostname in strict mode: a DNS name or IP literal with an optional port. */
export function validHost(host: string): string | null {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)(?::(\d*))?$/.exec(host);
  if (!m) return null;
  return m[1]!.toLowerCase().replace(/\.$/, '');
}

/** ap_parse_strict_length: decimal digits only, within 2^63. */
export function parseStrictLength(v: string): number | null {
  if (!/^[0-9]+$/.test(v)) return null;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : null;
}

/** ap_find_token on a comma list, case-insensitive. */
export function hasToken(value: string | undefined, token: string): boolean {
  if (!value) return false;
  const t = token.toLowerCase();
  return value.split(',').some((p) => p.trim().toLowerCase() === t);
}

/** ap_is_chunked: the last transfer coding is `chunked`. */
export function isChunked(te: string): boolean {
  const parts = te.split(',').map((p) => p.trim().toLowerCase());
  return parts.length > 0 && parts[parts.length - 1] === 'chunked' && parts.filter((p) => p === 'chunked').length === 1;
}
