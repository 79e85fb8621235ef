import { chownSync, closeSync, fchownSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { calcScoreboardGeometry, fieldOffset, fieldSize, type SegmentGeometry } from './layout.js';
import { loadNative } from './load-native.js';
import { NativeKind, NativeOpenMode, type NativeErrnoError, type NativeLayout, type NativeScoreboard, type StructLayout } from './native.js';
import { checkMemfdName, inheritedFdPath, nativeTarget, segmentPath, type SegmentLocation } from './segment.js';
import { ServerStatus } from './status.js';

/** Stable codes of {@link ScoreboardError}. */
export type ScoreboardErrorCode =
  | 'SB_CREATE_FAILED'
  | 'SB_ATTACH_FAILED'
  | 'SB_TOO_SMALL'
  | 'SB_BAD_HEADER'
  | 'SB_CLOSED'
  | 'SB_NOT_OWNER'
  | 'SB_SLOT_RANGE';

/**
 * A scoreboard failure. `message` starts with the AH id where httpd logs the same
 * condition (AH00001, AH00004, AH00005) and with a PF id otherwise; `cause` holds
 * the system error (with `code`, `errno`, `syscall`, `path`) when there is one.
 */
export class ScoreboardError extends Error {
  constructor(readonly code: ScoreboardErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ScoreboardError';
  }
}

/** `apr_time_now()`: microseconds since the epoch, as a bigint. */
export function aprTimeNow(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000));
}

/** CPU times as `struct tms` holds them, in clock ticks. */
export interface Tms {
  utime: bigint;
  stime: bigint;
  cutime: bigint;
  cstime: bigint;
}

/** Arguments of {@link Scoreboard.create}. */
export interface CreateOptions {
  location: SegmentLocation;
  /** ServerLimit (1…200000). */
  serverLimit: number;
  /** ThreadLimit; 1 for prefork. */
  threadLimit?: number;
  /** Permission bits of the segment; httpd uses 0600. */
  mode?: number;
  /** The addon to use; loaded from this package by default. */
  native?: NativeScoreboard;
}

/** Arguments of {@link Scoreboard.attach}. */
export interface AttachOptions {
  location: SegmentLocation;
  /**
   * Limits the child was configured with: the segment must be at least as large
   * as they need (httpd's AH00005 check). Read from global_score when omitted.
   */
  serverLimit?: number;
  threadLimit?: number;
  native?: NativeScoreboard;
}

/** Extra data for {@link Scoreboard.updateChildStatus}, as httpd takes it from the request. */
export interface StatusUpdate {
  /** The server's generation; stored in process_score when the slot goes STARTING → READY. */
  generation?: number;
  /** ExtendedStatus On: reset per-connection counters and store the fields below. */
  extended?: boolean;
  /** The request line (truncated to 63 bytes as httpd does). */
  request?: string;
  /** Client address or host name (stored in both client and client64). */
  client?: string;
  /** "host:port" of the virtual host. */
  vhost?: string;
  /** Protocol of the connection, e.g. "http/1.1". */
  protocol?: string;
}

/**
 * What the master's idle maintenance needs of every slot, copied out at once so
 * that the decision works on stable values. Each value is read atomically; as in
 * httpd, the copy is not one atomic picture of all slots (no lock is taken).
 */
export interface ScoreboardSnapshot {
  readonly serverLimit: number;
  readonly threadLimit: number;
  /** global_score.running_generation at the time of the copy. */
  runningGeneration: number;
  /** worker_score.status, index `slot * threadLimit + thread`. */
  readonly status: Uint8Array;
  /** process_score.pid per slot. */
  readonly pid: Int32Array;
  /** process_score.generation per slot. */
  readonly generation: Int32Array;
  /** process_score.quiescing per slot (0 or 1). */
  readonly quiescing: Uint8Array;
}

/** Which process writes a field, for documentation and tests. */
export type Writer = 'master' | 'child' | 'master+child';

/**
 * Who writes each field under prefork. worker_score.status and
 * process_score.generation, which both the master and the child store, are
 * written with Atomics. Every other field has one writer at a time and is read and
 * written with plain typed-array access: each field is naturally aligned, and an
 * aligned load or store of up to 8 bytes is a single instruction on x86_64 and
 * aarch64, so no reader sees a torn value. (On a non-shared ArrayBuffer V8 does
 * not inline Atomics: each costs a runtime call of a few hundred nanoseconds,
 * which would make a 20,000-slot snapshot take milliseconds.) The my_* counters
 * and times are reset by the master only after the child has died.
 */
