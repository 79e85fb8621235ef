import fs from 'node:fs';
import type { Duplex } from 'node:stream';
import { perConfig, serverBanner, type ChildConfig } from '../config.js';
import { accessFileOnWalk, accessNeedsRemoteHost, symlinkRefused, addHandlerFor, allowOptions, checkAccess, directoryIndexFor, handlerFor, matchingSections, type ClientInfo } from '../handlers/access.js';
import { applySetEnvIf } from '../handlers/setenvif.js';
import { applySetEnv } from '../handlers/env.js';
import { remoteHostOf } from '../handlers/remote-host.js';
import { applyExpires, expiresFor } from '../handlers/expires.js';
import { autoindexConfigFor, indexDirectory } from '../handlers/autoindex.js';
import { applyHeaderEntries, checkResponseHeaders, mergedHeaders, type HeaderVars } from '../handlers/headers.js';
import { contentTypeFor, withDefaultCharset } from '../handlers/mime.js';
import { translateAlias } from '../handlers/alias.js';
import { httpDate, serveFile, statFile, walkFrom, walkPath } from '../handlers/static.js';
import { bytePath, type ErrorLog, type LogRecord } from '../logs.js';
import { Stage, type ScoreboardPort } from '../scoreboard-port.js';
import { selectVhost, vhostCandidates, vhostConfigs } from '../vhost.js';
import { InputStream } from './input.js';
import {
  HTTP_VERSION, hasToken, isKnownMethod, isChunked, normalizePath, parseRequestLine, parseStrictLength,
  parseUri, unescapeUrl, validHost,
} from './parse.js';
import { errorPage, statusDropsConnection, statusIsHeaderOnly, statusLine } from './status.js';
import { HeaderTable, OutHeaders, tableGet, tableSet, tableUnset, type Request, type Response, type Table } from './types.js';

/** Everything the engine needs besides the socket. */
export interface ConnectionContext {
  cfg: ChildConfig;
  errorLog: ErrorLog;
  /** Called once per request with its log record (CustomLog lines). */
  accessLog: (r: LogRecord) => void;
  scoreboard: ScoreboardPort;
  /** False once the child is stopping: no further keep-alive (is_mpm_running). */
  isRunning: () => boolean;
  /** Answers GET and HEAD under `SetHandler server-status`; absent when mod_status is not there. */
  serverStatus?: (req: Request, conn: ConnectionInfo) => Response;
  /**
   * What a `<VirtualHost>` (by index in cfg.vhosts) has of its own besides its configuration:
   * its ErrorLog and CustomLog writers. Absent, or a field absent: the main server's.
   */
  vhostContext?: (index: number, cfg: ChildConfig) => Partial<Pick<ConnectionContext, 'errorLog' | 'accessLog' | 'serverStatus'>>;
}

/** The context of one server (main or vhost): what a request is served with once it is chosen. */
function serverContext(main: ConnectionContext, index: number): ConnectionContext {
  const cfg = vhostConfigs(main.cfg)[index]!;
  return { ...main, cfg, ...(main.vhostContext?.(index, cfg) ?? {}) };
}

/** The peer and local addresses (conn_rec's client_ip/local_ip). */
export interface ConnectionInfo {
  remoteAddr: string;
  remotePort: number;
  localAddr: string;
  localPort: number;
}

const ALLOW = 'OPTIONS,HEAD,GET,POST,TRACE';
const MAX_BLANK_LINES = 10;

interface ConnState {
  keepalives: number;
  close: boolean;
  bytesOut: number;
}

/** Thrown inside request processing to answer with an error status (ap_die). */
class Die {
  constructor(readonly status: number, readonly opts: { location?: string; dropInput?: boolean } = {}) {}
}

function allowHeader(cfg: ChildConfig): string {
  return cfg.traceEnable === 'Off' ? 'OPTIONS,HEAD,GET,POST' : ALLOW;
}

/**
 * Serves one accepted connection to the end, as ap_process_connection does for HTTP/1.x:
 * requests in sequence (keep-alive and pipelining), then a lingering close. Never throws for
 * anything the client sends.
 */
export async function serveConnection(socket: Duplex, info: ConnectionInfo, ctx: ConnectionContext): Promise<void> {
  const input = new InputStream(socket);
  const state: ConnState = { keepalives: 0, close: false, bytesOut: 0 };
  const client = `${info.remoteAddr}:${info.remotePort}`;
  input.client = client;
  // ap_update_vhost_given_ip: the candidates for this local address; the first is the
  // connection's base server until a request names a host.
  const main = ctx;
  const candidates = main.cfg.vhosts.length > 0 ? vhostCandidates(main.cfg.vhosts, info.localAddr, info.localPort) : null;
  const serverFor = (host: string | undefined): ConnectionContext => (candidates ? serverContext(main, selectVhost(main.cfg, candidates, host)) : main);
  ctx = serverFor(undefined);
  ctx.scoreboard.setClient(info.remoteAddr);
  socket.on('error', () => {
    state.close = true;
  });
  try {
    while (!state.close) {
      ctx.scoreboard.setStatus(state.keepalives > 0 ? Stage.BUSY_KEEPALIVE : Stage.BUSY_READ);
      // mod_reqtimeout's header stage, with the connection's base server's limits: from the
      // start for a first request; after a kept-alive connection's first byte for the others.
      const headerLimits = ctx.cfg.requestReadTimeout?.header;
      if (state.keepalives === 0) input.armStage('header', headerLimits);
      const waitMs = state.keepalives > 0 ? ctx.cfg.keepAliveTimeoutMs : ctx.cfg.timeout * 1000;
      if (!(await input.waitReadable(waitMs)) || input.atEof) {
        if (state.keepalives === 0 && !input.atEof) requestLineTimedOut(input, info, ctx, state);
        break;
      }
      if (state.keepalives > 0) input.armStage('header', headerLimits);
      ctx.scoreboard.setStatus(Stage.BUSY_READ);
      const done = await handleOneRequest(socket, input, info, client, ctx, state, serverFor);
      input.disarmStage();
      if (!done) break;
      if (!ctx.isRunning()) break;
    }
  } catch (e) {
    ctx.errorLog.log('core', 'error', `PF02010: connection aborted: ${(e as Error).message}`, client);
  }
  ctx.scoreboard.setStatus(Stage.CLOSING);
  await lingeringClose(socket, input);
}

/**
 * ap_lingering_close: half-close, then drain the client for up to 2 s of silence (30 s at
 * most; 2 s at most after a RequestReadTimeout expiry, "short-lingering-close").
 */
async function lingeringClose(socket: Duplex, input: InputStream): Promise<void> {
  if (socket.destroyed) return;
  if (socket.readableEnded) {
    // The client already closed its side: nothing left to drain.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      socket.end(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    socket.destroy();
    return;
  }
  await new Promise<void>((resolve) => {
    const started = Date.now();
    let timer: NodeJS.Timeout;
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    };
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(finish, Math.min(2000, Math.max(0, (input.shortLinger ? 2000 : 30000) - (Date.now() - started))));
    };
    socket.on('data', () => {
      input.discardAll();
      arm();
    });
    socket.once('end', finish);
    socket.once('close', finish);
    socket.once('error', finish);
    arm();
    socket.end();
    socket.resume();
  });
}

function newRequest(): Request {
  return {
    method: '', uri: '', unparsedUri: '', parsedUri: null, protocol: 'HTTP/1.0', protoNum: HTTP_VERSION(1, 0),
    theRequest: '', headers: new HeaderTable(), headerOnly: false, assbackwards: false,
    requestTime: Date.now(), startHr: process.hrtime.bigint(), expecting100: false, forceClose: false,
    body: { kind: 'none' }, bodyRead: 0,
  };
}

/**
 * ap_read_request on a request line that timed out: nothing is sent, and the connection's
 * first request is logged as a 408 with no request line (later ones are not logged).
 */
function requestLineTimedOut(input: InputStream, info: ConnectionInfo, ctx: ConnectionContext, state: ConnState): void {
  readTimedOut(input, ctx, undefined);
  if (state.keepalives > 0) return;
  ctx.scoreboard.setStatus(Stage.BUSY_LOG);
  const req = newRequest();
  ctx.accessLog({
    remoteAddr: info.remoteAddr, remotePort: info.remotePort, localAddr: info.localAddr, localPort: info.localPort,
    requestLine: '', method: '', uri: '', protocol: 'HTTP/1.0', status: 408, bytesSent: 0, bytesIn: input.bytesIn, bytesOut: 0,
    requestTime: req.requestTime, durationUs: 0, headersIn: () => undefined, headersOut: () => undefined, env: () => undefined,
    serverName: ctx.cfg.serverName, pid: process.pid, keepAlives: state.keepalives,
  });
}

