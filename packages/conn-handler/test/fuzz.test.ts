import { Duplex } from 'node:stream';
import fs from 'node:fs';
import t from 'tap';
import { serveConnection } from '../src/http/connection.js';
import { ErrorLog } from '../src/logs.js';
import { MemoryScoreboard } from '../src/scoreboard-port.js';
import { captureConfig, makeDocroot } from './fixtures/helpers.js';
import { rng } from '../../config-parser/test/rng.js';

const docroot = makeDocroot();
t.teardown(() => fs.rmSync(docroot, { recursive: true, force: true }));

/** An in-process connection: what the client writes the server reads, and back. */
function socketPair(): { server: Duplex; client: { write(b: Buffer): void; end(): void; output: Promise<Buffer> } } {
  const out: Buffer[] = [];
  let resolveOut!: (b: Buffer) => void;
  const output = new Promise<Buffer>((r) => (resolveOut = r));
  const server = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      out.push(chunk);
      cb();
    },
    final(cb) {
      resolveOut(Buffer.concat(out));
      cb();
    },
    destroy(err, cb) {
      resolveOut(Buffer.concat(out));
      cb(err);
    },
  });
  return {
    server,
    client: { write: (b) => server.push(b), end: () => server.push(null), output },
  };
}

const SEEDS = [
  'GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
  'HEAD / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n',
  'POST /hello.txt HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
  'POST /hello.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n\r\nabc',
  'GET /sub HTTP/1.1\r\nHost: example.com:8080\r\nRange: bytes=0-1,4-5\r\nIf-None-Match: "x"\r\n\r\n',
  'OPTIONS * HTTP/1.1\r\nHost: localhost\r\n\r\nTRACE / HTTP/1.1\r\nHost: a\r\nX: 1\r\n\r\n',
  'GET /hello.txt\r\n',
];
const NASTY = ['\0', '\r', '\n', ' ', '\t', '%', ':', '/', '.', '\x7f', '\xff', '"', ',', '-', '0', 'f'];

function mutate(r: () => number, input: string): Buffer {
  let s = input;
  const ops = 1 + Math.floor(r() * 4);
  for (let i = 0; i < ops; i++) {
    const at = Math.floor(r() * (s.length + 1));
    switch (Math.floor(r() * 6)) {
      case 0: s = s.slice(0, at) + NASTY[Math.floor(r() * NASTY.length)] + s.slice(at); break;
      case 1: s = s.slice(0, at) + s.slice(at + 1 + Math.floor(r() * 4)); break;
      case 2: s = s.slice(0, at) + String.fromCharCode(Math.floor(r() * 256)) + s.slice(at + 1); break;
      case 3: s = s.slice(0, at) + s.slice(Math.floor(r() * s.length)); break;
      case 4: s = s.slice(0, at) + 'A'.repeat(Math.floor(r() * 300)) + s.slice(at); break;
      default: s = s.slice(0, at); break;
    }
  }
  return Buffer.from(s, 'latin1');
}

const VALID_START = /^(HTTP\/1\.1 [1-5]\d\d [A-Za-z -]+\r\n|hello world\n|<!DOCTYPE HTML|<html>)/;

t.test('seeded mutations of valid requests: no crash, a valid answer or a close, no hang', async (t) => {
  const cfg = captureConfig(docroot, { timeout: 2, keepAliveTimeoutMs: 200, logLevel: 'emerg' });
  const r = rng(20261125);
  const N = 2000;
  let bad = 0;
  const counts = new Map<string, number>();
  for (let i = 0; i < N; i++) {
    const input = mutate(r, SEEDS[Math.floor(r() * SEEDS.length)]!);
    const pair = socketPair();
    const done = serveConnection(pair.server, { remoteAddr: '127.0.0.1', remotePort: 1, localAddr: '127.0.0.1', localPort: 80 }, {
      cfg, errorLog: new ErrorLog(() => undefined, 'emerg'), accessLog: () => undefined, scoreboard: new MemoryScoreboard(), isRunning: () => true,
    });
    pair.client.write(input);
    pair.client.end();
    const hang = new Promise<'hang'>((res) => setTimeout(() => res('hang'), 5000).unref());
    const outcome = await Promise.race([done.then(() => pair.client.output), hang]);
    if (outcome === 'hang') {
      t.fail(`case ${i} hung: ${JSON.stringify(input.toString('latin1'))}`);
      bad++;
      break;
    }
    const text = outcome.toString('latin1');
    const key = text.slice(0, 12);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    if (text.length > 0 && !VALID_START.test(text)) {
      bad++;
      if (bad < 5) t.fail(`case ${i}: invalid response ${JSON.stringify(text.slice(0, 80))} for ${JSON.stringify(input.toString('latin1').slice(0, 120))}`);
    }
  }
  t.equal(bad, 0, `${N} mutated requests answered validly`);
  t.ok(counts.size > 3, `a variety of outcomes (${[...counts.keys()].map((k) => JSON.stringify(k)).join(' ')})`);
});
