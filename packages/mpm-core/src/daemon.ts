/**
 * apr_proc_detach(DAEMONIZE) for a Node process: start a copy of this process in its own
 * session with stdio on /dev/null, and let the caller exit. A marker in the environment tells
 * the copy that it is the daemon.
 */
import { spawn } from 'node:child_process';

export const DEFAULT_DAEMON_MARKER = 'PREFORK_DETACHED';

/** True in the detached copy. */
export function isDaemon(marker: string = DEFAULT_DAEMON_MARKER): boolean {
  return process.env[marker] === '1';
}

/** Starts the detached copy; returns its pid. */
export function detach(argv: string[] = [...process.execArgv, ...process.argv.slice(1)], marker: string = DEFAULT_DAEMON_MARKER): number {
  const child = spawn(process.execPath, argv, {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, [marker]: '1' },
  });
  child.unref();
  return child.pid ?? -1;
}