/** Reads, processes and answers one request; false when the connection must end. */
async function handleOneRequest(
  socket: Duplex, input: InputStream, info: ConnectionInfo, client: string, ctx: ConnectionContext, state: ConnState,
  serverFor: (host: string | undefined) => ConnectionContext,
): Promise<boolean> {
  let { cfg, errorLog } = ctx;
  const req = newRequest();
  req.localPort = info.localPort;
  const strict = cfg.httpProtocolOptions.strict;
  const timeoutMs = cfg.timeout * 1000;
  // read_request_line: blank lines before the request are skipped (a few of them).
  let line: string | null = null;
  for (let blanks = 0; blanks <= MAX_BLANK_LINES; blanks++) {
    const r = input.lineNow(cfg.limitRequestLine + 3) ?? (await input.readLine(cfg.limitRequestLine + 3, timeoutMs));
    req.requestTime = Date.now();
    req.startHr = process.hrtime.bigint();
    if (r.kind === 'eof') return false;
    if (r.kind === 'timeout') {
      // Nothing is sent for a request line that never came; a first request is logged as 408.
      requestLineTimedOut(input, info, ctx, state);
      return false;
    }
    if (r.kind === 'toolong') {
      // The request line as far as Apache read it: LimitRequestLine + 1 characters.
      req.theRequest = r.head.subarray(0, cfg.limitRequestLine + 1).toString('latin1');
      errorLog.log('core', 'info', `AH00565: request failed: client's request-line exceeds LimitRequestLine (longer than ${cfg.limitRequestLine})`, client);
      return finishWithError(socket, input, info, ctx, state, req, 414, { dropInput: true });
    }
    if (strict && !r.crlf) {
      // Apache keeps the line with its bare LF as the request (%r shows it, escaped).
      req.theRequest = r.line.toString('latin1') + '\n';
      errorLog.log('core', 'debug', 'AH00566: request failed: malformed request line', client);
      return finishWithError(socket, input, info, ctx, state, req, 400, { dropInput: true });
    }
    if (r.line.length > 0) {
      line = r.line.toString('latin1');
      break;
    }
  }
  if (line === null) return false;
  ctx.scoreboard.setRequest(line);
  const parsed = parseRequestLine(line, cfg.httpProtocolOptions, cfg.registeredMethods);
  req.method = parsed.method;
  req.protocol = parsed.protocol;
  req.protoNum = parsed.protoNum;
  req.assbackwards = parsed.assbackwards;
  req.theRequest = parsed.theRequest;
  req.unparsedUri = parsed.uri;
  req.headerOnly = parsed.method === 'HEAD';
  req.parsedUri = parseUri(parsed.uri, parsed.method);
  if (req.parsedUri) {
    req.args = req.parsedUri.query;
    req.uri = req.parsedUri.path || (parsed.method === 'OPTIONS' ? '*' : '/');
    if (req.parsedUri.scheme && req.parsedUri.scheme.toLowerCase() === 'http' && req.parsedUri.hostname) req.hostname = req.parsedUri.hostname.toLowerCase();
    if (parsed.method === 'CONNECT') req.hostname = req.parsedUri.hostname;
  } else {
    req.uri = parsed.uri;
  }
  if (parsed.error) {
    errorLog.log('core', 'debug', parsed.error.log, client);
    return finishWithError(socket, input, info, ctx, state, req, parsed.error.status, { dropInput: true });
  }
  const badTarget = !req.parsedUri
    || (req.parsedUri.path !== '' && !req.parsedUri.path.startsWith('/') && !(parsed.method === 'OPTIONS' && req.parsedUri.path === '*'));
  if (badTarget || (strict && req.parsedUri && (req.parsedUri.fragment !== undefined || req.parsedUri.user !== undefined))) {
    errorLog.log('core', 'debug', `AH03450: HTTP Request Line; Unable to parse URI: '${req.uri.slice(0, 80)}'`, client);
    return finishWithError(socket, input, info, ctx, state, req, 400, { dropInput: true });
  }

  if (!req.assbackwards) {
    const hdr = await readHeaders(input, req, ctx, client, strict, timeoutMs);
    if (hdr !== 0) {
      if (hdr !== 408) errorLog.log('core', 'debug', 'AH00567: request failed: error reading the headers', client);
      return finishWithError(socket, input, info, ctx, state, req, hdr, { dropInput: true });
    }
    const clen = req.headers.get('Content-Length');
    let length: number | null = null;
    if (clen !== undefined) {
      length = parseStrictLength(clen);
      if (length === null) {
        errorLog.log('core', 'debug', `AH10242: client sent invalid Content-Length (${clen}): ${req.uri}`, client);
        return finishWithError(socket, input, info, ctx, state, req, 400, { dropInput: true });
      }
    }
    const tenc = req.headers.get('Transfer-Encoding');
    if (tenc !== undefined) {
      if (!isChunked(tenc)) {
        errorLog.log('core', 'debug', `AH02539: client sent unknown Transfer-Encoding (${tenc}): ${req.uri}`, client);
        return finishWithError(socket, input, info, ctx, state, req, 400, { dropInput: true });
      }
      if (clen !== undefined) {
        req.headers.delete('Content-Length');
        req.forceClose = true;
      }
      req.body = { kind: 'chunked' };
    } else if (length !== null && length > 0) {
      req.body = { kind: 'length', remaining: length };
    }
  }

  // ap_check_request_header: Host validity, Host required for HTTP/1.1, Expect.
  const hostHeader = req.headers.get('Host');
  // fix_hostname also checks a host taken from an absolute-form target.
  if (req.hostname && req.method !== 'CONNECT' && validHost(req.hostname.includes(':') ? `[${req.hostname}]` : req.hostname) === null) {
    errorLog.log('core', 'debug', `AH00550: Client sent malformed Host header: ${req.hostname}`, client);
    return finishWithError(socket, input, info, ctx, state, req, 400);
  }
  if (!req.hostname && hostHeader !== undefined) {
    const h = validHost(hostHeader);
    if (h === null) {
      errorLog.log('core', 'debug', `AH00550: Client sent malformed Host header: ${hostHeader}`, client);
      return finishWithError(socket, input, info, ctx, state, req, 400);
    }
    req.hostname = h;
    const port = /:(\d+)$/.exec(hostHeader)?.[1];
    if (port !== undefined) req.hostPort = Number(port);
  }
  // ap_update_vhost_from_headers: the request's server by its host name.
  ctx = serverFor(req.hostname);
  ({ cfg, errorLog } = ctx);
  if ((!req.hostname && req.protoNum >= HTTP_VERSION(1, 1)) || (req.protoNum === HTTP_VERSION(1, 1) && hostHeader === undefined)) {
    errorLog.log('core', 'debug', `AH00569: client sent HTTP/1.1 request without hostname (see RFC2616 section 14.23): ${req.uri}`, client);
    return finishWithError(socket, input, info, ctx, state, req, 400);
  }
  const expect = req.headers.get('Expect');
  if (expect !== undefined && expect !== '') {
    if (expect.toLowerCase() === '100-continue') {
      req.expecting100 = true;
    } else {
      errorLog.log('core', 'info', `AH00570: client sent an unrecognized expectation value of Expect: ${expect}`, client);
      return finishWithError(socket, input, info, ctx, state, req, 417);
    }
  }
  if (req.parsedUri?.scheme && !/^https?$/i.test(req.parsedUri.scheme)) {
    return finishWithError(socket, input, info, ctx, state, req, 400);
  }

  // post_read_request: mod_headers' early lines (first), then mod_setenvif's outside sections.
  req.env = new Map();
  if (cfg.headers) earlyHeaders(cfg, req, ctx);
  // mod_reqtimeout's body stage (the request's server's limits; none for CONNECT), from the first body read.
  input.armStage('body', req.method === 'CONNECT' ? undefined : cfg.requestReadTimeout?.body);
  applySetEnvIf(cfg.setEnvIf, req, info, req.env);

  let res: Response;
  try {
    res = await processRequest(socket, input, info, client, ctx, req);
  } catch (e) {
    if (e instanceof Die) return finishWithError(socket, input, info, ctx, state, req, e.status, e.opts);
    throw e;
  }
  if (!req.forceClose && req.body.kind !== 'none') {
    // ap_discard_request_body before keep-alive: an unread body must not become the next request.
    const st = await discardBody(socket, input, req, ctx);
    if (st !== 0) req.forceClose = true;
  }
  return sendAndLog(socket, input, info, ctx, state, req, res);
}

