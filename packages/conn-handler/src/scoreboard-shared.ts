import type { ChildBootstrap } from './protocol.js';
import type { ProcessSnapshot, WorkerSnapshot } from '@prefork/modules';
import type { StatusBoard } from './handlers/status.js';
import { Stage, type ScoreboardPort } from './scoreboard-port.js';

/** The parts of @prefork/scoreboard the child uses (loaded lazily: tests need no segment). */
interface Tms { utime: bigint; stime: bigint; cutime: bigint; cstime: bigint }
interface SharedWorker {
  addCounts(bytes: bigint): void;
  startTime: bigint; stopTime: bigint; lastUsed: bigint; duration: bigint; pid: number; generation: number;
  readonly status: number; readonly connCount: number; readonly connBytes: bigint;
  readonly accessCount: bigint; readonly bytesServed: bigint; readonly myAccessCount: bigint; readonly myBytesServed: bigint;
  times: Tms; readonly client: string; readonly request: string; readonly vhost: string; readonly protocol: string;
}
/** One clock tick of times(2) on Linux (100 per second). */
const TICK_MS = 10;

/**
 * times(2) of this child, in clock ticks, from process.cpuUsage() (microseconds): no file is
 * read on the request path. A child reaps no children: cutime and cstime stay 0.
 */
function childTimes(): Tms {
  const { user, system } = process.cpuUsage();
  const tick = TICK_MS * 1000;
  return { utime: BigInt(Math.floor(user / tick)), stime: BigInt(Math.floor(system / tick)), cutime: 0n, cstime: 0n };
}

interface SharedBoard {
  updateChildStatus(slot: number, thread: number, status: number, update?: { generation?: number; extended?: boolean; request?: string; client?: string; vhost?: string; protocol?: string }): number;
  worker(slot: number, thread?: number): SharedWorker;
  process(slot: number): { pid: number; generation: number; readonly quiescing: boolean };
  global: { runningGeneration: number; readonly serverLimit: number; readonly restartTime: bigint; readonly times: Tms };
  close(): void;
}

const ticks = (t: Tms) => ({ user: Number(t.utime), system: Number(t.stime), childUser: Number(t.cutime), childSystem: Number(t.cstime) });

/**
 * The child's slot in the master's shared scoreboard (ap_update_child_status and friends).
 * The child is the only writer of its worker_score while it lives.
 */
export class SharedScoreboard implements ScoreboardPort {
  private request = '';
  private client = '';
  private vhost = '';

  private constructor(private readonly board: SharedBoard, private readonly slot: number, private readonly generation: number, private readonly extended: boolean) {}

  /** Attaches to the segment named in the bootstrap. */
  static async attach(b: ChildBootstrap, extended: boolean): Promise<SharedScoreboard> {
    const mod = (await import('@prefork/scoreboard')) as unknown as {
      Scoreboard: { attach(o: { location: { kind: 'shm'; name: string } | { kind: 'file'; path: string } }): SharedBoard };
    };
    const location = b.scoreboard.file ? { kind: 'file' as const, path: b.scoreboard.file } : { kind: 'shm' as const, name: b.scoreboard.name };
    const board = mod.Scoreboard.attach({ location });
    const sb = new SharedScoreboard(board, b.slot, b.generation, extended);
    board.worker(b.slot).pid = process.pid;
    board.worker(b.slot).generation = b.generation;
    return sb;
  }

  /** The strings last written into the slot: the child is their only writer, so each is written once per change. */
  private readonly written = { request: undefined as string | undefined, client: undefined as string | undefined, vhost: undefined as string | undefined, protocol: undefined as string | undefined };

  setStatus(stage: Stage): void {
    if (!this.extended) {
      this.board.updateChildStatus(this.slot, 0, stage, { generation: this.generation });
      return;
    }
    const w = this.written;
    const update: { generation: number; extended: true; request?: string; client?: string; vhost?: string; protocol?: string } = { generation: this.generation, extended: true };
    if (w.request !== this.request) update.request = w.request = this.request;
    if (w.client !== this.client) update.client = w.client = this.client;
    if (w.vhost !== this.vhost) update.vhost = w.vhost = this.vhost;
    if (w.protocol !== 'http/1.1') update.protocol = w.protocol = 'http/1.1';
    this.board.updateChildStatus(this.slot, 0, stage, update);
  }

  /** When this child's times were last written (process.hrtime, ms). */
  private timesWrittenMs = -Infinity;

  /**
   * ap_increment_counts: the counters, and this process's times(2) into the slot. The times
   * are in clock ticks of 10 ms, so they are read again only when a tick may have passed:
   * getrusage is the dearest part of a request's bookkeeping.
   */
  countAccess(bytes: number): void {
    const w = this.board.worker(this.slot);
    w.addCounts(BigInt(bytes));
    const now = performance.now();
    if (now - this.timesWrittenMs >= TICK_MS) {
      w.times = childTimes();
      this.timesWrittenMs = now;
    }
  }

  setRequest(requestLine: string): void {
    this.request = requestLine;
  }

  setClient(client: string): void {
    this.client = client;
  }

  setVhost(vhost: string): void {
    this.vhost = vhost;
  }

  setTimes(startUs: bigint, stopUs: bigint): void {
    const w = this.board.worker(this.slot);
    w.startTime = startUs;
    w.stopTime = stopUs;
    w.lastUsed = stopUs;
    if (this.extended) w.duration = w.duration + (stopUs - startUs);
  }

  /** Every slot as `/server-status` shows it (read field by field, without a lock, as httpd). */
  readStatus(): StatusBoard {
    const g = this.board.global;
    const processes: ProcessSnapshot[] = [];
    for (let i = 0; i < g.serverLimit; i++) {
      const p = this.board.process(i);
      const w = this.board.worker(i);
      processes.push({
        pid: p.pid, generation: p.generation, quiescing: p.quiescing,
        workers: [{
          status: w.status as WorkerSnapshot['status'],
          accessCount: Number(w.accessCount), myAccessCount: Number(w.myAccessCount), connCount: w.connCount,
          bytesServed: Number(w.bytesServed), myBytesServed: Number(w.myBytesServed), connBytes: Number(w.connBytes),
          durationMicros: Number(w.duration), startTimeMicros: Number(w.startTime), stopTimeMicros: Number(w.stopTime),
          lastUsedMicros: Number(w.lastUsed), times: ticks(w.times),
          client: w.client, request: w.request, protocol: w.protocol, vhost: w.vhost,
        }],
      });
    }
    return { processes, restartTimeMicros: Number(g.restartTime), runningGeneration: g.runningGeneration, globalTimes: ticks(g.times) };
  }

  /** True when the master has moved to a newer generation (graceful restart): retire. */
  generationChanged(): boolean {
    return this.board.global.runningGeneration !== this.generation;
  }

  close(): void {
    this.board.close();
  }
}
