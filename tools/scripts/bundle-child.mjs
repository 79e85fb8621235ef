#!/usr/bin/env node
// Bundles the child program (conn-handler's dist/child-entry.js and everything it imports from
// @prefork packages) into one CommonJS file, packages/conn-handler/dist/child.cjs: one compile
// instead of some forty ES modules and no ESM facades for Node's builtins, which more than
// halves the JavaScript part of a child's start-up. Beside it, child.cjs.inputs.json names the
// Node version and the files it was made from; the master spawns the bundle only while it is
// fresh, else dist/child-entry.js: a `tsc -b` without this script leaves a stale bundle that
// is never used.
//
// (A V8 startup snapshot of the same program starts quicker still, but each child then holds
// about 5 MB more private heap, so it is not built.)
//
// Beside it, child-load.cjs (from dist/child-load.js): the file the master spawns, which runs
// child.cjs compiled with V8's code cache.
//
// Run after `tsc -b` (the root `build` and `prepare` scripts do). Without esbuild it says so and
// leaves no bundle: the master then spawns dist/child-entry.js, which behaves the same.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(root, 'packages', 'conn-handler', 'dist');
const bundleOut = join(dist, 'child.cjs');

const loaderOut = join(dist, 'child-load.cjs');

function removeBundle() {
  for (const f of [bundleOut, loaderOut]) {
    rmSync(f, { force: true });
    rmSync(`${f}.inputs.json`, { force: true });
  }
}

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  removeBundle();
  console.error('bundle-child: esbuild is not installed; children start from dist/child-entry.js');
  process.exit(0);
}
const entry = join(dist, 'child-entry.js');
if (!existsSync(entry)) {
  console.error(`bundle-child: ${relative(root, entry)} is missing; run tsc -b first`);
  process.exit(1);
}

/** The @prefork package a bundled file belongs to, from the nearest package.json. */
function packageNameOf(file) {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) return JSON.parse(readFileSync(pj, 'utf8')).name;
  }
  return undefined;
}

// Bundled code still finds its package's native addon: `import.meta.url` of a file in package P
// becomes the URL of P's entry as Node resolves it from the bundle (every file that asks sits in
// P's dist/ beside the entry), so the addon is found wherever npm placed P.
const metaUrl = {
  name: 'import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const name = packageNameOf(args.path);
      if (!name || !name.startsWith('@prefork/')) {
        throw new Error(`bundle-child: ${args.path.split(sep).join('/')} uses import.meta.url outside @prefork`);
      }
      const url = `__preforkPackageUrl(${JSON.stringify(name)})`;
      return { contents: text.replaceAll('import.meta.url', url), loader: 'js' };
    });
  },
};

/** One bundle; returns its inputs relative to it. */
async function bundle(entry, outfile) {
  const result = await esbuild.build({
    absWorkingDir: root,
    metafile: true,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // Addons, node-gyp-build and koffi (mod_deflate's zlib) are loaded at run time from the installed packages.
    external: ['*.node', 'node-gyp-build', 'koffi'],
    plugins: [metaUrl],
    // Resolved when the bundle runs, not when it is built (the banner is not bundled).
    // Each package once: a resolution costs a starting child about a millisecond.
    banner: { js: "'use strict';const __preforkUrls = new Map();const __preforkPackageUrl = (n) => { let u = __preforkUrls.get(n); if (u === undefined) { u = require('node:url').pathToFileURL(require.resolve(n)).href; __preforkUrls.set(n, u); } return u; };" },
    minifyWhitespace: true,
    minifySyntax: true,
    // No keepNames: esbuild would wrap every closure the child creates in a __name() call that
    // defines its `name` property, per request (a warm child's CPU per keep-alive request fell
    // from about 150 µs to 123 without it). Nothing in the child reads function names.
    keepNames: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  return Object.keys(result.metafile.inputs).map((f) => relative(dirname(outfile), join(root, f)).split(sep).join('/'));
}

function writeManifest(file, inputs) {
  writeFileSync(`${file}.inputs.json`, `${JSON.stringify({ node: process.version, inputs }, null, 1)}\n`);
}

removeBundle();
writeManifest(bundleOut, await bundle(entry, bundleOut));
// The loader the master spawns: it compiles child.cjs with V8's code cache (src/code-cache.ts).
writeManifest(loaderOut, await bundle(join(dist, 'child-load.js'), loaderOut));