/** ap_get_mime_headers_core: 0, or the status to answer with. */
async function readHeaders(input: InputStream, req: Request, ctx: ConnectionContext, client: string, strict: boolean, timeoutMs: number): Promise<number> {
  const { cfg, errorLog } = ctx;
  let last: string | null = null;
  let fields = 0;
  const limit = cfg.limitRequestFieldSize;
  const fieldName = (f: string): string => {
    const c = f.indexOf(':');
    return c < 0 || c > 80 ? f.slice(0, 80) : f.slice(0, c);
  };
  for (;;) {
    const r = input.lineNow(limit + 3) ?? (await input.readLine(limit + 3, timeoutMs));
    if (r.kind === 'timeout') return readTimedOut(input, ctx, req);
    if (r.kind === 'eof') return 400;
    if (r.kind === 'toolong') {
      req.errorNotes = 'Size of a request header field exceeds server limit.';
      const head = r.head.toString('latin1');
      errorLog.log('core', 'info', `AH00561: Request header exceeds LimitRequestFieldSize${head ? ': ' : ''}${fieldName(head)}`, client);
      return 400;
    }
    if (strict && !r.crlf) return 400;
    let field = r.line.toString('latin1');
    while (field.length > 1 && (field.endsWith(' ') || field.endsWith('\t'))) field = field.slice(0, -1);
    if (field.startsWith(' ') || field.startsWith('\t')) {
      if (last === null) {
        errorLog.log('core', 'debug', 'AH03442: Line folding encountered before first header line', client);
        return 400;
      }
      if (field.length === 1) {
        errorLog.log('core', 'debug', 'AH03443: Empty folded line encountered', client);
        return 400;
      }
      const cont = field.replace(/^[ \t]+/, '');
      if (last.length + cont.length + 2 >= limit) {
        req.errorNotes = 'Size of a request header field exceeds server limit.';
        errorLog.log('core', 'info', `AH00562: Request header exceeds LimitRequestFieldSize after folding: ${fieldName(last)}`, client);
        return 400;
      }
      last = last + ' ' + cont;
      continue;
    }
    if (last !== null) {
      if (cfg.limitRequestFields && ++fields > cfg.limitRequestFields) {
        req.errorNotes = "The number of request header fields exceeds this server's limit.";
        errorLog.log('core', 'info', 'AH00563: Number of request headers exceeds LimitRequestFields', client);
        return 400;
      }
      const st = storeField(req, last, strict, ctx, client);
      if (st !== 0) return st;
    }
    if (field.length === 0) break;
    last = field;
  }
  for (const [k, v] of req.headers.raw) {
    if (v.length > limit) {
      req.errorNotes = 'Size of a request header field exceeds server limit.';
      errorLog.log('core', 'info', `AH00560: Request header exceeds LimitRequestFieldSize after merging: ${k.slice(0, 80)}`, client);
      return 400;
    }
  }
  return 0;
}

function storeField(req: Request, line: string, strict: boolean, ctx: ConnectionContext, client: string): number {
  const colon = line.indexOf(':');
  if (strict) {
    const m = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/.exec(line);
    if (!m || line[m[0].length] !== ':') {
      ctx.errorLog.log('core', 'debug', `AH02426: Request header field name is malformed: ${line.slice(0, 80)}`, client);
      return 400;
    }
    const value = line.slice(colon + 1).replace(/^[ \t]+/, '');
    if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) {
      ctx.errorLog.log('core', 'debug', `AH02427: Request header value is malformed: ${value.slice(0, 80)}`, client);
      return 400;
    }
    req.headers.add(line.slice(0, colon), value);
    return 0;
  }
  if (colon < 0) {
    ctx.errorLog.log('core', 'debug', `AH00564: Request header field is missing ':' separator: ${line.slice(0, 80)}`, client);
    return 400;
  }
  if (colon === 0) {
    ctx.errorLog.log('core', 'debug', 'AH03453: Request header field name was empty', client);
    return 400;
  }
  const name = line.slice(0, colon);
  if (/[\t\n\v\f\r ]/.test(name)) {
    ctx.errorLog.log('core', 'debug', 'AH03452: Request header field name presented invalid whitespace', client);
    return 400;
  }
  const value = line.slice(colon + 1).replace(/^[ \t]+/, '');
  if (/[\n\v\f\r]/.test(value)) {
    ctx.errorLog.log('core', 'debug', 'AH03451: Request header field value presented bad whitespace', client);
    return 400;
  }
  req.headers.add(name, value);
  return 0;
}

/**
 * A read that timed out (ap_map_http_request_error: 408). When RequestReadTimeout's stage
 * ran, mod_reqtimeout logs it, the connection closes after the answer, and lingers 2 s at most.
 */
function readTimedOut(input: InputStream, ctx: ConnectionContext, req: Request | undefined): 408 {
  const stage = input.timedOutStage;
  if (stage !== undefined) {
    input.timedOutStage = undefined;
    ctx.errorLog.log('reqtimeout', 'info', `AH01382: Request ${stage} read timeout`, input.client);
    if (req) req.forceClose = true;
    input.shortLinger = true;
  }
  return 408;
}

/** Reads and drops the request body (ap_discard_request_body); 0 or an error status. */
async function discardBody(socket: Duplex, input: InputStream, req: Request, ctx: ConnectionContext): Promise<number> {
  const { cfg } = ctx;
  const timeoutMs = cfg.timeout * 1000;
  const limit = cfg.limitRequestBody;
  if (req.body.kind === 'none') return 0;
  if (req.expecting100 && req.protoNum >= HTTP_VERSION(1, 1)) {
    socket.write('HTTP/1.1 100 Continue\r\n\r\n');
    req.expecting100 = false;
  }
  if (req.body.kind === 'length') {
    if (limit && req.body.remaining > limit) return 413;
    while (req.body.remaining > 0) {
      const b = await input.readSome(req.body.remaining, timeoutMs);
      if (b === 'timeout') return readTimedOut(input, ctx, req);
      if (b === null) return 400;
      req.body.remaining -= b.length;
      req.bodyRead += b.length;
    }
    req.body = { kind: 'none' };
    return 0;
  }
  for (;;) {
    const sizeLine = await input.readLine(cfg.limitRequestFieldSize + 3, timeoutMs);
    if (sizeLine.kind === 'timeout') return readTimedOut(input, ctx, req);
    if (sizeLine.kind !== 'line') return 400;
    const m = /^([0-9A-Fa-f]+)[ \t]*(;.*)?$/.exec(sizeLine.line.toString('latin1'));
    if (!m || m[1]!.length > 15) return 400;
    const size = parseInt(m[1]!, 16);
    if (size === 0) break;
    if (limit && req.bodyRead + size > limit) return 413;
    let left = size;
    while (left > 0) {
      const b = await input.readSome(left, timeoutMs);
      if (b === 'timeout') return readTimedOut(input, ctx, req);
      if (b === null) return 400;
      left -= b.length;
      req.bodyRead += b.length;
    }
    const crlf = await input.readLine(3, timeoutMs);
    if (crlf.kind === 'timeout') return readTimedOut(input, ctx, req);
    if (crlf.kind !== 'line' || crlf.line.length !== 0) return 400;
  }
  for (;;) {
    const t = await input.readLine(cfg.limitRequestFieldSize + 3, timeoutMs);
    if (t.kind === 'timeout') return readTimedOut(input, ctx, req);
    if (t.kind !== 'line') return 400;
    if (t.line.length === 0) break;
  }
  req.body = { kind: 'none' };
  return 0;
}

