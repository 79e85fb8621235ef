import t from 'tap';
import { parseCommandLine, Getopt, usageText } from '../src/index.js';

const P = 'prefork';

t.test('apr_getopt corner cases', async (t) => {
  const seen = (argv: string[], opts: string) => {
    const errors: string[] = [];
    const g = new Getopt(argv, opts, (m) => errors.push(m));
    const out: string[] = [];
    for (;;) {
      const r = g.next();
      if (r.kind === 'end') break;
      out.push(r.kind === 'option' ? `${r.option}=${r.arg ?? ''}` : `${r.kind}:${r.option}`);
      if (r.kind !== 'option') break;
    }
    return { out, errors, index: g.index };
  };
  t.same(seen([P, '-tDFOO', 'x'], 'tD:'), { out: ['t=', 'D=FOO'], errors: [], index: 2 });
  t.same(seen([P, '-tD', 'FOO'], 'tD:'), { out: ['t=', 'D=FOO'], errors: [], index: 3 });
  t.same(seen([P, '--all-errors', '-t'], 't'), { out: [], errors: [], index: 2 }, '--word ends the options');
  t.same(seen([P, '-', '-t'], 't'), { out: [], errors: [], index: 1 }, 'a lone - stops the scan');
  t.same(seen([P, '-t', '-Z'], 't'), { out: ['t=', 'bad-option:Z'], errors: ['prefork: illegal option -- Z\n'], index: 3 });
  t.same(seen([P, '-f'], 'f:'), { out: ['missing-arg:f'], errors: ['prefork: option requires an argument -- f\n'], index: 2 });
  t.same(seen(['/usr/sbin/apache2', '-:'], 't'), { out: ['bad-option::'], errors: ['apache2: illegal option -- :\n'], index: 2 });
});

t.test('options map onto httpd run modes and defines', async (t) => {
  const opts = (...args: string[]) => {
    const r = parseCommandLine([P, ...args]);
    if (r.action !== 'server') throw new Error(`expected server, got ${r.action}`);
    return r.options;
  };
  t.equal(opts().runMode, 'normal');
  t.equal(opts('-t').runMode, 'config-test');
  t.equal(opts('-t', '-D', 'DUMP_VHOSTS').runMode, 'config-dump', 'a dump define overrides -t');
  t.equal(opts('-D', 'DUMP_MODULES', '-t').runMode, 'config-dump', '-t does not override a dump');
  t.equal(opts('-D', 'FOO').runMode, 'normal', 'other defines start the server');
  t.same(opts('-S').defines, ['DUMP_VHOSTS', 'DUMP_RUN_CFG']);
  t.same(opts('-M').defines, ['DUMP_MODULES']);
  t.same(opts('-X', '-DFOREGROUND').defines, ['DEBUG', 'FOREGROUND']);
  t.same(opts('-C', 'Listen 1', '-c', 'Listen 2', '-C', 'X').preDirectives, ['Listen 1', 'X']);
  t.equal(opts('-d', '/srv', '-f', 'a.conf').serverRoot, '/srv');
  t.equal(opts('-fa.conf').configFile, 'a.conf');
  t.equal(opts('-T').documentRootCheck, false);
  t.equal(opts('-L').showDirectives, true);
  t.equal(opts('-e', 'DEBUG').startupLogLevel, 'debug');
  t.equal(opts('-e', 'trace8').startupLogLevel, 'trace8');
  t.equal(opts('-E', 'startup.log').startupErrorLog, 'startup.log');
  t.equal(opts('-k', 'graceful-stop').dashK, 'graceful-stop');
  t.equal(opts('-kstop', '-t').dashK, 'stop');
  t.equal(opts().dashK, undefined);
  const all = opts('-t', '-D', 'DUMP_ALL_ERRORS');
  t.equal(all.allErrors, true);
  t.equal(all.runMode, 'config-test');
  t.equal(opts('-D', 'DUMP_ALL_ERRORS').runMode, 'config-test', 'DUMP_ALL_ERRORS never serves');
});

t.test('actions and usage', async (t) => {
  const action = (...args: string[]) => parseCommandLine([P, ...args]).action;
  t.equal(action('-v'), 'version');
  t.equal(action('-v', '-Z'), 'version', 'an action acts where it is met');
  t.equal(action('-Z', '-v'), 'usage');
  t.equal(action('-V'), 'compile-settings');
  t.equal(action('-l'), 'list-modules');
  t.equal(action('-h'), 'usage');
  t.equal(action('-?'), 'usage');
  t.equal(action('-t', 'extra'), 'usage', 'a word after the options');
  t.equal(action('-e', 'loud'), 'usage', 'bad -e level');
  t.equal(action('-k', 'bogus'), 'usage');
  t.equal(action('-k', 'stop', '-k', 'start'), 'usage', 'a second -k is left for main(), which rejects it');
  t.equal(action('-t', '--', 'x'), 'usage');
  t.equal(action('-t', '--all-errors'), 'server', 'a trailing --word is ignored, as by apache2');
  const bad = parseCommandLine([P, '-k', 'bogus']);
  t.same(bad, { action: 'usage', diagnostics: ['prefork: illegal option -- k\n'] });
  const missing = parseCommandLine([P, '-t', '-D']);
  t.same(missing, { action: 'usage', diagnostics: ['prefork: option requires an argument -- D\n'] });
});

t.test('usage aligns its continuation lines under the program name', async (t) => {
  for (const bin of ['prefork', '/usr/local/bin/prefork']) {
    const lines = usageText(bin).split('\n');
    const column = `Usage: ${bin} `.length;
    for (const line of lines.slice(1, 4)) {
      t.equal(line.indexOf('['), column, `${bin}: ${line}`);
    }
  }
});

t.test('AH00094 shows argv as httpd rewrites it: -k out, each option and argument a word', async (t) => {
  // apache2 -f/tmp/c.conf -DFOREGROUND -CServerAdmin\ x -e info logs
  // "Command line: '/usr/sbin/apache2 -f /tmp/c.conf -D FOREGROUND -C ServerAdmin x -e info'".
  const r = parseCommandLine([P, '-f/tmp/c.conf', '-DFOREGROUND', '-k', 'start', '-CServerAdmin x', '-e', 'info']);
  if (r.action !== 'server') return t.fail(`action ${r.action}`);
  t.same(r.options.rewrittenArgv, [P, '-f', '/tmp/c.conf', '-D', 'FOREGROUND', '-C', 'ServerAdmin x', '-e', 'info']);
});
