/**
 * The modules a server can use: ours (with directive tables) and the catalogue of Apache's
 * stock modules (names, source files, directives) for the ones we do not implement.
 */
import type { AnyModule } from './module.js';
import { loadCatalogue, type Catalogue } from './catalogue.js';
import { modulePolicy, type ModulePolicy } from './policy.js';
import { loadCommandTables, type CommandTableRow, type CommandTables } from './show-directives.js';

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
  /** Each stock module's directive table as Apache has it (read on first use). */
  readonly commandTables: CommandTables;
  /** The row of a stock module's table for a directive (any case), by the module's source file. */
  stockCommand(sourceFile: string, name: string): CommandTableRow | undefined;
}

export interface RegistryOptions {
  /** Our modules; those named in `preloaded` are loaded without LoadModule. */
  modules: readonly AnyModule[];
  preloaded?: readonly string[];
  catalogue?: Catalogue;
  commandTables?: CommandTables;
}

/** Builds a registry. Each server configuration load reads it; nothing in it changes. */
export function createRegistry(options: RegistryOptions): ModuleRegistry {
  const modules = new Map<string, AnyModule>();
  for (const m of options.modules) modules.set(m.name, m);
  const catalogue = options.catalogue ?? loadCatalogue();
  const implemented = new Set(modules.keys());
  const preloaded = (options.preloaded ?? []).filter((n) => modules.has(n));
  let tables = options.commandTables;
  const byFile = new Map<string, Map<string, CommandTableRow>>();
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
    get commandTables() {
      return (tables ??= loadCommandTables());
    },
    stockCommand(sourceFile, name) {
      let rows = byFile.get(sourceFile);
      if (!rows) {
        rows = new Map((this.commandTables.modules[sourceFile] ?? []).map((r) => [r.name.toLowerCase(), r]));
        byFile.set(sourceFile, rows);
      }
      return rows.get(name.toLowerCase());
    },
  };
}