function serverSignature(cfg: ChildConfig, req: Request): string {
  if (cfg.serverSignature === 'Off') return '';
  const name = serverNameFor(cfg, req);
  const port = serverPort(cfg, req);
  if (cfg.serverSignature === 'EMail') {
    const admin = cfg.serverAdmin ?? '[no address given]';
    const href = /^[a-z][a-z0-9+.-]*:/i.test(admin) ? admin : `mailto:${admin}`;
    return `<hr>\n<address>${serverBanner(cfg)} Server at <a href="${href}">${name}</a> Port ${port}</address>\n`;
  }
  return `<hr>\n<address>${serverBanner(cfg)} Server at ${name} Port ${port}</address>\n`;
}

/**
 * ap_get_server_port. UseCanonicalName Off: the port the client named (Host header or absolute
 * URI), else ServerName's port, else 80. On: ServerName's port, else the local port.
 */
function serverPort(cfg: ChildConfig, req: Request): number {
  if (cfg.useCanonicalName === 'On') return cfg.serverNamePort ?? req.localPort ?? 80;
  const uriPort = req.parsedUri?.hostname && req.parsedUri.port ? Number(req.parsedUri.port) : undefined;
  return uriPort ?? req.hostPort ?? cfg.serverNamePort ?? 80;
}

function serverNameFor(cfg: ChildConfig, req: Request): string {
  if (cfg.useCanonicalName === 'On') return cfg.serverName;
  return req.hostname ?? cfg.serverName;
}

/** The self-referencing URL base (ap_construct_url): scheme, host and port unless default. */
function selfUrlBase(cfg: ChildConfig, req: Request): string {
  const port = serverPort(cfg, req);
  return `http://${serverNameFor(cfg, req)}${port === 80 ? '' : ':' + port}`;
}

function errorResponse(cfg: ChildConfig, req: Request, status: number, opts: { location?: string; text?: string; recursiveError?: number } = {}): Response {
  const res = cannedResponse(cfg, req, status, opts);
  res.errorPath = true;
  return res;
}

function cannedResponse(cfg: ChildConfig, req: Request, status: number, opts: { location?: string; text?: string; recursiveError?: number }): Response {
  const headers = new OutHeaders();
  if (statusIsHeaderOnly(status)) return { status, headers, body: { kind: 'empty' }, noContentLength: true };
  if (opts.location) headers.set('Location', opts.location);
  if (status === 405 || status === 501) headers.set('Allow', allowHeader(cfg));
  const page = opts.text ?? errorPage(status, {
    method: req.method, location: opts.location, errorNotes: req.errorNotes,
    expect: req.headers.get('Expect'), signature: serverSignature(cfg, req),
    ...(cfg.serverAdmin !== undefined ? { admin: cfg.serverAdmin } : {}),
    ...(opts.recursiveError !== undefined ? { recursiveError: opts.recursiveError } : {}),
  });
  const data = Buffer.from(page, 'latin1');
  if (req.headerOnly) return { status, headers, contentType: 'text/html; charset=iso-8859-1', body: { kind: 'empty' }, noContentLength: true };
  if (status === 416) return { status, headers, contentType: 'text/html; charset=iso-8859-1', body: { kind: 'unsized', data } };
  headers.set('Content-Length', String(data.length));
  return { status, headers, contentType: 'text/html; charset=iso-8859-1', body: { kind: 'buffer', data } };
}

async function finishWithError(
  socket: Duplex, input: InputStream, info: ConnectionInfo, ctx: ConnectionContext, state: ConnState,
  req: Request, status: number, opts: { location?: string; dropInput?: boolean } = {},
): Promise<boolean> {
  if (opts.dropInput || statusDropsConnection(status)) {
    req.forceClose = true;
    req.body = { kind: 'none' };
  }
  if (req.assbackwards && statusDropsConnection(status)) req.assbackwards = false;
  const res = customErrorResponse(ctx, req, status, opts, info) ?? errorResponse(ctx.cfg, req, status, opts);
  if (!req.forceClose && req.body.kind !== 'none') {
    const st = await discardBody(socket, input, req, ctx);
    if (st !== 0) req.forceClose = true;
  }
  return sendAndLog(socket, input, info, ctx, state, req, res);
}

/** The ErrorDocument for a status: the server's, then the sections that apply to the request. */
function errorDocumentFor(cfg: ChildConfig, req: Request, status: number): string | undefined {
  const key = String(status);
  let doc = cfg.errorDocuments[key];
  if (req.walkedUri !== undefined) {
    for (const s of matchingSections(cfg, req.filename, req.filenameIsDir ?? false, req.walkedUri)) {
      const d = s.errorDocuments?.[key];
      if (d !== undefined) doc = d;
    }
  }
  return doc;
}

/**
 * ap_die with an ErrorDocument: `"text` is sent as the body, a full URL becomes a 302 to it, a
 * local URL is served (as GET, without conditionals or ranges) with the error's status; when
 * that document cannot be served the canned page says so ("Additionally, …"). `default` and no
 * ErrorDocument: undefined (the canned page).
 */
