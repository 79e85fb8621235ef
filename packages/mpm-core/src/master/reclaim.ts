/**
 * mpm_unix.c's ap_reclaim_child_processes: wait for children to exit, escalating from SIGTERM
 * (at 0 s when terminating, then again at 3, 5 and 7 s) to SIGKILL at 9 s, giving up at 10 s.
 * Time, sleeping, signalling and reaping are injected so the schedule can be tested with a
 * fake clock.
 */
import { coreLog, type MpmLogRecord } from '../logging.js';

type Action = 'nothing' | 'term-nolog' | 'term' | 'kill' | 'giveup';

/** (action, elapsed ms) as in Apache's action_table; entry 0 is the "just reap" pass. */
const ACTION_TABLE: ReadonlyArray<{ action: Action; at: number }> = [
  { action: 'nothing', at: 0 },
  { action: 'term-nolog', at: 0 },
  { action: 'term', at: 3000 },
  { action: 'term', at: 5000 },
  { action: 'term', at: 7000 },
  { action: 'kill', at: 9000 },
  { action: 'giveup', at: 10000 },
];

export interface ReclaimDeps {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Slots with a live (not yet reclaimed) pid, and that pid. */
  children(): Array<{ slot: number; pid: number }>;
  /** Whether the pid has exited; the implementation processes its exit status once. */
  reap(pid: number): boolean;
  kill(pid: number, sig: 'SIGTERM' | 'SIGKILL'): void;
  /** prefork_note_child_killed: the slot is free again. */
  noteChildKilled(slot: number): void;
  log(rec: MpmLogRecord): void;
}

export async function reclaimChildProcesses(terminate: boolean, deps: ReclaimDeps): Promise<void> {
  let waittime = 16; // ms; Apache starts at 1024*16 µs
  const start = deps.now();
  let nextAction = terminate ? 1 : 2;
  let curAction: number;
  let notDeadYet: number;
  do {
    if (ACTION_TABLE[nextAction].at > 0) {
      await deps.sleep(waittime);
      // Never sleep over a second, or the last child's exit is noticed late.
      waittime = Math.min(waittime * 4, 1000);
    }
    if (ACTION_TABLE[nextAction].at <= deps.now() - start) {
      curAction = nextAction;
      ++nextAction;
    } else {
      curAction = 0;
    }
    notDeadYet = 0;
    for (const { slot, pid } of deps.children()) {
      if (reclaimOnePid(pid, ACTION_TABLE[curAction].action, deps)) deps.noteChildKilled(slot);
      else ++notDeadYet;
    }
  } while (notDeadYet > 0 && ACTION_TABLE[curAction].action !== 'giveup');
}

/** ap_relieve_child_processes: reap whoever has exited, signal nobody. */
export function relieveChildProcesses(deps: Pick<ReclaimDeps, 'children' | 'reap' | 'noteChildKilled'>): void {
  for (const { slot, pid } of deps.children()) {
    if (pid >= 1 && deps.reap(pid)) deps.noteChildKilled(slot);
  }
}

function reclaimOnePid(pid: number, action: Action, deps: ReclaimDeps): boolean {
  if (pid < 1) return true;
  if (deps.reap(pid)) return true;
  switch (action) {
    case 'nothing':
      break;
    case 'term':
      deps.log(coreLog('warn', 'AH00045', `child process ${pid} still did not exit, sending a SIGTERM`));
      deps.kill(pid, 'SIGTERM');
      break;
    case 'term-nolog':
      deps.kill(pid, 'SIGTERM');
      break;
    case 'kill':
      deps.log(coreLog('error', 'AH00046', `child process ${pid} still did not exit, sending a SIGKILL`));
      deps.kill(pid, 'SIGKILL');
      break;
    case 'giveup':
      deps.log(coreLog('error', 'AH00047', `could not make child process ${pid} exit, attempting to continue anyway`));
      break;
  }
  return false;
}
