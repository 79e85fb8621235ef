/**
 * Issue 6's bounded fuzz run, against the real server: 2000 seeded mutations of valid requests,
 * each on its own connection (the client half-closes after its bytes), several connections at
 * once, to `prefork -DFOREGROUND` with 3 children and MaxConnectionsPerChild 0.
 *
 * Every answer must begin with a valid `HTTP/1.x NNN` status line, or be what Apache answers
 * too: nothing (the connection closed without bytes) or an HTTP/0.9 body. When Debian's
 * apache2 is installed the same inputs go to it and the kind of answer must match; without it,
 * an empty or status-less answer is accepted only for inputs whose first line is not an
 * HTTP/1.x request line. No child may die (the same pids before and after, no AH00052 in
 * error_log) and the server still answers a normal GET at the end.
 *
 * PREFORK_FUZZ_SEED and PREFORK_FUZZ_COUNT replay or lengthen a run.
 */
import t from 'tap';
import { APACHE_BIN, haveApache } from './helpers.js';
import { childPids, exchange, startLive, type LiveServer } from './live-server.js';
import { rng } from '../../config-parser/test/rng.js';

const SEEDS = [
  'GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
  'GET /index.html HTTP/1.1\r\nHost: localhost\r\nUser-Agent: fuzz/1.0 "x"\r\nReferer: http://localhost/\r\n\r\n',
  'HEAD / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n',
  'POST /hello.txt HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
  'POST /hello.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n\r\nabc',
  'GET /sub HTTP/1.1\r\nHost: localhost:80\r\nRange: bytes=0-1,4-5\r\nIf-None-Match: "x"\r\n\r\n',
  'GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nRange: bytes=2-\r\nIf-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT\r\n\r\n',
  'OPTIONS * HTTP/1.1\r\nHost: localhost\r\n\r\nGET /hello.txt HTTP/1.1\r\nHost: a\r\nX: 1\r\n\r\n',
  'GET http://localhost/sub/page.html?q=1 HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n',
  'GET /%7Euser/../hello.txt HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n folded\r\n\r\n',
  'GET /hello.txt\r\n',
];
const NASTY = ['\0', '\r', '\n', ' ', '\t', '%', ':', '/', '.', '\x7f', '\xff', '"', ',', '-', '0', 'f', '\r\n', 'HTTP/1.1', 'Content-Length: 5\r\n', 'Transfer-Encoding: chunked\r\n'];

function mutate(r: () => number, input: string): Buffer {
  let s = input;
  const ops = 1 + Math.floor(r() * 4);
  for (let i = 0; i < ops; i++) {
    const at = Math.floor(r() * (s.length + 1));
    switch (Math.floor(r() * 7)) {
      case 0: s = s.slice(0, at) + NASTY[Math.floor(r() * NASTY.length)] + s.slice(at); break;
      case 1: s = s.slice(0, at) + s.slice(at + 1 + Math.floor(r() * 4)); break;
      case 2: s = s.slice(0, at) + String.fromCharCode(Math.floor(r() * 256)) + s.slice(at + 1); break;
      case 3: s = s.slice(0, at) + s.slice(Math.floor(r() * s.length)); break;
      case 4: s = s.slice(0, at) + 'A'.repeat(Math.floor(r() * (r() < 0.1 ? 9000 : 300))) + s.slice(at); break;
      case 5: { const from = Math.floor(r() * s.length); s = s.slice(0, at) + s.slice(from, from + 40) + s.slice(at); break; }
      default: s = s.slice(0, at); break;
    }
  }
  return Buffer.from(s, 'latin1');
}

type Kind = 'status' | 'empty' | 'body' | 'hung' | 'reset';
interface Outcome { kind: Kind; status?: string; head: string; ms: number }

const STATUS_LINE = /^HTTP\/1\.[01] [1-5]\d\d(?: [^\r\n]*)?\r\n/;

async function send(port: number, input: Buffer): Promise<Outcome> {
  const t0 = Date.now();
  const r = await exchange(port, input, 15000);
  const ms = Date.now() - t0;
  const text = r.data.toString('latin1');
  const head = text.slice(0, 60);
  if (r.timedOut) return { kind: 'hung', head, ms };
  if (text.length === 0) return { kind: r.error ? 'reset' : 'empty', head, ms };
  const m = STATUS_LINE.exec(text);
  if (m) return { kind: 'status', status: text.slice(9, 12), head, ms };
  return { kind: 'body', head, ms };
}

/** Sends every input, `width` connections at a time; outcomes in input order. */
async function sendAll(port: number, inputs: Buffer[], width: number): Promise<Outcome[]> {
  const out: Outcome[] = new Array(inputs.length);
  let next = 0;
  const lane = async () => {
    while (next < inputs.length) {
      const i = next++;
      out[i] = await send(port, inputs[i]!);
    }
  };
  await Promise.all(Array.from({ length: width }, lane));
  return out;
}

