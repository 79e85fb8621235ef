/**
 * `-k start|stop|restart|graceful|graceful-stop`: read the PidFile as httpd's ap_read_pid does,
 * decide whether a server is running, and signal it (httpd's ap_signal_server).
 */
import { openSync, readSync, closeSync } from 'node:fs';
import type { DashK } from './args.js';

/** What reading the pid file found. */
export type PidFileState =
  | { kind: 'absent' }
  | { kind: 'pid'; pid: number }
  /** Unreadable or corrupt: `status` is APR's `(code)text` prefix for AH00058. */
  | { kind: 'error'; status: string };

/** httpd reads at most this many bytes less one; a file that fills them counts as corrupt. */
const PID_BUFFER_SIZE = 32;

/** APR's text for the status codes a pid file read can meet. */
const ERRNO_TEXT: Record<string, [number, string]> = {
  EACCES: [13, 'Permission denied'],
  EISDIR: [21, 'Is a directory'],
  ENOTDIR: [20, 'Not a directory'],
  ELOOP: [40, 'Too many levels of symbolic links'],
  EIO: [5, 'Input/output error'],
};

/** APR_EGENERAL, which httpd reports for a pid file whose content is not a pid. */
const APR_EGENERAL = '(20014)Internal error (specific information not available)';

function errnoStatus(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
  const known = ERRNO_TEXT[code];
  if (known) return `(${known[0]})${known[1]}`;
  const errno = (err as NodeJS.ErrnoException | undefined)?.errno;
  return `(${typeof errno === 'number' ? Math.abs(errno) : 0})${code || 'Unknown error'}`;
}

/**
 * The pid as httpd computes it: strtol over the leading digits (saturating at LONG_MAX), then
 * narrowed to a 32-bit pid_t.
 */
function pidFromDigits(digits: string): number {
  let value = BigInt(digits);
  const longMax = (1n << 63n) - 1n;
  if (value > longMax) value = longMax;
  return Number(BigInt.asIntN(32, value));
}

/** Reads a PidFile with httpd's rules: it must start with a digit and be shorter than 31 bytes. */
export function readPidFile(path: string): PidFileState {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    return { kind: 'error', status: errnoStatus(err) };
  }
  const buf = Buffer.alloc(PID_BUFFER_SIZE - 1);
  let length = 0;
  try {
    for (;;) {
      const n = readSync(fd, buf, length, buf.length - length, null);
      if (n === 0) break;
      length += n;
      if (length === buf.length) break;
    }
  } catch (err) {
    return { kind: 'error', status: errnoStatus(err) };
  } finally {
    closeSync(fd);
  }
  const text = buf.subarray(0, length).toString('latin1');
  const digits = /^[0-9]+/.exec(text);
  if (length === 0 || length === buf.length || !digits) {
    return { kind: 'error', status: APR_EGENERAL };
  }
  return { kind: 'pid', pid: pidFromDigits(digits[0]) };
}

/** The signals httpd's -k verbs send (AP_SIG_GRACEFUL is USR1, AP_SIG_GRACEFUL_STOP WINCH). */
export const DASH_K_SIGNALS = {
  stop: 'SIGTERM',
  restart: 'SIGHUP',
  graceful: 'SIGUSR1',
  'graceful-stop': 'SIGWINCH',
} as const satisfies Record<Exclude<DashK, 'start'>, NodeJS.Signals>;

/** What the -k step decided. */
export interface SignalOutcome {
  /** true: go on and start a server; false: exit with `exitCode`. */
  proceed: boolean;
  exitCode: number;
  stdout: string[];
  stderr: string[];
}

/** How the -k step reaches processes; tests may observe it. */
export interface ProcessControl {
  /** kill(pid, 0) == 0: the process exists and we may signal it. */
  alive(pid: number): boolean;
  /** kill(pid, signal); an error's errno text on failure. */
  signal(pid: number, signal: NodeJS.Signals): { ok: true } | { ok: false; status: string };
  ownPid: number;
}

/** The real processes of this machine. */
export const systemProcessControl: ProcessControl = {
  alive(pid) {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      // EPERM counts as not running, as kill(pid, 0) != 0 does in httpd.
      return false;
    }
  },
  signal(pid, signal) {
    try {
      process.kill(pid, signal);
      return { ok: true };
    } catch (err) {
      return { ok: false, status: errnoStatus(err) };
    }
  },
  ownPid: process.pid,
};

/**
 * httpd's ap_signal_server. `dashK` undefined means no -k was given (which acts as start).
 * A pid that is not positive is reported as not running rather than signalled: kill(0) or
 * kill(-n) would hit a whole process group.
 */
export function signalServer(
  dashK: DashK | undefined,
  pidFile: string,
  control: ProcessControl = systemProcessControl,
): SignalOutcome {
  const outcome: SignalOutcome = { proceed: false, exitCode: 0, stdout: [], stderr: [] };
  const state = readPidFile(pidFile);
  if (state.kind === 'error') {
    outcome.stderr.push(`${state.status}: AH00058: Error retrieving pid file ${pidFile}`);
    outcome.stderr.push('AH00059: Remove it before continuing if it is corrupted.');
    outcome.exitCode = 1;
    return outcome;
  }
  let running = false;
  let status: string;
  let pid = 0;
  if (state.kind === 'absent') {
    status = 'httpd (no pid file) not running';
  } else {
    pid = state.pid;
    if (pid > 0 && pid !== control.ownPid && control.alive(pid)) {
      running = true;
      status = `httpd (pid ${pid}) already running`;
    } else {
      status = `httpd (pid ${pid}?) not running`;
    }
  }
  const send = (signal: NodeJS.Signals): number => {
    const r = control.signal(pid, signal);
    if (r.ok) return 0;
    outcome.stderr.push(`${r.status}: AH00057: sending signal to server`);
    return 1;
  };
  const verb = dashK ?? 'start';
  switch (verb) {
    case 'start':
      if (running) {
        outcome.stdout.push(status);
        return outcome;
      }
      break;
    case 'stop':
      if (!running) outcome.stdout.push(status);
      else send(DASH_K_SIGNALS.stop);
      return outcome;
    case 'restart':
    case 'graceful':
      if (!running) {
        // apache2 checks on both of its configuration reads, so the line comes twice.
        outcome.stdout.push('httpd not running, trying to start', 'httpd not running, trying to start');
        break;
      }
      outcome.exitCode = send(DASH_K_SIGNALS[verb]);
      return outcome;
    case 'graceful-stop':
      if (!running) outcome.stdout.push(status);
      else outcome.exitCode = send(DASH_K_SIGNALS[verb]);
      return outcome;
  }
  outcome.proceed = true;
  return outcome;
}
