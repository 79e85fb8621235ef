/**
 * The serve sample started through `prefork` (daemonized as Apache does), a request, then
 * `-k stop`. Whatever happens, teardown kills what the pid file names.
 */
import t from 'tap';
import { get } from 'node:http';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { prefork, REPO_ROOT } from './helpers.js';
import { freePort } from './live-server.js';

const dir = join(REPO_ROOT, 'httpd-conf-samples/serve');
const pidFile = join(dir, 'run/httpd.pid');

function fetchText(port: number, path: string): Promise<{ status: number; body: string; server: string }> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (b: Buffer) => (body += b.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, server: String(res.headers['server'] ?? '') }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

async function poll<T>(f: () => Promise<T>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await f();
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

t.test('prefork starts the serve sample, serves, and -k stop stops it', async (t) => {
  const port = await freePort();
  const args = ['-C', `Define SAMPLE_ROOT ${dir}`, '-C', `Define SAMPLE_PORT ${port}`, '-f', join(dir, 'httpd.conf')];
  t.teardown(() => {
    if (!existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (Number.isSafeInteger(pid) && pid > 0) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    rmSync(pidFile, { force: true });
  });
  const start = await prefork(args, { untilExit: true, timeoutMs: 60000 });
  t.equal(start.code, 0, `start: ${start.stderr}`);
  const res = await poll(() => fetchText(port, '/hello.txt'), 60000);
  t.equal(res.status, 200);
  t.equal(res.body, readFileSync(join(dir, 'htdocs/hello.txt'), 'utf8'));
  t.match(res.server, /^prefork\/\d+\.\d+\.\d+/);
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  const again = await prefork([...args, '-k', 'start']);
  t.same([again.code, again.stdout], [0, `httpd (pid ${pid}) already running\n`]);
  const stop = await prefork([...args, '-k', 'stop']);
  t.equal(stop.code, 0);
  await poll(async () => {
    if (existsSync(pidFile)) throw new Error('pid file still there');
  }, 30000);
  t.notOk(existsSync(pidFile), 'the master removed its pid file (AH00096)');
});
