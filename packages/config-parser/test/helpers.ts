// Shared by the tests: a host that behaves like Debian's apache2 for the read pass, and temp trees.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Test } from 'tap';
import type { DirectiveNode, ExecOnReadResult, ReadHost } from '../src/index.js';
import { splitArgs } from '../src/index.js';

/** Compiled into Debian's apache2 (apache2 -l). */
const BUILTIN = ['core', 'so', 'watchdog', 'http', 'log_config', 'logio', 'version', 'unixd'];

export interface TestHost extends ReadHost {
  loaded: Set<string>;
  seen: string[];
}

/**
 * A host that knows modules by `x_module` and `mod_x.c`, loads them through LoadModule the way
 * mod_so answers (built-in, already loaded, missing file), and knows a few directives.
 */
export function makeHost(opts: { modules?: string[]; directives?: string[]; sections?: string[] } = {}): TestHost {
  const loaded = new Set<string>([...BUILTIN, ...(opts.modules ?? [])]);
  const directives = new Set((opts.directives ?? ['ServerName', 'Listen', 'DocumentRoot', 'LoadModule']).map((d) => d.toLowerCase()));
  const sections = new Set((opts.sections ?? ['Directory', 'VirtualHost', 'Location', 'Files']).map((d) => d.toLowerCase()));
  const seen: string[] = [];
  return {
    loaded,
    seen,
    isModuleLoaded(name: string): boolean {
      const m = /^mod_(.+)\.c$/.exec(name) ?? /^(.+)_module$/.exec(name);
      return m !== null && loaded.has(m[1] === 'http_core' ? 'http' : m[1]);
    },
    directiveExists: (n) => directives.has(n.toLowerCase()),
    sectionExists: (n) => sections.has(n.toLowerCase()),
    version: { major: 2, minor: 4, patch: 71 },
    execOnReadNames: new Set(['loadmodule']),
    execOnRead(node: DirectiveNode): ExecOnReadResult | undefined {
      seen.push(`${node.name} ${node.args}`);
      const [id, file] = splitArgs(node.args);
      if (!id || !file) return { error: 'LoadModule takes two arguments, a module name and the name of a shared object file to load it from' };
      const short = id.replace(/_module$/, '');
      if (BUILTIN.includes(short)) return { error: `module ${id} is built-in and can't be loaded` };
      if (loaded.has(short)) {
        return { warning: { id: 'AH01574', module: 'so', level: 'warn', message: `module ${id} is already loaded, skipping` } };
      }
      if (!existsSync(file)) {
        return { error: `Cannot load ${file} into server: ${file}: cannot open shared object file: No such file or directory` };
      }
      loaded.add(short);
      return undefined;
    },
    canonicalName(name: string): string | undefined {
      const known = ['<Directory', '<VirtualHost', '<Location', '<Files', 'ServerName', 'Listen', 'DocumentRoot'];
      return known.find((k) => k.toLowerCase() === name.toLowerCase());
    },
  };
}

/** A temp directory removed when the test ends; `files` maps relative paths to contents. */
export function tempTree(t: Test, files: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'cfgparser-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  writeTree(root, files);
  return root;
}

export function writeTree(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    if (rel.endsWith('/')) mkdirSync(p, { recursive: true });
    else writeFileSync(p, text);
  }
}

import { readConfig, type ConfigNode, type ReadOptions, type ReadResult } from '../src/index.js';

/** Writes `files` under a temp root and reads `main` (default 'main.conf') from it. */
export function readTree(
  t: Test,
  files: Record<string, string>,
  opts: Partial<ReadOptions> & { main?: string } = {},
): ReadResult & { root: string } {
  const root = tempTree(t, files);
  const { main = 'main.conf', ...rest } = opts;
  const r = readConfig({ file: main, serverRoot: root, host: makeHost(), env: {}, ...rest });
  return { ...r, root };
}

/** A compact picture of a tree: `Name args` for directives, `<Name args>[…]` for sections. */
export function shape(nodes: ConfigNode[]): unknown[] {
  return nodes.map((n) => (n.type === 'directive' ? `${n.name} ${n.args}`.trim() : { [`<${n.name} ${n.args}>`]: shape(n.children) }));
}
