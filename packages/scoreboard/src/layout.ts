import { loadNative } from './load-native.js';
import type { NativeLayout, NativeScoreboard, StructLayout } from './native.js';

export type { NativeLayout, StructLayout } from './native.js';

/** prefork's MAX_SERVER_LIMIT: the largest ServerLimit httpd accepts. */
export const MAX_SERVER_LIMIT = 200000;
/** worker/event's MAX_THREAD_LIMIT; prefork always uses 1. */
export const MAX_THREAD_LIMIT = 100000;

/** Where each struct starts in a segment and how big it is, after APR_ALIGN_DEFAULT. */
export interface SegmentGeometry {
  readonly serverLimit: number;
  readonly threadLimit: number;
  /** Total size: ap_calc_scoreboard_size(). */
  readonly size: number;
  /** Offset of process_score[0] (global_score is at 0). */
  readonly processBase: number;
  /** Aligned size of one process_score. */
  readonly processStride: number;
  /** Offset of worker_score[0][0]. */
  readonly workerBase: number;
  /** Aligned size of one worker_score; slot i's threads start at workerBase + i*threadLimit*workerStride. */
  readonly workerStride: number;
}

/** The compiler's layout, read once from the addon given. */
export function readLayout(native: NativeScoreboard = loadNative()): NativeLayout {
  return native.layout();
}

function alignDefault(n: number, boundary: number): number {
  return Math.ceil(n / boundary) * boundary;
}

function checkLimit(name: string, value: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new RangeError(`${name} must be an integer from 1 to ${max}, got ${String(value)}`);
  }
}

/**
 * ap_calc_scoreboard_size: global_score, then serverLimit process_score, then
 * serverLimit × threadLimit worker_score, each size rounded up to APR_ALIGN_DEFAULT.
 */
export function calcScoreboardGeometry(layout: NativeLayout, serverLimit: number, threadLimit = 1): SegmentGeometry {
  checkLimit('serverLimit', serverLimit, MAX_SERVER_LIMIT);
  checkLimit('threadLimit', threadLimit, MAX_THREAD_LIMIT);
  const a = layout.alignDefault;
  const globalSize = alignDefault(layout.global_score.size, a);
  const processStride = alignDefault(layout.process_score.size, a);
  const workerStride = alignDefault(layout.worker_score.size, a);
  const processBase = globalSize;
  const workerBase = processBase + processStride * serverLimit;
  return {
    serverLimit,
    threadLimit,
    size: workerBase + workerStride * serverLimit * threadLimit,
    processBase,
    processStride,
    workerBase,
    workerStride,
  };
}

/** Offset of a field, failing loudly if the addon does not know it. */
export function fieldOffset(s: StructLayout, field: string): number {
  const off = s.fields[field];
  if (off === undefined) throw new Error(`scoreboard layout has no field ${field}`);
  return off;
}

/** Size of a field, failing loudly if the addon does not know it. */
export function fieldSize(s: StructLayout, field: string): number {
  const size = s.fieldSizes[field];
  if (size === undefined) throw new Error(`scoreboard layout has no field ${field}`);
  return size;
}
