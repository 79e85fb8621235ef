import t from 'tap';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { logPid, mpmQuery, MpmQuery, MpmState, MPMQ_DYNAMIC, MPMQ_NOT_SUPPORTED, removePid, dummyRequest, PidFileError, type MpmLogRecord } from '../src/index.js';

t.test('pid file: AH00098 for a stale file at startup only, new inode on rewrite, AH00096 on removal', async (t) => {
  const dir = t.testdir({ 'httpd.pid': '99999\n' });
  const path = join(dir, 'httpd.pid');
  const logs: MpmLogRecord[] = [];
  logPid(path, 1234, true, (l) => logs.push(l));
  t.equal(readFileSync(path, 'utf8'), '1234\n');
  t.same(logs.map((l) => `${l.module}:${l.level} ${l.id}: ${l.message}`), [
    `core:warn AH00098: pid file ${path} overwritten -- Unclean shutdown of previous Apache run?`,
  ]);
  const inode = statSync(path).ino;
  writeFileSync(join(dir, 'spacer'), 'x');
  logPid(path, 1234, false, (l) => logs.push(l));
  t.equal(logs.length, 1, 'no warning on a restart');
  t.not(statSync(path).ino, inode, 'new inode');
  removePid(path, 1234, (l) => logs.push(l));
  t.notOk(existsSync(path));
  t.equal(`${logs[1].module}:${logs[1].level} ${logs[1].id}: ${logs[1].message}`, `core:info AH00096: removed PID file ${path} (pid=1234)`);
  let thrown: unknown;
  try {
    logPid(join(dir, 'no/such/dir/x.pid'), 1, true, () => {});
  } catch (e) {
    thrown = e;
  }
  t.ok(thrown instanceof PidFileError, 'an unwritable pid file is an error');
  t.equal((thrown as PidFileError).record.id, 'AH00099');
});

t.test('prefork_query', async (t) => {
  const s = { daemonsLimit: 150, serverLimit: 256, minSpare: 5, maxSpare: 10, maxRequestsPerChild: 0, state: MpmState.RUNNING, generation: 3 };
  t.equal(mpmQuery(MpmQuery.IS_THREADED, s), MPMQ_NOT_SUPPORTED);
  t.equal(mpmQuery(MpmQuery.IS_FORKED, s), MPMQ_DYNAMIC);
  t.equal(mpmQuery(MpmQuery.MAX_DAEMONS, s), 150);
  t.equal(mpmQuery(MpmQuery.MAX_DAEMON_USED, s), 150);
  t.equal(mpmQuery(MpmQuery.HARD_LIMIT_DAEMONS, s), 256);
  t.equal(mpmQuery(MpmQuery.MAX_THREADS, s), 1);
  t.equal(mpmQuery(MpmQuery.MIN_SPARE_DAEMONS, s), 5);
  t.equal(mpmQuery(MpmQuery.MAX_SPARE_DAEMONS, s), 10);
  t.equal(mpmQuery(MpmQuery.GENERATION, s), 3);
  t.equal(mpmQuery(MpmQuery.MPM_STATE, s), 1, 'AP_MPMQ_RUNNING is 1');
  t.equal(mpmQuery(14 as MpmQuery, s), undefined, 'IS_ASYNC: not implemented by prefork');
});

t.test('the dummy connection request', async (t) => {
  t.equal(
    dummyRequest('Apache/2.4.71 (Debian)', 'http').toString(),
    'OPTIONS * HTTP/1.0\r\nUser-Agent: Apache/2.4.71 (Debian) (internal dummy connection)\r\n\r\n',
  );
  t.same([...dummyRequest('x', 'https')], [0x15, 0x03, 0x01, 0x00, 0x02, 0x01, 0x00], 'TLS close_notify for https');
});
