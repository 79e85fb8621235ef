#!/usr/bin/env node
// Builds directives.json and modules.json from the module reference pages of the
// Apache httpd manual (docs/manual/mod/*.xml). Plain Node, no dependencies.
//
//   node generate.mjs --git-dir <httpd.git> [--ref refs/heads/2.4.x] [--out <dir>]
//   node generate.mjs --src <httpd checkout>                 [--out <dir>]
//   node generate.mjs --check [--out <dir>]     validate the committed JSON only
//
// The manual's XML is regular enough (one <modulesynopsis> per file, flat
// <directivesynopsis> children) that a small tag scanner is reliable; a general
// XML parser would be a dependency for no gain.

import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname, basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
// "proxy section" is what the manual calls <Proxy> blocks (mod_ssl's SSLProxy*).
const KNOWN_CONTEXTS = ['server config', 'virtual host', 'directory', '.htaccess', 'proxy section'];
const KNOWN_STATUS = ['Core', 'MPM', 'Base', 'Extension', 'Experimental', 'External'];
// mpm_common is a documentation page, not a module: its directives belong to
// every MPM its <modulelist> names.
const MPM_COMMON = 'mpm_common';
// The manual's core page names no identifier or source file; httpd's
// server/core.c defines the module as core_module.
const MODULE_FIXUPS = { core: { identifier: 'core_module', sourceFile: 'core.c' } };

function usage(message) {
  if (message) process.stderr.write(`generate.mjs: ${message}\n`);
  process.stderr.write(
    'usage: node generate.mjs (--git-dir DIR [--ref REF] | --src DIR) [--out DIR]\n' +
      '       node generate.mjs --check [--out DIR]\n',
  );
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { ref: undefined, out: HERE, gitDir: undefined, src: undefined, check: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    if (a === '--git-dir') opts.gitDir = value();
    else if (a === '--ref') opts.ref = value();
    else if (a === '--src') opts.src = value();
    else if (a === '--out') opts.out = value();
    else if (a === '--check') opts.check = true;
    else if (a === '-h' || a === '--help') usage();
    else usage(`unknown argument ${a}`);
  }
  return opts;
}

