/**
 * The error log: Apache's default ErrorLogFormat line
 * `[Wed Nov 25 16:20:13.324413 2026] [mpm_prefork:warn] [pid 8396:tid 8396] AH00185: text`
 * (with `[client ip:port] ` before the text for request-bound messages), and LogLevel
 * filtering with per-module overrides (`LogLevel warn status:debug`).
 */
import { appendFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { escapeErrorLogItem } from '@prefork/config-parser';

export const LOG_LEVELS = [
  'emerg', 'alert', 'crit', 'error', 'warn', 'notice', 'info', 'debug',
  'trace1', 'trace2', 'trace3', 'trace4', 'trace5', 'trace6', 'trace7', 'trace8',
] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** The numeric level (APLOG_EMERG = 0 … APLOG_TRACE8 = 15). */
export function levelNumber(level: LogLevelName): number {
  return LOG_LEVELS.indexOf(level);
}

export function isLogLevel(text: string): text is LogLevelName {
  return (LOG_LEVELS as readonly string[]).includes(text);
}

/** LogLevel as configured: a default and per-module overrides (module names without _module). */
export interface LogLevelConfig {
  level: LogLevelName;
  modules: Record<string, LogLevelName>;
}

export const DEFAULT_LOG_LEVEL: LogLevelConfig = { level: 'warn', modules: {} };

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Wed Nov 25 16:20:13.324413 2026` in local time, microseconds as Apache prints them. */
export function formatLogTime(epochMicros: number): string {
  const d = new Date(Math.floor(epochMicros / 1000));
  const two = (n: number) => String(n).padStart(2, '0');
  const micros = String(Math.floor(epochMicros) % 1_000_000).padStart(6, '0');
  return (
    `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${two(d.getDate())} ` +
    `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${micros} ${d.getFullYear()}`
  );
}

export interface LogRecord {
  level: LogLevelName;
  /** Module name without `_module` ('core', 'mpm_prefork'). */
  module: string;
  id?: string;
  message: string;
  /** `ip:port` of the client, for request-bound messages. */
  client?: string;
  /** An error status printed before the client and id, e.g. `(EAI 2)Name or service not known`. */
  status?: string;
  pid?: number;
  /** Microseconds since the epoch; now when absent. */
  time?: number;
  /** APLOG_STARTUP: the line is `ID: message` alone, without time, module or pid. */
  startup?: boolean;
}

/** One error-log line, without the newline (`ID: message` alone for APLOG_STARTUP). */
export function formatLogLine(rec: LogRecord): string {
  // log.c escapes every message (ap_escape_errorlog_item): bytes outside printable ASCII as \xhh.
  const message = escapeErrorLogItem(rec.message);
  const status = rec.status ? `${rec.status}: ` : '';
  if (rec.startup) return `${status}${rec.id ? `${rec.id}: ` : ''}${message}`;
  const pid = rec.pid ?? process.pid;
  const time = rec.time ?? nowMicros();
  const client = rec.client ? `[client ${rec.client}] ` : '';
  const id = rec.id ? `${rec.id}: ` : '';
  return `[${formatLogTime(time)}] [${rec.module}:${rec.level}] [pid ${pid}:tid ${pid}] ${status}${client}${id}${message}`;
}

/** Microseconds since the epoch. */
export function nowMicros(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/**
 * Whether a message of `level` from `module` passes LogLevel. As log.c does for a server's
 * error log, `notice` always passes whatever LogLevel says (AH00163, AH00094, AH00169 … at the
 * default `warn`).
 */
export function levelAllows(config: LogLevelConfig, module: string, level: LogLevelName): boolean {
  if (level === 'notice') return true;
  const limit = config.modules[module] ?? config.level;
  return levelNumber(level) <= levelNumber(limit);
}

/** Where log lines go: a file path (appended), or a writable fd such as 2. */
export type LogTarget = { kind: 'file'; path: string } | { kind: 'fd'; fd: number };

/** A small error logger: formats, filters by LogLevel and writes one line at a time. */
export class ErrorLogger {
  private fd: number | undefined;
  constructor(
    private readonly target: LogTarget,
    private levels: LogLevelConfig = DEFAULT_LOG_LEVEL,
  ) {}

  /** Opens the file (mode a); an error here is Apache's AH00091 territory for the caller. */
  open(): void {
    if (this.target.kind === 'file' && this.fd === undefined) this.fd = openSync(this.target.path, 'a');
  }

  setLevels(levels: LogLevelConfig): void {
    this.levels = levels;
  }

  /** Writes the record when LogLevel lets it through; returns whether it was written. */
  log(rec: LogRecord): boolean {
    if (!levelAllows(this.levels, rec.module, rec.level)) return false;
    // log.c formats into MAX_STRING_LEN (8192) bytes, keeping room for "\n" and the NUL.
    let text = formatLogLine(rec);
    if (Buffer.byteLength(text) > 8190) {
      const b = Buffer.from(text);
      let end = 8190;
      while (end > 0 && (b[end]! & 0xc0) === 0x80) end--;
      text = b.subarray(0, end).toString();
    }
    const line = text + '\n';
    if (this.target.kind === 'fd') writeSync(this.target.fd, line);
    else if (this.fd !== undefined) writeSync(this.fd, line);
    else appendFileSync(this.target.path, line);
    return true;
  }

  close(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }
}
