export { escapeLogItem } from './escape.js';
export { compileLogFormat, resolveLogFormat, LogFormatError } from './compile.js';
export type { LogFormatOptions, LogFormatter } from './compile.js';
export type { HeaderSource, LogRecord, LogRequest } from './record.js';
export { DEFAULT_LOG_FORMAT, DEBIAN_LOG_FORMATS } from './formats.js';
export { strftime, explodeTime } from './strftime.js';
export type { BrokenDownTime } from './strftime.js';
