import t, { type Test } from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { killIfStillStarting, processState } from '../src/children/stop-starting.js';

/** A process that sleeps until it is killed, in its own session; ended by the test either way. */
function sleeper(t: Test): ChildProcess {
  const p = spawn('sleep', ['30'], { stdio: 'ignore', detached: true });
  t.teardown(() => {
    if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  });
  return p;
}

t.test('a child still starting once stopped is killed (SIGKILL, which the master does not log)', async (t) => {
  const p = sleeper(t);
  await once(p, 'spawn');
  let askedWhileStopped: string | null = null;
  const killed = killIfStillStarting(p.pid!, () => {
    askedWhileStopped = processState(p.pid!);
    return true;
  });
  t.equal(killed, true);
  t.match(askedWhileStopped, /^[Tt]$/, 'the status is read again only once the process is seen stopped');
  const [code, signal] = (await once(p, 'exit')) as [number | null, string | null];
  t.equal(code, null);
  t.equal(signal, 'SIGKILL');
});

t.test('a child that became ready meanwhile is let go on, not killed', async (t) => {
  const p = sleeper(t);
  await once(p, 'spawn');
  const killed = killIfStillStarting(p.pid!, () => false);
  t.equal(killed, false);
  // SIGCONT was sent: the process runs (sleeping), not stopped.
  let state = processState(p.pid!);
  for (let i = 0; i < 50 && (state === 'T' || state === 't'); i++) {
    await new Promise((r) => setTimeout(r, 10));
    state = processState(p.pid!);
  }
  t.match(state, /^[RS]$/);
  t.equal(p.exitCode, null);
});

t.test('a pid that is gone is not killed', async (t) => {
  const p = sleeper(t);
  await once(p, 'spawn');
  const pid = p.pid!;
  p.kill('SIGKILL');
  await once(p, 'exit');
  t.equal(killIfStillStarting(pid, () => true), false);
  t.equal(processState(pid), null);
});
