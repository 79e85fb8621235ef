/**
 * @prefork/mpm-core: Apache httpd's prefork MPM, master side.
 */
import { closeListeners, ListenError, bucketCount, setupListeners } from '../listen/listeners.js';
import { detach, isDaemon, DEFAULT_DAEMON_MARKER } from '../daemon.js';
import { MasterExit, PreforkMaster, type MasterOptions } from './run-master.js';

/**
 * Runs the prefork master until it stops and resolves with the exit code. Unless
 * `foreground` or `oneProcess`, the listeners are checked (so a port in use fails here, with
 * Apache's messages on stderr and exit code 1), then a detached copy of this process takes
 * over and this call resolves with 0.
 */
export async function runMaster(options: MasterOptions): Promise<number> {
  const marker = options.daemonEnvMarker ?? DEFAULT_DAEMON_MARKER;
  if (!options.foreground && !options.oneProcess && !isDaemon(marker)) {
    const stderr = options.stderr ?? ((line: string) => process.stderr.write(line + '\n'));
    try {
      const probe = setupListeners(options.settings, bucketCount(options.settings.listenCoresBucketsRatio), [], (r) => options.logger.log(r));
      closeListeners(probe);
    } catch (e) {
      if (!(e instanceof ListenError)) throw e;
      for (const line of e.lines) stderr(line);
      stderr('AH00015: Unable to open logs');
      return MasterExit.ERROR;
    }
    detach(options.daemonArgv, marker);
    return MasterExit.OK;
  }
  return new PreforkMaster(options).run();
}
