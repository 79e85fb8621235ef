/**
 * What the master needs of the scoreboard: per slot the child's pid, generation, status and
 * quiescing flag, plus the running generation. The native scoreboard (@prefork/scoreboard)
 * and the implementations here all satisfy it, so idle maintenance never depends on where
 * the bytes live.
 */
import { closeSync, openSync, readSync, unlinkSync, writeSync, ftruncateSync } from 'node:fs';

/**
 * Apache's worker status values (scoreboard.h). The order matters and is relied on:
 * DEAD < STARTING < READY < every busy state, so `status <= READY` means "idle or starting".
 */
export enum ServerStatus {
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

/** One slot as the master sees it at one instant. */
export interface SlotSnapshot {
  status: ServerStatus;
  pid: number;
  generation: number;
  quiescing: boolean;
}

/** The scoreboard, master side. Fields written by the master: pid, generation, runningGeneration; by the child: status, quiescing. */
export interface MasterScoreboard {
  /** Number of process slots (ServerLimit at creation). */
  readonly slots: number;
  /** How a child attaches (goes into its bootstrap). */
  readonly attachInfo: { name: string; file?: string };
  /**
   * A descriptor every child must inherit to attach (an anonymous segment); the child then
   * attaches through `/proc/self/fd/<its number there>` instead of `attachInfo.file`.
   */
  readonly inheritFd?: number;
  status(slot: number): ServerStatus;
  setStatus(slot: number, status: ServerStatus): void;
  pid(slot: number): number;
  setPid(slot: number, pid: number): void;
  generation(slot: number): number;
  setGeneration(slot: number, generation: number): void;
  quiescing(slot: number): boolean;
  runningGeneration(): number;
  setRunningGeneration(generation: number): void;
  /** ap_update_global_status: the master's times(2) into global_score (optional). */
  updateGlobalTimes?(): void;
  /** Every slot at once (one read for a whole maintenance cycle). */
  snapshot(): SlotSnapshot[];
  /** Zero every slot (a non-graceful restart gets a cleared scoreboard). */
  clear(): void;
  /** Release the memory or file; the master calls it once at exit. */
  destroy(): void;
}

/** A scoreboard in the master's own memory: for unit tests and ONE_PROCESS mode. */
export class InMemoryScoreboard implements MasterScoreboard {
  readonly attachInfo = { name: 'in-memory' };
  private readonly rows: SlotSnapshot[];
  private running = 0;
  constructor(readonly slots: number) {
    this.rows = Array.from({ length: slots }, () => ({ status: ServerStatus.DEAD, pid: 0, generation: 0, quiescing: false }));
  }
  status(slot: number): ServerStatus { return this.rows[slot].status; }
  setStatus(slot: number, status: ServerStatus): void { this.rows[slot].status = status; }
  pid(slot: number): number { return this.rows[slot].pid; }
  setPid(slot: number, pid: number): void { this.rows[slot].pid = pid; }
  generation(slot: number): number { return this.rows[slot].generation; }
  setGeneration(slot: number, generation: number): void { this.rows[slot].generation = generation; }
  quiescing(slot: number): boolean { return this.rows[slot].quiescing; }
  setQuiescing(slot: number, q: boolean): void { this.rows[slot].quiescing = q; }
  runningGeneration(): number { return this.running; }
  setRunningGeneration(generation: number): void { this.running = generation; }
  snapshot(): SlotSnapshot[] { return this.rows.map((r) => ({ ...r })); }
  clear(): void {
    for (const r of this.rows) Object.assign(r, { status: ServerStatus.DEAD, pid: 0, generation: 0, quiescing: false });
  }
  destroy(): void {}
}

/**
 * A scoreboard in a plain file, shared by pread/pwrite: a 16-byte header (int32 running
 * generation) and 16 bytes per slot (int32 status, pid, generation, quiescing). Each field is
 * one aligned 4-byte write, which the kernel does not tear. Slower than shared memory, but it
 * needs no native code; children write their own slot with {@link FileScoreboard.writeSlotStatus}.
 */
export class FileScoreboard implements MasterScoreboard {
  static readonly HEADER = 16;
  static readonly ROW = 16;
  readonly attachInfo: { name: string; file: string };
  private readonly fd: number;
  private readonly buf = Buffer.alloc(4);
  constructor(readonly path: string, readonly slots: number) {
    this.fd = openSync(path, 'w+', 0o600);
    ftruncateSync(this.fd, FileScoreboard.HEADER + slots * FileScoreboard.ROW);
    this.attachInfo = { name: 'file', file: path };
  }
  private read(offset: number): number {
    readSync(this.fd, this.buf, 0, 4, offset);
    return this.buf.readInt32LE(0);
  }
  private write(offset: number, value: number): void {
    const b = Buffer.alloc(4);
    b.writeInt32LE(value, 0);
    writeSync(this.fd, b, 0, 4, offset);
  }
  private at(slot: number, field: number): number {
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.slots) throw new RangeError(`scoreboard slot ${slot} out of range`);
    return FileScoreboard.HEADER + slot * FileScoreboard.ROW + field * 4;
  }
  status(slot: number): ServerStatus { return this.read(this.at(slot, 0)); }
  setStatus(slot: number, status: ServerStatus): void { this.write(this.at(slot, 0), status); }
  pid(slot: number): number { return this.read(this.at(slot, 1)); }
  setPid(slot: number, pid: number): void { this.write(this.at(slot, 1), pid); }
  generation(slot: number): number { return this.read(this.at(slot, 2)); }
  setGeneration(slot: number, generation: number): void { this.write(this.at(slot, 2), generation); }
  quiescing(slot: number): boolean { return this.read(this.at(slot, 3)) !== 0; }
  runningGeneration(): number { return this.read(0); }
  setRunningGeneration(generation: number): void { this.write(0, generation); }
  snapshot(): SlotSnapshot[] {
    const all = Buffer.alloc(this.slots * FileScoreboard.ROW);
    readSync(this.fd, all, 0, all.length, FileScoreboard.HEADER);
    const out: SlotSnapshot[] = [];
    for (let i = 0; i < this.slots; i++) {
      const o = i * FileScoreboard.ROW;
      out.push({ status: all.readInt32LE(o), pid: all.readInt32LE(o + 4), generation: all.readInt32LE(o + 8), quiescing: all.readInt32LE(o + 12) !== 0 });
    }
    return out;
  }
  clear(): void {
    writeSync(this.fd, Buffer.alloc(this.slots * FileScoreboard.ROW), 0, this.slots * FileScoreboard.ROW, FileScoreboard.HEADER);
  }
  destroy(): void {
    closeSync(this.fd);
    try { unlinkSync(this.path); } catch { /* already gone */ }
  }
  /** Called in the child process: write its own slot's status. */
  static writeSlotStatus(fd: number, slot: number, status: ServerStatus): void {
    const b = Buffer.alloc(4);
    b.writeInt32LE(status, 0);
    writeSync(fd, b, 0, 4, FileScoreboard.HEADER + slot * FileScoreboard.ROW);
  }
}
