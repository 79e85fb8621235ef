import { escapeLogItem } from './escape.js';
import type { HeaderSource, LogRecord } from './record.js';
import { explodeTime, MONTHS_SHORT, strftime } from './strftime.js';

/** Options fixed when a format is compiled. */
export interface LogFormatOptions {
  /**
   * Seconds east of UTC for `%t` at a given instant; defaults to the process's
   * local zone, as httpd uses localtime.
   */
  readonly gmtOffset?: (at: Date) => number;
  /** Zone abbreviation for `%{%Z}t`; defaults to the process's local one. */
  readonly zoneName?: (at: Date) => string;
}

/**
 * Formats one log line, without the line terminator (httpd appends "\n").
 * The result is a binary string: write it with `latin1` encoding.
 */
export type LogFormatter = (record: LogRecord) => string;

/** A LogFormat string httpd would refuse; `message` is httpd's wording. */
export class LogFormatError extends Error {
  readonly code = 'PF_LOG_FORMAT';
  constructor(message: string) {
    super(message);
    this.name = 'LogFormatError';
  }
}

type Handler = (record: LogRecord, arg: string, options: ResolvedOptions) => string | undefined;

interface ResolvedOptions {
  readonly gmtOffset: (at: Date) => number;
  readonly zoneName: (at: Date) => string;
}

interface HandlerSpec {
  readonly fn: Handler;
  /** Whether the item reads the original request unless written `%>x`. */
  readonly wantOrigDefault: boolean;
}

interface Item {
  readonly literal?: string;
  readonly handler?: Handler;
  readonly arg: string;
  readonly wantOrig: boolean;
  readonly conditions: readonly number[];
  readonly negate: boolean;
}

function lookup(source: HeaderSource | undefined, name: string): string | undefined {
  if (source === undefined) return undefined;
  const lower = name.toLowerCase();
  if (Array.isArray(source)) {
    for (const [k, v] of source as ReadonlyArray<readonly [string, string]>) {
      if (k.toLowerCase() === lower) return v;
    }
    return undefined;
  }
  for (const [k, v] of Object.entries(source as Readonly<Record<string, string>>)) {
    if (k.toLowerCase() === lower) return v;
  }
  return undefined;
}

function lookupAll(source: HeaderSource | undefined, name: string): string[] {
  if (source === undefined) return [];
  const lower = name.toLowerCase();
  const entries = Array.isArray(source)
    ? (source as ReadonlyArray<readonly [string, string]>)
    : Object.entries(source as Readonly<Record<string, string>>);
  return entries.filter(([k]) => k.toLowerCase() === lower).map(([, v]) => v);
}

const escaped = (value: string | undefined): string | undefined =>
  value === undefined ? undefined : escapeLogItem(value);

function requestMicros(record: LogRecord): number {
  return record.requestTimeMicros ?? record.requestTime.getTime() * 1000;
}

function clfTime(epochMicros: number, options: ResolvedOptions): string {
  const at = new Date(Math.floor(epochMicros / 1000));
  const offset = options.gmtOffset(at);
  const t = explodeTime(at.getTime(), offset, '');
  const abs = Math.abs(offset);
  const sign = offset < 0 ? '-' : '+';
  const two = (n: number): string => String(n).padStart(2, '0');
  return (
    `[${two(t.day)}/${MONTHS_SHORT[t.month]}/${t.year}:${two(t.hour)}:${two(t.minute)}:${two(t.second)} ` +
    `${sign}${two(Math.floor(abs / 3600))}${two(Math.floor((abs % 3600) / 60))}]`
  );
}

function requestTimeItem(record: LogRecord, arg: string, options: ResolvedOptions): string {
  let micros = requestMicros(record);
  let fmt = arg;
  let custom = arg;
  let clf = arg === '';
  if (fmt.startsWith('begin')) {
    fmt = fmt.slice(5);
    if (fmt === '') clf = true;
    else if (fmt.startsWith(':')) custom = fmt = fmt.slice(1);
  } else if (fmt.startsWith('end')) {
    fmt = fmt.slice(3);
    if (fmt === '') {
      clf = true;
      micros += record.durationMicros;
    } else if (fmt.startsWith(':')) {
      custom = fmt = fmt.slice(1);
      micros += record.durationMicros;
    }
  }
  if (fmt.startsWith('msec')) {
    if (fmt === 'msec') return String(Math.floor(micros / 1000));
    if (fmt === 'msec_frac') return String(Math.floor(micros / 1000) % 1000).padStart(3, '0');
  } else if (fmt.startsWith('usec')) {
    if (fmt === 'usec') return String(micros);
    if (fmt === 'usec_frac') return String(micros % 1_000_000).padStart(6, '0');
  } else if (fmt === 'sec') {
    return String(Math.floor(micros / 1_000_000));
  } else if (fmt === '') {
    clf = true;
  }
  if (clf) return clfTime(micros, options);
  const at = new Date(Math.floor(micros / 1000));
  const t = explodeTime(at.getTime(), options.gmtOffset(at), options.zoneName(at));
  return strftime(custom, t);
}

