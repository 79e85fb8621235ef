/**
 * `httpd -L` (config.c's ap_show_directives): each directive of each loaded module with its
 * help text and, in show_overrides' words, where it is allowed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadCatalogue, type Catalogue } from './catalogue.js';
import { ACCESS_CONF, OR_ALL, OR_AUTHCFG, OR_FILEINFO, OR_INDEXES, OR_LIMIT, OR_OPTIONS, RSRC_CONF } from './constants.js';
import type { LoadResult } from './load.js';
import type { AnyModule } from './module.js';
import type { Arity } from './constants.js';

/** The "Allowed in" line(s) for a directive's req_override bits. */
export function allowedIn(context: number, hasDirConfig: boolean): string {
  let out = '\tAllowed in *.conf ';
  if (context & (OR_OPTIONS | OR_FILEINFO | OR_INDEXES) || (context & RSRC_CONF && context & (ACCESS_CONF | OR_AUTHCFG | OR_LIMIT))) {
    out += 'anywhere';
  } else if (context & RSRC_CONF) {
    out += 'only outside <Directory>, <Files>, <Location>, or <If>';
  } else {
    out += 'only inside <Directory>, <Files>, <Location>, or <If>';
  }
  if (context & (OR_ALL | ACCESS_CONF) && !hasDirConfig) out += ' [no per-dir config]';
  if (context & OR_ALL) {
    out += ' and in .htaccess\n\twhen AllowOverride';
    if ((context & OR_ALL) === OR_ALL) {
      out += " isn't None";
    } else {
      const names: [number, string][] = [
        [OR_AUTHCFG, 'AuthConfig'], [OR_LIMIT, 'Limit'], [OR_OPTIONS, 'Options'], [OR_FILEINFO, 'FileInfo'], [OR_INDEXES, 'Indexes'],
      ];
      out += ` includes ${names.filter(([bit]) => context & bit).map(([, n]) => n).join(' or ')}`;
    }
  }
  return `${out}\n`;
}

/**
 * A req_override mask that `-L`'s "Allowed in" text stands for (the inverse of
 * {@link allowedIn}): outside sections is RSRC_CONF, inside them ACCESS_CONF, anywhere both,
 * and the AllowOverride classes it names. Where the text leaves the bits open (anywhere: an
 * OR_* class alone, or RSRC_CONF with it), the mask chosen allows and refuses the same places.
 */
export function contextOfAllowed(allowed: string): number {
  let context = contexts.get(allowed);
  if (context === undefined) contexts.set(allowed, (context = parseAllowed(allowed)));
  return context;
}

/** The masks of the dozen texts -L prints, each parsed once (a tree may repeat a directive sixty times). */
const contexts = new Map<string, number>();

function parseAllowed(allowed: string): number {
  let context = 0;
  if (allowed.includes('Allowed in *.conf anywhere')) context |= RSRC_CONF | ACCESS_CONF;
  else if (allowed.includes('Allowed in *.conf only outside')) context |= RSRC_CONF;
  else if (allowed.includes('Allowed in *.conf only inside')) context |= ACCESS_CONF;
  if (allowed.includes("when AllowOverride isn't None")) context |= OR_ALL;
  const includes = /when AllowOverride includes (.*)/.exec(allowed)?.[1] ?? '';
  const classes: Record<string, number> = { AuthConfig: OR_AUTHCFG, Limit: OR_LIMIT, Options: OR_OPTIONS, FileInfo: OR_FILEINFO, Indexes: OR_INDEXES };
  for (const name of includes.split(' or ')) context |= classes[name.trim()] ?? 0;
  return context;
}

/** The whole `-L` listing for `modules`, in their order. */
export function showDirectives(modules: readonly AnyModule[]): string {
  let out = '';
  for (const m of modules) {
    for (const d of m.directives ?? []) {
      out += `${d.name} (${m.sourceFile})\n`;
      if (d.help) out += `\t${d.help}\n`;
      out += allowedIn(d.context, m.createDirConfig !== undefined);
    }
  }
  return out;
}

/** One row of a stock module's table as `apache2 -L` prints it. */
export interface CommandTableRow {
  name: string;
  help: string | null;
  /** The "Allowed in" line(s), each with its tab and newline. */
  allowed: string;
  /**
   * How invoke_cmd splits its arguments, as `apache2 -t` shows it (generate-tables.mjs);
   * absent for RAW_ARGS and TAKE_ARGV, whose modules read the arguments themselves.
   */
  arity?: Exclude<Arity, 'RAW_ARGS' | 'TAKE_ARGV'>;
}

/** catalogue/command-tables.json: each stock module's directive table, by source file. */
export interface CommandTables {
  recordedWith: string;
  modules: Record<string, CommandTableRow[]>;
}

/** Reads catalogue/command-tables.json (an empty set of tables when it is absent). */
export function loadCommandTables(file: string = fileURLToPath(new URL('../catalogue/command-tables.json', import.meta.url))): CommandTables {
  if (!existsSync(file)) return { recordedWith: '', modules: {} };
  return JSON.parse(readFileSync(file, 'utf8')) as CommandTables;
}

/**
 * `-L` for a load: each loaded module in load order. A stock Apache module is listed as its
 * table in Apache stands (every directive, implemented here or not); any other module (one
 * loaded from JavaScript) with its own table.
 */
export function showLoadedDirectives(
  result: Pick<LoadResult, 'modules' | 'moduleDefs'>,
  tables: CommandTables = loadCommandTables(),
  catalogue: Catalogue = loadCatalogue(),
): string {
  let out = '';
  for (const l of result.modules) {
    const def = result.moduleDefs.find((m) => m.name === l.name);
    const rows = tables.modules[l.sourceFile];
    // Not implemented here (so a stock module), or implemented under a stock module's name.
    if (rows && (!def || catalogue.modules.get(l.name)?.sourceFile === l.sourceFile)) {
      for (const r of rows) out += `${r.name} (${l.sourceFile})\n${r.help === null ? '' : `\t${r.help}\n`}${r.allowed}`;
    } else if (def) {
      out += showDirectives([def]);
    }
  }
  return out;
}
