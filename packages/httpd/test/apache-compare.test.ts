/**
 * The command line against live apache2, for everything that needs no configuration: option
 * errors, usage, -l. Outputs must be equal once the program name is normalised.
 */
import t from 'tap';
import { apache, haveApache, normaliseProgram, prefork, preforkInProcess } from './helpers.js';

const cases: string[][] = [
  ['-Z'],
  ['-h'],
  ['-?'],
  ['-f'],
  ['-t', '-D'],
  ['-k', 'bogus'],
  ['-k', 'stop', '-k', 'start'],
  ['-k'],
  ['-t', 'extra'],
  ['-e', 'loud'],
  ['-t', '--', 'x'],
  ['-'],
  ['-tZ'],
  ['-l'],
  ['-l', '-Z'],
];

t.test('option handling equals apache2', { skip: haveApache ? false : 'no /usr/sbin/apache2' }, async (t) => {
  for (const args of cases) {
    const [ours, theirs] = await Promise.all([preforkInProcess(args), apache(args)]);
    const name = args.join(' ');
    t.equal(ours.code, theirs.code, `${name}: exit code`);
    t.equal(normaliseProgram(ours.stdout), normaliseProgram(theirs.stdout), `${name}: stdout`);
    t.equal(normaliseProgram(ours.stderr), normaliseProgram(theirs.stderr), `${name}: stderr`);
  }
});

t.test('the bin prints apache2-equal usage on a bad option', { skip: haveApache ? false : 'no apache2' }, async (t) => {
  const [ours, theirs] = await Promise.all([prefork(['-Z']), apache(['-Z'])]);
  t.equal(ours.code, 1);
  t.equal(ours.stdout, '');
  t.equal(normaliseProgram(ours.stderr), normaliseProgram(theirs.stderr));
});

t.test('-v and -V keep apache2 layout with our identity', { skip: haveApache ? false : 'no apache2' }, async (t) => {
  const [ours, theirs] = await Promise.all([prefork(['-v']), apache(['-v'])]);
  t.equal(ours.code, 0);
  t.equal(theirs.code, 0);
  t.match(ours.stdout, /^Server version: prefork\/\d+\.\d+\.\d+ \(Apache\/2\.4\.71 compatible\)\nServer built:   \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\n$/);
  const shape = (s: string) => s.replace(/: .*$/gm, ':');
  t.equal(shape(ours.stdout), shape(theirs.stdout), 'same lines, same labels');

  const V = await preforkInProcess(['-V']);
  t.equal(V.code, 0, '-V needs no configuration: the MPM is built in');
  t.equal(V.stderr, '');
  for (const line of [
    'Server MPM:     prefork',
    '  threaded:     no',
    '    forked:     yes (variable process count)',
    ' -D HTTPD_ROOT="/etc/apache2"',
    ' -D SERVER_CONFIG_FILE="apache2.conf"',
    ' -D DEFAULT_PIDLOG="/run/apache2.pid"',
  ]) {
    t.ok(V.stdout.split('\n').includes(line), `-V has ${JSON.stringify(line)}`);
  }
  const theirV = await apache(['-V', '-f', '/dev/null']);
  const labels = (s: string) => s.split('\n').filter((l) => /^[A-Z][^:]*:/.test(l)).map((l) => l.replace(/:.*/, ''));
  t.same(labels(V.stdout), labels(theirV.stdout), '-V has the labels apache2 -V has, in its order');
});
