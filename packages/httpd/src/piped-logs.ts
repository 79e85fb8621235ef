/**
 * Piped logs (log.c ap_open_piped_log_ex, mod_log_config): `CustomLog "|prog args"`,
 * `"||prog"` (no shell), `"|$cmd"` (through /bin/sh -c), and the same for `ErrorLog`.
 *
 * The master starts each program once and keeps it running: when it dies the master logs
 * AH00106 and starts it again on the same pipe, so nothing written in between is lost. Apache
 * hands children the pipe's write end through fork(); children here are spawned, so the pipe
 * is a FIFO in DefaultRuntimeDir that the master holds open at both ends (the program's stdin
 * is its read end) and children open by name, as they open a log file, before they drop
 * privileges. Lines up to PIPE_BUF (4096 bytes) arrive whole, as with Apache.
 *
 * Unlike Apache, a restart keeps a program whose command is unchanged instead of starting a
 * new one; a program the new configuration no longer names is stopped.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants as fsc, mkdirSync, openSync, rmSync } from 'node:fs';
import { constants as osc } from 'node:os';
import { dirname } from 'node:path';

/** What a log target names: a file, or a program and whether a shell runs it. */
export function parsePipedTarget(target: string): { program: string; shell: boolean } | null {
  if (!target.startsWith('|')) return null;
  if (target.startsWith('||')) return { program: target.slice(2).trim(), shell: false };
  if (target.startsWith('|$')) return { program: target.slice(2).trim(), shell: true };
  return { program: target.slice(1).trim(), shell: false };
}

/** apr_tokenize_to_argv: words split on blanks, double or single quotes group, backslash escapes. */
export function tokenizeCommand(cmd: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < cmd.length) {
    while (i < cmd.length && (cmd[i] === ' ' || cmd[i] === '\t')) i++;
    if (i >= cmd.length) break;
    let word = '';
    const quote = cmd[i] === '"' || cmd[i] === "'" ? cmd[i++] : null;
    while (i < cmd.length) {
      const c = cmd[i]!;
      if (quote ? c === quote : c === ' ' || c === '\t') {
        i++;
        break;
      }
      if (c === '\\' && i + 1 < cmd.length) {
        word += cmd[i + 1];
        i += 2;
        continue;
      }
      word += c;
      i++;
    }
    out.push(word);
  }
  return out;
}

/** Why a program could not be started, as APR words it: `(2)No such file or directory`. */
function execFailure(file: string): string {
  try {
    accessSync(file, fsc.X_OK);
    return '';
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    const num = (osc.errno as Record<string, number>)[code];
    const text: Record<string, string> = { ENOENT: 'No such file or directory', EACCES: 'Permission denied', ENOTDIR: 'Not a directory' };
    return num === undefined ? '' : `(${num})${text[code] ?? code}: `;
  }
}

/** Thrown when a program cannot be started at all (log.c's AH00104). */
export class PipedLogStartError extends Error {
  readonly code = 'AH00104';
}

/** One running log program and its FIFO. */
export class PipedLog {
  private keepFd: number | null = null;
  private readFd: number | null = null;
  private proc: ChildProcess | null = null;
  private stopping = false;
  private lastSpawn = 0;
  private respawnTimer: NodeJS.Timeout | null = null;

  constructor(
    /** The target as configured, without its leading `|`, `||` or `|$` (what AH00106 names). */
    readonly program: string,
    private readonly shell: boolean,
    readonly fifo: string,
    /** Where the program's stderr goes (the error log), or null for the master's stderr. */
    private readonly stderrPath: () => string | null,
    private readonly log: (line: string) => void,
  ) {}

  /** Makes the FIFO and starts the program; every failure is a PipedLogStartError (AH00104). */
  start(): void {
    try {
      mkdirSync(dirname(this.fifo), { recursive: true });
      rmSync(this.fifo, { force: true });
      const made = spawnSync('mkfifo', ['-m', '600', this.fifo], { stdio: ['ignore', 'ignore', 'pipe'] });
      if (made.status !== 0) throw new Error(`cannot make the pipe ${this.fifo}: ${made.stderr?.toString().trim() ?? made.error?.message}`);
      // O_RDWR first: opening a FIFO for reading alone would wait for a writer. The master keeps
      // this end for as long as it runs, so the program never sees EOF while it runs either.
      this.keepFd = openSync(this.fifo, fsc.O_RDWR);
      this.readFd = openSync(this.fifo, fsc.O_RDONLY);
    } catch (e) {
      this.stop();
      throw new PipedLogStartError(`AH00104: unable to start piped log program '${this.program}': ${(e as Error).message}`);
    }
    if (!this.spawnProgram()) {
      const argv0 = this.shell ? '/bin/sh' : (tokenizeCommand(this.program)[0] ?? '');
      this.stop();
      throw new PipedLogStartError(`${execFailure(argv0)}AH00104: unable to start piped log program '${this.program}'`);
    }
  }

