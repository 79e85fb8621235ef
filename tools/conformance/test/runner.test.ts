import t, { type Test } from 'tap';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, sideFor, suiteOptions } from '../src/cli.js';
import { runSuite, type SuiteOptions } from '../src/runner.js';
import { isAlive } from '../src/processes.js';

// tap instruments child processes through NODE_OPTIONS; the fake programs start much faster without it.
delete process.env.NODE_OPTIONS;

const here = fileURLToPath(new URL('.', import.meta.url));
const fake = join(here, 'fixtures', 'fake-httpd.mjs');
const fakeCmd = (flavour: string): string => `${process.execPath} ${fake} ${flavour}`;

/** A private copy of the test cases (record mode writes into it). */
function cases(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'conformance-test-'));
  cpSync(join(here, 'fixtures', 'cases'), dir, { recursive: true });
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function suite(t: Test, argv: string[], fixtures: string): Promise<{ lines: string[]; result: Awaited<ReturnType<typeof runSuite>> }> {
  const lines: string[] = [];
  const opts: SuiteOptions = suiteOptions(parseArgs([...argv, '--fixtures', fixtures]), (l) => lines.push(...l.split('\n')));
  const result = await runSuite(opts);
  t.match(lines.at(-1), /^conformance: \d+ passed, \d+ failed/, 'the last line is the summary');
  return { lines, result };
}

t.test('command line', async (t) => {
  const o = parseArgs(['--case', 'config/*', '--area', 'dumps', '--ours-only', '--jobs', '2']);
  t.same(o.caseGlobs, ['config/*']);
  t.equal(o.mode, 'ours-only');
  t.equal(o.jobs, 2);
  t.throws(() => parseArgs(['--jobs', '2x']), /--jobs takes a number/);
  t.throws(() => parseArgs(['--record', '--ours-only']), /exclude each other/);
  t.throws(() => parseArgs(['--frob']), /unknown option "--frob"/);
  t.throws(() => parseArgs(['--case']), /--case needs a value/);
  const s = sideFor('ours', [process.execPath, '/repo/packages/httpd/bin/prefork.js']);
  t.ok(s.programPaths.includes('/repo/packages/httpd/bin/prefork.js'));
  t.ok(s.programPaths.includes(`${process.execPath} /repo/packages/httpd/bin/prefork.js`));
});

t.test('sides that agree pass; normalisation hides ServerRoot, version, build date', async (t) => {
  const dir = cases(t);
  const { lines, result } = await suite(t, ['--apache-cmd', fakeCmd('apache'), '--ours-cmd', fakeCmd('ours'), '--area', 'agree'], dir);
  t.equal(result.failed, 0, lines.join('\n'));
  t.equal(result.passed, 3);
  t.ok(lines.includes('ok agree/version'));
});

t.test('a side that prints a different message fails with a readable diff', async (t) => {
  const dir = cases(t);
  const { lines, result } = await suite(t, ['--apache-cmd', fakeCmd('apache'), '--ours-cmd', fakeCmd('ours-bad'), '--case', 'agree/unknown-directive'], dir);
  t.equal(result.failed, 1);
  t.equal(result.passed, 0);
  const text = lines.join('\n');
  t.match(text, /not ok agree\/unknown-directive/);
  t.match(text, /- AH00526: Syntax error on line 2 of @ROOT@\/conf\/httpd.conf:/);
  t.match(text, /\+ PF99999: something else went wrong in @ROOT@\/conf\/httpd.conf/);
  t.equal(lines.at(-1), 'conformance: 0 passed, 1 failed');
});

t.test('record, then ours-only; a missing recording fails; skipped areas are counted', async (t) => {
  const dir = cases(t);
  const rec = await suite(t, ['--record', '--apache-cmd', fakeCmd('apache'), '--area', 'agree'], dir);
  t.equal(rec.result.passed, 3);
  const exp = JSON.parse(readFileSync(join(dir, 'agree', 'version', 'expected.json'), 'utf8'));
  t.equal(exp.steps[0].stdout, 'Server version: <version>\nServer built:   <built>\n');
  const ok = await suite(t, ['--ours-only', '--ours-cmd', fakeCmd('ours'), '--area', 'agree'], dir);
  t.equal(ok.result.passed, 3);
  const bad = await suite(t, ['--ours-only', '--ours-cmd', fakeCmd('ours-bad'), '--area', 'agree'], dir);
  t.equal(bad.result.failed, 1, 'only the message that differs fails');
  const none = await suite(t, ['--ours-only', '--ours-cmd', fakeCmd('ours'), '--area', 'pending', '--include-skipped'], dir);
  t.match(none.lines.join('\n'), /no recorded observations .*run with --record/);
  const skipped = await suite(t, ['--ours-only', '--ours-cmd', fakeCmd('ours'), '--area', 'pending'], dir);
  t.ok(skipped.lines.includes('skip pending/later: needs something that does not exist yet'));
  t.equal(skipped.lines.at(-1), 'conformance: 0 passed, 0 failed, 1 skipped');
});