export const FIELD_WRITERS = {
  global_score: {
    server_limit: 'master', thread_limit: 'master', running_generation: 'master', restart_time: 'master', times: 'master',
  },
  process_score: {
    // make_child stores pid and generation; the reaper clears pid.
    pid: 'master',
    // The child stores it again on its STARTING → READY transition.
    generation: 'master+child',
    quiescing: 'master', not_accepting: 'child',
    connections: 'child', write_completion: 'child', lingering_close: 'child', keep_alive: 'child',
    suspended: 'child', bucket: 'child', wait_io: 'child',
  },
  worker_score: {
    // STARTING before spawn, DEAD when reaped, GRACEFUL at a graceful restart; the child otherwise.
    status: 'master+child',
    // Reset to zero by the master when it clears the slot for a new generation.
    my_access_count: 'master+child', my_bytes_served: 'master+child', times: 'master+child',
    tid: 'child', thread_num: 'child', pid: 'child', generation: 'child', conn_count: 'child', conn_bytes: 'child',
    access_count: 'child', bytes_served: 'child', start_time: 'child', stop_time: 'child', last_used: 'child',
    client: 'child', request: 'child', vhost: 'child', protocol: 'child', duration: 'child', client64: 'child',
  },
} as const satisfies Record<'global_score' | 'process_score' | 'worker_score', Record<string, Writer>>;

/** Typed views over the mapped bytes, one per element width. */
class Memory {
  readonly u8: Uint8Array;
  readonly i8: Int8Array;
  readonly u16: Uint16Array;
  readonly i32: Int32Array;
  readonly u32: Uint32Array;
  readonly i64: BigInt64Array;
  readonly u64: BigUint64Array;

  constructor(buffer: ArrayBuffer) {
    this.u8 = new Uint8Array(buffer);
    this.i8 = new Int8Array(buffer);
    this.u16 = new Uint16Array(buffer, 0, buffer.byteLength >> 1);
    this.i32 = new Int32Array(buffer, 0, buffer.byteLength >> 2);
    this.u32 = new Uint32Array(buffer, 0, buffer.byteLength >> 2);
    this.i64 = new BigInt64Array(buffer, 0, buffer.byteLength >> 3);
    this.u64 = new BigUint64Array(buffer, 0, buffer.byteLength >> 3);
  }

  readString(off: number, size: number): string {
    let end = off;
    const limit = off + size - 1; // the last byte is always treated as NUL, as ap_copy_scoreboard_worker does
    let out = '';
    // Fields are at most 64 bytes: a char-by-char build is cheaper than a Buffer view.
    for (let c = this.u8[end]!; end < limit && c !== 0; c = this.u8[++end]!) out += String.fromCharCode(c);
    return out;
  }

  /**
   * apr_cpystrn: at most size-1 bytes, then NUL; the rest of the field is zeroed
   * so that no tail of a longer earlier value remains. Characters are stored as
   * latin1 bytes (a byte string round-trips unchanged), like the wire bytes httpd copies.
   */
  writeString(off: number, size: number, value: string): void {
    const u8 = this.u8;
    const n = Math.min(value.length, size - 1);
    for (let i = 0; i < n; i++) u8[off + i] = value.charCodeAt(i);
    for (let i = n; i < size; i++) u8[off + i] = 0;
  }
}

type Width = 1 | 2 | 4 | 8;

/** Offset of `field`, checked to have the width the TypeScript view reads it with. */
function checkedOffset(s: StructLayout, struct: string, field: string, width: Width): number {
  const off = fieldOffset(s, field);
  const size = fieldSize(s, field);
  if (size !== width || off % width !== 0) {
    throw new Error(`${struct}.${field}: the addon reports size ${size} at offset ${off}; this view reads ${width} aligned bytes`);
  }
  return off;
}

/** Byte offsets of the fields this package reads, taken from the addon's layout. */
interface Offsets {
  g: { server_limit: number; thread_limit: number; running_generation: number; restart_time: number; tms: [number, number, number, number] };
  p: {
    pid: number; generation: number; quiescing: number; not_accepting: number; connections: number; write_completion: number;
    lingering_close: number; keep_alive: number; suspended: number; bucket: number; wait_io: number;
  };
  w: {
    tid: number; thread_num: number; pid: number; generation: number; status: number; conn_count: number; conn_bytes: number;
    access_count: number; bytes_served: number; my_access_count: number; my_bytes_served: number;
    start_time: number; stop_time: number; last_used: number; tms: [number, number, number, number]; duration: number;
    client: [number, number]; request: [number, number]; vhost: [number, number]; protocol: [number, number]; client64: [number, number];
  };
}

