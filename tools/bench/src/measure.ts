import { spawnSync } from 'node:child_process';

export interface Timing {
  /** Wall-clock milliseconds of each run, in run order. */
  runs: number[];
  median: number;
  p95: number;
}

export function summarize(runs: number[]): Timing {
  const sorted = [...runs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const mid = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  return { runs, median: mid, p95: at(0.95) };
}

export interface CommandResult {
  ms: number;
  status: number | null;
  stdout: string;
  stderr: string;
}

export function timeCommand(cmd: string, args: string[], env?: NodeJS.ProcessEnv): CommandResult {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: env ?? process.env });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { ms, status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Runs the two commands alternately (A B A B …) so drift on a shared machine hits both. */
export function alternate(a: () => CommandResult, b: () => CommandResult, rounds: number): { a: CommandResult[]; b: CommandResult[] } {
  const ra: CommandResult[] = [];
  const rb: CommandResult[] = [];
  for (let i = 0; i < rounds; i++) {
    ra.push(a());
    rb.push(b());
  }
  return { a: ra, b: rb };
}

export function ratio(ours: number, theirs: number): string {
  if (!Number.isFinite(ours) || !Number.isFinite(theirs) || !(theirs > 0)) return 'n/a';
  const r = ours / theirs;
  // Two significant digits below 0.1, so that a small ratio does not read as 0.00.
  return r >= 0.1 || r === 0 ? r.toFixed(2) : r.toPrecision(2);
}
