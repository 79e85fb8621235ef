import fs from 'node:fs';
import t from 'tap';
import { normalizePath, parseRequestLine, unescapeUrl } from '../src/http/parse.js';
import { captureConfig, exchange, makeDocroot, startServer } from './fixtures/helpers.js';

const docroot = makeDocroot();
t.teardown(() => fs.rmSync(docroot, { recursive: true, force: true }));
const status = (b: Buffer): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(b.toString('latin1'))?.[1] ?? 0);
const req = (target: string, extra = ''): string => `GET ${target} HTTP/1.1\r\nHost: localhost\r\n${extra}Connection: close\r\n\r\n`;

t.test('request line parser: Apache 2.4 deferred errors', async (t) => {
  const strict = { strict: true, allow09: true, registeredMethods: false };
  t.match(parseRequestLine('GET  / HTTP/1.1', strict).error?.log, /AH03448/);
  t.match(parseRequestLine('GET / FOO/1.1', strict).error?.log, /AH02418/);
  t.match(parseRequestLine('GET / http/1.1', strict).error?.log, /AH02418/);
  t.equal(parseRequestLine('GET / http/1.1', { ...strict, strict: false }).protoNum, 1001);
  t.equal(parseRequestLine('GET /x', strict).assbackwards, true);
  t.match(parseRequestLine('HEAD /x', strict).error?.log, /AH03444/);
  t.match(parseRequestLine('GET /x', { ...strict, allow09: false }).error?.log, /AH02401/);
  t.match(parseRequestLine('FOO / HTTP/1.1', { ...strict, registeredMethods: true }).error, { status: 501 });
  t.equal(parseRequestLine('FOO / HTTP/1.1', { ...strict, registeredMethods: true }, ['FOO']).error, undefined, 'a method <Limit> registered is known');
  t.equal(parseRequestLine('GET / HTTP/1.1', strict).error, undefined);
  t.equal(normalizePath('/a/./b/../c'), '/a/c');
  t.equal(normalizePath('/../x'), null);
  t.equal(normalizePath('/%7euser/%41'), '/~user/A');
  t.equal(normalizePath('/bad%zz'), null);
  t.same(unescapeUrl('/a%2fb'), { status: 404 });
  t.same(unescapeUrl('/a%20b'), { ok: '/a b' });
});

