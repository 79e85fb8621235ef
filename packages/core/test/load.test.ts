// loadServerConfig end to end with the real read pass: LoadModule mapping and policy,
// MPM selection, JavaScript modules, prefork settings.
import t from 'tap';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDefaultRegistry, loadServerConfig, type AnyModule, type CoreServerConfig, type LoadResult } from '../src/index.js';
import { preforkModule, preforkSettingsOf } from '../../mpm-core/src/config/index.js';

const root = mkdtempSync(join(tmpdir(), 'prefork-core-load-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(join(root, 'htdocs'));
// The default ErrorLog's directory: core_check_config insists on it (AH02291).
mkdirSync(join(root, 'logs'));
const registry = createDefaultRegistry([preforkModule as unknown as AnyModule]);
const MODS = '/usr/lib/apache2/modules';
let n = 0;

async function load(body: string): Promise<LoadResult & { file: string }> {
  const file = join(root, `t${++n}.conf`);
  writeFileSync(file, body);
  // A host whose name resolves to a dotted name: no AH00558 in these tests (hostname.test.ts has it).
  const resolver = { hostname: () => 'test', lookup: async () => '127.0.0.1', reverse: async () => 'test.example' };
  const r = await loadServerConfig({ file, serverRoot: root, program: 'apache2', registry, resolver });
  return { ...r, file };
}
const prefork = `LoadModule mpm_prefork_module ${MODS}/mod_mpm_prefork.so\n`;

t.test('LoadModule cases', async (t) => {
  const builtin = await load(`${prefork}LoadModule unixd_module ${MODS}/mod_unixd.so\n`);
  t.equal(builtin.errors[0]?.text, `apache2: Syntax error on line 2 of ${builtin.file}: module unixd_module is built-in and can't be loaded`);
  const dup = await load(`${prefork}LoadModule mime_module ${MODS}/mod_mime.so\nLoadModule mime_module ${MODS}/mod_mime.so\n`);
  t.ok(dup.ok);
  t.match(dup.startupMessages, [{ id: 'AH01574', module: 'so', level: 'warn', message: 'module mime_module is already loaded, skipping' }]);
  const missing = await load(`${prefork}LoadModule foo_module modules/mod_foo.so\n`);
  t.equal(missing.errors[0]?.text,
    `apache2: Syntax error on line 2 of ${missing.file}: Cannot load modules/mod_foo.so into server: ${root}/modules/mod_foo.so: cannot open shared object file: No such file or directory`);
  const bare = await load(`${prefork}LoadModule foo_module mod_foo.so\n`);
  t.equal(bare.errors[0]?.text,
    `apache2: Syntax error on line 2 of ${bare.file}: Cannot load mod_foo.so into server: mod_foo.so: cannot open shared object file: No such file or directory`, 'a bare name is not ServerRoot-relative');
  const other = await load(`${prefork}LoadModule alias_module ${MODS}/mod_mime.so\n`);
  t.equal(other.errors[0]?.text,
    `apache2: Syntax error on line 2 of ${other.file}: Can't locate API module structure \`alias_module' in file ${MODS}/mod_mime.so: ${MODS}/mod_mime.so: undefined symbol: alias_module`, "a stock module's file named for another module");
  const relative = await load(`${prefork}LoadModule status_module modules/mod_status.so\n<IfModule mod_status.c>\nExtendedStatus On\n</IfModule>\n`);
  t.ok(relative.ok, 'a ServerRoot-relative path of a stock module is mapped by name');
  t.equal((relative.server.config.get('core') as CoreServerConfig).extendedStatus, true, '<IfModule mod_status.c> sees it');
  t.ok(relative.modules.some((m) => m.name === 'status_module' && m.kind === 'shared'));
});

t.test('compiled-in modules as Debian builds them (apache2 -l)', async (t) => {
  const r = await load(prefork);
  t.same(r.modules.map((m) => `${m.name} (${m.kind})`), [
    'core (static)', 'so_module (static)', 'watchdog_module (static)', 'http_module (static)',
    'log_config_module (static)', 'logio_module (static)', 'version_module (static)', 'unixd_module (static)',
    'mpm_prefork_module (shared)',
  ], "apache2 -M's order");
  // Built-in wins over "already loaded" even on the second LoadModule of the same name (captures/2c/loadmodule-builtin).
  const twice = await load(`${prefork}LoadModule log_config_module ${MODS}/mod_log_config.so
LoadModule log_config_module ${MODS}/mod_log_config.so
`);
  t.equal(twice.errors[0]?.text, `apache2: Syntax error on line 2 of ${twice.file}: module log_config_module is built-in and can't be loaded`);
  for (const name of ['watchdog_module', 'logio_module', 'version_module']) {
    const one = await load(`${prefork}LoadModule ${name} ${MODS}/mod_x.so
`);
    t.equal(one.errors[0]?.text, `apache2: Syntax error on line 2 of ${one.file}: module ${name} is built-in and can't be loaded`);
  }
  const ifm = await load(`${prefork}<IfModule !logio_module>
NoSuchDirective
</IfModule>
<IfModule mod_version.c>
ServerAdmin a@b
</IfModule>
`);
  t.ok(ifm.ok, 'IfModule sees logio_module and mod_version.c as loaded');
  t.equal((ifm.server.config.get('core') as CoreServerConfig).serverAdmin, 'a@b');
});

t.test('MPM selection', async (t) => {
  const two = await load(`${prefork}LoadModule mpm_event_module ${MODS}/mod_mpm_event.so\n`);
  t.equal(two.errors[0]?.text, 'AH00534: apache2: Configuration error: More than one MPM loaded.');
  const none = await load('ServerName x\n');
  t.equal(none.errors[0]?.text, 'AH00534: apache2: Configuration error: No MPM loaded.');
  const event = await load(`LoadModule mpm_event_module ${MODS}/mod_mpm_event.so\n<IfModule mpm_event_module>\nThreadsPerChild 25\n</IfModule>\n<IfModule mpm_prefork_module>\nStartServers 3\n</IfModule>\n`);
  t.ok(event.ok, 'event alone: prefork runs instead');
  t.match(event.startupMessages, [{ id: 'PF00003', level: 'warn' }]);
  t.equal(preforkSettingsOf(event.server, root)?.startServers, 3, 'from the LoadModule line on, <IfModule mpm_prefork_module> is true (prefork stands in)');
  const guarded = await load(`<IfModule mpm_prefork_module>\nStartServers 4\n</IfModule>\nLoadModule mpm_event_module ${MODS}/mod_mpm_event.so\n<IfModule !prefork.c>\nBogusDirective\n</IfModule>\n<IfModule event.c>\nBogusDirective\n</IfModule>\n`);
  t.ok(guarded.ok, '<IfModule !prefork.c> and <IfModule event.c> are false after LoadModule mpm_event_module');
  t.equal(preforkSettingsOf(guarded.server, root)?.startServers, 5, 'before the LoadModule line no MPM is loaded');
  const order = await load(`LoadModule mime_module ${MODS}/mod_mime.so\nLoadModule mpm_event_module ${MODS}/mod_mpm_event.so\nLoadModule status_module ${MODS}/mod_status.so\n`);
  const names = order.modules.map((m) => m.name);
  t.same(names.slice(names.indexOf('mime_module')), ['mime_module', 'mpm_prefork_module', 'status_module'], 'prefork takes the replaced module\'s place in load order (-M)');
  const debian = await load(`LoadModule mpm_event_module ${MODS}/mod_mpm_event.so\nStartServers 2\nThreadsPerChild 25\nMaxRequestWorkers 150\n`);
  t.ok(debian.ok, "Debian's unguarded mpm_event.conf: thread tuning ignored with a warning");
  t.match(debian.startupMessages.find((m) => m.id === 'PF00001')?.message, /^ThreadsPerChild: not supported by this server \(mpm_event_module\)/);
  t.match(preforkSettingsOf(debian.server, root), { startServers: 2, maxRequestWorkers: 150 }, 'shared names apply to prefork');
});

t.test('fail-closed and warn-accept modules', async (t) => {
  const negotiation = await load(`${prefork}LoadModule negotiation_module ${MODS}/mod_negotiation.so\nCacheNegotiatedDocs on\n`);
  t.ok(negotiation.ok);
  t.match(negotiation.startupMessages.map((m) => m.id), ['PF00002', 'PF00001']);
  t.equal(negotiation.startupMessages[1]?.message, `CacheNegotiatedDocs: not supported by this server (negotiation_module), ignored (first on line 3 of ${negotiation.file})`);
  const twice = await load(`${prefork}LoadModule negotiation_module ${MODS}/mod_negotiation.so\nCacheNegotiatedDocs on\nCacheNegotiatedDocs off\n`);
  t.equal(twice.startupMessages.filter((m) => m.id === 'PF00001').length, 1, 'one warning per directive name');
  const auth = await load(`${prefork}LoadModule auth_basic_module ${MODS}/mod_auth_basic.so\n<Directory /srv>\nAuthBasicProvider file\n</Directory>\n`);
  t.notOk(auth.ok);
  t.match(auth.errors[0].text, new RegExp(`^AH00526: Syntax error on line 4 of ${auth.file}:\\nAuthBasicProvider: not supported by this server; auth_basic_module`));
  const remoteip = await load(`${prefork}LoadModule remoteip_module ${MODS}/mod_remoteip.so\nRemoteIPHeader X-Forwarded-For\n`);
  t.notOk(remoteip.ok, 'mod_remoteip decides the client address that access rules see: using it without it must not start');
  t.match(remoteip.errors[0]?.text, /RemoteIPHeader: not supported by this server; remoteip_module/);
  const loadedOnly = await load(`${prefork}LoadModule rewrite_module ${MODS}/mod_rewrite.so\n`);
  t.ok(loadedOnly.ok, 'loading a fail-closed module without using it starts');
  const script = await load(`${prefork}LoadModule alias_module ${MODS}/mod_alias.so\nScriptAlias /cgi-bin/ /usr/lib/cgi-bin/\n`);
  t.ok(script.ok, 'ScriptAlias is accepted: its requests are refused one by one');
  t.same(script.startupMessages.map((m) => [m.id, m.level]), [['PF00007', 'warn']]);
  t.equal(script.startupMessages[0]?.message, `ScriptAlias /cgi-bin/ (on line 3 of ${script.file}): this server runs no CGI programs; requests under it are refused (403)`);
  t.same((script.server.config.get('alias_module') as { aliases: unknown[] }).aliases, [{ kind: 'scriptalias', from: '/cgi-bin/', to: '/usr/lib/cgi-bin/' }]);
  const expr = await load(`${prefork}LoadModule authz_core_module ${MODS}/mod_authz_core.so\n<Directory /srv>\n<RequireAll>\nRequire all granted\nRequire not expr %{REQUEST_URI} =~ m#^/x#\n</RequireAll>\n</Directory>\n`);
  t.ok(expr.ok, 'Require expr is accepted, as Apache accepts it');
  t.same(expr.startupMessages.map((m) => [m.id, m.level]), [['PF00008', 'warn']]);
  t.equal(expr.startupMessages[0]?.message, `Require not expr %{REQUEST_URI} =~ m#^/x# (on line 6 of ${expr.file}): not evaluated by this server; the Require lines of its section count as one 'Require all denied'`);
  const env = await load(`${prefork}LoadModule authz_core_module ${MODS}/mod_authz_core.so\nLoadModule setenvif_module ${MODS}/mod_setenvif.so\nBrowserMatch ^bot bad_bot\n<Directory /srv>\n<RequireAll>\nRequire all granted\nRequire not env bad_bot\n</RequireAll>\n</Directory>\n`);
  t.ok(env.ok);
  t.same(env.startupMessages, [], 'Require env and setenvif are implemented: no warning');
});

t.test('prefork settings and check_config', async (t) => {
  const r = await load(`${prefork}Listen 127.0.0.1:18080\nListen 8443 https\nStartServers abc\nMaxClients 300\nPidFile run/x.pid\nUser www-data\nMutex file:/tmp default\n`);
  t.ok(r.ok);
  const s = preforkSettingsOf(r.server, root);
  t.same(s?.listeners, [{ address: '127.0.0.1', port: 18080, protocol: 'http' }, { address: undefined, port: 8443, protocol: 'https' }]);
  t.equal(s?.startServers, 1);
  t.equal(s?.maxRequestWorkers, 256);
  t.equal(s?.pidFile, `${root}/run/x.pid`);
  t.equal(s?.user, 'www-data');
  t.equal(s?.mutexDir, '/tmp');
  t.equal(s?.acceptMutex, 'fcntl', "Mutex file:… is APR's fcntl on Linux");
  t.same(r.startupMessages.filter((m) => m.startup).map((m) => m.id), ['AH00180', 'AH00184']);
  t.match(r.startupMessages, [{ id: 'AH00188', level: 'info' }], 'MaxClients deprecation at info');
});

t.test("core_check_config: each file error log's directory must exist (AH02291)", async (t) => {
  const missing = join(root, 'no-such-dir');
  const r = await load(`${prefork}ServerName a\nErrorLog ${missing}/error_log\n<VirtualHost *:80>\nErrorLog ${root}/t1.conf/x\n</VirtualHost>\n<VirtualHost *:81>\nErrorLog "|/bin/cat"\n</VirtualHost>\n<VirtualHost *:82>\nErrorLog syslog:local1\n</VirtualHost>\n<VirtualHost *:83>\n</VirtualHost>\nMaxRequestWorkers 100000\n`);
  t.notOk(r.ok);
  t.same(r.errors.map((e) => e.text), ['AH00014: Configuration check failed']);
  t.same(r.startupMessages.filter((m) => m.level === 'emerg').map((m) => [m.status, m.message]), [
    ['(2)No such file or directory', `Cannot access directory '${missing}/' for main error log`],
    ['(20)Not a directory', `Cannot access directory '${root}/t1.conf/' for error log of vhost defined at ${r.file}:4`],
  ], 'the main server and the vhost with a file log of its own; pipes, syslog and inherited logs are not checked');
  t.notOk(r.startupMessages.some((m) => m.id === 'AH00180'), "prefork's check does not run after core's failed");
});

t.test('JavaScript modules', async (t) => {
  const example = fileURLToPath(new URL('../examples/hello-module.mjs', import.meta.url));
  const r = await load(`${prefork}LoadModule hello_module ${example}\n<Location /hello>\nHelloGreeting "hi there"\nSetHandler hello\n</Location>\n`);
  t.ok(r.ok, r.errors[0]?.text ?? 'loaded');
  t.same(r.server.locations[0].config.get('hello_module'), { greeting: 'hi there' });
  t.equal(await r.hooks.runFirst('handler', { handler: 'hello' }), 200);
  const wrong = await load(`${prefork}LoadModule other_module ${example}\n`);
  t.match(wrong.errors[0]?.message, /^PF00005: Can't locate API module structure `other_module'/);
});

t.test('mod_headers: lines land in the table of their kind, server first then each section; expr= warns', async (t) => {
  const r = await load(`${prefork}LoadModule headers_module ${MODS}/mod_headers.so\nHeader always set X-A "%{V}e/%D%%" env=!V\nHeader set X-B:junk b\nRequestHeader edit* X-C "(a+)" "<$1>" early\n<Location /x>\nHeader unset X-B\nHeader set X-E v expr=%{REQUEST_URI}=~/x/\n</Location>\n`);
  t.ok(r.ok, 'loads');
  const server = r.server.dirDefaults.get('headers_module') as { fixupIn: unknown[]; fixupOut: unknown[]; fixupErr: unknown[] };
  t.same(server.fixupErr, [{ action: 'set', header: 'X-A', condition: { env: 'V', negated: true }, format: [{ tag: 'e', arg: 'V' }, { text: '/' }, { tag: 'D' }, { text: '%' }] }]);
  t.same(server.fixupOut, [{ action: 'set', header: 'X-B', format: [{ text: 'b' }] }], 'the name ends at the colon');
  t.same(server.fixupIn, [{ action: 'edit*', header: 'X-C', regex: '(a+)', condition: { early: true }, format: [{ text: '<$1>' }] }]);
  const loc = r.server.locations[0]!.config.get('headers_module') as { fixupOut: Array<{ action: string; expr?: string }> };
  t.same(loc.fixupOut.map((e) => [e.action, e.expr]), [['unset', undefined], ['set', '%{REQUEST_URI}=~/x/']]);
  t.match(r.startupMessages, [{ id: 'PF00009', module: 'headers', level: 'warn', message: /^Header \(on line 8 of .*\): expressions are not evaluated/ }]);
});

t.test('mod_env: SetEnv, UnsetEnv and PassEnv per directory; a vhost merges over the main server', async (t) => {
  process.env['PREFORK_TEST_PASSED'] = 'passed';
  t.teardown(() => delete process.env['PREFORK_TEST_PASSED']);
  const r = await load(`${prefork}LoadModule env_module ${MODS}/mod_env.so\nListen 127.0.0.1:8089\nSetEnv A 1\nSetEnv a 2\nSetEnv B\nPassEnv PREFORK_TEST_PASSED PREFORK_TEST_NOT_SET\nSetEnv X=y\n<Directory /srv>\nSetEnv C 3\nUnsetEnv C A\n</Directory>\n<VirtualHost 127.0.0.1:8089>\nUnsetEnv B\nSetEnv D 4\n</VirtualHost>\n`);
  t.ok(r.ok);
  const main = r.server.dirDefaults.get('env_module') as { vars: string[][]; unset: string[] };
  t.same(main.vars, [['A', '2'], ['B', ''], ['PREFORK_TEST_PASSED', 'passed'], ['X=y', '']], 'a name set again keeps its first place');
  const dir = r.server.directories[0]!.config.get('env_module') as { vars: string[][]; unset: string[] };
  t.same(dir, { vars: [], unset: ['C', 'A'] }, 'UnsetEnv drops what the section set before it');
  const vhost = r.vhosts[0]!.dirDefaults.get('env_module') as { vars: string[][] };
  t.same(vhost.vars, [['A', '2'], ['PREFORK_TEST_PASSED', 'passed'], ['X=y', ''], ['D', '4']]);
  t.match(r.startupMessages, [
    { id: 'AH01506', module: 'env', level: 'warn', message: 'PassEnv variable PREFORK_TEST_NOT_SET was undefined' },
    { id: 'AH10032', module: 'env', level: 'warn', message: "Spurious usage of '=' in an environment variable name. 'SetEnv X y' expected instead?" },
  ]);
});

t.test('<If>: expressions are not evaluated; access rules inside stop startup, anything else is warned and never applies', async (t) => {
  const denied = await load(`${prefork}LoadModule authz_core_module ${MODS}/mod_authz_core.so\n<Directory /srv>\n<If "%{REMOTE_ADDR} != '10.0.0.1'">\n<RequireAll>\nRequire all denied\n</RequireAll>\n</If>\n</Directory>\n`);
  t.notOk(denied.ok);
  t.match(denied.errors[0]?.text, /Syntax error on line 4 of .*:\nRequireAll inside <If> \(line 5 of .*\): not supported by this server/);
  const other = await load(`${prefork}<If "true">\nServerSignature On\n</If>\n<Else>\n</Else>\n`);
  t.ok(other.ok);
  t.same(other.startupMessages.filter((m) => m.id === 'PF00009').map((m) => m.message.replace(/ of .*\)/, ')')), ['<If> (on line 2): expressions are not evaluated by this server; the directives inside never apply'], 'an empty <Else> says nothing');
});