function customErrorResponse(
  ctx: ConnectionContext, req: Request, status: number, opts: { location?: string }, info: ConnectionInfo,
): Response | undefined {
  const { cfg } = ctx;
  if (statusIsHeaderOnly(status) || status < 400 && !opts.location) return undefined;
  const doc = errorDocumentFor(cfg, req, status);
  if (doc === undefined || doc === 'default') return undefined;
  // set_error_document: a value with a space, or neither a local path nor a URL, is a message.
  const isMessage = doc.startsWith('"') || doc.includes(' ') || !(doc.startsWith('/') || /^[a-z][a-z0-9+.-]*:\/\//i.test(doc));
  if (isMessage) return errorResponse(cfg, req, status, { ...opts, text: doc.startsWith('"') ? doc.slice(1) : doc });
  if (!doc.startsWith('/')) return errorResponse(cfg, req, 302, { location: doc });
  // The redirected request's variables (internal_internal_redirect): the request's renamed
  // REDIRECT_x, and REDIRECT_STATUS; the document's sections add theirs. They are what the
  // access log's %{x}e reads, whether the document is served or fails.
  const env = redirectedEnv(req.env, status);
  const served = serveErrorDocument(ctx, req, doc, info, env);
  if (served.kind === 'file') {
    served.res.status = status;
    served.res.logEnv = env;
    return served.res;
  }
  // The document's own failure is logged; the response reports the original error.
  const res = errorResponse(cfg, { ...req, method: 'GET' }, status, { ...opts, recursiveError: status });
  res.logAs = { status: served.status, bytes: 0 };
  res.logEnv = env;
  return res;
}

/**
 * ap_internal_redirect to an ErrorDocument's local URL, for the static files this server serves.
 * `env` is the redirected request's variables; the document's sections add to it.
 */
function serveErrorDocument(
  ctx: ConnectionContext, req: Request, doc: string, conn: ConnectionInfo, env: Map<string, string>,
): { kind: 'file'; res: Response } | { kind: 'failed'; status: number } {
  const { cfg, errorLog } = ctx;
  const client = `${conn.remoteAddr}:${conn.remotePort}`;
  const q = doc.indexOf('?');
  const normalized = normalizePath(q < 0 ? doc : doc.slice(0, q));
  const args = q < 0 ? undefined : doc.slice(q + 1);
  if (normalized === null) return { kind: 'failed', status: 400 };
  const un = unescapeUrl(normalized);
  if ('status' in un) return { kind: 'failed', status: un.status };
  const uri = un.ok;
  const translated = translateAlias(cfg.aliases, uri, args);
  if (translated?.kind === 'redirect') return { kind: 'failed', status: translated.status };
  const walked = translated ? walkFrom(translated.filename, '') : walkPath(cfg, uri);
  let filename = walked.filename;
  let info = walked.info;
  // ap_internal_redirect to the document: a GET (HEAD stays HEAD, GET's number too).
  // The document's sections' SetEnvIf (header_parser, before access is checked) and SetEnv
  // (fixups). The server-level SetEnvIf ran at post_read_request, which a redirect does not
  // run again.
  const isDir = info?.isDir ?? false;
  const sections = matchingSections(cfg, walked.filename, isDir, uri);
  const docReq: Request = { ...req, uri };
  for (const s of sections) applySetEnvIf(s.setEnvIf, docReq, conn, env);
  if (!accessChecked(ctx, filename, isDir, { remoteAddr: conn.remoteAddr, localAddr: conn.localAddr, env, remoteHost: req.remoteHost }, uri, 'GET', client)) {
    return { kind: 'failed', status: 403 };
  }
  if (hasEnvLines(cfg)) applySetEnv(cfg.env, sections, env);
  if (translated?.kind === 'script') return { kind: 'failed', status: 403 };
  if (info?.isDir && !walked.pathInfo && uri.endsWith('/')) {
    for (const name of directoryIndexFor(cfg, filename)) {
      const candidate = filename.replace(/\/$/, '') + '/' + name;
      const st = statFile(candidate);
      if (!('errno' in st) && st.isFile) {
        filename = candidate;
        info = st;
        break;
      }
    }
  }
  if (!info || walked.pathInfo) {
    errorLog.log('core', 'info', `AH00128: File does not exist: ${walked.filename}${walked.pathInfo ?? ''}`, client);
    return { kind: 'failed', status: 404 };
  }
  if (!info.isFile) return { kind: 'failed', status: info.isDir ? 404 : 403 };
  // The error's status keeps conditionals and ranges off the document (ap_meets_conditions and
  // the byterange filter pass a non-200 by); only mod_deflate reads the request's headers here.
  const headers = new HeaderTable();
  const acceptEncoding = req.headers.get('Accept-Encoding');
  if (acceptEncoding !== undefined) headers.add('Accept-Encoding', acceptEncoding);
  const sub: Request = { ...req, method: 'GET', uri, headers, filename, env, errorDocument: true, ...(args !== undefined ? { args } : {}) };
  try {
    refuseUnknownHandler(cfg, sub, filename, client, errorLog);
    fs.accessSync(bytePath(filename), fs.constants.R_OK);
  } catch {
    return { kind: 'failed', status: 403 };
  }
  const res = serveFile(cfg, sub, filename, info);
  res.dirOf = { uri, filename };
  return { kind: 'file', res };
}

/** rename_original_env, and REDIRECT_STATUS: the variables a redirected request starts with. */
function redirectedEnv(original: Map<string, string> | undefined, status: number): Map<string, string> {
  const env = new Map<string, string>();
  for (const [k, v] of original ?? []) env.set(`redirect_${k}`, v);
  env.set('redirect_status', String(status));
  return env;
}

/** From a parsed, accepted request to its response (ap_process_request_internal + handler). */
async function processRequest(
  socket: Duplex, input: InputStream, info: ConnectionInfo, client: string, ctx: ConnectionContext, req: Request,
): Promise<Response> {
  const { cfg, errorLog } = ctx;
  if (req.method === 'TRACE') return traceResponse(cfg, req);
  if (req.uri === '*') {
    if (req.method === 'OPTIONS') {
      const headers = new OutHeaders();
      headers.set('Content-Length', '0');
      return { status: 200, headers, body: { kind: 'empty' } };
    }
    throw new Die(400);
  }
  if (req.method !== 'CONNECT') {
    const normalized = normalizePath(req.parsedUri?.path || '/');
    if (normalized === null) {
      errorLog.log('core', 'error', `AH10244: invalid URI path (${req.unparsedUri})`, client);
      throw new Die(400);
    }
    const un = unescapeUrl(normalized);
    if ('status' in un) {
      if (un.status === 404) errorLog.log('core', 'info', `AH00026: found %2f (encoded '/') in URI path (${req.unparsedUri}), returning 404`, client);
      throw new Die(un.status);
    }
    req.uri = un.ok;
    req.walkedUri = un.ok;
  }
  if (req.method === 'CONNECT') throw new Die(405);

  // translate_name: mod_alias, then DocumentRoot.
  const translated = translateAlias(cfg.aliases, req.uri, req.args);
  if (translated?.kind === 'redirect') {
    if (translated.location === undefined) throw new Die(translated.status);
    const location = translated.location.startsWith('/') ? selfUrlBase(cfg, req) + translated.location : translated.location;
    throw new Die(translated.status, { location });
  }
  const walked = translated ? walkFrom(translated.filename, '') : walkPath(cfg, req.uri);
  req.filename = walked.filename;
  req.pathInfo = walked.pathInfo;
  req.filenameIsDir = walked.info?.isDir ?? false;
  if (walked.errno === 'ENAMETOOLONG' || walked.errno === 'EACCES') {
    const os = walked.errno === 'ENAMETOOLONG' ? '(36)File name too long' : '(13)Permission denied';
    errorLog.log('core', 'error', `AH00127: Cannot map ${req.theRequest} to file`, client, os);
    throw new Die(403);
  }
  const isDir = walked.info?.isDir ?? false;
  // ap_directory_walk follows a symbolic link only where Options allows it.
  const link = symlinkRefused(cfg, walked.filename + (walked.pathInfo ?? ''), walked.info === null || walked.info === undefined);
  if (link !== undefined) {
    errorLog.log('core', 'error', `AH00037: Symbolic link not allowed or link target not accessible: ${link}`, client);
    throw new Die(403);
  }
  // ap_directory_walk reads the access files AllowOverride lets in; this server reads none,
  // and serving without their rules could open what they close.
  const accessFile = accessFileOnWalk(cfg, walked.filename, isDir);
  if (accessFile !== undefined) {
    errorLog.log('core', 'alert', `PF02011: ${accessFile}: access files are not read by this server, and AllowOverride lets this one apply; the request is refused`, client);
    throw new Die(500);
  }
  // header_parser: mod_setenvif's lines in the sections that apply, before access is checked.
  const sections = matchingSections(cfg, walked.filename, isDir, req.uri);
  const env = (req.env ??= new Map());
  for (const s of sections) applySetEnvIf(s.setEnvIf, req, info, env);
  if (accessNeedsRemoteHost(cfg, walked.filename, isDir, req.uri)) req.remoteHost = await remoteHostOf(info);
  const clientInfo: ClientInfo = { remoteAddr: info.remoteAddr, localAddr: info.localAddr, env, remoteHost: req.remoteHost };
  if (!accessChecked(ctx, walked.filename, isDir, clientInfo, req.uri, req.method, client)) throw new Die(403);
  // mod_alias's fixup: Redirect/RedirectMatch inside sections, the innermost section's first.
  if (sections.some((s) => s.redirects !== undefined)) {
    const sectionRedirects = [...sections].reverse().flatMap((s) => s.redirects ?? []);
    const r = translateAlias(sectionRedirects, req.uri, req.args);
    if (r?.kind === 'redirect') {
      if (r.location === undefined) throw new Die(r.status);
      const location = r.location.startsWith('/') ? selfUrlBase(cfg, req) + r.location : r.location;
      throw new Die(r.status, { location });
    }
  }
  if (translated?.kind === 'script') {
    // ScriptAlias names programs; this server runs none and never sends them as files.
    errorLog.log('alias', 'error', `PF02010: ${translated.rule.kind === 'scriptalias' ? 'ScriptAlias' : 'ScriptAliasMatch'} ${translated.rule.from} maps to programs, which this server does not run: ${walked.filename}`, client);
    throw new Die(403);
  }
  // fixups: mod_env's variables, then mod_dir's trailing-slash redirect, then mod_headers' RequestHeader lines.
  if (hasEnvLines(cfg)) applySetEnv(cfg.env, sections, env);
  if (isDir && !walked.pathInfo && !req.uri.endsWith('/') && cfg.directorySlash && (req.method === 'GET' || req.method === 'HEAD')
    && handlerFor(cfg, req.uri, walked.filename, isDir) !== 'server-status') {
    const location = `${selfUrlBase(cfg, req)}${encodeURIPath(req.uri)}/${req.args !== undefined ? '?' + req.args : ''}`;
    throw new Die(301, { location });
  }
  const inLines = hasHeaderLines(cfg) ? mergedHeaders(cfg.headers, sections)?.fixupIn : undefined;
  if (inLines?.length) {
    applyHeaderEntries(inLines, req.headers.compressed(), headerVars(ctx, req), { early: false });
    req.headers.changed();
  }
  // mod_status answers GET (and so HEAD) under its handler; any other method falls through to
  // the default handler, as status_handler declines it.
  if (ctx.serverStatus && (req.method === 'GET' || req.method === 'HEAD') && handlerFor(cfg, req.uri, walked.filename, isDir) === 'server-status') {
    return ctx.serverStatus(req, info);
  }

  // mod_dir: trailing-slash redirect and DirectoryIndex.
  let filename = walked.filename;
  let fileInfo = walked.info;
  if (isDir && !walked.pathInfo) {
    if (req.uri.endsWith('/')) {
      for (const name of directoryIndexFor(cfg, filename)) {
        const candidate = filename.replace(/\/$/, '') + '/' + name;
        const st = statFile(candidate);
        if (!('errno' in st) && st.isFile) {
          if (req.remoteHost === undefined && accessNeedsRemoteHost(cfg, candidate, false, req.uri)) clientInfo.remoteHost = req.remoteHost = await remoteHostOf(info);
          if (!accessChecked(ctx, candidate, false, clientInfo, req.uri, req.method, client)) throw new Die(403);
          filename = candidate;
          fileInfo = st;
          req.filename = candidate;
          break;
        }
      }
    }
  }

  // mod_autoindex's handler: a directory with no index file, for GET (and HEAD).
  if (cfg.autoindex && fileInfo?.isDir && !walked.pathInfo && (req.method === 'GET' || req.method === 'HEAD')) {
    const handler = handlerFor(cfg, req.uri, filename, true);
    if (handler === undefined || handler.toLowerCase() === 'default-handler') return autoindexResponse(socket, input, info, client, ctx, req, filename);
  }

  // The default handler (core.c default_handler).
  if (!isKnownMethod(req.method, cfg.registeredMethods)) {
    errorLog.log('core', 'error', `AH00135: Invalid method in request ${req.theRequest}`, client);
    throw new Die(501);
  }
  if (fileInfo?.isFile && !walked.pathInfo) refuseUnknownHandler(cfg, req, filename, client, errorLog);
  if (req.method === 'OPTIONS') {
    const headers = new OutHeaders();
    headers.set('Allow', allowHeader(cfg));
    headers.set('Content-Length', '0');
    const type = fileInfo && !fileInfo.isDir ? withDefaultCharset(cfg, contentTypeFor(cfg, filename)) : undefined;
    return { status: 200, headers, contentType: type, body: { kind: 'empty' } };
  }
  if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'POST') throw new Die(405);
  const st = await discardBody(socket, input, req, ctx);
  if (st !== 0) throw new Die(st, { dropInput: true });
  if (!fileInfo) {
    errorLog.log('core', 'info', `AH00128: File does not exist: ${filename}${walked.pathInfo ?? ''}`, client);
    throw new Die(404);
  }
  if (walked.pathInfo) {
    errorLog.log('core', 'info', `AH00130: File does not exist: ${filename}${walked.pathInfo}`, client);
    throw new Die(404);
  }
  if (fileInfo.isDir) {
    errorLog.log('core', 'info', `AH00129: Attempt to serve directory: ${filename}`, client);
    throw new Die(404);
  }
  if (!fileInfo.isFile) throw new Die(403);
  try {
    fs.accessSync(bytePath(filename), fs.constants.R_OK);
  } catch {
    errorLog.log('core', 'error', `AH00132: file permissions deny server access: ${filename}`, client, '(13)Permission denied');
    throw new Die(403);
  }
  const res = serveFile(cfg, req, filename, fileInfo);
  if (res.status === 416) throw new Die(416);
  return res;
}