t.test('live Apache differing from its recording is a warning, not a failure', async (t) => {
  const dir = cases(t);
  await suite(t, ['--record', '--apache-cmd', fakeCmd('apache'), '--case', 'agree/syntax-ok'], dir);
  process.env.FAKE_DRIFT = '1';
  t.teardown(() => delete process.env.FAKE_DRIFT);
  const { lines, result } = await suite(t, ['--apache-cmd', fakeCmd('apache'), '--ours-cmd', fakeCmd('apache'), '--case', 'agree/syntax-ok'], dir);
  t.equal(result.passed, 1);
  const text = lines.join('\n');
  t.match(text, /warning agree\/syntax-ok: live Apache differs from the recorded expected.json/);
  t.match(text, /\+ Syntax OK, drifted/);
});

t.test('Apache missing: every case fails and says why', async (t) => {
  const dir = cases(t);
  const { lines, result } = await suite(t, ['--apache-cmd', '/nonexistent/apache2', '--ours-cmd', fakeCmd('ours'), '--area', 'agree'], dir);
  t.equal(result.failed, 3);
  t.match(lines.join('\n'), /Apache not found at \/nonexistent\/apache2 \(install Debian's apache2, or run with --ours-only\)/);
});

t.test('a failing server case still stops every process it started and removes its ServerRoot', async (t) => {
  const dir = cases(t);
  const pidDir = mkdtempSync(join(tmpdir(), 'conformance-pids-'));
  process.env.FAKE_PID_DIR = pidDir;
  t.teardown(() => {
    delete process.env.FAKE_PID_DIR;
    // Belt and braces: never leave the fake servers behind, even if the assertion below fails.
    for (const f of readdirSync(pidDir)) for (const p of readFileSync(join(pidDir, f), 'utf8').trim().split(' ')) {
      try { process.kill(Number(p), 'SIGKILL'); } catch { /* gone */ }
    }
    rmSync(pidDir, { recursive: true, force: true });
  });
  const before = new Set(readdirSync(tmpdir()).filter((d) => d.startsWith('prefork-conf-')));
  const { lines, result } = await suite(t, ['--apache-cmd', fakeCmd('apache'), '--ours-cmd', fakeCmd('ours-bad'), '--area', 'server'], dir);
  t.equal(result.failed, 1);
  const text = lines.join('\n');
  t.match(text, /step 2 \(http\) body/);
  t.match(text, /- same body/);
  t.match(text, /\+ a different body/);
  t.notMatch(text, /step 2 \(http\) headers/, 'the Server header differs only by the normalised product token');
  const pidFiles = readdirSync(pidDir);
  t.equal(pidFiles.length, 2, 'both fake servers ran');
  for (const f of pidFiles) {
    const pids = readFileSync(join(pidDir, f), 'utf8').trim().split(' ').map(Number);
    t.equal(pids.length, 2);
    for (const p of pids) t.notOk(isAlive(p), `${f}: pid ${p} (master or TERM-ignoring worker in its own session) is gone`);
  }
  const after = readdirSync(tmpdir()).filter((d) => d.startsWith('prefork-conf-') && !before.has(d));
  t.same(after, [], 'no temporary ServerRoot left');
  t.ok(existsSync(dir));
});

t.test('an exclusive case runs alone, after the parallel ones', async (t) => {
  const dir = cases(t);
  const file = join(dir, 'agree', 'syntax-ok', 'case.json');
  writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), exclusive: true }));
  const { lines, result } = await suite(t, ['--apache-cmd', fakeCmd('apache'), '--ours-cmd', fakeCmd('ours'), '--area', 'agree', '--jobs', '3'], dir);
  t.equal(result.passed, 3, lines.join('\n'));
  const reported = lines.filter((l) => l.startsWith('ok '));
  t.equal(reported.at(-1), 'ok agree/syntax-ok', 'reported last although it sorts first');
});
