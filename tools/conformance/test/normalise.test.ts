import t from 'tap';
import { normaliseText, normaliseJson, reduceToAh, STANDARD_RULES, type NormaliseContext } from '../src/normalise.js';

const ctx: NormaliseContext = {
  roots: ['/tmp/prefork-conf-AbC123'],
  ports: { PORT: 41234, PORT2: 41235 },
  programPaths: ['/usr/sbin/apache2'],
};
const n = (s: string, c: NormaliseContext = ctx): string => normaliseText(s, c);

t.test('ServerRoot and ports become placeholders', async (t) => {
  t.equal(n('Syntax error on line 7 of /tmp/prefork-conf-AbC123/conf/x.conf:'), 'Syntax error on line 7 of @ROOT@/conf/x.conf:');
  t.equal(n('127.0.0.1:41234        is a NameVirtualHost'), '127.0.0.1:<PORT>        is a NameVirtualHost');
  t.equal(n('port 41235 namevhost b'), 'port <PORT2> namevhost b');
  t.equal(n('412345 and 141234 stay'), '412345 and 141234 stay', 'only whole numbers are ports');
});

t.test('version strings of both programs, and only them', async (t) => {
  t.equal(n('Server version: Apache/2.4.71 (Debian)'), 'Server version: <version>');
  t.equal(n('Server version: prefork/0.1.0 (Apache/2.4.71 compatible)'), 'Server version: <version>');
  t.equal(n('AH00163: Apache/2.4.71 (Debian) configured -- resuming normal operations'), 'AH00163: <version> configured -- resuming normal operations');
  t.equal(n('Apache/2.4 is not a full version'), 'Apache/2.4 is not a full version');
  t.equal(n('Server MPM:     prefork'), 'Server MPM:     prefork', 'the MPM name is not a program name');
});

t.test('build lines', async (t) => {
  t.equal(n('Server built:   2026-11-12T08:58:41'), 'Server built:   <built>');
  t.equal(n('[x] AH00164: Server built: 2026-11-12T08:58:41'), '[x] AH00164: Server built: <built>');
  t.equal(n('Server Built: 2026-11-12T08:58:41'), 'Server Built: <built>');
});

t.test('dates, pids, tids, client ports', async (t) => {
  t.equal(
    n('[Wed Nov 25 16:21:50.337919 2026] [core:warn] [pid 11974:tid 11974] AH00111: Config variable ${UNDEFINED} is not defined'),
    '[<date>] [core:warn] [pid <pid>:tid <tid>] AH00111: Config variable ${UNDEFINED} is not defined',
  );
  t.equal(n('Date: Wed, 25 Nov 2026 16:27:04 GMT'), 'Date: <date>');
  t.equal(n('CurrentTime: Wednesday, 25-Nov-2026 16:26:19 UTC'), 'CurrentTime: <date>');
  t.equal(n('127.0.0.1 - - [25/Nov/2026:16:26:19 +0000] "GET / HTTP/1.1" 200'), '127.0.0.1 - - [<date>] "GET / HTTP/1.1" 200');
  t.equal(n('httpd (pid 1234) already running'), '<httpd> (pid <pid>) already running');
  t.equal(n('[client 127.0.0.1:47076] AH00135: Invalid method'), '[client 127.0.0.1:<cport>] AH00135: Invalid method');
});

t.test('program names where a program names itself', async (t) => {
  t.equal(n('apache2: Syntax error on line 6 of x'), '<httpd>: Syntax error on line 6 of x');
  t.equal(n('prefork: Syntax error on line 6 of x'), '<httpd>: Syntax error on line 6 of x');
  t.equal(n('Usage: /usr/sbin/apache2 [-D name]'), 'Usage: <httpd> [-D name]');
  t.equal(n('Usage: prefork [-D name]'), 'Usage: <httpd> [-D name]');
  t.equal(n('Usage: /usr/sbin/apache2 [-D name]\n                         [-v] [-V]\n  -D name   : define'), 'Usage: <httpd> [-D name]\n<pad>[-v] [-V]\n  -D name   : define', 'continuation lines are indented by the length of argv[0]');
  t.equal(n('httpd not running, trying to start'), '<httpd> not running, trying to start');
  t.equal(n("AH00094: Command line: '/usr/sbin/apache2 -f x -D FOREGROUND'"), "AH00094: Command line: '<httpd> -f x -D FOREGROUND'");
  t.equal(n("AH00094: Command line: 'prefork -f x'"), "AH00094: Command line: '<httpd> -f x'");
  t.equal(n('LoadModule x /usr/lib/apache2/modules/mod_x.so'), 'LoadModule x /usr/lib/apache2/modules/mod_x.so', 'paths are not program names');
  t.equal(n('PidFile: "/r/run/httpd.pid"'), 'PidFile: "/r/run/httpd.pid"');
  const ours: NormaliseContext = { ...ctx, programPaths: ['/usr/bin/node /repo/bin/prefork.js', '/repo/bin/prefork.js'] };
  t.equal(n('Usage: /usr/bin/node /repo/bin/prefork.js [-D name]', ours), 'Usage: <httpd> [-D name]');
});

t.test('case rules, JSON values, AH reduction', async (t) => {
  const c: NormaliseContext = { ...ctx, extra: [{ pattern: '" (\\d+) (\\d+)$', replace: '" <pid> <usec>' }] };
  t.equal(n('"-" "-" 22391 195', c), '"-" "-" <pid> <usec>');
  t.same(normaliseJson({ a: ['pid 1', 3, null, { b: 'Apache/2.4.71 (Debian)' }] }, ctx), { a: ['pid <pid>', 3, null, { b: '<version>' }] });
  t.equal(reduceToAh('[<date>] [mpm_prefork:notice] [pid <pid>:tid <tid>] AH00169: caught SIGTERM, shutting down'), 'AH00169: caught SIGTERM, shutting down');
  t.equal(reduceToAh('[<date>] [core:notice] no id here'), 'no id here');
  t.ok(STANDARD_RULES.every((r) => r.why.length > 20), 'every rule says why it exists');
});
