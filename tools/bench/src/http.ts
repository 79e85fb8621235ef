import { createServer, createConnection } from 'node:net';
import { childrenOf, startServer, waitForChildren, type RunningServer, type ServerKind, type BenchServerOptions } from './server.js';
import { ab, wrk, type LoadResult } from './load.js';
import { memoryOf, median } from './memory.js';

/**
 * How long and how much: `full` for figures people quote, `quick` for a look in a minute or two,
 * `smoke` for CI (a second per row, the rows that exercise each part of the bench once).
 */
export type BenchMode = 'full' | 'quick' | 'smoke';

export interface HttpBenchOptions {
  mode: BenchMode;
  kinds: ServerKind[];
  /** How many times each server is measured (A B A B …); medians are reported. Default by mode. */
  repeats?: number;
  /** Progress lines (stderr by default). */
  log?: (line: string) => void;
}

/** One measured figure per server kind. */
export type Figures = Record<string, number[]>;

export interface Measurement {
  name: string;
  unit: string;
  /** true when more is better (throughput), false when less is (latency, memory, time). */
  higherIsBetter: boolean;
  values: Figures;
  /** Why a server has no value for this row (or fewer than the rounds), per server kind. */
  failures: Record<string, string[]>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Row {
  name: string;
  tool: 'wrk' | 'ab';
  path: string;
  connections: number;
}

const ROWS: Row[] = [
  { name: '100 B, keep-alive, 16 conns', tool: 'wrk', path: '/100b.txt', connections: 16 },
  { name: '100 B, keep-alive, 64 conns', tool: 'wrk', path: '/100b.txt', connections: 64 },
  { name: '10 KB, keep-alive, 16 conns', tool: 'wrk', path: '/10k.txt', connections: 16 },
  { name: '10 KB, keep-alive, 64 conns', tool: 'wrk', path: '/10k.txt', connections: 64 },
  { name: '100 B, no keep-alive (ab), 16 conns', tool: 'ab', path: '/100b.txt', connections: 16 },
  { name: '1 MB, keep-alive, 8 conns', tool: 'wrk', path: '/1m.bin', connections: 8 },
];

/** What each mode runs. */
interface Plan {
  repeats: number;
  rows: Row[];
  /** wrk duration per row. */
  seconds: number;
  abRequests: number;
  spawnSamples: number;
  ramp: { target: number; seconds: number };
  restarts: number;
  /** Seconds between graceful restarts. */
  gap: number;
  /** How long a single request or a wait for idle children may take before the row fails. */
  waitMs: number;
  /** StartServers (= MinSpareServers), MaxSpareServers and MaxRequestWorkers of the measured servers. */
  pool: Pool;
}

export interface Pool {
  start: number;
  maxSpare: number;
  maxRequestWorkers: number;
}

const POOL: Pool = { start: 16, maxSpare: 32, maxRequestWorkers: 64 };

const PLANS: Record<BenchMode, Plan> = {
  full: { repeats: 2, rows: ROWS, seconds: 10, abRequests: 20000, spawnSamples: 20, ramp: { target: 64, seconds: 15 }, restarts: 10, gap: 3, waitMs: 15000, pool: POOL },
  quick: { repeats: 1, rows: ROWS, seconds: 2, abRequests: 2000, spawnSamples: 7, ramp: { target: 64, seconds: 15 }, restarts: 3, gap: 1.5, waitMs: 15000, pool: POOL },
  smoke: {
    repeats: 1,
    rows: [ROWS[0], ROWS[4]],
    seconds: 1,
    abRequests: 300,
    spawnSamples: 2,
    ramp: { target: 8, seconds: 15 },
    restarts: 1,
    gap: 1,
    waitMs: 15000,
    // A smaller pool: the smoke run checks that every part works, and each child of ours costs
    // half a second of CPU to start.
    pool: { start: 4, maxSpare: 8, maxRequestWorkers: 16 },
  },
};

export function planOf(mode: BenchMode): Readonly<Plan> {
  return PLANS[mode];
}

function poolOptions(port: number, p: Pool): BenchServerOptions {
  return { port, startServers: p.start, minSpare: p.start, maxSpare: p.maxSpare, maxRequestWorkers: p.maxRequestWorkers };
}

class Recorder {
  readonly list: Measurement[] = [];

