import type { ChildBootstrap } from './protocol.js';
import { Stage, type ScoreboardPort } from './scoreboard-port.js';

/** The parts of @prefork/scoreboard the child uses (loaded lazily: tests need no segment). */
interface SharedBoard {
  updateChildStatus(slot: number, thread: number, status: number, update?: { generation?: number; extended?: boolean; request?: string; client?: string; vhost?: string; protocol?: string }): number;
  worker(slot: number, thread?: number): { addCounts(bytes: bigint): void; startTime: bigint; stopTime: bigint; lastUsed: bigint; duration: bigint; pid: number; generation: number };
  process(slot: number): { pid: number; generation: number };
  global: { runningGeneration: number };
  close(): void;
}

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
    const mod = (await import('@prefork/scoreboard')) as unknown as { Scoreboard: { attach(o: { location: { kind: 'shm'; name: string } | { kind: 'file'; path: string } }): SharedBoard } };
    const location = b.scoreboard.file ? { kind: 'file' as const, path: b.scoreboard.file } : { kind: 'shm' as const, name: b.scoreboard.name };
    const board = mod.Scoreboard.attach({ location });
    const sb = new SharedScoreboard(board, b.slot, b.generation, extended);
    board.worker(b.slot).pid = process.pid;
    board.worker(b.slot).generation = b.generation;
    return sb;
  }

  setStatus(stage: Stage): void {
    const update = this.extended
      ? { generation: this.generation, extended: true, request: this.request, client: this.client, vhost: this.vhost, protocol: 'http/1.1' }
      : { generation: this.generation };
    this.board.updateChildStatus(this.slot, 0, stage, update);
  }

  countAccess(bytes: number): void {
    this.board.worker(this.slot).addCounts(BigInt(bytes));
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

  /** True when the master has moved to a newer generation (graceful restart): retire. */
  generationChanged(): boolean {
    return this.board.global.runningGeneration !== this.generation;
  }

  close(): void {
    this.board.close();
  }
}
