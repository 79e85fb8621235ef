#!/usr/bin/env node
// The program the master spawns for a bundled child (dist/child-load.cjs, bundled from this
// file): it runs dist/child.cjs, the child program, compiled with V8's code cache
// (code-cache.ts). PREFORK_CODE_CACHE=off in the master's environment runs it without.
import fs from 'node:fs';
import path from 'node:path';
import { codeCachePath, runWithCodeCache } from './code-cache.js';
import { CHILD_ENV } from './protocol.js';

const bundle = path.join(path.dirname(process.argv[1] ?? '.'), 'child.cjs');
let cacheFile: string | undefined;
try {
  // Beside the configuration snapshot: DefaultRuntimeDir.
  const b = JSON.parse(process.env[CHILD_ENV] ?? '') as { configSnapshot?: unknown };
  if (typeof b.configSnapshot === 'string' && process.env['PREFORK_CODE_CACHE'] !== 'off') {
    cacheFile = codeCachePath(path.dirname(b.configSnapshot), fs.statSync(bundle), process.execArgv);
  }
} catch {
  // No bootstrap: the program says so itself.
}
runWithCodeCache(bundle, cacheFile);