  private row(name: string, unit: string, higherIsBetter: boolean): Measurement {
    let m = this.list.find((x) => x.name === name);
    if (!m) {
      m = { name, unit, higherIsBetter, values: {}, failures: {} };
      this.list.push(m);
    }
    return m;
  }

  /** A value; a non-finite one counts as a failure with `why`. */
  value(name: string, unit: string, higherIsBetter: boolean, kind: string, value: number, why = 'not measured'): void {
    const m = this.row(name, unit, higherIsBetter);
    if (Number.isFinite(value)) (m.values[kind] ??= []).push(value);
    else (m.failures[kind] ??= []).push(why);
  }

  fail(name: string, unit: string, higherIsBetter: boolean, kind: string, why: string): void {
    (this.row(name, unit, higherIsBetter).failures[kind] ??= []).push(why);
  }
}

/** Row names a part of the bench fills, so that a server that fails to start fails each of them. */
type RowSpec = [name: string, unit: string, higherIsBetter: boolean];

async function withServer(
  rec: Recorder,
  rows: RowSpec[],
  kind: ServerKind,
  o: BenchServerOptions,
  fn: (s: RunningServer) => Promise<void>,
): Promise<void> {
  let s: RunningServer;
  try {
    s = await startServer(kind, o);
  } catch (e) {
    for (const [n, u, h] of rows) rec.fail(n, u, h, kind.name, (e as Error).message);
    return;
  }
  try {
    await fn(s);
  } catch (e) {
    const why = `${(e as Error).message}${s.exitReason() ? `; the master ${s.exitReason()}` : ''}; ${s.diagnostics()}`;
    for (const [n, u, h] of rows) rec.fail(n, u, h, kind.name, why);
  } finally {
    await s.stop();
  }
}

/** Raises when the master has gone, with what it left behind. */
function assertAlive(s: RunningServer, during: string): void {
  const gone = s.exitReason();
  if (gone) throw new Error(`${s.kind.name} ${gone} during ${during}`);
}

function loadFailure(r: LoadResult, what: string): string {
  const first = r.raw.trim().split('\n').slice(-3).join(' / ');
  return `${what} produced no figures: ${first || 'no output'}`;
}

/** How long the servers rest after the throughput rows before their children are measured again. */
const AFTER_LOAD_IDLE_S = 12;

/** Throughput, latency and memory (the plan's pool, access log on), then graceful restarts under load. */
async function throughput(o: HttpBenchOptions, plan: Plan, rec: Recorder, log: (l: string) => void): Promise<void> {
  const memRows: RowSpec[] = [
    ['child PSS, idle (median)', 'kB', false],
    ['child RSS, idle (median)', 'kB', false],
    ['child PSS, after load (median)', 'kB', false],
    ['child RSS, after load (median)', 'kB', false],
    ['master PSS, after load', 'kB', false],
    ['master PSS, idle', 'kB', false],
    ['master RSS, idle', 'kB', false],
    ['master RSS, after load', 'kB', false],
    [`child PSS, ${AFTER_LOAD_IDLE_S} s after load (median)`, 'kB', false],
  ];
  // Sampled while the first row with the most connections runs, near its end: every child serves.
  const busiest = plan.rows.reduce<Row | undefined>((a, r) => (a === undefined || r.connections > a.connections ? r : a), undefined);
  const underLoadRow: RowSpec = [`child PSS, under load (median, ${busiest?.connections ?? 0} conns)`, 'kB', false];
  const loadRows = (row: Row): RowSpec[] => [
    [`${row.name}: requests/s`, 'req/s', true],
    [`${row.name}: p50 latency`, 'ms', false],
    [`${row.name}: p99 latency`, 'ms', false],
    [`${row.name}: failed requests`, '', false],
  ];
  const allRows = [...memRows, underLoadRow, ...plan.rows.flatMap(loadRows), ...gracefulRows(plan)];
  for (let rep = 0; rep < plan.repeats; rep++) {
    for (const kind of o.kinds) {
      const port = await freePort();
      log(`  throughput: ${kind.name}, round ${rep + 1}`);
      await withServer(rec, allRows, kind, poolOptions(port, plan.pool), async (s) => {
        const master = s.process.pid!;
        await settle(s, plan.pool.start, plan, log);
        const idle = childrenOf(master).map(memoryOf).filter((m) => m !== undefined);
        rec.value(...memRows[0], kind.name, median(idle.map((m) => m.pssKb)), 'no child found');
        rec.value(...memRows[1], kind.name, median(idle.map((m) => m.rssKb)), 'no child found');
        const masterIdle = memoryOf(master);
        rec.value(...memRows[5], kind.name, masterIdle?.pssKb ?? NaN, 'master gone');
        rec.value(...memRows[6], kind.name, masterIdle?.rssKb ?? NaN, 'master gone');
        for (const row of plan.rows) {
          const [rps, p50, p99, failed] = loadRows(row);
          try {
            assertAlive(s, `the row before '${row.name}'`);
            const url = `http://127.0.0.1:${port}${row.path}`;
            const sampling = row === busiest && row.tool === 'wrk'
              ? sleep(plan.seconds * 800).then(() => childrenOf(master).map(memoryOf).filter((m) => m !== undefined))
              : undefined;
            const r = row.tool === 'wrk' ? await wrk(url, row.connections, plan.seconds) : await ab(url, row.connections, plan.abRequests);
            if (sampling) rec.value(...underLoadRow, kind.name, median((await sampling).map((m) => m.pssKb)), 'no child found');
            assertAlive(s, `'${row.name}'`);
            if (!Number.isFinite(r.requestsPerSec)) throw new Error(loadFailure(r, `${row.tool} on ${row.path}`));
            if (!(r.completed > 0)) throw new Error(`${row.tool} completed no request on ${row.path} in ${row.tool === 'wrk' ? `${plan.seconds} s` : 'its run'}`);
            rec.value(...rps, kind.name, r.requestsPerSec);
            rec.value(...p50, kind.name, r.p50, 'no latency figures');
            rec.value(...p99, kind.name, r.p99, 'no latency figures');
            rec.value(...failed, kind.name, r.failed);
          } catch (e) {
            const why = `${(e as Error).message}; ${s.diagnostics()}`;
            for (const spec of [rps, p50, p99, failed]) rec.fail(...spec, kind.name, why);
          }
        }
        assertAlive(s, 'the throughput rows');
        const loaded = childrenOf(master).map(memoryOf).filter((m) => m !== undefined);
        rec.value(...memRows[2], kind.name, median(loaded.map((m) => m.pssKb)), 'no child found');
        rec.value(...memRows[3], kind.name, median(loaded.map((m) => m.rssKb)), 'no child found');
        const masterLoaded = memoryOf(master);
        rec.value(...memRows[4], kind.name, masterLoaded?.pssKb ?? NaN, 'master gone');
        rec.value(...memRows[7], kind.name, masterLoaded?.rssKb ?? NaN, 'master gone');
        // A child of ours gives memory back after 10 s without a connection (conn-handler's
        // idle-memory.ts); Apache's children keep theirs.
        await sleep(AFTER_LOAD_IDLE_S * 1000);
        assertAlive(s, `${AFTER_LOAD_IDLE_S} s after the throughput rows`);
        const rested = childrenOf(master).map(memoryOf).filter((m) => m !== undefined);
        rec.value(...memRows[8], kind.name, median(rested.map((m) => m.pssKb)), 'no child found');
        await gracefulUnderLoad(s, plan, rec, log);
      });
    }
  }
}

/** Sends one HTTP/1.0 GET and resolves with the whole response, or rejects after `timeoutMs`. */
function getResponse(port: number, path: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = createConnection({ host: '127.0.0.1', port });
    let data = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`GET ${path}: no response within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.setEncoding('latin1');
    sock.once('connect', () => sock.write(`GET ${path} HTTP/1.0\r\nHost: localhost\r\n\r\n`));
    sock.on('data', (c) => (data += c));
    sock.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`GET ${path}: ${e.message}`));
    });
    sock.once('close', () => {
      clearTimeout(timer);
      if (data.includes('\r\n')) resolve(data);
      else reject(new Error(`GET ${path}: connection closed without a response${data ? ` (got ${JSON.stringify(data.slice(0, 80))})` : ''}`));
    });
  });
}

/** The status line of one GET (the server closes an HTTP/1.0 connection after its answer). */
async function getOnce(port: number, path: string, timeoutMs: number): Promise<string> {
  const response = await getResponse(port, path, timeoutMs);
  return response.slice(0, response.indexOf('\r\n'));
}

/**
 * Waits until mod_status reports `n` idle workers ('_' in the scoreboard), so that a row starts
 * on children that can accept rather than on children still starting; false when the time is up.
 */
async function waitForIdleWorkers(port: number, n: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const body = await getResponse(port, '/server-status?auto', Math.max(100, deadline - Date.now()));
      const idle = Number(/^IdleWorkers:\s*(\d+)/m.exec(body)?.[1] ?? NaN);
      // The worker answering this request is busy: n - 1 others idle is n ready.
      if (idle >= n - 1) return true;
    } catch {
      /* not answering yet */
    }
    await sleep(200);
  }
  return false;
}

/** Start a measuring server and wait until `n` children are idle (a note in the log if not). */
async function settle(s: RunningServer, n: number, plan: Plan, log: (l: string) => void): Promise<void> {
  await waitForChildren(s.process.pid!, n, plan.waitMs);
  if (!(await waitForIdleWorkers(s.port, n, plan.waitMs))) log(`    ${s.kind.name}: fewer than ${n} idle workers after ${plan.waitMs / 1000} s; measuring anyway`);
}

/**
 * Spawn-to-ready: with one child allowed (MaxRequestWorkers 1), the child is killed; from the
 * moment its replacement appears in /proc, a request waits in the listen backlog until that child
 * accepts it, so the time to the response is the child's start-up plus one 100 B response.
 * /proc is polled every 2 ms, which bounds the resolution.
 */
async function spawnToReady(o: HttpBenchOptions, plan: Plan, rec: Recorder, log: (l: string) => void): Promise<void> {
  const rows: RowSpec[] = [
    ['spawn-to-ready, median', 'ms', false],
    ['spawn-to-ready, p95', 'ms', false],
  ];
  for (let rep = 0; rep < plan.repeats; rep++) {
    for (const kind of o.kinds) {
      const port = await freePort();
      log(`  spawn-to-ready: ${kind.name}, round ${rep + 1}`);
      await withServer(rec, rows, kind, { port, startServers: 1, minSpare: 1, maxSpare: 1, maxRequestWorkers: 1 }, async (s) => {
        const master = s.process.pid!;
        if ((await waitForChildren(master, 1, plan.waitMs)) === undefined) throw new Error(`no child within ${plan.waitMs / 1000} s of start`);
        const first = await getOnce(port, '/100b.txt', plan.waitMs);
        if (!/ 200 /.test(first)) throw new Error(`GET /100b.txt answered '${first}'`);
        const samples: number[] = [];
        for (let i = 0; i < plan.spawnSamples; i++) {
          const before = childrenOf(master);
          for (const c of before) process.kill(c, 'SIGKILL');
          let fresh: number | undefined;
          const deadline = Date.now() + plan.waitMs;
          while (fresh === undefined && Date.now() < deadline) {
            fresh = childrenOf(master).find((c) => !before.includes(c));
            if (fresh === undefined) await sleep(2);
          }
          assertAlive(s, 'spawn-to-ready');
          if (fresh === undefined) throw new Error(`no replacement child within ${plan.waitMs / 1000} s of killing ${before.join(', ')}`);
          const t0 = performance.now();
          const status = await getOnce(port, '/100b.txt', plan.waitMs);
          const ms = performance.now() - t0;
          if (!/ 200 /.test(status)) throw new Error(`GET /100b.txt to a new child answered '${status}'`);
          samples.push(ms);
        }
        const sorted = [...samples].sort((a, b) => a - b);
        rec.value(...rows[0], kind.name, median(samples));
        rec.value(...rows[1], kind.name, sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]);
      });
    }
  }
}

/** From 1 child to the target under as many connections (StartServers 1, otherwise the plan's pool). */
async function elasticity(o: HttpBenchOptions, plan: Plan, rec: Recorder, log: (l: string) => void): Promise<void> {
  const { target, seconds } = plan.ramp;
  const rows: RowSpec[] = [
    ['master start to first child', 's', false],
    [`ramp 1 → ${target} children under ${target} conns`, 's', false],
  ];
  for (let rep = 0; rep < plan.repeats; rep++) {
    for (const kind of o.kinds) {
      const port = await freePort();
      log(`  elasticity: ${kind.name}, round ${rep + 1}`);
      const started = Date.now();
      await withServer(rec, rows, kind, { ...poolOptions(port, plan.pool), startServers: 1 }, async (s) => {
        const master = s.process.pid!;
        const toStart = await waitForChildren(master, 1, 10000);
        rec.value(...rows[0], kind.name, toStart === undefined ? NaN : (Date.now() - started) / 1000, 'no child within 10 s');
        // The load lasts until the target is reached (or the time is up), not longer.
        const done = new AbortController();
        const load = wrk(`http://127.0.0.1:${port}/100b.txt`, target, seconds, done.signal);
        const t = await waitForChildren(master, target, seconds * 1000);
        done.abort();
        const r = await load;
        assertAlive(s, 'the ramp');
        const n = childrenOf(master).length;
        rec.value(...rows[1], kind.name, t ?? NaN, `${n} children after ${seconds} s` + (t === undefined && !Number.isFinite(r.requestsPerSec) ? `; ${loadFailure(r, 'wrk')}` : ''));
      });
    }
  }
}

