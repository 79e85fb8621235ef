import t from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  AuthzConfigError,
  checkAuthz,
  compileAuthz,
  describeAuthz,
  evaluateAuthz,
  inDomain,
  ipSubnetTest,
  mergeAuthz,
  parseIpSubnet,
  IpSubnetError,
  type AuthzItem,
  type AuthzNote,
} from '../src/index.js';

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), 'utf8');

/** Turns a capture case (lines joined by \n) into Require items, sections nested. */
function items(block: string): AuthzItem[] {
  const lines = block.split('\\n');
  let pos = 0;
  const read = (): AuthzItem[] => {
    const out: AuthzItem[] = [];
    while (pos < lines.length) {
      const line = lines[pos++].trim();
      const open = /^<(RequireAll|RequireAny|RequireNone)>$/.exec(line);
      if (open) out.push({ section: open[1] as 'RequireAll', items: read() });
      else if (line.startsWith('</')) return out;
      else if (line.startsWith('Require ')) out.push({ require: line.slice('Require '.length) });
    }
    return out;
  };
  return read();
}

t.test('Require decisions real Apache made for three client addresses', async (t) => {
  const cases = new Map(fixture('apache-authz-cases.txt').trimEnd().split('\n').map((l) => l.split('\t') as [string, string]));
  const results = fixture('apache-authz-results.txt').trimEnd().split('\n');
  t.equal(results.length, 72);
  for (const row of results) {
    const [name, ip, ua, status] = row.split('\t');
    const block = cases.get(name);
    if (block === undefined) throw new Error(`no case ${name}`);
    const section = checkAuthz(compileAuthz(items(block)) ?? t.fail('empty') as never);
    const result = evaluateAuthz(section, { clientIp: ip, localIp: '127.0.0.1', env: ua === 'vip' ? { VIP: '1' } : {} });
    // The document is missing: granted shows as 404, anything else as 403.
    t.equal(result === 'granted' ? '404' : '403', status, `${name} ${block} from ${ip} (${ua})`);
  }
});

t.test('Require errors real Apache gives (apache2 -t)', async (t) => {
  const errors: [string, string][] = [
    ['ip 10.1.2.300', "ip address '10.1.2.300' appears to be invalid: The specified IP address is invalid."],
    ['ip', "'require ip' requires an argument"],
    ['ip abc', "ip address 'abc' appears to be invalid"],
    ['ip -1.2.3.4', "ip address '-1.2.3.4' appears to be invalid"],
    ['ip 10.0.0.0/33', "ip address '10.0.0.0/33' appears to be invalid: The specified network mask is invalid."],
    ['ip 10.0.0.0/abc', "ip address '10.0.0.0/abc' appears to be invalid: The specified network mask is invalid."],
    ['ip ::1/129', "ip address '::1/129' appears to be invalid: The specified network mask is invalid."],
    ['ip 10.0.0.0/0', "ip address '10.0.0.0/0' appears to be invalid: The specified network mask is invalid."],
    ['ip 10.0.0.0/-1', "ip address '10.0.0.0/-1' appears to be invalid: The specified network mask is invalid."],
    ['ip 1.2.3.4 bad', "ip address 'bad' appears to be invalid"],
    ['ip 256', "ip address '256' appears to be invalid: The specified IP address is invalid."],
    ['ip 1.2.3.4.5', "ip address '1.2.3.4.5' appears to be invalid: The specified IP address is invalid."],
    ['all', "Argument for 'Require all' must be 'granted' or 'denied'"],
    ['all maybe', "Argument for 'Require all' must be 'granted' or 'denied'"],
    ['not ip 1.2.3.4', 'negative Require directive has no effect in <RequireAny> directive'],
    ['bogus x', 'Unknown Authz provider: bogus'],
    ['ALL granted', 'Unknown Authz provider: ALL'],
    ['IP 1.2.3.4', 'Unknown Authz provider: IP'],
  ];
  for (const [line, message] of errors) {
    t.throws(() => compileAuthz([{ require: line, file: '/etc/x.conf', line: 44 }]), { message, file: '/etc/x.conf', line: 44 }, line);
  }
  for (const ok of ['ip 10.0.0.0/255.255.0.1', 'ip 10.0.0.1/8', 'ip 10.1', 'ip 10.1.', 'host', 'local foo', 'env', 'all GRANTED']) {
    t.doesNotThrow(() => compileAuthz([{ require: ok }]), ok);
  }
});

