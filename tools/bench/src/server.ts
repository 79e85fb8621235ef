import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync, readFileSync, readdirSync, existsSync, rmSync, mkdtempSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Which server a benchmark run starts: both get the same configuration. */
export interface ServerKind {
  name: 'apache2' | 'prefork';
  command: string;
  args: string[];
}

export interface BenchServerOptions {
  port: number;
  startServers: number;
  minSpare: number;
  maxSpare: number;
  maxRequestWorkers: number;
  modulesDir?: string;
}

export interface RunningServer {
  kind: ServerKind;
  root: string;
  port: number;
  process: ChildProcess;
  /** Stops the server (TERM to the master, KILL to its group after a grace period) and removes its root. */
  stop(): Promise<void>;
  /** Why the master is gone, or undefined while it runs. */
  exitReason(): string | undefined;
  /** The last lines the server wrote to stderr and to its ErrorLog. */
  diagnostics(): string;
}

/**
 * Servers started by this process and not yet stopped. They run in their own sessions, so they
 * would outlive us: an exit of this process (normal, or by SIGTERM/SIGINT, as a test runner's
 * timeout sends) kills their process groups synchronously.
 */
const live = new Map<number, string>();

function killGroupsNow(): void {
  for (const pid of live.keys()) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  // A master may still write under its ServerRoot until the kill lands: wait (synchronously, as
  // this runs on exit) until each is gone or a zombie, then remove the roots.
  const until = Date.now() + 2000;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (const pid of live.keys()) {
    while (Date.now() < until && isRunning(pid)) Atomics.wait(pause, 0, 0, 20);
  }
  for (const root of live.values()) rmSync(root, { recursive: true, force: true, maxRetries: 3 });
  live.clear();
}

function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

let exitHooked = false;
function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.once('exit', killGroupsNow);
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.once(sig, () => {
      killGroupsNow();
      process.exit(128 + (sig === 'SIGTERM' ? 15 : sig === 'SIGINT' ? 2 : 1));
    });
  }
}

/** Kills every server this process started and has not stopped (for test teardown). */
export function killAllServers(): void {
  killGroupsNow();
}

/** The files every throughput row fetches. */
export const BENCH_FILES: Record<string, number> = {
  '100b.txt': 100,
  '10k.txt': 10 * 1024,
  '1m.bin': 1024 * 1024,
};

export function writeBenchRoot(root: string, o: BenchServerOptions): string {
  const modules = o.modulesDir ?? '/usr/lib/apache2/modules';
  for (const d of ['htdocs', 'logs', 'run']) mkdirSync(join(root, d), { recursive: true });
  for (const [name, size] of Object.entries(BENCH_FILES)) {
    writeFileSync(join(root, 'htdocs', name), Buffer.alloc(size, 'x'));
  }
  const conf = [
    `ServerRoot ${root}`,
    `LoadModule mpm_prefork_module ${modules}/mod_mpm_prefork.so`,
    `LoadModule authz_core_module ${modules}/mod_authz_core.so`,
    `LoadModule mime_module ${modules}/mod_mime.so`,
    `LoadModule dir_module ${modules}/mod_dir.so`,
    `LoadModule status_module ${modules}/mod_status.so`,
    `Listen 127.0.0.1:${o.port}`,
    'ServerName localhost',
    `PidFile ${root}/run/httpd.pid`,
    `DefaultRuntimeDir ${root}/run`,
    `Mutex file:${root}/run default`,
    `ErrorLog ${root}/logs/error_log`,
    'LogLevel warn',
    'TypesConfig /etc/mime.types',
    `DocumentRoot ${root}/htdocs`,
    '<Directory />',
    '    AllowOverride None',
    '    Require all denied',
    '</Directory>',
    `<Directory ${root}/htdocs>`,
    '    Require all granted',
    '</Directory>',
    'DirectoryIndex index.html',
    'LogFormat "%h %l %u %t \\"%r\\" %>s %b \\"%{Referer}i\\" \\"%{User-Agent}i\\"" combined',
    `CustomLog ${root}/logs/access_log combined`,
    '<Location /server-status>',
    '    SetHandler server-status',
    '</Location>',
    `StartServers ${o.startServers}`,
    `MinSpareServers ${o.minSpare}`,
    `MaxSpareServers ${o.maxSpare}`,
    `MaxRequestWorkers ${o.maxRequestWorkers}`,
  ];
  const file = join(root, 'httpd.conf');
  writeFileSync(file, conf.join('\n') + '\n');
  return file;
}

