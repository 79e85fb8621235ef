// The server's name without ServerName (ap_get_local_host, ap_fini_vhost_config), with a
// resolver standing in for the system's, and through loadServerConfig.
import t from 'tap';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDefaultRegistry, loadServerConfig, localHostName, serverNameHost, type AnyModule, type NameResolver } from '../src/index.js';
import { preforkModule } from '../../mpm-core/src/config/index.js';

function resolver(host: string, forward: Record<string, string>, reverse: Record<string, string>): NameResolver {
  const notFound = () => Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
  return {
    hostname: () => host,
    lookup: async (name) => {
      if (forward[name] === undefined) throw notFound();
      return forward[name];
    },
    reverse: async (address) => {
      if (reverse[address] === undefined) throw notFound();
      return reverse[address];
    },
  };
}

const AH00558 = (name: string) =>
  `apache2: Could not reliably determine the server's fully qualified domain name, using ${name}. Set the 'ServerName' directive globally to suppress this message`;

t.test('localHostName', async (t) => {
  const fqdn = await localHostName('apache2', resolver('web', { web: '10.0.0.5' }, { '10.0.0.5': 'web.example.org' }));
  t.same(fqdn, { name: 'web.example.org', messages: [] }, 'a dotted reverse name is used without a word');
  const plain = await localHostName('apache2', resolver('vm', { vm: '127.0.0.1' }, { '127.0.0.1': 'localhost' }));
  t.equal(plain.name, '127.0.0.1', 'no dot anywhere: the address');
  t.same(plain.messages, [{ level: 'alert', module: 'core', id: 'AH00558', startup: true, message: AH00558('127.0.0.1') }]);
  const dotted = await localHostName('apache2', resolver('box.lan', { 'box.lan': '192.168.1.2' }, {}));
  t.equal(dotted.name, 'box.lan', 'no reverse name, a dotted host name: the host name');
  t.equal(dotted.messages[0]?.message, AH00558('box.lan'));
  const unresolved = await localHostName('prefork', resolver('lost', {}, {}));
  t.equal(unresolved.name, '127.0.0.1');
  t.same(unresolved.messages.map((m) => [m.id, m.level, m.message]), [
    ['AH00557', 'warn', 'prefork: apr_sockaddr_info_get() failed for lost'],
    ['AH00558', 'alert', AH00558('127.0.0.1').replace('apache2', 'prefork')],
  ]);
});

t.test('serverNameHost', async (t) => {
  t.equal(serverNameHost('www.example.com'), 'www.example.com');
  t.equal(serverNameHost('www.example.com:8080'), 'www.example.com');
  t.equal(serverNameHost('https://secure.example.com:443'), 'secure.example.com');
  t.equal(serverNameHost('[::1]:80'), '[::1]');
});

t.test('loadServerConfig names every server', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'prefork-core-hostname-'));
  mkdirSync(join(root, 'logs'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const registry = createDefaultRegistry([preforkModule as unknown as AnyModule]);
  const file = join(root, 't.conf');
  writeFileSync(file, [
    'LoadModule mpm_prefork_module /usr/lib/apache2/modules/mod_mpm_prefork.so',
    '<VirtualHost *:80>', '</VirtualHost>',
    '<VirtualHost 10.0.0.7:80 10.0.0.8:80>', '</VirtualHost>',
    '<VirtualHost 10.0.0.9:80>', '</VirtualHost>',
    '<VirtualHost 10.0.0.10:80>', 'ServerName own.example:8080', '</VirtualHost>',
    '<VirtualHost 10.0.0.11:80>', '</VirtualHost>',
    'StartServers 0', '',
  ].join('\n'));
  const r = await loadServerConfig({
    file, serverRoot: root, program: 'apache2', registry,
    processOptions: { skipDocumentRootCheck: true },
    resolver: resolver('vm', { vm: '127.0.0.1' }, { '127.0.0.1': 'localhost', '10.0.0.7': 'seven' }),
  });
  t.ok(r.ok);
  t.equal(r.server.hostname, '127.0.0.1');
  t.same(r.vhosts.map((v) => v.hostname), ['127.0.0.1', 'seven', 'bogus_host_without_reverse_dns', 'own.example', 'bogus_host_without_reverse_dns']);
  t.same(r.startupMessages.map((m) => m.id), ['AH00558', 'AH00549', 'AH00549', 'AH00184'], 'AH00558, then the virtual hosts last first, then check_config');
  t.match(r.startupMessages[1], { level: 'error', status: '(EAI 2)Name or service not known', message: 'Failed to resolve server name for 10.0.0.11 (check DNS) -- or specify an explicit ServerName' });
  const named = join(root, 'n.conf');
  writeFileSync(named, 'LoadModule mpm_prefork_module /usr/lib/apache2/modules/mod_mpm_prefork.so\nServerName main.example:80\n<VirtualHost *:80>\n</VirtualHost>\n');
  const n = await loadServerConfig({ file: named, serverRoot: root, program: 'apache2', registry, processOptions: { skipDocumentRootCheck: true }, resolver: resolver('vm', {}, {}) });
  t.same(n.startupMessages, [], 'a global ServerName: nothing to say');
  t.same([n.server.hostname, n.vhosts[0]?.hostname], ['main.example', 'main.example']);
});
