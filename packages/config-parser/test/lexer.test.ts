// The lexer stage: logical lines, Apache's word splitting, ${VAR}, file name patterns, log escaping.
import t from 'tap';
import { TextSource, ArraySource, Cursor, type LogicalLine } from '../src/lexer.js';
import { escapeErrorLogItem, fnmatch, getWordConf, hasWildcard, resolveEnv, splitArgs } from '../src/index.js';

function lines(text: string): (LogicalLine | { failure: string })[] {
  const src = new TextSource('f', text, []);
  const out = [];
  for (let l = src.next(); l !== null; l = src.next()) out.push(l);
  return out;
}

t.test('logical lines', (t) => {
  t.same(lines('a\n  b c  \n\n'), [
    { text: 'a', line: 1, column: 1 },
    { text: 'b c', line: 2, column: 3 },
    { text: '', line: 3, column: 1 },
  ]);
  t.same(lines('a \\\n  b\nc'), [
    { text: 'a   b', line: 2, column: 1 },
    { text: 'c', line: 3, column: 1 },
  ], 'continuation joins and reports the last physical line, as Apache');
  t.same(lines('a \\\r\nb\r\n'), [{ text: 'a b', line: 2, column: 1 }], 'CRLF continuation');
  t.same(lines('a \\\n'), [{ text: 'a', line: 2, column: 1 }], 'continuation at end of file counts one more line');
  t.same(lines('x \\'), [{ text: 'x \\', line: 1, column: 1 }], 'no newline after the backslash: no continuation');
  t.same(lines('a\0junk \\\nb\n'), [
    { text: 'a', line: 1, column: 1 },
    { text: 'b', line: 2, column: 1 },
  ], 'a NUL ends the line and cancels the continuation');
  t.same(lines('# c \\\nstill comment\nx'), [
    { text: '# c still comment', line: 2, column: 1 },
    { text: 'x', line: 3, column: 1 },
  ]);
  t.same(lines(''), []);
  t.end();
});

t.test('cursor returns to the enclosing source when a pushed one runs out', (t) => {
  const c = new Cursor(new TextSource('f', 'one\ntwo\n', []));
  t.equal((c.next() as LogicalLine).text, 'one');
  c.push(new ArraySource('macro', ['m1', '  m2'], []));
  const a = c.next() as LogicalLine;
  t.same([a.text, c.locate(a).file, a.line], ['m1', 'macro', 1]);
  const b = c.next() as LogicalLine;
  t.same([b.text, b.column], ['m2', 3]);
  const d = c.next() as LogicalLine;
  t.same([d.text, c.locate(d).file, d.line], ['two', 'f', 2]);
  t.equal(c.next(), null);
  t.end();
});

t.test('getWordConf / splitArgs as ap_getword_conf', (t) => {
  const table: [string, string[]][] = [
    ['a b  c', ['a', 'b', 'c']],
    ['"a b" c', ['a b', 'c']],
    ["'a \"b' c", ['a "b', 'c']],
    ['"a \\" b"', ['a " b']],
    ["'it\\'s'", ["it's"]],
    ['"a \\\\ b"', ['a \\ b']],
    ['"a \\n b"', ['a \\n b']],
    ['a\\\\b a\\"b', ['a\\b', 'a\\"b']],
    ['"unterminated x', ['unterminated x']],
    ['"a"b', ['a', 'b']],
    ['"" x', ['', 'x']],
    ['x ""', ['x']],
    ['', []],
    ['  \t ', []],
  ];
  for (const [input, want] of table) t.same(splitArgs(input), want, JSON.stringify(input));
  t.same(getWordConf('  ab  cd', 0), { word: 'ab', next: 6 });
  t.same(getWordConf('ab', 2), { word: '', next: 2 });
  t.end();
});

t.test('resolveEnv', (t) => {
  const vars: Record<string, string> = { A: 'x', E: '' };
  const look = (n: string) => vars[n];
  t.same(resolveEnv('${A}/${A}', look), { text: 'x/x', undefinedNames: [] });
  t.same(resolveEnv('${E}-', look), { text: '-', undefinedNames: [] });
  t.same(resolveEnv('$A ${B} ${c:d} ${', look), { text: '$A ${B} ${c:d} ${', undefinedNames: ['B'] });
  t.same(resolveEnv('${A${A}}', look), { text: '${A${A}}', undefinedNames: ['A${A'] }, 'the name runs to the first }');
  t.same(resolveEnv('no dollars', look), { text: 'no dollars', undefinedNames: [] });
  t.same(resolveEnv('${X}', () => '${X}'), { text: '${X}', undefinedNames: [] }, 'not recursive');
  t.end();
});

t.test('fnmatch and hasWildcard as APR', (t) => {
  t.ok(hasWildcard('*.conf'));
  t.ok(hasWildcard('a?'));
  t.ok(hasWildcard('[ab]'));
  t.notOk(hasWildcard('a[b'));
  t.notOk(hasWildcard('a\\*'));
  t.notOk(hasWildcard('plain.conf'));
  const table: [string, string, boolean][] = [
    ['*.conf', 'a.conf', true],
    ['*.conf', '.a.conf', false],
    ['.*', '.a', true],
    ['*', 'anything', true],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['[a-c]x', 'bx', true],
    ['[!a-c]x', 'bx', false],
    ['[^a-c]x', 'dx', true],
    ['[]]', ']', true],
    ['a\\*', 'a*', true],
    ['a\\*', 'ab', false],
    ['*a*b*c', 'xxaxxbxxc', true],
    ['*a*b*c', 'xxaxxbxx', false],
    ['a[b', 'a[b', true],
  ];
  for (const [p, n, want] of table) t.equal(fnmatch(p, n), want, `${p} ~ ${n}`);
  t.end();
});

t.test('escapeErrorLogItem as the error log escapes', (t) => {
  t.equal(escapeErrorLogItem('a\nb\tc "q" \\'), 'a\\nb\\tc "q" \\\\');
  t.equal(escapeErrorLogItem('café\x01'), 'caf\\xc3\\xa9\\x01');
  t.equal(escapeErrorLogItem('x'.repeat(9000)).length, 8191);
  t.end();
});
