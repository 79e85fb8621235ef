export * from './config.js';
export * from './scoreboard-port.js';
export * from './logs.js';
export { serveConnection, type ConnectionContext, type ConnectionInfo } from './http/connection.js';
export { parseRequestLine, normalizePath, unescapeUrl, parseUri, validHost } from './http/parse.js';
export { errorPage, statusLine } from './http/status.js';
export type { Request, Response } from './http/types.js';
export { runChild, runChildInProcess, type ChildRuntime } from './child-main.js';
