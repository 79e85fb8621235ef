#!/usr/bin/env node
// `npm test`: type-check everything, run every package's tap suite (through Nx), run the
// conformance suite, and close with one summed line `N passed, N failed`.
import { spawn } from 'node:child_process';
import { readdirSync, existsSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SUMMARY = /^(?:(\S+): )?(\d+) passed, (\d+) failed(?:, (\d+) skipped)?/;

/** Runs a command, echoing its output, and returns the summary lines it printed. */
function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    const summaries = [];
    let buf = '';
    const onData = (stream) => (chunk) => {
      stream.write(chunk);
      buf += chunk.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).replace(/\x1b\[[0-9;]*m/g, '').trim();
        buf = buf.slice(nl + 1);
        const m = SUMMARY.exec(line);
        if (m) summaries.push({ name: m[1] ?? '', pass: Number(m[2]), fail: Number(m[3]), skip: Number(m[4] ?? 0) });
      }
    };
    child.stdout.on('data', onData(process.stdout));
    child.stderr.on('data', onData(process.stderr));
    child.on('close', (code, signal) => resolve({ code: code ?? 1, signal, summaries }));
  });
}

const totals = { pass: 0, fail: 0, skip: 0 };
const lines = [];
function add(name, pass, fail, skip = 0) {
  totals.pass += pass;
  totals.fail += fail;
  totals.skip += skip;
  lines.push(`${name}: ${pass} passed, ${fail} failed${skip ? `, ${skip} skipped` : ''}`);
}

// Each stage's wall time, printed before the totals (for the CI log; nothing asserts it).
const stageTimes = [];
let stageStart = Date.now();
function stageDone(name) {
  stageTimes.push(`${name} ${Math.round((Date.now() - stageStart) / 1000)} s`);
  stageStart = Date.now();
}

// 1. Type-check: the build (sources, strict) and the tests.
const npx = 'npx';
const build = await run(npx, ['tsc', '-b', 'tsconfig.build.json']);
const testsTc = await run(npx, ['tsc', '-p', 'tsconfig.tests.json', '--noEmit']);
add('typecheck', (build.code === 0) + (testsTc.code === 0), (build.code !== 0) + (testsTc.code !== 0));
stageDone('typecheck');

// 2. Every package's tap suite, through Nx. A project whose run printed no summary failed.
const projects = [];
for (const dir of ['packages', 'tools']) {
  const base = join(root, dir);
  if (!existsSync(base)) continue;
  for (const name of readdirSync(base)) {
    const pj = join(base, name, 'package.json');
    if (!existsSync(pj)) continue;
    const pkg = JSON.parse(readFileSync(pj, 'utf8'));
    if (pkg.scripts?.test) projects.push(name);
  }
}
if (build.code === 0) {
  const unit = await run(npx, ['nx', 'run-many', '-t', 'test', '--output-style=static', '--parallel=1', '--skip-nx-cache']);
  for (const name of projects) {
    const s = unit.summaries.filter((x) => x.name === name);
    if (s.length === 0) add(name, 0, 1);
    else for (const x of s) add(name, x.pass, x.fail, x.skip);
  }
} else {
  for (const name of projects) add(name, 0, 1);
}
stageDone('packages');

// 3. Conformance against live Apache (the runner itself says how it was run).
const conformanceCli = join(root, 'tools', 'conformance', 'dist', 'cli.js');
if (existsSync(conformanceCli)) {
  const conf = await run(process.execPath, [conformanceCli]);
  const s = conf.summaries.at(-1);
  if (s) add('conformance-cases', s.pass, s.fail, s.skip);
  else add('conformance-cases', 0, 1);
  stageDone('conformance');
}

console.log(`\nwall time: ${stageTimes.join(', ')}`);
console.log(lines.join('\n'));
console.log(`${totals.pass} passed, ${totals.fail} failed${totals.skip ? `, ${totals.skip} skipped` : ''}`);
process.exit(totals.fail === 0 ? 0 : 1);
