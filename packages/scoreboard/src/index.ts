/**
 * @prefork/scoreboard: httpd 2.4's scoreboard in shared memory, with the exact
 * layout of scoreboard.h, readable and writable from TypeScript.
 */
import { loadNative } from './load-native.js';
import type { NativeLayout } from './native.js';

export { ServerStatus, isIdleStatus, statusFlag, renderScoreboardString } from './status.js';
export type { StatusSource, RenderOptions } from './status.js';
export { calcScoreboardGeometry, readLayout, MAX_SERVER_LIMIT, MAX_THREAD_LIMIT } from './layout.js';
export type { SegmentGeometry, StructLayout } from './layout.js';
export type { NativeLayout, NativeScoreboard } from './native.js';
export { loadNative, NativeLoadError } from './load-native.js';
export { shmNameFor, segmentPath, inheritedFdPath } from './segment.js';
export { processTimes, parseProcStatTimes } from './times.js';
export type { SegmentLocation } from './segment.js';
export {
  Scoreboard, ScoreboardError, GlobalScore, ProcessScore, WorkerScore, RequestTiming, FIELD_WRITERS, aprTimeNow,
} from './scoreboard.js';
export type { ScoreboardErrorCode, CreateOptions, AttachOptions, StatusUpdate, ScoreboardSnapshot, Tms, Writer } from './scoreboard.js';

/**
 * The C layout of global_score, process_score and worker_score as the addon was
 * compiled: `{ size, fields: { <scoreboard.h name>: offset }, fieldSizes }`.
 * Loaded when this module is imported, so a missing addon fails at import with
 * the list of paths tried.
 */
export const layout: NativeLayout = loadNative().layout();
