import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { captureConfig, makeDocroot } from './fixtures/helpers.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const ENTRY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/child-entry.js');
const docroot = makeDocroot();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ch-child-'));
const snapshot = path.join(tmp, 'config.json');
fs.writeFileSync(snapshot, JSON.stringify(captureConfig(docroot, { errorLog: path.join(tmp, 'error_log'), logLevel: 'info' })));
t.teardown(() => {
  fs.rmSync(docroot, { recursive: true, force: true });
  fs.rmSync(tmp, { recursive: true, force: true });
});

interface Child {
  proc: ChildProcess;
  pod: net.Socket;
  exited: Promise<number | null>;
}

/** A listening socket whose fd the children inherit; the test process itself never accepts on it. */
async function listeningFd(): Promise<{ fd: number; port: number; close: () => void }> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen({ port: 0, host: '127.0.0.1', backlog: 64 }, r));
  const fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
  return { fd, port: (server.address() as net.AddressInfo).port, close: () => server.close() };
}

interface SpawnOptions {
  /** The configuration snapshot; the shared one by default. */
  configSnapshot?: string;
  /** What node runs: [flags…, program]; the unbundled entry by default. */
  argv?: string[];
  env?: NodeJS.ProcessEnv;
}

function spawnChild(listenFd: number, port: number, slot: number, o: SpawnOptions = {}): Child {
  const bootstrap = {
    slot, bucket: 0, generation: 0, scoreboard: { name: 'test' },
    listeners: [{ fd: 4, address: '127.0.0.1', port, protocol: 'http' }],
    acceptMutex: { kind: 'none' }, configSnapshot: o.configSnapshot ?? snapshot, masterPid: process.pid,
  };
  const proc = spawn(process.execPath, o.argv ?? [ENTRY], {
    stdio: ['ignore', 'inherit', 'inherit', 'pipe', listenFd],
    detached: true,
    env: { ...process.env, PREFORK_CHILD: JSON.stringify(bootstrap), ...o.env },
  });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return { proc, pod: proc.stdio[3] as net.Socket, exited };
}

/** A child on a listener of its own (closed here once the child has it), killed at teardown. */
async function startChild(t: Test, slot: number, o: SpawnOptions = {}): Promise<{ child: Child; port: number }> {
  const l = await listeningFd();
  const child = spawnChild(l.fd, l.port, slot, o);
  l.close();
  t.teardown(() => killChild(child));
  return { child, port: l.port };
}

