/**
 * log.c's ap_log_pid / ap_remove_pid. Each write makes a new file (new inode), as Apache's
 * rewrite on a graceful restart does.
 */
import { existsSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { coreLog, type MpmLogRecord } from '../logging.js';

export class PidFileError extends Error {
  constructor(readonly record: MpmLogRecord) {
    super(`${record.id}: ${record.message}`);
  }
}

/**
 * Writes `pid` to `path`. `startup` marks the first write of this server's life: only then is
 * an existing file news (AH00098).
 */
export function logPid(path: string, pid: number, startup: boolean, log: (r: MpmLogRecord) => void): void {
  if (startup && existsSync(path)) {
    log(coreLog('warn', 'AH00098', `pid file ${path} overwritten -- Unclean shutdown of previous Apache run?`));
  }
  // Written beside and renamed over, so each write is a new inode even when the
  // filesystem would hand an unlinked inode number straight back.
  const fresh = `${path}.${pid}.new`;
  try {
    writeFileSync(fresh, `${pid}\n`, { mode: 0o644 });
    renameSync(fresh, path);
  } catch {
    throw new PidFileError(coreLog('error', 'AH00099', `could not create ${path}`));
  }
}

export function removePid(path: string, pid: number, log: (r: MpmLogRecord) => void): void {
  try {
    unlinkSync(path);
    log(coreLog('info', 'AH00096', `removed PID file ${path} (pid=${pid})`));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      log(coreLog('error', 'AH00097', `failed to remove PID file ${path} (pid=${pid})`));
    }
  }
}
