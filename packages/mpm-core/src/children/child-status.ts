/**
 * mpm_unix.c's ap_process_child_status: what a child's exit means to the master, and the line
 * it is worth in the error log.
 */
import { constants } from 'node:os';
import { ChildExit } from '@prefork/core';
import { coreLog, type MpmLogRecord } from '../logging.js';

/** APR's own signal descriptions (apr_signal_description_get), not glibc's strsignal. */
const SIGNAL_DESCRIPTIONS: Readonly<Record<string, string>> = {
  SIGHUP: 'Hangup',
  SIGINT: 'Interrupt',
  SIGQUIT: 'Quit',
  SIGILL: 'Illegal instruction',
  SIGTRAP: 'Trace-breakpoint trap',
  SIGABRT: 'Abort',
  SIGBUS: 'Bus error',
  SIGFPE: 'Arithmetic exception',
  SIGKILL: 'Killed',
  SIGUSR1: 'User defined signal 1',
  SIGSEGV: 'Segmentation fault',
  SIGUSR2: 'User defined signal 2',
  SIGPIPE: 'Broken pipe',
  SIGALRM: 'Alarm clock',
  SIGTERM: 'Terminated',
  SIGCHLD: 'Child status change',
  SIGCONT: 'Continued after suspension',
  SIGSTOP: 'Process stopped',
  SIGTSTP: 'Stop signal from tty',
  SIGTTIN: 'Background read from tty',
  SIGTTOU: 'Background write to tty',
  SIGURG: 'Urgent socket condition',
  SIGXCPU: 'exceeded cpu limit',
  SIGXFSZ: 'exceeded file size limit',
  SIGVTALRM: 'virtual timer expired',
  SIGPROF: 'profiling timer expired',
  SIGWINCH: 'Window changed',
  SIGIO: 'socket I/O possible',
  SIGPWR: 'Power-fail restart',
  SIGSYS: 'Bad system call',
};

/** Signals the master itself uses to stop children: their deaths are not news. */
const EXPECTED_SIGNALS = new Set(['SIGTERM', 'SIGHUP', 'SIGUSR1', 'SIGKILL']);

/** How a child ended, as Node reports it on 'exit'. */
export interface ChildExitInfo {
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ProcessedStatus {
  /** ChildExit.SICK / ChildExit.FATAL when the child said so; OK otherwise. */
  processed: ChildExit;
  log: MpmLogRecord[];
}

export function processChildStatus(exit: ChildExitInfo): ProcessedStatus {
  if (exit.signal === null) {
    if (exit.code === ChildExit.SICK) return { processed: ChildExit.SICK, log: [] };
    if (exit.code === ChildExit.FATAL) {
      return {
        processed: ChildExit.FATAL,
        log: [coreLog('alert', 'AH00050', `Child ${exit.pid} returned a Fatal error... Apache is exiting!`)],
      };
    }
    return { processed: ChildExit.OK, log: [] };
  }
  if (EXPECTED_SIGNALS.has(exit.signal)) return { processed: ChildExit.OK, log: [] };
  const num = constants.signals[exit.signal] ?? 0;
  const desc = SIGNAL_DESCRIPTIONS[exit.signal] ?? `signal ${num}`;
  return { processed: ChildExit.OK, log: [coreLog('notice', 'AH00052', `child pid ${exit.pid} exit signal ${desc} (${num})`)] };
}
