import t from 'tap';
import { applySignal, noPending, SignalQueue, type MasterSignal } from '../src/index.js';

const fold = (sigs: MasterSignal[]) => sigs.reduce(applySignal, noPending());

t.test('what each signal asks for', async (t) => {
  t.same(fold(['SIGTERM']), { shutdownPending: true, restartPending: false, isUngraceful: true });
  t.same(fold(['SIGINT']), { shutdownPending: true, restartPending: false, isUngraceful: true });
  t.same(fold(['SIGWINCH']), { shutdownPending: true, restartPending: false, isUngraceful: false });
  t.same(fold(['SIGHUP']), { shutdownPending: false, restartPending: true, isUngraceful: true });
  t.same(fold(['SIGUSR1']), { shutdownPending: false, restartPending: true, isUngraceful: false });
});

t.test('a pending request is not overridden by the same kind', async (t) => {
  t.same(fold(['SIGUSR1', 'SIGHUP']), { shutdownPending: false, restartPending: true, isUngraceful: false }, 'first restart wins');
  t.same(fold(['SIGWINCH', 'SIGTERM']), { shutdownPending: true, restartPending: false, isUngraceful: false }, 'first shutdown wins');
  t.same(fold(['SIGUSR1', 'SIGTERM']), { shutdownPending: true, restartPending: true, isUngraceful: true }, 'a stop after a restart request makes it ungraceful');
});

t.test('the queue: handlers enqueue, a wait wakes early, drain empties', async (t) => {
  const q = new SignalQueue();
  q.install(['SIGWINCH']);
  t.teardown(() => q.uninstall());
  const started = Date.now();
  const waiting = q.waitForSignal(5000);
  process.kill(process.pid, 'SIGWINCH');
  await waiting;
  t.ok(Date.now() - started < 4000, 'woken by the signal, not the timeout');
  t.same(q.drain(), ['SIGWINCH']);
  t.equal(q.size, 0);
  const t0 = Date.now();
  await q.waitForSignal(50);
  t.ok(Date.now() - t0 >= 40, 'times out when nothing arrives');
  q.push('SIGTERM');
  const t1 = Date.now();
  await q.waitForSignal(5000);
  t.ok(Date.now() - t1 < 1000, 'returns at once when a signal is already queued');
});
