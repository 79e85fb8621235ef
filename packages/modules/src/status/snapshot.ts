/**
 * Worker states, numbered as httpd's scoreboard.h numbers them (the numbers
 * are what the shared scoreboard stores).
 */
export const WorkerStatus = {
  DEAD: 0,
  STARTING: 1,
  READY: 2,
  BUSY_READ: 3,
  BUSY_WRITE: 4,
  BUSY_KEEPALIVE: 5,
  BUSY_LOG: 6,
  BUSY_DNS: 7,
  CLOSING: 8,
  GRACEFUL: 9,
  IDLE_KILL: 10,
} as const;
export type WorkerStatus = (typeof WorkerStatus)[keyof typeof WorkerStatus];

/** The scoreboard character of each state, as mod_status prints it. */
export const STATUS_CHARS: Readonly<Record<WorkerStatus, string>> = {
  0: '.',
  1: 'S',
  2: '_',
  3: 'R',
  4: 'W',
  5: 'K',
  6: 'L',
  7: 'D',
  8: 'C',
  9: 'G',
  10: 'I',
};

/** CPU times in clock ticks (`struct tms`). */
export interface CpuTimes {
  readonly user: number;
  readonly system: number;
  readonly childUser: number;
  readonly childSystem: number;
}

/** One worker's scoreboard record (`worker_score`); times are µs since the epoch. */
export interface WorkerSnapshot {
  readonly status: WorkerStatus;
  /** Requests served by this slot in total / by this child / on this connection. */
  readonly accessCount: number;
  readonly myAccessCount: number;
  readonly connCount: number;
  /** Bytes served by this slot in total / by this child / on this connection. */
  readonly bytesServed: number;
  readonly myBytesServed: number;
  readonly connBytes: number;
  /** Sum of request durations, µs. */
  readonly durationMicros: number;
  /** Start and stop of the most recent request, µs since the epoch (0 = never). */
  readonly startTimeMicros: number;
  readonly stopTimeMicros: number;
  /** Last time the slot changed state, µs since the epoch. */
  readonly lastUsedMicros: number;
  readonly times: CpuTimes;
  readonly client: string;
  readonly request: string;
  readonly protocol: string;
  readonly vhost: string;
  /** Set by MPMs that record a per-worker pid (prefork does not; the process pid is used). */
  readonly pid?: number;
  readonly generation?: number;
}

/** One process slot (`process_score`) and its workers (one for prefork). */
export interface ProcessSnapshot {
  readonly pid: number;
  readonly generation: number;
  readonly quiescing: boolean;
  readonly workers: readonly WorkerSnapshot[];
}

/** Everything mod_status reads when it renders a page. */
export interface StatusSnapshot {
  /** `ap_get_server_name(r)` */
  readonly serverName: string;
  /** The connection's local address (`via …` in the HTML title). */
  readonly localIp: string;
  /** `ap_get_server_description()`, e.g. `Apache/2.4.71 (Debian)`. */
  readonly serverVersion: string;
  /** `ap_show_mpm()`, e.g. `prefork`. */
  readonly mpm: string;
  /** `ap_get_server_built()` */
  readonly serverBuilt: string;
  readonly now: Date;
  readonly restartTime: Date;
  readonly configGeneration: number;
  readonly mpmGeneration: number;
  /** 1, 5 and 15 minute load averages. */
  readonly loadAverage: readonly [number, number, number];
  /** ExtendedStatus (On when mod_status is loaded and the directive is unset). */
  readonly extendedStatus: boolean;
  /** CPU times of the scoreboard's global record, ticks. */
  readonly globalTimes: CpuTimes;
  /** sysconf(_SC_CLK_TCK); 100 on Linux. */
  readonly clockTicks?: number;
  /** MaxRequestWorkers (AP_MPMQ_MAX_DAEMONS): dead slots at or past it are not shown. */
  readonly maxDaemons: number;
  /** AP_MPMQ_MAX_THREADS; 1 for prefork. */
  readonly threadsPerChild?: number;
  /** Process slots, ServerLimit of them. */
  readonly processes: readonly ProcessSnapshot[];
  /** The ServerSignature block (`ap_psignature("<hr />\n", r)`), '' when off. */
  readonly signature?: string;
  /** Seconds east of UTC for the time lines; defaults to the process's local zone. */
  readonly gmtOffset?: (at: Date) => number;
  /** Zone abbreviation for the time lines; defaults to the process's local one. */
  readonly zoneName?: (at: Date) => string;
}
