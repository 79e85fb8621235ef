import t from 'tap';
import { connect, createServer, type Socket } from 'node:net';
import { existsSync } from 'node:fs';
import { childrenOf, freePort, request, settingsFor, startMaster, waitFor } from './helpers.js';

t.test('port in use: Apache startup messages on stderr, exit 1', async (t) => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  t.teardown(() => blocker.close());
  const port = (blocker.address() as { port: number }).port;
  const m = startMaster(t, (dir) => settingsFor(dir, port));
  const ex = await m.exited;
  t.equal(ex.code, 1);
  t.equal(
    m.stderr(),
    `(98)Address already in use: AH00072: make_sock: could not bind to address 127.0.0.1:${port}\n` +
      'no listening sockets available, shutting down\nAH00015: Unable to open logs\n',
  );
});

t.test('a child exiting with APEXIT_CHILDFATAL stops the server', async (t) => {
  const port = await freePort();
  const m = startMaster(t, (dir) => settingsFor(dir, port, { startServers: 1 }), { FAKE_CHILD_EXIT: '15' });
  const ex = await m.exited;
  t.equal(ex.code, 1, 'exit code 1');
  t.match(m.log(), /\[core:alert\] \[pid \d+:tid \d+\] AH00050: Child \d+ returned a Fatal error\.\.\. Apache is exiting!/);
  t.ok(existsSync(`${m.dir}/httpd.pid`), 'the pid file stays, as Apache leaves it');
});

t.test('SIGWINCH: listeners closed at once, in-flight request completes, exit 0', async (t) => {
  const port = await freePort();
  const m = startMaster(t, (dir) => settingsFor(dir, port, { startServers: 2, minSpareServers: 1, maxSpareServers: 3, gracefulShutdownTimeout: 30 }));
  const pid = m.proc.pid!;
  t.ok(await waitFor(() => m.log().includes('AH00163') && childrenOf(pid).length === 2, 60000), 'started');
  t.match(await request(port), /200 OK/, 'serving');

  // A partial request keeps one child busy.
  const held: Socket = connect({ host: '127.0.0.1', port });
  let answer = '';
  held.on('data', (d) => (answer += d.toString()));
  held.on('error', () => {});
  await new Promise<void>((r) => held.on('connect', () => r()));
  held.write('GET / HTTP/1.0\r\n');
  t.teardown(() => held.destroy());
  t.ok(await waitFor(() => childrenOf(pid).length === 2, 5000));

  process.kill(pid, 'SIGWINCH');
  t.ok(await waitFor(() => m.log().includes('AH00170: caught SIGWINCH, shutting down gracefully'), 60000), 'AH00170');
  t.match(m.log(), /AH00096: removed PID file .* \(pid=\d+\)\n.*AH00170/, 'pid file removed first');
  t.notOk(existsSync(`${m.dir}/httpd.pid`));
  let refused = '';
  for (let i = 0; i < 100 && !refused.startsWith('error ECONNREFUSED'); i++) {
    // Until each child has taken its SIGUSR1, one may still accept.
    refused = await request(port);
    await new Promise((r) => setTimeout(r, 100));
  }
  t.match(refused, /^error ECONNREFUSED/, 'new connections refused');
  t.ok(await waitFor(() => childrenOf(pid).length === 1, 30000), 'the idle child left, the busy one stays');

  held.write('\r\n');
  await new Promise<void>((r) => held.on('close', () => r()));
  t.match(answer, /^HTTP\/1\.0 200 OK/, 'the in-flight request completed');
  const ex = await m.exited;
  t.equal(ex.code, 0, 'exit code 0 once the last child is done');
});