/** handle_autoindex: the listing where Options allows Indexes, else 403 (AH01276). */
async function autoindexResponse(
  socket: Duplex, input: InputStream, info: ConnectionInfo, client: string, ctx: ConnectionContext, req: Request, filename: string,
): Promise<Response> {
  const { cfg, errorLog } = ctx;
  const dir = filename.endsWith('/') ? filename : `${filename}/`;
  const sections = matchingSections(cfg, filename, true, req.uri);
  if (!allowOptions(cfg, sections).has('Indexes')) {
    errorLog.log('autoindex', 'error', `AH01276: Cannot serve directory ${dir}: No matching DirectoryIndex (${directoryIndexFor(cfg, filename).join(',') || 'none'}) found, and server-generated directory index forbidden by Options directive`, client);
    throw new Die(403);
  }
  const st = await discardBody(socket, input, req, ctx);
  if (st !== 0) throw new Die(st, { dropInput: true });
  const conf = autoindexConfigFor(cfg.autoindex!, sections);
  const who: ClientInfo = { remoteAddr: info.remoteAddr, localAddr: info.localAddr, env: req.env ?? new Map(), remoteHost: req.remoteHost };
  const charsetOf = conf.charset ?? 'UTF-8';
  const contentType = `${conf.ctype ?? 'text/html'}${charsetOf ? `;charset=${charsetOf}` : ''}`;
  const headers = new OutHeaders();
  // index_directory answers a HEAD before reading the directory.
  if (req.headerOnly) return { status: 200, headers, contentType, body: { kind: 'empty' }, noContentLength: true };
  const page = indexDirectory({
    uri: req.uri, dir, ...(req.args !== undefined ? { args: req.args } : {}), conf,
    // Each entry's subrequest: its access check (a denial is logged, as Apache's subrequest logs it).
    allowed: (file, isDir, uri) => accessChecked(ctx, file, isDir, who, uri, 'GET', client),
    typeOf: (file) => contentTypeFor(cfg, file),
    signature: serverSignature(cfg, req).replace(/^<hr>\n/, ''),
  });
  const data = Buffer.from(page.html, 'latin1');
  if (page.streamed) {
    // A header or readme subrequest flushed the page: its length is not known, and HTTP/1.1 gets it chunked.
    return { status: 200, headers, contentType, body: { kind: 'unsized', data }, forceChunked: req.protoNum >= HTTP_VERSION(1, 1) && !req.forceClose && !req.expecting100 };
  }
  headers.set('Content-Length', String(data.length));
  return { status: 200, headers, contentType, body: { kind: 'buffer', data } };
}

/** Handlers this server runs; any other must never fall through to sending the file. */
const IMPLEMENTED_HANDLERS = new Set(['default-handler', 'server-status']);

/**
 * A file that SetHandler or AddHandler gives to a handler this server does not have
 * (cgi-script, a PHP handler, type-map …) is refused with 403 rather than sent as a file, which
 * would show a program's source: as a ScriptAlias target is.
 */
function refuseUnknownHandler(cfg: ChildConfig, req: Request, filename: string, client: string, errorLog: ErrorLog): void {
  const set = handlerFor(cfg, req.uri, filename, false);
  const added = set === undefined ? addHandlerFor(cfg, filename, req.uri) : undefined;
  // No handler set: the content type is the handler name (ap_invoke_handler).
  const type = set === undefined && added === undefined && cfg.typeHandlers ? contentTypeFor(cfg, filename, req.uri)?.replace(/;.*$/s, '').trim().toLowerCase() : undefined;
  const byType = type !== undefined && cfg.typeHandlers!.includes(type) ? type : undefined;
  const handler = set ?? added?.handler ?? byType;
  if (handler === undefined || IMPLEMENTED_HANDLERS.has(handler.toLowerCase())) return;
  const how = set !== undefined ? `SetHandler ${set}` : added !== undefined ? `AddHandler ${added.handler} .${added.extension}` : `the type ${byType}`;
  errorLog.log('core', 'error', `PF02010: ${how} names a handler this server does not run; ${filename} is not sent as a file`, client);
  throw new Die(403);
}

function encodeURIPath(p: string): string {
  return p.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/]/g, (c) => {
    const b = Buffer.from(c, 'latin1');
    return [...b].map((x) => '%' + x.toString(16).padStart(2, '0')).join('');
  });
}

/** ap_send_http_trace: the request echoed as message/http, always chunked. */
function traceResponse(cfg: ChildConfig, req: Request): Response {
  if (cfg.traceEnable === 'Off') throw new Die(405);
  if (req.body.kind !== 'none' && cfg.traceEnable !== 'Extended') throw new Die(413);
  let text = req.theRequest + '\r\n';
  for (const [k, v] of req.headers.raw) text += `${k}: ${v}\r\n`;
  text += '\r\n';
  return { status: 200, headers: new OutHeaders(), contentType: 'message/http', body: { kind: 'buffer', data: Buffer.from(text, 'latin1') }, forceChunked: true };
}

function bodyLength(res: Response): number {
  switch (res.body.kind) {
    case 'empty': return 0;
    case 'buffer': case 'unsized': return res.body.data.length;
    case 'file': return res.body.parts.reduce((n, p) => n + (p.prefix?.length ?? 0) + p.end - p.start + 1, 0) + (res.body.suffix?.length ?? 0);
  }
}

