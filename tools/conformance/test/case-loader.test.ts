import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { globToRegExp, loadCases, selected, validateCase } from '../src/case-loader.js';

t.test('validation names what is wrong', async (t) => {
  t.same(validateCase({ steps: [{ run: ['-t'] }] }), []);
  t.match(validateCase({ steps: [] }).join(), /non-empty/);
  t.match(validateCase({ steps: [{ run: '-t' }] }).join(), /array of arguments/);
  t.match(validateCase({ steps: [{ run: ['-t'], start: [] }] }).join(), /exactly one/);
  t.match(validateCase({ steps: [{ frobnicate: 1 }] }).join(), /exactly one of run, start/);
  t.match(validateCase({ steps: [{ run: ['-t'], expect: { stderr: 'fuzzy' } }] }).join(), /steps\[0\]: expect.stderr: unknown comparison mode/);
  t.match(validateCase({ steps: [{ signal: 'STOP' }] }).join(), /USR1, HUP, WINCH/);
  t.match(validateCase({ steps: [{ http: { send: [{ wait: 1 }] } }] }).join(), /send\[0\]/);
  t.match(validateCase({ steps: [{ children: { seconds: 2, interval: 0.01 } }] }).join(), /at least 0.1/);
  t.match(validateCase({ stepz: [] }).join(), /unknown key "stepz"/);
  t.match(validateCase({ normalise: [{ pattern: '(', replace: '' }], steps: [{ sleep: 1 }] }).join(), /normalise\[0\]/);
});

t.test('loading: broken cases are reported with their file, shared folders skipped', async (t) => {
  const dir = t.testdir({
    _shared: { base: { conf: { 'x.inc': 'x' } } },
    a: {
      good: { 'case.json': JSON.stringify({ steps: [{ run: ['-t'] }] }) },
      bad: { 'case.json': '{ not json' },
      invalid: { 'case.json': JSON.stringify({ steps: [{ run: 1 }] }) },
    },
    b: { 'area.json': JSON.stringify({ skip: 'later', exclusive: true }), one: { 'case.json': JSON.stringify({ steps: [{ sleep: 0 }] }) } },
  });
  const { cases, broken } = loadCases(dir);
  t.same(cases.map((c) => c.id), ['a/good', 'b/one']);
  t.equal(cases[1].skip, 'later');
  t.same(cases.map((c) => c.exclusive), [false, true], 'exclusive comes from the area');
  t.match(validateCase({ exclusive: 'yes', steps: [{ sleep: 0 }] }).join(), /"exclusive" must be true or false/);
  t.same(broken.map((b) => b.id).sort(), ['a/bad', 'a/invalid']);
  t.ok(broken.every((b) => b.file.endsWith('case.json')));
  mkdirSync(join(dir, 'c'));
  writeFileSync(join(dir, 'c', 'area.json'), '[');
  t.ok(loadCases(dir).broken.some((b) => b.id === 'c/*' && b.file.endsWith('area.json')), 'a broken area.json is reported');
});

t.test('globs', async (t) => {
  t.ok(globToRegExp('config/*').test('config/unknown-directive'));
  t.notOk(globToRegExp('config/*').test('config/a/b'));
  t.ok(globToRegExp('**').test('a/b'));
  const c = { id: 'config/unclosed-ifmodule', area: 'config', name: 'unclosed-ifmodule' };
  t.ok(selected(c, [], []));
  t.ok(selected(c, ['unclosed-*'], []), 'a glob without "/" matches the case name');
  t.ok(selected(c, ['config/unclosed-if*'], []));
  t.notOk(selected(c, ['dumps/*'], []));
  t.notOk(selected(c, [], ['dumps']));
  t.ok(selected(c, [], ['config']));
});
