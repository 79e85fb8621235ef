/**
 * Piped logs as Apache runs them (log.c, mod_log_config): `CustomLog "|rotatelogs …"`,
 * `"||prog"` without a shell, `"|$cmd"` through the shell, `ErrorLog "|$cmd"`. One program per
 * target for the whole server (started by the master, not per child), lines from every child
 * arrive, and a program that dies is started again (AH00106) without losing later lines.
 * The same checks run against Debian's apache2 when it is installed.
 */
import t from 'tap';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { parsePipedTarget, PipedLogs, tokenizeCommand } from '../src/piped-logs.js';
import { apache, haveApache, prefork } from './helpers.js';
import { exchange, groupProcesses, prepareRoot, startLive, waitFor } from './live-server.js';

t.test('targets and argument splitting', async (t) => {
  t.same(parsePipedTarget('logs/access_log'), null);
  t.same(parsePipedTarget('|/usr/bin/rotatelogs /var/log/a 86400'), { program: '/usr/bin/rotatelogs /var/log/a 86400', shell: false });
  t.same(parsePipedTarget('||/usr/bin/logger -t web'), { program: '/usr/bin/logger -t web', shell: false });
  t.same(parsePipedTarget('|$cat >> /tmp/x'), { program: 'cat >> /tmp/x', shell: true });
  t.same(tokenizeCommand(`/bin/prog  -a "two words" 'single q' back\\ slash`), ['/bin/prog', '-a', 'two words', 'single q', 'back slash']);
});

t.test('a snapshot\'s piped targets, main server and virtual hosts, become FIFOs shared by target', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'prefork-pipes-'));
  const logged: string[] = [];
  const pipes = new PipedLogs(dir, () => null, (l) => logged.push(l));
  t.teardown(() => {
    pipes.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });
  const shared = '|$cat > /dev/null';
  const snapshot: Record<string, unknown> = {
    errorLog: '/var/log/error_log',
    accessLogs: [{ target: shared, format: '%h' }, { target: '/var/log/access_log', format: '%h' }],
    vhosts: [{ config: { errorLog: '|$cat > /dev/null 2>&1', accessLogs: [{ target: shared, format: '%v' }] } }],
  };
  pipes.applyToSnapshot(snapshot, '/var/log/error_log');
  const main = snapshot['accessLogs'] as Array<{ target: string }>;
  const vhost = (snapshot['vhosts'] as Array<{ config: { errorLog: string; accessLogs: Array<{ target: string }> } }>)[0]!.config;
  t.ok(statSync(main[0]!.target).isFIFO(), 'the main server\'s piped CustomLog is a FIFO');
  t.equal(main[1]!.target, '/var/log/access_log', 'files stay files');
  t.equal(vhost.accessLogs[0]!.target, main[0]!.target, 'the same target, the same program');
  t.ok(statSync(vhost.errorLog).isFIFO(), 'a virtual host\'s piped ErrorLog too');
  t.equal(pipes.programs.length, 2, 'two programs');
  // A restart whose configuration names only the shared one stops the other.
  pipes.applyToSnapshot({ accessLogs: [{ target: shared, format: '%h' }] }, undefined);
  t.equal(pipes.programs.length, 1, 'a program no longer named is stopped');
  t.notOk(existsSync(vhost.errorLog), 'and its FIFO removed');
  t.same(logged, [], 'nothing logged');
});

const ROTATELOGS = '/usr/bin/rotatelogs';
const programs: Array<'prefork' | 'apache'> = haveApache ? ['apache', 'prefork'] : ['prefork'];

