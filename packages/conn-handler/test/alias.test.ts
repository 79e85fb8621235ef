/**
 * mod_alias in the child: Alias, AliasMatch, Redirect, RedirectMatch, and ScriptAlias refused.
 * The Redirect forms, the prefix rule and the query string handling follow apache2 2.4.71
 * (`Redirect /old http://example.org/new`: GET /old/a?x=1 → 302 Location:
 * http://example.org/new/a?x=1; `Alias /icons /x` does not cover /iconsx).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import type { AliasRule } from '../src/config.js';
import { aliasMatchLength, substituteGroups, translateAlias } from '../src/handlers/alias.js';
import { captureConfig, exchange, makeDocroot, startServer } from './fixtures/helpers.js';

const docroot = makeDocroot();
const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'ch-alias-'));
fs.writeFileSync(path.join(outside, 'a.txt'), 'aliased\n');
fs.mkdirSync(path.join(outside, 'cgi'));
fs.writeFileSync(path.join(outside, 'cgi', 'x.cgi'), '#!/bin/sh\necho secret-source\n');
t.teardown(() => {
  fs.rmSync(docroot, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
});
const text = (b: Buffer): string => b.toString('latin1');
const statusOf = (b: Buffer): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(text(b))?.[1] ?? 0);
const get = (target: string): string => `GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`;

t.test('alias_matches: runs of slashes, and the last segment ends at a slash or the end', async (t) => {
  t.equal(aliasMatchLength('/icons/a.png', '/icons/'), 7);
  t.equal(aliasMatchLength('/icons', '/icons'), 6);
  t.equal(aliasMatchLength('/icons/a', '/icons'), 6);
  t.equal(aliasMatchLength('/iconsx', '/icons'), 0);
  t.equal(aliasMatchLength('//icons//a', '/icons/'), 9);
  t.equal(aliasMatchLength('/icons', '/icons/'), 0, 'a trailing slash in the rule needs one in the URL');
  const m = /^\/u\/([a-z]+)\/(.*)$/.exec('/u/bob/x')!;
  t.equal(substituteGroups('/home/$1/www/$2', m), '/home/bob/www/x');
  t.equal(substituteGroups('\\$1 & $9', m), '$1 /u/bob/x ');
});

t.test('translation order: redirects first, then aliases, first match wins', async (t) => {
  const rules: AliasRule[] = [
    { kind: 'alias', from: '/docs', to: '/srv/docs' },
    { kind: 'redirect', from: '/docs/old', to: 'http://example.org/new', status: 301 },
    { kind: 'aliasmatch', from: '^/img/(.*)\\.png$', to: '/srv/png/$1.png' },
    { kind: 'redirectmatch', from: '^/r/(.*)$', to: 'http://example.org/r?q=$1' },
    { kind: 'redirect', from: '/gone', status: 410 },
  ];
  t.same(translateAlias(rules, '/docs/old/page', 'a=1'), { kind: 'redirect', status: 301, location: 'http://example.org/new/page?a=1', rule: rules[1] });
  t.same(translateAlias(rules, '/docs/x', undefined), { kind: 'file', filename: '/srv/docs/x', rule: rules[0] });
  t.same(translateAlias(rules, '/img/a.png', undefined), { kind: 'file', filename: '/srv/png/a.png', rule: rules[2] });
  t.same(translateAlias(rules, '/r/a b', 'z=1'), { kind: 'redirect', status: 302, location: 'http://example.org/r?q=a b', rule: rules[3] }, 'a target with a query keeps it; no second one is added');
  t.same(translateAlias(rules, '/gone/x', undefined), { kind: 'redirect', status: 410, rule: rules[4] });
  t.equal(translateAlias(rules, '/other', undefined), null);
  const plain: AliasRule = { kind: 'redirect', from: '/a', to: 'http://h/b' };
  t.same(translateAlias([plain], '/a/c d', undefined), { kind: 'redirect', status: 302, location: 'http://h/b/c%20d', rule: plain }, 'the rest of the path is escaped');
  t.equal((translateAlias([plain], '/a/\xc3\xa9~', undefined) as { location: string }).location, 'http://h/b/%c3%a9~', 'in lower-case hex, as ap_escape_uri writes it; ~ is left as it is');
});

t.test('through the engine', async (t) => {
  const cfg = captureConfig(docroot, {
    aliases: [
      { kind: 'alias', from: '/files/', to: `${outside}/` },
      { kind: 'alias', from: '/denied/', to: '/usr/share/' },
      { kind: 'scriptalias', from: '/cgi-bin/', to: `${outside}/cgi/` },
      { kind: 'redirect', from: '/old', to: 'http://example.org/new' },
      { kind: 'redirect', from: '/local', to: '/hello.txt', status: 301 },
      { kind: 'redirect', from: '/gone', status: 410 },
    ],
  });
  cfg.sections.push({ kind: 'directory', pattern: outside, require: [{ kind: 'all', granted: true }] });
  const srv = await startServer(cfg);
  t.teardown(() => srv.close());

  const file = await exchange(srv.port, get('/files/a.txt'));
  t.equal(statusOf(file.data), 200);
  t.match(text(file.data), /\r\n\r\naliased\n$/);
  t.equal(statusOf((await exchange(srv.port, get('/files/missing'))).data), 404);
  t.equal(statusOf((await exchange(srv.port, get('/denied/'))).data), 403, 'an alias target outside any granted Directory is denied');

  const script = await exchange(srv.port, get('/cgi-bin/x.cgi'));
  t.equal(statusOf(script.data), 403, 'a ScriptAlias target is never sent as a file');
  t.notMatch(text(script.data), /secret-source/);
  t.ok(srv.errors.some((l) => l.includes(`PF02010: ScriptAlias /cgi-bin/ maps to programs, which this server does not run: ${outside}/cgi/x.cgi`)));

  const moved = await exchange(srv.port, get('/old/a?x=1'));
  t.equal(statusOf(moved.data), 302);
  t.match(text(moved.data), /\r\nLocation: http:\/\/example\.org\/new\/a\?x=1\r\n/);
  const local = await exchange(srv.port, get('/local'));
  t.equal(statusOf(local.data), 301);
  t.match(text(local.data), /\r\nLocation: http:\/\/localhost\/hello\.txt\r\n/, 'a path target becomes an absolute URL');
  t.equal(statusOf((await exchange(srv.port, get('/gone'))).data), 410);
});

t.test('a type a loaded module would handle (AddType application/x-httpd-php .php) is refused, never sent as source', async (t) => {
  fs.writeFileSync(path.join(docroot, 'page.php'), '<?php $password = "secret"; ?>\n');
  const cfg = captureConfig(docroot, {});
  cfg.mime = { ...cfg.mime, addType: { ...cfg.mime.addType, php: 'application/x-httpd-php' } };
  const plain = await startServer(cfg);
  t.teardown(() => plain.close());
  t.equal(statusOf((await exchange(plain.port, get('/page.php'))).data), 200, 'without the module loaded Apache sends the file too');
  const srv = await startServer({ ...cfg, typeHandlers: ['application/x-httpd-php'] });
  t.teardown(() => srv.close());
  const res = await exchange(srv.port, get('/page.php'));
  t.equal(statusOf(res.data), 403);
  t.notMatch(text(res.data), /secret/);
  t.ok(srv.errors.some((l) => l.includes('PF02010: the type application/x-httpd-php names a handler this server does not run')));
});
