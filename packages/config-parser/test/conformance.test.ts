// Every captured syn-*.conf of real Apache: the read-pass failures are reproduced word for word,
// and the cases Apache lets through the read pass (Syntax OK, AH00526, AH00534) read cleanly.
import t from 'tap';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatReadError, readConfig } from '../src/index.js';
import { makeHost, tempTree } from './helpers.js';

const REF = '/work/shared/apache-reference';
const confDir = join(REF, 'conf');
const capDir = join(REF, 'captures/2c');

const cases = readdirSync(confDir)
  .filter((f) => f.startsWith('syn-') && f.endsWith('.conf'))
  .map((f) => f.slice(4, -5))
  .filter((c) => readdirSync(capDir).includes(`${c}.t.stderr`));

t.ok(cases.length >= 30, `found ${cases.length} captured cases`);

for (const c of cases) {
  t.test(c, (t) => {
    const root = tempTree(t);
    mkdirSync(join(root, 'conf'), { recursive: true });
    for (const f of readdirSync(confDir)) {
      if (!f.endsWith('.conf') && !f.endsWith('.inc')) continue;
      writeFileSync(join(root, 'conf', f), readFileSync(join(confDir, f), 'utf8').replaceAll('@ROOT@', root));
    }
    mkdirSync(join(root, 'conf/sites'), { recursive: true });
    for (const f of readdirSync(join(confDir, 'sites'))) {
      writeFileSync(join(root, 'conf/sites', f), readFileSync(join(confDir, 'sites', f), 'utf8').replaceAll('@ROOT@', root));
    }
    const stderr = readFileSync(join(capDir, `${c}.t.stderr`), 'utf8').replaceAll('@ROOT@', root);
    const r = readConfig({ file: `conf/syn-${c}.conf`, serverRoot: root, host: makeHost(), env: {} });
    const readLine = stderr.split('\n').find((l) => l.startsWith('apache2: ') && !l.includes('Configuration error'));
    if (readLine) {
      t.equal(r.errors.length, 1, 'one read-pass error');
      if (r.errors[0]) t.equal(formatReadError(r.errors[0], 'apache2'), readLine);
    } else {
      t.same(r.errors, [], 'no read-pass error (Apache got past the read pass)');
    }
    for (const m of stderr.matchAll(/\] (AH\d+): (.*)$/gm)) {
      t.ok(
        r.warnings.some((w) => w.id === m[1] && w.message === m[2]),
        `warning ${m[1]}: ${m[2]}`,
      );
    }
    t.end();
  });
}
