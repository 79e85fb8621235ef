// Seeded mutations of real configurations: the read pass never throws, always ends, and every
// error it reports has a file, a line >= 1 and a code.
import t from 'tap';
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readConfig } from '../src/index.js';
import { makeHost, tempTree } from './helpers.js';

/** mulberry32: a small deterministic generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const INSERTS = ['<', '>', '"', "'", '\\', '${', '}', '</IfModule>', '</Directory>', '<IfModule x>', '<Directory /x', '\\\n', '#', 'Include x/*\n', 'Use m\n', '<Macro m $a>\n'];

function mutate(text: string, rand: () => number): string {
  const lines = text.split('\n');
  const n = 1 + Math.floor(rand() * 4);
  for (let k = 0; k < n; k++) {
    const i = Math.floor(rand() * lines.length);
    switch (Math.floor(rand() * 6)) {
      case 0: lines.splice(i, 1); break;
      case 1: lines.splice(i, 0, lines[i] ?? ''); break;
      case 2: { const j = Math.floor(rand() * lines.length); [lines[i], lines[j]] = [lines[j], lines[i]]; break; }
      case 3: lines[i] = (lines[i] ?? '').slice(0, Math.floor(rand() * (lines[i]?.length ?? 0))); break;
      default: {
        const s = lines[i] ?? '';
        const at = Math.floor(rand() * (s.length + 1));
        lines[i] = s.slice(0, at) + INSERTS[Math.floor(rand() * INSERTS.length)] + s.slice(at);
      }
    }
  }
  return lines.join('\n');
}

t.test('mutated configurations', (t) => {
  const root = tempTree(t);
  const ref = '/work/shared/apache-reference/conf';
  cpSync(ref, join(root, 'conf'), { recursive: true });
  cpSync('/etc/apache2', join(root, 'etc-apache2'), { recursive: true, dereference: false, errorOnExist: false });
  const seeds = readdirSync(join(root, 'conf')).filter((f) => f.endsWith('.conf')).map((f) => join(root, 'conf', f));
  seeds.push(join(root, 'etc-apache2', 'apache2.conf'));
  const rand = rng(20261125);
  const target = join(root, 'conf', 'fuzz.conf');
  let errors = 0;
  let worst = 0;
  const runs = 400;
  for (let i = 0; i < runs; i++) {
    const seed = seeds[Math.floor(rand() * seeds.length)];
    const text = mutate(readFileSync(seed, 'utf8').replaceAll('@ROOT@', root), rand);
    writeFileSync(target, text);
    const host = makeHost({ modules: ['macro'] });
    const started = process.hrtime.bigint();
    let r;
    try {
      r = readConfig({ file: target, serverRoot: root, host, env: {}, stopAtFirstError: rand() < 0.5, defines: ['FOO'] });
    } catch (e) {
      t.fail(`run ${i} threw: ${(e as Error).stack}\n--- input ---\n${text}`);
      break;
    }
    worst = Math.max(worst, Number(process.hrtime.bigint() - started) / 1e6);
    for (const e of r.errors) {
      if (!(e.loc.file && e.loc.line >= 1 && e.code)) {
        t.fail(`run ${i}: bad error ${JSON.stringify(e)}\n--- input ---\n${text}`);
        return t.end();
      }
    }
    errors += r.errors.length;
  }
  t.ok(worst < 60000, `slowest read ${worst.toFixed(1)} ms`);
  t.ok(errors > 0, `${runs} mutated reads, ${errors} errors, all located`);
  t.end();
});
