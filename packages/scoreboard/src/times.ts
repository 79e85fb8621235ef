/**
 * times(2) for this process, as httpd stores it in the scoreboard: user and system CPU of the
 * process and of its reaped children, in clock ticks. Read from /proc/self/stat (fields 14–17,
 * which are times(2)'s values on Linux); zeros where /proc is not there.
 */
import { readFileSync } from 'node:fs';
import type { Tms } from './scoreboard.js';

const ZERO: Tms = { utime: 0n, stime: 0n, cutime: 0n, cstime: 0n };

/** Parses the text of /proc/<pid>/stat; the command name may hold spaces and parentheses. */
export function parseProcStatTimes(text: string): Tms {
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); utime is field 14.
  const f = (i: number): bigint => {
    const v = rest[i];
    return v !== undefined && /^\d+$/.test(v) ? BigInt(v) : 0n;
  };
  return { utime: f(11), stime: f(12), cutime: f(13), cstime: f(14) };
}

/** This process's times(2). */
export function processTimes(): Tms {
  try {
    return parseProcStatTimes(readFileSync('/proc/self/stat', 'latin1'));
  } catch {
    return ZERO;
  }
}