function gracefulRows(plan: Plan): RowSpec[] {
  const n = `${plan.restarts} graceful restart${plan.restarts === 1 ? '' : 's'}`;
  return [
    [`failed requests during ${n}`, '', false],
    [`requests/s during ${n}`, 'req/s', true],
  ];
}

/**
 * USR1 every few seconds while wrk runs on the server of the throughput rows, after them: every
 * failed or reset request counts, and afterwards a new connection must be answered.
 */
async function gracefulUnderLoad(s: RunningServer, plan: Plan, rec: Recorder, log: (l: string) => void): Promise<void> {
  const { restarts, gap } = plan;
  const rows = gracefulRows(plan);
  log(`  graceful restarts: ${s.kind.name}`);
  try {
    await settle(s, plan.pool.start, plan, log);
    const load = wrk(`http://127.0.0.1:${s.port}/10k.txt`, 16, Math.ceil(restarts * gap + 2));
    for (let i = 0; i < restarts; i++) {
      await sleep(gap * 1000);
      assertAlive(s, `graceful restart ${i + 1}`);
      process.kill(s.process.pid!, 'SIGUSR1');
    }
    const r = await load;
    assertAlive(s, `the load after ${restarts} graceful restarts`);
    if (!Number.isFinite(r.requestsPerSec)) throw new Error(loadFailure(r, 'wrk during graceful restarts'));
    const status = await getOnce(s.port, '/100b.txt', plan.waitMs);
    if (!/ 200 /.test(status)) throw new Error(`after ${restarts} graceful restarts GET /100b.txt answered '${status}'`);
    rec.value(...rows[0], s.kind.name, r.failed);
    rec.value(...rows[1], s.kind.name, r.requestsPerSec);
  } catch (e) {
    const why = `${(e as Error).message}; ${s.diagnostics()}`;
    for (const spec of rows) rec.fail(...spec, s.kind.name, why);
  }
}

export async function benchHttp(o: HttpBenchOptions): Promise<Measurement[]> {
  const plan = { ...PLANS[o.mode], ...(o.repeats ? { repeats: o.repeats } : {}) };
  const started = Date.now();
  const sink = o.log ?? ((l: string) => console.error(l));
  const log = (l: string) => sink(`${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s ${l}`);
  const rec = new Recorder();
  await throughput(o, plan, rec, log);
  await spawnToReady(o, plan, rec, log);
  await elasticity(o, plan, rec, log);
  return rec.list;
}
