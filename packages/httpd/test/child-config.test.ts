import t, { type Test } from 'tap';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDefaultRegistry, loadServerConfig } from '@prefork/core';
import type { PreforkSettings } from '@prefork/mpm-core';
import { childSnapshot } from '../src/child-config.js';

const MODULES = '/usr/lib/apache2/modules';

async function snapshotOf(t: Test, conf: string): Promise<Record<string, unknown>> {
  const root = mkdtempSync(join(tmpdir(), 'pf-childcfg-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'htdocs'));
  mkdirSync(join(root, 'logs'));
  writeFileSync(join(root, 'mime.types'), 'text/html\thtml htm\nimage/png png\n# comment\n');
  writeFileSync(join(root, 'httpd.conf'), conf.replace('@ROOT@', root));
  // A fixed resolver: names derived for servers without ServerName do not depend on this machine.
  const resolver = {
    hostname: () => 'box',
    lookup: async () => '10.0.0.9',
    reverse: async (address: string) => (address === '::1' ? 'ip6-loopback.example' : 'box.example'),
    lookupAll: async (name: string) => {
      if (name === 'named.test') return [{ address: '10.0.0.7', family: 4 }, { address: 'fd00::7', family: 6 }];
      throw Object.assign(new Error(name), { code: 'ENOTFOUND' });
    },
  };
  const result = await loadServerConfig({ file: join(root, 'httpd.conf'), serverRoot: root, defines: [], preDirectives: [], postDirectives: [], program: 'prefork', registry: createDefaultRegistry([]), startup: true, resolver } as never);
  t.equal(result.ok, true, `config loads: ${result.errors.map((e) => e.text).join('; ')}`);
  const settings = { listeners: [{ port: 8123 }], maxConnectionsPerChild: 7 } as unknown as PreforkSettings;
  return { root, ...childSnapshot(result, settings, 'Apache/2.4.71 (Debian)') };
}

t.test('core, http and log directives reach the snapshot in the child spelling', async (t) => {
  const s = await snapshotOf(t, `ServerRoot "@ROOT@"
LoadModule mime_module ${MODULES}/mod_mime.so
LoadModule dir_module ${MODULES}/mod_dir.so
LoadModule authz_core_module ${MODULES}/mod_authz_core.so
LoadModule authz_host_module ${MODULES}/mod_authz_host.so
ServerName www.example.org:8123
ServerAdmin ops@example.org
ServerTokens Prod
ServerSignature EMail
DocumentRoot htdocs
Timeout 17
KeepAlive Off
KeepAliveTimeout 3
MaxKeepAliveRequests 9
LimitRequestLine 4000
LimitRequestFields 20
LimitRequestBody 1234
HttpProtocolOptions Unsafe RegisteredMethods Require1.0
TraceEnable Off
FileETag INode Size
AddDefaultCharset On
TypesConfig mime.types
AddType text/x-demo .demo
DirectoryIndex start.html index.html
DirectorySlash Off
LogFormat "%h %>s" short
CustomLog logs/access_log short env=!quiet
LogLevel info
<Directory />
  Require all denied
</Directory>
<Directory htdocs>
  Require ip 127.0.0.1
</Directory>
<FilesMatch "^\\.ht">
  Require all denied
</FilesMatch>
`);
  const root = s['root'] as string;
  t.equal(s['serverName'], 'www.example.org');
  t.equal(s['serverAdmin'], 'ops@example.org');
  t.equal(s['port'], 8123);
  t.equal(s['maxConnectionsPerChild'], 7);
  t.same(s['serverBanner'], { product: 'Apache', version: '2.4.71', os: 'Debian' });
  t.equal(s['serverTokens'], 'Prod');
  t.equal(s['serverSignature'], 'EMail');
  t.equal(s['documentRoot'], join(root, 'htdocs'));
  t.equal(s['timeout'], 17);
  t.equal(s['keepAlive'], false);
  t.equal(s['keepAliveTimeoutMs'], 3000);
  t.equal(s['maxKeepAliveRequests'], 9);
  t.equal(s['limitRequestLine'], 4000);
  t.equal(s['limitRequestFields'], 20);
  t.equal(s['limitRequestBody'], 1234);
  t.same(s['httpProtocolOptions'], { strict: false, registeredMethods: true, allow09: false });
  t.equal(s['traceEnable'], 'Off');
  t.same(s['fileETag'], ['INode', 'Size']);
  t.equal(s['addDefaultCharset'], 'iso-8859-1');
  const mime = s['mime'] as { types: Record<string, string>; addType: Record<string, string> };
  t.equal(mime.types['htm'], 'text/html');
  t.equal(mime.types['png'], 'image/png');
  t.equal(mime.addType['demo'], 'text/x-demo');
  t.same(s['directoryIndex'], ['start.html', 'index.html']);
  t.equal(s['directorySlash'], false);
  t.same(s['accessLogs'], [{ target: join(root, 'logs/access_log'), format: '%h %>s', condition: { variable: 'quiet', negated: true } }]);
  t.equal(s['logLevel'], 'info');
  const sections = s['sections'] as Array<{ kind: string; pattern: string; require: unknown[] }>;
  t.same(sections.map((x) => x.kind), ['directory', 'directory', 'filesMatch']);
  t.same(sections[0]?.require, [{ kind: 'all', granted: false }]);
  t.same(sections[1]?.require, [{ kind: 'ip', values: ['127.0.0.1'] }]);
  t.equal(sections[2]?.pattern, '^\\.ht');
});

t.test('an empty configuration leaves the defaults to the child', async (t) => {
  const s = await snapshotOf(t, 'ServerRoot "@ROOT@"\n');
  t.notOk('keepAlive' in s);
  t.notOk('serverTokens' in s && s['serverTokens'] !== 'Full', 'ServerTokens is Full or left to the default');
  t.notOk('accessLogs' in s && (s['accessLogs'] as unknown[]).length > 0);
  t.same(s['sections'], []);
  t.match(s['multipartBoundary'], /^[0-9a-f]{16}$/, 'ap_multipart_boundary, drawn by the master for all children');
});

t.test('Require rules reach the child; a section with one it cannot evaluate is denied as a whole', async (t) => {
  const { childRules } = await import('../src/child-config.js');
  t.same(childRules([{ kind: 'require', negate: false, provider: 'ip', args: ['127.0.0.1'] }]), [{ kind: 'ip', values: ['127.0.0.1'] }]);
  t.same(
    childRules([{ kind: 'all', rules: [{ kind: 'require', negate: false, provider: 'all', args: ['granted'] }, { kind: 'require', negate: true, provider: 'ip', args: ['10.0.0.1'] }] }]),
    [{ kind: 'block', op: 'all', rules: [{ kind: 'all', granted: true }, { kind: 'ip', values: ['10.0.0.1'], negated: true }] }],
    'RequireAll reaches the child as a block',
  );
  t.same(
    childRules([{ kind: 'none', rules: [{ kind: 'require', negate: false, provider: 'expr', args: ['true'] }] }]),
    [{ kind: 'all', granted: false }],
    'a block holding a provider the child cannot evaluate (expr): the section is denied',
  );
  t.same(childRules([{ kind: 'require', negate: false, provider: 'expr', args: ['true'] }]), [{ kind: 'all', granted: false }], 'expr provider: deny');
  t.same(childRules([{ kind: 'require', negate: false, provider: 'env', args: ['LET_IN'] }]), [{ kind: 'env', values: ['LET_IN'] }], 'env provider: evaluated');
  t.same(childRules([{ kind: 'require', negate: false, provider: 'all', args: ['granted'] }]), [{ kind: 'all', granted: true }]);
});

t.test('Location sections reach the child with their Require rules and SetHandler, after Directory and Files', async (t) => {
  const s = await snapshotOf(t, `ServerRoot "@ROOT@"
LoadModule authz_core_module ${MODULES}/mod_authz_core.so
LoadModule authz_host_module ${MODULES}/mod_authz_host.so
LoadModule status_module ${MODULES}/mod_status.so
LoadModule alias_module ${MODULES}/mod_alias.so
DocumentRoot htdocs
Alias /icons/ /usr/share/apache2/icons/
Redirect permanent /old http://example.org/new
ScriptAlias /cgi-bin/ /usr/lib/cgi-bin/
<Location /server-status>
  SetHandler server-status
  Require local
</Location>
<Directory @ROOT@/htdocs>
  Require all granted
</Directory>
<LocationMatch "^/private">
  Require all denied
</LocationMatch>
`);
  const sections = s['sections'] as Array<Record<string, unknown>>;
  t.same(sections.map((x) => x['kind']), ['directory', 'location', 'locationMatch'], 'Location forms come last, in file order');
  t.same(sections[1], { kind: 'location', pattern: '/server-status', require: [{ kind: 'local' }], handler: 'server-status' });
  t.same(sections[2], { kind: 'locationMatch', pattern: '^/private', require: [{ kind: 'all', granted: false }] });
  t.equal(s['serverDescription'], 'Apache/2.4.71 (Debian)');
  t.same(s['aliases'], [
    { kind: 'alias', from: '/icons/', to: '/usr/share/apache2/icons/' },
    { kind: 'redirect', from: '/old', to: 'http://example.org/new', status: 301 },
    { kind: 'scriptalias', from: '/cgi-bin/', to: '/usr/lib/cgi-bin/' },
  ], 'mod_alias rules in order');
});

t.test('virtual hosts: addresses, names, and their own settings over the main server\'s', async (t) => {
  const s = await snapshotOf(t, `ServerRoot "@ROOT@"
LoadModule authz_core_module ${MODULES}/mod_authz_core.so
LoadModule alias_module ${MODULES}/mod_alias.so
ServerName main.example
DocumentRoot htdocs
CustomLog logs/access_log common
<Directory @ROOT@/htdocs>
  Require all granted
</Directory>
<VirtualHost *:8123 127.0.0.1 _default_:*>
  ServerName a.example:8080
  ServerAlias *.a.example other
  DocumentRoot a
  ErrorDocument 404 /missing.html
  Redirect /old http://elsewhere/
  <Location /x>
    Require all denied
    Redirect /x/y http://elsewhere/y
  </Location>
</VirtualHost>
<VirtualHost [::1]:80>
  CustomLog logs/v2_log "%v"
</VirtualHost>
`);
  const vhosts = s['vhosts'] as Array<{ addresses: unknown; serverAliases: string[]; config: Record<string, unknown> }>;
  t.equal(vhosts.length, 2);
  const [a, b] = vhosts as [typeof vhosts[0], typeof vhosts[0]];
  t.same(a.addresses, [{ addr: '*', port: 8123 }, { addr: '127.0.0.1', port: 0 }, { addr: '*', port: 0 }]);
  t.same(a.serverAliases, ['*.a.example', 'other']);
  t.equal(a.config['serverName'], 'a.example');
  t.equal(a.config['serverNamePort'], 8080);
  t.equal(a.config['documentRoot'], `${s['root']}/a`);
  t.same(a.config['errorDocuments'], { 404: '/missing.html' });
  t.same(a.config['aliases'], [{ kind: 'redirect', from: '/old', to: 'http://elsewhere/', status: 302 }]);
  const sections = a.config['sections'] as Array<Record<string, unknown>>;
  t.same(sections.map((x) => x['kind']), ['directory', 'location'], 'the main server\'s sections come first');
  t.same(sections[1]!['redirects'], [{ kind: 'redirect', from: '/x/y', to: 'http://elsewhere/y', status: 302 }]);
  t.same(b.addresses, [{ addr: '::1', port: 80 }]);
  t.equal(b.config['serverName'], 'ip6-loopback.example', 'no ServerName on an address vhost: its reverse name, as -S shows it');
  t.equal(b.config['documentRoot'], `${s['root']}/htdocs`);
  t.same((b.config['accessLogs'] as Array<{ format: string }>).map((l) => l.format), ['%v']);
  t.same((a.config['accessLogs'] as Array<{ format: string }>).map((l) => l.format), ['common'], 'no CustomLog: the main server\'s');
});

t.test('virtual host addresses reach the child resolved: names looked up, the main server\'s port where none is written', async (t) => {
  const s = await snapshotOf(t, `ServerRoot "@ROOT@"
ServerName main.example:8123
DocumentRoot htdocs
<VirtualHost 127.0.0.1 named.test:81 gone.test:82 *>
  ServerName v.example
</VirtualHost>
`);
  const vhosts = s['vhosts'] as Array<{ addresses: unknown }>;
  t.same(vhosts[0]?.addresses, [
    { addr: '127.0.0.1', port: 8123 },
    { addr: '10.0.0.7', port: 81 },
    { addr: 'fd00::7', port: 81 },
    { addr: '*', port: 0 },
  ], 'gone.test does not resolve and is left out (AH00547); a bare * is any port, as in vhost.c');
});
