/**
 * Handlers this server does not run (cgi-script by AddHandler or SetHandler, a PHP handler,
 * type-map …) fail closed: 403 and a PF02010 line, never the file's bytes. Files without such a
 * handler are served as before.
 */
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { addHandlerFor, handlerFor } from '../src/handlers/access.js';
import { captureConfig, exchange, makeDocroot, startServer } from './fixtures/helpers.js';

const docroot = makeDocroot();
t.teardown(() => fs.rmSync(docroot, { recursive: true, force: true }));
fs.writeFileSync(path.join(docroot, 'run.cgi'), '#!/bin/sh\necho secret-cgi\n');
fs.writeFileSync(path.join(docroot, 'run.cgi.txt'), 'secret-double\n');
fs.writeFileSync(path.join(docroot, 'page.php'), '<?php echo "secret-php"; ?>\n');
fs.mkdirSync(path.join(docroot, 'plain'));
fs.writeFileSync(path.join(docroot, 'plain', 'run.cgi'), 'plain text here\n');
fs.mkdirSync(path.join(docroot, 'bin'));
fs.writeFileSync(path.join(docroot, 'bin', 'tool.txt'), 'secret-sethandler\n');
fs.mkdirSync(path.join(docroot, 'idx'));
fs.writeFileSync(path.join(docroot, 'idx', 'index.cgi'), 'secret-index\n');

const text = (b: Buffer): string => b.toString('latin1');
const statusOf = (b: Buffer): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(text(b))?.[1] ?? 0);
const get = (target: string, method = 'GET'): string => `${method} ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`;

function config() {
  const cfg = captureConfig(docroot, { directoryIndex: ['index.html', 'index.cgi'] });
  cfg.mime.addHandler = { cgi: 'cgi-script', var: 'type-map' };
  cfg.sections.push(
    { kind: 'filesMatch', pattern: '\\.php$', require: [], handler: 'application/x-httpd-php' },
    { kind: 'directory', pattern: path.join(docroot, 'bin'), require: [], handler: 'cgi-script' },
    { kind: 'directory', pattern: path.join(docroot, 'plain'), require: [], addHandler: { cgi: 'default-handler' } },
  );
  return cfg;
}

t.test('the handler of a file: SetHandler over AddHandler, every extension, sections merged', async (t) => {
  const cfg = config();
  t.same(addHandlerFor(cfg, `${docroot}/run.cgi`), { handler: 'cgi-script', extension: 'cgi' });
  t.same(addHandlerFor(cfg, `${docroot}/run.cgi.txt`), { handler: 'cgi-script', extension: 'cgi' }, 'mod_mime reads every extension');
  t.same(addHandlerFor(cfg, `${docroot}/plain/run.cgi`), { handler: 'default-handler', extension: 'cgi' });
  t.equal(addHandlerFor(cfg, `${docroot}/hello.txt`), undefined);
  t.equal(handlerFor(cfg, '/page.php', `${docroot}/page.php`), 'application/x-httpd-php');
  t.equal(handlerFor(cfg, '/bin/tool.txt', `${docroot}/bin/tool.txt`), 'cgi-script');
  t.equal(handlerFor(cfg, '/hello.txt', `${docroot}/hello.txt`), undefined);
});

t.test('through the engine: refused with 403 and PF02010, never sent', async (t) => {
  const srv = await startServer(config());
  t.teardown(() => srv.close());
  for (const [target, secret, how] of [
    ['/run.cgi', 'secret-cgi', 'AddHandler cgi-script .cgi'],
    ['/run.cgi.txt', 'secret-double', 'AddHandler cgi-script .cgi'],
    ['/page.php', 'secret-php', 'SetHandler application/x-httpd-php'],
    ['/bin/tool.txt', 'secret-sethandler', 'SetHandler cgi-script'],
    ['/idx/', 'secret-index', 'AddHandler cgi-script .cgi'],
  ] as const) {
    for (const method of ['GET', 'HEAD', 'POST']) {
      const r = await exchange(srv.port, get(target, method));
      t.equal(statusOf(r.data), 403, `${method} ${target}`);
      t.notMatch(text(r.data), secret);
    }
    t.ok(srv.errors.some((l) => l.includes(`PF02010: ${how} names a handler this server does not run;`)), `${target} logged`);
  }
  const plain = await exchange(srv.port, get('/plain/run.cgi'));
  t.equal(statusOf(plain.data), 200, 'AddHandler default-handler in a section serves the file');
  const hello = await exchange(srv.port, get('/hello.txt'));
  t.equal(statusOf(hello.data), 200);
  t.match(text(hello.data), /\r\n\r\nhello world\n$/);
  t.equal(statusOf((await exchange(srv.port, get('/sub/'))).data), 200, 'a DirectoryIndex page without a handler is served');
  t.equal(statusOf((await exchange(srv.port, get('/missing.cgi'))).data), 404, 'a missing script is a 404');
});

t.test("multipart ranges use the generation's ap_multipart_boundary from the snapshot", async (t) => {
  const cfg = captureConfig(docroot, { multipartBoundary: '00112233aabbccdd' });
  const srv = await startServer(cfg);
  t.teardown(() => srv.close());
  const res = (await exchange(srv.port, 'GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nRange: bytes=0-1,4-5\r\nConnection: close\r\n\r\n')).data.toString('latin1');
  t.match(res, /^HTTP\/1\.1 206 /);
  t.match(res, /Content-Type: multipart\/byteranges; boundary=00112233aabbccdd\r\n/);
  t.match(res, /\r\n--00112233aabbccdd--\r\n$/);
});
