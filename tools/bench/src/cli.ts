#!/usr/bin/env node
/**
 * `npm run bench -- <what> [--quick]`: measures prefork against real Apache in one run on one
 * machine and prints ours, Apache's and the ratio. What can be measured:
 *   config   `prefork -t` vs `apache2 -t` on a generated tree (≥10,000 directives, ≥200 Includes)
 *   http     throughput and latency (wrk, ab), per-child memory, ramp under a spike, graceful
 *            restarts under load; MaxRequestWorkers 64, Start/Min 16, Max 32, access log on
 */
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeConfigTree } from './config-tree.js';
import { alternate, ratio, summarize, timeCommand } from './measure.js';
import { benchHttp, type Measurement } from './http.js';
import { median } from './memory.js';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
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

function formatValue(v: number, unit: string): string {
  if (!Number.isFinite(v)) return 'n/a';
  const digits = unit === 's' || unit === 'ms' ? 2 : 0;
  return v.toFixed(digits) + (unit && unit !== 'req/s' ? ` ${unit}` : '');
}

function measurementsTable(ms: Measurement[]): string {
  const lines = ['| measurement | prefork | apache2 | ratio prefork/apache2 | better |', '|---|---|---|---|---|'];
  for (const m of ms) {
    const ours = median(m.values.prefork ?? []);
    const theirs = median(m.values.apache2 ?? []);
    lines.push(`| ${m.name} | ${formatValue(ours, m.unit)} | ${formatValue(theirs, m.unit)} | ${ratio(ours, theirs)} | ${m.higherIsBetter ? 'higher' : 'lower'} |`);
  }
  return lines.join('\n');
}

async function benchHttpCommand(quick: boolean): Promise<boolean> {
  for (const tool of ['wrk', 'ab']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
      console.error(`${tool} is not installed: apt-get install -y wrk apache2-utils`);
      return false;
    }
  }
  const kinds: ServerKind[] = [
    { name: 'apache2', command: apacheBin, args: [] },
    { name: 'prefork', command: process.execPath, args: [preforkBin] },
  ];
  const ms = await benchHttp({ quick, kinds, repeats: quick ? 1 : 2 });
  const table = measurementsTable(ms);
  const header = `### HTTP (${quick ? 'quick run' : 'full run'}, ${new Date().toISOString()}, ${process.version}, medians of ${quick ? 1 : 2} rounds, servers alternated)`;
  console.log(`\n${header}\n\n${table}\n`);
  if (!quick) {
    const dir = join(repoRoot, 'tools', 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${new Date().toISOString().slice(0, 10)}.md`);
    writeFileSync(file, `${header}\n\n${table}\n`);
    console.log(`written to ${file}`);
  }
  // The run worked when Apache's rows were measured; prefork's missing rows show as n/a.
  return ms.some((m) => (m.values.apache2 ?? []).some((v) => Number.isFinite(v)));
}

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const what = argv.filter((a) => !a.startsWith('--'));
const benches: Record<string, (quick: boolean) => boolean | Promise<boolean>> = { config: benchConfig, http: benchHttpCommand };
const selected = what.length ? what : Object.keys(benches);
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
  allOk = (await fn(quick)) && allOk;
}
process.exit(allOk ? 0 : 1);
