/**
 * The texts of httpd's test_config dumps (-t -D DUMP_INCLUDES, DUMP_MODULES, DUMP_RUN_CFG,
 * DUMP_VHOSTS) from plain data, so that they are tested without a configuration.
 */
import { readFileSync } from 'node:fs';
import { buildVhostTable, vhostAddressLabel, type VhostAddr } from '@prefork/core';

/** One file of the read pass, as config-parser lists them. */
export interface IncludedFile {
  file: string;
  /** 0 for the main file. */
  depth: number;
  /** The Include line that read it. */
  from?: { line: number };
}

/** `-t -D DUMP_INCLUDES` (config.c): the main file with (*), others with their Include line. */
export function dumpIncludes(files: readonly IncludedFile[]): string {
  let out = 'Included configuration files:\n';
  for (const f of files) {
    const indent = ' '.repeat(2 * (f.depth + 1));
    const mark = f.depth === 0 || !f.from ? '*' : String(f.from.line);
    out += `${indent}(${mark}) ${f.file}\n`;
  }
  return out;
}

/** One loaded module, as -M lists it. */
export interface ModuleEntry {
  name: string;
  kind: 'static' | 'shared';
}

/** `-M` (mod_so.c). */
export function dumpModules(modules: readonly ModuleEntry[]): string {
  return 'Loaded Modules:\n' + modules.map((m) => ` ${m.name} (${m.kind})\n`).join('');
}

/** What DUMP_RUN_CFG shows (core.c's core_dump_config and mod_unixd). */
export interface RunConfigFacts {
  serverRoot: string;
  documentRoot: string;
  errorLog: string;
  /** Configured mutexes, name → `dir="…" mechanism=…` or undefined for defaults. */
  mutexes: { name: string; setting: string | undefined }[];
  pidFile: string;
  /** Defines in force, name → value ('' for a bare name). */
  defines: ReadonlyMap<string, string>;
  user: { name: string; id: number | undefined };
  group: { name: string; id: number | undefined };
}

/** `-t -D DUMP_RUN_CFG` */
export function dumpRunConfig(f: RunConfigFacts): string {
  const lines = [
    `ServerRoot: "${f.serverRoot}"`,
    `Main DocumentRoot: "${f.documentRoot}"`,
    `Main ErrorLog: "${f.errorLog}"`,
  ];
  for (const m of f.mutexes) {
    lines.push(m.setting === undefined ? `Mutex ${m.name}: using_defaults` : `Mutex ${m.name}: ${m.setting} `);
  }
  lines.push(`PidFile: "${f.pidFile}"`);
  for (const [name, value] of f.defines) {
    lines.push(value === '' ? `Define: ${name}` : `Define: ${name}=${value}`);
  }
  const id = (x: { name: string; id: number | undefined }) =>
    x.id === undefined ? `name="${x.name}"` : `name="${x.name}" id=${x.id}`;
  lines.push(`User: ${id(f.user)}`, `Group: ${id(f.group)}`);
  return lines.join('\n') + '\n';
}

/** One <VirtualHost> for DUMP_VHOSTS. */
export interface VhostFacts {
  /** Its socket addresses (ServerRec.addrs), in the order written. */
  addrs: VhostAddr[];
  serverName: string;
  aliases: string[];
  file: string;
  line: number;
}

/**
 * `-t -D DUMP_VHOSTS` (vhost.c dump_vhost_config): the IP hash table's entries bucket by bucket,
 * then the wildcard servers; an address shared by several servers is a NameVirtualHost with
 * its default server and every server on it.
 */
export function dumpVhosts(vhosts: readonly VhostFacts[]): string {
  const table = buildVhostTable(vhosts.map((v) => ({ server: v, addrs: v.addrs })));
  const where = (v: VhostFacts) => `${v.serverName} (${v.file}:${v.line})`;
  let out = 'VirtualHost configuration:\n';
  for (const entry of [...table.buckets.flat(), ...table.wildcards]) {
    const label = vhostAddressLabel(entry.addr);
    if (!entry.names) {
      out += `${label.padEnd(22)} ${where(entry.server)}\n`;
      continue;
    }
    out += `${label.padEnd(22)} is a NameVirtualHost\n`;
    out += `${' '.repeat(9)}default server ${where(entry.server)}\n`;
    for (const { server, addr } of entry.names) {
      out += `${' '.repeat(9)}port ${addr.port === 0 ? '*' : addr.port} namevhost ${where(server)}\n`;
      // Names with wildcards are the server's wild_names, listed after the plain ones.
      for (const alias of server.aliases.filter((a) => !/[*?]/.test(a))) out += `${' '.repeat(17)}alias ${alias}\n`;
      for (const alias of server.aliases.filter((a) => /[*?]/.test(a))) out += `${' '.repeat(17)}wild alias ${alias}\n`;
    }
  }
  return out;
}

/** Looks a name up in /etc/passwd or /etc/group; `#N` names are ids already. */
export function lookupId(name: string, database: '/etc/passwd' | '/etc/group'): number | undefined {
  if (name.startsWith('#')) {
    const id = /^#-?[0-9]+$/.test(name) ? Number(name.slice(1)) : NaN;
    // uid_t and gid_t are unsigned 32-bit: #-1 is 4294967295.
    return Number.isSafeInteger(id) ? (id < 0 ? id >>> 0 : id) : undefined;
  }
  let text: string;
  try {
    text = readFileSync(database, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === name && fields[2] !== undefined && /^[0-9]+$/.test(fields[2])) return Number(fields[2]);
  }
  return undefined;
}
