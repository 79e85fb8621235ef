/**
 * Ours: idle maintenance's kill for a child that has not reached its accept loop yet.
 *
 * prefork.c writes one byte to the pipe of death, and whichever idle child reads it first
 * leaves. An Apache child reads the pod milliseconds after its fork; a Node child only once it
 * has started, which takes a second or more of CPU when a dozen start together on a small
 * machine. A child still STARTING counts as idle (as in prefork.c), so the master's decay
 * decided on time, but the byte waited for the first child to start: the pool shrank late by
 * the start-up time. Such a child has accepted nothing (it marks itself READY before its first
 * accept), so ending it now loses no connection, and the pool moves on Apache's schedule.
 *
 * The check is race-free: the child is stopped (SIGSTOP) and seen stopped in /proc before its
 * scoreboard status is read again; only a child still STARTING then is killed. One that became
 * READY meanwhile is let go on (SIGCONT), and the pod is used as before.
 */
import { readFileSync } from 'node:fs';

/** How long the master waits, in all, for children it stops to show as stopped. */
export const STOP_WAIT_MS = 50;

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** The state letter of /proc/<pid>/stat ('T' stopped), or null when the process is gone. */
export function processState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name is in parentheses and may contain anything; the state follows the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) || null;
  } catch {
    return null;
  }
}

function waitStopped(pid: number, deadline: number): boolean {
  for (;;) {
    const state = processState(pid);
    if (state === null) return false;
    if (state === 'T' || state === 't') return true;
    if (Date.now() >= deadline) return false;
    Atomics.wait(sleeper, 0, 0, 1);
  }
}

/**
 * Kills `pid` if it is still starting once it has been stopped. `stillStarting` reads its slot's
 * status from the scoreboard. True when the child was killed (its exit is then reaped as any
 * other; SIGKILL is not logged). The master waits for the stop until `deadline` (Date.now()
 * milliseconds; by default 50 ms from now), then lets the child go on.
 */
export function killIfStillStarting(pid: number, stillStarting: () => boolean, deadline = Date.now() + STOP_WAIT_MS): boolean {
  try {
    process.kill(pid, 'SIGSTOP');
  } catch {
    return false;
  }
  let killed = false;
  if (waitStopped(pid, deadline) && stillStarting()) {
    try {
      process.kill(pid, 'SIGKILL');
      killed = true;
    } catch {
      // gone meanwhile
    }
  }
  if (!killed) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // gone meanwhile
    }
  }
  return killed;
}
