/**
 * -k against a real process: a sleeping Node process in its own session stands for the master
 * (it reports the signals it gets), and is killed in teardown whatever happens.
 */
import t, { type Test } from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { readPidFile, signalServer, type ProcessControl } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'prefork-pid-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

/** Starts a process that prints the name of each signal it receives. */
async function fakeMaster(t: Test): Promise<{ child: ChildProcess; signals: () => string }> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      "for (const s of ['SIGHUP','SIGUSR1','SIGWINCH','SIGTERM']) process.on(s, () => { process.stdout.write(s + '\\n'); if (s === 'SIGTERM') process.exit(0); });" +
        "process.stdout.write('ready\\n'); setInterval(() => {}, 1000);",
    ],
    { detached: true, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  });
  while (!out.includes('ready')) await once(child.stdout!, 'data');
  return { child, signals: () => out.replace('ready\n', '') };
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
}

t.test('readPidFile follows ap_read_pid', async (t) => {
  const f = join(dir, 'a.pid');
  const cases: [string, ReturnType<typeof readPidFile>][] = [
    ['1234\n', { kind: 'pid', pid: 1234 }],
    ['1234', { kind: 'pid', pid: 1234 }],
    ['123abc', { kind: 'pid', pid: 123 }],
    ['99999999999', { kind: 'pid', pid: 1215752191 }],
    ['', { kind: 'error', status: '(20014)Internal error (specific information not available)' }],
    ['abc', { kind: 'error', status: '(20014)Internal error (specific information not available)' }],
    [' 123', { kind: 'error', status: '(20014)Internal error (specific information not available)' }],
    ['-5', { kind: 'error', status: '(20014)Internal error (specific information not available)' }],
    ['1'.repeat(31), { kind: 'error', status: '(20014)Internal error (specific information not available)' }],
  ];
  for (const [content, expected] of cases) {
    writeFileSync(f, content);
    t.same(readPidFile(f), expected, JSON.stringify(content));
  }
  t.same(readPidFile(join(dir, 'none.pid')), { kind: 'absent' });
  mkdirSync(join(dir, 'isdir.pid'));
  t.same(readPidFile(join(dir, 'isdir.pid')), { kind: 'error', status: '(21)Is a directory' });
});

t.test('-k verbs signal a running server as httpd does', async (t) => {
  const f = join(dir, 'run.pid');
  const master = await fakeMaster(t);
  writeFileSync(f, `${master.child.pid}\n`);
  const expectSignal = async (verb: 'restart' | 'graceful' | 'graceful-stop', signal: string) => {
    const before = master.signals();
    const r = signalServer(verb, f);
    t.same(r, { proceed: false, exitCode: 0, stdout: [], stderr: [] }, `${verb}: silent`);
    await until(() => master.signals() !== before);
    t.equal(master.signals().slice(before.length), signal + '\n', `${verb} sends ${signal}`);
  };
  await expectSignal('restart', 'SIGHUP');
  await expectSignal('graceful', 'SIGUSR1');
  await expectSignal('graceful-stop', 'SIGWINCH');
  t.same(signalServer('start', f).stdout, [`httpd (pid ${master.child.pid}) already running`]);
  t.same(signalServer(undefined, f).stdout, [`httpd (pid ${master.child.pid}) already running`], 'no -k acts as start');
  t.equal(signalServer('start', f).proceed, false);
  const stop = signalServer('stop', f);
  t.same(stop, { proceed: false, exitCode: 0, stdout: [], stderr: [] });
  if (master.child.exitCode === null) await once(master.child, 'exit');
  t.match(master.signals(), /SIGTERM\n$/, 'stop sends SIGTERM');
});

t.test('-k with no server running', async (t) => {
  const absent = join(dir, 'absent.pid');
  t.same(signalServer('stop', absent).stdout, ['httpd (no pid file) not running']);
  t.same(signalServer('graceful-stop', absent).stdout, ['httpd (no pid file) not running']);
  t.same(signalServer('restart', absent), { proceed: true, exitCode: 0, stdout: ['httpd not running, trying to start', 'httpd not running, trying to start'], stderr: [] });
  t.same(signalServer('graceful', absent), { proceed: true, exitCode: 0, stdout: ['httpd not running, trying to start', 'httpd not running, trying to start'], stderr: [] });
  t.same(signalServer('start', absent), { proceed: true, exitCode: 0, stdout: [], stderr: [] });

  const stale = join(dir, 'stale.pid');
  writeFileSync(stale, '2147483646\n');
  t.same(signalServer('stop', stale).stdout, ['httpd (pid 2147483646?) not running']);
  writeFileSync(stale, '0\n');
  const zero = signalServer('stop', stale);
  t.same(zero.stdout, ['httpd (pid 0?) not running'], 'pid 0 is never signalled (it would be our process group)');

  const own = join(dir, 'own.pid');
  writeFileSync(own, `${process.pid}\n`);
  t.same(signalServer('stop', own).stdout, [`httpd (pid ${process.pid}?) not running`], 'our own pid is not another server');

  const garbage = join(dir, 'garbage.pid');
  writeFileSync(garbage, 'garbage\n');
  t.same(signalServer('stop', garbage), {
    proceed: false,
    exitCode: 1,
    stdout: [],
    stderr: [
      `(20014)Internal error (specific information not available): AH00058: Error retrieving pid file ${garbage}`,
      'AH00059: Remove it before continuing if it is corrupted.',
    ],
  });
});

t.test('a failed kill is AH00057 and, for graceful, exit 1', async (t) => {
  const f = join(dir, 'eperm.pid');
  writeFileSync(f, '4242\n');
  const control: ProcessControl = {
    alive: () => true,
    signal: () => ({ ok: false, status: '(1)Operation not permitted' }),
    ownPid: process.pid,
  };
  t.same(signalServer('graceful', f, control), {
    proceed: false,
    exitCode: 1,
    stdout: [],
    stderr: ['(1)Operation not permitted: AH00057: sending signal to server'],
  });
  t.equal(signalServer('stop', f, control).exitCode, 0, 'stop ignores the failure, as httpd does');
});