function killChild(c: Child): void {
  if (c.proc.exitCode === null && c.proc.signalCode === null && c.proc.pid) {
    try {
      process.kill(-c.proc.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** One client: a keep-alive request, hold the connection, a closing request; returns timings. */
function slowClient(port: number, holdMs: number): Promise<{ firstAt: number; endAt: number; responses: number; reset: boolean }> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let buf = '';
    let firstAt = 0;
    let reset = false;
    s.on('data', (d) => {
      buf += d.toString('latin1');
      if (!firstAt && buf.includes('hello world\n')) {
        firstAt = Date.now();
        setTimeout(() => s.write('GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'), holdMs);
      }
    });
    s.on('error', () => {
      reset = true;
    });
    s.on('close', () => resolve({ firstAt, endAt: Date.now(), responses: (buf.match(/HTTP\/1\.1 200 OK/g) ?? []).length, reset }));
    s.write('GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n\r\n');
  });
}

t.test('two children, eight held connections: one connection per child at a time, none reset', async (t) => {
  const l = await listeningFd();
  const children = [spawnChild(l.fd, l.port, 0), spawnChild(l.fd, l.port, 1)];
  l.close();
  t.teardown(() => children.forEach(killChild));
  const results = await Promise.all(Array.from({ length: 8 }, () => slowClient(l.port, 300)));
  t.equal(results.filter((r) => r.reset).length, 0, 'no connection reset');
  t.same(results.map((r) => r.responses), Array(8).fill(2), 'every client got both responses');
  // At any instant at most two connections are between their first response and their end.
  const events = results.flatMap((r) => [[r.firstAt, 1], [r.endAt, -1]] as Array<[number, number]>).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let maxOpen = 0;
  for (const [, d] of events) {
    open += d;
    maxOpen = Math.max(maxOpen, open);
  }
  t.ok(maxOpen <= 2, `at most two connections served at once (saw ${maxOpen})`);
  for (const c of children) c.pod.write('!');
  const codes = await Promise.all(children.map((c) => c.exited));
  t.same(codes, [0, 0], 'a pod byte makes each child exit 0');
  const log = fs.readFileSync(path.join(tmp, 'error_log'), 'utf8');
  t.notMatch(log, /PF02010|AH00158/, 'no accept or engine errors logged');
  t.match(log, /PF02008: cannot attach the scoreboard test/, 'a missing scoreboard segment is reported, not fatal');
});

t.test('pod EOF (master gone) makes an idle child exit', async (t) => {
  const l = await listeningFd();
  const child = spawnChild(l.fd, l.port, 2);
  l.close();
  t.teardown(() => killChild(child));
  const r = await slowClient(l.port, 10);
  t.equal(r.responses, 2, 'child serves before the pod closes');
  child.pod.destroy();
  const code = await child.exited;
  t.equal(code, 0, 'exit code 0 on pod EOF');
});

t.test('MaxConnectionsPerChild retires the child after N connections', async (t) => {
  const snap2 = path.join(tmp, 'config-max.json');
  fs.writeFileSync(snap2, JSON.stringify(captureConfig(docroot, { errorLog: path.join(tmp, 'error_log2'), maxConnectionsPerChild: 2 })));
  const { child, port } = await startChild(t, 3, { configSnapshot: snap2 });
  const a = await slowClient(port, 10);
  const b = await slowClient(port, 10);
  t.same([a.responses, b.responses], [2, 2]);
  t.equal(await child.exited, 0, 'exits by itself after two connections');
});

t.test('SIGUSR1 while the child starts: no inspector, the child exits gracefully without accepting', async (t) => {
  const l = await listeningFd();
  t.teardown(() => l.close());
  // The configuration arrives through a FIFO: opening it for writing completes when the child
  // opens it to read, that is while the child is initialising, and the signal is sent then.
  const fifo = path.join(tmp, 'config.fifo');
  execFileSync('mkfifo', [fifo]);
  const bootstrap = {
    slot: 0, bucket: 0, generation: 0, scoreboard: { name: 'test' },
    listeners: [{ fd: 4, address: '127.0.0.1', port: l.port, protocol: 'http' }],
    acceptMutex: { kind: 'none' }, configSnapshot: fifo, masterPid: process.pid,
  };
  const proc = spawn(process.execPath, [ENTRY], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe', l.fd],
    detached: true,
    env: { ...process.env, PREFORK_CHILD: JSON.stringify(bootstrap) },
  });
  t.teardown(() => {
    if (proc.exitCode === null && proc.signalCode === null && proc.pid) {
      try {
        process.kill(-proc.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  let stderr = '';
  proc.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const writer = await fs.promises.open(fifo, 'w');
  proc.kill('SIGUSR1');
  await new Promise((r) => setTimeout(r, 100));
  await writer.writeFile(fs.readFileSync(snapshot));
  await writer.close();
  const code = await exited;
  t.equal(code, 0, 'a graceful exit');
  t.notMatch(stderr, /Debugger listening|inspector/i, 'no inspector opened');
  const probe = await new Promise<string>((resolve) => {
    const c = net.connect(l.port, '127.0.0.1');
    c.setTimeout(300, () => { c.destroy(); resolve('not accepted'); });
    c.on('data', () => resolve('answered'));
    c.on('error', (e) => resolve(e.message));
    c.write('GET / HTTP/1.0\r\n\r\n');
  });
  t.equal(probe, 'not accepted', 'it accepted nothing');
});

t.test('an idle child gives memory back (PF02009 at LogLevel debug) and still serves after', async (t) => {
  const errorLog = path.join(tmp, 'error_log_idle');
  const snap3 = path.join(tmp, 'config-idle.json');
  fs.writeFileSync(snap3, JSON.stringify(captureConfig(docroot, { errorLog, logLevel: 'debug' })));
  const { child, port } = await startChild(t, 4, { configSnapshot: snap3, env: { PREFORK_IDLE_MEMORY_MS: '300' } });
  const reduced = async (n: number): Promise<string[]> => {
    for (let i = 0; i < 200; i++) {
      const lines = (fs.existsSync(errorLog) ? fs.readFileSync(errorLog, 'utf8') : '').split('\n').filter((x) => x.includes('PF02009'));
      if (lines.length >= n) return lines;
      await sleep(50);
    }
    return [];
  };
  const first = await reduced(1);
  t.equal(first.length, 1, 'a fresh child that waited reduces once');
  const m = /\[mpm_prefork:debug\] \[pid \d+(?::tid \d+)?\] PF02009: idle: heap reduced from (\d+) to (\d+) kB/.exec(first[0] ?? '');
  t.ok(m, `the message: ${first[0]}`);
  if (m) t.ok(Number(m[2]) < Number(m[1]), 'the committed heap is smaller after');
  const r = await slowClient(port, 10);
  t.same([r.responses, r.reset], [2, false], 'connections are served after the reduction');
  await sleep(700);
  t.equal((await reduced(1)).length, 1, 'no second reduction without the heap growing by 1 MB');
  child.pod.write('!');
  t.equal(await child.exited, 0, 'a pod byte still ends it');
});

// The root build (`prepare`) bundles the child with esbuild, a devDependency: the workspace has both files.
const LOADER = path.resolve(path.dirname(ENTRY), 'child-load.cjs');

t.test('the bundled child through its loader: the first child makes the code cache, the next compiles from it', async (t) => {
  const runtime = fs.mkdtempSync(path.join(os.tmpdir(), 'ch-runtime-'));
  t.teardown(() => fs.rmSync(runtime, { recursive: true, force: true }));
  const errorLog = path.join(runtime, 'error_log');
  const snap4 = path.join(runtime, 'config.json');
  fs.writeFileSync(snap4, JSON.stringify(captureConfig(docroot, { errorLog, logLevel: 'debug' })));
  const start = (slot: number) => startChild(t, slot, { configSnapshot: snap4, argv: ['--v8-pool-size=0', LOADER], env: { PREFORK_CODE_CACHE: '' } });
  const caches = (): string[] => fs.readdirSync(runtime).filter((n) => n.endsWith('.v8cache'));
  const logged = (): string[] => (fs.existsSync(errorLog) ? fs.readFileSync(errorLog, 'utf8') : '').split('\n').filter((x) => x.includes('PF02012'));

  const a = await start(5);
  const r1 = await slowClient(a.port, 10);
  t.same([r1.responses, r1.reset], [2, false], 'the first child serves');
  a.child.pod.write('!');
  t.equal(await a.child.exited, 0);
  t.equal(caches().length, 1, 'one cache file in the runtime directory');
  t.ok(fs.statSync(path.join(runtime, caches()[0]!)).size > 10_000, 'holding the compiled program');

  const b = await start(6);
  const r2 = await slowClient(b.port, 10);
  t.same([r2.responses, r2.reset], [2, false], 'the second child serves');
  b.child.pod.write('!');
  t.equal(await b.child.exited, 0);
  t.same(logged().map((l) => l.replace(/^.*PF02012: /, '')), ['code cache: writer', 'code cache written', 'code cache: used'], 'PF02012 at LogLevel debug says what each did');
});
