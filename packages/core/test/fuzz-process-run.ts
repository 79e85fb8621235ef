// Seeded mutations of the sample trees (httpd-conf-samples: upstream, debian, rhel) through the
// whole load, read pass and process pass, as `prefork -t` runs it. Shared by fuzz-process-*.test.ts
// (each its own seed, so tap runs them side by side within its per-file time limit).
import type { Test } from 'tap';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDefaultRegistry, loadServerConfig, type AnyModule, type NameResolver } from '../src/index.js';
import { preforkModule } from '../../mpm-core/src/config/index.js';
import { mutate, rng } from '../../config-parser/test/fuzz-run.js';

const SAMPLES = fileURLToPath(new URL('../../../httpd-conf-samples/', import.meta.url));

/** No lookups leave the machine: every name is 127.0.0.1, this host is fully qualified. */
const resolver: NameResolver = {
  hostname: () => 'fuzz.example',
  lookup: async () => '127.0.0.1',
  lookupAll: async () => [{ address: '127.0.0.1', family: 4 }],
  reverse: async () => 'fuzz.example',
};

export interface Tree {
  name: string;
  dir: string;
  file: string;
  /** The command line of sample.json, as `apache2 -t` takes it. */
  args: string[];
  preDirectives: string[];
  env: Record<string, string>;
  /** The files a run may mutate. */
  files: string[];
}

function configFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...configFiles(p));
    else if (/\.(conf|load)$/.test(e.name) && statSync(p).size > 0) out.push(p);
  }
  return out.sort();
}

function trees(root: string): Tree[] {
  const out: Tree[] = [];
  for (const name of ['upstream', 'debian', 'rhel']) {
    const dir = join(root, name);
    // Debian's *-enabled entries are symbolic links: copied as files, each can be mutated alone.
    cpSync(join(SAMPLES, name), dir, { recursive: true, dereference: true });
    const manifest = JSON.parse(readFileSync(join(dir, 'sample.json'), 'utf8')) as { args: string[]; env: Record<string, string> };
    const fill = (s: string) => s.replaceAll('${SAMPLE_DIR}', dir).replaceAll('${PORT}', '18080');
    const args = manifest.args.map(fill);
    const preDirectives: string[] = [];
    let file = '';
    for (let i = 0; i < args.length; i += 2) {
      if (args[i] === '-C') preDirectives.push(args[i + 1]!);
      if (args[i] === '-f') file = args[i + 1]!;
    }
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(manifest.env)) env[k] = fill(v);
    out.push({ name, dir, file: file.startsWith('/') ? file : join(dir, file), args, preDirectives, env, files: configFiles(dir) });
  }
  return out;
}

/** Copies the sample trees into a directory removed when `t` ends. */
export function copyTrees(t: Test): Tree[] {
  const root = mkdtempSync(join(tmpdir(), 'prefork-core-fuzz-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  return trees(root);
}

/**
 * Mutates one file of one tree (both chosen by `rand`), runs `check` on it, then puts the file
 * back. `check` gets the tree, the file's path inside it and the mutated text.
 */
export async function mutateOne(all: Tree[], rand: () => number, check: (tree: Tree, target: string, text: string) => Promise<void>): Promise<void> {
  const tree = all[Math.floor(rand() * all.length)]!;
  const target = tree.files[Math.floor(rand() * tree.files.length)]!;
  const original = readFileSync(target, 'utf8');
  const text = mutate(original, rand);
  writeFileSync(target, text);
  try {
    await check(tree, relative(tree.dir, target), text);
  } finally {
    writeFileSync(target, original);
  }
}

/**
 * `runs` seeded mutated loads (PF_FUZZ_RUNS and PF_FUZZ_SEED override both). Each mutates one file
 * of one tree, then loads the tree twice: stopping at the first error, and collecting all of them
 * (`-t -D DUMP_ALL_ERRORS`). No load may throw; every error must carry Apache's text and name a
 * file and a line >= 1, save the MPM check (AH00534), which Apache reports with no line either.
 * Apache's mode reports one error at most, and the full list begins with that one.
 * A failure names the seed, the run, the file and its mutated text, to replay it. A load that
 * never ends is caught by tap's time limit.
 */
export async function fuzzLoads(t: Test, seedDefault: number, runsDefault: number): Promise<void> {
  const all = copyTrees(t);
  const registry = createDefaultRegistry([preforkModule as unknown as AnyModule]);
  const seedValue = Number(process.env.PF_FUZZ_SEED ?? seedDefault);
  const runs = Number(process.env.PF_FUZZ_RUNS ?? runsDefault);
  const rand = rng(seedValue);
  let errors = 0;
  let lineless = 0;
  let failed = false;
  const kinds = new Set<string>();
  for (let i = 0; i < runs && !failed; i++) {
    await mutateOne(all, rand, async (tree, target, text) => {
      const fail = (why: string) => {
        failed = true;
        t.fail(`${why}\nseed ${seedValue} run ${i}, ${tree.name}/${target}\n--- input ---\n${text}`);
      };
      const load = (collectAllErrors: boolean) =>
        loadServerConfig({
          file: tree.file,
          serverRoot: tree.dir,
          preDirectives: tree.preDirectives,
          env: tree.env,
          program: 'prefork',
          registry,
          resolver,
          collectAllErrors,
        });
      let first, every;
      try {
        first = await load(false);
        every = await load(true);
      } catch (e) {
        return fail(`threw: ${(e as Error).stack}`);
      }
      for (const r of [first, every]) {
        if (r.ok !== (r.errors.length === 0)) return fail(`ok is ${r.ok} with ${r.errors.length} errors`);
        for (const e of r.errors) {
          kinds.add(e.kind);
          const located = e.loc !== undefined && e.loc.file !== '' && e.loc.line >= 1;
          if (!located) lineless++;
          if (!e.text || !e.message || (!located && e.kind !== 'mpm')) return fail(`an error without its text or place: ${JSON.stringify(e)}`);
        }
      }
      if (first.errors.length > 1 || every.errors[0]?.text !== first.errors[0]?.text) {
        return fail(`Apache's mode stops at ${JSON.stringify(first.errors.map((e) => e.text))}; the list begins ${JSON.stringify(every.errors[0]?.text)}`);
      }
      errors += every.errors.length;
    });
  }
  if (!failed) t.ok(errors > 0, `seed ${seedValue}: ${runs} mutated loads, ${errors} errors (${[...kinds].sort().join(', ')}), ${lineless} of them the MPM check without a line`);
}
