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
//
// Each row also gets the directive's arity (TAKE1, FLAG, ITERATE …) when `apache2 -t` tells
// it: invoke_cmd checks the number of arguments before the module's own code runs, and its
// message names the arity ("X takes one argument, <help>", "X must be On or Off"). Every
// directive (sections aside) is given no argument, at top level or, where it is "not allowed
// here", inside <Directory />; one that passes is given one, which only NO_ARGS refuses. A row
// without `arity` is RAW_ARGS or TAKE_ARGV: its module reads the arguments itself.
import { execFileSync, spawnSync } from 'node:child_process';
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

/** invoke_cmd's messages for too few (or, NO_ARGS, too many) arguments, by arity. */
const ARITY_MESSAGES = [
  [' takes one argument', 'TAKE1'],
  [' takes two arguments', 'TAKE2'],
  [' takes 1-2 arguments', 'TAKE12'],
  [' takes three arguments', 'TAKE3'],
  [' takes two or three arguments', 'TAKE23'],
  [' takes one, two or three arguments', 'TAKE123'],
  [' takes one or three arguments', 'TAKE13'],
  [' requires at least one argument', 'ITERATE'],
  [' requires at least two arguments', 'ITERATE2'],
  [' must be On or Off', 'FLAG'],
  [' takes no arguments', 'NO_ARGS'],
];

/** The message of `apache2 -t` on the base configuration plus `body`; '' for Syntax OK. */
function syntaxMessage(base, body, root) {
  const file = join(root, 'probe.conf');
  writeFileSync(file, `${base.join('\n')}\n${body}\n`);
  const r = spawnSync(apache2, ['-t', '-f', file], { encoding: 'latin1', timeout: 20_000 });
  if (r.status === 0) return '';
  // "AH00526: Syntax error on line N of FILE:" and the message on the next line.
  const lines = `${r.stderr}`.split('\n');
  const at = lines.findIndex((l) => l.includes('Syntax error on line'));
  return at >= 0 ? (lines[at + 1] ?? '') : `${r.stderr}`;
}

function arityOf(name, message) {
  for (const [text, arity] of ARITY_MESSAGES) {
    if (!message.startsWith(name + text)) continue;
    // invoke_cmd's ITERATE messages go on with ", <help>"; a module reading its own arguments
    // (TAKE_ARGV, as AddOutputFilterByType) may print the same words without it.
    if ((arity === 'ITERATE' || arity === 'ITERATE2') && message !== name + text && !message.startsWith(`${name}${text},`)) continue;
    if ((arity === 'ITERATE' || arity === 'ITERATE2') && message === name + text) continue;
    return arity;
  }
  return undefined;
}

function probeArity(name, base, root) {
  for (const [open, close] of [['', ''], ['<Directory />', '</Directory>']]) {
    const bare = syntaxMessage(base, `${open}\n${name}\n${close}`, root);
    if (/ not allowed (here|in <)/.test(bare)) continue;
    const found = arityOf(name, bare);
    if (found) return found;
    const one = syntaxMessage(base, `${open}\n${name} x\n${close}`, root);
    return arityOf(name, one) === 'NO_ARGS' ? 'NO_ARGS' : undefined;
  }
  return undefined;
}

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
  let probed = 0;
  for (const [file, rows] of Object.entries(modules)) {
    for (const row of rows) {
      if (row.name.startsWith('<')) continue;
      const arity = probeArity(row.name, lines, root);
      if (arity) row.arity = arity;
      probed++;
    }
  }
  console.log(`probed ${probed} directives for their arity`);
  const out = { recordedWith: version, modules };
  writeFileSync(join(HERE, 'command-tables.json'), `${JSON.stringify(out, null, 1)}\n`);
  const count = Object.values(modules).reduce((n, l) => n + l.length, 0);
  console.log(`command-tables.json: ${Object.keys(modules).length} modules, ${count} directives (${version})`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