t.test('LimitRequestLine/FieldSize off by one, LimitRequestFields exact (captures/2g boundary)', async (t) => {
  const srv = await startServer(captureConfig(docroot, { limitRequestLine: 100, limitRequestFieldSize: 100, limitRequestFields: 5 }));
  t.teardown(() => srv.close());
  const lineOf = (len: number): string => {
    const fixed = 'GET /hello.txt? HTTP/1.1'.length;
    return `GET /hello.txt?${'a'.repeat(len - fixed)} HTTP/1.1`;
  };
  for (const [len, want] of [[99, 200], [100, 200], [101, 200], [102, 414], [103, 414]] as const) {
    const r = await exchange(srv.port, `${lineOf(len)}\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    t.equal(status(r.data), want, `request line of ${len}`);
  }
  for (const [len, want] of [[99, 200], [100, 200], [101, 200], [102, 400]] as const) {
    const field = 'X-F: ' + 'b'.repeat(len - 5);
    const r = await exchange(srv.port, req('/hello.txt', field + '\r\n'));
    t.equal(status(r.data), want, `header line of ${len}`);
  }
  for (const [n, want] of [[4, 200], [5, 200], [6, 400]] as const) {
    // Host and Connection count: n fields in total.
    const extra = Array.from({ length: n - 2 }, (_, i) => `X-${i}: v\r\n`).join('');
    const r = await exchange(srv.port, req('/hello.txt', extra));
    t.equal(status(r.data), want, `${n} header fields`);
  }
  t.ok(srv.errors.some((l) => l.includes('AH00565: request failed: client\'s request-line exceeds LimitRequestLine (longer than 100)')));
  t.ok(srv.errors.some((l) => l.includes('AH00561: Request header exceeds LimitRequestFieldSize: X-F')));
  t.ok(srv.errors.some((l) => l.includes('AH00563: Number of request headers exceeds LimitRequestFields')));
});

t.test('keep-alive, pipelining, chunked bodies, LimitRequestBody, ranges, conditionals, access', async (t) => {
  const srv = await startServer(captureConfig(docroot, { limitRequestBody: 10, keepAliveTimeoutMs: 400, maxKeepAliveRequests: 2 }));
  t.teardown(() => srv.close());
  // MaxKeepAliveRequests 2: the third request on the connection is answered and closed.
  const three = 'GET /hello.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'.repeat(3);
  const ka = await exchange(srv.port, three, 600);
  const text = ka.data.toString('latin1');
  t.match(text, /Keep-Alive: timeout=0, max=2\r\nConnection: Keep-Alive/);
  t.match(text, /Keep-Alive: timeout=0, max=1\r\nConnection: Keep-Alive/);
  t.equal((text.match(/HTTP\/1\.1 200 OK/g) ?? []).length, 3);
  t.match(text, /Connection: close\r\nContent-Type: text\/plain\r\n\r\nhello world\n$/);
  t.ok(ka.closed, 'closed after MaxKeepAliveRequests');
  // A plain HTTP/1.1 request stays open, then closes after KeepAliveTimeout.
  const idle = await exchange(srv.port, 'GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n\r\n', 1500);
  t.ok(idle.closed, 'closed by the server after KeepAliveTimeout');
  t.notMatch(idle.data.toString('latin1'), /Connection:|Keep-Alive:/);
  // Chunked body within the limit, then over it.
  const ok = await exchange(srv.port, 'POST /hello.txt HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nabcde\r\n0\r\n\r\n');
  t.equal(status(ok.data), 200);
  const big = await exchange(srv.port, 'POST /hello.txt HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nb\r\nabcdefghijk\r\n0\r\n\r\n');
  t.equal(status(big.data), 413);
  t.match(big.data.toString('latin1'), /does not allow request data with POST requests/);
  const bigCl = await exchange(srv.port, 'POST /hello.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 11\r\n\r\nabcdefghijk');
  t.equal(status(bigCl.data), 413);
  const badChunk = await exchange(srv.port, 'POST /hello.txt HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n');
  t.equal(status(badChunk.data), 400);
  // Ranges.
  const r1 = await exchange(srv.port, req('/hello.txt', 'Range: bytes=6-\r\n'));
  t.match(r1.data.toString('latin1'), /206 Partial Content[\s\S]*Content-Range: bytes 6-11\/12[\s\S]*\r\n\r\nworld\n$/);
  const r2 = await exchange(srv.port, req('/hello.txt', 'Range: bytes=0-0,0-2\r\n'));
  t.match(r2.data.toString('latin1'), /Content-Range: bytes 0-2\/12[\s\S]*\r\n\r\nhel$/, 'overlapping ranges merge');
  // Conditionals on a file with a known ETag.
  const head = (await exchange(srv.port, req('/hello.txt'))).data.toString('latin1');
  const etag = /ETag: (.*)\r\n/.exec(head)?.[1] ?? '';
  t.equal(etag, '"c-6611c2d5c09fa"');
  t.equal(status((await exchange(srv.port, req('/hello.txt', `If-None-Match: W/${etag}\r\n`))).data), 304, 'weak comparison for GET');
  t.equal(status((await exchange(srv.port, req('/hello.txt', `If-Match: ${etag}\r\n`))).data), 200);
  t.equal(status((await exchange(srv.port, req('/hello.txt', 'If-Unmodified-Since: Mon, 01 Jan 2001 00:00:00 GMT\r\n'))).data), 412);
  // <FilesMatch "^\.ht"> Require all denied.
  const denied = await exchange(srv.port, req('/.htpasswd'));
  t.equal(status(denied.data), 403);
  t.ok(srv.errors.some((l) => /\[authz_core:error\].*AH01630: client denied by server configuration: .*\.htpasswd/.test(l)));
  // Expect: 100-continue with a body gets the interim response first.
  const cont = await exchange(srv.port, 'POST /hello.txt HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc');
  t.match(cont.data.toString('latin1'), /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK/);
});

t.test('HttpProtocolOptions Unsafe and Require1.0, TraceEnable Off, ServerSignature/ServerTokens', async (t) => {
  const srv = await startServer(captureConfig(docroot, {
    httpProtocolOptions: { strict: false, allow09: false, registeredMethods: false },
    traceEnable: 'Off', serverSignature: 'On', serverTokens: 'Prod',
  }));
  t.teardown(() => srv.close());
  const lf = await exchange(srv.port, 'GET /hello.txt HTTP/1.0\n\n');
  t.equal(status(lf.data), 200, 'bare LF accepted when Unsafe');
  const h09 = await exchange(srv.port, 'GET /hello.txt\r\n\r\n');
  t.equal(status(h09.data), 400, 'HTTP/0.9 refused with Require1.0');
  const trace = await exchange(srv.port, 'TRACE / HTTP/1.1\r\nHost: localhost\r\n\r\n');
  t.equal(status(trace.data), 405);
  t.match(trace.data.toString('latin1'), /Allow: OPTIONS,HEAD,GET,POST\r\n/);
  const nf = await exchange(srv.port, req('/missing'));
  t.match(nf.data.toString('latin1'), /Server: Apache\r\n[\s\S]*<hr>\n<address>Apache Server at localhost Port 80<\/address>\n<\/body><\/html>\n$/);
});

t.test('read timeout: headers that never finish get 408, a silent client is closed without a response', async (t) => {
  const srv = await startServer(captureConfig(docroot, { timeout: 1 }));
  t.teardown(() => srv.close());
  const partial = await exchange(srv.port, 'GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n', 2500);
  t.equal(status(partial.data), 408);
  t.ok(partial.closed);
  const silent = await exchange(srv.port, '', 2500);
  t.equal(silent.data.length, 0);
  t.ok(silent.closed);
});

t.test('error_log lines are cut at 8190 bytes, as log.c cuts them', async (t) => {
  const { ErrorLog } = await import('../src/logs.js');
  const lines: string[] = [];
  const log = new ErrorLog((l) => lines.push(l), 'info');
  log.log('core', 'error', `AH00127: Cannot map GET /${'a'.repeat(9000)} HTTP/1.1 to file`);
  t.equal(lines.length, 1);
  t.equal(Buffer.byteLength(lines[0]!, 'latin1'), 8191, '8190 bytes and the newline');
  t.ok(lines[0]!.endsWith('aaa\n'));
});

t.test('error_log messages are escaped as ap_escape_errorlog_item escapes them', async (t) => {
  const { ErrorLog } = await import('../src/logs.js');
  const lines: string[] = [];
  const log = new ErrorLog((l) => lines.push(l), 'info');
  // The bytes of /é\x"q as a request brings them (one character per byte); Apache logs
  // "File does not exist: /tmp/pb/aroot/htdocs/\xc3\xa9\\x"q" for this URL.
  const bytes = Buffer.from('/htdocs/é\\x"q\t\x01', 'utf8').toString('latin1');
  log.log('core', 'info', `AH00128: File does not exist: ${bytes}`, '127.0.0.1:1');
  t.match(lines[0], /\] \[client 127\.0\.0\.1:1\] AH00128: File does not exist: \/htdocs\/\\xc3\\xa9\\\\x"q\\t\\x01\n$/);
  log.log('core', 'error', 'a text that is not bytes: \u2192');
  t.match(lines[1], /\] a text that is not bytes: \\xe2\\x86\\x92\n$/, 'its UTF-8 bytes');
});