for (const program of programs) {
  t.test(`${program}: CustomLog and ErrorLog through programs`, { skip: existsSync(ROTATELOGS) ? false : `${ROTATELOGS} is not installed (apache2-utils)` }, async (t) => {
    const server = await startLive({
      program,
      startServers: 2,
      logLines: (root) => [
        `ErrorLog "|$cat >> ${root}/logs/error_piped"`,
        `CustomLog "|${ROTATELOGS} ${root}/logs/rotated.%Y%m%d 86400" combined`,
        `CustomLog "||/usr/bin/tee -a ${root}/logs/tee_log" "%s %U%q %P"`,
        `CustomLog "|$cat >> ${root}/logs/shell_log" "%U %>s"`,
      ],
    });
    t.teardown(() => server.stop());
    const master = server.master.pid!;
    const rotated = () => readdirSync(`${server.root}/logs`).filter((f) => f.startsWith('rotated.')).map((f) => server.read(`logs/${f}`)).join('');
    const loggers = () => groupProcesses(master).filter((p) => p.ppid === master && !/prefork|apache2|node/.test(p.cmd.split(' ')[0]!));

    const N = 12;
    // Several at once, so that both children write to the same programs.
    await Promise.all(Array.from({ length: N }, (_, i) => exchange(server.port, `GET /hello.txt?n=${i} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`)));
    await exchange(server.port, 'GET /missing HTTP/1.0\r\n\r\n');
    t.ok(await waitFor(() => (rotated().match(/GET \/hello\.txt\?n=/g) ?? []).length === N, 10000), `rotatelogs received the ${N} combined lines`);
    t.ok(await waitFor(() => (server.read('logs/tee_log').match(/^200 \/hello\.txt\?n=\d+ \d+$/gm) ?? []).length === N, 10000), '"||tee" (no shell) received them');
    // Two connections open at once are held by two children (each serves one at a time).
    const held = [0, 1].map((i) => {
      const sock = connect({ host: '127.0.0.1', port: server.port });
      sock.write(`GET /hello.txt?held=${i} HTTP/1.1\r\nHost: localhost\r\n`);
      sock.resume();
      return new Promise<void>((resolve) => {
        sock.on('close', () => resolve());
        sock.on('error', () => resolve());
        setTimeout(() => sock.end('Connection: close\r\n\r\n'), 1500);
      });
    });
    await Promise.all(held);
    t.ok(await waitFor(() => (server.read('logs/tee_log').match(/\?held=/g) ?? []).length === 2, 10000), 'the held requests are logged');
    const writers = new Set(server.read('logs/tee_log').split('\n').filter((l) => l.includes('?held=')).map((l) => l.split(' ')[2]));
    t.equal(writers.size, 2, 'lines from both children arrive through the one program');
    t.ok(await waitFor(() => /^\/missing 404$/m.test(server.read('logs/shell_log')), 10000), '"|$cat" (through the shell) received them');
    t.ok(await waitFor(() => /AH00163: /.test(server.read('logs/error_piped')), 10000), 'the master\'s error_log lines reach the ErrorLog program');
    t.ok(await waitFor(() => /AH00128: File does not exist: .*\/missing/.test(server.read('logs/error_piped')), 10000), 'a child\'s error_log lines reach it too');
    t.notOk(existsSync(`${server.root}/logs/error_log`), 'no error_log file besides the program');

    const before = loggers();
    t.same(before.map((p) => p.cmd.split(' ')[0]).sort(), ['/bin/sh', '/bin/sh', '/usr/bin/rotatelogs', '/usr/bin/tee'], 'one program per piped log, children of the master');

    // A program that dies is started again on the same pipe.
    const rot = before.find((p) => p.cmd.startsWith(ROTATELOGS))!;
    process.kill(rot.pid, 'SIGTERM');
    t.ok(await waitFor(() => loggers().some((p) => p.cmd.startsWith(ROTATELOGS) && p.pid !== rot.pid), 10000), 'rotatelogs restarted');
    t.ok(await waitFor(() => server.read('logs/error_piped').includes(`AH00106: piped log program '${ROTATELOGS} ${server.root}/logs/rotated.%Y%m%d 86400' failed unexpectedly`), 10000), 'AH00106 logged');
    for (let i = 0; i < 3; i++) await exchange(server.port, `GET /hello.txt?after=${i} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    t.ok(await waitFor(() => (rotated().match(/\?after=/g) ?? []).length === 3, 10000), 'lines after the restart arrive');
  });
}

t.test('a program that cannot be started stops the start (AH00104, AH00015), as in Apache', async (t) => {
  const seen: Record<string, { code: number | null; errorLog: string; stderr: string }> = {};
  for (const program of programs) {
    const { root, conf } = await prepareRoot({ logLines: () => ['ErrorLog logs/error_log', 'CustomLog "|/nonexistent/prog x" combined'] });
    try {
      const run = program === 'apache' ? apache : prefork;
      const r = await run(['-f', conf, '-DFOREGROUND'], { timeoutMs: 30000 });
      const errorLog = existsSync(join(root, 'logs/error_log')) ? readFileSync(join(root, 'logs/error_log'), 'utf8') : '';
      seen[program] = { code: r.code, errorLog, stderr: r.stderr };
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  const expected = "(2)No such file or directory: AH00104: unable to start piped log program '/nonexistent/prog x'\nAH00015: Unable to open logs\n";
  t.same(seen['prefork'], { code: 1, errorLog: expected, stderr: '' }, 'prefork: exit 1, the two lines in error_log');
  if (seen['apache']) t.same(seen['apache'], seen['prefork'], 'the same as apache2');
});