/** ap_set_keepalive, the header filter, the body and the access log for one response. */
async function sendAndLog(
  socket: Duplex, input: InputStream, info: ConnectionInfo, ctx: ConnectionContext, state: ConnState, req: Request, res: Response,
): Promise<boolean> {
  const { cfg } = ctx;
  ctx.scoreboard.setStatus(Stage.BUSY_WRITE);
  if (!req.assbackwards && (req.earlyHeaders || hasHeaderLines(cfg))) res = responseHeaders(ctx, req, res, `${info.remoteAddr}:${info.remotePort}`);
  const headers = res.headers;
  let chunked = !!res.forceChunked;
  const hasLength = headers.get('Content-Length') !== undefined;
  const conn = req.headers.get('Connection');
  const left = cfg.maxKeepAliveRequests - state.keepalives;
  let keepalive = false;
  let kaSent = false;
  if (!req.forceClose && !req.expecting100
    && (req.headerOnly || statusIsHeaderOnly(res.status) || hasLength || chunked || (req.protoNum >= HTTP_VERSION(1, 1) && (chunked = true)))
    && cfg.keepAlive && cfg.keepAliveTimeoutMs > 0
    && (cfg.maxKeepAliveRequests === 0 || left > 0)
    && !statusDropsConnection(res.status)
    && !hasToken(conn, 'close')
    && !req.env?.has('nokeepalive')
    && ((kaSent = hasToken(conn, 'keep-alive')) || req.protoNum >= HTTP_VERSION(1, 1))
    && ctx.isRunning()) {
    keepalive = true;
    state.keepalives++;
  } else if (!hasLength && req.protoNum >= HTTP_VERSION(1, 1) && res.body.kind === 'unsized') {
    chunked = false;
  }
  if (res.forceChunked) chunked = true;
  if (!keepalive && !res.forceChunked) chunked = false;
  if (req.headerOnly || statusIsHeaderOnly(res.status) || hasLength) chunked = chunked && !!res.forceChunked;

  const bodyLen = bodyLength(res);
  const lines: string[] = [];
  // What ap_set_keepalive and the header filter add to r->headers_out (the access log's %{…}o sees them).
  const protocolFields: Array<[string, string]> = [];
  if (!req.assbackwards) {
    lines.push(`HTTP/1.1 ${statusLine(res.status)}`);
    lines.push(`Date: ${httpDate(Date.now())}`);
    lines.push(`Server: ${serverBanner(cfg)}`);
    let typeInTable = false;
    for (const [k, v] of headers.entries()) {
      lines.push(`${k}: ${v}`);
      if (k.length === 12 && k.toLowerCase() === 'content-type') typeInTable = true;
    }
    if (res.bare) {
      // Nothing more (the header filter's second refusal).
    } else if (keepalive && kaSent) {
      protocolFields.push(['Keep-Alive', cfg.maxKeepAliveRequests ? `timeout=${Math.floor(cfg.keepAliveTimeoutMs / 1000)}, max=${left}` : `timeout=${Math.floor(cfg.keepAliveTimeoutMs / 1000)}`]);
      protocolFields.push(['Connection', 'Keep-Alive']);
    } else if (!keepalive) {
      protocolFields.push(['Connection', 'close']);
    }
    if (chunked && !res.bare) protocolFields.push(['Transfer-Encoding', 'chunked']);
    for (const [k, v] of protocolFields) lines.push(`${k}: ${v}`);
    if (res.contentType && !typeInTable && !res.bare) lines.push(`Content-Type: ${res.contentType}`);
    if (res.contentEncoding !== undefined && !res.bare) lines.push(`Content-Encoding: ${res.contentEncoding}`);
    if (res.contentLanguages !== undefined && !res.bare) lines.push(`Content-Language: ${res.contentLanguages.join(',')}`);
  }
  const head = req.assbackwards ? Buffer.alloc(0) : Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1');
  let out = head.length;
  const sendBody = !req.headerOnly && !statusIsHeaderOnly(res.status) && res.body.kind !== 'empty';
  // The head goes out with the first body bytes: a small response is one segment.
  const sink = new Coalescing(socket, head);
  try {
    if (sendBody) {
      if (chunked) {
        if (bodyLen > 0) {
          const chunkHead = Buffer.from(bodyLen.toString(16) + '\r\n', 'latin1');
          await sink.write(chunkHead);
          out += chunkHead.length;
        }
        out += await writeBody(sink, res);
        const tail = Buffer.from(bodyLen > 0 ? '\r\n0\r\n\r\n' : '0\r\n\r\n', 'latin1');
        await sink.write(tail);
        out += tail.length;
      } else {
        out += await writeBody(sink, res);
      }
    }
    await sink.flush();
  } catch {
    keepalive = false;
  }
  state.bytesOut += out;
  const sent = sendBody ? bodyLen : 0;
  ctx.scoreboard.setStatus(Stage.BUSY_LOG);
  const stopHr = process.hrtime.bigint();
  const durationUs = Number((stopHr - req.startHr) / 1000n);
  const reqHeaders = req.headers;
  ctx.accessLog({
    remoteAddr: info.remoteAddr, remotePort: info.remotePort, localAddr: info.localAddr, localPort: info.localPort,
    requestLine: req.theRequest, method: req.method, uri: req.uri, query: req.args, protocol: req.protocol,
    status: res.logAs?.status ?? res.status, bytesSent: res.logAs ? res.logAs.bytes : sent, bytesIn: input.bytesIn, bytesOut: out, requestTime: req.requestTime, durationUs,
    headersIn: (n) => reqHeaders.get(n), headersOut: (n) => logHeaderOut(n, res, protocolFields),
    env: (n) => (res.logEnv ?? req.env)?.get(n.toLowerCase()), envOrig: (n) => req.env?.get(n.toLowerCase()), filename: req.filename, serverName: cfg.serverName, hostname: req.hostname, pid: process.pid,
    keepAlives: state.keepalives,
  });
  const startUs = BigInt(req.requestTime) * 1000n;
  ctx.scoreboard.setTimes(startUs, startUs + BigInt(durationUs));
  ctx.scoreboard.countAccess(sent);
  ctx.scoreboard.setVhost(cfg.serverName);
  if (!keepalive) state.close = true;
  return keepalive;
}

/** Whether any Header/RequestHeader or Expires* line is configured for this server. */
const hasHeaderLines = perConfig((cfg) => cfg.headers !== undefined || cfg.expires !== undefined || cfg.sections.some((s) => s.headers !== undefined || s.expires !== undefined));

/**
 * log_header_out: the type without its parameters (ap_field_noparam), every Set-Cookie joined
 * with ", ", any other field's first value, the fields the server added last included.
 */
function logHeaderOut(name: string, res: Response, added: ReadonlyArray<[string, string]>): string | undefined {
  const key = name.toLowerCase();
  if (key === 'content-type' && res.contentType !== undefined) return res.contentType.replace(/;.*$/s, '').replace(/\s+$/, '');
  const table = res.headers.entries();
  if (key === 'set-cookie') {
    const all = table.filter(([k]) => k.toLowerCase() === key).map(([, v]) => v);
    return all.length ? all.join(', ') : undefined;
  }
  const value = res.headers.get(name) ?? added.find(([k]) => k.toLowerCase() === key)?.[1];
  // The header filter puts r->content_encoding and r->content_languages in the table too.
  if (value === undefined && key === 'content-encoding') return res.contentEncoding;
  if (value === undefined && key === 'content-language') return res.contentLanguages?.join(',');
  return value;
}

/** The access phase for a file, with the line each refusing module logs. */
function accessChecked(ctx: ConnectionContext, filename: string, isDir: boolean, who: ClientInfo, uri: string, method: string, client: string): boolean {
  const r = checkAccess(ctx.cfg, filename, isDir, who, uri, method);
  if (r.compatDenied) ctx.errorLog.log('access_compat', 'error', `AH01797: client denied by server configuration: ${filename}`, client);
  if (r.authzDenied) ctx.errorLog.log('authz_core', 'error', `AH01630: client denied by server configuration: ${filename}`, client);
  return r.allowed;
}

/** Whether any SetEnv/PassEnv/UnsetEnv line is configured for this server. */
const hasEnvLines = perConfig((cfg) => cfg.env !== undefined || cfg.sections.some((s) => s.env !== undefined));

