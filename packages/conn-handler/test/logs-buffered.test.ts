/**
 * BufferedLogs as mod_log_config's buffered_log_writer: nothing larger than LOG_BUFSIZE is
 * written at once from the buffer (so a write to a piped log is never split), a line that does
 * not fit flushes first, a longer line goes out alone, and order is kept.
 */
import t from 'tap';
import { AccessLog, LOG_BUFSIZE, escapeErrorLogText, type LogRecord } from '../src/logs.js';

function record(uri: string): LogRecord {
  return {
    remoteAddr: '127.0.0.1', remotePort: 1, localAddr: '127.0.0.1', localPort: 80,
    requestLine: `GET ${uri} HTTP/1.1`, method: 'GET', uri, protocol: 'HTTP/1.1', status: 200,
    bytesSent: 12, bytesIn: 0, bytesOut: 0, requestTime: 0, durationUs: 0,
    headersIn: () => undefined, headersOut: () => undefined, env: () => undefined,
    serverName: 'localhost', pid: 1, keepAlives: 0,
  };
}

t.test('buffered writes stay within LOG_BUFSIZE and keep order', async (t) => {
  const writes: string[] = [];
  const log = new AccessLog({ target: '/dev/null', format: '%U' }, (s) => writes.push(s), true);
  const uris: string[] = [];
  for (let i = 0; i < 200; i++) uris.push(`/p${i}/${'x'.repeat(i % 97)}`);
  uris.splice(50, 0, '/' + 'L'.repeat(LOG_BUFSIZE + 10));
  for (const u of uris) log.write(record(u));
  log.flush();
  t.same(writes.join('').split('\n').slice(0, -1), uris, 'every line, in order');
  const oversized = writes.filter((w) => Buffer.byteLength(w) > LOG_BUFSIZE);
  t.same(oversized.map((w) => w.split('\n').length - 1), [1], 'only the one long line goes out above LOG_BUFSIZE, alone');
  t.ok(writes.length > 3, `${writes.length} writes`);
});

t.test('unbuffered: one write per line', async (t) => {
  const writes: string[] = [];
  const log = new AccessLog({ target: '/dev/null', format: '%U' }, (s) => writes.push(s), false);
  log.write(record('/a'));
  log.write(record('/b'));
  t.same(writes, ['/a\n', '/b\n']);
});

t.test('escapeErrorLogText: a byte string is escaped byte by byte, a JavaScript text as UTF-8', (t) => {
  // 'café' as the child holds it: the UTF-8 bytes, one character each.
  t.equal(escapeErrorLogText(Buffer.from('café "\\"\n', 'utf8').toString('latin1')), 'caf\\xc3\\xa9 "\\\\"\\n');
  // From an exception's message: characters above 0xff stand for their UTF-8 bytes.
  t.equal(escapeErrorLogText('é→😀'), '\\xe9\\xe2\\x86\\x92\\xf0\\x9f\\x98\\x80');
  t.equal(escapeErrorLogText('x'.repeat(9000)).length, 9000, 'the line limit is the writer\'s, not the escape\'s');
  t.end();
});

t.test('after an ErrorDocument: %{x}e reads the redirected request, %<{x}e and env= the original', async (t) => {
  const original = new Map([['dontlog', '1'], ['seen', 'yes']]);
  const redirected = new Map([['redirect_dontlog', '1'], ['redirect_seen', 'yes'], ['redirect_status', '404']]);
  const r: LogRecord = { ...record('/nothing'), status: 404, env: (n) => redirected.get(n.toLowerCase()), envOrig: (n) => original.get(n.toLowerCase()) };
  const writes: string[] = [];
  new AccessLog({ target: '/dev/null', format: '%{seen}e %<{seen}e %{REDIRECT_STATUS}e' }, (s) => writes.push(s), false).write(r);
  t.same(writes, ['- yes 404\n']);
  const kept: string[] = [];
  new AccessLog({ target: '/dev/null', format: '%U', condition: { variable: 'dontlog', negated: true } }, (s) => kept.push(s), false).write(r);
  t.same(kept, [], 'env=!dontlog tests the original request, which has dontlog');
});
