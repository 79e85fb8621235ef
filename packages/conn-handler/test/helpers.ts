import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { defaultChildConfig, type ChildConfig } from '../src/config.js';
import { serveConnection } from '../src/http/connection.js';
import { ErrorLog, type LogRecord } from '../src/logs.js';
import { MemoryScoreboard } from '../src/scoreboard-port.js';

export const CAPTURES = '/work/shared/apache-reference/captures/2g';

/** The htdocs tree the 2g captures were taken against, with the same mtimes (so ETags match). */
export function makeDocroot(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ch-docroot-'));
  const body = (name: string): Buffer => {
    const r = fs.readFileSync(path.join(CAPTURES, `${name}.resp`));
    return r.subarray(r.indexOf('\r\n\r\n') + 4);
  };
  fs.writeFileSync(path.join(root, 'hello.txt'), 'hello world\n');
  fs.writeFileSync(path.join(root, '10k.txt'), body('65-10k'));
  fs.writeFileSync(path.join(root, 'index.html'), body('06-root-index'));
  fs.mkdirSync(path.join(root, 'sub'));
  fs.writeFileSync(path.join(root, 'sub', 'index.html'), body('05-dir-with-index'));
  fs.mkdirSync(path.join(root, 'noindex'));
  fs.writeFileSync(path.join(root, '.htpasswd'), 'secret\n');
  const touch = (f: string, usHex: string): void => {
    const us = BigInt('0x' + usHex);
    execFileSync('touch', ['-d', `@${us / 1000000n}.${String(us % 1000000n).padStart(6, '0')}`, path.join(root, f)]);
  };
  touch('hello.txt', '6611c2d5c09fa');
  touch('10k.txt', '6611c2d5c09fa');
  touch('index.html', '6611c2d5b2f3a');
  touch('sub/index.html', '6611c2d5b2f3a');
  return root;
}

/** The configuration of conf/http.conf as the child would receive it. */
export function captureConfig(docroot: string, over: Partial<ChildConfig> = {}): ChildConfig {
  const cfg = defaultChildConfig();
  cfg.documentRoot = docroot;
  cfg.serverName = 'localhost';
  cfg.port = 80;
  cfg.mime.types = { txt: 'text/plain', html: 'text/html', css: 'text/css' };
  cfg.sections = [
    { kind: 'directory', pattern: '/', require: [{ kind: 'all', granted: false }], allowOverride: ['None'] },
    { kind: 'directory', pattern: docroot, require: [{ kind: 'all', granted: true }] },
    { kind: 'filesMatch', pattern: '^\\.ht', require: [{ kind: 'all', granted: false }] },
  ];
  cfg.logLevel = 'debug';
  return { ...cfg, ...over };
}

export interface TestServer {
  port: number;
  errors: string[];
  access: LogRecord[];
  scoreboard: MemoryScoreboard;
  close(): Promise<void>;
}

/** A local server running the engine on each connection (no child process involved). */
export async function startServer(cfg: ChildConfig): Promise<TestServer> {
  const errors: string[] = [];
  const access: LogRecord[] = [];
  const scoreboard = new MemoryScoreboard();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    void serveConnection(socket, {
      remoteAddr: (socket.remoteAddress ?? '').replace(/^::ffff:/, ''), remotePort: socket.remotePort ?? 0,
      localAddr: (socket.localAddress ?? '').replace(/^::ffff:/, ''), localPort: socket.localPort ?? 0,
    }, {
      cfg, errorLog: new ErrorLog((l) => errors.push(l), cfg.logLevel), accessLog: (r) => access.push(r), scoreboard,
      isRunning: () => true,
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port, errors, access, scoreboard,
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}

/** Sends raw bytes; resolves with everything received until the server closes or `idleMs` of silence. */
export function exchange(port: number, data: Buffer | string, idleMs = 250): Promise<{ data: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const s = net.connect(port, '127.0.0.1');
    let timer: NodeJS.Timeout;
    let done = false;
    const finish = (closed: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolve({ data: Buffer.concat(chunks), closed });
    };
    // The first byte may be slow on a loaded machine; after it, silence means the response is complete.
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(false), chunks.length ? idleMs : Math.max(idleMs, 5000));
    };
    s.on('data', (d) => {
      chunks.push(d);
      arm();
    });
    s.on('end', () => finish(true));
    s.on('error', () => finish(true));
    s.on('connect', () => {
      s.write(data);
      arm();
    });
  });
}

/** Replaces what legitimately differs between two runs: Date values and multipart boundaries. */
export function normalise(resp: Buffer): string {
  let s = resp.toString('latin1');
  s = s.replace(/^Date: .*$/gm, 'Date: <date>');
  // Apache lists Allow from a hash table whose order changes per process; the set is what counts.
  s = s.replace(/^Allow: (.*)$/gm, (_m, v: string) => `Allow: ${v.split(',').sort().join(',')}`);
  const b = /boundary=([0-9a-f]+)/.exec(s);
  if (b) s = s.split(b[1]!).join('<boundary>');
  return s;
}
