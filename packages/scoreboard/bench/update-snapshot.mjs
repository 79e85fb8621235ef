#!/usr/bin/env node
// Cost of a child's status update and of the master's full snapshot, at
// ServerLimit 256 and 20,000. Prints figures; asserts nothing.
// Usage: npm run bench -w @prefork/scoreboard   (after `npx tsc -b packages/scoreboard`)
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Scoreboard, ServerStatus, RequestTiming } from '../dist/index.js';

const self = fileURLToPath(import.meta.url);

/** Median over 7 rounds of the per-call cost, after a warm-up that lets V8 optimise `fn`. */
function perOp(iterations, fn) {
  for (let i = 0; i < iterations; i++) fn(i);
  const rounds = [];
  for (let r = 0; r < 7; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn(i);
    rounds.push(Number(process.hrtime.bigint() - start) / iterations);
  }
  return rounds.sort((a, b) => a - b)[3];
}

function fmt(ns) {
  return ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} µs` : `${ns.toFixed(0)} ns`;
}

if (process.argv[2] === 'child') {
  // Runs in its own process, as a prefork child does, on its own slot.
  const [name, slotArg] = process.argv.slice(3);
  const slot = Number(slotArg);
  const sb = Scoreboard.attach({ location: { kind: 'shm', name } });
  const w = sb.worker(slot);
  const results = {
    'status byte store (worker.status = …)': perOp(200_000, (i) => { w.status = i & 1 ? ServerStatus.SERVER_BUSY_READ : ServerStatus.SERVER_READY; }),
    'updateChildStatus (no ExtendedStatus)': perOp(200_000, (i) => { sb.updateChildStatus(slot, 0, i & 1 ? ServerStatus.SERVER_BUSY_WRITE : ServerStatus.SERVER_READY); }),
    'updateChildStatus (ExtendedStatus, request line)': perOp(50_000, (i) => {
      sb.updateChildStatus(slot, 0, ServerStatus.SERVER_BUSY_READ, { extended: true, request: 'GET /index.html HTTP/1.1', client: '127.0.0.1', vhost: 'localhost:80', protocol: 'http/1.1' });
      void i;
    }),
    'one request cycle (READ, WRITE, times, counts, READY)': perOp(50_000, () => {
      sb.updateChildStatus(slot, 0, ServerStatus.SERVER_BUSY_READ);
      sb.timeProcessRequest(slot, 0, RequestTiming.START_PREQUEST);
      sb.updateChildStatus(slot, 0, ServerStatus.SERVER_BUSY_WRITE);
      w.addCounts(1234n);
      sb.timeProcessRequest(slot, 0, RequestTiming.STOP_PREQUEST);
      sb.updateChildStatus(slot, 0, ServerStatus.SERVER_READY);
    }),
  };
  sb.close();
  process.stdout.write(JSON.stringify(results));
  process.exit(0);
}

console.log(`@prefork/scoreboard benchmark (node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}); median of 7 rounds`);
for (const serverLimit of [256, 20000]) {
  const name = `/pf-bench-${process.pid}-${serverLimit}`;
  const sb = Scoreboard.create({ location: { kind: 'shm', name }, serverLimit });
  try {
    for (let i = 0; i < serverLimit; i += 3) sb.worker(i).status = ServerStatus.SERVER_READY;
    console.log(`\nServerLimit ${serverLimit} (segment ${sb.geometry.size} bytes)`);
    const child = spawnSync(process.execPath, [self, 'child', name, String(serverLimit - 1)], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`bench child failed: ${child.stderr}`);
    for (const [what, ns] of Object.entries(JSON.parse(child.stdout))) console.log(`  child  ${what.padEnd(52)} ${fmt(ns)}`);
    let snap = sb.snapshot();
    const iterations = serverLimit > 1000 ? 50 : 2000;
    console.log(`  master ${'snapshot() into a reused snapshot'.padEnd(52)} ${fmt(perOp(iterations, () => { snap = sb.snapshot(snap); }))}`);
    console.log(`  master ${'snapshot() allocating a new one'.padEnd(52)} ${fmt(perOp(Math.ceil(iterations / 5), () => { sb.snapshot(); }))}`);
  } finally {
    sb.destroy();
  }
}
