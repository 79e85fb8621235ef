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
t.test('the built child bundle is fresh and loads every module it holds', (t) => {
  t.ok(fs.existsSync(bundle), `${path.relative(root, bundle)} was built`);
  t.equal(freshBundle(bundle), true, 'built after its inputs');
  // Started without a bootstrap, the child loads everything, then refuses with its message.
  const env = { ...process.env };
  delete env['PREFORK_CHILD'];
  const r = spawnSync(process.execPath, [bundle], { env, encoding: 'utf8', timeout: 60_000 });
  t.equal(r.status, 3, 'exits with APEXIT_CHILDINIT');
  t.match(r.stderr, /^PF02005: child initialisation failed: PF02003: PREFORK_CHILD is not set/);
  t.end();
});

t.test('the loader the master spawns is fresh and runs the bundle', (t) => {
  const loader = path.join(path.dirname(bundle), 'child-load.cjs');
  t.ok(fs.existsSync(loader), `${path.relative(root, loader)} was built`);
  t.equal(freshBundle(loader), true, 'built after its inputs');
  const env = { ...process.env };
  delete env['PREFORK_CHILD'];
  const r = spawnSync(process.execPath, [loader], { env, encoding: 'utf8', timeout: 60_000 });
  t.equal(r.status, 3, 'the bundle ran: APEXIT_CHILDINIT');
  t.match(r.stderr, /^PF02005: child initialisation failed: PF02003: PREFORK_CHILD is not set/);
  t.end();
});
