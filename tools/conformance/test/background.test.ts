import t from 'tap';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateCase } from '../src/case-loader.js';
import { PortAllocator } from '../src/ports.js';
import { prepareRoot, runSide } from '../src/run-side.js';
import type { CaseSpec, LoadedCase } from '../src/types.js';

delete process.env.NODE_OPTIONS;

const here = fileURLToPath(new URL('.', import.meta.url));
const echo = join(here, 'fixtures', 'echo-server.mjs');
const side = { label: 'echo', command: [process.execPath, echo], programPaths: [echo] };

function loaded(spec: CaseSpec, dir: string): LoadedCase {
  return { id: 'x/y', area: 'x', name: 'y', dir, spec };
}

t.test('validation of background, await, connections, repeat and mtimes', async (t) => {
  const ok: CaseSpec = {
    mtimes: { 'htdocs/a.txt': '2026-11-25T16:18:28Z', 'htdocs/b.txt': 1764087508 },
    steps: [
      { http: { send: ['GET /', { repeat: 'a', count: 3 }, ' HTTP/1.0\r\n\r\n'], connections: 2 }, background: 'A' },
      { await: 'A' },
    ],
  };
  t.same(validateCase(ok), []);
  t.match(validateCase({ steps: [{ await: 'B' }] }).join(), /"await" names an earlier http step's "background"/);
  t.match(validateCase({ steps: [{ http: { send: [], connections: 0 } }] }).join(), /"connections" is a whole number/);
  t.match(validateCase({ steps: [{ http: { send: [{ repeat: 'a' }] } }] }).join(), /\{"repeat": text, "count": n\}/);
  t.match(validateCase({ mtimes: { a: 'yesterday' }, steps: [{ sleep: 0 }] }).join(), /"mtimes" must map paths/);
  t.match(validateCase({ steps: [{ sleep: 1, background: 'A' }] }).join(), /unknown key "background" for a sleep step/);
  t.same(validateCase({ steps: [{ signal: 'WINCH', waitExit: 5 }, { waitExit: 4 }] }), [], 'waitExit: a step, and an option of signal');
  t.match(validateCase({ steps: [{ waitExit: 0 }] }).join(), /"waitExit" takes seconds/);
});

t.test('mtimes are set on laid-down files', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'conformance-mtimes-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const spec: CaseSpec = {
    files: { 'htdocs/a.txt': 'a\n', 'htdocs/b.txt': 'b\n' },
    mtimes: { 'htdocs/a.txt': '2026-11-25T16:18:28.5Z', 'htdocs/b.txt': 1000000000 },
    steps: [{ sleep: 0 }],
  };
  prepareRoot(loaded(spec, root), root, {}, root);
  t.equal(statSync(join(root, 'htdocs/a.txt')).mtimeMs, Date.parse('2026-11-25T16:18:28.5Z'));
  t.equal(statSync(join(root, 'htdocs/b.txt')).mtimeMs, 1e12);
});

t.test('a background exchange stays in flight across later steps; await observes it; connections and repeat', async (t) => {
  const spec: CaseSpec = {
    steps: [
      { start: ['@PORT@'] },
      { http: { send: ['GET /slow HTTP/1.1\r\n', { sleep: 0.6 }, '\r\n'] }, background: 'slow' },
      { http: { send: ['GET /', { repeat: 'a', count: 100 }, ' HTTP/1.1\r\n\r\n'] } },
      { http: { send: ['GET /many HTTP/1.1\r\n\r\n'], connections: 3, body: 'length' } },
      { await: 'slow' },
      { waitExit: 0.3 },
    ],
  };
  const dir = mkdtempSync(join(tmpdir(), 'conformance-bg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const started = Date.now();
  const r = await runSide(loaded(spec, dir), side, { fixturesDir: dir, ports: new PortAllocator() });
  t.equal(r.error, undefined);
  t.same(r.steps[0], { started: true });
  t.same(r.steps[1], {}, 'the background step observes nothing itself');
  t.same(r.steps[2].body, ['114:GET /aaaaaaaaaaaaaaa'], 'the repeated text was sent (answered before the slow one)');
  t.same(r.steps[3].status, [['HTTP/1.1 200 OK'], ['HTTP/1.1 200 OK'], ['HTTP/1.1 200 OK']], 'one entry per connection');
  t.same(r.steps[3].body, [[21], [21], [21]]);
  t.same(r.steps[4].status, ['HTTP/1.1 200 OK']);
  t.same(r.steps[4].body, ['18:GET /slow HTTP/1.1']);
  t.same(r.steps[5], { exited: false, exit: null }, 'waitExit sends nothing: the server is still running');
  t.ok(Date.now() - started >= 600);
});

t.test('a log step with atLeast polls until that many lines; a pidfile step with goneWithin waits for the removal', async (t) => {
  const slow = join(here, 'fixtures', 'slow-logger.mjs');
  const spec: CaseSpec = {
    steps: [
      { start: ['@PORT@', '@ROOT@'] },
      { pidfile: {} },
      { errorlog: { match: '^line', until: 5, atLeast: 3 } },
      { pidfile: { goneWithin: 5 } },
      { errorlog: { match: '^line', until: 5, atLeast: 4 } },
      { waitExit: 0.1 },
    ],
  };
  t.same(validateCase(spec), []);
  const dir = mkdtempSync(join(tmpdir(), 'conformance-late-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const r = await runSide(loaded(spec, dir), { label: 'late', command: [process.execPath, slow], programPaths: [slow] }, { fixturesDir: dir, ports: new PortAllocator() });
  t.equal(r.error, undefined);
  t.same(r.steps[1], { exists: true, isMaster: true }, 'the pid file is there at first');
  t.ok((r.steps[2].lines as string[]).length >= 3, 'at least three lines were waited for');
  t.same(r.steps[3], { exists: false }, 'the pid file was waited out');
  t.same(r.steps[4].lines, ['line 1', 'line 2', 'line 3', 'line 4']);
});
