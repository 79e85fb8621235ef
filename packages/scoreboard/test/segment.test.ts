import t from 'tap';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FIELD_WRITERS, MAX_SERVER_LIMIT, NativeLoadError, RequestTiming, Scoreboard, ScoreboardError, ServerStatus,
  calcScoreboardGeometry, layout, loadNative, segmentPath, shmNameFor, type SegmentLocation,
} from '../src/index.js';

function shm(tt: { teardown(fn: () => void): void }, tag: string): SegmentLocation {
  const loc: SegmentLocation = { kind: 'shm', name: `/pf-test-${process.pid}-${tag}` };
  tt.teardown(() => rmSync(segmentPath(loc), { force: true }));
  return loc;
}

function errorCode(fn: () => unknown): { code?: string; message?: string } {
  try {
    fn();
  } catch (e) {
    return e as ScoreboardError;
  }
  return {};
}

t.test('size and placement follow ap_calc_scoreboard_size', (tt) => {
  const align = (n: number) => Math.ceil(n / 8) * 8;
  for (const limit of [1, 256, 20000, MAX_SERVER_LIMIT]) {
    const g = calcScoreboardGeometry(layout, limit);
    tt.equal(g.size, align(layout.global_score.size) + align(layout.process_score.size) * limit + align(layout.worker_score.size) * limit, `ServerLimit ${limit}`);
    tt.equal(g.workerBase, align(layout.global_score.size) + align(layout.process_score.size) * limit);
  }
  const threaded = calcScoreboardGeometry(layout, 16, 64);
  tt.equal(threaded.size - threaded.workerBase, align(layout.worker_score.size) * 16 * 64, 'server_limit × thread_limit workers');
  for (const bad of [0, -1, 1.5, MAX_SERVER_LIMIT + 1, Number.NaN]) {
    tt.throws(() => calcScoreboardGeometry(layout, bad), RangeError, `ServerLimit ${bad} rejected`);
  }
  tt.end();
});

t.test('every field of every struct has a documented writer', (tt) => {
  for (const struct of ['global_score', 'process_score', 'worker_score'] as const) {
    const top = Object.keys(layout[struct].fields).filter((f) => !f.includes('.'));
    const writers = FIELD_WRITERS[struct] as Record<string, string>;
    for (const f of top) {
      if (struct === 'worker_score' && f === 'tid') { tt.equal(writers[f], 'child'); continue; }
      tt.ok(writers[f], `${struct}.${f} has a writer`);
    }
  }
  tt.end();
});

t.test('create: mode 0600, zeroed, global fields set; attach reads the limits', (tt) => {
  const loc = shm(tt, 'create');
  const before = Date.now() * 1000;
  const sb = Scoreboard.create({ location: loc, serverLimit: 10 });
  tt.teardown(() => sb.close());
  const st = statSync(segmentPath(loc));
  tt.equal(st.mode & 0o777, 0o600, 'mode 0600 whatever the umask');
  tt.equal(st.size, sb.geometry.size);
  tt.equal(sb.replacedStale, false);
  tt.equal(sb.global.serverLimit, 10);
  tt.equal(sb.global.threadLimit, 1);
  tt.equal(sb.global.runningGeneration, 0);
  const rt = Number(sb.global.restartTime);
  tt.ok(rt >= before - 1000 && rt <= Date.now() * 1000 + 1000, 'restart_time is apr_time_now() in microseconds');

  const child = Scoreboard.attach({ location: loc });
  tt.teardown(() => child.close());
  tt.equal(child.serverLimit, 10);
  tt.equal(child.owner, false);
  sb.global.runningGeneration = 4;
  tt.equal(child.global.runningGeneration, 4, 'the child sees the master\'s write');
  tt.equal(errorCode(() => child.destroy()).code, 'SB_NOT_OWNER');
  tt.end();
});

