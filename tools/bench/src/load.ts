import { spawn } from 'node:child_process';

export interface LoadResult {
  requestsPerSec: number;
  /** Latency percentiles in milliseconds. */
  p50: number;
  p99: number;
  /** Requests that failed: socket errors, non-2xx, or ab's failed count. */
  failed: number;
  completed: number;
  raw: string;
}

/** Runs a load tool to its end, or until `signal` aborts it (then with what it printed so far). */
function run(cmd: string, args: string[], signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const stop = () => p.kill('SIGINT');
    if (signal?.aborted) stop();
    signal?.addEventListener('abort', stop, { once: true });
    let out = '';
    p.stdout.on('data', (c) => (out += c));
    p.stderr.on('data', (c) => (out += c));
    p.once('error', (e) => {
      signal?.removeEventListener('abort', stop);
      reject(e);
    });
    p.once('close', () => {
      signal?.removeEventListener('abort', stop);
      resolve(out);
    });
  });
}

/** wrk's duration units to milliseconds. */
export function toMs(value: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(value.trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60000;
}

export function parseWrk(out: string): LoadResult {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const p50 = toMs(/^\s*50%\s+(\S+)/m.exec(out)?.[1] ?? '');
  const p99 = toMs(/^\s*99%\s+(\S+)/m.exec(out)?.[1] ?? '');
  const completed = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
  let failed = 0;
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  if (sock) failed += Number(sock[1]) + Number(sock[2]) + Number(sock[3]) + Number(sock[4]);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  if (non2xx) failed += Number(non2xx[1]);
  return { requestsPerSec: rps, p50, p99, failed, completed, raw: out };
}

export function parseAb(out: string): LoadResult {
  const rps = Number(/Requests per second:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const p50 = Number(/^\s*50%\s+(\d+)/m.exec(out)?.[1] ?? NaN);
  const p99 = Number(/^\s*99%\s+(\d+)/m.exec(out)?.[1] ?? NaN);
  const completed = Number(/Complete requests:\s+(\d+)/.exec(out)?.[1] ?? NaN);
  let failed = Number(/Failed requests:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const non2xx = /Non-2xx responses:\s+(\d+)/.exec(out);
  if (non2xx) failed += Number(non2xx[1]);
  return { requestsPerSec: rps, p50, p99, failed, completed, raw: out };
}

export async function wrk(url: string, connections: number, seconds: number, signal?: AbortSignal): Promise<LoadResult> {
  const threads = Math.min(2, connections);
  return parseWrk(await run('wrk', ['-t', String(threads), '-c', String(connections), '-d', `${seconds}s`, '--latency', url], signal));
}

export async function ab(url: string, connections: number, requests: number): Promise<LoadResult> {
  return parseAb(await run('ab', ['-q', '-n', String(requests), '-c', String(connections), url]));
}
