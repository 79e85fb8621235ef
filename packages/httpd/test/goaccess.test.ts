/**
 * CI check of issue 6: GoAccess (Debian's `goaccess`) reads our combined access log with
 * `--log-format=COMBINED` without failed lines, and counts every request we sent.
 */
import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exchange, startLive, waitFor } from './live-server.js';

function which(cmd: string): string | null {
  const r = spawnSync('which', [cmd], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

const goaccess = which('goaccess');

/** Requests of the kinds a log analyser meets: GET/HEAD/POST, 404, 400, referers and agents with quotes and spaces, long queries. */
const REQUESTS: string[] = [
  'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
  'GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/120.0\r\nConnection: close\r\n\r\n',
  'HEAD /hello.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
  'GET /missing.html HTTP/1.1\r\nHost: localhost\r\nReferer: http://example.com/a page?x="quoted"\r\nConnection: close\r\n\r\n',
  'GET /sub/page.html HTTP/1.0\r\nUser-Agent: agent with "quotes" and \\backslash\\ and spaces\r\n\r\n',
  'GET /sub HTTP/1.1\r\nHost: localhost\r\nReferer: https://search.example/?q=prefork+"server"&lang=en\r\nConnection: close\r\n\r\n',
  `GET /hello.txt?${'q=' + 'x'.repeat(3000) + '&y=%22z%22'} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
  'POST /hello.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc',
  'GET /nothing/here/ HTTP/1.1\r\nHost: localhost\r\nUser-Agent: curl/8.5.0\r\nReferer: -\r\nConnection: close\r\n\r\n',
  'GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nUser-Agent: caf\xc3\xa9 \x01 tab\there\r\nConnection: close\r\n\r\n',
  'GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nRange: bytes=0-4\r\nConnection: close\r\n\r\n',
  'GET /index.html HTTP/1.1\r\nHost: localhost\r\nIf-None-Match: "nope"\r\nConnection: close\r\n\r\n',
];

t.test('goaccess parses our combined access log', { skip: goaccess ? false : 'goaccess is not installed (which goaccess found nothing; .ci/run installs the Debian package)' }, async (t) => {
  const server = await startLive();
  const out = mkdtempSync(join(tmpdir(), 'prefork-goaccess-'));
  t.teardown(async () => {
    await server.stop();
    rmSync(out, { recursive: true, force: true });
  });
  const lines = () => server.read('logs/access_log').split('\n').filter(Boolean).length;
  // Wait for the start-up probe's line so the count below is exact.
  await waitFor(() => lines() >= 1, 5000);
  const before = lines();
  const statuses: string[] = [];
  for (const r of REQUESTS) {
    const res = await exchange(server.port, r);
    statuses.push(res.data.toString('latin1').slice(9, 12));
  }
  t.same(statuses, ['200', '200', '200', '404', '200', '301', '200', '200', '404', '400', '206', '200'], 'the answers Apache gives (POST to a file is served; a control byte in a field is a 400)');
  const total = before + REQUESTS.length;
  t.ok(await waitFor(() => lines() >= total, 10000), `${total} lines in access_log`);
  const log = join(server.root, 'logs/access_log');
  const json = join(out, 'report.json');
  execFileSync(goaccess!, [log, '--log-format=COMBINED', '--no-global-config', '-o', json], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60000 });
  const report = JSON.parse(readFileSync(json, 'utf8')) as { general: { total_requests: number; valid_requests: number; failed_requests: number } };
  const g = report.general;
  t.equal(g.failed_requests, 0, 'no line goaccess could not parse');
  t.equal(g.total_requests, total, 'every line read');
  t.equal(g.valid_requests, total, 'every request counted as valid');
});
