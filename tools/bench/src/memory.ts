import { readFileSync } from 'node:fs';

export interface MemoryFigures {
  rssKb: number;
  pssKb: number;
}

/** RSS and PSS of one process from /proc/<pid>/smaps_rollup; undefined when it is gone. */
export function memoryOf(pid: number): MemoryFigures | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
    return { rssKb: field('Rss'), pssKb: field('Pss') };
  } catch {
    return undefined;
  }
}

export function median(values: number[]): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
}
