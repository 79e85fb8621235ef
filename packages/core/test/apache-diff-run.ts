// Seeded mutations of the sample trees, each checked by `apache2 -t` and by loadServerConfig: the
// same verdict and, when both fail, the same first error, word for word. Needs Debian's apache2
// (installed by .ci/run); without it the test is skipped, saying so.
//
// Two kinds of difference are ours by design and are not compared:
// - LoadModule of a stock module whose file does not exist (or, for one, needs another module's
//   symbols): apache2 cannot dlopen it; this server loads no shared object, so it accepts the name
//   (a configuration from a machine with Apache runs on one without).
// - Argument checks of directives this server accepts without implementing them (PF00001: the
//   directives of autoindex, headers …): apache2 checks their arguments, this server ignores them.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createDefaultRegistry, loadServerConfig, type AnyModule } from '../src/index.js';
import { preforkModule } from '../../mpm-core/src/config/index.js';
import { copyTrees, mutateOne } from './fuzz-process-run.js';
import { rng } from '../../config-parser/test/fuzz-run.js';

const APACHE = '/usr/sbin/apache2';
const haveApache = existsSync(APACHE);

/** The first error apache2 -t prints (its warnings aside), or OK. */
function apacheVerdict(stderr: string, status: number | null): string {
  if (status === 0) return 'OK';
  return stderr.split('\n').filter((l) => l !== '' && !l.startsWith('[') && !l.startsWith('AH00558') && l !== 'Syntax OK').join('\n');
}

/** `runs` (PF_FUZZ_RUNS) mutated trees from seed `seedDefault` (PF_FUZZ_SEED). */
export function apacheDiffFuzz(seedDefault: number, runsDefault: number): void {
  t.test(`apache2 -t and loadServerConfig agree on mutated sample trees, seed ${seedDefault}`, { skip: haveApache ? false : `${APACHE} is not installed` }, async (t) => {
    const registry = createDefaultRegistry([preforkModule as unknown as AnyModule]);
    const ours = new Set<string>();
    for (const m of registry.modules.values()) for (const d of m.directives ?? []) ours.add(d.name.toLowerCase());
    const trees = copyTrees(t);
    const seed = Number(process.env.PF_FUZZ_SEED ?? seedDefault);
    const runs = Number(process.env.PF_FUZZ_RUNS ?? runsDefault);
    const rand = rng(seed);
    let compared = 0;
    let ok = 0;
    for (let i = 0; i < runs; i++) {
      await mutateOne(trees, rand, async (tree, target, text) => {
        const r = await loadServerConfig({ file: tree.file, serverRoot: tree.dir, preDirectives: tree.preDirectives, env: tree.env, program: 'apache2', registry });
        const a = spawnSync(APACHE, ['-t', ...tree.args], { env: { ...process.env, ...tree.env }, encoding: 'utf8' });
        const theirs = apacheVerdict(a.stderr, a.status);
        if (/^apache2: .*: (Cannot load .* into server: .*(cannot open shared object file|undefined symbol: ap_))/.test(theirs)) return;
        const at = /^AH00526: Syntax error on line (\d+) of (.*):\n(?!Invalid command ')/.exec(theirs);
        if (at) {
          const line = readFileSync(at[2]!, 'utf8').split('\n')[Number(at[1]) - 1] ?? '';
          const name = line.trim().split(/\s+/)[0]!.replace(/^</, '').toLowerCase();
          if (!ours.has(name) && !ours.has(`<${name}`)) return;
        }
        compared++;
        const mine = r.ok ? 'OK' : r.errors[0]!.text;
        if (mine === theirs) ok++;
        else t.fail(`seed ${seed} run ${i}, ${tree.name}/${target}\napache2: ${theirs}\nours:    ${mine}\n--- input ---\n${text}`);
      });
    }
    t.ok(compared > runs / 2, `seed ${seed}: ${compared} of ${runs} mutated trees compared, ${ok} alike`);
  });
}
