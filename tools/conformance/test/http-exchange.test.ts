import t from 'tap';
import { createServer, type Socket } from 'node:net';
import { exchange, parseResponses, requestMethods } from '../src/http-exchange.js';

t.test('parsing: lengths, chunks, HEAD, 304, to-close bodies', async (t) => {
  const raw = Buffer.from(
    'HTTP/1.1 200 OK\r\nDate: x\r\nContent-Length: 5\r\n\r\nhello' +
      'HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n' +
      'HTTP/1.1 304 Not Modified\r\nETag: "a"\r\n\r\n' +
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n' +
      'HTTP/1.0 404 Not Found\r\n\r\nrest until close',
  );
  const { responses, trailing } = parseResponses(raw, ['GET', 'HEAD', 'GET', 'GET', 'GET'], true);
  t.same(responses.map((r) => r.statusLine), ['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK', 'HTTP/1.1 304 Not Modified', 'HTTP/1.1 200 OK', 'HTTP/1.0 404 Not Found']);
  t.same(responses.map((r) => r.body.toString()), ['hello', '', '', 'abcde', 'rest until close']);
  t.same(responses[0].headerNames, ['Date', 'Content-Length']);
  t.equal(responses[2].headers.etag, '"a"');
  t.equal(trailing.length, 0);
  t.same(requestMethods('GET / HTTP/1.1\r\nHost: x\r\n\r\nHEAD /a HTTP/1.0\r\n\r\n'), ['GET', 'HEAD']);
  const cut = parseResponses(Buffer.from('HTTP/1.1 200 OK\r\nContent-'), ['GET'], true);
  t.equal(cut.responses.length, 0);
  t.equal(cut.trailing.toString(), 'HTTP/1.1 200 OK\r\nContent-', 'a truncated head is kept as trailing bytes');
});

t.test('exchange: pauses, half-close, what the server saw', async (t) => {
  const seen: string[] = [];
  const srv = createServer((s: Socket) => {
    let got = '';
    s.on('data', (b) => (got += b.toString('latin1')));
    // Answers only when the client half-closes: proves the half-close reached the server.
    s.on('end', () => {
      seen.push(got);
      s.end(`HTTP/1.0 200 OK\r\nContent-Length: ${got.length}\r\n\r\n${got}`);
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => srv.close());
  const port = (srv.address() as { port: number }).port;
  const started = Date.now();
  const r = await exchange(port, ['GET / HT', { sleep: 0.2 }, 'TP/1.0\r\n\r\n', { halfClose: true }], 3000);
  t.ok(Date.now() - started >= 190, 'the pause happened');
  t.same(seen, ['GET / HTTP/1.0\r\n\r\n']);
  t.equal(r.responses.length, 1);
  t.equal(r.responses[0].body.toString(), 'GET / HTTP/1.0\r\n\r\n');
  t.equal(r.closedByServer, true);
});

t.test('exchange: nothing listening is an observation, not a crash', async (t) => {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  const r = await exchange(port, ['GET / HTTP/1.0\r\n\r\n'], 500);
  t.equal(r.responses.length, 0);
  t.ok(r.error);
});
