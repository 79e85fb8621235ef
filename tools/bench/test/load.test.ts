import t from 'tap';
import { createServer } from 'node:http';
import { spawnSync } from 'node:child_process';
import { parseWrk, parseAb, toMs, wrk, ab } from '../src/load.js';
import { childrenOf } from '../src/server.js';
import { ratio } from '../src/measure.js';

const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

t.test('wrk durations convert to milliseconds', async (t) => {
  t.equal(toMs('850.00us'), 0.85);
  t.equal(toMs('2.55ms'), 2.55);
  t.equal(toMs('1.84s'), 1840);
  t.ok(Number.isNaN(toMs('fast')));
});

t.test('ratios are n/a when a side was not measured', async (t) => {
  t.equal(ratio(2, 4), '0.50');
  t.equal(ratio(19, 8148), '0.0023');
  t.equal(ratio(0, 4), '0.00');
  t.equal(ratio(NaN, 4), 'n/a');
  t.equal(ratio(2, 0), 'n/a');
});

t.test('a captured wrk report parses', async (t) => {
  const out = `Running 10s test @ http://127.0.0.1:18080/100b.txt
  Latency Distribution
     50%    2.55ms
     99%  434.38ms
  50326 requests in 10.05s, 15.80MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:   5007.29`;
  const r = parseWrk(out);
  t.equal(r.requestsPerSec, 5007.29);
  t.equal(r.p50, 2.55);
  t.equal(r.p99, 434.38);
  t.equal(r.completed, 50326);
  t.equal(r.failed, 7);
});

t.test('the load tools measure a live server', { skip: has('wrk') && has('ab') ? false : 'wrk and ab are not installed (apt-get install wrk apache2-utils)' }, async (t) => {
  let served = 0;
  const server = createServer((_req, res) => {
    served++;
    res.end('x'.repeat(100));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => server.close());
  const port = (server.address() as { port: number }).port;
  const w = await wrk(`http://127.0.0.1:${port}/`, 2, 1);
  t.ok(w.requestsPerSec > 0, `wrk measured ${w.requestsPerSec} req/s`);
  t.ok(w.p99 >= w.p50, 'p99 is not below p50');
  t.equal(w.failed, 0);
  const before = served;
  const a = await ab(`http://127.0.0.1:${port}/`, 2, 200);
  t.equal(a.completed, 200);
  t.equal(served - before, 200, 'ab sent the requests it reported');
  t.equal(a.failed, 0);
});

t.test('children are found through /proc', async (t) => {
  const kid = (await import('node:child_process')).spawn(process.execPath, ['-e', 'setTimeout(()=>{}, 5000)']);
  t.teardown(() => kid.kill('SIGKILL'));
  await new Promise((r) => setTimeout(r, 100));
  t.ok(childrenOf(process.pid).includes(kid.pid!));
});