const TMS = ['times.tms_utime', 'times.tms_stime', 'times.tms_cutime', 'times.tms_cstime'] as const;

function computeOffsets(layout: NativeLayout): Offsets {
  const g = layout.global_score, p = layout.process_score, w = layout.worker_score;
  const go = (f: string, wd: Width) => checkedOffset(g, 'global_score', f, wd);
  const po = (f: string, wd: Width) => checkedOffset(p, 'process_score', f, wd);
  const wo = (f: string, wd: Width) => checkedOffset(w, 'worker_score', f, wd);
  const str = (f: string): [number, number] => [fieldOffset(w, f), fieldSize(w, f)];
  const tms = (s: (f: string, wd: Width) => number) => TMS.map((f) => s(f, 8)) as [number, number, number, number];
  return {
    g: { server_limit: go('server_limit', 4), thread_limit: go('thread_limit', 4), running_generation: go('running_generation', 4), restart_time: go('restart_time', 8), tms: tms(go) },
    p: {
      pid: po('pid', 4), generation: po('generation', 4), quiescing: po('quiescing', 1), not_accepting: po('not_accepting', 1),
      connections: po('connections', 4), write_completion: po('write_completion', 4), lingering_close: po('lingering_close', 4),
      keep_alive: po('keep_alive', 4), suspended: po('suspended', 4), bucket: po('bucket', 4), wait_io: po('wait_io', 4),
    },
    w: {
      tid: wo('tid', 8), thread_num: wo('thread_num', 4), pid: wo('pid', 4), generation: wo('generation', 4), status: wo('status', 1),
      conn_count: wo('conn_count', 2), conn_bytes: wo('conn_bytes', 8), access_count: wo('access_count', 8), bytes_served: wo('bytes_served', 8),
      my_access_count: wo('my_access_count', 8), my_bytes_served: wo('my_bytes_served', 8), start_time: wo('start_time', 8),
      stop_time: wo('stop_time', 8), last_used: wo('last_used', 8), tms: tms(wo), duration: wo('duration', 8),
      client: str('client'), request: str('request'), vhost: str('vhost'), protocol: str('protocol'), client64: str('client64'),
    },
  };
}

/** global_score. Written by the master only. */
export class GlobalScore {
  /** @internal */
  constructor(private readonly m: Memory, private readonly o: Offsets['g']) {}
  get serverLimit(): number { return this.m.i32[this.o.server_limit >> 2]!; }
  /** @internal set at creation only */
  set serverLimit(v: number) { this.m.i32[this.o.server_limit >> 2] = v; }
  get threadLimit(): number { return this.m.i32[this.o.thread_limit >> 2]!; }
  /** @internal set at creation only */
  set threadLimit(v: number) { this.m.i32[this.o.thread_limit >> 2] = v; }
  /** The generation of children that should still be serving. */
  get runningGeneration(): number { return this.m.i32[this.o.running_generation >> 2]!; }
  set runningGeneration(v: number) { this.m.i32[this.o.running_generation >> 2] = v; }
  /** apr_time_t (µs) of the last start or restart. */
  get restartTime(): bigint { return this.m.i64[this.o.restart_time >> 3]!; }
  set restartTime(v: bigint) { this.m.i64[this.o.restart_time >> 3] = v; }
  get times(): Tms { return readTms(this.m, this.o.tms); }
  set times(v: Tms) { writeTms(this.m, this.o.tms, v); }
}

function readTms(m: Memory, t: readonly number[]): Tms {
  return { utime: m.i64[t[0]! >> 3]!, stime: m.i64[t[1]! >> 3]!, cutime: m.i64[t[2]! >> 3]!, cstime: m.i64[t[3]! >> 3]! };
}

function writeTms(m: Memory, t: readonly number[], v: Tms): void {
  m.i64[t[0]! >> 3] = v.utime;
  m.i64[t[1]! >> 3] = v.stime;
  m.i64[t[2]! >> 3] = v.cutime;
  m.i64[t[3]! >> 3] = v.cstime;
}

