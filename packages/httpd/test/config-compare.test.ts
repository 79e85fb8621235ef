/**
 * -t, the dumps and -k on real configurations, against live apache2. Ours runs in this process
 * (main() with the real core backend); apache2 runs with the same files.
 */
import t, { type Test } from 'tap';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { apache, haveApache, prefork, preforkInProcess, type RunResult } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'prefork-cli-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));
for (const d of ['conf/sites', 'htdocs', 'run', 'logs']) mkdirSync(join(root, d), { recursive: true });

const base = [
  'LoadModule mpm_prefork_module /usr/lib/apache2/modules/mod_mpm_prefork.so',
  `ServerRoot ${root}`,
  'ServerName localhost',
  'Listen 127.0.0.1:18999',
  `PidFile ${root}/run/httpd.pid`,
  `DefaultRuntimeDir ${root}/run`,
  `ErrorLog ${root}/logs/error_log`,
  `DocumentRoot ${root}/htdocs`,
];
const conf = (name: string, ...lines: string[]) => {
  const file = join(root, 'conf', name);
  writeFileSync(file, [...base, ...lines, ''].join('\n'));
  return file;
};
writeFileSync(join(root, 'conf/sites/a.conf'), 'ServerAdmin a@example.com\n');
writeFileSync(join(root, 'conf/sites/b.conf'), 'ServerAdmin b@example.com\n');

/** Timestamps, pids and the program name are what may differ. */
const norm = (s: string) =>
  s
    .replace(/^\[[^\]]+\] \[([^\]]+)\] \[pid \d+:tid \d+\]/gm, '[TIME] [$1] [pid]')
    .replace(/^(?:\/usr\/sbin\/apache2|apache2|prefork):/gm, 'PROGRAM:');

async function both(t: Test, args: string[], what: string): Promise<[RunResult, RunResult]> {
  const [ours, theirs] = await Promise.all([preforkInProcess(args), apache(args)]);
  t.equal(ours.code, theirs.code, `${what}: exit code ${theirs.code}`);
  t.equal(norm(ours.stdout), norm(theirs.stdout), `${what}: stdout`);
  t.equal(norm(ours.stderr), norm(theirs.stderr), `${what}: stderr`);
  return [ours, theirs];
}

t.test('-t equals apache2 -t', { skip: haveApache ? false : 'no apache2' }, async (t) => {
  const good = conf('good.conf', 'Include conf/sites/*.conf');
  const [ours] = await both(t, ['-t', '-f', good], 'valid');
  t.equal(ours.stderr, 'Syntax OK\n');
  await both(t, ['-t', '-f', conf('unknown.conf', 'FooBarDirective on')], 'process-pass error (AH00526)');
  await both(t, ['-t', '-f', conf('unclosed.conf', '<Directory /x>')], 'read-pass error');
  await both(t, ['-t', '-f', conf('undef.conf', 'ServerAdmin ${NOT_DEFINED_ANYWHERE}')], 'AH00111 warning');
  await both(t, ['-t', '-f', conf('clamp.conf', 'StartServers 0')], 'prefork clamp warning');
  await both(t, ['-t', '-f', join(root, 'conf/missing.conf')], 'missing file');
  await both(t, ['-t', '-f', good, '-C', 'FooBar x'], '-C error');
  await both(t, ['-t', '-d', root, '-f', 'conf/good.conf'], 'relative -f under -d');
});

t.test('dumps equal apache2', { skip: haveApache ? false : 'no apache2' }, async (t) => {
  const inc = conf('inc.conf', 'Include conf/sites/*.conf');
  await both(t, ['-t', '-D', 'DUMP_INCLUDES', '-f', inc], 'DUMP_INCLUDES');
  await both(t, ['-tDDUMP_INCLUDES', '-f', inc], 'clustered -tD');
  const [ours] = await both(t, ['-M', '-f', inc], '-M');
  t.match(ours.stdout, /^Loaded Modules:\n core_module \(static\)\n/);
  t.match(ours.stdout, / mpm_prefork_module \(shared\)\n/);
});