export function waitForPort(port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve) => {
    const attempt = () => {
      const s = createConnection({ host: '127.0.0.1', port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => {
        s.destroy();
        if (Date.now() > deadline) resolve(false);
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/**
 * Direct children of `pid`, from /proc/<pid>/task/<tid>/children (every thread of the master may
 * fork); falls back to scanning every process's parent when the kernel lacks that file.
 */
export function childrenOf(pid: number): number[] {
  try {
    const out: number[] = [];
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (text) for (const c of text.split(/\s+/)) out.push(Number(c));
    }
    return out;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || !existsSync(`/proc/${pid}`)) return [];
  }
  return childrenByScan(pid);
}

function childrenByScan(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: fields start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid) out.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

export async function startServer(kind: ServerKind, o: BenchServerOptions): Promise<RunningServer> {
  const root = mkdtempSync(join(tmpdir(), `bench-${kind.name}-`));
  const conf = writeBenchRoot(root, o);
  // Its own session: Apache's shutdown signals its whole process group.
  const proc = spawn(kind.command, [...kind.args, '-d', root, '-f', conf, '-DFOREGROUND'], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr?.on('data', (c) => (stderr = (stderr + c).slice(-8000)));
  // A spawn failure (ENOENT) emits 'error' and no 'exit'.
  const exited = new Promise<void>((resolve) => {
    proc.once('exit', () => resolve());
    proc.once('error', (e) => {
      stderr += String(e);
      resolve();
    });
  });
  hookExit();
  if (proc.pid !== undefined) live.set(proc.pid, root);
  const exitReason = () => {
    if (proc.exitCode !== null) return `exited with status ${proc.exitCode}`;
    if (proc.signalCode !== null) return `killed by ${proc.signalCode}`;
    if (proc.pid === undefined) return `could not be started: ${stderr.trim()}`;
    return undefined;
  };
  const diagnostics = () => {
    const parts: string[] = [];
    if (stderr.trim()) parts.push(`stderr: ${tail(stderr, 5)}`);
    const log = join(root, 'logs', 'error_log');
    if (existsSync(log)) {
      const t = tail(readFileSync(log, 'utf8'), 5);
      if (t) parts.push(`error_log: ${t}`);
    }
    return parts.join(' | ');
  };
  const stop = async () => {
    if (proc.pid === undefined) {
      rmSync(root, { recursive: true, force: true });
      return;
    }
    if (proc.exitCode === null && proc.signalCode === null) {
      try {
        process.kill(proc.pid!, 'SIGTERM');
      } catch {
        /* already gone */
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-proc.pid!, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, 10000);
      await exited;
      clearTimeout(timer);
    }
    try {
      process.kill(-proc.pid!, 'SIGKILL');
    } catch {
      /* the group is empty */
    }
    live.delete(proc.pid!);
    rmSync(root, { recursive: true, force: true });
  };
  const up = proc.pid !== undefined && (await waitForPort(o.port, 15000));
  if (!up) {
    const why = `${kind.name} did not start listening on 127.0.0.1:${o.port}` + (exitReason() ? ` (${exitReason()})` : '') + `: ${diagnostics()}`;
    await stop();
    throw new Error(why);
  }
  return { kind, root, port: o.port, process: proc, stop, exitReason, diagnostics };
}

function tail(text: string, lines: number): string {
  return text.trim().split('\n').slice(-lines).join(' / ');
}

/** Waits until the master has `n` children or the time is up; returns the seconds it took or undefined. */
export async function waitForChildren(pid: number, n: number, timeoutMs: number): Promise<number | undefined> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (childrenOf(pid).length >= n) return (Date.now() - start) / 1000;
    await new Promise((r) => setTimeout(r, 50));
  }
  return undefined;
}

export function accessLogLines(server: RunningServer): number {
  const f = join(server.root, 'logs', 'access_log');
  if (!existsSync(f)) return 0;
  return readFileSync(f, 'utf8').split('\n').filter(Boolean).length;
}
