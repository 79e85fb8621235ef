import type { StatusBoard } from './handlers/status.js';

/**
 * The child's view of its scoreboard slot. Stages are Apache's worker_score status values
 * (scoreboard.h SERVER_*), in the order Apache defines them.
 */
export enum Stage {
  DEAD = 0,
  STARTING = 1,
  READY = 2,
  BUSY_READ = 3,
  BUSY_WRITE = 4,
  BUSY_KEEPALIVE = 5,
  BUSY_LOG = 6,
  BUSY_DNS = 7,
  CLOSING = 8,
  GRACEFUL = 9,
  IDLE_KILL = 10,
}

/** Everything the child writes into its slot (the child is the only writer of its worker_score). */
export interface ScoreboardPort {
  setStatus(stage: Stage): void;
  /** One request done: access_count++, bytes_served += bytes, my_access_count++ … */
  countAccess(bytes: number): void;
  setRequest(requestLine: string): void;
  setClient(client: string): void;
  setVhost(vhost: string): void;
  /** Start and stop times of the current request (microseconds since the epoch). */
  setTimes(startUs: bigint, stopUs: bigint): void;
  /** True when the master's running generation is no longer the child's (optional). */
  generationChanged?(): boolean;
  /** Every slot, for `/server-status`; absent when the board is this child's alone. */
  readStatus?(): StatusBoard;
}

/** A scoreboard slot in process memory: for tests and for running without a master. */
export class MemoryScoreboard implements ScoreboardPort {
  status: Stage = Stage.STARTING;
  readonly history: Stage[] = [];
  accessCount = 0;
  bytesServed = 0;
  request = '';
  client = '';
  vhost = '';
  startUs = 0n;
  stopUs = 0n;

  setStatus(stage: Stage): void {
    this.status = stage;
    this.history.push(stage);
  }
  countAccess(bytes: number): void {
    this.accessCount++;
    this.bytesServed += bytes;
  }
  setRequest(requestLine: string): void {
    this.request = requestLine.slice(0, 63);
  }
  setClient(client: string): void {
    this.client = client.slice(0, 31);
  }
  setVhost(vhost: string): void {
    this.vhost = vhost.slice(0, 31);
  }
  setTimes(startUs: bigint, stopUs: bigint): void {
    this.startUs = startUs;
    this.stopUs = stopUs;
  }
  /** This child's slot alone. */
  readStatus(): StatusBoard {
    const zero = { user: 0, system: 0, childUser: 0, childSystem: 0 };
    return {
      processes: [{
        pid: process.pid, generation: 0, quiescing: false,
        workers: [{
          status: this.status as number as StatusBoard['processes'][number]['workers'][number]['status'],
          accessCount: this.accessCount, myAccessCount: this.accessCount, connCount: 0,
          bytesServed: this.bytesServed, myBytesServed: this.bytesServed, connBytes: 0,
          durationMicros: Number(this.stopUs - this.startUs), startTimeMicros: Number(this.startUs), stopTimeMicros: Number(this.stopUs),
          lastUsedMicros: Number(this.stopUs), times: zero, client: this.client, request: this.request, protocol: 'HTTP/1.1', vhost: this.vhost,
        }],
      }],
      restartTimeMicros: 0, runningGeneration: 0, globalTimes: zero,
    };
  }
}
