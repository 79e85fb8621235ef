import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rootSkip, validateCase } from '../src/case-loader.js';
import { PortAllocator } from '../src/ports.js';
import { credentialsOf } from '../src/processes.js';
import { runSide } from '../src/run-side.js';
import type { CaseSpec, LoadedCase } from '../src/types.js';

delete process.env.NODE_OPTIONS;

const here = fileURLToPath(new URL('.', import.meta.url));
const parent = join(here, 'fixtures', 'parent-server.mjs');
const side = { label: 'parent', command: [process.execPath, parent], programPaths: [parent] };

t.test('validation of signalChild and credentials', async (t) => {
  t.same(validateCase({ steps: [{ signalChild: 'SEGV', wait: 2 }, { credentials: {} }] }), []);
  t.match(validateCase({ steps: [{ signalChild: 'STOP' }] }).join(), /"signalChild" is one of KILL, SEGV/);
  t.match(validateCase({ steps: [{ signalChild: 'KILL', wait: -1 }] }).join(), /"wait" takes seconds/);
  t.match(validateCase({ steps: [{ signalChild: 'KILL', waitExit: 1 }] }).join(), /names exactly one of/);
  t.match(validateCase({ steps: [{ credentials: { pid: 1 } }] }).join(), /"credentials" takes \{\}/);
});

t.test('requiresRoot: skipped with the checked reason unless the runner is root', async (t) => {
  t.same(validateCase({ requiresRoot: true, steps: [{ sleep: 0 }] }), []);
  t.match(validateCase({ requiresRoot: 'yes', steps: [{ sleep: 0 }] }).join(), /"requiresRoot" is true or false/);
  t.equal(rootSkip({ requiresRoot: true, steps: [] }, 0), undefined);
  t.equal(rootSkip({ steps: [] }, 1000), undefined);
  t.match(rootSkip({ requiresRoot: true, steps: [] }, 1000), /needs root: .* runs as uid 1000/);
});

t.test('credentialsOf reads /proc/<pid>/status', async (t) => {
  const c = credentialsOf(process.pid);
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  t.match(c, new RegExp(`^uid ${uid} ${process.geteuid?.() ?? uid} \\d+ \\d+, gid ${gid} ${process.getegid?.() ?? gid} \\d+ \\d+, groups`));
  t.equal(credentialsOf(2 ** 22 + 12345), null, 'a pid that does not exist');
});

t.test('signalChild kills the oldest child; the master replaces it; credentials of master and children', async (t) => {
  const spec: CaseSpec = {
    steps: [
      { start: ['@PORT@'] },
      { sleep: 0.5 },
      { credentials: {} },
      { signalChild: 'KILL', wait: 2 },
      { children: { seconds: 0.5 } },
      { signalChild: 'SEGV', wait: 2 },
      { children: { seconds: 0.5 } },
    ],
  };
  const dir = mkdtempSync(join(tmpdir(), 'conformance-child-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const r = await runSide({ id: 'x/y', area: 'x', name: 'y', dir, spec } as LoadedCase, side, { fixturesDir: dir, ports: new PortAllocator() });
  t.equal(r.error, undefined);
  t.same(r.steps[0], { started: true });
  const me = credentialsOf(process.pid);
  t.same(r.steps[2], { master: me, children: [me] }, 'master and children run as this test does; children listed once');
  t.same(r.steps[3], { signalled: true });
  const counts = (i: number): number[] => (r.steps[i].series as [number, number][]).map(([, n]) => n);
  t.ok(counts(4).includes(2), `the killed child was replaced: ${JSON.stringify(r.steps[4].series)}`);
  t.same(r.steps[5], { signalled: true });
  t.ok(counts(6).includes(2), `and again: ${JSON.stringify(r.steps[6].series)}`);
});
