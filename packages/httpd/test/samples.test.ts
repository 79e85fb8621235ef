/**
 * httpd-conf-samples/: each sample passes `apache2 -t` with the arguments and environment of
 * its sample.json, and `prefork -t` prints what apache2 -t prints.
 */
import t from 'tap';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apache, haveApache, prefork, REPO_ROOT } from './helpers.js';

const samplesDir = join(REPO_ROOT, 'httpd-conf-samples');

interface SampleManifest {
  description: string;
  args: string[];
  env: Record<string, string>;
}

/** Where prefork -t still differs from apache2 -t: exit code, and messages (none today). */
/** Our own warnings (PF ids) about what this server does not implement are ours by design. */
const withoutOwnWarnings = (s: string) => s.replace(/^.*\] PF\d{5}: .*\n/gm, '');

const fill = (s: string, dir: string) => s.replaceAll('${SAMPLE_DIR}', dir).replaceAll('${PORT}', '18080');

const norm = (s: string) =>
  s
    .replace(/^\[[^\]]+\] \[([^\]]+)\] \[pid \d+:tid \d+\]/gm, '[TIME] [$1] [pid]')
    .replace(/\b(?:apache2|prefork)\b/g, 'PROGRAM');

const samples = readdirSync(samplesDir).filter((d) => existsSync(join(samplesDir, d, 'sample.json')));

t.test('every sample has a manifest', async (t) => {
  for (const s of ['upstream', 'debian', 'rhel', 'serve']) t.ok(samples.includes(s), s);
});

for (const name of samples) {
  t.test(name, { skip: haveApache ? false : 'no apache2' }, async (t) => {
    const dir = join(samplesDir, name);
    const manifest = JSON.parse(readFileSync(join(dir, 'sample.json'), 'utf8')) as SampleManifest;
    const args = ['-t', ...manifest.args.map((a) => fill(a, dir))];
    const env = { ...process.env };
    for (const [k, v] of Object.entries(manifest.env)) env[k] = fill(v, dir);
    const [theirs, ours] = await Promise.all([apache(args, { env }), prefork(args, { env })]);
    t.equal(theirs.code, 0, `apache2 -t accepts ${name}: ${theirs.stderr}`);
    t.match(theirs.stderr, /Syntax OK\n$/);
    t.equal(ours.code, theirs.code, 'prefork -t: same exit code');
    t.equal(norm(withoutOwnWarnings(ours.stderr)), norm(theirs.stderr), 'prefork -t: same messages (our PF warnings aside)');
  });
}
