// Seeded mutations of real configurations, shared by the fuzz-*.test.ts files (each its own seed,
// so tap runs them side by side within its per-file time limit).
import type { Test } from 'tap';
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readConfig } from '../src/index.js';
import { makeHost, tempTree } from './helpers.js';
import { rng } from './rng.js';
export { rng };

const INSERTS = [
  '<', '>', '"', "'", '\\', '${', '}', '</IfModule>', '</Directory>', '<IfModule x>', '<Directory /x', '\\\n', '#',
  'Include x/*\n', 'Use m\n', '<Macro m $a>\n', '</Macro>\n', 'UndefMacro m\n', '\r', '\t', '\0', '\u00e9', '\ufffd',
  '${UNDEFINED}', 'Define X ${X}\n', 'UnDefine FOO\n', '<IfDefine !', '<IfDefine FOO>\n', '</IfDefine>\n',
  'IncludeOptional /nonexistent*/x.conf\n',
  '<IfVersion >= 2.4>\n', '<IfVersion ~ ^2(>\n', '</IfVersion>\n', '<IfFile /etc>\n', '</IfFile>\n',
  '<IfDirective Listen>\n', '<IfSection VirtualHost>\n', '<If "%{HTTP_HOST} == \'x\'">\n', '</If>\n', ' \\', '"\\"',
];

/** One to four random line edits: deletions, copies, swaps, cuts, changed bytes, inserted syntax. */
export function mutate(text: string, rand: () => number): string {
  const lines = text.split('\n');
  const n = 1 + Math.floor(rand() * 4);
  for (let k = 0; k < n; k++) {
    const i = Math.floor(rand() * lines.length);
    switch (Math.floor(rand() * 7)) {
      case 0: lines.splice(i, 1); break;
      case 1: lines.splice(i, 0, lines[i] ?? ''); break;
      case 2: { const j = Math.floor(rand() * lines.length); [lines[i], lines[j]] = [lines[j], lines[i]]; break; }
      case 3: lines[i] = (lines[i] ?? '').slice(0, Math.floor(rand() * (lines[i]?.length ?? 0))); break;
      case 4: {
        // A byte changed anywhere in the line, control characters included.
        const s = lines[i] ?? '';
        const at = Math.floor(rand() * (s.length + 1));
        lines[i] = s.slice(0, at) + String.fromCharCode(Math.floor(rand() * 128)) + s.slice(at + 1);
        break;
      }
      default: {
        const s = lines[i] ?? '';
        const at = Math.floor(rand() * (s.length + 1));
        lines[i] = s.slice(0, at) + INSERTS[Math.floor(rand() * INSERTS.length)] + s.slice(at);
      }
    }
  }
  return lines.join('\n');
}

/**
 * `runs` seeded mutated reads (PF_FUZZ_RUNS and PF_FUZZ_SEED override both): none may throw,
 * and every error must name a file, a line >= 1 and a code. A failure names the seed, the run
 * and the input, to replay it. A read that never ends is caught by tap's time limit.
 */
export function fuzzReads(t: Test, seedDefault: number, runsDefault: number): void {
  const root = tempTree(t);
  const ref = '/work/shared/apache-reference/conf';
  cpSync(ref, join(root, 'conf'), { recursive: true });
  cpSync('/etc/apache2', join(root, 'etc-apache2'), { recursive: true, dereference: false, errorOnExist: false });
  const seeds = readdirSync(join(root, 'conf')).filter((f) => f.endsWith('.conf')).map((f) => join(root, 'conf', f));
  seeds.push(join(root, 'etc-apache2', 'apache2.conf'));
  const seedValue = Number(process.env.PF_FUZZ_SEED ?? seedDefault);
  const rand = rng(seedValue);
  const target = join(root, 'conf', 'fuzz.conf');
  let errors = 0;
  const runs = Number(process.env.PF_FUZZ_RUNS ?? runsDefault);
  for (let i = 0; i < runs; i++) {
    const seed = seeds[Math.floor(rand() * seeds.length)];
    const text = mutate(readFileSync(seed, 'utf8').replaceAll('@ROOT@', root), rand);
    writeFileSync(target, text);
    const host = makeHost({ modules: ['macro'] });
    let r;
    try {
      r = readConfig({ file: target, serverRoot: root, host, env: {}, stopAtFirstError: rand() < 0.5, defines: ['FOO'] });
    } catch (e) {
      t.fail(`seed ${seedValue} run ${i} threw: ${(e as Error).stack}\n--- input ---\n${text}`);
      break;
    }
    for (const e of r.errors) {
      if (!(e.loc.file && e.loc.line >= 1 && e.code)) {
        t.fail(`seed ${seedValue} run ${i}: bad error ${JSON.stringify(e)}\n--- input ---\n${text}`);
        return;
      }
    }
    errors += r.errors.length;
  }
  t.ok(errors > 0, `seed ${seedValue}: ${runs} mutated reads, ${errors} errors, all located`);
}
