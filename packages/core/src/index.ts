/**
 * @prefork/core: Apache's module API (directive tables, contexts, hooks, server and per-dir
 * config with merges), the process pass over a configuration tree, LoadModule and the
 * fail-closed policy, the error-log line format, and the modules Debian builds in.
 */
export * from './child-protocol.js';
export * from './constants.js';
export * from './methods.js';
export * from './args.js';
export * from './module.js';
export * from './hooks.js';
export * from './logger.js';
export * from './invoke.js';
export * from './catalogue.js';
export * from './policy.js';
export * from './registry.js';
export * from './process.js';
export * from './load.js';
export * from './hostname.js';
export * from './vhost-table.js';
export * from './show-directives.js';
export * from './modules/index.js';

import type { AnyModule } from './module.js';
import { CORE_MODULES, PRELOADED_MODULES } from './modules/index.js';
import { createRegistry, type ModuleRegistry } from './registry.js';

/**
 * A registry with this package's modules plus `extra` (e.g. mpm_prefork from
 * @prefork/mpm-core, or modules of @prefork/modules that replace ours by name).
 */
export function createDefaultRegistry(extra: readonly AnyModule[] = []): ModuleRegistry {
  const byName = new Map<string, AnyModule>();
  for (const m of [...CORE_MODULES, ...extra]) byName.set(m.name, m);
  return createRegistry({ modules: [...byName.values()], preloaded: PRELOADED_MODULES });
}
