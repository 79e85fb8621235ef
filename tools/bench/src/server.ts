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

/** Direct children of `pid`, from /proc. */
export function childrenOf(pid: number): number[] {
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
  proc.stderr?.on('data', (c) => (stderr += c));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const stop = async () => {
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
    rmSync(root, { recursive: true, force: true });
  };
  const up = await waitForPort(o.port, 15000);
  if (!up) {
    await stop();
    throw new Error(`${kind.name} did not start listening on 127.0.0.1:${o.port}: ${stderr.trim()}`);
  }
  return { kind, root, port: o.port, process: proc, stop };
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
