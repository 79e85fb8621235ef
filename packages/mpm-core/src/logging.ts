/**
 * The master's view of ErrorLog: anything with `log(record)`. @prefork/core's ErrorLogger
 * satisfies it; so does a test's array collector.
 */

/** Apache's log levels, most severe first. */
export type LogLevel = 'emerg' | 'alert' | 'crit' | 'error' | 'warn' | 'notice' | 'info' | 'debug';

/** One message, before formatting: module without `_module`, Apache's AH id when there is one. */
export interface MpmLogRecord {
  level: LogLevel;
  module: string;
  id?: string;
  message: string;
}

/** Where the master writes its error-log lines. */
export interface MpmLogger {
  log(record: MpmLogRecord): unknown;
}

/** Shorthand for a record from mpm_prefork. */
export function preforkLog(level: LogLevel, id: string | undefined, message: string): MpmLogRecord {
  return { level, module: 'mpm_prefork', id, message };
}

/** Shorthand for a record from core (mpm_unix.c and log.c log as core). */
export function coreLog(level: LogLevel, id: string | undefined, message: string): MpmLogRecord {
  return { level, module: 'core', id, message };
}
