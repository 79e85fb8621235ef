import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { MAKER_MARK, codeCachePath, runWithCodeCache, saveCodeCache } from '../src/code-cache.js';

const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/code-cache.js');

/** A directory with a CommonJS module that records how it ran, and a cache path for it. */
function fixture(t: Test) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ch-cache-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'prog.cjs');
  fs.writeFileSync(file, [
    '#!/usr/bin/env node',
    "'use strict';",
    'function square(x) { return x * x; }',
    "globalThis.__progRan = { square: square(7), file: __filename, dir: __dirname, sep: require('node:path').sep, own: module.exports === exports, self: this === exports };",
    '',
  ].join('\n'));
  return { dir, file, cache: codeCachePath(dir, fs.statSync(file), ['--flag']) };
}

/** Runs the module in a fresh Node through the built code-cache.js; returns the outcome. */
function runElsewhere(file: string, cache: string, save: boolean): string {
  const script = `import('${DIST}').then((m) => { const o = m.runWithCodeCache(${JSON.stringify(file)}, ${JSON.stringify(cache)}); const s = ${save} ? m.saveCodeCache() : false; process.stdout.write(o + ' ' + s + ' ' + globalThis.__progRan.square); })`;
  return execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
}

t.test('the cache file is named after Node, the flags and the bundle', async (t) => {
  const st = { size: 1000, mtimeMs: 5, ino: 7 };
  const a = codeCachePath('/run/x', st, ['--a'], 'v20.1.0', 'x64');
  t.match(a, /^\/run\/x\/prefork-child\.20\.1\.0-1000-[0-9a-f]{8}\.v8cache$/);
  t.equal(codeCachePath('/run/x', { ...st }, ['--a'], 'v20.1.0', 'x64'), a, 'same inputs, same file');
  const others = [
    codeCachePath('/run/x', st, ['--b'], 'v20.1.0', 'x64'),
    codeCachePath('/run/x', st, ['--a'], 'v20.1.1', 'x64'),
    codeCachePath('/run/x', st, ['--a'], 'v20.1.0', 'arm64'),
    codeCachePath('/run/x', { ...st, size: 1001 }, ['--a'], 'v20.1.0', 'x64'),
    codeCachePath('/run/x', { ...st, mtimeMs: 6 }, ['--a'], 'v20.1.0', 'x64'),
    codeCachePath('/run/x', { ...st, ino: 8 }, ['--a'], 'v20.1.0', 'x64'),
  ];
  t.equal(new Set([a, ...others]).size, 7, 'flags, Node, architecture, size, mtime and inode each change the name');
});

t.test('the first run makes the cache, the next compiles from it', async (t) => {
  const { file, cache } = fixture(t);
  t.equal(runElsewhere(file, cache, true), 'writer true 49', 'the module ran; its cache was written');
  t.ok(fs.statSync(cache).size > 0, 'a cache of some bytes');
  t.equal(runElsewhere(file, cache, false), 'used false 49', 'a second process compiles from the cache');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('x * x', 'x + x'));
  const moved = codeCachePath(path.dirname(file), fs.statSync(file), ['--flag']);
  t.not(moved, cache, 'an edited module has another cache file');
});

t.test('the module runs as require would run it', async (t) => {
  const { file, dir } = fixture(t);
  t.equal(runWithCodeCache(file, undefined), 'none');
  const ran = (globalThis as { __progRan?: Record<string, unknown> }).__progRan;
  t.same(ran, { square: 49, file, dir, sep: '/', own: true, self: true }, '__filename, __dirname, require, module, exports and this');
  t.equal(saveCodeCache(), false, 'no cache to write without a cache file');
});

t.test('a cache V8 refuses is reported and the module still runs', async (t) => {
  const { file, cache } = fixture(t);
  fs.writeFileSync(cache, Buffer.alloc(4096, 0x5a));
  t.equal(runElsewhere(file, cache, false), 'rejected false 49');
  t.equal(fs.statSync(cache).size, 4096, 'left alone: it may be a cache being written');
});

t.test('a cache being made: left to its maker while it lives, taken over after', async (t) => {
  const { file, cache } = fixture(t);
  t.equal(runElsewhere(file, cache, false), 'writer false 49', 'a maker that ends before writing');
  const left = fs.readFileSync(cache, 'latin1');
  t.match(left, new RegExp(`^${MAKER_MARK}\\d+\\n$`), 'leaves the line naming it');
  fs.writeFileSync(cache, `${MAKER_MARK}${process.pid}\n`);
  t.equal(runElsewhere(file, cache, true), 'none false 49', 'a living maker: compiled without the cache, nothing written');
  t.equal(fs.readFileSync(cache, 'latin1'), `${MAKER_MARK}${process.pid}\n`, 'the file is left to its maker');
  const gone = spawnSync(process.execPath, ['-e', '0']).pid;
  fs.writeFileSync(cache, `${MAKER_MARK}${gone}\n`);
  t.equal(runElsewhere(file, cache, true), 'writer true 49', 'a maker that is gone: taken over and written');
  t.notMatch(fs.readFileSync(cache, 'latin1').slice(0, MAKER_MARK.length), MAKER_MARK, 'the cache itself now');
  t.equal(runElsewhere(file, cache, false), 'used false 49');
  fs.writeFileSync(cache, '');
  t.equal(runElsewhere(file, cache, true), 'writer true 49', 'an empty file is taken over');
});

t.test('the child that makes a cache removes other caches, nothing else', async (t) => {
  const { dir, file, cache } = fixture(t);
  const stale = path.join(dir, 'prefork-child.20.0.0-1-00000000.v8cache');
  const other = path.join(dir, 'prefork-config.1.0.json');
  fs.writeFileSync(stale, 'x');
  fs.writeFileSync(other, '{}');
  t.equal(runElsewhere(file, cache, true), 'writer true 49');
  t.notOk(fs.existsSync(stale), 'an older cache is gone');
  t.ok(fs.existsSync(other), 'other files stay');
});
