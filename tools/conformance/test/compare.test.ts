import t from 'tap';
import { compareField, compareObservation, validateMode } from '../src/compare.js';
import { diffLines } from '../src/diff.js';

t.test('exact', async (t) => {
  t.equal(compareField('exact', 'a\nb\n', 'a\nb\n'), null);
  t.equal(compareField('exact', 1, 1), null);
  t.equal(compareField('exact', { x: [1, 'a'] }, { x: [1, 'a'] }), null);
  const d = compareField('exact', 'a\nb\nc\n', 'a\nB\nc\n');
  t.same(d, ['  a', '- b', '+ B', '  c']);
  t.ok(compareField('exact', 0, 1));
  t.ok(compareField('exact', 'x', undefined), 'a field missing on one side differs');
});

t.test('set, subset, subsequence', async (t) => {
  t.equal(compareField('set', 'a\nb\n', 'b\na\n'), null);
  t.same(compareField('set', 'a\nb\n', 'b\nc\n'), ['- a', '+ c']);
  t.ok(compareField('set', 'a\na\n', 'a\n'), 'multiplicity counts');
  t.equal(compareField('subset', ['a', 'b'], ['c', 'b', 'a']), null);
  t.same(compareField('subset', ['a', 'x'], ['a']), ['- x']);
  t.equal(compareField('subsequence', ['a', 'c'], ['a', 'b', 'c']), null);
  t.ok(compareField('subsequence', ['c', 'a'], ['a', 'b', 'c']), 'order matters');
});

t.test('regex and contains', async (t) => {
  const re = { mode: 'regex' as const, pattern: 'AH\\d{5}: .*\\n' };
  t.equal(compareField(re, 'AH00526: x\n', 'AH00111: y\n'), null);
  const d = compareField(re, 'AH00526: x\n', 'PF00001: y\n');
  t.match(d?.[0], /^ours does not match/);
  const line = { mode: 'regex' as const, pattern: '.*" 404 236 .*' };
  t.equal(compareField(line, ['a" 404 236 1'], ['b" 404 236 2']), null, 'log lines are matched one by one');
  t.same(compareField(line, ['a" 404 236 1'], ['b" 404 209 2']), ['ours line does not match /.*" 404 236 .*/: "b\\" 404 209 2"']);
  t.same(compareField(line, ['a" 404 236 1'], []), ['reference has 1 lines, ours 0']);
  const c = { mode: 'contains' as const, lines: ['Loaded Modules:', ' core_module (static)'] };
  t.equal(compareField(c, 'Loaded Modules:\n core_module (static)\n so_module (static)\n', 'Loaded Modules:\n core_module (static)\n'), null);
  t.same(compareField(c, 'Loaded Modules:\n core_module (static)\n', 'Loaded Modules:\n'), ['ours lacks:  core_module (static)']);
  const twice = { mode: 'contains' as const, lines: ['x', 'x'] };
  t.same(compareField(twice, 'x\n', ''), ['ours lacks: x'], 'a line listed twice is reported once');
});

t.test('tolerance on numbers and series', async (t) => {
  const tol = { mode: 'tolerance' as const, value: 1, time: 0.6 };
  t.equal(compareField(tol, 3, 4), null);
  t.ok(compareField(tol, 3, 5));
  const ref = [[0, 12], [1, 11], [2, 10], [3, 9]];
  t.equal(compareField(tol, ref, [[0, 12], [1.5, 11], [2.1, 9], [3, 9]]), null, 'within ±1 child and ±0.6 s');
  const late = compareField(tol, ref, [[0, 12], [1, 12], [2, 12], [3, 12]]);
  t.ok(late, 'a series that never decays fails');
  t.match(late?.join('\n'), /no sample of ours within/);
});

t.test('a series of ours may pass between two reference levels, not beyond them', async (t) => {
  const tol = { mode: 'tolerance' as const, value: 8, time: 1.5 };
  const ref = [[0, 8], [1, 15], [2, 23], [3, 39], [4, 64], [5, 64]];
  t.equal(compareField(tol, ref, [[0, 8], [1, 15], [2, 23], [3, 39], [3.5, 49], [4, 64], [5, 64]]), null, 'a batch still starting (49 between 39 and 64)');
  const over = compareField(tol, ref, [[0, 8], [1, 15], [2, 23], [3, 39], [4, 80], [5, 64]]);
  t.match(over?.join('\n'), /our sample t=4s value=80 is outside the reference's values within ±1.5s/, 'above every reference value near it');
  const under = compareField(tol, ref, [[0, 8], [1, 15], [2, 23], [3, 39], [4, 64], [5, 30]]);
  t.match(under?.join('\n'), /our sample t=5s value=30 is outside/, 'below every reference value near it');
  const passing = compareField({ mode: 'tolerance' as const, value: 1, time: 0.6 }, [[4.5, 39], [5, 39], [5.5, 60], [6, 64]], [[4.5, 39], [5, 39], [5.5, 58], [6, 64]]);
  t.equal(passing, null, "a reference sample caught between two levels (60 between 39 and 64) needs only to lie within ours' range");
  const skipped = compareField({ mode: 'tolerance' as const, value: 1, time: 0.6 }, [[3, 8], [3.5, 8], [4, 16], [4.5, 16], [5, 32]], [[3, 8], [3.5, 8], [4, 8], [4.5, 32], [5, 32]]);
  t.match(skipped?.join('\n'), /reference sample t=4s value=16 has no sample of ours/, 'a level held for two samples must be met, not skipped');
  const far = compareField(tol, [[0, 1], [1, 2]], [[0, 1], [1, 2], [4, 2]]);
  t.match(far?.join('\n'), /t=4s value=2 is outside/, 'a sample with no reference sample near it in time');
});

t.test('observations: default exact, ignore, missing fields', async (t) => {
  t.same(compareObservation(undefined, { exit: 0, stderr: 'Syntax OK\n' }, { exit: 0, stderr: 'Syntax OK\n' }), []);
  const m = compareObservation({ stdout: 'ignore' }, { exit: 0, stdout: 'x' }, { exit: 1, stdout: 'y' });
  t.same(m.map((x) => x.field), ['exit']);
  t.same(compareObservation(undefined, { started: true }, { started: true, exit: 1 }).map((x) => x.field), ['exit']);
});

t.test('mode validation', async (t) => {
  t.equal(validateMode('exact'), null);
  t.equal(validateMode({ mode: 'tolerance', value: 1 }), null);
  t.match(validateMode('fuzzy'), /unknown comparison mode/);
  t.match(validateMode('regex'), /unknown comparison mode/, 'regex needs its pattern');
  t.match(validateMode({ mode: 'regex', pattern: '(' }), /bad regex/);
  t.match(validateMode({ mode: 'contains' }), /needs "lines"/);
  t.match(validateMode({ mode: 'tolerance', value: -1 }), /non-negative/);
});

t.test('diff keeps context short', async (t) => {
  const a = Array.from({ length: 20 }, (_, i) => `line ${i}`);
  const b = [...a];
  b[10] = 'changed';
  const d = diffLines(a, b);
  t.ok(d.includes('- line 10') && d.includes('+ changed'));
  t.ok(d.length < 10, 'unchanged lines far away are elided');
});
