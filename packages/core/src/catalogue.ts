/**
 * The directive catalogue of Apache 2.4's stock modules (catalogue/directives.json and
 * modules.json, generated from the httpd manual). It lets the process pass tell a real
 * directive we do not implement ("not supported by this server") from a misspelling.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface CatalogueDirective {
  name: string;
  /** Apache module name ('deflate_module'); 'core' for the core. */
  module: string;
  section: boolean;
  syntax: string;
  contexts: string[];
}

export interface CatalogueModule {
  /** 'deflate_module' ('core' for the core). */
  name: string;
  /** 'mod_deflate.c' ('core.c' for the core). */
  sourceFile: string;
  status: string;
}

export interface Catalogue {
  /** By lower-case directive name: every module that declares it. */
  directives: Map<string, CatalogueDirective[]>;
  /** By module name. */
  modules: Map<string, CatalogueModule>;
}

interface RawDirective {
  name?: unknown;
  module?: unknown;
  identifier?: unknown;
  section?: unknown;
  syntax?: unknown;
  contexts?: unknown;
}
interface RawModule {
  name?: unknown;
  identifier?: unknown;
  sourceFile?: unknown;
  status?: unknown;
}

/** Apache's core module is named 'core' (its struct is core_module); the catalogue may say either. */
const coreName = (n: string | undefined) => (n === 'core_module' ? 'core' : n);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * The file the module structure is in, as `-L` names it: the manual lists a module's files
 * ("mod_sed.c sed0.c …"), or one without its ".c" (mod_heartbeat).
 */
function mainSourceFile(files: string | undefined): string | undefined {
  const first = files?.split(/\s+/)[0];
  if (!first) return undefined;
  return first.endsWith('.c') ? first : `${first}.c`;
}

/** Reads the catalogue shipped with this package (an empty one when it is absent). */
export function loadCatalogue(dir: string = fileURLToPath(new URL('../catalogue/', import.meta.url))): Catalogue {
  const cat: Catalogue = { directives: new Map(), modules: new Map() };
  const dfile = `${dir}/directives.json`;
  const mfile = `${dir}/modules.json`;
  if (!existsSync(dfile) || !existsSync(mfile)) return cat;
  const rawModules = JSON.parse(readFileSync(mfile, 'utf8')) as RawModule[];
  for (const m of rawModules) {
    const name = coreName(str(m.identifier) ?? (str(m.name) === 'core' ? 'core' : undefined));
    if (!name) continue;
    cat.modules.set(name, {
      name,
      sourceFile: mainSourceFile(str(m.sourceFile)) ?? (name === 'core' ? 'core.c' : `${name}.c`),
      status: str(m.status) ?? '',
    });
  }
  const rawDirectives = JSON.parse(readFileSync(dfile, 'utf8')) as RawDirective[];
  for (const d of rawDirectives) {
    const name = str(d.name);
    const module = coreName(str(d.identifier) ?? (str(d.module) === 'core' ? 'core' : undefined));
    if (!name || !module) continue;
    const entry: CatalogueDirective = {
      name,
      module,
      section: d.section === true,
      syntax: str(d.syntax) ?? '',
      contexts: Array.isArray(d.contexts) ? d.contexts.filter((c): c is string => typeof c === 'string') : [],
    };
    const key = name.toLowerCase();
    const list = cat.directives.get(key) ?? [];
    list.push(entry);
    cat.directives.set(key, list);
  }
  return cat;
}