t.test('-L: every directive we list reads as in apache2 -L (help text and where it is allowed)', { skip: haveApache ? false : 'no apache2' }, async (t) => {
  const file = conf('L.conf', 'LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so',
    'LoadModule dir_module /usr/lib/apache2/modules/mod_dir.so', 'LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so');
  const [ours, theirs] = await Promise.all([preforkInProcess(['-L', '-f', file]), apache(['-L', '-f', file])]);
  /** Directive header line -> its indented lines. */
  const blocks = (text: string): Map<string, string[]> => {
    const out = new Map<string, string[]>();
    let cur: string[] = [];
    for (const line of text.split('\n')) {
      if (line === '') continue;
      if (line.startsWith('\t')) cur.push(line);
      else out.set(line, (cur = []));
    }
    return out;
  };
  const mine = blocks(ours.stdout);
  const ref = blocks(theirs.stdout);
  t.ok(mine.size >= 80, `ours lists ${mine.size} directives`);
  const differ = [...mine].filter(([head, lines]) => JSON.stringify(ref.get(head)) !== JSON.stringify(lines)).map(([head]) => head);
  t.same(differ, [], 'no directive of ours reads differently from (or is missing in) apache2 -L');
});

t.test('-k equals apache2 -k', { skip: haveApache ? false : 'no apache2' }, async (t) => {
  const k = conf('k.conf');
  const pid = join(root, 'run/httpd.pid');
  rmSync(pid, { force: true });
  for (const verb of ['stop', 'graceful-stop']) await both(t, ['-k', verb, '-f', k], `${verb}, no pid file`);
  writeFileSync(pid, '2147483646\n');
  for (const verb of ['stop', 'graceful-stop']) await both(t, ['-k', verb, '-f', k], `${verb}, stale pid`);
  writeFileSync(pid, 'garbage\n');
  for (const verb of ['stop', 'start', 'graceful']) await both(t, ['-k', verb, '-f', k], `${verb}, garbage pid file`);
  await both(t, ['-k', 'stop', '-t', '-f', k], '-t wins over -k');
  rmSync(pid, { force: true });
  await both(t, ['-k', 'graceful', '-f', conf('broken.conf', 'FooBarDirective on')], 'graceful refuses a broken config');
});

t.test('DUMP_VHOSTS with host names resolved on this machine, as apache2 resolves them', { skip: haveApache ? false : 'no apache2' }, async (t) => {
  const file = conf('vhost-names.conf',
    '<VirtualHost localhost:18999>', 'ServerName by-name.example', '</VirtualHost>',
    '<VirtualHost 127.0.0.1:18999>', 'ServerName by-ip.example', '</VirtualHost>',
    '<VirtualHost 127.0.0.1>', 'ServerName no-port.example', '</VirtualHost>',
  );
  const [ours] = await both(t, ['-t', '-D', 'DUMP_VHOSTS', '-f', file], 'localhost and 127.0.0.1 share an entry');
  t.match(ours.stdout, /127\.0\.0\.1:18999 +is a NameVirtualHost/);
  await both(t, ['-t', '-D', 'DUMP_VHOSTS', '-f', conf('vhost-bad.conf', '<VirtualHost 1.2.3.4:0>', '</VirtualHost>')], 'a bad port');
});

