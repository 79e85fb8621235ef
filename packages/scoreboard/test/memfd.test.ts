import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Scoreboard, ScoreboardError, ServerStatus, inheritedFdPath, loadNative, segmentPath } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const distIndex = join(here, '..', 'dist', 'index.js');

t.test('the addon of this checkout creates memfd segments', async (t) => {
  t.ok(Scoreboard.memfdSupported(), 'rebuild the addon (npx node-gyp rebuild) if this fails');
  t.notOk(Scoreboard.memfdSupported({ ...loadNative(), memfd: undefined }), 'an older build says so');
});

t.test('a memfd segment: anonymous, attachable through its descriptor, nothing left in /dev/shm', async (t) => {
  const before = new Set(readdirSync('/dev/shm'));
  const sb = Scoreboard.create({ location: { kind: 'memfd', name: 'pf-test-scoreboard' }, serverLimit: 8 });
  t.teardown(() => sb.close());
  t.type(sb.fd, 'number');
  t.equal(readlinkSync(inheritedFdPath(sb.fd!)), '/memfd:pf-test-scoreboard (deleted)');
  t.equal(segmentPath(sb.location), 'memfd:pf-test-scoreboard');
  t.equal(sb.global.serverLimit, 8);
  t.equal(sb.replacedStale, false);
  t.same(readdirSync('/dev/shm').filter((n) => !before.has(n)), [], 'no name in /dev/shm');

  const same = Scoreboard.attach({ location: { kind: 'file', path: inheritedFdPath(sb.fd!) } });
  same.updateChildStatus(3, 0, ServerStatus.SERVER_READY, { generation: 2 });
  t.equal(sb.worker(3).status, ServerStatus.SERVER_READY, 'one segment, two mappings');
  same.close();
  t.throws(() => Scoreboard.attach({ location: { kind: 'memfd', name: 'x' } }), /attach through the inherited descriptor/);
  t.throws(() => Scoreboard.create({ location: { kind: 'memfd', name: '' }, serverLimit: 1 }), /memfd segment name/);
  try {
    Scoreboard.create({ location: { kind: 'memfd', name: 'x' }, serverLimit: 1, native: { ...loadNative(), memfd: undefined } });
    t.fail('created without memfd support');
  } catch (e) {
    t.ok(e instanceof ScoreboardError && e.code === 'SB_CREATE_FAILED', 'SB_CREATE_FAILED');
    t.match((e as Error).message, /AH00004: .*no memfd support/);
  }

  const fd = sb.fd!;
  t.equal(sb.destroy(), true);
  t.notOk(existsSync(`/proc/self/fd/${fd}`) && readlinkSync(`/proc/self/fd/${fd}`).startsWith('/memfd:pf-test-scoreboard'), 'destroy closes the descriptor');
});

t.test('a spawned child attaches through the inherited descriptor', async (t) => {
  const sb = Scoreboard.create({ location: { kind: 'memfd', name: 'pf-test-inherit' }, serverLimit: 4 });
  t.teardown(() => sb.destroy());
  const script = `
    const { Scoreboard, inheritedFdPath } = await import(${JSON.stringify(distIndex)});
    const child = Scoreboard.attach({ location: { kind: 'file', path: inheritedFdPath(3) } });
    child.worker(1).pid = process.pid;
    child.process(1).generation = 5;
    child.updateChildStatus(1, 0, 2);
    child.close();`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'inherit', 'inherit', sb.fd!] });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  t.equal(code, 0);
  t.equal(sb.worker(1).pid, child.pid, 'the child wrote its pid into the same segment');
  t.equal(sb.process(1).generation, 5);
  t.equal(sb.worker(1).status, ServerStatus.SERVER_READY);
});
