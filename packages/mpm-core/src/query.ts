/** ap_mpm_query for prefork (prefork_query), as one typed function. */

/** AP_MPMQ_* codes this MPM answers. */
export enum MpmQuery {
  MAX_DAEMON_USED = 1,
  IS_THREADED = 2,
  IS_FORKED = 3,
  HARD_LIMIT_DAEMONS = 4,
  HARD_LIMIT_THREADS = 5,
  MAX_THREADS = 6,
  MIN_SPARE_DAEMONS = 7,
  MIN_SPARE_THREADS = 8,
  MAX_SPARE_DAEMONS = 9,
  MAX_SPARE_THREADS = 10,
  MAX_REQUESTS_DAEMON = 11,
  MAX_DAEMONS = 12,
  MPM_STATE = 13,
  IS_ASYNC = 14,
  GENERATION = 15,
}

/** AP_MPMQ_NOT_SUPPORTED / STATIC / DYNAMIC. */
export const MPMQ_NOT_SUPPORTED = 0;
export const MPMQ_STATIC = 1;
export const MPMQ_DYNAMIC = 2;

/** AP_MPMQ_STARTING / RUNNING / STOPPING. */
export enum MpmState {
  STARTING = 0,
  RUNNING = 1,
  STOPPING = 2,
}

/** HARD_THREAD_LIMIT in prefork.c. */
const HARD_THREAD_LIMIT = 1;

/** What the answers are computed from. */
export interface MpmQueryState {
  daemonsLimit: number;
  serverLimit: number;
  minSpare: number;
  maxSpare: number;
  maxRequestsPerChild: number;
  state: MpmState;
  generation: number;
}

/** The answer, or undefined for a code prefork does not implement (APR_ENOTIMPL). */
export function mpmQuery(code: MpmQuery, s: MpmQueryState): number | undefined {
  const answers: Partial<Record<MpmQuery, number>> = {
    [MpmQuery.MAX_DAEMON_USED]: s.daemonsLimit,
    [MpmQuery.IS_THREADED]: MPMQ_NOT_SUPPORTED,
    [MpmQuery.IS_FORKED]: MPMQ_DYNAMIC,
    [MpmQuery.HARD_LIMIT_DAEMONS]: s.serverLimit,
    [MpmQuery.HARD_LIMIT_THREADS]: HARD_THREAD_LIMIT,
    [MpmQuery.MAX_THREADS]: 1,
    [MpmQuery.MIN_SPARE_DAEMONS]: s.minSpare,
    [MpmQuery.MIN_SPARE_THREADS]: 0,
    [MpmQuery.MAX_SPARE_DAEMONS]: s.maxSpare,
    [MpmQuery.MAX_SPARE_THREADS]: 0,
    [MpmQuery.MAX_REQUESTS_DAEMON]: s.maxRequestsPerChild,
    [MpmQuery.MAX_DAEMONS]: s.daemonsLimit,
    [MpmQuery.MPM_STATE]: s.state,
    [MpmQuery.GENERATION]: s.generation,
  };
  return answers[code];
}