t.test('accessors round-trip every field type', (tt) => {
  const sb = Scoreboard.create({ location: shm(tt, 'fields'), serverLimit: 3 });
  tt.teardown(() => sb.close());
  const ps = sb.process(2);
  ps.pid = 123456; ps.generation = 9; ps.quiescing = true; ps.notAccepting = true;
  ps.connections = 4294967295; ps.keepAlive = 3; ps.waitIo = 2;
  tt.same([ps.pid, ps.generation, ps.quiescing, ps.notAccepting, ps.connections, ps.keepAlive, ps.waitIo], [123456, 9, true, true, 4294967295, 3, 2]);
  tt.equal(sb.process(1).pid, 0, 'neighbouring slot untouched');

  const ws = sb.worker(2);
  ws.connCount = 65535; ws.connBytes = -5n; ws.bytesServed = 2n ** 62n; ws.accessCount = 2n ** 64n - 1n;
  ws.startTime = 1700000000000000n; ws.duration = 42n;
  ws.times = { utime: 1n, stime: 2n, cutime: 3n, cstime: 4n };
  tt.same([ws.connCount, ws.connBytes, ws.bytesServed, ws.accessCount, ws.startTime, ws.duration],
    [65535, -5n, 2n ** 62n, 2n ** 64n - 1n, 1700000000000000n, 42n]);
  tt.same(ws.times, { utime: 1n, stime: 2n, cutime: 3n, cstime: 4n });
  ws.request = 'x'.repeat(100);
  tt.equal(ws.request, 'x'.repeat(63), 'request truncated to 63 bytes plus NUL (apr_cpystrn)');
  ws.request = 'GET /';
  tt.equal(ws.request, 'GET /', 'a shorter value clears the old tail');
  ws.client64 = 'h'.repeat(70); ws.vhost = 'www.example.com:80'; ws.protocol = 'http/1.1';
  tt.same([ws.client64.length, ws.vhost, ws.protocol], [63, 'www.example.com:80', 'http/1.1']);
  tt.equal(sb.worker(1).request, '', 'neighbouring slot untouched');

  // The bytes land where httpd's C code would read them.
  const view = new DataView(sb.buffer);
  const wbase = sb.geometry.workerBase + 2 * sb.geometry.workerStride;
  tt.equal(view.getUint16(wbase + layout.worker_score.fields.conn_count!, true), 65535, 'conn_count at its C offset');
  tt.equal(view.getBigInt64(wbase + layout.worker_score.fields.start_time!, true), 1700000000000000n, 'start_time at its C offset');
  tt.equal(view.getInt32(sb.geometry.processBase + 2 * sb.geometry.processStride + layout.process_score.fields.pid!, true), 123456, 'pid at its C offset');
  tt.end();
});

t.test('updateChildStatus, addCounts, timeProcessRequest follow scoreboard.c', (tt) => {
  const sb = Scoreboard.create({ location: shm(tt, 'update'), serverLimit: 4 });
  tt.teardown(() => sb.close());
  tt.equal(sb.updateChildStatus(3, 0, ServerStatus.SERVER_STARTING), ServerStatus.SERVER_DEAD, 'returns the old status');
  sb.updateChildStatus(3, 0, ServerStatus.SERVER_READY, { generation: 5 });
  tt.equal(sb.process(3).generation, 5, 'generation stored on STARTING -> READY');
  tt.equal(sb.worker(3).threadNum, 3);
  sb.updateChildStatus(3, 0, ServerStatus.SERVER_BUSY_READ);
  sb.updateChildStatus(3, 0, ServerStatus.SERVER_READY, { generation: 6 });
  tt.equal(sb.process(3).generation, 5, 'not on BUSY -> READY');

  sb.timeProcessRequest(3, 0, RequestTiming.START_PREQUEST);
  sb.worker(3).addCounts(100n);
  sb.worker(3).addCounts(50n);
  sb.timeProcessRequest(3, 0, RequestTiming.STOP_PREQUEST, true);
  const w = sb.worker(3);
  tt.same([w.accessCount, w.myAccessCount, w.connCount, w.bytesServed, w.myBytesServed, w.connBytes], [2n, 2n, 2, 150n, 150n, 150n]);
  tt.ok(w.stopTime >= w.startTime && w.startTime > 0n);
  tt.equal(w.duration, w.stopTime - w.startTime, 'duration accumulates with ExtendedStatus');

  sb.updateChildStatus(3, 0, ServerStatus.SERVER_READY, { extended: true });
  tt.same([w.connCount, w.connBytes, w.myAccessCount], [0, 0n, 2n], 'READY resets the connection counters only');
  sb.updateChildStatus(3, 0, ServerStatus.SERVER_DEAD, { extended: true });
  tt.same([w.myAccessCount, w.myBytesServed, w.accessCount], [0n, 0n, 2n], 'DEAD resets my_* counters, keeps totals');
  tt.end();
});

t.test('snapshot copies what idle maintenance needs, reusing its arrays', (tt) => {
  const sb = Scoreboard.create({ location: shm(tt, 'snap'), serverLimit: 6 });
  tt.teardown(() => sb.close());
  sb.global.runningGeneration = 2;
  sb.process(1).pid = 1001; sb.process(1).generation = 2; sb.worker(1).status = ServerStatus.SERVER_READY;
  sb.process(4).pid = 1004; sb.process(4).generation = 1; sb.process(4).quiescing = true; sb.worker(4).status = ServerStatus.SERVER_GRACEFUL;
  const snap = sb.snapshot();
  tt.equal(snap.runningGeneration, 2);
  tt.same(Array.from(snap.status), [0, 2, 0, 0, 9, 0]);
  tt.same(Array.from(snap.pid), [0, 1001, 0, 0, 1004, 0]);
  tt.same(Array.from(snap.generation), [0, 2, 0, 0, 1, 0]);
  tt.same(Array.from(snap.quiescing), [0, 0, 0, 0, 1, 0]);
  sb.worker(1).status = ServerStatus.SERVER_BUSY_WRITE;
  tt.equal(snap.status[1], ServerStatus.SERVER_READY, 'a snapshot does not change after the copy');
  const again = sb.snapshot(snap);
  tt.equal(again, snap, 'the same object is refilled');
  tt.equal(again.status[1], ServerStatus.SERVER_BUSY_WRITE);

  sb.resetForRestart();
  tt.same(Array.from(sb.snapshot().pid), [0, 0, 0, 0, 0, 0], 'restart clears the slots');
  tt.equal(sb.global.serverLimit, 6, 'and keeps global_score');
  tt.end();
});

