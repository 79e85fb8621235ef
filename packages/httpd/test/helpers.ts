/**
 * Runs `prefork` (the built bin) and Debian's apache2 the same way, and normalises what differs
 * by design: the program name and version lines.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const PREFORK_BIN = fileURLToPath(new URL('../bin/prefork.js', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const APACHE_BIN = '/usr/sbin/apache2';
export const haveApache = existsSync(APACHE_BIN);

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command in its own session with a time limit; never leaves it running. */
export function run(
  cmd: string,
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; untilExit?: boolean } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      reject(new Error(`${cmd} ${args.join(' ')}: no exit within ${opts.timeoutMs ?? 20000} ms`));
    }, opts.timeoutMs ?? 20000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    // A daemonizing server hands its pipes to the daemon: wait for the process, not the pipes.
    child.on(opts.untilExit ? 'exit' : 'close', (code) => {
      clearTimeout(timer);
      if (opts.untilExit) {
        child.stdout.destroy();
        child.stderr.destroy();
      }
      resolve({ code, stdout, stderr });
    });
  });
}

/** `node bin/prefork.js …` */
export function prefork(args: readonly string[], opts?: Parameters<typeof run>[2]): Promise<RunResult> {
  return run(process.execPath, [PREFORK_BIN, ...args], opts);
}

/** `/usr/sbin/apache2 …` */
export function apache(args: readonly string[], opts?: Parameters<typeof run>[2]): Promise<RunResult> {
  return run(APACHE_BIN, args, opts);
}

/** Makes apache2's and prefork's texts comparable: the program name is the only difference. */
export function normaliseProgram(text: string): string {
  return text
    .replace(/\/usr\/sbin\/apache2/g, 'PROGRAM')
    .replace(/\bapache2\b/g, 'PROGRAM')
    .replace(/\bprefork(?=[: ])/g, 'PROGRAM')
    .replace(/^(Usage: PROGRAM.*\n)((?: +\[.*\n)+)/m, (_m, first: string, rest: string) =>
      first + rest.replace(/^ +/gm, '        '),
    );
}

/** Runs main() in this process, as the bin would, and captures its output. */
export async function preforkInProcess(
  args: readonly string[],
  backend?: import('../src/backend.js').ServerBackend,
  processControl?: import('../src/pidfile.js').ProcessControl,
): Promise<RunResult> {
  const { main } = await import('../src/main.js');
  const { createCoreBackend } = await import('../src/core-backend.js');
  let stdout = '';
  let stderr = '';
  const code = await main(['prefork', ...args], {
    programName: 'prefork',
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    backend: backend ?? createCoreBackend(),
    processControl,
  });
  return { code, stdout, stderr };
}
