export { parseStatusQuery, renderStatusAuto, renderStatusHtml, SCOREBOARD_KEY } from './render.js';
export type { StatusQuery } from './render.js';
export { WorkerStatus, STATUS_CHARS } from './snapshot.js';
export type { CpuTimes, ProcessSnapshot, StatusSnapshot, WorkerSnapshot } from './snapshot.js';
export { aprG, formatByteOut, formatKbyteOut, showTime, escapeHtml } from './format.js';
