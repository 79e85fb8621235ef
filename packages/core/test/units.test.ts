// Small pure pieces: atoi, word splitting, hook ordering, error-log lines, prefork clamps.
import t from 'tap';
import {
  atoi, splitWords, getWordConf, HookRegistry, HOOK_FIRST, HOOK_LAST, HOOK_REALLY_FIRST, HOOK_REALLY_LAST, OK, DECLINED,
  formatLogLine, formatLogTime, levelAllows, ErrorLogger,
} from '../src/index.js';
import { checkPreforkConfig, applyRunAdjustments, parseListenAddress } from '../../mpm-core/src/config/index.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

t.test('atoi reads as C does', async (t) => {
  for (const [text, n] of [['5', 5], ['2.5', 2], ['abc', 0], ['-5', -5], ['  +7x', 7], ['', 0], ['99999999999', 2147483647]] as const) {
    t.equal(atoi(text), n, JSON.stringify(text));
  }
});

t.test('ap_getword_conf splitting', async (t) => {
  t.same(splitWords(`a "b c" 'd e' f\\"g "x\\"y"`), ['a', 'b c', 'd e', 'f\\"g', 'x"y']);
  t.same(getWordConf('  one   two'), { word: 'one', rest: 'two' });
  t.same(splitWords(''), []);
});

t.test('hooks sort by order, then predecessors/successors', async (t) => {
  const h = new HookRegistry();
  const order: string[] = [];
  const mk = (name: string, rv = OK) => () => {
    order.push(name);
    return rv;
  };
  h.register('check_config', 'mod_last.c', mk('last'), { order: HOOK_LAST });
  h.register('check_config', 'mod_b.c', mk('b'));
  h.register('check_config', 'mod_a.c', mk('a'), { successors: ['mod_b.c'] });
  h.register('check_config', 'mod_rf.c', mk('reallyfirst'), { order: HOOK_REALLY_FIRST });
  h.register('check_config', 'mod_c.c', mk('c', DECLINED), { predecessors: ['mod_last.c'] });
  h.register('check_config', 'mod_first.c', mk('first'), { order: HOOK_FIRST });
  h.register('check_config', 'mod_rl.c', mk('reallylast'), { order: HOOK_REALLY_LAST });
  const ctx = { server: {} as never, vhosts: [], log: () => undefined, startup: true };
  t.equal(h.runAllSync('check_config', ctx), OK);
  t.same(order, ['reallyfirst', 'first', 'a', 'b', 'last', 'c', 'reallylast']);
  const h2 = new HookRegistry();
  h2.register('check_config', 'x.c', () => DECLINED);
  h2.register('check_config', 'y.c', () => 500);
  h2.register('check_config', 'z.c', () => {
    t.fail('must not run after an error');
    return OK;
  });
  t.equal(h2.runAllSync('check_config', ctx), 500);
  const h3 = new HookRegistry<{ n: number }>();
  h3.register('handler', 'a.c', () => DECLINED);
  h3.register('handler', 'b.c', (r) => r.n);
  t.equal(await h3.runFirst('handler', { n: 200 }), 200);
});