t.test('section errors real Apache gives', async (t) => {
  t.throws(() => compileAuthz([{ section: 'RequireNone', items: [{ require: 'ip 1.2.3.4' }], file: 'inc2.conf', line: 2 }]),
    { message: '<RequireNone> directive has no effect in <RequireAny> directive', line: 2 });
  t.throws(() => compileAuthz([{ section: 'RequireAll', items: [], line: 2 }]),
    { message: '<RequireAll> directive contains no authorization directives' });
  t.throws(() => compileAuthz([{ section: 'RequireAny', items: [{ section: 'RequireNone', items: [{ require: 'ip 1.2.3.4' }], line: 3 }] }]),
    { message: '<RequireNone> directive has no effect in <RequireAny> directive', line: 3 });
  const onlyNegative = compileAuthz([{ section: 'RequireAll', items: [{ require: 'not ip 1.2.3.4' }, { require: 'not ip 5.6.7.8' }] }]);
  t.ok(onlyNegative);
  t.throws(() => checkAuthz(onlyNegative!), {
    message: 'AH01624: <RequireAll> directive contains only negative authorization directives',
  });
  t.throws(() => checkAuthz({ kind: 'section', op: 'and', negate: false, children: [{ kind: 'require', provider: 'env', args: 'X', negate: true, parsed: undefined }] }),
    { message: 'AH01624: <Directory>, <Location>, or similar directive contains only negative authorization directives' });
  const nested = compileAuthz([{ section: 'RequireAll', items: [{ require: 'all granted' }, { section: 'RequireAll', items: [{ require: 'env A' }, { section: 'RequireNone', items: [{ require: 'ip 1.2.3.4' }] }] }] }])!;
  const all = nested.children[0];
  t.equal(all.kind === 'section' ? all.children.map(describeAuthz).join(', ') : '', 'Require all granted, Require env A, <RequireNone>',
    'a RequireAll inside a RequireAll is spliced into it');
  t.type(new AuthzConfigError('x'), Error);
  t.throws(() => checkAuthz({ kind: 'section', op: 'and', negate: false, children: [{ kind: 'section', op: 'or', negate: false, children: [{ kind: 'require', provider: 'env', args: 'X', negate: true, parsed: undefined }] }] }),
    { message: 'AH01624: <RequireAny> directive contains only negative authorization directives' });
});

t.test('subnets as APR parses them', async (t) => {
  const s = (spec: string, ip: string): boolean => ipSubnetTest(parseIpSubnet(spec), ip);
  t.ok(s('10.1', '10.1.200.3'));
  t.notOk(s('10.1', '10.2.0.1'));
  t.ok(s('10.1.', '10.1.0.0'));
  t.ok(s('192.168.0.0/16', '192.168.44.1'));
  t.ok(s('192.168.1.7/24', '192.168.1.200'), 'host bits of the address are masked off');
  t.ok(s('10.0.0.0/255.0.0.0', '10.9.9.9'));
  t.ok(s('10.0.0.0/255.255.0.1', '10.0.77.0'), 'non-contiguous netmasks are allowed');
  t.notOk(s('10.0.0.0/255.255.0.1', '10.0.77.1'));
  t.ok(s('1.2.3.4', '::ffff:1.2.3.4'), 'IPv4-mapped clients match IPv4 rules');
  t.notOk(s('1.2.3.4', '1.2.3.5'));
  t.ok(s('2001:db8::/32', '2001:db8:1::5'));
  t.notOk(s('2001:db8::/32', '2001:db9::5'));
  t.notOk(s('2001:db8::/32', '10.0.0.1'));
  t.ok(s('::1', '::1'));
  t.ok(s('fe80::/10', 'fe80::1%eth0'));
  t.throws(() => parseIpSubnet('::ffff:1.2.3.4'), new IpSubnetError('bad-address', '::ffff:1.2.3.4'));
  const problem = (spec: string): string | undefined => {
    try {
      parseIpSubnet(spec);
      return undefined;
    } catch (err) {
      return (err as IpSubnetError).problem;
    }
  };
  t.equal(problem('10.1/8'), 'bad-address', 'partial addresses take no mask');
  t.equal(problem('1.2.3.4/'), 'bad-mask');
  t.equal(problem('01.2.3.4/8'), 'bad-address', 'leading zeros are not inet_pton');
  t.equal(problem('host.example'), 'not-an-address');
  t.equal(problem('1:2:3:4:5:6:7:8:9'), 'bad-address');
  t.equal(problem('1::2::3'), 'bad-address');
  t.equal(problem('::ffff:0:0/96'), 'bad-address', 'IPv4-mapped prefixes are refused');
});

