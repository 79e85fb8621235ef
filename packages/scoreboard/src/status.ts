/**
 * Worker status values, in scoreboard.h's order. The order is part of the ABI
 * (the byte stored in worker_score.status) and prefork's idle count depends on
 * it: STARTING and READY are the only values at or below READY, so "idle" is
 * `status <= READY` — see {@link isIdleStatus}, which states that once.
 */
export enum ServerStatus {
  SERVER_DEAD = 0,
  /** Server starting up. */
  SERVER_STARTING = 1,
  /** Waiting for a connection (or the accept lock). */
  SERVER_READY = 2,
  /** Reading a client request. */
  SERVER_BUSY_READ = 3,
  /** Processing a client request. */
  SERVER_BUSY_WRITE = 4,
  /** Waiting for more requests via keep-alive. */
  SERVER_BUSY_KEEPALIVE = 5,
  /** Logging the request. */
  SERVER_BUSY_LOG = 6,
  /** Looking up a host name. */
  SERVER_BUSY_DNS = 7,
  /** Closing the connection. */
  SERVER_CLOSING = 8,
  /** Gracefully finishing a request. */
  SERVER_GRACEFUL = 9,
  /** Cleaning up idle children. */
  SERVER_IDLE_KILL = 10,
  /** Number of status values; not a status. */
  SERVER_NUM_STATUS = 11,
}

/**
 * prefork's idle test (perform_idle_server_maintenance): a live slot counts as
 * idle when it is READY, and also when it is still STARTING, because it was
 * started at least one maintenance cycle ago and spawning more would only swamp
 * the machine. DEAD slots are not live and are the caller's to exclude.
 */
export function isIdleStatus(status: number): boolean {
  return status === ServerStatus.SERVER_STARTING || status === ServerStatus.SERVER_READY;
}

/** mod_status's flag for each status (its status_flags table). */
const STATUS_FLAGS: Readonly<Record<Exclude<ServerStatus, ServerStatus.SERVER_NUM_STATUS>, string>> = {
  [ServerStatus.SERVER_DEAD]: '.',
  [ServerStatus.SERVER_STARTING]: 'S',
  [ServerStatus.SERVER_READY]: '_',
  [ServerStatus.SERVER_BUSY_READ]: 'R',
  [ServerStatus.SERVER_BUSY_WRITE]: 'W',
  [ServerStatus.SERVER_BUSY_KEEPALIVE]: 'K',
  [ServerStatus.SERVER_BUSY_LOG]: 'L',
  [ServerStatus.SERVER_BUSY_DNS]: 'D',
  [ServerStatus.SERVER_CLOSING]: 'C',
  [ServerStatus.SERVER_GRACEFUL]: 'G',
  [ServerStatus.SERVER_IDLE_KILL]: 'I',
};

/**
 * mod_status's one-character flag for a status byte. A byte outside the known
 * range (a segment written by something else) renders as '?' rather than
 * throwing, because /server-status must still render.
 */
export function statusFlag(status: number): string {
  return STATUS_FLAGS[status as keyof typeof STATUS_FLAGS] ?? '?';
}

/** Statuses read from the segment, one per worker (slot × thread). */
export interface StatusSource {
  readonly serverLimit: number;
  readonly threadLimit: number;
  /** Status of worker `slot * threadLimit + thread`. */
  readonly status: ArrayLike<number>;
}

/** Options of {@link renderScoreboardString}. */
export interface RenderOptions {
  /**
   * Slots at or past this index that are DEAD are omitted, as mod_status does
   * for `i >= max_servers` (prefork: MaxRequestWorkers). Default: all slots shown.
   */
  maxServers?: number;
  /** Threads per child (prefork: 1); DEAD threads past it are omitted likewise. */
  threadsPerChild?: number;
  /**
   * Insert '\n' after every `lineLength` flags, as the HTML page does with
   * STATUS_MAXLINE = 64. Default: none (the `?auto` "Scoreboard:" form).
   */
  lineLength?: number;
}

/** The mod_status scoreboard string (`_SRWKDCLGI.`) for a snapshot. */
export function renderScoreboardString(src: StatusSource, opts: RenderOptions = {}): string {
  const maxServers = opts.maxServers ?? src.serverLimit;
  const threadsPerChild = opts.threadsPerChild ?? src.threadLimit;
  const lineLength = opts.lineLength ?? 0;
  let out = '';
  let written = 0;
  for (let i = 0; i < src.serverLimit; i++) {
    for (let j = 0; j < src.threadLimit; j++) {
      const status = src.status[i * src.threadLimit + j] ?? ServerStatus.SERVER_DEAD;
      if ((i >= maxServers || j >= threadsPerChild) && status === ServerStatus.SERVER_DEAD) continue;
      out += statusFlag(status);
      if (lineLength > 0 && written % lineLength === lineLength - 1) out += '\n';
      written++;
    }
  }
  return out;
}
