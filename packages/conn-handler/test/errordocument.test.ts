/**
 * ErrorDocument (core) and Redirect inside sections, as apache2 2.4.71 answers them
 * (test-fixtures/conformance/http/errordocument): a local document is served with the error's
 * status and without ranges or conditionals, a message is the body, a URL is a 302, a missing
 * document leaves the canned page with "Additionally, …".
 */
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { captureConfig, exchange, makeDocroot, startServer } from './fixtures/helpers.js';

const docroot = makeDocroot();
t.teardown(() => fs.rmSync(docroot, { recursive: true, force: true }));
fs.mkdirSync(path.join(docroot, 'errors'));
fs.writeFileSync(path.join(docroot, 'errors', 'missing.html'), 'custom not found\n');
const text = (b: Buffer): string => b.toString('latin1');
const statusOf = (b: Buffer): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(text(b))?.[1] ?? 0);
const req = (target: string, method = 'GET', extra = ''): string => `${method} ${target} HTTP/1.1\r\nHost: localhost\r\n${extra}Connection: close\r\n\r\n`;

t.test('ErrorDocument forms and section Redirect through the engine', async (t) => {
  const cfg = captureConfig(docroot, {
    errorDocuments: { 404: '/errors/missing.html', 403: '"Denied text', 410: 'http://elsewhere.example/gone', 501: '/errors/none.html' },
    aliases: [{ kind: 'redirect', from: '/gone', status: 410 }],
  });
  cfg.sections.push(
    { kind: 'location', pattern: '/denied', require: [{ kind: 'all', granted: false }] },
    { kind: 'location', pattern: '/plain', require: [], errorDocuments: { 404: 'default' } },
    { kind: 'location', pattern: '/moved', require: [], redirects: [{ kind: 'redirect', from: '/moved/here', to: 'http://elsewhere.example/there' }] },
  );
  const srv = await startServer(cfg);
  t.teardown(() => srv.close());

  const nf = text((await exchange(srv.port, req('/nothing', 'GET', 'Range: bytes=0-3\r\nIf-None-Match: *\r\n'))).data);
  t.match(nf, /^HTTP\/1\.1 404 Not Found\r\n/);
  t.match(nf, /\r\nContent-Length: 17\r\n/);
  t.match(nf, /\r\n\r\ncustom not found\n$/);
  const head = text((await exchange(srv.port, req('/nothing', 'HEAD'))).data);
  t.match(head, /^HTTP\/1\.1 404 [^]*Content-Length: 17\r\n[^]*\r\n\r\n$/);
  const denied = text((await exchange(srv.port, req('/denied/x'))).data);
  t.match(denied, /^HTTP\/1\.1 403 [^]*\r\n\r\nDenied text$/);
  const gone = text((await exchange(srv.port, req('/gone'))).data);
  t.match(gone, /^HTTP\/1\.1 302 [^]*\r\nLocation: http:\/\/elsewhere\.example\/gone\r\n/);
  const plain = text((await exchange(srv.port, req('/plain/nothing'))).data);
  t.match(plain, /<title>404 Not Found<\/title>/);
  const bad = text((await exchange(srv.port, req('/nothing', 'FOO'))).data);
  t.match(bad, /^HTTP\/1\.1 501 /);
  t.match(bad, /<p>GET not supported for current URL\.<br \/>\n<\/p>\n<p>Additionally, a 501 Not Implemented\nerror was encountered while trying to use an ErrorDocument to handle the request\.<\/p>\n/);
  t.same(srv.access.slice(-1).map((r) => [r.status, r.bytesSent]), [[404, 0]], 'the failed document request is what the log shows');
  const moved = text((await exchange(srv.port, req('/moved/here/x?a=1'))).data);
  t.match(moved, /^HTTP\/1\.1 302 [^]*\r\nLocation: http:\/\/elsewhere\.example\/there\/x\?a=1\r\n/);
  t.equal(statusOf((await exchange(srv.port, req('/moved/other'))).data), 404);
  t.equal(statusOf((await exchange(srv.port, req('/hello.txt'))).data), 200);
});
