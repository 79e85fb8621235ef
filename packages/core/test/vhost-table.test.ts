// vhost.c's reading of <VirtualHost> addresses and its tables, which -S prints.
import t from 'tap';
import {
  buildVhostTable, lookupVhostNames, parseVhostWord, resolveVhostAddresses, vhostAddresses, vhostAddressLabel, vhostBucket,
  type StartupMessage, type VhostAddr,
} from '../src/index.js';

t.test('parseVhostWord reads as get_addresses with apr_parse_addr_port', async (t) => {
  const cases: [string, number, ReturnType<typeof parseVhostWord>][] = [
    ['*', 0, { port: 0 }],
    ['*:*', 80, { port: 0 }],
    ['*:80', 0, { port: 80 }],
    ['_DEFAULT_:90', 0, { port: 90 }],
    ['127.0.0.1', 8080, { host: '127.0.0.1', port: 8080 }],
    ['127.0.0.1:*', 8080, { host: '127.0.0.1', port: 0 }],
    ['[::1]:443', 0, { host: '::1', port: 443 }],
    ['[fe80::1%eth0]:80', 0, { host: 'fe80::1', port: 80, scope: 'eth0' }],
    // A tail that is not a port stays in the name, which then does not resolve.
    ['1.2.3.4:abc', 0, { host: '1.2.3.4:abc', port: 0 }],
    ['1.2.3.4:', 0, { host: '1.2.3.4:', port: 0 }],
    ['::1', 0, { host: ':', port: 1 }],
    ['80', 0, 'Missing address for VirtualHost'],
    ['0', 0, 'The address or port is invalid'],
    [':80', 0, 'The address or port is invalid'],
    ['1.2.3.4:0', 0, 'The address or port is invalid'],
    ['1.2.3.4:70000', 0, 'The address or port is invalid'],
    ['[::1', 0, 'The address or port is invalid'],
    ['[fe80::1%]:80', 0, 'The address or port is invalid'],
    ['[nothex]:80', 0, 'The address or port is invalid'],
  ];
  for (const [word, port, want] of cases) t.same(parseVhostWord(word, port), want, word);
});

t.test('resolveVhostAddresses: literals as they are, names through the resolver, AH00547 otherwise', async (t) => {
  const log: StartupMessage[] = [];
  const gone = () => Promise.reject(Object.assign(new Error('nope'), { code: 'ENOTFOUND' }));
  const resolver = {
    hostname: () => 'box',
    lookup: gone,
    reverse: gone,
    lookupAll: async (name: string) => {
      if (name === 'two.test') return [{ address: '::1', family: 6 }, { address: '127.0.0.1', family: 4 }];
      return gone();
    },
  };
  const got = await resolveVhostAddresses(
    [{ port: 80 }, { host: '0.0.0.0', port: 81 }, { host: 'two.test', port: 82 }, { host: 'gone.test', port: 83 }, { host: '10.0.0.1', port: 0 }],
    resolver, (m) => log.push(m),
  );
  t.same(got.map((a) => [vhostAddressLabel(a), a.wildcard]), [
    ['*:80', true], ['*:81', true], ['[::1]:82', false], ['127.0.0.1:82', false], ['10.0.0.1:*', false],
  ]);
  t.same(log.map((m) => [m.id, m.status, m.message]), [
    ['AH00547', '(EAI 2)Name or service not known', 'Could not resolve host name gone.test -- ignoring!'],
  ]);
  // A resolver without lookupAll: its lookup's one address.
  const single = { ...resolver, lookupAll: undefined, lookup: async () => '10.9.8.7' };
  const one = await resolveVhostAddresses([{ host: 'one.test', port: 80 }], single, (m) => log.push(m));
  t.same(one.map(vhostAddressLabel), ['10.9.8.7:80']);
});