t.test('DUMP_ALL_ERRORS lists every error with its column', async (t) => {
  const file = conf('many.conf', '</Directory>', '<IfModule>', '</Location>');
  const r = await preforkInProcess(['-t', '-D', 'DUMP_ALL_ERRORS', '-f', file]);
  t.equal(r.code, 1);
  const lines = r.stderr.trimEnd().split('\n');
  const located = lines.filter((l) => l.startsWith(`${file}:`));
  t.ok(located.length >= 2, `more than the first error: ${located.length}`);
  for (const l of located) t.match(l, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `));
  t.match(lines.at(-1), /^PF01002: \d+ errors in the configuration$/);
  const first = await preforkInProcess(['-t', '-f', file]);
  t.equal(first.code, 1);
  t.equal(first.stderr.trimEnd().split('\n').length, 1, 'plain -t reports only the first, as Apache');
  const good = await preforkInProcess(['-t', '-D', 'DUMP_ALL_ERRORS', '-f', conf('fine.conf')]);
  t.same([good.code, good.stderr], [0, 'Syntax OK\n']);
});

t.test('DUMP_ALL_ERRORS goes on past process-pass errors, each as -t reports it alone', async (t) => {
  const broken = [
    ['StartServers a b', 'top level'],
    ['  Options Bogus', 'inside <Directory>'],
    ['  ServerAdmin', 'inside <VirtualHost>'],
    ['KeepAlive maybe', 'in an included file'],
  ] as const;
  writeFileSync(join(root, 'conf/sites-bad.conf'), `Timeout 30\n${broken[3][0]}\n`);
  writeFileSync(join(root, 'conf/read-bad.conf'), '<Location /x>\n');
  const file = conf('process-many.conf',
    broken[0][0],
    `<Directory ${root}/htdocs>`, broken[1][0], '  AllowOverride None', '</Directory>',
    '<VirtualHost 127.0.0.1:18999>', broken[2][0], '</VirtualHost>',
    'Include conf/sites-bad.conf',
    'Include conf/read-bad.conf',
  );
  const r = await preforkInProcess(['-t', '-D', 'DUMP_ALL_ERRORS', '-f', file]);
  t.equal(r.code, 1);
  const located = r.stderr.split('\n').filter((l) => /^\/.*:\d+:\d+: /.test(l));
  t.equal(located.length, 5, `the read error and the four process errors:\n${r.stderr}`);
  t.match(located[0], `${join(root, 'conf/read-bad.conf')}:1:1: `, 'the read pass\'s error first');
  t.match(r.stderr.trimEnd().split('\n').at(-1), /^PF01002: 5 errors in the configuration$/);
  for (const [i, [line, where]] of broken.entries()) {
    // Alone in a config, the same line is the error plain -t (and apache2 -t) reports.
    const inner = where === 'inside <Directory>' ? [`<Directory ${root}/htdocs>`, line, '</Directory>']
      : where === 'inside <VirtualHost>' ? ['<VirtualHost 127.0.0.1:18999>', line, '</VirtualHost>'] : [line];
    const alone = conf(`alone-${i}.conf`, ...inner);
    const single = await preforkInProcess(['-t', '-f', alone]);
    const message = single.stderr.trimEnd().split('\n').at(-1) ?? '';
    t.equal(single.code, 1, `${where}: plain -t fails`);
    t.ok(located.some((l) => l.endsWith(`: ${message} [syntax]`)), `${where}: listed as "${message}"`);
    if (haveApache) {
      const theirs = await apache(['-t', '-f', alone]);
      t.equal(theirs.stderr.trimEnd().split('\n').at(-1), message, `${where}: apache2 -t says the same`);
    }
  }
  // Plain -t stops at the first, and the read pass comes before the process pass.
  const plain = await preforkInProcess(['-t', '-f', file]);
  t.equal(plain.stderr.trimEnd().split('\n').length, 1, 'plain -t reports one error');
  t.match(plain.stderr, '<Location> was not closed.');
  if (haveApache) await both(t, ['-t', '-f', file], 'the same config under apache2 -t');
  // The MPM check has no line of its own: the file alone names it.
  const noMpm = join(root, 'conf', 'no-mpm.conf');
  writeFileSync(noMpm, [...base.slice(1), '<Location /y>', ''].join('\n'));
  const listed = await preforkInProcess(['-t', '-D', 'DUMP_ALL_ERRORS', '-f', noMpm]);
  t.same(listed.stderr.split('\n').slice(0, 2), [
    `${noMpm}:${base.length}:1: ${noMpm}:${base.length}: <Location> was not closed. [read]`,
    `${noMpm}: No MPM loaded. [mpm]`,
  ]);
});

t.test('a foreground start on a taken port fails as apache2 does (AH00072)', { skip: haveApache ? false : 'no apache2' }, async (t) => {
  const holder = createServer();
  await new Promise<void>((resolve, reject) => {
    holder.once('error', reject);
    holder.listen(0, '127.0.0.1', () => resolve());
  });
  t.teardown(() => holder.close());
  const address = holder.address();
  const port = address && typeof address === 'object' ? address.port : 0;
  const file = join(root, 'conf', 'taken.conf');
  writeFileSync(file, [...base.filter((l) => !l.startsWith('Listen ')), `Listen 127.0.0.1:${port}`, ''].join('\n'));
  const args = ['-f', file, '-DFOREGROUND'];
  const [ours, theirs] = await Promise.all([prefork(args, { timeoutMs: 60000 }), apache(args)]);
  t.equal(theirs.code, 1);
  t.equal(ours.code, theirs.code, 'exit code');
  t.equal(norm(ours.stderr), norm(theirs.stderr), 'stderr');
  t.match(ours.stderr, `AH00072: make_sock: could not bind to address 127.0.0.1:${port}`);
});
