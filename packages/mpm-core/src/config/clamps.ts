/**
 * prefork_check_config and the silent adjustments of prefork_run, as pure functions.
 *
 * Apache reads the configuration twice when it starts: on the first pass (`startup`) each
 * clamp prints its long "WARNING: …" form to stderr without a timestamp; on the second pass
 * it logs the short form to the error log. Under -t only the first pass runs. Callers pick
 * the form: `startupText` for stderr, `logText` for the error log.
 */
import { MAX_SERVER_LIMIT, type PreforkSettings } from './settings.js';

export interface ClampMessage {
  /** AH id of the long form (AH00175, AH00177, AH00180, AH00182, AH00184, AH00186). */
  startupId: string;
  /** `WARNING: …` as printed to stderr on the startup pass (no id prefix). */
  startupText: string;
  /** AH id of the short form (AH00176, AH00178, AH00181, AH00183, AH00185, AH00187). */
  logId: string;
  /** The short form as logged at [mpm_prefork:warn] (no id prefix). */
  logText: string;
}

/** The values the clamps look at. */
export type ClampInput = Pick<PreforkSettings, 'serverLimit' | 'maxRequestWorkers' | 'startServers' | 'minSpareServers' | 'maxSpareServers'>;

export interface ClampResult<T extends ClampInput> {
  settings: T;
  messages: ClampMessage[];
  /** AH00179 text when a restart tried to change ServerLimit (logged, short form only). */
  serverLimitChange?: string;
}

/**
 * prefork_check_config. `firstServerLimit` is the ServerLimit of the first generation
 * (ServerLimit cannot change across restarts); undefined on the first load.
 */
export function checkPreforkConfig<T extends ClampInput>(input: T, firstServerLimit?: number): ClampResult<T> {
  const s = { ...input };
  const messages: ClampMessage[] = [];
  let serverLimitChange: string | undefined;

  if (s.serverLimit > MAX_SERVER_LIMIT) {
    messages.push({
      startupId: 'AH00175',
      startupText: `WARNING: ServerLimit of ${s.serverLimit} exceeds compile-time limit of ${MAX_SERVER_LIMIT} servers, decreasing to ${MAX_SERVER_LIMIT}.`,
      logId: 'AH00176',
      logText: `ServerLimit of ${s.serverLimit} exceeds compile-time limit of ${MAX_SERVER_LIMIT}, decreasing to match`,
    });
    s.serverLimit = MAX_SERVER_LIMIT;
  } else if (s.serverLimit < 1) {
    messages.push({
      startupId: 'AH00177',
      startupText: `WARNING: ServerLimit of ${s.serverLimit} not allowed, increasing to 1.`,
      logId: 'AH00178',
      logText: `ServerLimit of ${s.serverLimit} not allowed, increasing to 1`,
    });
    s.serverLimit = 1;
  }

  if (firstServerLimit !== undefined && s.serverLimit !== firstServerLimit) {
    serverLimitChange = `changing ServerLimit to ${s.serverLimit} from original value of ${firstServerLimit} not allowed during restart`;
    s.serverLimit = firstServerLimit;
  }

  if (s.maxRequestWorkers > s.serverLimit) {
    messages.push({
      startupId: 'AH00180',
      startupText:
        `WARNING: MaxRequestWorkers of ${s.maxRequestWorkers} exceeds ServerLimit value of ${s.serverLimit} servers, ` +
        `decreasing MaxRequestWorkers to ${s.serverLimit}. To increase, please see the ServerLimit directive.`,
      logId: 'AH00181',
      logText: `MaxRequestWorkers of ${s.maxRequestWorkers} exceeds ServerLimit value of ${s.serverLimit}, decreasing to match`,
    });
    s.maxRequestWorkers = s.serverLimit;
  } else if (s.maxRequestWorkers < 1) {
    messages.push({
      startupId: 'AH00182',
      startupText: `WARNING: MaxRequestWorkers of ${s.maxRequestWorkers} not allowed, increasing to 1.`,
      logId: 'AH00183',
      logText: `MaxRequestWorkers of ${s.maxRequestWorkers} not allowed, increasing to 1`,
    });
    s.maxRequestWorkers = 1;
  }

  if (s.startServers < 1) {
    messages.push({
      startupId: 'AH00184',
      startupText: `WARNING: StartServers of ${s.startServers} not allowed, increasing to 1.`,
      logId: 'AH00185',
      logText: `StartServers of ${s.startServers} not allowed, increasing to 1`,
    });
    s.startServers = 1;
  }

  if (s.minSpareServers < 1) {
    messages.push({
      startupId: 'AH00186',
      startupText:
        `WARNING: MinSpareServers of ${s.minSpareServers} not allowed, increasing to 1 to avoid almost certain ` +
        'server failure. Please read the documentation.',
      logId: 'AH00187',
      logText: `MinSpareServers of ${s.minSpareServers} not allowed, increasing to 1`,
    });
    s.minSpareServers = 1;
  }
  return { settings: s, messages, serverLimitChange };
}

/**
 * The silent adjustments prefork_run makes before starting children: each value at least
 * the number of listener buckets, MaxSpareServers at least MinSpareServers + buckets, and
 * no more children started than MaxRequestWorkers. Returns the settings and how many
 * children to start.
 */
export function applyRunAdjustments<T extends ClampInput>(input: T, numBuckets = 1): { settings: T; childrenToStart: number } {
  const s = { ...input };
  if (s.maxRequestWorkers < numBuckets) s.maxRequestWorkers = numBuckets;
  if (s.startServers < numBuckets) s.startServers = numBuckets;
  if (s.minSpareServers < numBuckets) s.minSpareServers = numBuckets;
  if (s.maxSpareServers < s.minSpareServers + numBuckets) s.maxSpareServers = s.minSpareServers + numBuckets;
  return { settings: s, childrenToStart: Math.min(s.startServers, s.maxRequestWorkers) };
}
