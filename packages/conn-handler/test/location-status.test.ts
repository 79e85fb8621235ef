/**
 * <Location> sections (access and SetHandler) and mod_status's handler, through the engine.
 * Expected answers are apache2's for the same configuration (checked with Debian's 2.4.71):
 * `<Location /private> Require all denied` denies /private, /private/a and //private but not
 * /privatex; POST to the status location falls through to the default handler (404); OPTIONS
 * gets 200 with Allow; HEAD carries the Content-Length of the page.
 */
import fs from 'node:fs';
import t from 'tap';
import type { AccessSection } from '../src/config.js';
import { accessAllowed, handlerFor, locationMatches } from '../src/handlers/access.js';
import { statusResponse } from '../src/handlers/status.js';
import { MemoryScoreboard } from '../src/scoreboard-port.js';
import { captureConfig, exchange, makeDocroot, startServer } from './fixtures/helpers.js';

const docroot = makeDocroot();
t.teardown(() => fs.rmSync(docroot, { recursive: true, force: true }));
const statusOf = (b: Buffer): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(b.toString('latin1'))?.[1] ?? 0);
const headersOf = (b: Buffer): string[] => b.toString('latin1').split('\r\n\r\n')[0]!.split('\r\n').slice(1).map((l) => l.split(':')[0]!);
const bodyOf = (b: Buffer): string => b.toString('latin1').split('\r\n\r\n').slice(1).join('\r\n\r\n');
const get = (target: string, method = 'GET'): string => `${method} ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`;

const loc = (pattern: string, more: Partial<AccessSection> = {}): AccessSection => ({ kind: 'location', pattern, require: [], ...more });

t.test('Location matching: a prefix that ends at a slash, wildcards, regular expressions', async (t) => {
  t.ok(locationMatches(loc('/private'), '/private'));
  t.ok(locationMatches(loc('/private'), '/private/a'));
  t.notOk(locationMatches(loc('/private'), '/privatex'));
  t.ok(locationMatches(loc('/dir/'), '/dir/x'));
  t.notOk(locationMatches(loc('/dir/'), '/dir'));
  t.ok(locationMatches(loc('/img/*.png'), '/img/a.png'));
  t.notOk(locationMatches(loc('/img/*.png'), '/img/sub/a.png'), '* stays within a segment');
  t.ok(locationMatches({ kind: 'locationMatch', pattern: '^/api/v[0-9]+', require: [] }, '/api/v2/x'));
  t.ok(locationMatches(loc('~ \\.bak$'), '/x/y.bak'));
});

t.test('AuthMerging: And and Or combine a section with what the sections before it left; unset or Off replaces', async (t) => {
  const cfg = captureConfig(docroot);
  const client = { remoteAddr: '127.0.0.1', localAddr: '127.0.0.1' };
  const other = { kind: 'ip' as const, values: ['10.9.9.9'] };
  cfg.sections.push(loc('/p', { require: [other] }));
  cfg.sections.push(loc('/p/and', { authMerging: 'and', require: [{ kind: 'all', granted: true }] }));
  cfg.sections.push(loc('/p/and/off', { authMerging: 'off', require: [{ kind: 'all', granted: true }] }));
  cfg.sections.push(loc('/p/or', { authMerging: 'or', require: [{ kind: 'all', granted: true }] }));
  cfg.sections.push(loc('/g', { require: [{ kind: 'all', granted: true }] }));
  cfg.sections.push(loc('/g/or', { authMerging: 'or', require: [other] }));
  cfg.sections.push(loc('/g/and', { authMerging: 'and', require: [other] }));
  cfg.sections.push(loc('/g/and/keep', { authMerging: 'or' }));
  const ok = (uri: string) => accessAllowed(cfg, `${docroot}${uri}`, false, client, uri, 'GET');
  t.notOk(ok('/p/and/x'), "And: the parent's denial stands beside the grant");
  t.ok(ok('/p/and/off/x'), 'Off: the section replaces the merge');
  t.ok(ok('/p/or/x'), 'Or: the grant is enough');
  t.ok(ok('/g/or/x'), "Or: the parent's grant stands beside the denial");
  t.notOk(ok('/g/and/x'), 'And: the denial stands beside the grant');
  t.notOk(ok('/g/and/keep/x'), 'AuthMerging without Require keeps what came before');
});

