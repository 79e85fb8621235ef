import t from 'tap';
import { parseProcStatTimes, processTimes } from '../src/index.js';

t.test('parses times(2) out of /proc/<pid>/stat, whatever the command name holds', async (t) => {
  // Fields 14–17 are utime, stime, cutime, cstime; the name (field 2) may contain ") (".
  const line = '4242 (node (x) y) S 1 4242 4242 0 -1 4194560 1000 0 0 0 37 12 5 3 20 0 11 0 100 1000000 2000\n';
  t.same(parseProcStatTimes(line), { utime: 37n, stime: 12n, cutime: 5n, cstime: 3n });
  t.same(parseProcStatTimes('garbage'), { utime: 0n, stime: 0n, cutime: 0n, cstime: 0n });
});

t.test('this process has used CPU, and the figures only grow', async (t) => {
  const before = processTimes();
  let x = 0;
  const end = Date.now() + 60;
  while (Date.now() < end) x += Math.sqrt(x + 1);
  const after = processTimes();
  t.ok(after.utime + after.stime > 0n, `some ticks used (${after.utime}+${after.stime}; ${x > 0})`);
  t.ok(after.utime >= before.utime && after.stime >= before.stime);
});
