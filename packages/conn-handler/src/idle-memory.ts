/**
 * Gives a child's memory back once it has sat idle for a while.
 *
 * V8 grows a busy child's heap (objects promoted by the young generation's collections, code,
 * feedback) and keeps the pages after its ordinary collections: a child that served a burst stays
 * 5-6 MB larger for as long as it lives. A memory-reducing collection (V8's low-memory
 * notification, then malloc_trim) compacts the heap and returns the free pages. It also drops
 * optimised code, so a child that gets work again warms up again: it is done only after
 * {@link IDLE_REDUCE_MS} without a connection, and only when the heap has grown since the last
 * time. Children that keep serving are never touched; with the exclusive acceptor the spare
 * children, which the kernel wakes last, are the ones that shrink.
 */
import v8 from 'node:v8';

/** How long a child waits without a connection before it gives memory back. */
export const IDLE_REDUCE_MS = 10_000;

/** The heap growth (bytes) since the last reduction that makes another one worth its cost. */
export const REDUCE_AFTER_GROWTH = 1 << 20;

export interface IdleMemoryOptions {
  /** The memory-reducing collection (the addon's reduceMemory). */
  reduce: () => void;
  /** Called when the idle time is up; true when the child may collect now (still idle). */
  claim: () => boolean;
  /** Called after the collection, to wait for connections again. */
  release: () => void;
  /** The committed heap before and after a reduction (bytes). */
  reduced?: (before: number, after: number) => void;
  delayMs?: number;
  /** The heap's committed size (v8.getHeapStatistics().total_heap_size). */
  heapSize?: () => number;
}

export class IdleMemory {
  private timer: NodeJS.Timeout | null = null;
  /** The heap's size after the last reduction; -1 before the first. */
  private heapAfter = -1;
  /** How many reductions were made (for tests and diagnostics). */
  reductions = 0;
  private readonly delayMs: number;
  private readonly heapSize: () => number;

  constructor(private readonly o: IdleMemoryOptions) {
    this.delayMs = o.delayMs ?? IDLE_REDUCE_MS;
    this.heapSize = o.heapSize ?? (() => v8.getHeapStatistics().total_heap_size);
  }

  /** The child starts waiting for a connection. */
  idle(): void {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => this.fire(), this.delayMs);
    this.timer.unref();
  }

  /** The wait is over (a connection, the pod, a signal). */
  busy(): void {
    if (this.timer === null) return;
    clearTimeout(this.timer);
    this.timer = null;
  }

  /** Whether the heap has grown enough since the last reduction (or there has been none). */
  worthReducing(heap = this.heapSize()): boolean {
    return this.heapAfter < 0 || heap >= this.heapAfter + REDUCE_AFTER_GROWTH;
  }

  private fire(): void {
    this.timer = null;
    const before = this.heapSize();
    if (!this.worthReducing(before) || !this.o.claim()) return;
    try {
      this.o.reduce();
      this.reductions++;
      this.heapAfter = this.heapSize();
    } finally {
      this.o.release();
    }
    this.o.reduced?.(before, this.heapAfter);
  }
}
