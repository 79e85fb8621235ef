/**
 * Virtual hosts (vhost.c): candidates by local address and port, then the name. The choices
 * follow apache2 2.4.71 (test-fixtures/conformance/http/vhosts): an unknown Host and a request
 * without Host go to the first vhost of the address, the Host header's port plays no part, a
 * port no vhost names is the main server's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import type { VirtualHostConfig } from '../src/config.js';
import { hostMatches, selectVhost, vhostCandidates, wildcardMatch } from '../src/vhost.js';
import { captureConfig, exchange, makeDocroot, startServer } from './fixtures/helpers.js';

const text = (b: Buffer): string => b.toString('latin1');

t.test('names: ServerName, ServerAlias, wildcards, case', async (t) => {
  t.ok(wildcardMatch('*.example.org', 'www.EXAMPLE.org'));
  t.ok(wildcardMatch('w?w.example.org', 'wxw.example.org'));
  t.notOk(wildcardMatch('*.example.org', 'example.org'));
  t.ok(hostMatches('A.example', [], 'a.example'));
  t.ok(hostMatches('a.example', ['b.example', '*.c.example'], 'x.y.c.example'));
  t.notOk(hostMatches('a.example', ['b.example'], 'c.example'));
});

t.test('candidates: exact address first, then wildcards; none is the main server', async (t) => {
  const v = (addresses: VirtualHostConfig['addresses'], name: string): VirtualHostConfig => ({ addresses, serverAliases: [], config: { serverName: name } });
  const vhosts = [
    v([{ addr: '*', port: 80 }], 'w1'),
    v([{ addr: '127.0.0.1', port: 80 }], 'ip'),
    v([{ addr: '*', port: 80 }], 'w2'),
    v([{ addr: '*', port: 0 }], 'anyport'),
  ];
  t.same(vhostCandidates(vhosts, '127.0.0.1', 80), [1]);
  t.same(vhostCandidates(vhosts, '10.0.0.1', 80), [0, 2, 3]);
  t.same(vhostCandidates(vhosts, '10.0.0.1', 8080), [3]);
  t.equal(vhostCandidates(vhosts.slice(0, 3), '10.0.0.1', 8080), null);
  const main = { ...captureConfig('/nonexistent'), vhosts };
  t.equal(selectVhost(main, [0, 2, 3], 'w2'), 2);
  t.equal(selectVhost(main, [0, 2, 3], 'nobody'), 0);
  t.equal(selectVhost(main, [0, 2, 3], undefined), 0);
});

t.test('through the engine: Host picks the vhost, its DocumentRoot, sections, signature and %v', async (t) => {
  const main = makeDocroot();
  const a = fs.mkdtempSync(path.join(os.tmpdir(), 'ch-vh-a-'));
  const b = fs.mkdtempSync(path.join(os.tmpdir(), 'ch-vh-b-'));
  t.teardown(() => {
    for (const d of [main, a, b]) fs.rmSync(d, { recursive: true, force: true });
  });
  fs.writeFileSync(path.join(a, 'index.html'), 'site a\n');
  fs.writeFileSync(path.join(b, 'index.html'), 'site b\n');
  fs.mkdirSync(path.join(b, 'locked'));
  fs.writeFileSync(path.join(b, 'locked', 'x.html'), 'locked\n');
  const cfg = captureConfig(main, {
    serverName: 'main.example',
    serverSignature: 'On',
    vhosts: [
      {
        addresses: [{ addr: '*', port: 0 }], serverAliases: [],
        config: { serverName: 'a.example', documentRoot: a, sections: [...captureConfig(main).sections, { kind: 'directory', pattern: a, require: [{ kind: 'all', granted: true }] }] },
      },
      {
        // Also named b.example, but only for local port 81: a Host header saying :81 must not
        // make it a candidate (the connection's own port decides).
        addresses: [{ addr: '*', port: 81 }], serverAliases: [],
        config: { serverName: 'b.example', documentRoot: a },
      },
      {
        addresses: [{ addr: '*', port: 0 }], serverAliases: ['*.b.example'],
        config: {
          serverName: 'b.example', documentRoot: b, serverSignature: 'EMail', serverAdmin: 'admin@b.example',
          sections: [
            ...captureConfig(main).sections,
            { kind: 'directory', pattern: b, require: [{ kind: 'all', granted: true }] },
            { kind: 'location', pattern: '/locked', require: [{ kind: 'all', granted: false }] },
          ],
        },
      },
    ],
  });
  const srv = await startServer(cfg);
  t.teardown(() => srv.close());
  const get = (host: string | null, p = '/'): string => `GET ${p} HTTP/1.${host === null ? 0 : 1}\r\n${host === null ? '' : `Host: ${host}\r\n`}Connection: close\r\n\r\n`;
  t.match(text((await exchange(srv.port, get('a.example'))).data), /\r\n\r\nsite a\n$/);
  t.match(text((await exchange(srv.port, get('B.example:81'))).data), /\r\n\r\nsite b\n$/, 'the Host port is ignored');
  t.match(text((await exchange(srv.port, get('www.b.example'))).data), /\r\n\r\nsite b\n$/);
  t.match(text((await exchange(srv.port, get('unknown'))).data), /\r\n\r\nsite a\n$/, 'unknown: the first vhost');
  t.match(text((await exchange(srv.port, get(null))).data), /\r\n\r\nsite a\n$/, 'no Host: the first vhost');
  const locked = text((await exchange(srv.port, get('b.example', '/locked/x.html'))).data);
  t.match(locked, /^HTTP\/1\.1 403 /);
  t.match(locked, /Server at <a href="mailto:admin@b\.example">b\.example<\/a> Port 80<\/address>/);
  const lockedA = text((await exchange(srv.port, get('a.example:8080', '/locked/x.html'))).data);
  t.match(lockedA, /^HTTP\/1\.1 404 /, 'the other vhost has no such Location');
  t.match(lockedA, /Server at a\.example Port 8080<\/address>/);
  t.same(srv.access.map((r) => r.serverName), ['a.example', 'b.example', 'b.example', 'a.example', 'a.example', 'b.example', 'a.example']);
});
