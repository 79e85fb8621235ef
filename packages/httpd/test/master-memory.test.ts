import t from 'tap';
import { masterMemory } from '../src/master-memory.js';
import { exchange, startLive, waitFor } from './live-server.js';

t.test('options from the environment', async (t) => {
  t.equal(masterMemory({ PREFORK_IDLE_MEMORY: 'keep' }), undefined, 'keep: off');
  const def = masterMemory({});
  t.type(def?.reduceMemory, 'function');
  t.equal(def?.reduceMemoryAfterCycles, undefined, 'the master\'s default wait');
  t.equal(masterMemory({ PREFORK_IDLE_MEMORY_MS: '300' })?.reduceMemoryAfterCycles, 1, 'rounded up to whole cycles');
  t.equal(masterMemory({ PREFORK_IDLE_MEMORY_MS: '2500' })?.reduceMemoryAfterCycles, 3);
  t.equal(masterMemory({ PREFORK_IDLE_MEMORY_MS: 'soon' })?.reduceMemoryAfterCycles, undefined, 'not a number: the default');
});

t.test('the master gives its start-up heap back once (PF00004 at LogLevel debug)', async (t) => {
  const s = await startLive({ extra: ['LogLevel debug'], env: { PREFORK_IDLE_MEMORY_MS: '1000' } });
  t.teardown(() => s.stop());
  const line = (): string | undefined => s.read('logs/error_log').split('\n').find((l) => l.includes('PF00004'));
  t.ok(await waitFor(() => line() !== undefined, 15000), 'logged within a few maintenance cycles');
  const m = /\[mpm_prefork:debug\] \[pid (\d+)(?::tid \d+)?\] PF00004: heap reduced from (\d+) to (\d+) kB/.exec(line() ?? '');
  t.ok(m, `the message: ${line()}`);
  if (m) {
    t.equal(Number(m[1]), s.master.pid, 'by the master');
    t.ok(Number(m[3]) < Number(m[2]), 'its committed heap is smaller after');
  }
  const r = await exchange(s.port, 'GET /hello.txt HTTP/1.0\r\n\r\n');
  t.match(r.data.toString('latin1'), /^HTTP\/1\.1 200 OK/, 'the server still serves');
  await new Promise((r) => setTimeout(r, 2500));
  t.equal(s.read('logs/error_log').split('\n').filter((l) => l.includes('PF00004')).length, 1, 'once a generation');
});
