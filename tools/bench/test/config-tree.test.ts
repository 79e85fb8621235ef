import t from 'tap';
import { mkdtempSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeConfigTree } from '../src/config-tree.js';
import { summarize } from '../src/measure.js';

t.test('the generated tree has the size the benchmark promises', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'bench-tree-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const tree = writeConfigTree({ root, files: 200, directivesPerFile: 56, port: 18999 });
  t.ok(tree.directives >= 10000, `${tree.directives} directives`);
  t.equal(readdirSync(join(root, 'conf.d')).length, 200);
});

const apache = '/usr/sbin/apache2';
t.test('real Apache accepts the generated tree', { skip: existsSync(apache) ? false : `${apache} is not installed` }, async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'bench-tree-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const tree = writeConfigTree({ root, files: 5, directivesPerFile: 14, port: 18999 });
  const r = spawnSync(apache, ['-t', '-d', root, '-f', tree.mainFile], { encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  t.match(r.stderr, /Syntax OK/);
});

t.test('summarize takes the median and p95 of the runs', async (t) => {
  t.same(summarize([5, 1, 3]).median, 3);
  t.same(summarize([4, 1, 3, 2]).median, 2.5);
  t.same(summarize([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 100]).p95, 100);
});