t.test('a line limited to other methods counts as granted inside a RequireAll (apply_authz_sections)', async (t) => {
  const cfg = captureConfig(docroot);
  const client = { remoteAddr: '127.0.0.1', localAddr: '127.0.0.1' };
  const postOnly = (1n << 2n).toString(16);
  // <RequireAll> <Limit POST> Require ip 10.9.9.9 </Limit> Require not ip 10.1.1.1 </RequireAll>: for GET the first
  // line is granted (RequireAll), the second neutral: granted. Inside a RequireAny the first would be neutral.
  cfg.sections.push(loc('/all', { require: [{ kind: 'block', op: 'all', rules: [{ kind: 'ip', values: ['10.9.9.9'], methods: postOnly }, { kind: 'ip', values: ['10.1.1.1'], negated: true }] }] }));
  const ok = (uri: string, method = 'GET') => accessAllowed(cfg, `${docroot}${uri}`, false, client, uri, method);
  t.ok(ok('/all'), 'GET: granted');
  t.notOk(ok('/all', 'POST'), 'POST: the ip line denies');
  // A RequireAll whose only line is neutral (a `not` that does not match) leaves the section
  // neutral: authorize_user_core answers 403 for neutral as for denied (httpd refuses this
  // configuration with AH01624; the evaluation is checked on its own here).
  cfg.sections.push(loc('/neutral', { require: [{ kind: 'block', op: 'all', rules: [{ kind: 'ip', values: ['10.1.1.1'], negated: true }] }] }));
  t.notOk(ok('/neutral'), 'neutral at the top is 403');
});

t.test('Require inside <Limit>/<LimitExcept> counts for its methods only', async (t) => {
  const cfg = captureConfig(docroot);
  const bit = (...n: number[]) => n.reduce((m, x) => m | (1n << BigInt(x)), 0n).toString(16);
  // <Limit POST PUT> Require all denied; <LimitExcept POST PUT> Require all granted (POST 2, PUT 1).
  const except = ((1n << 64n) - 1n) & ~(BigInt(`0x${bit(1, 2)}`));
  cfg.sections.push(loc('/lim', { require: [{ kind: 'all', granted: false, methods: bit(1, 2) }, { kind: 'all', granted: true, methods: except.toString(16) }] }));
  // <Limit FOO> Require all denied, FOO registered (number 27); nothing for the other methods.
  cfg.registeredMethods = ['FOO'];
  cfg.sections.push(loc('/foo', { require: [{ kind: 'all', granted: false, methods: bit(27) }] }));
  const client = { remoteAddr: '127.0.0.1', localAddr: '127.0.0.1' };
  const ok = (uri: string, method: string) => accessAllowed(cfg, `${docroot}${uri}`, false, client, uri, method);
  t.ok(ok('/lim', 'GET'));
  t.ok(ok('/lim', 'HEAD'), 'HEAD is GET');
  t.notOk(ok('/lim', 'POST'));
  t.notOk(ok('/lim', 'PUT'));
  t.ok(ok('/lim', 'DELETE'));
  t.ok(ok('/lim', 'BREW'), 'a method not registered is M_INVALID, inside the <LimitExcept>');
  t.notOk(ok('/foo', 'FOO'), 'a registered method has its own number');
  t.ok(ok('/foo', 'GET'), 'no line counts: neutral, which authz_core grants');
  // Require method GET OPTIONS (0, 5).
  cfg.sections.push(loc('/m', { require: [{ kind: 'method', mask: bit(0, 5) }] }));
  t.ok(ok('/m', 'GET'));
  t.ok(ok('/m', 'HEAD'));
  t.ok(ok('/m', 'OPTIONS'));
  t.notOk(ok('/m', 'POST'));
  // <RequireAll> Require all granted; Require not ip 127.0.0.1 </RequireAll>, and with 10.9.9.9.
  cfg.sections.push(loc('/ra', { require: [{ kind: 'block', op: 'all', rules: [{ kind: 'all', granted: true }, { kind: 'ip', values: ['127.0.0.1'], negated: true }] }] }));
  cfg.sections.push(loc('/rb', { require: [{ kind: 'block', op: 'all', rules: [{ kind: 'all', granted: true }, { kind: 'ip', values: ['10.9.9.9'], negated: true }] }] }));
  t.notOk(ok('/ra', 'GET'), 'not: a match denies');
  t.ok(ok('/rb', 'GET'), 'not: no match is neutral, the grant stands');
  // <RequireNone> Require ip 127.0.0.1 </RequireNone> inside <RequireAll> with a grant.
  cfg.sections.push(loc('/rn', { require: [{ kind: 'block', op: 'all', rules: [{ kind: 'all', granted: true }, { kind: 'block', op: 'none', rules: [{ kind: 'ip', values: ['127.0.0.1'] }] }] }] }));
  t.notOk(ok('/rn', 'GET'), 'RequireNone: a grant inside denies');
});