/** One process_score. See {@link FIELD_WRITERS} for who writes what. */
export class ProcessScore {
  /** @internal */
  constructor(private readonly m: Memory, private readonly o: Offsets['p'], readonly slot: number, private readonly base: number) {}
  private i32(off: number): number { return this.m.i32[(this.base + off) >> 2]!; }
  private setI32(off: number, v: number): void { this.m.i32[(this.base + off) >> 2] = v; }
  private u32(off: number): number { return this.m.u32[(this.base + off) >> 2]!; }
  private setU32(off: number, v: number): void { this.m.u32[(this.base + off) >> 2] = v; }
  get pid(): number { return this.i32(this.o.pid); }
  set pid(v: number) { this.setI32(this.o.pid, v); }
  /** Written by the master at spawn and by the child when it becomes READY: stored with Atomics. */
  get generation(): number { return this.i32(this.o.generation); }
  set generation(v: number) { Atomics.store(this.m.i32, (this.base + this.o.generation) >> 2, v); }
  /** The process is going down gracefully. */
  get quiescing(): boolean { return this.m.i8[this.base + this.o.quiescing] !== 0; }
  set quiescing(v: boolean) { this.m.i8[this.base + this.o.quiescing] = v ? 1 : 0; }
  /** Async MPMs only: the process accepts no more connections. */
  get notAccepting(): boolean { return this.m.i8[this.base + this.o.not_accepting] !== 0; }
  set notAccepting(v: boolean) { this.m.i8[this.base + this.o.not_accepting] = v ? 1 : 0; }
  get connections(): number { return this.u32(this.o.connections); }
  set connections(v: number) { this.setU32(this.o.connections, v); }
  get writeCompletion(): number { return this.u32(this.o.write_completion); }
  set writeCompletion(v: number) { this.setU32(this.o.write_completion, v); }
  get lingeringClose(): number { return this.u32(this.o.lingering_close); }
  set lingeringClose(v: number) { this.setU32(this.o.lingering_close, v); }
  get keepAlive(): number { return this.u32(this.o.keep_alive); }
  set keepAlive(v: number) { this.setU32(this.o.keep_alive, v); }
  get suspended(): number { return this.u32(this.o.suspended); }
  set suspended(v: number) { this.setU32(this.o.suspended, v); }
  /** Deprecated in httpd and always 0 there. */
  get bucket(): number { return this.i32(this.o.bucket); }
  set bucket(v: number) { this.setI32(this.o.bucket, v); }
  get waitIo(): number { return this.u32(this.o.wait_io); }
  set waitIo(v: number) { this.setU32(this.o.wait_io, v); }
}

/** One worker_score. See {@link FIELD_WRITERS} for who writes what. */
export class WorkerScore {
  /** @internal */
  constructor(private readonly m: Memory, private readonly o: Offsets['w'], readonly slot: number, readonly thread: number, private readonly base: number) {}
  private i32(off: number): number { return this.m.i32[(this.base + off) >> 2]!; }
  private setI32(off: number, v: number): void { this.m.i32[(this.base + off) >> 2] = v; }
  private i64(off: number): bigint { return this.m.i64[(this.base + off) >> 3]!; }
  private setI64(off: number, v: bigint): void { this.m.i64[(this.base + off) >> 3] = v; }
  private u64(off: number): bigint { return this.m.u64[(this.base + off) >> 3]!; }
  private setU64(off: number, v: bigint): void { this.m.u64[(this.base + off) >> 3] = v; }
  private str(f: readonly [number, number]): string { return this.m.readString(this.base + f[0], f[1]); }
  private setStr(f: readonly [number, number], v: string): void { this.m.writeString(this.base + f[0], f[1], v); }

