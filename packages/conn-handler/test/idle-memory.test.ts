import t from 'tap';
import v8 from 'node:v8';
import { IdleMemory, REDUCE_AFTER_GROWTH } from '../src/idle-memory.js';
import { loadNativeAcceptor } from '../src/native.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** An IdleMemory on a fake heap, recording what it did. */
function harness(o: { claim?: () => boolean } = {}) {
  const calls: string[] = [];
  let heap = 8 << 20;
  const m = new IdleMemory({
    delayMs: 20,
    heapSize: () => heap,
    reduce: () => {
      calls.push('reduce');
      heap -= 2 << 20;
    },
    claim: () => {
      calls.push('claim');
      return o.claim ? o.claim() : true;
    },
    release: () => calls.push('release'),
    reduced: (before, after) => calls.push(`reduced ${before >> 20} -> ${after >> 20} MB`),
  });
  return { m, calls, grow: (n: number) => (heap += n) };
}

t.test('the addon\'s reduceMemory returns the pages of a collected heap', async (t) => {
  const native = loadNativeAcceptor();
  t.type(native.reduceMemory, 'function');
  let garbage: Array<{ i: number; s: string }> | null = [];
  for (let i = 0; i < 200_000; i++) garbage.push({ i, s: `x${i}` });
  const before = v8.getHeapStatistics().total_heap_size;
  garbage = null;
  native.reduceMemory!();
  const after = v8.getHeapStatistics().total_heap_size;
  t.ok(after < before - (4 << 20), `committed heap fell from ${before} to ${after} bytes`);
});

t.test('reduces once the child has been idle for the delay, then waits again', async (t) => {
  const { m, calls } = harness();
  m.idle();
  await sleep(60);
  t.same(calls, ['claim', 'reduce', 'release', 'reduced 8 -> 6 MB']);
  t.equal(m.reductions, 1);
});

t.test('a connection before the delay cancels it', async (t) => {
  const { m, calls } = harness();
  m.idle();
  await sleep(5);
  m.busy();
  await sleep(60);
  t.same(calls, []);
  t.equal(m.reductions, 0);
});

t.test('idle() while already waiting does not restart or double the timer', async (t) => {
  const { m, calls } = harness();
  m.idle();
  m.idle();
  await sleep(60);
  t.same(calls, ['claim', 'reduce', 'release', 'reduced 8 -> 6 MB']);
});

t.test('again only after the heap has grown by the threshold', async (t) => {
  const { m, calls, grow } = harness();
  m.idle();
  await sleep(60);
  t.equal(m.reductions, 1);
  grow(REDUCE_AFTER_GROWTH - 1);
  m.idle();
  await sleep(60);
  t.equal(m.reductions, 1, 'growth just short of the threshold: nothing');
  t.same(calls, ['claim', 'reduce', 'release', 'reduced 8 -> 6 MB'], 'not even a claim on the acceptor');
  grow(1);
  m.idle();
  await sleep(60);
  t.equal(m.reductions, 2, 'at the threshold: reduced again');
});

t.test('a claim refused (a connection came meanwhile) collects nothing and releases nothing', async (t) => {
  const { m, calls } = harness({ claim: () => false });
  m.idle();
  await sleep(60);
  t.same(calls, ['claim']);
  t.equal(m.reductions, 0);
  t.ok(m.worthReducing(), 'still worth it next time');
});
