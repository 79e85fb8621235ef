/**
 * A real `prefork -f conf -DFOREGROUND` in a throwaway ServerRoot, for tests that need the
 * whole server (master, children, logs). The server runs in its own session on a free
 * 127.0.0.1 port; `stop()` ends it (TERM, then KILL to its process group) and removes the root.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APACHE_BIN, PREFORK_BIN } from './helpers.js';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/** Sends raw bytes on a fresh connection; resolves with everything read until the server closes (or `deadlineMs`). */
export function exchange(port: number, bytes: Buffer | string, deadlineMs = 10000): Promise<{ data: Buffer; timedOut: boolean; error?: string }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const sock = connect({ host: '127.0.0.1', port });
    const finish = (timedOut: boolean, error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ data: Buffer.concat(chunks), timedOut, ...(error ? { error } : {}) });
    };
    const timer = setTimeout(() => finish(true), deadlineMs);
    sock.on('connect', () => sock.end(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes));
    sock.on('data', (b: Buffer) => chunks.push(b));
    sock.on('end', () => finish(false));
    sock.on('close', () => finish(false));
    sock.on('error', (e: NodeJS.ErrnoException) => finish(false, e.code ?? e.message));
  });
}

export interface LiveServer {
  port: number;
  root: string;
  master: ChildProcess;
  /** What the master wrote on stdout/stderr so far. */
  output: () => string;
  read: (rel: string) => string;
  stop: () => Promise<void>;
}

export interface LiveOptions {
  /** Lines added after the base configuration (may override StartServers etc.). */
  extra?: string[];
  /** Replaces the default `ErrorLog logs/error_log` and `CustomLog logs/access_log combined` lines; given the ServerRoot. */
  logLines?: (root: string) => string[];
  startServers?: number;
  /** Which server: ours (default) or Debian's apache2 with the same configuration. */
  program?: 'prefork' | 'apache';
  /** Added to the master's environment. */
  env?: NodeJS.ProcessEnv;
}

/** Writes a ServerRoot (htdocs with a few files, conf/httpd.conf) on a free port. */
export async function prepareRoot(opts: LiveOptions = {}): Promise<{ root: string; port: number; conf: string }> {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'prefork-live-')));
  // Children run as www-data when the test runs as root, and must reach the docroot.
  chmodSync(root, 0o755);
  for (const d of ['conf', 'htdocs/sub', 'logs', 'run']) mkdirSync(join(root, d), { recursive: true });
  writeFileSync(join(root, 'htdocs/hello.txt'), 'hello world\n');
  writeFileSync(join(root, 'htdocs/index.html'), '<html><body><h1>It works!</h1></body></html>\n');
  writeFileSync(join(root, 'htdocs/sub/page.html'), '<p>page</p>\n');
  const port = await freePort();
  const n = opts.startServers ?? 2;
  const conf = [
    `ServerRoot "${root}"`,
    'ServerName localhost',
    `Listen 127.0.0.1:${port}`,
    'LoadModule mpm_prefork_module /usr/lib/apache2/modules/mod_mpm_prefork.so',
    'LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so',
    'LoadModule authz_host_module /usr/lib/apache2/modules/mod_authz_host.so',
    'LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so',
    'LoadModule dir_module /usr/lib/apache2/modules/mod_dir.so',
    'LoadModule status_module /usr/lib/apache2/modules/mod_status.so',
    'PidFile run/httpd.pid',
    'DefaultRuntimeDir run',
    'Mutex file:run default',
    ...(process.getuid?.() === 0 ? ['User www-data', 'Group www-data'] : []),
    'LogLevel info',
    'LogFormat "%h %l %u %t \\"%r\\" %>s %b \\"%{Referer}i\\" \\"%{User-Agent}i\\"" combined',
    ...(opts.logLines?.(root) ?? ['ErrorLog logs/error_log', 'CustomLog logs/access_log combined']),
    `StartServers ${n}`,
    `MinSpareServers ${n}`,
    `MaxSpareServers ${n}`,
    `MaxRequestWorkers ${n}`,
    'MaxConnectionsPerChild 0',
    'Timeout 5',
    'KeepAliveTimeout 1',
    'TypesConfig /etc/mime.types',
    `DocumentRoot "${root}/htdocs"`,
    '<Directory />',
    '    AllowOverride None',
    '    Require all denied',
    '</Directory>',
    `<Directory "${root}/htdocs">`,
    '    Require all granted',
    '</Directory>',
    'DirectoryIndex index.html',
    '<Location /server-status>',
    '    SetHandler server-status',
    '    Require ip 127.0.0.1',
    '</Location>',
    'ExtendedStatus On',
    ...(opts.extra ?? []),
    '',
  ].join('\n');
  writeFileSync(join(root, 'conf/httpd.conf'), conf);
  return { root, port, conf: join(root, 'conf/httpd.conf') };
}

/** Writes a ServerRoot and starts the server in it. */
export async function startLive(opts: LiveOptions = {}): Promise<LiveServer> {
  const { root, port } = await prepareRoot(opts);
  const argv = ['-f', join(root, 'conf/httpd.conf'), '-DFOREGROUND'];
  const master = spawn(opts.program === 'apache' ? APACHE_BIN : process.execPath, opts.program === 'apache' ? argv : [PREFORK_BIN, ...argv], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}),
  });
  let out = '';
  master.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  master.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<void>((r) => master.once('exit', () => r()));
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (master.exitCode === null && master.signalCode === null && master.pid !== undefined) {
      try {
        process.kill(master.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      const late = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 15000).unref())]);
      if (late) {
        try {
          process.kill(-master.pid, 'SIGKILL');
        } catch {
          // already gone
        }
        await exited;
      }
    }
    // Children and piped loggers share the master's process group: none may outlive the test.
    if (master.pid !== undefined) {
      try {
        process.kill(-master.pid, 'SIGKILL');
      } catch {
        // nothing left
      }
    }
    rmSync(root, { recursive: true, force: true });
  };
  const server: LiveServer = {
    port, root, master, stop,
    output: () => out,
    read: (rel) => (existsSync(join(root, rel)) ? readFileSync(join(root, rel), 'utf8') : ''),
  };
  // Ready when a child answers.
  const end = Date.now() + 60000;
  for (;;) {
    const r = await exchange(port, 'GET /hello.txt HTTP/1.0\r\n\r\n', 5000);
    if (r.data.toString('latin1').startsWith('HTTP/1.1 200')) break;
    if (master.exitCode !== null || Date.now() > end) {
      await stop();
      throw new Error(`server did not start: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return server;
}

/** The children's pids from /server-status?auto would need ExtendedStatus parsing; /proc is simpler. */
export function childPids(masterPid: number): number[] {
  try {
    const text = readFileSync(`/proc/${masterPid}/task/${masterPid}/children`, 'utf8');
    return text.trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Waits until `f` returns true, polling every 100 ms, at most `ms`. */
export async function waitFor(f: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/** Processes of a process group (the server's session), with their command lines. */
export function groupProcesses(pgid: number): Array<{ pid: number; ppid: number; cmd: string }> {
  const out: Array<{ pid: number; ppid: number; cmd: string }> = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue;
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      out.push({ pid: Number(name), ppid: Number(fields[1]), cmd });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
