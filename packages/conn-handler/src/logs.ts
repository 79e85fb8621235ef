import fs from 'node:fs';
import { escapeErrorLogBytes } from '@prefork/config-parser/escape';
import type { AccessLogConfig } from './config.js';

const LEVELS = ['emerg', 'alert', 'crit', 'error', 'warn', 'notice', 'info', 'debug'] as const;
export type LogLevel = (typeof LEVELS)[number];

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `Wed Nov 25 16:27:04.197853 2026`, the error_log timestamp (local time, as Apache). */
export function errorLogTime(d: Date, micros: number): string {
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(micros, 6)} ${d.getFullYear()}`;
}

/**
 * Where log lines go: a file descriptor opened in append mode, or a function (tests). A line is
 * a byte string (one character per byte, see {@link bytePath}) and is written as such.
 */
export type LineSink = (line: string) => void;

/**
 * The child keeps text as Apache does, as bytes: requests arrive so, and the configuration
 * snapshot is read so (child-main.ts). A path in that form goes to the file system as those
 * bytes, so a file named in UTF-8 (or in any other encoding) is found by its URL.
 */
export function bytePath(p: string): Buffer {
  return Buffer.from(p, 'latin1');
}

export function fileSink(file: string): LineSink {
  const fd = fs.openSync(bytePath(file), 'a');
  return (line) => {
    try {
      fs.writeSync(fd, line, null, 'latin1');
    } catch {
      // A full disk must not take the child down; Apache also drops the line.
    }
  };
}

/** ErrorLog writer with Apache's line format and LogLevel filtering (per-module levels included). */
/** The longest error_log line Apache writes, without its newline. */
export const ERROR_LINE_MAX = 8190;

/**
 * ap_escape_errorlog_item on a byte string (see {@link bytePath}). A character above 0xff can
 * only come from a JavaScript text (an exception's message): it stands for its UTF-8 bytes.
 */
export function escapeErrorLogText(s: string): string {
  const bytes = /[^\x00-\xff]/.test(s)
    ? Buffer.concat([...s].map((c) => (c.charCodeAt(0) <= 0xff ? Buffer.from([c.charCodeAt(0)]) : Buffer.from(c, 'utf8'))))
    : Buffer.from(s, 'latin1');
  return escapeErrorLogBytes(bytes);
}

export class ErrorLog {
  private defaultLevel: number;
  private readonly moduleLevels = new Map<string, number>();

  constructor(private readonly sink: LineSink, logLevel: string) {
    this.defaultLevel = LEVELS.indexOf('warn');
    for (const word of logLevel.split(/\s+/).filter(Boolean)) {
      const [mod, lvl] = word.includes(':') ? (word.split(':') as [string, string]) : [null, word];
      const idx = LEVELS.indexOf(lvl.replace(/^trace\d$/, 'debug') as LogLevel);
      if (idx < 0) continue;
      if (mod === null) this.defaultLevel = idx;
      else this.moduleLevels.set(mod, idx);
    }
  }

  /** LogLevel's verdict; `notice` always passes, as in log.c. */
  enabled(module: string, level: LogLevel): boolean {
    if (level === 'notice') return true;
    return LEVELS.indexOf(level) <= (this.moduleLevels.get(module) ?? this.defaultLevel);
  }

  /** One line: `[time] [module:level] [pid N:tid N] (errno)text: [client ip:port] message`. */
  log(module: string, level: LogLevel, message: string, client?: string, osError?: string): void {
    if (!this.enabled(module, level)) return;
    const now = Date.now();
    const micros = Number(process.hrtime.bigint() / 1000n % 1000n) + (now % 1000) * 1000;
    const pid = process.pid;
    const line = `[${errorLogTime(new Date(now), micros)}] [${module}:${level}] [pid ${pid}:tid ${pid}] `
      + (osError ? `${osError}: ` : '')
      + (client ? `[client ${client}] ` : '')
      + escapeErrorLogText(message);
    // log.c formats into MAX_STRING_LEN (8192) bytes and keeps room for "\n" and the NUL.
    this.sink(line.slice(0, ERROR_LINE_MAX) + '\n');
  }
}

/** What a CustomLog format can refer to (a LogRecord). */
export interface LogRecord {
  remoteAddr: string;
  remotePort: number;
  localAddr: string;
  localPort: number;
  requestLine: string;
  method: string;
  uri: string;
  query?: string;
  protocol: string;
  status: number;
  /** Body bytes sent (%B / %b). */
  bytesSent: number;
  bytesIn: number;
  bytesOut: number;
  requestTime: number;
  durationUs: number;
  headersIn: (name: string) => string | undefined;
  headersOut: (name: string) => string | undefined;
  /** The final request's variables (after an ErrorDocument's redirect): %{x}e. */
  env: (name: string) => string | undefined;
  /** The original request's: %<{x}e and CustomLog's env= condition. Defaults to env. */
  envOrig?: (name: string) => string | undefined;
  filename?: string;
  serverName: string;
  hostname?: string;
  pid: number;
  keepAlives: number;
}

/** The last second %t formatted, and its text: a busy child formats each second once (as Apache's time cache). */
let clfSecond = NaN;
let clfText = '';

function clfTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== clfSecond) {
    clfText = formatClfTime(second * 1000);
    clfSecond = second;
  }
  return clfText;
}

function formatClfTime(ms: number): string {
  const d = new Date(ms);
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const a = Math.abs(off);
  return `[${pad(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${sign}${pad(Math.floor(a / 60))}${pad(a % 60)}]`;
}

/** ap_escape_logitem: quotes, backslashes and control bytes escaped. */
function escapeLogItem(s: string): string {
  return s.replace(/["\\]|[\x00-\x1f\x7f-\xff]/g, (c) => {
    if (c === '"') return '\\"';
    if (c === '\\') return '\\\\';
    const code = c.charCodeAt(0);
    if (code === 8) return '\\b';
    if (code === 10) return '\\n';
    if (code === 13) return '\\r';
    if (code === 9) return '\\t';
    if (code === 11) return '\\v';
    return '\\x' + code.toString(16).padStart(2, '0');
  });
}

/** Compiles a LogFormat string (mod_log_config's common directives) into a line renderer. */
export function compileLogFormat(format: string): (r: LogRecord) => string {
  const pieces: Array<(r: LogRecord) => string> = [];
  const re = /%(?:!?[\d,]+)?([<>])?(?:\{([^}]*)\})?([a-zA-Z%])|\\([nt"\\])|([^%\\]+|\\|%)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(format)) !== null) {
    const literal = m[5];
    if (literal !== undefined) {
      pieces.push(() => literal);
      continue;
    }
    if (m[4] !== undefined) {
      const c = m[4];
      const out = c === 'n' ? '\n' : c === 't' ? '\t' : c;
      pieces.push(() => out);
      continue;
    }
    const arg = m[2];
    const d = m[3]!;
    // process_item: only an absent value is '-'; an empty one is logged empty.
    const dash = (v: string | undefined): string => (v === undefined ? '-' : escapeLogItem(v));
    switch (d) {
      case '%': pieces.push(() => '%'); break;
      case 'h': case 'a': pieces.push((r) => r.remoteAddr); break;
      case 'A': pieces.push((r) => r.localAddr); break;
      case 'l': case 'u': pieces.push(() => '-'); break;
      case 't': pieces.push((r) => clfTime(r.requestTime)); break;
      // A request line never read (a first request that timed out) is '-', as a NULL the_request.
      case 'r': pieces.push((r) => (r.requestLine === '' ? '-' : escapeLogItem(r.requestLine))); break;
      case 's': pieces.push((r) => String(r.status)); break;
      case 'b': pieces.push((r) => (r.bytesSent === 0 ? '-' : String(r.bytesSent))); break;
      case 'B': pieces.push((r) => String(r.bytesSent)); break;
      case 'i': pieces.push((r) => dash(r.headersIn(arg ?? ''))); break;
      case 'o': pieces.push((r) => dash(r.headersOut(arg ?? ''))); break;
      case 'e': pieces.push(m[1] === '<' ? (r) => dash((r.envOrig ?? r.env)(arg ?? '')) : (r) => dash(r.env(arg ?? ''))); break;
      case 'P': pieces.push((r) => String(r.pid)); break;
      case 'D': pieces.push((r) => String(r.durationUs)); break;
      case 'T': pieces.push((r) => String(Math.floor(r.durationUs / 1e6))); break;
      case 'U': pieces.push((r) => (r.uri === '' ? '-' : escapeLogItem(r.uri))); break;
      case 'q': pieces.push((r) => (r.query !== undefined ? '?' + escapeLogItem(r.query) : '')); break;
      case 'H': pieces.push((r) => r.protocol); break;
      case 'm': pieces.push((r) => r.method || '-'); break;
      case 'v': pieces.push((r) => r.serverName); break;
      case 'V': pieces.push((r) => r.hostname ?? r.serverName); break;
      case 'p': pieces.push((r) => String(r.localPort)); break;
      case 'f': pieces.push((r) => dash(r.filename)); break;
      case 'I': pieces.push((r) => String(r.bytesIn)); break;
      case 'O': pieces.push((r) => String(r.bytesOut)); break;
      case 'k': pieces.push((r) => String(r.keepAlives)); break;
      default: pieces.push(() => '-');
    }
  }
  return (r) => pieces.map((p) => p(r)).join('');
}

/**
 * mod_log_config's LOG_BUFSIZE: BufferedLogs never holds more than this, so that one write
 * to a piped log (PIPE_BUF is 4096 on Linux) arrives whole, never interleaved with another
 * child's.
 */
export const LOG_BUFSIZE = 4096;

/** One CustomLog: compiled format, condition and file. */
export class AccessLog {
  private readonly render: (r: LogRecord) => string;
  private buffer: string[] = [];
  private bufferedBytes = 0;

  constructor(private readonly cfg: AccessLogConfig, private readonly sink: LineSink, private readonly buffered: boolean) {
    this.render = compileLogFormat(cfg.format);
  }

  write(r: LogRecord): void {
    const c = this.cfg.condition;
    if (c) {
      // config_log_transaction tests the request it is given: the original one.
      const set = (r.envOrig ?? r.env)(c.variable) !== undefined;
      if (set === c.negated) return;
    }
    const line = this.render(r) + '\n';
    if (!this.buffered) {
      this.sink(line);
      return;
    }
    // As buffered_log_writer: flush first when the line would not fit, and write a line of
    // LOG_BUFSIZE or more at once rather than through the buffer.
    const bytes = Buffer.byteLength(line);
    if (this.bufferedBytes + bytes > LOG_BUFSIZE) this.flush();
    if (bytes >= LOG_BUFSIZE) {
      this.sink(line);
      return;
    }
    this.buffer.push(line);
    this.bufferedBytes += bytes;
  }

  flush(): void {
    if (this.buffer.length === 0) return;
    const text = this.buffer.join('');
    this.buffer = [];
    this.bufferedBytes = 0;
    this.sink(text);
  }
}
