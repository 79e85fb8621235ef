import t from 'tap';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { Scoreboard, ServerStatus } from '@prefork/scoreboard';
import { childrenOf, freePort, request, settingsFor, startMaster, waitFor } from './helpers.js';

/** Whether a process exists and is not a zombie. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The descriptor through which `pid` holds the scoreboard memfd, if it does. */
function memfdOf(pid: number): number | undefined {
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('/memfd:prefork-scoreboard')) return Number(fd);
    } catch {
      /* closed meanwhile */
    }
  }
  return undefined;
}

const skip = Scoreboard.memfdSupported() ? false : 'this build of @prefork/scoreboard has no memfd support (rebuild its addon)';

t.test('the default scoreboard is anonymous: children inherit it, a SIGKILLed master leaves nothing in /dev/shm', { skip }, async (t) => {
  const before = new Set(readdirSync('/dev/shm'));
  const port = await freePort();
  const m = startMaster(t, (dir) => settingsFor(dir, port, { startServers: 2, minSpareServers: 1, maxSpareServers: 3 }), { MASTER_NATIVE_SCOREBOARD: '1' });
  const pid = m.proc.pid!;
  t.ok(await waitFor(() => m.log().includes('AH00163') && childrenOf(pid).length === 2, 60000), 'started with two children');
  t.match(await request(port), /200 OK/, 'serving');

  const masterFd = memfdOf(pid);
  t.type(masterFd, 'number', 'the master holds the memfd');
  const children = childrenOf(pid);
  // fd 3 the pod, 4 the one listener, 5 the scoreboard.
  t.same(children.map(memfdOf), children.map(() => 5), 'each child inherited it after its listener');
  const view = Scoreboard.attach({ location: { kind: 'file', path: `/proc/${pid}/fd/${masterFd}` } });
  t.teardown(() => view.close());
  t.ok(
    await waitFor(() => [0, 1].every((slot) => view.worker(slot).status === ServerStatus.SERVER_READY), 30000),
    'the children marked their slots READY in the master\'s segment',
  );
  t.same([0, 1].map((slot) => view.process(slot).pid).sort((a, b) => a - b), children);
  t.same(readdirSync('/dev/shm').filter((n) => !before.has(n) && n.startsWith('prefork-scoreboard')), [], 'no name in /dev/shm while running');

  process.kill(pid, 'SIGKILL');
  await m.exited;
  t.ok(await waitFor(() => !children.some(alive), 30000), 'the children left (pod EOF)');
  t.same(readdirSync('/dev/shm').filter((n) => !before.has(n) && n.startsWith('prefork-scoreboard')), [], 'nothing left in /dev/shm after SIGKILL');
});
