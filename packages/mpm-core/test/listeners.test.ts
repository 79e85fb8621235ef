import t from 'tap';
import { connect, createServer } from 'node:net';
import { bindAddressOf, bucketCount, closeListeners, formatSockaddr, ListenError, setupListeners, type OpenListener } from '../src/index.js';
import { freePort } from './helpers.js';
import { acceptQueueLength } from '../src/native/libc.js';

const base = { listenBacklog: 77, sendBufferSize: 0, receiveBufferSize: 0, listenCoresBucketsRatio: 0 };

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.on('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

t.test('addresses as Apache shows and binds them', async (t) => {
  t.equal(formatSockaddr('127.0.0.1', 80), '127.0.0.1:80');
  t.equal(formatSockaddr('::1', 8080), '[::1]:8080');
  t.same(bindAddressOf({ port: 80, protocol: 'http' }), { address: '::', family: 6 }, 'Listen 80: every address, IPv6 with v4-mapped');
  t.same(bindAddressOf({ address: '[::1]', port: 80, protocol: 'http' }), { address: '::1', family: 6 });
  t.throws(() => bindAddressOf({ address: 'www.example.org', port: 80, protocol: 'http' }), /PF00001/);
  t.equal(bucketCount(0, 8), 1);
  t.equal(bucketCount(2, 8), 4);
  t.equal(bucketCount(16, 8), 1, 'at least one bucket');
});

t.test('a listener on every address takes IPv4 and IPv6', async (t) => {
  const port = await freePort();
  const b = setupListeners({ ...base, listeners: [{ port, protocol: 'http' }] }, 1, [], () => {});
  t.teardown(() => closeListeners(b));
  t.equal(b.length, 1);
  t.equal(b[0][0].port, port);
  t.ok(await canConnect('127.0.0.1', port), 'IPv4 connects');
  t.ok(await canConnect('::1', port), 'IPv6 connects');
});

t.test('the accept queue\'s length, as idle maintenance reads it (TCP_INFO)', async (t) => {
  const port = await freePort();
  const b = setupListeners({ ...base, listeners: [{ address: '127.0.0.1', port, protocol: 'http' }] }, 1, [], () => {});
  t.teardown(() => closeListeners(b));
  const fd = b[0]![0]!.fd;
  t.equal(acceptQueueLength(fd), 0, 'nothing connected');
  const sockets = await Promise.all(
    Array.from({ length: 5 }, () => new Promise<ReturnType<typeof connect>>((resolve, reject) => {
      // A request begun: with TCP_DEFER_ACCEPT only a connection that has sent something is queued.
      const s = connect({ host: '127.0.0.1', port }, () => s.write('GET / HTTP/1.1\r\n', () => resolve(s)));
      s.on('error', reject);
    })),
  );
  t.teardown(() => sockets.forEach((s) => s.destroy()));
  await new Promise((r) => setTimeout(r, 50));
  t.equal(acceptQueueLength(fd), 5, 'five connected, none accepted');
  t.equal(acceptQueueLength(-1), -1, 'not a socket: unknown');
});

t.test('port in use: Apache startup lines, nothing left open', async (t) => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  t.teardown(() => blocker.close());
  const port = (blocker.address() as { port: number }).port;
  const err = t.throws(() => setupListeners({ ...base, listeners: [{ address: '127.0.0.1', port, protocol: 'http' }] }, 1, [], () => {})) as unknown;
  t.ok(err instanceof ListenError);
  t.same((err as ListenError).lines, [
    `(98)Address already in use: AH00072: make_sock: could not bind to address 127.0.0.1:${port}`,
    'no listening sockets available, shutting down',
  ]);
});

t.test('no Listen at all', async (t) => {
  const err = t.throws(() => setupListeners({ ...base, listeners: [] }, 1, [], () => {})) as ListenError;
  t.same(err.lines, ['no listening sockets available, shutting down']);
});

t.test('a restart keeps still-configured listeners open and closes the others', async (t) => {
  const [p1, p2, p3] = [await freePort(), await freePort(), await freePort()];
  const first = setupListeners(
    { ...base, listeners: [{ address: '127.0.0.1', port: p1, protocol: 'http' }, { address: '127.0.0.1', port: p2, protocol: 'http' }] },
    1,
    [],
    () => {},
  );
  const second = setupListeners(
    { ...base, listeners: [{ address: '127.0.0.1', port: p1, protocol: 'http' }, { address: '127.0.0.1', port: p3, protocol: 'http' }] },
    1,
    first,
    () => {},
  );
  t.teardown(() => closeListeners(second));
  t.equal(second[0][0].fd, first[0][0].fd, 'same socket for the kept address');
  t.ok(await canConnect('127.0.0.1', p1));
  t.ok(await canConnect('127.0.0.1', p3));
  t.notOk(await canConnect('127.0.0.1', p2), 'dropped Listen closed');
});

t.test('buckets: one SO_REUSEPORT socket per bucket per Listen', async (t) => {
  const port = await freePort();
  const b: OpenListener[][] = setupListeners(
    { ...base, listenCoresBucketsRatio: 1, listeners: [{ address: '127.0.0.1', port, protocol: 'http' }] },
    2,
    [],
    () => {},
  );
  t.teardown(() => closeListeners(b));
  t.equal(b.length, 2);
  t.not(b[0][0].fd, b[1][0].fd, 'distinct sockets');
  t.equal(b[1][0].port, port, 'same port');
});

t.test("TCP_DEFER_ACCEPT on listeners whose protocol has an accept filter (http's is 'data'); none for 'none'", async (t) => {
  const [p1, p2] = [await freePort(), await freePort()];
  const b = setupListeners(
    { ...base, listenTcpDeferAccept: 30, acceptFilters: { http: 'data', https: 'data', foo: 'none' }, listeners: [{ address: '127.0.0.1', port: p1, protocol: 'http' }, { address: '127.0.0.1', port: p2, protocol: 'foo' }] },
    1, [], () => {},
  );
  t.teardown(() => closeListeners(b));
  const silent = (port: number) =>
    new Promise<() => void>((resolve) => {
      const s = connect({ host: '127.0.0.1', port }, () => resolve(() => s.destroy()));
    });
  const ends = [await silent(p1), await silent(p2)];
  t.teardown(() => ends.forEach((e) => e()));
  await new Promise((r) => setTimeout(r, 100));
  t.equal(acceptQueueLength(b[0][0].fd), 0, 'http: a connection that has sent nothing is not yet accepted');
  t.equal(acceptQueueLength(b[0][1].fd), 1, "foo (AcceptFilter foo none): it is, as usual");
});
