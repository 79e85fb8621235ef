import { readdirSync, readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Measurement, BenchMode, Pool } from './http.js';
import { median } from './memory.js';
import { ratio } from './measure.js';

/** Where and how a run was made; printed above its table. */
export interface RunInfo {
  date: string;
  mode: BenchMode;
  cores: number;
  cpuModel: string;
  /** 1-minute load average when the run started. */
  loadAverage: number;
  node: string;
  apache: string;
  repeats: number;
  /** Free text from `--note`, e.g. what else ran on the machine. */
  note?: string;
  pool: Pool;
}

/** A target of issue #7, checked on prefork's (and Apache's) medians. */
interface Target {
  label: string;
  met(ours: number, theirs: number): boolean;
}

const CHILD_PSS_LIMIT_KB = 8 * 1024;
const SPAWN_LIMIT_MS = 50;

/** The targets of issue #7, by row name. */
export function targetOf(name: string): Target | undefined {
  if (/^failed requests during \d+ graceful restart/.test(name)) return { label: '= 0', met: (o) => o === 0 };
  if (/requests\/s/.test(name)) return { label: 'ratio ≥ 1.00', met: (o, t) => o / t >= 1 };
  if (/p99 latency$/.test(name)) return { label: '≤ apache2', met: (o, t) => o <= t };
  if (/^child PSS, under load/.test(name)) return { label: `≤ ${CHILD_PSS_LIMIT_KB} kB`, met: (o) => o <= CHILD_PSS_LIMIT_KB };
  if (/^spawn-to-ready/.test(name)) return { label: `≤ ${SPAWN_LIMIT_MS} ms`, met: (o) => o <= SPAWN_LIMIT_MS };
  return undefined;
}

function formatValue(v: number, unit: string): string {
  const digits = unit === 's' || unit === 'ms' ? 2 : 0;
  return v.toFixed(digits) + (unit && unit !== 'req/s' ? ` ${unit}` : '');
}

export interface Rendered {
  /** The Markdown table followed by its footnotes. */
  markdown: string;
  /** Rows with a figure for neither, or only one, server. */
  incomplete: string[];
}

/** The table: one row per measurement, prefork's and Apache's medians, their ratio and the target. */
export function renderTable(ms: Measurement[], kinds: [ours: string, theirs: string] = ['prefork', 'apache2']): Rendered {
  const [oursKind, theirsKind] = kinds;
  const lines = [
    `| measurement | ${oursKind} | ${theirsKind} | ratio | better | target (issue #7) |`,
    '|---|---|---|---|---|---|',
  ];
  const notes: string[] = [];
  const incomplete: string[] = [];
  const cell = (m: Measurement, kind: string): { text: string; value: number } => {
    const value = median(m.values[kind] ?? []);
    const why = [...new Set(m.failures[kind] ?? [])];
    let text = Number.isFinite(value) ? formatValue(value, m.unit) : 'failed';
    if (why.length) {
      let n = notes.findIndex((x) => x === `${kind}: ${why.join('; ')}`);
      if (n < 0) n = notes.push(`${kind}: ${why.join('; ')}`) - 1;
      text += ` [${n + 1}]`;
    }
    return { text, value };
  };
  for (const m of ms) {
    const o = cell(m, oursKind);
    const t = cell(m, theirsKind);
    if (!Number.isFinite(o.value) || !Number.isFinite(t.value)) incomplete.push(m.name);
    const target = targetOf(m.name);
    let targetCell = '';
    if (target) {
      const judged = Number.isFinite(o.value) && (Number.isFinite(t.value) || !/apache2|ratio/.test(target.label));
      targetCell = `${target.label} ${judged ? (target.met(o.value, t.value) ? '✓' : '✗') : '?'}`;
    }
    lines.push(`| ${m.name} | ${o.text} | ${t.text} | ${ratio(o.value, t.value)} | ${m.higherIsBetter ? 'higher' : 'lower'} | ${targetCell} |`);
  }
  const footnotes = notes.map((n, i) => `[${i + 1}] ${n.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ')}`);
  return { markdown: lines.join('\n') + (footnotes.length ? '\n\n' + footnotes.join('\n\n') : ''), incomplete };
}

