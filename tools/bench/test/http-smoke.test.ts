import t from 'tap';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchHttp, planOf } from '../src/http.js';
import { renderTable } from '../src/report.js';
import { killAllServers, type ServerKind } from '../src/server.js';

// The http bench in its smoke mode, both servers: a second per load row, every part once. It
// asserts that the table is whole (a figure on each side of every row), not that anything is fast.

const apacheBin = process.env.APACHE_BIN ?? '/usr/sbin/apache2';
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const preforkBin = join(repoRoot, 'packages', 'httpd', 'bin', 'prefork.js');
const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

const missing = [
  ...(existsSync(apacheBin) ? [] : [apacheBin]),
  ...['wrk', 'ab'].filter((tool) => !has(tool)),
];
const skip = missing.length ? `${missing.join(', ')} not installed (apt-get install apache2 apache2-utils wrk)` : false;

t.test('the http bench measures both servers on every row', { skip }, async (t) => {
  // Whatever happens (a failed assertion, a throw, the runner's timeout signal), no server stays.
  t.teardown(killAllServers);
  const kinds: ServerKind[] = [
    { name: 'prefork', command: process.execPath, args: [preforkBin] },
    { name: 'apache2', command: apacheBin, args: [] },
  ];
  const ms = await benchHttp({ mode: 'smoke', kinds, log: (l) => t.comment(l.trim()) });
  const { markdown, incomplete } = renderTable(ms);
  t.comment(`\n${markdown}`);

  const plan = planOf('smoke');
  const expected = [
    'child PSS, idle (median)',
    'child PSS, after load (median)',
    'master PSS, after load',
    'master PSS, idle',
    'child PSS, 12 s after load (median)',
    `child PSS, under load (median, ${Math.max(...plan.rows.map((r) => r.connections))} conns)`,
    ...plan.rows.flatMap((r) => [`${r.name}: requests/s`, `${r.name}: p50 latency`, `${r.name}: p99 latency`, `${r.name}: failed requests`]),
    'spawn-to-ready, median',
    'spawn-to-ready, p95',
    `ramp 1 → ${plan.ramp.target} children under ${plan.ramp.target} conns`,
    `failed requests during ${plan.restarts} graceful restart${plan.restarts === 1 ? '' : 's'}`,
  ];
  const names = ms.map((m) => m.name);
  for (const name of expected) t.ok(names.includes(name), `the table has a row '${name}'`);

  // Each row of the Markdown table: | name | prefork | apache2 | ratio | better | target |
  const rows = markdown.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| measurement'));
  t.equal(rows.length, ms.length, 'one table row per measurement');
  const numeric = /^\d+(\.\d+)?( \w+)?$/;
  for (const row of rows) {
    const [name, ours, theirs] = row.split('|').slice(1).map((c) => c.trim());
    t.match(ours, numeric, `prefork has a figure for '${name}'`);
    t.match(theirs, numeric, `apache2 has a figure for '${name}'`);
  }
  t.same(incomplete, [], 'no row lacks a side');
});
