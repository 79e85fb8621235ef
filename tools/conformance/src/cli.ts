#!/usr/bin/env node
/**
 * `npm run conformance [-- options]`: the conformance suite. See README.md.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSuite, type RunMode, type SuiteOptions } from './runner.js';
import type { Side } from './run-side.js';

/** The repository root, from dist/cli.js (or src/cli.ts under tests). */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const USAGE = `usage: conformance [options]
  --case <glob>      run only cases whose id (<area>/<case>) or name matches; repeatable
  --area <name>      run only this area; repeatable
  --record           run Apache only and write its observations to each case's expected.json
  --ours-only        compare ours with the recorded observations (Apache is not run)
  --ours-cmd <cmd>   the program tested as "ours" (default: node packages/httpd/bin/prefork.js)
  --apache-cmd <cmd> the reference program (default: /usr/sbin/apache2)
  --fixtures <dir>   the cases folder (default: test-fixtures/conformance)
  --jobs <n>         cases run at the same time, 1-8 (default 3)
  --include-skipped  also run cases that are skipped by default (a case or area with a "skip" reason)
  --keep             keep the temporary ServerRoots
  --help             this text`;

/** Parsed command line. */
export interface CliOptions {
  mode: RunMode;
  caseGlobs: string[];
  areas: string[];
  oursCmd?: string;
  apacheCmd?: string;
  fixtures?: string;
  jobs: number;
  includeSkipped: boolean;
  keep: boolean;
  help: boolean;
}

/** Parses the command line; throws an Error with a usage message on bad input. */
export function parseArgs(argv: string[]): CliOptions {
  const o: CliOptions = { mode: 'live', caseGlobs: [], areas: [], jobs: 3, includeSkipped: false, keep: false, help: false };
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`conformance: ${flag} needs a value\n${USAGE}`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case '--case': o.caseGlobs.push(value(i++, a)); break;
      case '--area': o.areas.push(value(i++, a)); break;
      case '--record':
        if (o.mode === 'ours-only') throw new Error('conformance: --record and --ours-only exclude each other');
        o.mode = 'record';
        break;
      case '--ours-only':
        if (o.mode === 'record') throw new Error('conformance: --record and --ours-only exclude each other');
        o.mode = 'ours-only';
        break;
      case '--ours-cmd': o.oursCmd = value(i++, a); break;
      case '--apache-cmd': o.apacheCmd = value(i++, a); break;
      case '--fixtures': o.fixtures = value(i++, a); break;
      case '--jobs': {
        const v = value(i++, a);
        if (!/^[1-8]$/.test(v)) throw new Error(`conformance: --jobs takes a number from 1 to 8, not "${v}"`);
        o.jobs = Number(v);
        break;
      }
      case '--include-skipped': o.includeSkipped = true; break;
      case '--keep': o.keep = true; break;
      case '--help': case '-h': o.help = true; break;
      default: throw new Error(`conformance: unknown option "${a}"\n${USAGE}`);
    }
  }
  return o;
}

/** Splits a command given as one string on spaces (paths with spaces are not supported). */
function splitCommand(cmd: string): string[] {
  return cmd.trim().split(/\s+/).filter(Boolean);
}

/** The side for a command: its words, and the spellings of its name to normalise. */
export function sideFor(label: string, command: string[]): Side {
  const paths = new Set<string>([command.join(' ')]);
  for (const w of command) if (w.includes('/') && w !== process.execPath) paths.add(w);
  // node's own path is only normalised as part of the whole command line.
  paths.delete(process.execPath);
  return { label, command, programPaths: [...paths].filter((p) => basename(p) !== 'node') };
}

/** Builds suite options from parsed arguments. */
export function suiteOptions(o: CliOptions, out: (line: string) => void): SuiteOptions {
  const apache = o.apacheCmd ? splitCommand(o.apacheCmd) : ['/usr/sbin/apache2'];
  const ours = o.oursCmd ? splitCommand(o.oursCmd) : [process.execPath, join(repoRoot, 'packages', 'httpd', 'bin', 'prefork.js')];
  return {
    fixturesDir: resolve(o.fixtures ?? join(repoRoot, 'test-fixtures', 'conformance')),
    mode: o.mode,
    apache: sideFor('apache', apache),
    ours: sideFor('ours', ours),
    caseGlobs: o.caseGlobs,
    areas: o.areas,
    jobs: o.jobs,
    includeSkipped: o.includeSkipped,
    keep: o.keep,
    out,
  };
}

async function main(): Promise<number> {
  let o: CliOptions;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    console.log('conformance: 0 passed, 1 failed');
    return 2;
  }
  if (o.help) {
    console.log(USAGE);
    return 0;
  }
  const opts = suiteOptions(o, (line) => console.log(line));
  if (!existsSync(opts.fixturesDir)) console.log(`# fixtures folder not found: ${opts.fixturesDir}`);
  const r = await runSuite(opts);
  return r.failed === 0 ? 0 : 1;
}

// Run only as a program, so tests can import parseArgs.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(`conformance: ${(e as Error).message}`);
      console.log('conformance: 0 passed, 1 failed');
      process.exit(1);
    },
  );
}
