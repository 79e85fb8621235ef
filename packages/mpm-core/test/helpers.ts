import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultPreforkSettings, type PreforkSettings } from '../src/index.js';

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` every 100 ms until it returns a truthy value or `ms` pass. */
export async function waitFor<T>(fn: () => T | undefined | false, ms: number): Promise<T | undefined> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) return undefined;
    await sleep(100);
  }
}

/** Pids whose parent is `ppid` (live or zombie). */
export function childrenOf(ppid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === ppid && fields[0] !== 'Z') out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out.sort((a, b) => a - b);
}

/** One HTTP/1.0 exchange; resolves with the whole response or the error code. */
export function request(port: number, text = 'GET / HTTP/1.0\r\n\r\n', timeoutMs = 30000): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    let data = '';
    s.setTimeout(timeoutMs, () => s.destroy(new Error('ETIMEDOUT')));
    s.on('connect', () => s.write(text));
    s.on('data', (d) => (data += d.toString()));
    s.on('end', () => resolve(data));
    s.on('error', (e: NodeJS.ErrnoException) => resolve(`error ${e.code ?? e.message}`));
  });
}

/**
 * The master runs as its own process from the built dist (a TypeScript loader would add tens
 * of seconds per start on a loaded machine); refuse to test a dist older than the sources.
 */
function assertDistFresh(): void {
  const pkg = fileURLToPath(new URL('..', import.meta.url));
  // tsc rewrites its build info on every build, and only changed outputs otherwise.
  const dist = join(pkg, 'dist', '.tsbuildinfo');
  if (!existsSync(dist)) throw new Error('PF-TEST: build first: npx tsc -b packages/mpm-core');
  const built = statSync(dist).mtimeMs;
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
  const stale = walk(join(pkg, 'src')).filter((f) => statSync(f).mtimeMs > built);
  if (stale.length > 0) throw new Error(`PF-TEST: dist is older than ${stale[0]}: npx tsc -b packages/mpm-core`);
}

export interface MasterHandle {
  proc: ChildProcess;
  dir: string;
  settingsPath: string;
  errorLog: string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  log: () => string;
}

export function settingsFor(dir: string, port: number, over: Partial<PreforkSettings> = {}): PreforkSettings {
  return {
    ...defaultPreforkSettings(dir),
    listeners: [{ address: '127.0.0.1', port, protocol: 'http' }],
    pidFile: join(dir, 'httpd.pid'),
    mutexDir: dir,
    ...over,
  };
}

/** Starts the master driver in its own session; teardown kills its whole group. */
export function startMaster(
  t: { teardown: (fn: () => void | Promise<void>) => void },
  settings: (dir: string) => PreforkSettings,
  env: Record<string, string> = {},
): MasterHandle {
  const dir = mkdtempSync(join(tmpdir(), 'mpm-core-'));
  const settingsPath = join(dir, 'settings.json');
  const errorLog = join(dir, 'error_log');
  writeFileSync(settingsPath, JSON.stringify(settings(dir)));
  assertDistFresh();
  const driver = fileURLToPath(new URL('./fixtures/master-driver.mjs', import.meta.url));
  const proc = spawn(process.execPath, [driver, settingsPath, errorLog], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  let err = '';
  proc.stderr?.on('data', (d) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  t.teardown(() => {
    if (proc.pid) {
      try {
        process.kill(-proc.pid, 'SIGKILL');
      } catch {
        /* group already gone */
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    proc,
    dir,
    settingsPath,
    errorLog,
    stderr: () => err,
    exited,
    log: () => (existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : ''),
  };
}