  /** A {@link ServerStatus} byte. Written by the master and the child: stored with Atomics. */
  get status(): number { return this.m.u8[this.base + this.o.status]!; }
  set status(v: number) { Atomics.store(this.m.u8, this.base + this.o.status, v); }
  /** Stores a status and returns the one it replaced, in one atomic step. */
  exchangeStatus(v: number): number { return Atomics.exchange(this.m.u8, this.base + this.o.status, v); }
  /** pthread_t of the worker thread (httpd builds with threads; prefork leaves it 0). */
  get tid(): bigint { return this.u64(this.o.tid); }
  set tid(v: bigint) { this.setU64(this.o.tid, v); }
  get threadNum(): number { return this.i32(this.o.thread_num); }
  set threadNum(v: number) { this.setI32(this.o.thread_num, v); }
  get pid(): number { return this.i32(this.o.pid); }
  set pid(v: number) { this.setI32(this.o.pid, v); }
  get generation(): number { return this.i32(this.o.generation); }
  set generation(v: number) { this.setI32(this.o.generation, v); }
  /** Requests on the current connection (unsigned short). */
  get connCount(): number { return this.m.u16[(this.base + this.o.conn_count) >> 1]!; }
  set connCount(v: number) { this.m.u16[(this.base + this.o.conn_count) >> 1] = v; }
  get connBytes(): bigint { return this.i64(this.o.conn_bytes); }
  set connBytes(v: bigint) { this.setI64(this.o.conn_bytes, v); }
  get accessCount(): bigint { return this.u64(this.o.access_count); }
  set accessCount(v: bigint) { this.setU64(this.o.access_count, v); }
  get bytesServed(): bigint { return this.i64(this.o.bytes_served); }
  set bytesServed(v: bigint) { this.setI64(this.o.bytes_served, v); }
  get myAccessCount(): bigint { return this.u64(this.o.my_access_count); }
  set myAccessCount(v: bigint) { this.setU64(this.o.my_access_count, v); }
  get myBytesServed(): bigint { return this.i64(this.o.my_bytes_served); }
  set myBytesServed(v: bigint) { this.setI64(this.o.my_bytes_served, v); }
  /** apr_time_t (µs). */
  get startTime(): bigint { return this.i64(this.o.start_time); }
  set startTime(v: bigint) { this.setI64(this.o.start_time, v); }
  /** apr_time_t (µs). */
  get stopTime(): bigint { return this.i64(this.o.stop_time); }
  set stopTime(v: bigint) { this.setI64(this.o.stop_time, v); }
  /** apr_time_t (µs). */
  get lastUsed(): bigint { return this.i64(this.o.last_used); }
  set lastUsed(v: bigint) { this.setI64(this.o.last_used, v); }
  /** Total request time in µs (ExtendedStatus). */
  get duration(): bigint { return this.i64(this.o.duration); }
  set duration(v: bigint) { this.setI64(this.o.duration, v); }
  get times(): Tms { return readTms(this.m, this.o.tms.map((t) => this.base + t)); }
  set times(v: Tms) { writeTms(this.m, this.o.tms.map((t) => this.base + t), v); }
  /** Deprecated 32-byte client field; {@link client64} holds the same, longer. */
  get client(): string { return this.str(this.o.client); }
  set client(v: string) { this.setStr(this.o.client, v); }
  get client64(): string { return this.str(this.o.client64); }
  set client64(v: string) { this.setStr(this.o.client64, v); }
  get request(): string { return this.str(this.o.request); }
  set request(v: string) { this.setStr(this.o.request, v); }
  get vhost(): string { return this.str(this.o.vhost); }
  set vhost(v: string) { this.setStr(this.o.vhost, v); }
  get protocol(): string { return this.str(this.o.protocol); }
  set protocol(v: string) { this.setStr(this.o.protocol, v); }

  /**
   * ap_increment_counts: one more request of `bytes`. Only the child owning the
   * slot writes these while it lives (the master resets my_* after it died), so
   * plain read-modify-write is enough; conn_count wraps at 65536 as in C.
   */
  addCounts(bytes: bigint): void {
    const m = this.m, b = this.base, o = this.o;
    m.u64[(b + o.access_count) >> 3]! += 1n;
    m.u64[(b + o.my_access_count) >> 3]! += 1n;
    m.u16[(b + o.conn_count) >> 1]! += 1;
    m.i64[(b + o.bytes_served) >> 3]! += bytes;
    m.i64[(b + o.my_bytes_served) >> 3]! += bytes;
    m.i64[(b + o.conn_bytes) >> 3]! += bytes;
  }
}

/** Marks of ap_time_process_request. */
export enum RequestTiming {
  START_PREQUEST = 1,
  STOP_PREQUEST = 2,
}

/**
 * A mapped scoreboard segment with httpd 2.4's layout: global_score, then
 * ServerLimit process_score, then ServerLimit × ThreadLimit worker_score.
 * The master creates it ({@link Scoreboard.create}), children attach
 * ({@link Scoreboard.attach}); both read and write through the accessors.
 */
export class Scoreboard {
  /** The segment's bytes; detached (length 0) after {@link close}. */
  readonly buffer: ArrayBuffer;
  readonly geometry: SegmentGeometry;
  readonly location: SegmentLocation;
  /** true when create() found a segment left by an earlier run and replaced it. */
  readonly replacedStale: boolean;
  /** true for the process that created the segment and must remove it. */
  readonly owner: boolean;
  /**
   * The descriptor of a `memfd` segment in the process that created it, to be inherited by
   * children (which attach through {@link inheritedFdPath}); closed by close()/destroy().
   * Undefined for shm and file segments.
   */
  readonly fd: number | undefined;
  readonly global: GlobalScore;

