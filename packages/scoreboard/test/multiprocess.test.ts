import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Scoreboard, ServerStatus, renderScoreboardString, segmentPath } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const childScript = join(here, 'fixtures', 'child.mjs');
const srcDir = join(here, '..', 'src');
const distDir = join(here, '..', 'dist');

// Children run the built package (plain JS starts in milliseconds; a TypeScript
// loader per child would take seconds), so the build must be current.
t.before(() => {
  const stale = readdirSync(srcDir).filter((f) => f.endsWith('.ts')).filter((f) => {
    const built = join(distDir, f.replace(/\.ts$/, '.js'));
    return !existsSync(built) || statSync(built).mtimeMs < statSync(join(srcDir, f)).mtimeMs;
  });
  if (stale.length > 0) {
    throw new Error(`packages/scoreboard/dist is missing or older than src (${stale.join(', ')}): run \`npx tsc -b packages/scoreboard\` first`);
  }
});

function uniqueName(tag: string): string {
  return `/pf-test-${process.pid}-${tag}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Spawns the fixture child in its own session; killed at teardown whatever happens. */
function startChild(tt: { teardown(fn: () => void): void }, args: string[]): ChildProcess {
  const child = spawn(process.execPath, [childScript, ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  tt.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) {
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ }
    }
  });
  return child;
}

function waitExit(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode, stderr });
    else child.on('exit', (code, signal) => resolve({ code, signal, stderr }));
  });
}

function waitReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready\n')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`child exited with ${code} before it was ready`)));
  });
}

t.test('children write their own slots while the master snapshots', async (tt) => {
  const name = uniqueName('work');
  const sb = Scoreboard.create({ location: { kind: 'shm', name }, serverLimit: 8 });
  tt.teardown(() => { sb.close(); rmSync(segmentPath({ kind: 'shm', name }), { force: true }); });
  const slots = [1, 2, 4, 6];
  const iterations = 20000;
  for (const s of slots) sb.updateChildStatus(s, 0, ServerStatus.SERVER_STARTING);
  const exits = slots.map((s) => waitExit(startChild(tt, ['work', name, String(s), String(iterations)])));

  const allowed = new Set([ServerStatus.SERVER_STARTING, ServerStatus.SERVER_READY, ServerStatus.SERVER_BUSY_READ, ServerStatus.SERVER_BUSY_WRITE]);
  let snapshots = 0;
  let badStatus = 0;
  let othersTouched = 0;
  let done = false;
  void Promise.all(exits).then(() => { done = true; });
  let snap = sb.snapshot();
  while (!done) {
    snap = sb.snapshot(snap);
    snapshots++;
    for (let i = 0; i < 8; i++) {
      const st = snap.status[i]!;
      if (slots.includes(i)) { if (!allowed.has(st)) badStatus++; }
      else if (st !== ServerStatus.SERVER_DEAD) othersTouched++;
    }
    await new Promise((r) => setImmediate(r));
  }
  const results = await Promise.all(exits);
  for (const r of results) tt.equal(r.code, 0, `child exited cleanly ${r.stderr}`);
  tt.ok(snapshots > 0, `master took ${snapshots} snapshots while children ran`);
  tt.equal(badStatus, 0, 'every status seen in a child slot was one the child wrote');
  tt.equal(othersTouched, 0, 'slots without a child stayed DEAD');
  for (const s of slots) {
    const w = sb.worker(s);
    tt.equal(w.accessCount, BigInt(iterations), `slot ${s} access_count`);
    tt.equal(w.bytesServed, BigInt(iterations) * 10n, `slot ${s} bytes_served`);
    tt.equal(w.status, ServerStatus.SERVER_READY, `slot ${s} ends READY`);
    tt.equal(w.request, `GET /${s}/${iterations - 1} HTTP/1.1`, `slot ${s} last request`);
    tt.equal(w.threadNum, s, 'thread_num set on STARTING -> READY');
    tt.equal(sb.process(s).generation, 7, 'generation stored by the child on READY');
  }
  tt.equal(renderScoreboardString(sb.snapshot()), '.__._._.', 'status string');
});

t.test('a child killed with SIGKILL mid-update leaves the segment usable', async (tt) => {
  const name = uniqueName('kill');
  const sb = Scoreboard.create({ location: { kind: 'shm', name }, serverLimit: 4 });
  tt.teardown(() => { sb.close(); rmSync(segmentPath({ kind: 'shm', name }), { force: true }); });
  sb.updateChildStatus(2, 0, ServerStatus.SERVER_STARTING);
  const child = startChild(tt, ['forever', name, '2', '0']);
  const exit = waitExit(child);
  await waitReady(child);
  await new Promise((r) => setTimeout(r, 50));
  process.kill(child.pid!, 'SIGKILL');
  const r = await exit;
  tt.equal(r.signal, 'SIGKILL', 'child died by SIGKILL');
  const w = sb.worker(2);
  const before = w.accessCount;
  tt.ok(before > 0n, `child had counted ${before} requests`);
  tt.ok(w.myAccessCount - before <= 1n && before - w.myAccessCount <= 1n, 'counters at most one update apart');
  tt.match(w.request, /^GET \/2\/\d+ HTTP\/1\.1$/, 'request field holds a whole request line');
  // The master notes the death as httpd's reaper does, then a new child takes the slot.
  sb.updateChildStatus(2, 0, ServerStatus.SERVER_DEAD, { extended: true });
  tt.equal(sb.worker(2).myAccessCount, 0n, 'DEAD resets my_access_count');
  sb.updateChildStatus(2, 0, ServerStatus.SERVER_STARTING);
  const again = await waitExit(startChild(tt, ['work', name, '2', '100']));
  tt.equal(again.code, 0, `replacement child ran ${again.stderr}`);
  tt.equal(sb.worker(2).accessCount, before + 100n, 'replacement child kept counting on the same slot');
  tt.equal(sb.worker(2).myAccessCount, 100n, 'my_access_count restarted at 0');
});

t.test('clean shutdown removes the segment; a stale one is replaced at start', async (tt) => {
  const name = uniqueName('stale');
  const path = segmentPath({ kind: 'shm', name });
  tt.teardown(() => rmSync(path, { force: true }));
  const crashed = startChild(tt, ['crash', name, '0', '0']);
  const exit = waitExit(crashed);
  await waitReady(crashed);
  process.kill(crashed.pid!, 'SIGKILL');
  await exit;
  tt.ok(existsSync(path), 'a crashed master leaves its segment behind');

  const sb = Scoreboard.create({ location: { kind: 'shm', name }, serverLimit: 5 });
  tt.equal(sb.replacedStale, true, 'the stale segment is detected');
  tt.equal(sb.global.serverLimit, 5, 'the new segment has the new ServerLimit');
  tt.equal(sb.worker(1).status, ServerStatus.SERVER_DEAD, 'nothing of the old contents survives');
  tt.equal(sb.worker(1).request, '');
  tt.equal(statSync(path).size, sb.geometry.size, 'resized to ap_calc_scoreboard_size');
  tt.equal(statSync(path).mode & 0o777, 0o600, 'mode 0600');

  const child = waitExit(startChild(tt, ['work', name, '3', '10']));
  tt.equal((await child).code, 0);
  tt.equal(sb.worker(3).accessCount, 10n);
  tt.equal(sb.destroy(), true, 'destroy removed it');
  tt.notOk(existsSync(path), 'segment is gone from /dev/shm after a clean shutdown');
});