  /** Starts the program on the read end; false when it could not be started at all. */
  private spawnProgram(): boolean {
    if (this.readFd === null) return false;
    this.lastSpawn = Date.now();
    const argv = this.shell ? ['/bin/sh', '-c', this.program] : tokenizeCommand(this.program);
    const errPath = this.stderrPath();
    let errFd: number | null = null;
    try {
      errFd = errPath === null ? null : openSync(errPath, 'a');
    } catch {
      errFd = null;
    }
    let child: ChildProcess;
    try {
      child = spawn(argv[0] ?? '', argv.slice(1), {
        stdio: [this.readFd, 'inherit', errFd ?? 'inherit'],
        // The master's process group: a signal to the group reaches the loggers as in Apache.
        detached: false,
      });
    } finally {
      if (errFd !== null) closeSync(errFd);
    }
    child.on('error', () => undefined);
    if (child.pid === undefined) return false;
    this.proc = child;
    child.on('exit', () => {
      if (this.proc !== child) return;
      this.proc = null;
      if (this.stopping) return;
      // log.c piped_log_maintenance: a bare line, then the program again on the same pipe.
      this.log(`AH00106: piped log program '${this.program}' failed unexpectedly`);
      // The master's maintenance runs once a second: a program that dies at once is not
      // restarted in a tight loop.
      const wait = Math.max(0, 1000 - (Date.now() - this.lastSpawn));
      this.respawnTimer = setTimeout(() => {
        this.respawnTimer = null;
        if (!this.stopping && !this.spawnProgram()) this.log(`AH00107: piped_log_maintenance: unable to respawn '${this.program}'`);
      }, wait);
      this.respawnTimer.unref();
    });
    return true;
  }

  /** The program's pid while it runs. */
  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /**
   * Closes the master's ends and removes the FIFO's name. The program reads what is left and
   * ends at EOF once the children's ends are closed too; `kill` sends it SIGTERM at once.
   */
  stop(kill = false): void {
    this.stopping = true;
    if (this.respawnTimer) clearTimeout(this.respawnTimer);
    for (const fd of [this.keepFd, this.readFd]) if (fd !== null) closeSync(fd);
    this.keepFd = this.readFd = null;
    rmSync(this.fifo, { force: true });
    if (kill && this.proc?.pid !== undefined) {
      try {
        this.proc.kill('SIGTERM');
      } catch {
        // already gone
      }
    }
  }
}

/** The master's set of piped logs, keyed by the target as configured. */
export class PipedLogs {
  private readonly logs = new Map<string, PipedLog>();
  private count = 0;

  constructor(
    private readonly runtimeDir: string,
    private readonly stderrPath: () => string | null,
    private readonly log: (line: string) => void,
  ) {}

  /** The FIFO path standing for `target` (started if new); `target` itself when it is not a pipe. */
  resolve(target: string, forErrorLog = false): string {
    const parsed = parsePipedTarget(target);
    if (!parsed) return target;
    let p = this.logs.get(target);
    if (!p) {
      const fifo = `${this.runtimeDir}/prefork-pipe.${process.pid}.${this.count++}`;
      p = new PipedLog(parsed.program, parsed.shell, fifo, forErrorLog ? () => null : this.stderrPath, this.log);
      p.start();
      this.logs.set(target, p);
    }
    return p.fifo;
  }

  /**
   * Replaces piped targets in a child snapshot (the main server's and each virtual host's) by
   * their FIFOs; stops programs no longer named.
   */
  applyToSnapshot(snapshot: Record<string, unknown>, errorLogTarget: string | undefined): void {
    const used = new Set<string>();
    if (errorLogTarget && parsePipedTarget(errorLogTarget)) used.add(errorLogTarget);
    const servers = [snapshot];
    const vhosts = snapshot['vhosts'];
    if (Array.isArray(vhosts)) {
      for (const v of vhosts as Array<{ config?: unknown }>) {
        if (v.config && typeof v.config === 'object') servers.push(v.config as Record<string, unknown>);
      }
    }
    for (const server of servers) {
      const errorLog = server['errorLog'];
      if (typeof errorLog === 'string' && parsePipedTarget(errorLog)) {
        used.add(errorLog);
        server['errorLog'] = this.resolve(errorLog, true);
      }
      const access = server['accessLogs'];
      if (!Array.isArray(access)) continue;
      for (const a of access as Array<{ target?: unknown }>) {
        if (typeof a.target === 'string' && parsePipedTarget(a.target)) {
          used.add(a.target);
          a.target = this.resolve(a.target);
        }
      }
    }
    for (const [target, p] of this.logs) {
      if (!used.has(target)) {
        p.stop(true);
        this.logs.delete(target);
      }
    }
  }

  /** The running programs, for tests and -S style reports. */
  get programs(): PipedLog[] {
    return [...this.logs.values()];
  }

  stopAll(): void {
    for (const p of this.logs.values()) p.stop();
    this.logs.clear();
  }
}
