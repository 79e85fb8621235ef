#!/usr/bin/env node
// Builds command-tables.json: each stock module's directive table as `apache2 -L` prints it
// (config.c's ap_show_directives), in table order: the name, the help text (null when the
// table has none) and the "Allowed in" text. `prefork -L` prints a stock module from it, so the
// listing has every directive Apache's module has, implemented here or not.
//
//   node generate-tables.mjs [--apache2 /usr/sbin/apache2] [--modules /usr/lib/apache2/modules]
//
// It loads every module of the modules directory (the MPMs other than prefork left out) into
// one configuration and runs `apache2 -L` on it. Plain Node, no dependencies; the output is
// deterministic for a given apache2 build.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const apache2 = opt('--apache2', '/usr/sbin/apache2');
const modulesDir = opt('--modules', '/usr/lib/apache2/modules');

const root = mkdtempSync(join(tmpdir(), 'command-tables-'));
try {
  mkdirSync(join(root, 'logs'));
  const lines = [`ServerRoot ${root}`, 'ErrorLog logs/error_log', 'ServerName localhost'];
  for (const f of readdirSync(modulesDir).sort()) {
    const m = /^mod_(\w+)\.so$/.exec(f);
    if (!m || (m[1].startsWith('mpm_') && m[1] !== 'mpm_prefork')) continue;
    lines.push(`LoadModule ${m[1]}_module ${join(modulesDir, f)}`);
  }
  writeFileSync(join(root, 'all.conf'), `${lines.join('\n')}\n`);
  const listing = execFileSync(apache2, ['-L', '-f', join(root, 'all.conf')], { encoding: 'latin1' });
  const version = execFileSync(apache2, ['-v'], { encoding: 'latin1' }).split('\n')[0].replace(/^Server version:\s*/, '');

  const modules = {};
  let current;
  for (const line of listing.split('\n')) {
    if (line === '') continue;
    const m = /^(\S+) \((\S+\.c)\)$/.exec(line);
    if (m) {
      current = { name: m[1], help: null, allowed: '' };
      (modules[m[2]] ??= []).push(current);
    } else if (!current) {
      throw new Error(`generate-tables: unexpected line: ${line}`);
    } else if (!line.startsWith('\t') && current.help !== null && current.allowed === '') {
      // A help text with a newline in it (mod_ldap's): printed as it is.
      current.help += `\n${line}`;
    } else if (current.allowed === '' && !line.startsWith('\tAllowed in ')) {
      current.help = line.slice(1);
    } else {
      current.allowed += `${line}\n`;
    }
  }
  const out = { recordedWith: version, modules };
  writeFileSync(join(HERE, 'command-tables.json'), `${JSON.stringify(out, null, 1)}\n`);
  const count = Object.values(modules).reduce((n, l) => n + l.length, 0);
  console.log(`command-tables.json: ${Object.keys(modules).length} modules, ${count} directives (${version})`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