function durationScaled(record: LogRecord, arg: string): string {
  const d = record.durationMicros;
  const unit = arg.toLowerCase();
  if (unit === '' || unit === 's') return String(Math.floor(d / 1_000_000));
  if (unit === 'ms') return String(Math.floor(d / 1000));
  if (unit === 'us') return String(d);
  return arg;
}

/** mod_log_config's `%{name}C`: a cookie's value from the Cookie request header. */
function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0 || eq === part.length - 1) continue;
    const key = part.slice(0, eq).replace(/^[ \t]+/, '').replace(/\s+$/, '');
    if (key.toLowerCase() === name.toLowerCase()) {
      return part.slice(eq + 1).replace(/^[ \t]+/, '').replace(/\s+$/, '');
    }
  }
  return undefined;
}

function remoteHost(record: LogRecord, arg: string): string {
  if (arg === 'c') return record.connectionRemoteHost ?? record.remoteHost ?? record.connectionClientIp ?? record.clientIp;
  return record.remoteHost ?? record.clientIp;
}

function headerOut(record: LogRecord, name: string): string | undefined {
  const lower = name.toLowerCase();
  if (lower === 'content-type' && record.contentType !== undefined) {
    const semi = record.contentType.indexOf(';');
    return semi < 0 ? record.contentType : record.contentType.slice(0, semi).replace(/\s+$/, '');
  }
  if (lower === 'set-cookie') {
    const all = lookupAll(record.headersOut, name);
    return all.length === 0 ? undefined : all.join(', ');
  }
  return lookup(record.headersOut, name);
}

function connectionStatus(record: LogRecord): string {
  if (record.aborted) return 'X';
  const max = record.maxKeepAliveRequests ?? 0;
  if (record.keepAlive && (max === 0 || max - record.keepalives > 0)) return '+';
  return '-';
}

function serverPort(record: LogRecord, arg: string): string {
  const kind = arg.toLowerCase();
  if (kind === '' || kind === 'canonical') return String(record.serverPort);
  if (kind === 'remote') return String(record.remotePort);
  if (kind === 'local') return String(record.localPort);
  return arg;
}

function pidTid(record: LogRecord, arg: string): string {
  const kind = arg.toLowerCase();
  if (kind === '' || kind === 'pid') return String(record.pid);
  if (kind === 'tid') return String(record.tid ?? record.pid);
  if (kind === 'hextid') return (record.tid ?? record.pid).toString(16);
  return arg;
}

function remoteUser(record: LogRecord): string {
  if (record.user === undefined) return '-';
  if (record.user === '') return '""';
  return escapeLogItem(record.user);
}

const spec = (fn: Handler, wantOrigDefault = false): HandlerSpec => ({ fn, wantOrigDefault });

/** The `%` letters of mod_log_config and mod_logio (built into Debian's httpd). */
const HANDLERS: Readonly<Record<string, HandlerSpec>> = {
  h: spec((r, a) => escapeLogItem(remoteHost(r, a))),
  a: spec((r, a) => (a === 'c' ? r.connectionClientIp ?? r.clientIp : r.clientIp)),
  A: spec((r) => r.localIp),
  l: spec((r) => escaped(r.remoteLogname)),
  u: spec((r) => remoteUser(r)),
  t: spec((r, a, o) => requestTimeItem(r, a, o)),
  f: spec((r) => escaped(r.filename)),
  b: spec((r) => ((r.sentBody ?? r.bytesSent > 0) && r.bytesSent > 0 ? String(r.bytesSent) : '-')),
  B: spec((r) => ((r.sentBody ?? r.bytesSent > 0) && r.bytesSent > 0 ? String(r.bytesSent) : '0')),
  i: spec((r, a) => escaped(lookup(r.headersIn, a))),
  o: spec((r, a) => escaped(headerOut(r, a))),
  n: spec((r, a) => escaped(r.notes?.[a])),
  L: spec((r, a) => (a === 'c' ? '-' : r.logId ?? '-'), true),
  e: spec((r, a) => escaped(r.env?.[a])),
  V: spec((r) => escapeLogItem(r.serverName)),
  v: spec((r) => escapeLogItem(r.serverHostname)),
  p: spec((r, a) => serverPort(r, a)),
  P: spec((r, a) => pidTid(r, a)),
  H: spec((r) => escapeLogItem(r.protocol)),
  m: spec((r) => escapeLogItem(r.method)),
  q: spec((r) => (r.args !== undefined ? '?' + escapeLogItem(r.args) : '')),
  X: spec((r) => connectionStatus(r)),
  C: spec((r, a) => escaped(cookieValue(lookup(r.headersIn, 'Cookie'), a))),
  k: spec((r) => String(r.keepalives > 0 ? r.keepalives - 1 : 0)),
  r: spec((r) => escapeLogItem(r.requestLine), true),
  D: spec((r) => String(r.durationMicros), true),
  T: spec((r, a) => durationScaled(r, a), true),
  U: spec((r) => escapeLogItem(r.uri), true),
  s: spec((r) => String(r.status), true),
  R: spec((r) => escaped(r.handler), true),
  '^ti': spec((r, a) => escaped(lookup(r.trailersIn, a))),
  '^to': spec((r, a) => escaped(lookup(r.trailersOut, a))),
  // mod_logio
  I: spec((r) => String(r.bytesIn ?? 0)),
  O: spec((r) => String(r.bytesOut ?? 0)),
  S: spec((r) => String((r.bytesIn ?? 0) + (r.bytesOut ?? 0))),
  '^FB': spec((r) => (r.ttfbMicros ? String(r.ttfbMicros) : undefined)),
};