t.test('host, local, env, user providers', async (t) => {
  const host = checkAuthz(compileAuthz([{ require: 'host example.com .example.org' }])!);
  t.equal(evaluateAuthz(host, { clientIp: '1.1.1.1', remoteHost: 'www.Example.COM' }), 'granted');
  t.equal(evaluateAuthz(host, { clientIp: '1.1.1.1', remoteHost: 'example.com' }), 'granted');
  t.equal(evaluateAuthz(host, { clientIp: '1.1.1.1', remoteHost: 'badexample.com' }), 'denied');
  t.equal(evaluateAuthz(host, { clientIp: '1.1.1.1', remoteHost: 'a.example.org' }), 'granted');
  const notes: AuthzNote[] = [];
  t.equal(evaluateAuthz(host, { clientIp: '1.1.1.1' }, { uri: '/x', notes }), 'denied');
  t.same(notes, [{ level: 'error', message: "AH01753: access check of 'example.com .example.org' to /x failed, reason: unable to get the remote host name" }]);
  const commented = checkAuthz(compileAuthz([{ require: 'host localhost# example.com' }])!);
  const n2: AuthzNote[] = [];
  t.equal(evaluateAuthz(commented, { clientIp: '1.1.1.1', remoteHost: 'example.com' }, { notes: n2 }), 'denied');
  t.match(n2[0].message, /^AH10121: /);
  t.ok(inDomain('.org', 'x.org'));
  t.notOk(inDomain('longer.example.com', 'example.com'));

  const local = checkAuthz(compileAuthz([{ require: 'local' }])!);
  t.equal(evaluateAuthz(local, { clientIp: '127.5.5.5' }), 'granted');
  t.equal(evaluateAuthz(local, { clientIp: '::1' }), 'granted');
  t.equal(evaluateAuthz(local, { clientIp: '192.0.2.7', localIp: '192.0.2.7' }), 'granted');
  t.equal(evaluateAuthz(local, { clientIp: '::ffff:192.0.2.7', localIp: '192.0.2.7' }), 'granted');
  t.equal(evaluateAuthz(local, { clientIp: '192.0.2.8', localIp: '192.0.2.7' }), 'denied');

  const user = checkAuthz(compileAuthz([{ section: 'RequireAll', items: [{ require: 'ip 10.0.0.0/8' }, { require: 'user alice bob' }] }])!);
  t.equal(evaluateAuthz(user, { clientIp: '10.1.1.1' }), 'denied-no-user');
  t.equal(evaluateAuthz(user, { clientIp: '10.1.1.1', user: 'bob' }), 'granted');
  t.equal(evaluateAuthz(user, { clientIp: '10.1.1.1', user: 'eve' }), 'denied');
  t.equal(evaluateAuthz(user, { clientIp: '11.1.1.1', user: 'bob' }), 'denied');
  const anyUser = checkAuthz(compileAuthz([{ require: 'ip 10.0.0.0/8' }, { require: 'valid-user' }])!);
  t.equal(evaluateAuthz(anyUser, { clientIp: '11.1.1.1' }), 'denied-no-user');
});

t.test('AuthMerging and naming', async (t) => {
  const parent = compileAuthz([{ require: 'ip 10.0.0.0/8' }])!;
  const child = compileAuthz([{ require: 'env VIP' }])!;
  t.equal(mergeAuthz(parent, child), child);
  t.equal(mergeAuthz(parent, undefined), parent);
  const and = mergeAuthz(parent, child, 'and')!;
  t.equal(describeAuthz(and), 'AuthMerging All');
  t.equal(evaluateAuthz(and, { clientIp: '10.0.0.1' }), 'denied');
  t.equal(evaluateAuthz(and, { clientIp: '10.0.0.1', env: { VIP: '' } }), 'granted');
  const or = mergeAuthz(parent, child, 'or')!;
  t.equal(describeAuthz(or), 'AuthMerging Any');
  t.equal(evaluateAuthz(or, { clientIp: '10.0.0.1' }), 'granted');
  t.equal(describeAuthz(child.children[0]), 'Require env VIP');
  t.equal(compileAuthz([]), undefined);
});
