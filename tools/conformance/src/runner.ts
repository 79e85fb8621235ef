/**
 * The suite: selects cases, runs each against the reference and ours (a small pool in parallel,
 * each run on its own ports and ServerRoot), compares, records, and reports one line per case.
 */
import { accessSync, constants, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadCases, selected } from './case-loader.js';
import { compareObservation } from './compare.js';
import { PortAllocator } from './ports.js';
import { describeStep, runSide, type Side } from './run-side.js';
import type { LoadedCase, Observation, Recorded } from './types.js';

/** How the suite is run. */
export type RunMode = 'live' | 'record' | 'ours-only';

/** Options of a suite run. */
export interface SuiteOptions {
  fixturesDir: string;
  mode: RunMode;
  apache: Side;
  ours: Side;
  caseGlobs?: string[];
  areas?: string[];
  /** Cases run at the same time (each run still has its own ports and ServerRoot). */
  jobs?: number;
  /** Run cases that are skipped by default. */
  includeSkipped?: boolean;
  keep?: boolean;
  /** Where report lines go. */
  out: (line: string) => void;
}

/** The outcome of one case. */
export interface CaseResult {
  id: string;
  outcome: 'pass' | 'fail' | 'skip';
  /** Explanation lines (a diff, an error, the skip reason). */
  detail: string[];
  /** Lines about the live reference differing from its recording (not failures). */
  warnings: string[];
}

/** The totals of a suite run. */
export interface SuiteResult {
  passed: number;
  failed: number;
  skipped: number;
  results: CaseResult[];
}