t.test('ScoreBoardFile: a mapped file, removed at shutdown', (tt) => {
  const dir = mkdtempSync(join(tmpdir(), 'pf-sbfile-'));
  tt.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const loc: SegmentLocation = { kind: 'file', path: join(dir, 'apache_runtime_status') };
  writeFileSync(loc.path, 'stale contents from a crashed run');
  const sb = Scoreboard.create({ location: loc, serverLimit: 2 });
  tt.equal(sb.replacedStale, true, 'an existing file is replaced');
  tt.equal(statSync(loc.path).size, sb.geometry.size);
  tt.equal(statSync(loc.path).mode & 0o777, 0o600);
  const child = Scoreboard.attach({ location: loc });
  child.worker(1).status = ServerStatus.SERVER_BUSY_WRITE;
  tt.equal(sb.worker(1).status, ServerStatus.SERVER_BUSY_WRITE, 'writes are shared through the file');
  child.close();
  tt.equal(sb.destroy(), true);
  tt.notOk(existsSync(loc.path), 'file removed');
  tt.equal(errorCode(() => sb.worker(0)).code, 'SB_CLOSED', 'use after close is a clear error');
  tt.equal(sb.buffer.byteLength, 0, 'the buffer is detached, not left pointing at unmapped memory');
  tt.end();
});

t.test('chown gives the segment to the server\'s User', { skip: process.getuid?.() !== 0 ? 'needs root' : false }, (tt) => {
  const loc = shm(tt, 'chown');
  const sb = Scoreboard.create({ location: loc, serverLimit: 1 });
  tt.teardown(() => sb.close());
  sb.chown(65534, 65534);
  const st = statSync(segmentPath(loc));
  tt.same([st.uid, st.gid], [65534, 65534]);
  tt.end();
});

t.test('errors carry Apache\'s ids', (tt) => {
  const small = shm(tt, 'small');
  const sb = Scoreboard.create({ location: small, serverLimit: 2 });
  tt.teardown(() => sb.close());
  const tooSmall = errorCode(() => Scoreboard.attach({ location: small, serverLimit: 3 }));
  tt.equal(tooSmall.code, 'SB_TOO_SMALL');
  tt.equal(tooSmall.message, 'AH00005: Fatal error: shared scoreboard too small for child!');

  const missing = errorCode(() => Scoreboard.attach({ location: { kind: 'shm', name: `/pf-test-${process.pid}-absent` } }));
  tt.equal(missing.code, 'SB_ATTACH_FAILED');
  tt.match(missing.message, /^PF01002: .*ENOENT/);

  const badFile = errorCode(() => Scoreboard.create({ location: { kind: 'file', path: '/nonexistent-dir/x/status' }, serverLimit: 1 }));
  tt.equal(badFile.code, 'SB_CREATE_FAILED');
  tt.equal(badFile.message, 'AH00001: unable to create or access scoreboard "/nonexistent-dir/x/status" (name-based shared memory failure)');
  tt.match((badFile as ScoreboardError).cause, { code: 'ENOENT', syscall: 'open' });

  tt.throws(() => Scoreboard.create({ location: { kind: 'shm', name: 'no-slash' }, serverLimit: 1 }), TypeError);
  tt.throws(() => Scoreboard.create({ location: { kind: 'file', path: 'relative/path' }, serverLimit: 1 }), /ServerRoot/);
  tt.equal(errorCode(() => sb.worker(2)).code, 'SB_SLOT_RANGE');
  tt.equal(errorCode(() => sb.process(-1)).code, 'SB_SLOT_RANGE');
  tt.end();
});

t.test('native layer validates arguments and the loader names what it tried', (tt) => {
  const native = loadNative();
  tt.throws(() => (native.map as (...a: unknown[]) => unknown)(0, '/x'), /^Usage: map\(/);
  tt.throws(() => native.unmap(new ArrayBuffer(8)), /not returned by map/);
  tt.equal(native.remove(0, `/pf-test-${process.pid}-never`), false, 'removing nothing is not an error');
  const err = errorCode(() => loadNative('/nonexistent-root')) as NativeLoadError;
  tt.ok(err instanceof NativeLoadError);
  tt.match(err.message, /\/nonexistent-root\/build\/Release\/scoreboard\.node/);
  tt.match(err.message, /\/nonexistent-root\/build\/Debug\/scoreboard\.node/);
  tt.match(err.message, /\/nonexistent-root\/prebuilds\/linux-x64/);
  tt.end();
});

t.test('shmNameFor is stable per key and a valid shm name', (tt) => {
  tt.equal(shmNameFor('/etc/apache2|/etc/apache2/apache2.conf'), shmNameFor('/etc/apache2|/etc/apache2/apache2.conf'));
  tt.not(shmNameFor('a'), shmNameFor('b'));
  tt.match(shmNameFor('a'), /^\/[^/]+$/);
  tt.end();
});