  private readonly native: NativeScoreboard;
  private readonly mem: Memory;
  private readonly offsets: Offsets;
  private readonly processes: ProcessScore[];
  private readonly workers: WorkerScore[];
  private closed = false;

  private constructor(args: {
    native: NativeScoreboard; layout: NativeLayout; buffer: ArrayBuffer; geometry: SegmentGeometry;
    location: SegmentLocation; replacedStale: boolean; owner: boolean; fd?: number;
  }) {
    this.native = args.native;
    this.fd = args.fd;
    this.buffer = args.buffer;
    this.geometry = args.geometry;
    this.location = args.location;
    this.replacedStale = args.replacedStale;
    this.owner = args.owner;
    this.mem = new Memory(args.buffer);
    this.offsets = computeOffsets(args.layout);
    this.global = new GlobalScore(this.mem, this.offsets.g);
    const g = this.geometry;
    if (g.processBase % 8 !== 0 || g.processStride % 8 !== 0 || g.workerBase % 8 !== 0 || g.workerStride % 8 !== 0) {
      throw new Error('scoreboard geometry is not 8-byte aligned; 64-bit fields could not be read atomically');
    }
    this.processes = [];
    this.workers = [];
    for (let i = 0; i < g.serverLimit; i++) {
      this.processes.push(new ProcessScore(this.mem, this.offsets.p, i, g.processBase + i * g.processStride));
      for (let j = 0; j < g.threadLimit; j++) {
        this.workers.push(new WorkerScore(this.mem, this.offsets.w, i, j, g.workerBase + (i * g.threadLimit + j) * g.workerStride));
      }
    }
  }

  /**
   * Creates the segment as ap_create_scoreboard does at first start: zeroed,
   * server_limit/thread_limit stored, running_generation 0, restart_time now.
   * A segment of the same name left by a crashed run is removed and replaced
   * (httpd removes a name-based segment before creating it, too).
   */
  static create(opts: CreateOptions): Scoreboard {
    const native = opts.native ?? loadNative();
    const layout = native.layout();
    const geometry = calcScoreboardGeometry(layout, opts.serverLimit, opts.threadLimit ?? 1);
    const mode = opts.mode ?? 0o600;
    if (opts.location.kind === 'memfd') return Scoreboard.createMemfd(native, layout, geometry, opts.location, mode);
    const target = nativeTarget(opts.location);
    let replacedStale = false;
    let buffer: ArrayBuffer;
    try {
      try {
        buffer = native.map(target.kind, target.path, geometry.size, NativeOpenMode.CreateExclusive, mode);
      } catch (e) {
        if ((e as NativeErrnoError).code !== 'EEXIST') throw e;
        replacedStale = native.remove(target.kind, target.path);
        buffer = native.map(target.kind, target.path, geometry.size, NativeOpenMode.CreateExclusive, mode);
      }
    } catch (e) {
      throw new ScoreboardError('SB_CREATE_FAILED', createFailedMessage(opts.location), { cause: e });
    }
    const sb = new Scoreboard({ native, layout, buffer, geometry, location: opts.location, replacedStale, owner: true });
    sb.mem.u8.fill(0);
    return sb.initGlobal();
  }

  /** A new segment's global record: its limits, generation 0, restart time now. */
  private initGlobal(): this {
    this.global.serverLimit = this.geometry.serverLimit;
    this.global.threadLimit = this.geometry.threadLimit;
    this.global.runningGeneration = 0;
    this.global.restartTime = aprTimeNow();
    return this;
  }

  /** Whether this build of the addon can create `memfd` segments (see {@link SegmentLocation}). */
  static memfdSupported(native: NativeScoreboard = loadNative()): boolean {
    return typeof native.memfd === 'function';
  }

  private static createMemfd(
    native: NativeScoreboard, layout: NativeLayout, geometry: SegmentGeometry, location: SegmentLocation & { kind: 'memfd' }, mode: number,
  ): Scoreboard {
    const name = checkMemfdName(location.name);
    if (!native.memfd) {
      throw new ScoreboardError('SB_CREATE_FAILED', `${createFailedMessage(location)}: this build of the addon has no memfd support`);
    }
    let fd: number | undefined;
    let buffer: ArrayBuffer;
    try {
      fd = native.memfd(name, geometry.size, mode);
      buffer = native.map(NativeKind.File, inheritedFdPath(fd), geometry.size, NativeOpenMode.Attach, 0);
    } catch (e) {
      if (fd !== undefined) closeSync(fd);
      throw new ScoreboardError('SB_CREATE_FAILED', createFailedMessage(location), { cause: e });
    }
    // A new memfd is zero-filled.
    return new Scoreboard({ native, layout, buffer, geometry, location, replacedStale: false, owner: true, fd }).initGlobal();
  }