t.test('Location Require merges after Directory and Files; SetHandler None clears', async (t) => {
  const cfg = captureConfig(docroot);
  cfg.sections.push(loc('/private', { require: [{ kind: 'all', granted: false }] }));
  cfg.sections.push(loc('/open', { require: [{ kind: 'ip', values: ['10.0.0.0/8'] }] }));
  const client = { remoteAddr: '127.0.0.1', localAddr: '127.0.0.1' };
  t.notOk(accessAllowed(cfg, `${docroot}/private`, false, client, '/private', 'GET'));
  t.notOk(accessAllowed(cfg, `${docroot}/private`, false, client, '//private', 'GET'), 'slashes are merged first');
  t.ok(accessAllowed(cfg, `${docroot}/privatex`, false, client, '/privatex', 'GET'));
  t.notOk(accessAllowed(cfg, `${docroot}/open/a`, false, client, '/open/a', 'GET'), 'the Location rule replaces the Directory grant');
  t.ok(accessAllowed(cfg, `${docroot}/open/a`, false, { ...client, remoteAddr: '10.1.2.3' }, '/open/a', 'GET'));
  cfg.sections.push(loc('/server-status', { handler: 'server-status' }), loc('/server-status/off', { handler: 'None' }));
  t.equal(handlerFor(cfg, '/server-status'), 'server-status');
  t.equal(handlerFor(cfg, '/server-status/x'), 'server-status');
  t.equal(handlerFor(cfg, '/server-status/off'), undefined);
  t.equal(handlerFor(cfg, '/server-statusx'), undefined);
});

t.test('the status handler through the engine', async (t) => {
  const cfg = captureConfig(docroot, { serverDescription: 'prefork/9.9.9 (Test)', serverBuilt: '2026-01-01T00:00:00', maxRequestWorkers: 1 });
  cfg.sections.push(loc('/server-status', { handler: 'server-status' }), loc('/private', { require: [{ kind: 'all', granted: false }] }));
  const board = new MemoryScoreboard();
  board.countAccess(1234);
  const srv = await startServer(cfg, { serverStatus: (req, conn) => statusResponse(cfg, req, conn, () => board.readStatus(), Date.now() * 1000) });
  t.teardown(() => srv.close());

  const auto = await exchange(srv.port, get('/server-status?auto'));
  t.equal(statusOf(auto.data), 200);
  t.same(headersOf(auto.data), ['Date', 'Server', 'Content-Length', 'Connection', 'Content-Type'], "Apache's header order");
  t.match(auto.data.toString('latin1'), /\r\nContent-Type: text\/plain; charset=ISO-8859-1\r\n/);
  const body = bodyOf(auto.data);
  t.match(body, /^localhost\nServerVersion: prefork\/9\.9\.9 \(Test\)\nServerMPM: prefork\nServer Built: 2026-01-01T00:00:00\n/);
  t.match(body, /\nTotal Accesses: 1\n/);
  t.match(body, /\nScoreboard: [_SRWKDCLGI.]\n$/);
  t.equal(Number(/Content-Length: (\d+)/.exec(auto.data.toString('latin1'))?.[1]), Buffer.byteLength(body, 'latin1'));

  const head = await exchange(srv.port, get('/server-status?auto', 'HEAD'));
  t.equal(statusOf(head.data), 200);
  t.ok(Number(/Content-Length: (\d+)/.exec(head.data.toString('latin1'))?.[1]) > 0, 'HEAD has the length of the page');
  t.equal(bodyOf(head.data), '', 'and no body');

  const html = await exchange(srv.port, get('/server-status/sub?refresh=3'));
  t.equal(statusOf(html.data), 200);
  t.match(html.data.toString('latin1'), /\r\nRefresh: 3\r\n/);
  t.match(bodyOf(html.data), /<h1>Apache Server Status for localhost \(via 127\.0\.0\.1\)<\/h1>/);

  t.equal(statusOf((await exchange(srv.port, `POST /server-status HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`)).data), 404, 'POST falls through to the default handler');
  const options = await exchange(srv.port, get('/server-status', 'OPTIONS'));
  t.equal(statusOf(options.data), 200);
  t.match(options.data.toString('latin1'), /\r\nAllow: OPTIONS,HEAD,GET,POST,TRACE\r\n/);
  t.equal(statusOf((await exchange(srv.port, get('/server-statusx'))).data), 404);
  t.equal(statusOf((await exchange(srv.port, get('/private/a'))).data), 403);
  t.equal(statusOf((await exchange(srv.port, get('//private'))).data), 403);
  t.equal(statusOf((await exchange(srv.port, get('/privatex'))).data), 404);
  t.ok(srv.errors.some((l) => l.includes(`AH01630: client denied by server configuration: ${docroot}/private`)));
});
