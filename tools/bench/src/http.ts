import { createServer } from 'node:net';
import { childrenOf, startServer, waitForChildren, type RunningServer, type ServerKind, type BenchServerOptions } from './server.js';
import { ab, wrk, type LoadResult } from './load.js';
import { memoryOf, median } from './memory.js';

export interface HttpBenchOptions {
  quick: boolean;
  kinds: ServerKind[];
  /** How many times each server is measured (A B A B …); medians are reported. */
  repeats: number;
}

/** One measured figure per server kind. */
export type Figures = Record<string, number[]>;

export interface Measurement {
  name: string;
  unit: string;
  /** true when more is better (throughput), false when less is (latency, memory, time). */
  higherIsBetter: boolean;
  values: Figures;
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

function record(list: Measurement[], name: string, unit: string, higherIsBetter: boolean, kind: string, value: number): void {
  let m = list.find((x) => x.name === name);
  if (!m) {
    m = { name, unit, higherIsBetter, values: {} };
    list.push(m);
  }
  (m.values[kind] ??= []).push(value);
}

async function withServer<T>(kind: ServerKind, o: BenchServerOptions, fn: (s: RunningServer) => Promise<T>): Promise<T | undefined> {
  let s: RunningServer;
  try {
    s = await startServer(kind, o);
  } catch (e) {
    console.error(`  ${kind.name}: ${(e as Error).message}`);
    return undefined;
  }
  try {
    return await fn(s);
  } finally {
    await s.stop();
  }
}

/** Throughput, latency and memory with MaxRequestWorkers 64, Start/Min 16, Max 32, access log on. */
async function throughput(o: HttpBenchOptions, out: Measurement[]): Promise<void> {
  const seconds = o.quick ? 2 : 10;
  const abRequests = o.quick ? 2000 : 20000;
  for (let rep = 0; rep < o.repeats; rep++) {
    for (const kind of o.kinds) {
      const port = await freePort();
      console.error(`  throughput: ${kind.name}, round ${rep + 1}`);
      await withServer(kind, { port, startServers: 16, minSpare: 16, maxSpare: 32, maxRequestWorkers: 64 }, async (s) => {
        const master = s.process.pid!;
        await waitForChildren(master, 16, 10000);
        await sleep(500);
        const idle = childrenOf(master).map(memoryOf).filter((m) => m !== undefined);
        record(out, 'child PSS, idle (median)', 'kB', false, kind.name, median(idle.map((m) => m.pssKb)));
        record(out, 'child RSS, idle (median)', 'kB', false, kind.name, median(idle.map((m) => m.rssKb)));
        for (const row of ROWS) {
          const url = `http://127.0.0.1:${port}${row.path}`;
          const r: LoadResult = row.tool === 'wrk' ? await wrk(url, row.connections, seconds) : await ab(url, row.connections, abRequests);
          record(out, `${row.name}: requests/s`, 'req/s', true, kind.name, r.requestsPerSec);
          record(out, `${row.name}: p50 latency`, 'ms', false, kind.name, r.p50);
          record(out, `${row.name}: p99 latency`, 'ms', false, kind.name, r.p99);
          record(out, `${row.name}: failed requests`, '', false, kind.name, r.failed);
        }
        const loaded = childrenOf(master).map(memoryOf).filter((m) => m !== undefined);
        record(out, 'child PSS, after load (median)', 'kB', false, kind.name, median(loaded.map((m) => m.pssKb)));
        record(out, 'child RSS, after load (median)', 'kB', false, kind.name, median(loaded.map((m) => m.rssKb)));
        const mm = memoryOf(master);
        if (mm) record(out, 'master PSS, after load', 'kB', false, kind.name, mm.pssKb);
      });
    }
  }
}

/** From 1 child to 64 under a 64-connection spike (StartServers 1, Min 16, Max 32, MRW 64). */
async function elasticity(o: HttpBenchOptions, out: Measurement[]): Promise<void> {
  for (let rep = 0; rep < o.repeats; rep++) {
    for (const kind of o.kinds) {
      const port = await freePort();
      console.error(`  elasticity: ${kind.name}, round ${rep + 1}`);
      const started = Date.now();
      await withServer(kind, { port, startServers: 1, minSpare: 16, maxSpare: 32, maxRequestWorkers: 64 }, async (s) => {
        const master = s.process.pid!;
        const toStart = await waitForChildren(master, 1, 10000);
        if (toStart !== undefined) record(out, 'master start to first child (s)', 's', false, kind.name, (Date.now() - started) / 1000);
        const load = wrk(`http://127.0.0.1:${port}/100b.txt`, 64, 15);
        const t = await waitForChildren(master, 64, 15000);
        record(out, 'ramp 1 → 64 children under 64 conns (s)', 's', false, kind.name, t ?? NaN);
        await load;
      });
    }
  }
}

/** USR1 every few seconds while wrk runs: every failed or reset request counts. */
async function gracefulUnderLoad(o: HttpBenchOptions, out: Measurement[]): Promise<void> {
  const restarts = o.quick ? 2 : 10;
  const gap = o.quick ? 1.5 : 3;
  for (const kind of o.kinds) {
    const port = await freePort();
    console.error(`  graceful restarts: ${kind.name}`);
    await withServer(kind, { port, startServers: 16, minSpare: 16, maxSpare: 32, maxRequestWorkers: 64 }, async (s) => {
      const master = s.process.pid!;
      await waitForChildren(master, 16, 10000);
      const load = wrk(`http://127.0.0.1:${port}/10k.txt`, 16, Math.ceil(restarts * gap + 2));
      for (let i = 0; i < restarts; i++) {
        await sleep(gap * 1000);
        try {
          process.kill(master, 'SIGUSR1');
        } catch {
          break;
        }
      }
      const r = await load;
      record(out, `failed requests during ${restarts} graceful restarts`, '', false, kind.name, r.failed);
      record(out, `requests/s during ${restarts} graceful restarts`, 'req/s', true, kind.name, r.requestsPerSec);
    });
  }
}

export async function benchHttp(o: HttpBenchOptions): Promise<Measurement[]> {
  const out: Measurement[] = [];
  await throughput(o, out);
  await elasticity(o, out);
  await gracefulUnderLoad(o, out);
  return out;
}