  /**
   * Attaches to a segment the master created (a child's ap_reopen_scoreboard).
   * Fails with AH00005 if the segment is smaller than the limits need.
   */
  static attach(opts: AttachOptions): Scoreboard {
    const native = opts.native ?? loadNative();
    const layout = native.layout();
    const target = nativeTarget(opts.location);
    let serverLimit = opts.serverLimit;
    let threadLimit = opts.threadLimit;
    if (serverLimit === undefined || threadLimit === undefined) {
      const header = mapForAttach(native, target, layout.global_score.size, opts.location);
      try {
        const m = new Memory(header);
        const o = computeOffsets(layout).g;
        serverLimit ??= Atomics.load(m.i32, o.server_limit >> 2);
        threadLimit ??= Atomics.load(m.i32, o.thread_limit >> 2);
      } finally {
        native.unmap(header);
      }
    }
    let geometry: SegmentGeometry;
    try {
      geometry = calcScoreboardGeometry(layout, serverLimit, threadLimit);
    } catch (e) {
      throw new ScoreboardError('SB_BAD_HEADER', `PF01003: scoreboard ${segmentPath(opts.location)} has no valid server_limit/thread_limit (${(e as Error).message})`, { cause: e });
    }
    const buffer = mapForAttach(native, target, geometry.size, opts.location);
    return new Scoreboard({ native, layout, buffer, geometry, location: opts.location, replacedStale: false, owner: false });
  }

  /** Number of process slots (ServerLimit). */
  get serverLimit(): number { return this.geometry.serverLimit; }
  /** Threads per slot (ThreadLimit; 1 for prefork). */
  get threadLimit(): number { return this.geometry.threadLimit; }

  /** process_score of a slot (ap_get_scoreboard_process). */
  process(slot: number): ProcessScore {
    this.checkOpen();
    const p = this.processes[slot];
    if (p === undefined) throw new ScoreboardError('SB_SLOT_RANGE', `PF01004: scoreboard slot ${slot} is outside 0..${this.serverLimit - 1}`);
    return p;
  }

  /** worker_score of a slot and thread (thread 0 for prefork). */
  worker(slot: number, thread = 0): WorkerScore {
    this.checkOpen();
    const w = Number.isInteger(thread) && thread >= 0 && thread < this.threadLimit ? this.workers[slot * this.threadLimit + thread] : undefined;
    if (w === undefined) throw new ScoreboardError('SB_SLOT_RANGE', `PF01004: scoreboard worker ${slot}/${thread} is outside 0..${this.serverLimit - 1}/0..${this.threadLimit - 1}`);
    return w;
  }

  /**
   * update_child_status: stores the status and, following httpd, on STARTING → READY
   * records thread_num and the process generation; with `extended`, resets the
   * per-connection counters on READY/DEAD and stores request/client/vhost/protocol.
   * Returns the previous status.
   */
  updateChildStatus(slot: number, thread: number, status: ServerStatus, update: StatusUpdate = {}): number {
    const ws = this.worker(slot, thread);
    const old = ws.exchangeStatus(status);
    if (status === ServerStatus.SERVER_READY && old === ServerStatus.SERVER_STARTING) {
      ws.threadNum = slot * this.threadLimit + thread;
      if (update.generation !== undefined) this.process(slot).generation = update.generation;
    }
    if (update.extended) {
      if (status === ServerStatus.SERVER_READY || status === ServerStatus.SERVER_DEAD) {
        if (status === ServerStatus.SERVER_DEAD) {
          ws.myAccessCount = 0n;
          ws.myBytesServed = 0n;
          ws.times = { utime: 0n, stime: 0n, cutime: 0n, cstime: 0n };
        }
        ws.connCount = 0;
        ws.connBytes = 0n;
        ws.lastUsed = aprTimeNow();
      }
      if (update.request !== undefined) ws.request = update.request;
      if (update.client !== undefined) {
        ws.client = update.client;
        ws.client64 = update.client;
      }
      if (update.vhost !== undefined) ws.vhost = update.vhost;
      if (update.protocol !== undefined) ws.protocol = update.protocol;
    }
    return old;
  }

