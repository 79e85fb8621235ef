// Include / IncludeOptional on real directory trees.
import t from 'tap';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { formatReadError, MAX_INCLUDE_DEPTH } from '../src/index.js';
import { readTree, shape } from './helpers.js';

t.test('a file, a directory (recursive, byte order, dot files too), wildcards in any component', (t) => {
  const r = readTree(t, {
    'main.conf': 'Include conf.d\nInclude sites/*/enabled/*.conf\nInclude "with space/x.conf"\n',
    'conf.d/b.conf': 'B\n',
    'conf.d/a/z.conf': 'AZ\n',
    'conf.d/B.conf': 'UpperB\n',
    'conf.d/.hidden': 'Hidden\n',
    'sites/one/enabled/2.conf': 'One2\n',
    'sites/one/enabled/1.conf': 'One1\n',
    'sites/one/enabled/skip.txt': 'Never\n',
    'sites/two/enabled/1.conf': 'Two1\n',
    'sites/afile': '',
    'with space/x.conf': 'Space\n',
  });
  t.same(r.errors, []);
  t.same(shape(r.tree), ['Hidden', 'UpperB', 'AZ', 'B', 'One1', 'One2', 'Two1', 'Space']);
  t.same(
    r.includes.map((i) => [i.file.slice(r.root.length + 1), i.depth, i.from?.line]),
    [
      ['main.conf', 0, undefined],
      ['conf.d/.hidden', 1, 1], ['conf.d/B.conf', 1, 1], ['conf.d/a/z.conf', 1, 1], ['conf.d/b.conf', 1, 1],
      ['sites/one/enabled/1.conf', 1, 2], ['sites/one/enabled/2.conf', 1, 2], ['sites/two/enabled/1.conf', 1, 2],
      ['with space/x.conf', 1, 3],
    ],
  );
  t.end();
});

t.test('includedFrom and nested error messages', (t) => {
  const r = readTree(t, {
    'main.conf': '# main\nInclude inc/one.conf\n',
    'inc/one.conf': 'ServerName x\nInclude inc/two.conf\n',
    'inc/two.conf': 'Ok\n</IfModule>\n',
  });
  t.equal(
    formatReadError(r.errors[0], 'apache2'),
    `apache2: Syntax error on line 2 of ${r.root}/main.conf: Syntax error on line 2 of ${r.root}/inc/one.conf: ` +
      `Syntax error on line 2 of ${r.root}/inc/two.conf: </IfModule> without matching <IfModule> section`,
  );
  const ok = readTree(t, { 'main.conf': 'Include a.conf\n', 'a.conf': 'Include b.conf\n', 'b.conf': 'Deep\n' });
  const deep = ok.tree[0];
  t.same(deep.includedFrom.map((l) => [l.file.slice(ok.root.length + 1), l.line]), [['main.conf', 1], ['a.conf', 1]]);
  t.same(ok.includes.map((i) => i.depth), [0, 1, 2]);
  t.end();
});

t.test("Apache's errors for missing files, directories and wildcards", (t) => {
  const cases: [string, string, string][] = [
    ['Include nope.conf\n', 'E_OPEN', 'Could not open configuration file @/nope.conf: No such file or directory'],
    ['Include nodir/*.conf\n', 'E_OPEN', 'Include/IncludeOptional: Could not open directory @/nodir: No such file or directory'],
    ['Include *.nomatch\n', 'E_WILDCARD_NO_MATCH', "Include/IncludeOptional: No matches for the wildcard '*.nomatch' in '@', failing"],
    ['Include d*/x.conf\n', 'E_WILDCARD_NO_MATCH', "Include/IncludeOptional: No matches for the wildcard 'd*' in '@', failing"],
    ['IncludeOptional main.conf/*.conf\n', 'E_OPEN', 'Include/IncludeOptional: Could not open directory @/main.conf: Not a directory'],
    ['Include\n', 'E_ARGS', 'Include takes one argument, Name(s) of the config file(s) to be included; fails if the wildcard does not match at least one file'],
    ['IncludeOptional a b\n', 'E_ARGS', 'IncludeOptional takes one argument, Name or pattern of the config file(s) to be included; ignored if the file does not exist or the pattern does not match any files'],
  ];
  for (const [text, code, message] of cases) {
    const r = readTree(t, { 'main.conf': text });
    t.same(r.errors.map((e) => [e.code, e.message, e.loc.line]), [[code, message.replaceAll('@', r.root), 1]], text);
  }
  const r = readTree(t, { 'main.conf': 'IncludeOptional nope.conf\nIncludeOptional nodir/*.conf\nIncludeOptional *.nomatch\nIncludeOptional x/*/y\nAfter\n' });
  t.same(r.errors, [], 'IncludeOptional is silent when nothing is there');
  t.same(shape(r.tree), ['After']);
  t.end();
});