t.test('error-log lines in Apache format, LogLevel filtering', async (t) => {
  const when = Date.UTC(2026, 10, 25, 16, 20, 13) * 1000 + 324413;
  const local = new Date(when / 1000);
  t.match(formatLogTime(when), new RegExp(`^\\w{3} Nov \\d{2} \\d{2}:\\d{2}:13\\.324413 2026$`));
  t.equal(formatLogTime(when).slice(11, 13), String(local.getHours()).padStart(2, '0'));
  const line = formatLogLine({ level: 'warn', module: 'mpm_prefork', id: 'AH00185', message: 'StartServers of 0 not allowed, increasing to 1', pid: 8396, time: when });
  t.match(line, /^\[\w{3} Nov \d{2} [\d:]{8}\.324413 2026\] \[mpm_prefork:warn\] \[pid 8396:tid 8396\] AH00185: StartServers of 0 not allowed, increasing to 1$/);
  const client = formatLogLine({ level: 'error', module: 'core', id: 'AH00135', client: '127.0.0.1:47076', message: 'Invalid method in request get / HTTP/1.0', pid: 1, time: when });
  t.match(client, /\[core:error\] \[pid 1:tid 1\] \[client 127\.0\.0\.1:47076\] AH00135: Invalid method/);
  const cfg = { level: 'warn' as const, modules: { status: 'debug' as const } };
  t.ok(levelAllows(cfg, 'core', 'error'));
  t.notOk(levelAllows(cfg, 'core', 'info'));
  t.ok(levelAllows(cfg, 'status', 'debug'));
  const dir = mkdtempSync(join(tmpdir(), 'prefork-log-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const logger = new ErrorLogger({ kind: 'file', path: join(dir, 'error_log') }, cfg);
  logger.open();
  t.ok(logger.log({ level: 'info', module: 'status', message: 'kept' }));
  t.notOk(logger.log({ level: 'info', module: 'core', message: 'dropped' }));
  // log.c lets notice through at any LogLevel (apache2 writes AH00163 at LogLevel warn).
  t.ok(levelAllows({ level: 'emerg', modules: {} }, 'core', 'notice'));
  t.ok(logger.log({ level: 'notice', module: 'core', message: 'notice kept' }));
  // APLOG_STARTUP (AH00558 on a restart): the id and message alone, still filtered by level.
  t.ok(logger.log({ level: 'alert', module: 'core', id: 'AH00558', message: 'apache2: raw', startup: true }));
  t.notOk(logger.log({ level: 'info', module: 'core', id: 'AH00000', message: 'raw dropped', startup: true }));
  logger.close();
  const text = readFileSync(join(dir, 'error_log'), 'utf8');
  t.match(text, /\[status:info\] \[pid \d+:tid \d+\] kept\n.*\[core:notice\] \[pid \d+:tid \d+\] notice kept\nAH00558: apache2: raw\n$/);
  t.notMatch(text, /dropped/);
});

t.test('prefork_check_config clamps (captures/2b)', async (t) => {
  const base = { startServers: 5, minSpareServers: 5, maxSpareServers: 10, maxRequestWorkers: 256, serverLimit: 256 };
  const cases: [string, Partial<typeof base>, [string, string, string, string][], Partial<typeof base>][] = [
    ['StartServers0', { startServers: 0 }, [['AH00184', 'WARNING: StartServers of 0 not allowed, increasing to 1.', 'AH00185', 'StartServers of 0 not allowed, increasing to 1']], { startServers: 1 }],
    ['StartServersNeg', { startServers: -5 }, [['AH00184', 'WARNING: StartServers of -5 not allowed, increasing to 1.', 'AH00185', 'StartServers of -5 not allowed, increasing to 1']], { startServers: 1 }],
    ['MinSpare0', { minSpareServers: 0 }, [['AH00186', 'WARNING: MinSpareServers of 0 not allowed, increasing to 1 to avoid almost certain server failure. Please read the documentation.', 'AH00187', 'MinSpareServers of 0 not allowed, increasing to 1']], { minSpareServers: 1 }],
    ['MRW300', { maxRequestWorkers: 300 }, [['AH00180', 'WARNING: MaxRequestWorkers of 300 exceeds ServerLimit value of 256 servers, decreasing MaxRequestWorkers to 256. To increase, please see the ServerLimit directive.', 'AH00181', 'MaxRequestWorkers of 300 exceeds ServerLimit value of 256, decreasing to match']], { maxRequestWorkers: 256 }],
    ['MRW0', { maxRequestWorkers: 0 }, [['AH00182', 'WARNING: MaxRequestWorkers of 0 not allowed, increasing to 1.', 'AH00183', 'MaxRequestWorkers of 0 not allowed, increasing to 1']], { maxRequestWorkers: 1 }],
    ['ServerLimit300000', { serverLimit: 300000, maxRequestWorkers: 150 }, [['AH00175', 'WARNING: ServerLimit of 300000 exceeds compile-time limit of 200000 servers, decreasing to 200000.', 'AH00176', 'ServerLimit of 300000 exceeds compile-time limit of 200000, decreasing to match']], { serverLimit: 200000 }],
    ['ServerLimit0', { serverLimit: 0 }, [
      ['AH00177', 'WARNING: ServerLimit of 0 not allowed, increasing to 1.', 'AH00178', 'ServerLimit of 0 not allowed, increasing to 1'],
      ['AH00180', 'WARNING: MaxRequestWorkers of 256 exceeds ServerLimit value of 1 servers, decreasing MaxRequestWorkers to 1. To increase, please see the ServerLimit directive.', 'AH00181', 'MaxRequestWorkers of 256 exceeds ServerLimit value of 1, decreasing to match'],
    ], { serverLimit: 1, maxRequestWorkers: 1 }],
    ['ServerLimit20MRW30', { serverLimit: 20, maxRequestWorkers: 30 }, [['AH00180', 'WARNING: MaxRequestWorkers of 30 exceeds ServerLimit value of 20 servers, decreasing MaxRequestWorkers to 20. To increase, please see the ServerLimit directive.', 'AH00181', 'MaxRequestWorkers of 30 exceeds ServerLimit value of 20, decreasing to match']], { maxRequestWorkers: 20 }],
    ['MaxSpareLtMin (silent)', { minSpareServers: 10, maxSpareServers: 5 }, [], { maxSpareServers: 5 }],
    ['StartGtMRW (silent)', { startServers: 200, maxRequestWorkers: 5 }, [], { startServers: 200 }],
  ];
  for (const [name, change, msgs, expect] of cases) {
    const r = checkPreforkConfig({ ...base, ...change });
    t.same(r.messages.map((m) => [m.startupId, m.startupText, m.logId, m.logText]), msgs, name);
    t.match(r.settings, expect, `${name} values`);
  }
  const restart = checkPreforkConfig({ ...base, serverLimit: 300 }, 256);
  t.equal(restart.settings.serverLimit, 256);
  t.equal(restart.serverLimitChange, 'changing ServerLimit to 300 from original value of 256 not allowed during restart');
  const run = applyRunAdjustments({ ...base, minSpareServers: 10, maxSpareServers: 5, startServers: 200, maxRequestWorkers: 5 });
  t.equal(run.settings.maxSpareServers, 11, 'MaxSpareServers raised to MinSpareServers + 1');
  t.equal(run.childrenToStart, 5, 'StartServers capped by MaxRequestWorkers');
});

t.test('Listen addresses', async (t) => {
  t.same(parseListenAddress('80'), { host: undefined, port: 80 });
  t.same(parseListenAddress('127.0.0.1:8080'), { host: '127.0.0.1', port: 8080 });
  t.same(parseListenAddress('[::1]:443'), { host: '::1', port: 443 });
  t.same(parseListenAddress('*:81'), { host: undefined, port: 81 });
  t.same(parseListenAddress('localhost'), { host: 'localhost', port: 0 });
  t.same(parseListenAddress('1.2.3.4:99999'), { error: 'Invalid address or port' });
});