/** Source of manual pages: a checkout directory or a bare git directory at a ref. */
function openSource(opts) {
  if (opts.gitDir) {
    const git = (...args) =>
      execFileSync('git', ['--git-dir', opts.gitDir, ...args], {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
    let ref = opts.ref;
    if (!ref) {
      // The 2.4.x branch documents what 2.4 releases ship; trunk documents 2.5.
      try {
        git('rev-parse', '--verify', '--quiet', 'refs/heads/2.4.x');
        ref = 'refs/heads/2.4.x';
      } catch {
        ref = 'HEAD';
      }
    }
    const commit = git('rev-parse', `${ref}^{commit}`).trim();
    const names = git('ls-tree', '--name-only', commit, 'docs/manual/mod/')
      .split('\n')
      .filter(Boolean)
      .map((p) => basename(p));
    return {
      describe: `${ref} (${commit})`,
      names,
      read: (name) => git('show', `${commit}:docs/manual/mod/${name}`),
    };
  }
  if (opts.src) {
    const dir = join(opts.src, 'docs/manual/mod');
    if (!existsSync(dir)) usage(`${dir} does not exist`);
    return {
      describe: opts.src,
      names: readdirSync(dir),
      read: (name) => readFileSync(join(dir, name), 'utf8'),
    };
  }
  usage('one of --git-dir or --src is required');
}

// English pages only: translations are name.<lang>.xml.
const isModulePage = (name) => /^[a-z0-9_]+\.xml$/.test(name);

function decodeEntities(s) {
  return s
    .replace(/&#x([0-9a-fA-F]+);/g, (_, h) => String.fromCodePoint(Number.parseInt(h, 16)))
    .replace(/&#([0-9]+);/g, (_, d) => String.fromCodePoint(Number.parseInt(d, 10)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&');
}

/** Text content of an XML fragment: tags dropped, entities decoded, whitespace collapsed. */
function text(fragment) {
  if (fragment === undefined) return undefined;
  const stripped = fragment.replace(/<!--[\s\S]*?-->/g, '').replace(/<[^>]+>/g, '');
  return decodeEntities(stripped).replace(/\s+/g, ' ').trim();
}

/** Inner XML of the first direct <tag> in `xml`, or undefined. */
function first(xml, tag) {
  const m = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`).exec(xml);
  return m ? m[1] : undefined;
}

function all(xml, tag) {
  const re = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, 'g');
  return [...xml.matchAll(re)].map((m) => m[1]);
}

function parsePage(fileName, xml) {
  const start = xml.indexOf('<modulesynopsis');
  if (start < 0) return undefined;
  const body = xml.slice(start);
  // Module-level fields come before the first directive synopsis.
  const firstDirective = body.search(/<directivesynopsis[\s>]/);
  const head = firstDirective < 0 ? body : body.slice(0, firstDirective);
  const headNoSummary = head.replace(/<summary>[\s\S]*$/, '');
  const module = {
    name: text(first(headNoSummary, 'name')),
    identifier: text(first(headNoSummary, 'identifier')),
    sourceFile: text(first(headNoSummary, 'sourcefile')),
    status: text(first(headNoSummary, 'status')),
    description: text(first(headNoSummary, 'description')),
    compatibility: text(first(headNoSummary, 'compatibility')),
    page: fileName,
  };
  Object.assign(module, MODULE_FIXUPS[module.name]);
  const directives = [];
  const re = /<directivesynopsis(\s[^>]*)?>([\s\S]*?)<\/directivesynopsis>/g;
  for (const m of body.matchAll(re)) {
    const attrs = m[1] ?? '';
    const inner = m[2];
    const location = /location="([^"]*)"/.exec(attrs)?.[1];
    const usageStart = inner.search(/<usage>/);
    const synopsis = usageStart < 0 ? inner : inner.slice(0, usageStart);
    const contextList = first(synopsis, 'contextlist');
    const moduleList = first(synopsis, 'modulelist');
    directives.push({
      name: text(first(synopsis, 'name')),
      location,
      section: /type="section"/.test(attrs),
      syntax: text(first(synopsis, 'syntax')),
      default: text(first(synopsis, 'default')),
      contexts: contextList ? all(contextList, 'context').map(text) : [],
      override: text(first(synopsis, 'override')),
      compatibility: text(first(synopsis, 'compatibility')),
      description: text(first(synopsis, 'description')),
      modules: moduleList ? all(moduleList, 'module').map(text) : [],
    });
  }
  return { module, directives };
}

function entryFor(def, mod) {
  return {
    name: def.name,
    module: mod.name,
    identifier: mod.identifier ?? null,
    sourceFile: mod.sourceFile ?? null,
    section: def.section,
    syntax: def.syntax ?? null,
    default: def.default ?? null,
    contexts: def.contexts,
    override: def.override ?? null,
    status: mod.status ?? null,
    compatibility: def.compatibility ?? null,
    description: def.description ?? null,
  };
}

function build(source) {
  const pages = [];
  for (const name of source.names.filter(isModulePage).sort()) {
    const page = parsePage(name, source.read(name));
    if (page && page.module.name) pages.push(page);
  }
  const byName = new Map(pages.map((p) => [p.module.name, p]));
  const definition = (moduleName, directiveName) =>
    byName.get(moduleName)?.directives.find((d) => d.name === directiveName && !d.location);

  const entries = [];
  for (const { module: mod, directives } of pages) {
    if (mod.name === MPM_COMMON) {
      for (const def of directives.filter((d) => !d.location)) {
        for (const mpmName of def.modules) {
          const mpm = byName.get(mpmName)?.module;
          if (mpm) entries.push(entryFor(def, mpm));
        }
      }
      continue;
    }
    for (const d of directives) {
      if (!d.location) {
        entries.push(entryFor(d, mod));
        continue;
      }
      // A cross-reference: MPM pages point to directives other modules implement
      // (mpm_common ones are covered by its modulelist; User/Group live in
      // mod_unixd). A non-MPM page pointing elsewhere (mod_cgid -> mod_cgi)
      // means this module implements the same directive itself.
      if (mod.status === 'MPM' || d.location === MPM_COMMON) continue;
      const def = definition(d.location, d.name);
      if (def) entries.push(entryFor(def, mod));
    }
  }
  entries.sort(
    (a, b) =>
      a.name.toLowerCase().localeCompare(b.name.toLowerCase(), 'en') ||
      a.module.localeCompare(b.module, 'en'),
  );
  const modules = pages
    .map((p) => p.module)
    .filter((m) => m.name !== MPM_COMMON)
    .map((m) => ({
      identifier: m.identifier ?? null,
      name: m.name,
      sourceFile: m.sourceFile ?? null,
      status: m.status ?? null,
      compatibility: m.compatibility ?? null,
      description: m.description ?? null,
    }))
    .sort((a, b) => a.name.localeCompare(b.name, 'en'));
  return { entries, modules };
}

/**
 * Returns the problems (which fail the check) and notes (gaps in the manual
 * itself, reported as a count).
 */
function check(entries, modules) {
  const problems = [];
  const notes = [];
  const seen = new Set();
  const moduleNames = new Set(modules.map((m) => m.name));
  const identifiers = new Set();
  for (const m of modules) {
    if (!m.identifier) problems.push(`module ${m.name} has no identifier`);
    if (m.identifier) {
      if (identifiers.has(m.identifier)) problems.push(`duplicate identifier ${m.identifier}`);
      identifiers.add(m.identifier);
    }
    if (!KNOWN_STATUS.includes(m.status)) problems.push(`module ${m.name}: unknown status ${m.status}`);
  }
  for (const e of entries) {
    const key = `${e.name.toLowerCase()}\u0000${e.module}`;
    if (seen.has(key)) problems.push(`duplicate directive ${e.name} in ${e.module}`);
    seen.add(key);
    if (!moduleNames.has(e.module)) problems.push(`${e.name}: unknown module ${e.module}`);
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(e.name)) problems.push(`${e.module}: odd directive name "${e.name}"`);
    if (e.contexts.length === 0) problems.push(`${e.name} (${e.module}): no context`);
    for (const c of e.contexts) {
      if (!KNOWN_CONTEXTS.includes(c)) problems.push(`${e.name} (${e.module}): unknown context "${c}"`);
    }
    if (e.contexts.includes('.htaccess') && !e.override) {
      notes.push(`${e.name} (${e.module}): .htaccess context but the manual names no override`);
    }
    if (!e.syntax) problems.push(`${e.name} (${e.module}): no syntax`);
  }
  return { problems, notes };
}

function summary(entries, modules) {
  const names = new Set(entries.map((e) => e.name.toLowerCase()));
  const sections = entries.filter((e) => e.section).length;
  return (
    `${modules.length} modules, ${entries.length} directive entries, ` +
    `${names.size} distinct directive names, ${sections} section entries`
  );
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const directivesPath = join(opts.out, 'directives.json');
  const modulesPath = join(opts.out, 'modules.json');
  let entries;
  let modules;
  if (opts.gitDir || opts.src) {
    const source = openSource(opts);
    ({ entries, modules } = build(source));
    writeFileSync(directivesPath, JSON.stringify(entries, null, 2) + '\n');
    writeFileSync(modulesPath, JSON.stringify(modules, null, 2) + '\n');
    process.stdout.write(`generated from ${source.describe}\n`);
  } else if (opts.check) {
    entries = JSON.parse(readFileSync(directivesPath, 'utf8'));
    modules = JSON.parse(readFileSync(modulesPath, 'utf8'));
  } else {
    usage();
  }
  const { problems, notes } = check(entries, modules);
  process.stdout.write(summary(entries, modules) + '\n');
  process.stdout.write(`note: ${notes.length} .htaccess-capable entries have no <override> in the manual\n`);
  if (problems.length > 0) {
    for (const p of problems) process.stderr.write(`check: ${p}\n`);
    process.exit(1);
  }
  process.stdout.write('check: ok\n');
}

main();