const MODE_TEXT: Record<BenchMode, string> = {
  full: 'full run (10 s per load row)',
  quick: '`--quick` run (2 s per load row)',
  smoke: 'smoke run (1 s per load row, few rows)',
};

/** The whole results document: what was run where, the table, and how to read it. */
export function renderResults(info: RunInfo, ms: Measurement[]): string {
  const { markdown } = renderTable(ms);
  const meta = [
    `${MODE_TEXT[info.mode]}, ${info.date}`,
    `machine: ${info.cores} core${info.cores === 1 ? '' : 's'} (${info.cpuModel}), load average ${info.loadAverage.toFixed(1)} when the run started`,
    `${info.node}, ${info.apache}; ${info.repeats} round${info.repeats === 1 ? '' : 's'} per server, servers alternated (A B A B), medians`,
  ];
  if (info.note) meta.push(info.note);
  return [
    `### HTTP, ${info.date.slice(0, 10)}`,
    '',
    ...meta.map((m) => `- ${m}`),
    '',
    markdown,
    '',
    'Ratio is prefork / apache2 (for req/s higher is better, for the rest lower is). ' +
      `Each server ran with the same configuration: StartServers and MinSpareServers ${info.pool.start}, ` +
      `MaxSpareServers ${info.pool.maxSpare}, MaxRequestWorkers ${info.pool.maxRequestWorkers}, access log on; ` +
      'spawn-to-ready with MaxRequestWorkers 1, the ramp from StartServers 1.',
    '',
  ].join('\n');
}

/** results/<date>.md for a run; returns its path. */
export function writeResults(dir: string, info: RunInfo, text: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${info.date.slice(0, 10)}.md`);
  writeFileSync(file, text);
  return file;
}

/** The newest results file (by its date name), or undefined. */
export function latestResults(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const files = readdirSync(dir)
    .filter((f) => /^\d{4}-\d{2}-\d{2}.*\.md$/.test(f))
    .sort();
  return files.length ? join(dir, files[files.length - 1]) : undefined;
}

export const README_START = '<!-- bench:results:start (written by `npm run bench -- readme`) -->';
export const README_END = '<!-- bench:results:end -->';

const SECTION_INTRO = [
  '## Benchmarks',
  '',
  '`npm run bench -- http` measures prefork and Apache prefork (`/usr/sbin/apache2`) side by side on one',
  'machine; [`tools/bench`](tools/bench/README.md) says what each row is and what the targets are.',
  '`npm run bench -- readme` puts the newest table of `tools/bench/results/` here.',
  '',
].join('\n');

/**
 * README text with `block` between the bench markers. The markers go at the end of an existing
 * `## Benchmarks` section, or a new section is appended; nothing else in the README changes.
 */
export function replaceReadmeBlock(readme: string, block: string): string {
  const wrapped = `${README_START}\n${block.trim()}\n${README_END}`;
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start >= 0 && end > start) return readme.slice(0, start) + wrapped + readme.slice(end + README_END.length);
  const heading = /^## Benchmarks[ \t]*$/m.exec(readme);
  if (heading) {
    const after = heading.index + heading[0].length;
    const next = /^## /m.exec(readme.slice(after));
    const at = next ? after + next.index : readme.length;
    const before = readme.slice(0, at).replace(/\s*$/, '\n\n');
    return before + wrapped + '\n' + (next ? '\n' + readme.slice(at) : '');
  }
  return readme.replace(/\s*$/, '\n\n') + SECTION_INTRO + '\n' + wrapped + '\n';
}

/** The README block for a results file: its text with the heading level lowered and a link. */
export function readmeBlockFor(resultsText: string, relPath: string): string {
  const body = resultsText.replace(/^### /m, '### Latest: ');
  return `${body.trim()}\n\nFrom [\`${relPath}\`](${relPath}).`;
}
