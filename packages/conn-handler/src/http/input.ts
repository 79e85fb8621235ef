import type { Duplex } from 'node:stream';
import type { ReadStageLimits } from '../config.js';

/** Result of reading one line (ap_rgetline). */
export type LineResult =
  | { kind: 'line'; line: Buffer; crlf: boolean }
  /** The line did not end within the allowed size (APR_ENOSPC). */
  | { kind: 'toolong'; head: Buffer }
  | { kind: 'eof' }
  | { kind: 'timeout' };


/**
 * Buffered reader over a socket with a per-read timeout, as the core input filter, and
 * mod_reqtimeout's deadline for reading a request's header or body when a stage is armed.
 */
export class InputStream {
  /** A stage armed and not begun: its clock starts at the next read (cur_stage.timeout > 0). */
  private pendingStage: { name: 'header' | 'body'; limits: ReadStageLimits } | null = null;
  /** The running stage: when it ends (performance.now() ms), the most it may be extended to (0: no limit), ms added per byte. */
  private deadline: { name: 'header' | 'body'; at: number; max: number; msPerByte: number } | null = null;
  /** Set when a read timed out while a stage ran (mod_reqtimeout's APR_TIMEUP): which stage. */
  timedOutStage: 'header' | 'body' | undefined;
  /** The peer as `address:port`, for messages about this connection. */
  client: string | undefined;
  /** A stage timed out: the lingering close lasts 2 s at most (c->notes "short-lingering-close"). */
  shortLinger = false;
  private chunks: Buffer[] = [];
  private size = 0;
  private ended = false;
  private wake: (() => void) | null = null;
  /** Bytes read from the socket so far (for %I-like accounting). */
  bytesIn = 0;
  private readonly highWater = 256 * 1024;

  constructor(private readonly socket: Duplex) {
    socket.on('data', (d: Buffer) => {
      this.chunks.push(d);
      this.size += d.length;
      this.bytesIn += d.length;
      const dl = this.deadline;
      // extend_timeout: each byte received buys 1/MinRate seconds, up to the maximum.
      if (dl && dl.msPerByte > 0) dl.at = dl.max > 0 ? Math.min(dl.at + d.length * dl.msPerByte, dl.max) : dl.at + d.length * dl.msPerByte;
      if (this.size > this.highWater) socket.pause();
      this.notify();
    });
    const end = (): void => {
      this.ended = true;
      this.notify();
    };
    socket.on('end', end);
    socket.on('close', end);
    socket.on('error', end);
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Bytes already received and not consumed. */
  get buffered(): number {
    return this.size;
  }

  get atEof(): boolean {
    return this.ended && this.size === 0;
  }

  private flatten(): Buffer {
    if (this.chunks.length > 1) {
      const b = Buffer.concat(this.chunks, this.size);
      this.chunks = [b];
    }
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  private consume(n: number): Buffer {
    const b = this.flatten();
    const out = b.subarray(0, n);
    const rest = b.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.size = rest.length;
    if (this.size <= this.highWater) this.socket.resume();
    return out;
  }

  /**
   * Arms a RequestReadTimeout stage (reqtimeout_before_header / _before_body); its clock
   * starts at the next read. A stage whose timeout is 0, or none, runs without one.
   */
  armStage(name: 'header' | 'body', limits: ReadStageLimits | undefined): void {
    this.deadline = null;
    this.pendingStage = limits && limits.timeout > 0 ? { name, limits } : null;
  }

  /** No stage between requests (reqtimeout_eor). */
  disarmStage(): void {
    this.deadline = null;
    this.pendingStage = null;
  }

  private beginStage(): void {
    const p = this.pendingStage;
    if (!p) return;
    this.pendingStage = null;
    const now = performance.now();
    this.deadline = {
      name: p.name, at: now + p.limits.timeout * 1000, max: p.limits.maxTimeout > 0 ? now + p.limits.maxTimeout * 1000 : 0,
      msPerByte: p.limits.minRate > 0 ? 1000 / p.limits.minRate : 0,
    };
  }

  /** Waits for more bytes, the end of input, or the timeout; false on timeout. */
  private waitMore(timeoutMs: number): Promise<boolean> {
    if (this.ended) return Promise.resolve(true);
    let ms = timeoutMs;
    const dl = this.deadline;
    if (dl) {
      // check_time_left: past the deadline is a timeout; less than a second left waits a second.
      const left = dl.at - performance.now();
      if (left <= 0) {
        this.timedOutStage = dl.name;
        return Promise.resolve(false);
      }
      ms = Math.min(ms, Math.max(left, 1000));
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        // While a stage runs, any timeout is the stage's (mod_reqtimeout logs it).
        if (dl) this.timedOutStage = dl.name;
        resolve(false);
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }

  /**
   * Reads a line ending in LF. `maxWithEol` is the largest accepted size including the line
   * end (Apache's limit + 2 buffer, whose off-by-one lets limit + 1 characters through).
   */
  async readLine(maxWithEol: number, timeoutMs: number): Promise<LineResult> {
    this.beginStage();
    for (;;) {
      const r = this.lineNow(maxWithEol);
      if (r) return r;
      if (!(await this.waitMore(timeoutMs))) return { kind: 'timeout' };
    }
  }

  /**
   * {@link readLine} without waiting: the line when it is already here (or too long, or the
   * input has ended), null when more bytes must come first. A request's lines usually arrive
   * in one segment, and are then read with no promise each.
   */
  lineNow(maxWithEol: number): LineResult | null {
    if (this.pendingStage) this.beginStage();
    const b = this.flatten();
    const scan = Math.min(b.length, maxWithEol);
    const lf = b.subarray(0, scan).indexOf(0x0a);
    if (lf >= 0) {
      const raw = this.consume(lf + 1);
      const crlf = lf > 0 && raw[lf - 1] === 0x0d;
      return { kind: 'line', line: raw.subarray(0, crlf ? lf - 1 : lf), crlf };
    }
    if (b.length >= maxWithEol) return { kind: 'toolong', head: b.subarray(0, Math.min(b.length, maxWithEol)) };
    if (this.ended) return { kind: 'eof' };
    return null;
  }

  /** Reads up to `max` bytes (at least one unless EOF); null on EOF, 'timeout' on timeout. */
  async readSome(max: number, timeoutMs: number): Promise<Buffer | null | 'timeout'> {
    this.beginStage();
    for (;;) {
      if (this.size > 0) return Buffer.from(this.consume(Math.min(max, this.size)));
      if (this.ended) return null;
      if (!(await this.waitMore(timeoutMs))) return 'timeout';
    }
  }

  /** Waits until input is available or the peer closes; false on timeout. */
  async waitReadable(timeoutMs: number): Promise<boolean> {
    this.beginStage();
    if (this.size > 0 || this.ended) return true;
    return this.waitMore(timeoutMs);
  }

  /** Drops every byte received from now on (lingering close). */
  discardAll(): void {
    this.chunks = [];
    this.size = 0;
  }
}