t.test('lookupVhostNames once per name, then vhostAddresses without a resolver', async (t) => {
  const asked: string[] = [];
  const resolver = {
    hostname: () => 'box',
    lookup: async (name: string) => {
      asked.push(name);
      if (name === 'a.test') return '10.0.0.5';
      throw Object.assign(new Error('again'), { code: 'EAI_AGAIN' });
    },
    reverse: async () => 'x',
  };
  const lookups = await lookupVhostNames(['a.test', undefined, '127.0.0.1', 'a.test', 'b.test'], resolver);
  t.same(asked.sort(), ['a.test', 'b.test'], 'literals and wildcards are not looked up; a name once');
  const log: StartupMessage[] = [];
  const got = vhostAddresses([{ host: 'a.test', port: 80 }, { host: 'b.test', port: 81 }, { host: 'c.test', port: 82 }], lookups, (m) => log.push(m));
  t.same(got.map(vhostAddressLabel), ['10.0.0.5:80']);
  t.same(log.map((m) => [m.status, m.message]), [
    ['(EAI 3)Temporary failure in name resolution', 'Could not resolve host name b.test -- ignoring!'],
    ['(EAI 2)Name or service not known', 'Could not resolve host name c.test -- ignoring!'],
  ], 'a name not looked up is one that does not resolve');
});

const v4 = (ip: string, port: number): VhostAddr => ({ family: 4, ip, port, wildcard: ip === '0.0.0.0' });
const v6 = (ip: string, port: number): VhostAddr => ({ family: 6, ip, port, wildcard: ip === '::' });

t.test('vhostBucket: the XOR of the last four bytes', async (t) => {
  t.equal(vhostBucket(v4('127.0.0.1', 80)), 126);
  t.equal(vhostBucket(v4('127.0.0.2', 80)), 125);
  t.equal(vhostBucket(v4('10.1.2.3', 80)), vhostBucket(v4('3.2.1.10', 80)), 'symmetric in its bytes');
  t.equal(vhostBucket(v6('::1', 80)), 1);
  t.equal(vhostBucket(v6('2001:db8::c0a8:1', 80)), 0xc0 ^ 0xa8 ^ 0x00 ^ 0x01);
  t.equal(vhostBucket(v6('::ffff:10.1.2.3', 80)), 10 ^ 1 ^ 2 ^ 3, 'an embedded IPv4 tail');
});

t.test('buildVhostTable: buckets in order, configuration order within, defaults first written', async (t) => {
  const servers = [
    { server: 'b', addrs: [v4('127.0.0.1', 8002)] },
    { server: 'star', addrs: [v4('0.0.0.0', 8001)] },
    { server: 'a1', addrs: [v4('127.0.0.1', 8001)] },
    { server: 'a2', addrs: [v4('127.0.0.1', 8001)] },
    { server: 'multi', addrs: [v4('127.0.0.2', 8002), v4('127.0.0.1', 8002)] },
    { server: 'any', addrs: [v4('0.0.0.0', 0)] },
    { server: 'twice', addrs: [v4('0.0.0.0', 8005), v6('::', 8005)] },
    { server: 'wp', addrs: [v4('10.1.2.3', 0), v4('10.1.2.3', 80)] },
    { server: 'same', addrs: [v4('3.2.1.10', 80)] },
  ];
  const table = buildVhostTable(servers);
  const show = (e: { addr: VhostAddr; server: string; names?: { server: string }[] }) =>
    `${vhostAddressLabel(e.addr)} ${e.server}${e.names ? ` [${e.names.map((n) => n.server).join(',')}]` : ''}`;
  t.same(table.buckets.flat().map(show), [
    '10.1.2.3:80 wp', '10.1.2.3:* wp', '3.2.1.10:80 same',
    '127.0.0.2:8002 multi',
    '127.0.0.1:8001 a1 [a1,a2]', '127.0.0.1:8002 b [b,multi]',
  ]);
  t.same(table.wildcards.map(show), ['*:8001 star', '*:* any', '*:8005 twice']);
});
