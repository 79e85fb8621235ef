#!/usr/bin/env node
/**
 * `npm run bench -- <what> [--quick]`: measures prefork against real Apache in one run on one
 * machine and prints ours, Apache's and the ratio. What can be measured:
 *   config   `prefork -t` vs `apache2 -t` on a generated tree (≥10,000 directives, ≥200 Includes)
 */
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeConfigTree } from './config-tree.js';
import { alternate, ratio, summarize, timeCommand } from './measure.js';

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

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const what = argv.filter((a) => !a.startsWith('--'));
const benches: Record<string, (quick: boolean) => boolean> = { config: benchConfig };
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
  allOk = fn(quick) && allOk;
}
process.exit(allOk ? 0 : 1);
