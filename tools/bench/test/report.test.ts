import t from 'tap';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderTable, replaceReadmeBlock, readmeBlockFor, latestResults, targetOf, README_START, README_END } from '../src/report.js';
import type { Measurement } from '../src/http.js';

const m = (name: string, unit: string, higherIsBetter: boolean, ours: number[], theirs: number[], failures: Measurement['failures'] = {}): Measurement => ({
  name,
  unit,
  higherIsBetter,
  values: { prefork: ours, apache2: theirs },
  failures,
});

t.test('the table gives medians, the ratio and the target of each row', async (t) => {
  const { markdown, incomplete } = renderTable([
    m('100 B, keep-alive, 16 conns: requests/s', 'req/s', true, [900, 1100, 1000], [1000]),
    m('100 B, keep-alive, 16 conns: p99 latency', 'ms', false, [3], [2]),
    m('child PSS, under load (median, 64 conns)', 'kB', false, [4000], [400]),
    m('child PSS, after load (median)', 'kB', false, [9000], [400]),
  ]);
  t.match(markdown, '| 100 B, keep-alive, 16 conns: requests/s | 1000 | 1000 | 1.00 | higher | ratio ≥ 1.00 ✓ |');
  t.match(markdown, '| 100 B, keep-alive, 16 conns: p99 latency | 3.00 ms | 2.00 ms | 1.50 | lower | ≤ apache2 ✗ |');
  t.match(markdown, '| child PSS, under load (median, 64 conns) | 4000 kB | 400 kB | 10.00 | lower | ≤ 8192 kB ✓ |');
  t.match(markdown, '| child PSS, after load (median) | 9000 kB | 400 kB | 22.50 | lower |  |', 'the target is judged under load, not after');
  t.same(incomplete, []);
});

t.test('a failed side shows as failed with its reason in a footnote', async (t) => {
  const { markdown, incomplete } = renderTable([
    m('failed requests during 3 graceful restarts', '', false, [], [0], { prefork: ['GET /100b.txt: no response within 15000 ms'] }),
  ]);
  t.match(markdown, '| failed requests during 3 graceful restarts | failed [1] | 0 | n/a | lower | = 0 ? |');
  t.match(markdown, '[1] prefork: GET /100b.txt: no response within 15000 ms');
  t.same(incomplete, ['failed requests during 3 graceful restarts']);
});

t.test('targets of issue #7', async (t) => {
  t.equal(targetOf('spawn-to-ready, median')?.met(49, NaN), true);
  t.equal(targetOf('spawn-to-ready, p95')?.met(51, NaN), false);
  t.equal(targetOf('requests/s during 3 graceful restarts')?.met(5, 10), false);
  t.equal(targetOf('failed requests during 1 graceful restart')?.met(0, 3), true);
  t.equal(targetOf('child RSS, idle (median)'), undefined);
  t.equal(targetOf('child PSS, after load (median)'), undefined, 'PSS is judged under load');
  t.equal(targetOf('child PSS, under load (median, 64 conns)')?.met(8192, NaN), true);
  t.equal(targetOf('child PSS, under load (median, 64 conns)')?.met(8193, NaN), false);
});

t.test('the README block goes between the markers and nowhere else', async (t) => {
  const before = '# x\n\nintro\n\n## Development\n\n- a\n';
  const added = replaceReadmeBlock(before, 'TABLE 1');
  t.ok(added.startsWith(before.trimEnd()), 'the rest of the README is kept');
  t.match(added, /## Benchmarks\n[\s\S]*<!-- bench:results:start[^\n]*-->\nTABLE 1\n<!-- bench:results:end -->\n$/);
  const replaced = replaceReadmeBlock(added, 'TABLE 2');
  t.equal(replaced, added.replace('TABLE 1', 'TABLE 2'), 'a second run replaces only the block');

  const withSection = '# x\n\n## Benchmarks\n\nOur words.\n\n## Development\n\n- a\n';
  const into = replaceReadmeBlock(withSection, 'T');
  t.equal(into, `# x\n\n## Benchmarks\n\nOur words.\n\n${README_START}\nT\n${README_END}\n\n## Development\n\n- a\n`);
});

t.test('the newest results file is the one the README gets', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-results-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  t.equal(latestResults(dir), undefined);
  for (const f of ['2026-01-02.md', '2026-11-25.md', 'notes.txt']) writeFileSync(join(dir, f), '### HTTP, x\n');
  t.equal(latestResults(dir), join(dir, '2026-11-25.md'));
  t.match(readmeBlockFor('### HTTP, 2026-11-25\n\nbody\n', 'tools/bench/results/2026-11-25.md'), /^### Latest: HTTP, 2026-11-25\n\nbody\n\nFrom \[`tools\/bench\/results\/2026-11-25.md`\]/);
});