/** Whether the reference program can be executed. */
export function referenceAvailable(side: Side): boolean {
  const cmd = side.command[0];
  const candidates = cmd.includes('/') ? [cmd] : (process.env.PATH ?? '').split(':').filter(Boolean).map((d) => join(d, cmd));
  return candidates.some((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function versionLine(side: Side): string {
  const r = spawnSync(side.command[0], [...side.command.slice(1), '-v'], { encoding: 'utf8', timeout: 10000 });
  return (r.stdout ?? '').split('\n')[0] ?? '';
}

/** Explains every step whose observations differ. */
export function diffCase(c: LoadedCase, ref: Observation[], ours: Observation[], refLabel: string): string[] {
  const lines: string[] = [];
  const n = Math.max(ref.length, ours.length, c.spec.steps.length);
  for (let i = 0; i < n; i++) {
    const step = c.spec.steps[i];
    const mismatches = compareObservation(step?.expect, ref[i], ours[i]);
    for (const m of mismatches) {
      lines.push(`step ${i + 1} (${step ? describeStep(step) : '?'}) ${m.field}: (- ${refLabel}, + ours)`);
      for (const d of m.detail) lines.push(`  ${d}`);
    }
  }
  return lines;
}

function readRecorded(c: LoadedCase): Recorded | undefined {
  const file = join(c.dir, 'expected.json');
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as Recorded;
}

async function runOne(c: LoadedCase, opts: SuiteOptions, ports: PortAllocator, apacheOk: boolean, recordedWith: string): Promise<CaseResult> {
  const base = { id: c.id, warnings: [] as string[] };
  const sideOpts = { fixturesDir: opts.fixturesDir, ports, keep: opts.keep };
  if (c.skip && !opts.includeSkipped && opts.mode !== 'record') return { ...base, outcome: 'skip', detail: [c.skip] };

  if (opts.mode === 'record') {
    if (!apacheOk) return { ...base, outcome: 'fail', detail: [`Apache not found at ${opts.apache.command[0]}: cannot record`] };
    const ref = await runSide(c, opts.apache, sideOpts);
    if (ref.error) return { ...base, outcome: 'fail', detail: [`apache: ${ref.error}`] };
    const recorded: Recorded = { recordedWith, steps: ref.steps };
    writeFileSync(join(c.dir, 'expected.json'), JSON.stringify(recorded, null, 2) + '\n');
    return { ...base, outcome: 'pass', detail: [] };
  }

  let recorded: Recorded | undefined;
  try {
    recorded = readRecorded(c);
  } catch (e) {
    return { ...base, outcome: 'fail', detail: [`${c.dir}/expected.json: ${(e as Error).message}`] };
  }

  let reference: Observation[];
  let refLabel: string;
  if (opts.mode === 'ours-only') {
    if (!recorded) return { ...base, outcome: 'fail', detail: [`no recorded observations (${c.dir}/expected.json): run with --record`] };
    reference = recorded.steps;
    refLabel = 'recorded apache';
  } else {
    if (!apacheOk) {
      return { ...base, outcome: 'fail', detail: [`Apache not found at ${opts.apache.command[0]} (install Debian's apache2, or run with --ours-only)`] };
    }
    const live = await runSide(c, opts.apache, sideOpts);
    if (live.error) return { ...base, outcome: 'fail', detail: [`apache: ${live.error}`] };
    reference = live.steps;
    refLabel = 'apache';
    if (recorded) {
      const drift = diffCase(c, recorded.steps, live.steps, 'recorded');
      if (drift.length) base.warnings.push(...drift.map((l) => l.replace('+ ours)', '+ live apache)')));
    }
  }
  const ours = await runSide(c, opts.ours, sideOpts);
  if (ours.error) return { ...base, outcome: 'fail', detail: [`ours: ${ours.error}`] };
  const detail = diffCase(c, reference, ours.steps, refLabel);
  return { ...base, outcome: detail.length ? 'fail' : 'pass', detail };
}

function report(r: CaseResult, mode: RunMode, out: (line: string) => void): void {
  const block: string[] = [];
  if (r.warnings.length) {
    block.push(`warning ${r.id}: live Apache differs from the recorded expected.json (re-record with --record and review the diff)`);
    for (const w of r.warnings) block.push(`#   ${w}`);
  }
  if (r.outcome === 'skip') block.push(`skip ${r.id}: ${r.detail[0]}`);
  else if (r.outcome === 'pass') block.push(`${mode === 'record' ? 'recorded' : 'ok'} ${r.id}`);
  else {
    block.push(`not ok ${r.id}`);
    for (const d of r.detail) block.push(`#   ${d}`);
  }
  out(block.join('\n'));
}

/** Runs the selected cases and prints a closing line "conformance: N passed, N failed[, N skipped]". */
export async function runSuite(opts: SuiteOptions): Promise<SuiteResult> {
  const { cases, broken } = loadCases(opts.fixturesDir);
  const globs = opts.caseGlobs ?? [];
  const areas = opts.areas ?? [];
  const chosen = cases.filter((c) => selected(c, globs, areas));
  const results: CaseResult[] = [];
  for (const b of broken) {
    const [area, name] = b.id.split('/');
    if (!selected({ id: b.id, area, name }, globs, areas)) continue;
    const r: CaseResult = { id: b.id, outcome: 'fail', detail: [`${b.file}: ${b.error}`], warnings: [] };
    results.push(r);
    report(r, opts.mode, opts.out);
  }
  const apacheOk = opts.mode !== 'ours-only' && referenceAvailable(opts.apache);
  const recordedWith = apacheOk ? versionLine(opts.apache) : '';
  const ports = new PortAllocator();
  // Cases marked exclusive run one at a time once the parallel ones are done.
  const queue = chosen.filter((c) => !c.exclusive);
  const alone = chosen.filter((c) => c.exclusive);
  const jobs = Math.max(1, Math.min(opts.jobs ?? 3, 8));
  const worker = async (): Promise<void> => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      let r: CaseResult;
      try {
        r = await runOne(c, opts, ports, apacheOk, recordedWith);
      } catch (e) {
        r = { id: c.id, outcome: 'fail', detail: [`harness error: ${(e as Error).message}`], warnings: [] };
      }
      results.push(r);
      report(r, opts.mode, opts.out);
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  queue.push(...alone);
  await worker();
  const passed = results.filter((r) => r.outcome === 'pass').length;
  const failed = results.filter((r) => r.outcome === 'fail').length;
  const skipped = results.filter((r) => r.outcome === 'skip').length;
  if (chosen.length === 0 && broken.length === 0) opts.out(`# no case matched (fixtures: ${opts.fixturesDir})`);
  opts.out(`conformance: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  return { passed, failed, skipped, results };
}
