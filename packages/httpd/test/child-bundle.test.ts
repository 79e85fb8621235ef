import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { freshBundle } from '../src/core-backend.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bundle = path.join(root, 'packages', 'conn-handler', 'dist', 'child.cjs');

t.test('a bundle is used only while none of its inputs is newer', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pf-bundle-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const b = path.join(dir, 'child.cjs');
  const input = path.join(dir, 'a.js');
  fs.writeFileSync(input, '');
  fs.writeFileSync(b, '');
  const past = new Date(Date.now() - 60_000);
  fs.utimesSync(input, past, past);
  t.equal(freshBundle(b), false, 'no manifest: not used');
  fs.writeFileSync(`${b}.inputs.json`, JSON.stringify({ node: 'v0.0.1', inputs: ['a.js'] }));
  t.equal(freshBundle(b), false, 'built by another Node version: not used');
  fs.writeFileSync(`${b}.inputs.json`, JSON.stringify({ node: process.version, inputs: ['a.js', 'gone/b.js'] }));
  t.equal(freshBundle(b), true, 'inputs older (a missing one does not count)');
  const future = new Date(Date.now() + 60_000);
  fs.utimesSync(input, future, future);
  t.equal(freshBundle(b), false, 'an input rebuilt after the bundle: stale');
  fs.writeFileSync(`${b}.inputs.json`, '{not json');
  t.equal(freshBundle(b), false, 'an unreadable manifest: not used');
  t.end();
});

// The root build (`npm ci` runs it through `prepare`) bundles the child with esbuild, a
// devDependency; the workspace always has it.
// Each is fresh and, started without a bootstrap, loads everything, then refuses with its
// message: the bundle itself, and the loader the master spawns, which runs the bundle.
for (const [what, file] of [['the child bundle', bundle], ['its loader', path.join(path.dirname(bundle), 'child-load.cjs')]] as const) {
  t.test(`${what} is built, fresh and runs the child program`, (t) => {
    t.ok(fs.existsSync(file), `${path.relative(root, file)} was built`);
    t.equal(freshBundle(file), true, 'built after its inputs');
    const env = { ...process.env };
    delete env['PREFORK_CHILD'];
    const r = spawnSync(process.execPath, [file], { env, encoding: 'utf8', timeout: 60_000 });
    t.equal(r.status, 3, 'exits with APEXIT_CHILDINIT');
    t.match(r.stderr, /^PF02005: child initialisation failed: PF02003: PREFORK_CHILD is not set/);
    t.end();
  });
}
