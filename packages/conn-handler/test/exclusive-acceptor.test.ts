import { createRequire } from 'node:module';
import net from 'node:net';
import t, { type Test } from 'tap';
import { loadNativeAcceptor } from '../src/native.js';

const native = loadNativeAcceptor();
const require = createRequire(import.meta.url);
const koffi = require('koffi') as { load(lib: string): { func(sig: string): (...a: number[]) => number } };
const libc = koffi.load('libc.so.6');
const dup = libc.func('int dup(int)');
const close = libc.func('int close(int)');

/**
 * A listening socket nothing in this process polls: a net.Server's socket, dup'ed, then the
 * server closed. Connections wait in its backlog until an acceptor takes them.
 */
async function quietListener(t: Test): Promise<{ fd: number; port: number }> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen({ port: 0, host: '127.0.0.1', backlog: 16 }, r));
  const port = (server.address() as net.AddressInfo).port;
  const fd = dup((server as unknown as { _handle: { fd: number } })._handle.fd);
  await new Promise<void>((r) => server.close(() => r()));
  t.ok(fd >= 0, 'dup of the listening socket');
  native.setNonBlocking(fd);
  t.teardown(() => void close(fd));
  return { fd, port };
}

type Acceptor = InstanceType<NonNullable<ReturnType<typeof loadNativeAcceptor>['ExclusiveAcceptor']>>;

/** An acceptor whose deliveries are recorded; closed (and its connections closed) at teardown. */
function acceptor(t: Test, fd: number): { a: Acceptor; got: number[]; next: () => Promise<number> } {
  const Ctor = native.ExclusiveAcceptor;
  if (!Ctor) throw new Error('the addon has no ExclusiveAcceptor');
  const got: number[] = [];
  let waiter: ((fd: number) => void) | null = null;
  const a = new Ctor([fd], (c) => {
    got.push(c);
    waiter?.(c);
    waiter = null;
  });
  t.teardown(() => {
    const late = a.close();
    for (const c of [...got, late]) if (c >= 0) close(c);
  });
  // -999: nothing was delivered within two seconds.
  const next = () =>
    new Promise<number>((r) => {
      const timer = setTimeout(() => r(-999), 2000);
      waiter = (c) => {
        clearTimeout(timer);
        r(c);
      };
    });
  return { a, got, next };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function connect(port: number, t: Test): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
    t.teardown(() => s.destroy());
  });
}

t.test('one connection goes to one armed acceptor, the first registered', async (t) => {
  const { fd, port } = await quietListener(t);
  const first = acceptor(t, fd);
  const second = acceptor(t, fd);
  first.a.arm();
  second.a.arm();
  const delivered = first.next();
  await connect(port, t);
  t.ok((await delivered) >= 0, 'the first acceptor got a connection');
  await sleep(100);
  t.same(second.got, [], 'the second was not given one (and was not made to race for it)');
  t.equal(second.a.disarm(), -1, 'and holds none');
});

t.test('a busy (disarmed) acceptor is passed over; a connection waits for the next armed one', async (t) => {
  const { fd, port } = await quietListener(t);
  const first = acceptor(t, fd);
  const second = acceptor(t, fd);
  // Neither armed: the connection waits in the backlog.
  await connect(port, t);
  await sleep(50);
  t.same([first.got, second.got], [[], []], 'nothing accepted while no acceptor is armed');
  const got = second.next();
  second.a.arm();
  t.ok((await got) >= 0, 'the one armed later takes the connection that was waiting');
  t.same(first.got, [], 'the unarmed one took nothing');
});

t.test('an acceptor delivers once per arm', async (t) => {
  const { fd, port } = await quietListener(t);
  const one = acceptor(t, fd);
  let got = one.next();
  one.a.arm();
  await connect(port, t);
  await connect(port, t);
  t.ok((await got) >= 0, 'first connection');
  await sleep(50);
  t.equal(one.got.length, 1, 'the second waits until the acceptor is armed again');
  got = one.next();
  one.a.arm();
  t.ok((await got) >= 0, 'second connection after re-arming');
  t.equal(one.got.length, 2);
});

t.test('disarm hands back a connection accepted but not yet delivered, and it is never delivered twice', async (t) => {
  const { fd, port } = await quietListener(t);
  for (let i = 0; i < 20; i++) {
    const one = acceptor(t, fd);
    one.a.arm();
    const s = await connect(port, t);
    // The thread may or may not have accepted by now; either way exactly one side has it.
    const late = one.a.disarm();
    await sleep(5);
    const fds = [...one.got, ...(late >= 0 ? [late] : [])].filter((c) => c >= 0);
    if (fds.length === 0) {
      // Not accepted yet when disarmed: still in the backlog; re-arm and it arrives.
      const got = one.next();
      one.a.arm();
      fds.push(await got);
    }
    t.equal(fds.length, 1, `round ${i}: the connection is held exactly once`);
    s.destroy();
  }
});

t.test('close ends the thread and takes nothing more', async (t) => {
  const { fd, port } = await quietListener(t);
  const one = acceptor(t, fd);
  one.a.arm();
  t.equal(one.a.close(), -1, 'nothing was pending');
  await connect(port, t);
  await sleep(50);
  t.same(one.got, [], 'a closed acceptor accepts nothing');
  one.a.arm();
  t.equal(one.a.disarm(), -1, 'arm and disarm after close are harmless');
});
