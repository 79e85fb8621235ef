/**
 * Raw HTTP on one connection: bytes go out exactly as the case wrote them (with pauses and a
 * half-close where it says), everything that comes back is parsed into responses.
 */
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import type { SendPart } from './types.js';
import { sleep } from './processes.js';

/** One parsed response. */
export interface ParsedResponse {
  statusLine: string;
  /** Header names in the order received, as spelled on the wire. */
  headerNames: string[];
  /** Header values by lower-cased name (repeated headers joined with ", "). */
  headers: Record<string, string>;
  body: Buffer;
}

/** What one exchange produced. */
export interface ExchangeResult {
  responses: ParsedResponse[];
  /** Bytes after the last complete response (a truncated response, or garbage). */
  trailing: Buffer;
  /** Whether the server closed the connection before closeWait ran out. */
  closedByServer: boolean;
  /** Set when the connection could not be made or broke. */
  error?: string;
}

/** The request methods in the bytes sent, in order, so that HEAD responses are read without a body. */
export function requestMethods(sent: string): string[] {
  const out: string[] = [];
  const re = /(?:^|\n)([A-Za-z]+) [^ \r\n]+ HTTP\/\d\.\d\r?\n/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(sent)) !== null) out.push(m[1]);
  return out;
}

/** Parses consecutive HTTP/1.x responses out of a byte buffer. */
export function parseResponses(data: Buffer, methods: string[], closed: boolean): { responses: ParsedResponse[]; trailing: Buffer } {
  const responses: ParsedResponse[] = [];
  let pos = 0;
  while (pos < data.length) {
    const headEnd = data.indexOf('\r\n\r\n', pos);
    if (headEnd < 0) break;
    const head = data.subarray(pos, headEnd).toString('latin1').split('\r\n');
    const statusLine = head[0];
    const headerNames: string[] = [];
    const headers: Record<string, string> = {};
    for (const line of head.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon);
      const value = line.slice(colon + 1).trim();
      headerNames.push(name);
      const key = name.toLowerCase();
      headers[key] = key in headers ? `${headers[key]}, ${value}` : value;
    }
    let cursor = headEnd + 4;
    const code = Number(/^HTTP\/\d\.\d (\d{3})/.exec(statusLine)?.[1] ?? NaN);
    const method = methods[responses.length] ?? 'GET';
    let body: Buffer;
    const noBody = method === 'HEAD' || (code >= 100 && code < 200) || code === 204 || code === 304;
    if (noBody) {
      body = Buffer.alloc(0);
    } else if (/\bchunked\b/i.test(headers['transfer-encoding'] ?? '')) {
      const parts: Buffer[] = [];
      let complete = false;
      while (cursor < data.length) {
        const lineEnd = data.indexOf('\r\n', cursor);
        if (lineEnd < 0) break;
        const sizeText = data.subarray(cursor, lineEnd).toString('latin1').split(';')[0].trim();
        if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText)) break;
        const size = Number.parseInt(sizeText, 16);
        if (size === 0) {
          const end = data.indexOf('\r\n\r\n', lineEnd);
          cursor = end < 0 ? data.length : end + 4;
          complete = end >= 0;
          break;
        }
        parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
        cursor = lineEnd + 2 + size + 2;
      }
      body = Buffer.concat(parts);
      if (!complete && !closed) {
        pos = data.length;
        responses.push({ statusLine, headerNames, headers, body });
        break;
      }
    } else if (headers['content-length'] !== undefined && /^\d+$/.test(headers['content-length'])) {
      const len = Number(headers['content-length']);
      body = data.subarray(cursor, cursor + len);
      cursor += len;
    } else {
      // Neither length nor chunking: the body runs to the close.
      body = data.subarray(cursor);
      cursor = data.length;
    }
    responses.push({ statusLine, headerNames, headers, body });
    pos = Math.min(cursor, data.length);
  }
  return { responses, trailing: data.subarray(pos) };
}

/** Runs one exchange. */
export async function exchange(port: number, parts: SendPart[], closeWaitMs: number): Promise<ExchangeResult> {
  const chunks: Buffer[] = [];
  let closed = false;
  let error: string | undefined;
  const sock = connect({ host: '127.0.0.1', port });
  const closedP = new Promise<void>((resolve) => {
    sock.on('data', (b: Buffer) => chunks.push(b));
    sock.on('end', () => {
      closed = true;
      resolve();
    });
    sock.on('close', () => {
      closed = true;
      resolve();
    });
    sock.on('error', (e: NodeJS.ErrnoException) => {
      // A reset after the response is part of the observation, not a harness failure.
      error = e.code ?? e.message;
      resolve();
    });
  });
  const connected = await new Promise<boolean>((resolve) => {
    sock.once('connect', () => resolve(true));
    sock.once('error', () => resolve(false));
  });
  if (!connected) {
    sock.destroy();
    return { responses: [], trailing: Buffer.alloc(0), closedByServer: false, error: error ?? 'connect failed' };
  }
  let sent = '';
  for (const part of parts) {
    if (closed) break;
    if (typeof part === 'string') {
      sent += part;
      sock.write(Buffer.from(part, 'latin1'));
    } else if ('sleep' in part) {
      await sleep(part.sleep * 1000);
    } else if ('halfClose' in part) {
      sock.end();
    } else if ('repeat' in part) {
      const t = part.repeat.repeat(part.count);
      sent += t;
      sock.write(Buffer.from(t, 'latin1'));
    } else {
      const b = Buffer.from(part.base64, 'base64');
      sent += b.toString('latin1');
      sock.write(b);
    }
  }
  await Promise.race([closedP, sleep(closeWaitMs)]);
  const closedByServer = closed;
  sock.destroy();
  const data = Buffer.concat(chunks);
  const { responses, trailing } = parseResponses(data, requestMethods(sent), closedByServer);
  return { responses, trailing, closedByServer, error };
}

/** The sha256 of a body, hex. */
export function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}
