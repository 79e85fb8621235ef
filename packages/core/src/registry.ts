/**
 * The modules a server can use: ours (with directive tables) and the catalogue of Apache's
 * stock modules (names, source files, directives) for the ones we do not implement.
 */
import type { AnyModule } from './module.js';
import { loadCatalogue, type Catalogue } from './catalogue.js';
import { modulePolicy, type ModulePolicy } from './policy.js';

export interface ModuleRegistry {
  /** Our modules by Apache module name. */
  readonly modules: ReadonlyMap<string, AnyModule>;
  /** Names of our modules that are always loaded (core, http, log_config, unixd, so …). */
  readonly preloaded: readonly string[];
  readonly catalogue: Catalogue;
  /** What we do with a module name (undefined: not a stock Apache module we know). */
  policy(name: string): ModulePolicy | undefined;
  /** The source file Apache gives a module name ('mod_status.c', 'prefork.c'). */
  sourceFileOf(name: string): string | undefined;
}

export interface RegistryOptions {
  /** Our modules; those named in `preloaded` are loaded without LoadModule. */
  modules: readonly AnyModule[];
  preloaded?: readonly string[];
  catalogue?: Catalogue;
}

/** Builds a registry. Each server configuration load reads it; nothing in it changes. */
export function createRegistry(options: RegistryOptions): ModuleRegistry {
  const modules = new Map<string, AnyModule>();
  for (const m of options.modules) modules.set(m.name, m);
  const catalogue = options.catalogue ?? loadCatalogue();
  const implemented = new Set(modules.keys());
  const preloaded = (options.preloaded ?? []).filter((n) => modules.has(n));
  return {
    modules,
    preloaded,
    catalogue,
    policy: (name) => {
      const p = modulePolicy(name, implemented);
      if (p) return p;
      // A stock module the lists do not name: unknown meaning, so fail closed.
      if (catalogue.modules.has(name)) return 'fail-closed';
      return undefined;
    },
    sourceFileOf: (name) => modules.get(name)?.sourceFile ?? catalogue.modules.get(name)?.sourceFile,
  };
}
