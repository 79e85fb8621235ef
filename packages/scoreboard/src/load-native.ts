import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NativeScoreboard } from './native.js';

/** The package root: one level above both `src/` and `dist/`. */
const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Thrown when no build of the addon could be loaded; lists every path tried and why each failed. */
export class NativeLoadError extends Error {
  readonly code = 'PF_SCOREBOARD_NATIVE_MISSING';
  constructor(readonly attempts: ReadonlyArray<{ path: string; error: string }>) {
    super(
      'PF01001: cannot load the @prefork/scoreboard native addon; tried:\n' +
        attempts.map((a) => `  ${a.path}: ${a.error}`).join('\n') +
        '\nRebuild it with `npx node-gyp rebuild` in the package directory (needs a C++ compiler and Node headers).',
    );
    this.name = 'NativeLoadError';
  }
}

function isNative(x: unknown): x is NativeScoreboard {
  const o = x as Partial<Record<keyof NativeScoreboard, unknown>> | null;
  return (
    typeof o === 'object' && o !== null &&
    typeof o.map === 'function' && typeof o.unmap === 'function' &&
    typeof o.remove === 'function' && typeof o.layout === 'function'
  );
}

/**
 * Loads the addon: a local source build first (build/Release, build/Debug), then
 * node-gyp-build's search of `prebuilds/<platform>-<arch>`. Each call loads afresh
 * from Node's module cache, so there is no state here to keep.
 */
export function loadNative(root: string = packageRoot): NativeScoreboard {
  const require = createRequire(import.meta.url);
  const attempts: Array<{ path: string; error: string }> = [];
  for (const candidate of [join(root, 'build', 'Release', 'scoreboard.node'), join(root, 'build', 'Debug', 'scoreboard.node')]) {
    try {
      const mod: unknown = require(candidate);
      if (isNative(mod)) return mod;
      attempts.push({ path: candidate, error: 'loaded, but it does not export map/unmap/remove/layout' });
    } catch (e) {
      attempts.push({ path: candidate, error: (e as Error).message.split('\n')[0] ?? String(e) });
    }
  }
  const prebuildDir = join(root, 'prebuilds', `${process.platform}-${process.arch}`);
  try {
    const nodeGypBuild = require('node-gyp-build') as (dir: string) => unknown;
    const mod = nodeGypBuild(root);
    if (isNative(mod)) return mod;
    attempts.push({ path: prebuildDir, error: 'loaded, but it does not export map/unmap/remove/layout' });
  } catch (e) {
    attempts.push({ path: prebuildDir, error: (e as Error).message.split('\n')[0] ?? String(e) });
  }
  throw new NativeLoadError(attempts);
}