/** What a Header value's %-specifiers read for this request. */
function headerVars(ctx: ConnectionContext, req: Request): HeaderVars {
  return {
    env: req.env,
    requestTimeUs: BigInt(req.requestTime) * 1000n,
    sload: () => {
      // ap_get_sload: ready workers of the running generation, and those busy.
      const board = ctx.scoreboard.readStatus?.();
      let idle = 0;
      let busy = 0;
      for (const p of board?.processes ?? []) {
        if (!p.pid || p.quiescing) continue;
        for (const w of p.workers) {
          if (w.status === Stage.READY && p.generation === board!.runningGeneration) idle++;
          else if (w.status !== Stage.DEAD && w.status !== Stage.STARTING && w.status !== Stage.IDLE_KILL && w.status !== Stage.READY) busy++;
        }
      }
      return { idle, busy };
    },
  };
}

/** ap_headers_early: the server's `early` lines on the request's fields and the two response tables. */
function earlyHeaders(cfg: ChildConfig, req: Request, ctx: ConnectionContext): void {
  const h = cfg.headers!;
  const vars = headerVars(ctx, req);
  if (h.fixupIn.length) {
    applyHeaderEntries(h.fixupIn, req.headers.compressed(), vars, { early: true });
    req.headers.changed();
  }
  const err: Table = [];
  const out: Table = [];
  applyHeaderEntries(h.fixupErr, err, vars, { early: true });
  applyHeaderEntries(h.fixupOut, out, vars, { early: true });
  if (err.length || out.length) req.earlyHeaders = { err, out };
}

/**
 * The response's fields as mod_headers leaves them, then checked as the HTTP header filter
 * checks them: a field it refuses turns the response into a 500 (once; a 500 refused again is
 * sent with no body and no other fields).
 */
function responseHeaders(ctx: ConnectionContext, req: Request, res: Response, client: string, retry = false): Response {
  const { cfg } = ctx;
  const dir = res.dirOf ?? (req.walkedUri !== undefined ? { uri: req.walkedUri, filename: req.filename } : undefined);
  const sections = dir ? matchingSections(cfg, dir.filename, res.dirOf ? false : req.filenameIsDir ?? false, dir.uri) : [];
  const lines = mergedHeaders(cfg.headers, sections);
  const expires = expiresFor(cfg.expires, sections);
  const vars = headerVars(ctx, req);
  const handlerFields = res.headers.entries();
  let err: Table;
  let out: Table;
  if (!res.errorPath) {
    // FIXUP_HEADERS_OUT: `always` lines on err_headers_out, the others on headers_out.
    err = [...(req.earlyHeaders?.err ?? [])];
    out = [...(req.earlyHeaders?.out ?? []), ...handlerFields];
    // MOD_EXPIRES runs before FIXUP_HEADERS_OUT.
    applyExpires(expires, res.status, { err, out }, res.file?.contentType ?? res.contentType, vars.requestTimeUs, res.file?.mtimeUs);
    res.contentType = applyHeaderEntries(lines?.fixupErr, err, vars, { early: false, contentType: res.contentType, requestHeaders: req.headers.raw });
    res.contentType = applyHeaderEntries(lines?.fixupOut, out, vars, { early: false, contentType: res.contentType, requestHeaders: req.headers.raw });
  } else {
    // FIXUP_HEADERS_ERR on a fresh err_headers_out; the old one became headers_out.
    err = [];
    out = [...(req.earlyHeaders?.err ?? []), ...handlerFields];
    // The canned page's length is counted by a later filter: it follows what the modules add.
    tableUnset(out, 'Content-Length');
    applyExpires(expires, res.status, { err, out }, res.contentType, vars.requestTimeUs, undefined);
    res.contentType = applyHeaderEntries(lines?.fixupErr, err, vars, { early: false, contentType: res.contentType, requestHeaders: req.headers.raw });
  }
  // The header filter's overlay: err_headers_out first. Date and Server are the server's own.
  const all: Table = [...err, ...out];
  tableUnset(all, 'Date');
  tableUnset(all, 'Server');
  // The content-length filter counts the body again: a changed or removed length is put back.
  const length = tableGet(handlerFields, 'Content-Length');
  if (length !== undefined) tableSet(all, 'Content-Length', length);
  if (res.contentType !== undefined && tableGet(all, 'Content-Type') !== undefined) tableSet(all, 'Content-Type', res.contentType);
  if (statusIsHeaderOnly(res.status)) {
    tableUnset(all, 'Content-Length');
    tableUnset(all, 'Transfer-Encoding');
  }
  const refused = checkResponseHeaders(all, cfg.httpProtocolOptions.strict);
  if (refused !== undefined) {
    ctx.errorLog.log('http', 'error', refused, client);
    // Both tables are cleared and ap_die(500) answers: its page goes out without a length,
    // and the connection ends.
    req.forceClose = true;
    req.earlyHeaders = undefined;
    if (!retry) {
      const page = errorResponse(cfg, req, 500);
      page.headers.delete('Content-Length');
      if (page.body.kind === 'buffer') page.body = { kind: 'unsized', data: page.body.data };
      return responseHeaders(ctx, req, page, client, true);
    }
    // Refused again: a 500 with no body and no other field.
    return { status: 500, headers: OutHeaders.from([['Content-Length', '0']]), body: { kind: 'empty' }, bare: true };
  }
  return { ...res, headers: OutHeaders.from(all) };
}

function write(socket: Duplex, data: Buffer): Promise<void> {
  if (data.length === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (socket.destroyed || socket.writableEnded) {
      reject(new Error('socket closed'));
      return;
    }
    const ok = socket.write(data, (err) => (err ? reject(err) : undefined));
    if (ok) resolve();
    else {
      const onDrain = (): void => {
        socket.off('close', onClose);
        resolve();
      };
      const onClose = (): void => {
        socket.off('drain', onDrain);
        reject(new Error('socket closed'));
      };
      socket.once('drain', onDrain);
      socket.once('close', onClose);
    }
  });
}

/** Writes to a socket with `lead` (the response head) put in front of the first bytes. */
class Coalescing {
  constructor(private readonly socket: Duplex, private lead: Buffer | null) {}

  write(data: Buffer): Promise<void> {
    if (this.lead) {
      const both = Buffer.concat([this.lead, data]);
      this.lead = null;
      return write(this.socket, both);
    }
    return write(this.socket, data);
  }

  flush(): Promise<void> {
    const lead = this.lead;
    this.lead = null;
    return lead ? write(this.socket, lead) : Promise.resolve();
  }

  /**
   * A new buffer for up to `n` bytes of body, with the head (if not yet written) already at its
   * start: a file's bytes are read straight in behind it, and head and body leave in one write.
   */
  reserve(n: number): { buf: Buffer; at: number } {
    const lead = this.lead;
    this.lead = null;
    const buf = Buffer.allocUnsafe((lead?.length ?? 0) + n);
    if (lead) lead.copy(buf, 0);
    return { buf, at: lead?.length ?? 0 };
  }

  /** Writes what {@link reserve} gave, up to `end`. */
  writeReserved(buf: Buffer, end: number): Promise<void> {
    return write(this.socket, buf.subarray(0, end));
  }
}

/** The most a file is read at once. */
const FILE_CHUNK = 64 * 1024;

/** Writes the body; file slices are streamed from disk without buffering the whole file. */
async function writeBody(socket: Coalescing, res: Response): Promise<number> {
  const body = res.body;
  if (body.kind === 'buffer' || body.kind === 'unsized') {
    await socket.write(body.data);
    return body.data.length;
  }
  if (body.kind !== 'file') return 0;
  let n = 0;
  const fd = fs.openSync(bytePath(body.path), 'r');
  try {
    for (const part of body.parts) {
      if (part.prefix) {
        await socket.write(part.prefix);
        n += part.prefix.length;
      }
      let pos = part.start;
      while (pos <= part.end) {
        // Each chunk its own buffer: the socket may still hold the last one.
        const want = Math.min(FILE_CHUNK, part.end - pos + 1);
        const { buf, at } = socket.reserve(want);
        const got = fs.readSync(fd, buf, at, want, pos);
        if (got <= 0) throw new Error('file shrank while sending');
        await socket.writeReserved(buf, at + got);
        pos += got;
        n += got;
      }
    }
    if (body.suffix) {
      await socket.write(body.suffix);
      n += body.suffix.length;
    }
  } finally {
    fs.closeSync(fd);
  }
  return n;
}