function unescapeLiteral(text: string): string {
  // A format's literal text understands \n \r \t \\; any other backslash stays.
  return text.replace(/\\([\\rnt])/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c === 't' ? '\t' : '\\'));
}

function parseItem(format: string, start: number): { item: Item; next: number } {
  // format[start] === '%'
  let i = start + 1;
  if (format[i] === '%') {
    return { item: { literal: '%', arg: '', wantOrig: false, conditions: [], negate: false }, next: i + 1 };
  }
  let negate = false;
  let wantOrig: boolean | undefined;
  let arg = '';
  const conditions: number[] = [];
  while (i < format.length) {
    const ch = format[i];
    if (ch === '!') {
      negate = !negate;
      i++;
    } else if (ch === '<') {
      wantOrig = true;
      i++;
    } else if (ch === '>') {
      wantOrig = false;
      i++;
    } else if (ch === ',') {
      i++;
    } else if (ch === '{') {
      const close = format.indexOf('}', i + 1);
      if (close < 0) {
        arg = format.slice(i + 1);
        i = format.length;
      } else {
        arg = format.slice(i + 1, close);
        i = close + 1;
      }
    } else if (ch >= '0' && ch <= '9') {
      let j = i;
      while (j < format.length && format[j] >= '0' && format[j] <= '9') j++;
      conditions.push(Number(format.slice(i, j)));
      i = j;
    } else {
      let handler: HandlerSpec | undefined;
      let length = 1;
      if (ch === '^' && i + 2 < format.length) {
        handler = HANDLERS[format.slice(i, i + 3)];
        if (handler) length = 3;
      }
      handler ??= Object.hasOwn(HANDLERS, ch) ? HANDLERS[ch] : undefined;
      if (!handler) throw new LogFormatError(`Unrecognized LogFormat directive %${ch}`);
      return {
        item: { handler: handler.fn, arg, wantOrig: wantOrig ?? handler.wantOrigDefault, conditions, negate },
        next: i + length,
      };
    }
  }
  throw new LogFormatError('Ran off end of LogFormat parsing args to some directive');
}

/** Parses a LogFormat string into items; throws {@link LogFormatError} as httpd refuses it. */
function parseFormat(format: string): Item[] {
  const items: Item[] = [];
  let i = 0;
  while (i < format.length) {
    if (format[i] === '%') {
      const { item, next } = parseItem(format, i);
      items.push(item);
      i = next;
    } else {
      const next = format.indexOf('%', i);
      const end = next < 0 ? format.length : next;
      items.push({ literal: unescapeLiteral(format.slice(i, end)), arg: '', wantOrig: false, conditions: [], negate: false });
      i = end;
    }
  }
  return items;
}

function localZoneName(at: Date): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
    .formatToParts(at)
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? '';
}

function viewFor(record: LogRecord, wantOrig: boolean): LogRecord {
  return wantOrig && record.original ? { ...record, ...record.original } : record;
}

/**
 * Compiles a LogFormat string (after config-file unquoting) into a formatter,
 * as mod_log_config's `parse_log_string` does. Throws {@link LogFormatError}
 * with httpd's message, e.g. `Unrecognized LogFormat directive %Y`.
 *
 * @example
 * const line = compileLogFormat('%h %l %u %t "%r" %>s %b')(record);
 */
export function compileLogFormat(format: string, options: LogFormatOptions = {}): LogFormatter {
  const items = parseFormat(format);
  const resolved: ResolvedOptions = {
    gmtOffset: options.gmtOffset ?? ((at) => -at.getTimezoneOffset() * 60),
    zoneName: options.zoneName ?? localZoneName,
  };
  return (record) => {
    let line = '';
    for (const item of items) {
      if (item.literal !== undefined) {
        line += item.literal;
        continue;
      }
      if (item.conditions.length > 0) {
        const inList = item.conditions.includes(record.status);
        if (inList === item.negate) {
          line += '-';
          continue;
        }
      }
      const value = item.handler?.(viewFor(record, item.wantOrig), item.arg, resolved);
      line += value ?? '-';
    }
    return line;
  };
}

/**
 * Resolves a CustomLog/TransferLog format argument: a nickname defined by
 * LogFormat wins over a literal format string, as in httpd.
 */
export function resolveLogFormat(formatOrNickname: string, nicknames: Readonly<Record<string, string>>): string {
  return Object.hasOwn(nicknames, formatOrNickname) ? nicknames[formatOrNickname] : formatOrNickname;
}