t.test('recursion stops at the include depth limit', (t) => {
  const r = readTree(t, { 'main.conf': 'Include self.conf\n', 'self.conf': 'Include self.conf\n' });
  t.equal(r.errors.length, 1);
  t.equal(r.errors[0].code, 'E_INCLUDE_DEPTH');
  t.equal(r.errors[0].message, `Exceeded maximum include depth of ${MAX_INCLUDE_DEPTH}, There appears to be a recursion.`);
  t.equal(r.errors[0].includedFrom.length, MAX_INCLUDE_DEPTH);
  const files: Record<string, string> = { 'main.conf': 'Include 0.conf\n' };
  for (let i = 0; i < MAX_INCLUDE_DEPTH - 1; i++) files[`${i}.conf`] = `Include ${i + 1}.conf\n`;
  files[`${MAX_INCLUDE_DEPTH - 1}.conf`] = 'Bottom\n';
  const ok = readTree(t, files);
  t.same(ok.errors, [], `${MAX_INCLUDE_DEPTH} nested Includes are allowed`);
  t.same(shape(ok.tree), ['Bottom']);
  t.end();
});

t.test('collecting all errors, a recursion is cut where it closes and reading stops after maxErrors', (t) => {
  // A directory that includes itself: every file of the cycle once, not 128 times over.
  const files = { 'main.conf': 'Include conf\n', 'conf/a.conf': '</Stray>\nInclude conf\n', 'conf/b.conf': 'B\n' };
  const r = readTree(t, files, { stopAtFirstError: false });
  t.same(
    r.errors.map((e) => [e.code, e.loc.file.slice(r.root.length), e.loc.line]),
    [
      ['E_STRAY_CLOSE', '/conf/a.conf', 1],
      ['E_INCLUDE_DEPTH', '/conf/a.conf', 2],
    ],
    'the stray close once, then the recursion at the Include that closes it',
  );
  t.equal(r.errors[1].message, `${join(r.root, 'conf/a.conf')} includes itself: a recursion (Apache stops it at the maximum include depth of ${MAX_INCLUDE_DEPTH})`);
  t.same(shape(r.tree), ['B', 'B'], 'b.conf from the outer walk and from the one inside a.conf');
  const first = readTree(t, files);
  t.same(first.errors.map((e) => e.code), ['E_STRAY_CLOSE'], "stopping at the first error, as Apache does, nothing changes");

  const many = readTree(t, { 'main.conf': '</X>\n'.repeat(30) + 'Last\n' }, { stopAtFirstError: false, maxErrors: 10 });
  t.equal(many.errors.length, 11, 'ten errors and the one that says reading stopped');
  t.same(many.errors[10], { code: 'E_TOO_MANY_ERRORS', message: '10 errors: the rest of the configuration was not read', loc: many.errors[9].loc, includedFrom: [] });
  t.notOk(JSON.stringify(shape(many.tree)).includes('Last'), 'nothing after the cap is read');
  const all = readTree(t, { 'main.conf': '</X>\n'.repeat(30) }, { stopAtFirstError: false });
  t.equal(all.errors.length, 30, 'under the default cap of 100 every error is listed');
  t.end();
});

t.test('a symlinked directory loop inside an included directory', (t) => {
  const r = readTree(t, { 'main.conf': 'Include loop\n', 'loop/a.conf': 'A\n' });
  symlinkSync(join(r.root, 'loop'), join(r.root, 'loop', 'again'));
  const again = readTree(t, {}, { main: join(r.root, 'main.conf'), serverRoot: r.root });
  // The kernel gives up first (ELOOP after 40 links) or the 128-level limit stops the walk.
  t.equal(again.errors.length, 1);
  t.match(again.errors[0].message, /Too many levels of symbolic links|exceeds the maximum include directory nesting level of 128/);
  t.end();
});

t.test('non-regular files', (t) => {
  const r = readTree(t, { 'main.conf': 'Include /dev/null\nInclude /dev/zero\n' });
  t.same(r.errors.map((e) => e.message), ['Could not open configuration file /dev/zero: Bad file descriptor']);
  t.same(r.warnings.map((w) => [w.id, w.level, w.message]), [['AH00554', 'error', 'Access to file /dev/zero denied by server: not a regular file']]);
  t.end();
});