/** Without Apache to compare with: a first line that is not `METHOD target HTTP/1.x` may get no status line. */
function looksLikeHttp1(input: Buffer): boolean {
  const first = input.toString('latin1').split('\n')[0]!;
  return /^\S+ \S+ HTTP\/1\.\d\r?$/.test(first);
}

const seed = Number(process.env['PREFORK_FUZZ_SEED'] ?? 20261126);
const count = Number(process.env['PREFORK_FUZZ_COUNT'] ?? 2000);

t.test(`live fuzz: ${count} mutated requests to a running server (seed ${seed})`, async (t) => {
  const r = rng(seed);
  const inputs = Array.from({ length: count }, () => mutate(r, SEEDS[Math.floor(r() * SEEDS.length)]!));
  const show = (i: number) => JSON.stringify(inputs[i]!.toString('latin1').slice(0, 160));

  let reference: Outcome[] | null = null;
  if (haveApache) {
    let apache: LiveServer | null = null;
    try {
      apache = await startLive({ program: 'apache', startServers: 3 });
      const t0 = Date.now();
      reference = await sendAll(apache.port, inputs, 8);
      t.comment(`Apache: ${count} connections in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    } finally {
      await apache?.stop();
    }
  } else {
    t.comment(`${APACHE_BIN} not installed: answers are checked without a reference`);
  }

  const server = await startLive({ startServers: 3 });
  t.teardown(() => server.stop());
  const before = childPids(server.master.pid!).sort();
  t.equal(before.length, 3, 'three children before');
  const started = Date.now();
  const ours = await sendAll(server.port, inputs, 8);
  const seconds = (Date.now() - started) / 1000;
  t.comment(`${count} connections in ${seconds.toFixed(1)} s (seed ${seed})`);

  const failures: string[] = [];
  const tally = new Map<string, number>();
  const statusDiffs: string[] = [];
  ours.forEach((o, i) => {
    tally.set(o.status ?? o.kind, (tally.get(o.status ?? o.kind) ?? 0) + 1);
    const ref = reference?.[i];
    if (o.kind === 'hung') failures.push(`#${i} no end within 15 s: ${show(i)}`);
    else if (o.kind === 'reset' && ref?.kind !== 'reset') failures.push(`#${i} reset without an answer${ref ? ` (Apache: ${ref.kind} ${ref.status ?? ''})` : ''}: ${show(i)}`);
    else if (o.kind !== 'status' && o.kind !== 'reset') {
      const allowed = ref ? ref.kind === o.kind : !looksLikeHttp1(inputs[i]!);
      if (!allowed) failures.push(`#${i} ${o.kind} answer ${JSON.stringify(o.head)}${ref ? ` where Apache gave ${ref.kind} ${ref.status ?? ''}` : ''}: ${show(i)}`);
    } else if (o.kind === 'status' && ref && ref.kind === 'status' && ref.status !== o.status) {
      statusDiffs.push(`#${i} ${o.status} (Apache ${ref.status}): ${show(i)}`);
    }
  });
  const slow = ours.map((o, i) => [o.ms, i] as const).sort((a, b) => b[0] - a[0]).slice(0, 5);
  t.comment(`slowest: ${slow.map(([ms, i]) => `#${i} ${ms} ms ${ours[i]!.status ?? ours[i]!.kind}${reference ? ` (Apache ${reference[i]!.ms} ms)` : ''}`).join(', ')}`);
  t.comment(`answers: ${[...tally].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}×${n}`).join(' ')}`);
  if (reference) {
    const silentHere = ours.filter((o, i) => o.kind === 'status' && reference![i]!.kind !== 'status').length;
    t.comment(`status codes differing from Apache: ${statusDiffs.length}; answered where Apache stayed silent: ${silentHere}`);
    for (const d of statusDiffs.slice(0, 10)) t.comment(`  ${d}`);
  }
  t.same(failures.slice(0, 20), [], `every answer a status line or as Apache's (seed ${seed}, ${failures.length} failures)`);

  const end = await exchange(server.port, 'GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
  t.match(end.data.toString('latin1'), /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nhello world\n$/, 'a normal GET is still served');
  const after = childPids(server.master.pid!).sort();
  t.same(after, before, `no child died or was replaced (seed ${seed})`);
  const errorLog = server.read('logs/error_log');
  t.notMatch(errorLog, /AH00052|AH00050|exit signal/, 'error_log has no child deaths');
  t.notMatch(server.output(), /Error:|at .*\.js:\d+/, 'no stack trace on the master\'s stderr');
});
