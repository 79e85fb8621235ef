/**
 * Processes the runner starts: each in its own session (so its process group is its pid and a
 * server's killpg cannot reach the runner), always stopped at the end, TERM first, then KILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';

/** A started process and what it printed so far. */
export interface Started {
  child: ChildProcess;
  pid: number;
  stdout: Buffer[];
  stderr: Buffer[];
  /** Resolves with the exit code (or 128+signal number) once the process has exited. */
  exited: Promise<number>;
  exitCode: number | null;
  /** Resolves once the process has exited and its output pipes are drained. */
  closed: Promise<void>;
}

const SIGNAL_NUMBERS: Record<string, number> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8,
  SIGKILL: 9, SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15,
  SIGWINCH: 28,
};

/** Starts a command in a new session with its output collected. */
export function startProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, stdin?: string): Started {
  const child = spawn(cmd, args, { env, cwd, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  const started: Started = {
    child,
    pid: child.pid ?? -1,
    stdout: [],
    stderr: [],
    exitCode: null,
    closed: Promise.resolve(),
    exited: new Promise<number>((resolve) => {
      child.on('error', (err) => {
        started.stderr.push(Buffer.from(`spawn ${cmd}: ${err.message}\n`));
        started.exitCode = 127;
        resolve(127);
      });
      child.on('exit', (code, signal) => {
        const rc = code ?? 128 + (signal ? (SIGNAL_NUMBERS[signal] ?? 0) : 0);
        started.exitCode = rc;
        resolve(rc);
      });
    }),
  };
  started.closed = new Promise<void>((resolve) => {
    child.on('close', () => resolve());
    child.on('error', () => resolve());
  });
  child.stdout?.on('data', (b: Buffer) => started.stdout.push(b));
  child.stderr?.on('data', (b: Buffer) => started.stderr.push(b));
  child.stdin?.on('error', () => undefined);
  child.stdin?.end(stdin ?? '');
  return started;
}

/** Resolves after ms milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits for a promise at most ms milliseconds; resolves undefined on timeout. */
export async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether a process exists (zombies count as gone). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** One row of the process table. */
interface ProcRow {
  pid: number;
  ppid: number;
  pgid: number;
  cmdline: string;
}

/** The process table from /proc (processes that vanish while it is read are left out). */
export function processTable(): ProcRow[] {
  const rows: ProcRow[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name, which may itself hold spaces and parentheses.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (rest[0] === 'Z' || rest[0] === 'X') continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      rows.push({ pid: Number(entry), ppid: Number(rest[1]), pgid: Number(rest[2]), cmdline });
    } catch {
      // gone between readdir and read
    }
  }
  return rows;
}

/** The live child processes of pid. */
export function childPids(pid: number): number[] {
  // The kernel's own list is cheap; the process table is the fallback where it is not built in.
  try {
    const out: number[] = [];
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const list = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (list) out.push(...list.split(/\s+/).map(Number).filter((c) => isAlive(c)));
    }
    return out;
  } catch {
    return processTable().filter((r) => r.ppid === pid).map((r) => r.pid);
  }
}

/** The number of live child processes of pid. */
export function countChildren(pid: number): number {
  return childPids(pid).length;
}

/** The live child of pid that started first (lowest start time, then lowest pid), if any. */
export function oldestChild(pid: number): number | undefined {
  let best: { pid: number; start: number } | undefined;
  for (const c of childPids(pid)) {
    let start: number;
    try {
      const stat = readFileSync(`/proc/${c}/stat`, 'utf8');
      // Field 22 (starttime) is the 20th after the command name's closing parenthesis.
      start = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    } catch {
      continue;
    }
    if (!best || start < best.start || (start === best.start && c < best.pid)) best = { pid: c, start };
  }
  return best?.pid;
}

/**
 * A process's credentials as /proc/<pid>/status gives them: "uid R E S F, gid R E S F, groups …"
 * (real, effective, saved, file-system ids; supplementary groups sorted). Null once it is gone.
 */
export function credentialsOf(pid: number): string | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const field = (name: string): string => (new RegExp(`^${name}:[ \\t]*(.*)$`, 'm').exec(status)?.[1] ?? '').trim().split(/\s+/).filter((x) => x !== '').join(' ');
  const groups = field('Groups').split(' ').filter((x) => x !== '').map(Number).sort((a, b) => a - b).join(' ');
  return `uid ${field('Uid')}, gid ${field('Gid')}, groups ${groups}`.trimEnd();
}

/**
 * Every live process that belongs to a run: in one of the given process groups, descended from
 * one of the given pids, or with the run's ServerRoot on its command line (a daemonised server
 * leaves our process group through setsid, but keeps its arguments).
 */
export function processesOfRun(pgids: number[], pids: number[], marker: string): number[] {
  const table = processTable();
  const found = new Set<number>();
  for (const r of table) {
    if (r.pid === process.pid) continue;
    if (pgids.includes(r.pgid) || pids.includes(r.pid) || (marker && r.cmdline.includes(marker))) found.add(r.pid);
  }
  // Descendants of what was found (children of a daemon may carry no marker).
  let grew = true;
  while (grew) {
    grew = false;
    for (const r of table) {
      if (!found.has(r.pid) && found.has(r.ppid) && r.pid !== process.pid) {
        found.add(r.pid);
        grew = true;
      }
    }
  }
  return [...found];
}

function signalQuietly(target: number, sig: NodeJS.Signals): void {
  try {
    process.kill(target, sig);
  } catch {
    // already gone
  }
}

/**
 * Stops everything of a run: TERM to each process group and process, up to graceMs for them to
 * go, then KILL to what is left. Returns the pids that had to be killed.
 */
export async function stopAll(pgids: number[], pids: number[], marker: string, graceMs = 3000): Promise<number[]> {
  let alive = processesOfRun(pgids, pids, marker);
  if (alive.length === 0) return [];
  for (const g of pgids) signalQuietly(-g, 'SIGTERM');
  for (const p of alive) signalQuietly(p, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await sleep(50);
    alive = alive.filter(isAlive);
    if (alive.length === 0) return [];
  }
  // Those still alive from the first scan too: a worker in its own session whose master has
  // gone is reparented, and a second scan by descent would no longer find it.
  alive = [...new Set([...alive.filter(isAlive), ...processesOfRun(pgids, pids, marker)])];
  for (const g of pgids) signalQuietly(-g, 'SIGKILL');
  for (const p of alive) signalQuietly(p, 'SIGKILL');
  const killDeadline = Date.now() + 2000;
  while (Date.now() < killDeadline && alive.some(isAlive)) await sleep(20);
  return alive;
}

/** Resolves true once something accepts TCP connections on 127.0.0.1:port, false after ms. */
export async function waitForPort(port: number, ms: number, givingUp?: () => boolean): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (givingUp?.()) return false;
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return true;
    await sleep(50);
  }
  return false;
}
