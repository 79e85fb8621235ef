#!/usr/bin/env node
/**
 * `npm run bench -- <what> [--quick | --smoke] [--note text] [--out file]`: measures prefork
 * against real Apache in one run on one machine and prints ours, Apache's and the ratio.
 *   config   `prefork -t` vs `apache2 -t` on a generated tree (≥10,000 directives, ≥200 Includes)
 *   http     throughput and latency (wrk, ab), per-child memory, spawn-to-ready, ramp under a
 *            spike, graceful restarts under load; MaxRequestWorkers 64, Start/Min 16, Max 32,
 *            access log on. The table goes to tools/bench/results/<date>.md (or --out).
 *   readme   the newest results table (or --from file) into the root README's Benchmarks section
 */
import { mkdtempSync, rmSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join, dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeConfigTree } from './config-tree.js';
import { alternate, ratio, summarize, timeCommand } from './measure.js';
import { benchHttp, planOf, type BenchMode } from './http.js';
import { renderResults, renderTable, writeResults, latestResults, readmeBlockFor, replaceReadmeBlock, type RunInfo } from './report.js';
import { spawnSync } from 'node:child_process';
import type { ServerKind } from './server.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const preforkBin = join(repoRoot, 'packages', 'httpd', 'bin', 'prefork.js');
const apacheBin = process.env.APACHE_BIN ?? '/usr/sbin/apache2';

interface Row {
  name: string;
  ours: string;
  apache: string;
  ratio: string;
}

function printTable(title: string, rows: Row[], note: string): void {
  console.log(`\n### ${title}\n`);
  console.log('| measurement | prefork | apache2 | ratio prefork/apache2 |');
  console.log('|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.name} | ${r.ours} | ${r.apache} | ${r.ratio} |`);
  console.log(`\n${note}`);
}

function benchConfig(quick: boolean): boolean {
  const root = mkdtempSync(join(tmpdir(), 'prefork-bench-config-'));
  try {
    const tree = writeConfigTree({ root, files: 200, directivesPerFile: 56, port: 18999 });
    const args = ['-t', '-d', root, '-f', tree.mainFile];
    const rounds = quick ? 3 : 11;
    const apache = () => timeCommand(apacheBin, args);
    const ours = () => timeCommand(process.execPath, [preforkBin, ...args]);
    // One untimed run each warms the page cache, so neither side pays for the first read.
    const warmA = apache();
    const warmB = ours();
    let ok = true;
    for (const [who, r] of [['apache2', warmA], ['prefork', warmB]] as const) {
      if (r.status !== 0 || !/Syntax OK/.test(r.stderr)) {
        console.error(`${who} -t did not accept the generated tree (exit ${r.status}):\n${r.stderr}`);
        ok = false;
      }
    }
    const { a, b } = alternate(ours, apache, rounds);
    const o = summarize(a.map((r) => r.ms));
    const ap = summarize(b.map((r) => r.ms));
    printTable(
      `Configuration check: ${tree.directives} directives in ${tree.includeFiles} Include files, ${rounds} runs each, alternating`,
      [
        { name: '-t wall time, median (ms)', ours: o.median.toFixed(1), apache: ap.median.toFixed(1), ratio: ratio(o.median, ap.median) },
        { name: '-t wall time, p95 (ms)', ours: o.p95.toFixed(1), apache: ap.p95.toFixed(1), ratio: ratio(o.p95, ap.p95) },
      ],
      'Lower is better; a ratio above 1 means prefork is slower. Node.js start-up is part of prefork\'s time.',
    );
    return ok;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function apacheVersion(): string {
  const r = spawnSync(apacheBin, ['-v'], { encoding: 'utf8' });
  return /Server version:\s*(\S+)/.exec(r.stdout ?? '')?.[1] ?? 'apache2 (version unknown)';
}

const resultsDir = join(repoRoot, 'tools', 'bench', 'results');

async function benchHttpCommand(mode: BenchMode, flags: Flags): Promise<boolean> {
  for (const tool of ['wrk', 'ab']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
      console.error(`${tool} is not installed: apt-get install -y wrk apache2-utils`);
      return false;
    }
  }
  const kinds: ServerKind[] = [
    { name: 'prefork', command: process.execPath, args: [preforkBin] },
    { name: 'apache2', command: apacheBin, args: [] },
  ];
  const info: RunInfo = {
    date: new Date().toISOString(),
    mode,
    cores: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown CPU',
    loadAverage: loadavg()[0],
    node: `Node.js ${process.version}`,
    apache: apacheVersion(),
    repeats: planOf(mode).repeats,
    note: flags.note,
    pool: planOf(mode).pool,
  };
  const ms = await benchHttp({ mode, kinds });
  const text = renderResults(info, ms);
  console.log(`\n${text}`);
  if (flags.out || mode !== 'smoke') {
    const file = flags.out ?? writeResults(resultsDir, info, text);
    if (flags.out) writeFileSync(flags.out, text);
    console.log(`written to ${file}`);
  }
  // The run worked when every row has a figure on both sides; failed rows are in the table.
  const { incomplete } = renderTable(ms);
  if (incomplete.length) console.error(`rows without a figure on both sides: ${incomplete.join('; ')}`);
  return incomplete.length === 0;
}

function readmeCommand(flags: Flags): boolean {
  const file = flags.from ?? latestResults(resultsDir);
  if (!file) {
    console.error(`no results in ${resultsDir}: run \`npm run bench -- http\` first`);
    return false;
  }
  const readmePath = join(repoRoot, 'README.md');
  const rel = relative(repoRoot, resolve(file)).split(sep).join('/');
  const block = readmeBlockFor(readFileSync(file, 'utf8'), rel);
  writeFileSync(readmePath, replaceReadmeBlock(readFileSync(readmePath, 'utf8'), block));
  console.log(`README.md: Benchmarks section now shows ${rel}`);
  return true;
}

interface Flags {
  note?: string;
  out?: string;
  from?: string;
}

const argv = process.argv.slice(2);
const flags: Flags = {};
const what: string[] = [];
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--note' || a === '--out' || a === '--from') {
    const v = argv[++i];
    if (v === undefined) {
      console.error(`${a} needs a value`);
      process.exit(2);
    }
    flags[a.slice(2) as keyof Flags] = v;
  } else if (!a.startsWith('--')) what.push(a);
}
const mode: BenchMode = argv.includes('--smoke') ? 'smoke' : argv.includes('--quick') ? 'quick' : 'full';
const quick = mode !== 'full';
const benches: Record<string, () => boolean | Promise<boolean>> = {
  config: () => benchConfig(quick),
  http: () => benchHttpCommand(mode, flags),
  readme: () => readmeCommand(flags),
};
// Without a name: the two measurements (readme only when asked).
const selected = what.length ? what : ['config', 'http'];
if (!existsSync(apacheBin)) {
  console.error(`${apacheBin} not found: install Debian's apache2 (apt-get install -y apache2) to compare against it.`);
  process.exit(2);
}
let allOk = true;
for (const name of selected) {
  const fn = benches[name];
  if (!fn) {
    console.error(`unknown benchmark '${name}'; known: ${Object.keys(benches).join(', ')}`);
    process.exit(2);
  }
  allOk = (await fn()) && allOk;
}
process.exit(allOk ? 0 : 1);
