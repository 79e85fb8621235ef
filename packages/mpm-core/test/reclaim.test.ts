import t from 'tap';
import { reclaimChildProcesses, relieveChildProcesses, type MpmLogRecord, type ReclaimDeps } from '../src/index.js';

/** A fake clock and a set of children that die when `dies(pid, signal, at)` says so. */
function world(pids: number[], dies: (pid: number, sig: string, at: number) => boolean) {
  let now = 0;
  const alive = new Set(pids);
  // The scoreboard: a slot keeps its pid until the master notes the child killed.
  const slots = new Map(pids.map((p, i) => [p, i]));
  const actions: string[] = [];
  const logs: MpmLogRecord[] = [];
  const freed: number[] = [];
  const deps: ReclaimDeps = {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
    children: () => [...slots].map(([pid, slot]) => ({ slot, pid })),
    reap: (pid) => !alive.has(pid),
    kill: (pid, sig) => {
      actions.push(`${now} ${sig} ${pid}`);
      if (dies(pid, sig, now)) alive.delete(pid);
    },
    noteChildKilled: (slot) => {
      freed.push(slot);
      for (const [pid, s] of slots) if (s === slot) slots.delete(pid);
    },
    log: (r) => logs.push(r),
  };
  return { deps, actions, logs, freed, get now() { return now; } };
}

t.test('a child that ignores SIGTERM: TERM at 0, 3, 5, 7 s, KILL at 9 s', async (t) => {
  const w = world([100], (_pid, sig) => sig === 'SIGKILL');
  await reclaimChildProcesses(true, w.deps);
  const times = w.actions.map((a) => a.split(' '));
  t.same(times.map((a) => a[1]), ['SIGTERM', 'SIGTERM', 'SIGTERM', 'SIGTERM', 'SIGKILL']);
  const secs = times.map((a) => Math.floor(Number(a[0]) / 1000));
  t.same(secs, [0, 3, 5, 7, 9], 'Apache action table times (within the 1 s polling)');
  t.same(
    w.logs.map((l) => `${l.id} ${l.level}: ${l.message}`),
    [
      'AH00045 warn: child process 100 still did not exit, sending a SIGTERM',
      'AH00045 warn: child process 100 still did not exit, sending a SIGTERM',
      'AH00045 warn: child process 100 still did not exit, sending a SIGTERM',
      'AH00046 error: child process 100 still did not exit, sending a SIGKILL',
    ],
    'the first SIGTERM is silent',
  );
  t.same(w.freed, [0], 'slot freed once the child is gone');
});

t.test('children that obey SIGTERM are reclaimed at once, with nothing logged', async (t) => {
  const w = world([100, 101, 102], () => true);
  await reclaimChildProcesses(true, w.deps);
  t.equal(w.actions.length, 3);
  t.same(w.logs, []);
  t.same(w.freed.sort(), [0, 1, 2]);
  t.ok(w.now < 100, 'no waiting beyond the first short sleep');
});

t.test('terminate=false (HUP) sends nothing before 3 s, and gives up at 10 s', async (t) => {
  const w = world([7], () => false);
  await reclaimChildProcesses(false, w.deps);
  t.same(
    w.actions.map((a) => a.split(' ')[1]),
    ['SIGTERM', 'SIGTERM', 'SIGTERM', 'SIGKILL'],
  );
  t.ok(Number(w.actions[0].split(' ')[0]) >= 3000, 'first SIGTERM at 3 s');
  t.equal(w.logs.at(-1)?.id, 'AH00047');
  t.equal(w.logs.at(-1)?.message, 'could not make child process 7 exit, attempting to continue anyway');
  t.ok(w.now >= 10000 && w.now < 11100, 'stops at 10 s');
  t.same(w.freed, []);
});

t.test('relieve reaps the exited and signals nobody', async (t) => {
  const w = world([1, 2], () => true);
  w.deps.kill(1, 'SIGTERM');
  const before = w.actions.length;
  relieveChildProcesses(w.deps);
  t.equal(w.actions.length, before);
  t.same(w.freed, [0]);
});