  /** ap_time_process_request: start/stop times, and the duration with ExtendedStatus. */
  timeProcessRequest(slot: number, thread: number, mark: RequestTiming, extended = false): void {
    const ws = this.worker(slot, thread);
    const now = aprTimeNow();
    if (mark === RequestTiming.START_PREQUEST) {
      ws.startTime = now;
      ws.lastUsed = now;
    } else {
      ws.stopTime = now;
      ws.lastUsed = now;
      if (extended) ws.duration = ws.duration + (now - ws.startTime);
    }
  }

  /**
   * Copies what idle maintenance needs for every slot into `into` (reused if its
   * limits match, so the master's once-a-second pass allocates nothing).
   */
  snapshot(into?: ScoreboardSnapshot): ScoreboardSnapshot {
    this.checkOpen();
    const { serverLimit, threadLimit, processBase, processStride, workerBase, workerStride } = this.geometry;
    const snap = into !== undefined && into.serverLimit === serverLimit && into.threadLimit === threadLimit
      ? into
      : {
          serverLimit, threadLimit, runningGeneration: 0,
          status: new Uint8Array(serverLimit * threadLimit), pid: new Int32Array(serverLimit),
          generation: new Int32Array(serverLimit), quiescing: new Uint8Array(serverLimit),
        };
    const { u8, i32 } = this.mem;
    const { p, w } = this.offsets;
    snap.runningGeneration = this.global.runningGeneration;
    for (let i = 0; i < serverLimit; i++) {
      const pb = processBase + i * processStride;
      snap.pid[i] = i32[(pb + p.pid) >> 2]!;
      snap.generation[i] = i32[(pb + p.generation) >> 2]!;
      snap.quiescing[i] = u8[pb + p.quiescing] !== 0 ? 1 : 0;
    }
    const workerCount = serverLimit * threadLimit;
    for (let k = 0; k < workerCount; k++) {
      snap.status[k] = u8[workerBase + k * workerStride + w.status]!;
    }
    return snap;
  }

  /**
   * ap_create_scoreboard on a restart: keeps the segment, stamps restart_time and
   * zeroes every process_score and worker_score. The master calls it.
   */
  resetForRestart(): void {
    this.checkOpen();
    this.global.restartTime = aprTimeNow();
    this.mem.u8.fill(0, this.geometry.processBase, this.geometry.size);
  }

  /**
   * Gives the segment to the server's User/Group after the master has created
   * it as root, so children that dropped privileges can still map it.
   */
  chown(uid: number, gid: number): void {
    this.checkOpen();
    if (this.fd !== undefined) fchownSync(this.fd, uid, gid);
    else chownSync(segmentPath(this.location), uid, gid);
  }

  /** Unmaps the segment in this process; later accessor use throws SB_CLOSED. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.native.unmap(this.buffer);
    if (this.fd !== undefined) closeSync(this.fd);
  }

  /**
   * Unmaps and removes the segment (the master at shutdown). Returns true if the
   * segment existed. Throws SB_NOT_OWNER in a process that only attached.
   */
  destroy(): boolean {
    if (!this.owner) throw new ScoreboardError('SB_NOT_OWNER', 'PF01005: only the process that created the scoreboard removes it');
    this.close();
    // A memfd has no name: closing the last descriptor and mapping frees it.
    if (this.location.kind === 'memfd') return true;
    const t = nativeTarget(this.location);
    return this.native.remove(t.kind, t.path);
  }

  private checkOpen(): void {
    if (this.closed) throw new ScoreboardError('SB_CLOSED', 'PF01006: the scoreboard was closed in this process');
  }
}

function createFailedMessage(loc: SegmentLocation): string {
  return loc.kind === 'file'
    ? `AH00001: unable to create or access scoreboard "${loc.path}" (name-based shared memory failure)`
    : 'AH00004: Unable to create or access scoreboard (anonymous shared memory failure)';
}

function mapForAttach(native: NativeScoreboard, target: { kind: NativeKind; path: string }, size: number, loc: SegmentLocation): ArrayBuffer {
  try {
    return native.map(target.kind, target.path, size, NativeOpenMode.Attach, 0);
  } catch (e) {
    const code = (e as NativeErrnoError).code;
    if (code === 'EFBIG') {
      throw new ScoreboardError('SB_TOO_SMALL', 'AH00005: Fatal error: shared scoreboard too small for child!', { cause: e });
    }
    throw new ScoreboardError('SB_ATTACH_FAILED', `PF01002: cannot attach to scoreboard ${segmentPath(loc)}: ${(e as Error).message}`, { cause: e });
  }
}
