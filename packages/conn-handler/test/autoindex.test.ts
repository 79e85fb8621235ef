/**
 * mod_autoindex's pieces in the child (handlers/autoindex.ts) and Options merging
 * (handlers/access.ts). Case http/autoindex compares whole listings with apache2's.
 */
import t from 'tap';
import { fnmatch, osEscapePath, strcmpMatch, strfsize, strnatcmp } from '../src/handlers/autoindex.js';
import { escapeHtml } from '../src/http/status.js';
import { allowOptions } from '../src/handlers/access.js';
import { defaultChildConfig, type AccessSection } from '../src/config.js';

t.test('apr_strfsize', async (t) => {
  const cases: Array<[number, string]> = [[-1, '  - '], [0, '  0 '], [972, '972 '], [973, '1.0K'], [2000, '2.0K'], [9 * 1024 + 972, '9.9K'], [15000, ' 15K'], [1_200_000, '1.1M'], [972 * 1024, '972K'], [973 * 1024, '1.0M']];
  for (const [n, s] of cases) t.equal(strfsize(n), s, String(n));
});

t.test('apr_strnatcmp: digit runs by value, leading zeros as fractions, spaces skipped', async (t) => {
  const sorted = ['file1', 'file9', 'file10', 'file10a', 'file11'].sort(() => 0);
  t.same([...sorted].reverse().sort((a, b) => strnatcmp(a, b)), ['file1', 'file9', 'file10', 'file10a', 'file11']);
  t.ok(strnatcmp('x01', 'x1') < 0, 'a leading zero compares as a fraction');
  t.equal(strnatcmp('a  1', 'a1'), 0, 'white space is skipped');
  t.ok(strnatcmp('File2', 'file1') < 0, 'case matters');
  t.ok(strnatcmp('File2', 'file1', true) > 0, 'unless folded');
});

t.test('wildcards: ap_strcmp_match and apr_fnmatch', async (t) => {
  t.ok(strcmpMatch('/srv/a.tar', '*.tar'));
  t.notOk(strcmpMatch('/srv/a.tar.gz', '*.tar'));
  t.ok(strcmpMatch('TEXT/plain', 'text/*', true));
  t.ok(fnmatch('*.txt', 'a.txt'));
  t.notOk(fnmatch('*.txt', '.a.txt', { period: true }), 'a leading dot needs a dot');
  t.ok(fnmatch('[!a]*', 'b'));
  t.notOk(fnmatch('[!a]*', 'a'));
  t.ok(fnmatch('a\\*', 'a*'), 'a backslash escapes');
  t.notOk(fnmatch('a\\*', 'a*', { noEscape: true }));
});

t.test('escaping of names in links', async (t) => {
  t.equal(escapeHtml(osEscapePath('q&a <x>.txt')), 'q&amp;a%20%3cx%3e.txt');
  t.equal(osEscapePath('c:file'), './c:file', 'a colon before any slash would read as a scheme');
  t.equal(osEscapePath('é'), '%e9');
  t.equal(osEscapePath('c:a b', true), 'c:a%20b', 'partial (ap_escape_uri): no ./');
});

t.test('Options merge: a set replaces, +/- change what came before', async (t) => {
  const cfg = defaultChildConfig();
  const s = (o: Partial<AccessSection>): AccessSection => ({ kind: 'directory', pattern: '/', require: [], ...o });
  t.same([...allowOptions(cfg, [])], ['FollowSymLinks']);
  t.ok(allowOptions(cfg, [s({ options: ['Indexes'] })]).has('Indexes'));
  t.notOk(allowOptions(cfg, [s({ options: ['Indexes'] }), s({ optionsRemove: ['Indexes'] })]).has('Indexes'));
  t.ok(allowOptions(cfg, [s({ options: ['None'] }), s({ optionsAdd: ['Indexes'] })]).has('Indexes'));
  t.ok(allowOptions(cfg, [s({ options: ['All'] })]).has('Indexes'), 'All includes Indexes');
  t.notOk(allowOptions(cfg, [s({ optionsAdd: ['Indexes'] }), s({ options: ['FollowSymLinks'] })]).has('Indexes'), 'a later set clears earlier changes');
  t.ok(allowOptions({ ...cfg, options: { add: ['Indexes'], remove: [] } }, []).has('Indexes'), 'server-wide +Indexes');
});

t.test('access files: found on the walk only where AllowOverride lets them in', async (t) => {
  const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { accessFileOnWalk } = await import('../src/handlers/access.js');
  const root = mkdtempSync(`${tmpdir()}/pf-htaccess-`);
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(`${root}/a/b`, { recursive: true });
  writeFileSync(`${root}/a/.htaccess`, 'Require all denied\n');
  const dir = (pattern: string, allowOverride?: string[]): AccessSection => ({ kind: 'directory', pattern, require: [], ...(allowOverride ? { allowOverride } : {}) });
  const none = { ...defaultChildConfig(), sections: [dir(root, ['None'])] };
  t.equal(accessFileOnWalk(none, `${root}/a/b/x.txt`, false), undefined, 'AllowOverride None: never looked for');
  const all = { ...defaultChildConfig(), sections: [dir(root, ['All'])] };
  t.equal(accessFileOnWalk(all, `${root}/a/b/x.txt`, false), `${root}/a/.htaccess`, 'found in a parent directory');
  t.equal(accessFileOnWalk(all, `${root}/x.txt`, false), undefined, 'not on this walk');
  const deeperNone = { ...defaultChildConfig(), sections: [dir(root, ['All']), dir(`${root}/a`, ['None'])] };
  t.equal(accessFileOnWalk(deeperNone, `${root}/a/b/x.txt`, false), undefined, 'the deepest setting wins');
  const named = { ...defaultChildConfig(), accessFileNames: ['.acl'], sections: [dir(root, ['AuthConfig'])] };
  t.equal(accessFileOnWalk(named, `${root}/a/b/x.txt`, false), undefined, 'AccessFileName names other files');
});
