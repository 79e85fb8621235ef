/**
 * <VirtualHost> addresses as vhost.c reads and tables them:
 *
 * - {@link parseVhostWord}: one address word (get_addresses with apr_parse_addr_port): `*`,
 *   `_default_`, an IP (`[v6]` with an optional `%scope`), or a host name; `:port`, `:*`, or no
 *   port (the main server's port, 0 unless ServerName gave one). Its errors are Apache's.
 * - {@link resolveVhostAddresses}: every word to socket addresses (getaddrinfo for a name; one
 *   that does not resolve is AH00547 and left out).
 * - {@link buildVhostTable}: ap_fini_vhost_config's tables: the IP hash (256 buckets keyed on the
 *   XOR of the address's last four bytes) and the list of wildcard servers, each entry an
 *   address with its default server and, when several servers share it, their names in
 *   configuration order. `-S` prints the buckets in order, then the wildcard list.
 */
import { isIP } from 'node:net';
import { eaiStatus, type NameResolver } from './hostname.js';
import type { StartupMessage } from './module.js';

/** A <VirtualHost> word, parsed; `host` undefined for `*` and `_default_`. */
export interface VhostWord {
  host?: string;
  /** 0 is any port (`:*`, or no port while the main server has none). */
  port: number;
  /** An IPv6 zone (`[fe80::1%eth0]`). */
  scope?: string;
}

/** One socket address of a virtual host (server_addr_rec). */
export interface VhostAddr {
  family: 4 | 6;
  /** The address as inet_ntop writes it ('0.0.0.0' for `*`). */
  ip: string;
  port: number;
  scope?: string;
  /** All-zero address: `*`, `_default_`, 0.0.0.0 or ::. */
  wildcard: boolean;
}

/**
 * apr_parse_addr_port after get_addresses' handling of `:*`. Returns Apache's error text, or
 * the parsed word.
 */
export function parseVhostWord(word: string, defaultPort: number): VhostWord | string {
  let w = word;
  let wildPort = false;
  if (w.endsWith('*')) {
    if (w.length < 2) wildPort = true;
    else if (w[w.length - 2] === ':') {
      w = w.slice(0, -2);
      wildPort = true;
    }
  }
  // A run of digits at the end is the port when it is all there is or follows a ':'.
  let end = w.length;
  while (end > 0 && w.charCodeAt(end - 1) >= 48 && w.charCodeAt(end - 1) <= 57) end--;
  let port = 0;
  let hostEnd = w.length;
  if (end === 0 && w.length > 0) {
    const n = Number(w);
    if (n < 1 || n > 65535) return 'The address or port is invalid';
    return 'Missing address for VirtualHost';
  }
  if (end > 0 && w[end - 1] === ':' && end < w.length) {
    if (end - 1 === 0) return 'The address or port is invalid';
    const n = Number(w.slice(end));
    if (n < 1 || n > 65535) return 'The address or port is invalid';
    port = n;
    hostEnd = end - 1;
  }
  let host = w.slice(0, hostEnd);
  let scope: string | undefined;
  if (host.startsWith('[')) {
    if (!host.endsWith(']')) return 'The address or port is invalid';
    host = host.slice(1, -1);
    const pct = host.indexOf('%');
    if (pct >= 0) {
      if (pct === host.length - 1) return 'The address or port is invalid';
      scope = host.slice(pct + 1);
      host = host.slice(0, pct);
    }
    if (isIP(host) !== 6) return 'The address or port is invalid';
  }
  if (!port && !wildPort) port = defaultPort;
  const out: VhostWord = { port };
  if (scope !== undefined) out.scope = scope;
  if (host === '*' || host.toLowerCase() === '_default_') return out;
  out.host = host;
  return out;
}

const ZERO = /^(0\.0\.0\.0|::|0:0:0:0:0:0:0:0)$/;

/** What the resolver answered for each host name: its addresses, or the error. */
export type NameLookups = Map<string, { address: string; family: number }[] | { error: unknown }>;

/**
 * Looks up every host name of `hosts` (literal addresses and wildcards are left out), side by
 * side, with the resolver's `lookupAll` (its `lookup`, one address, when it has none).
 */
export async function lookupVhostNames(hosts: Iterable<string | undefined>, resolver: NameResolver, into: NameLookups = new Map()): Promise<NameLookups> {
  const lookupAll = resolver.lookupAll
    ? (name: string) => resolver.lookupAll!(name)
    : async (name: string) => {
        const address = await resolver.lookup(name);
        return [{ address, family: isIP(address) }];
      };
  const names = [...new Set(hosts)].filter((h): h is string => h !== undefined && isIP(h) === 0 && !into.has(h));
  await Promise.all(names.map(async (name) => {
    try {
      const found = await lookupAll(name);
      into.set(name, found.length > 0 ? found : { error: Object.assign(new Error('no address'), { code: 'ENOTFOUND' }) });
    } catch (error) {
      into.set(name, { error });
    }
  }));
  return into;
}

/**
 * The socket addresses of each word, names taken from `lookups` (see {@link lookupVhostNames}).
 * A name that did not resolve is logged as Apache's get_addresses logs it (AH00547, with the
 * resolver's status) and contributes none; so is one missing from `lookups`.
 */
export function vhostAddresses(words: readonly VhostWord[], lookups: NameLookups, log: (m: StartupMessage) => void): VhostAddr[] {
  const out: VhostAddr[] = [];
  for (const w of words) {
    const base = { port: w.port, ...(w.scope !== undefined ? { scope: w.scope } : {}) };
    if (w.host === undefined) {
      out.push({ family: 4, ip: '0.0.0.0', wildcard: true, ...base });
      continue;
    }
    const literal = isIP(w.host);
    if (literal !== 0) {
      out.push({ family: literal as 4 | 6, ip: w.host, wildcard: ZERO.test(w.host), ...base });
      continue;
    }
    const found = lookups.get(w.host) ?? { error: Object.assign(new Error('not looked up'), { code: 'ENOTFOUND' }) };
    if (Array.isArray(found)) {
      for (const a of found) out.push({ family: a.family === 6 ? 6 : 4, ip: a.address, wildcard: ZERO.test(a.address), ...base });
    } else {
      log({
        level: 'error', module: 'core', id: 'AH00547', status: eaiStatus(found.error),
        message: `Could not resolve host name ${w.host} -- ignoring!`,
      });
    }
  }
  return out;
}

/** {@link lookupVhostNames} and {@link vhostAddresses} in one. */
export async function resolveVhostAddresses(
  words: readonly VhostWord[],
  resolver: NameResolver,
  log: (m: StartupMessage) => void,
): Promise<VhostAddr[]> {
  return vhostAddresses(words, await lookupVhostNames(words.map((w) => w.host), resolver), log);
}

/** An entry of the table: one address, the server it selects, the name-based servers on it. */
export interface VhostTableEntry<S> {
  addr: VhostAddr;
  /** The default server: the first in the configuration on this address. */
  server: S;
  /** Set once a second server shares the address: every server on it, in configuration order. */
  names?: { server: S; addr: VhostAddr }[];
}

export interface VhostTable<S> {
  /** 256 buckets, each in the order vhost.c keeps it. */
  buckets: VhostTableEntry<S>[][];
  /** `*`, `_default_` and all-zero addresses. */
  wildcards: VhostTableEntry<S>[];
}

/** hash_addr: the last four bytes of the address XORed together (hash_inaddr on 256 buckets). */
export function vhostBucket(addr: VhostAddr): number {
  const bytes = addressBytes(addr);
  const last = bytes.slice(-4);
  return (last[0]! ^ last[1]! ^ last[2]! ^ last[3]!) & 0xff;
}

function addressBytes(addr: VhostAddr): number[] {
  if (addr.family === 4) return addr.ip.split('.').map((n) => Number(n) & 0xff);
  const [head, tail] = addr.ip.includes('::') ? addr.ip.split('::') : [addr.ip, undefined];
  const groups = (s: string | undefined) => (s ? s.split(':') : []);
  let h = groups(head);
  let t = groups(tail);
  // An embedded IPv4 tail (::ffff:1.2.3.4) is two groups.
  const v4 = (g: string[]) => {
    const last = g.at(-1);
    if (last && last.includes('.')) {
      const b = last.split('.').map(Number);
      g.splice(-1, 1, ((b[0]! << 8) | b[1]!).toString(16), ((b[2]! << 8) | b[3]!).toString(16));
    }
    return g;
  };
  h = v4(h);
  t = v4(t);
  const all = tail === undefined ? h : [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return all.flatMap((g) => {
    const n = parseInt(g, 16) || 0;
    return [(n >> 8) & 0xff, n & 0xff];
  });
}

function sameAddress(a: VhostAddr, b: VhostAddr): boolean {
  if (a.family !== b.family) return false;
  const x = addressBytes(a);
  const y = addressBytes(b);
  return x.every((v, i) => v === y[i]);
}

/**
 * ap_fini_vhost_config: the servers are taken from the last in the configuration to the
 * first, each address in the order written; a new entry goes to the head of its bucket (or of
 * the wildcard list), so both read in configuration order, and the server kept as default is
 * the first one written.
 */
export function buildVhostTable<S>(servers: readonly { server: S; addrs: readonly VhostAddr[] }[]): VhostTable<S> {
  const buckets: VhostTableEntry<S>[][] = Array.from({ length: 256 }, () => []);
  const wildcards: VhostTableEntry<S>[] = [];
  // While a single server holds an entry, its name waits here (vhost.c's initialnames).
  const initial = new Map<VhostTableEntry<S>, { server: S; addr: VhostAddr }>();
  const addName = (entry: VhostTableEntry<S>, server: S, addr: VhostAddr) => {
    const name = { server, addr };
    entry.server = server;
    if (entry.names) entry.names.unshift(name);
    else if (!initial.has(entry)) initial.set(entry, name);
    else {
      entry.names = [name, initial.get(entry)!];
      initial.delete(entry);
    }
  };
  const findDefault = (port: number) =>
    wildcards.find((e) => e.addr.port === port) ?? wildcards.find((e) => e.addr.port === 0);
  const findIp = (addr: VhostAddr) => {
    const bucket = buckets[vhostBucket(addr)]!;
    return (
      bucket.find((e) => e.addr.port === addr.port && sameAddress(e.addr, addr)) ??
      bucket.find((e) => (e.addr.port === 0 || addr.port === 0) && sameAddress(e.addr, addr))
    );
  };
  for (const { server, addrs } of [...servers].reverse()) {
    let previous: VhostAddr | undefined;
    for (const addr of addrs) {
      if (addr.wildcard) {
        const found = findDefault(addr.port);
        if (found && found.addr.port === addr.port) {
          // A second wildcard address of the same server on the same port adds nothing.
          if (!previous || !previous.wildcard || previous.port !== addr.port) addName(found, server, addr);
        } else {
          const entry: VhostTableEntry<S> = { addr, server };
          wildcards.unshift(entry);
          addName(entry, server, addr);
        }
      } else {
        let entry = findIp(addr);
        if (!entry || entry.addr.port !== addr.port) {
          entry = { addr, server };
          buckets[vhostBucket(addr)]!.unshift(entry);
        }
        addName(entry, server, addr);
      }
      previous = addr;
    }
  }
  return { buckets, wildcards };
}

/** The address as `-S` labels it: `*:port`, `ip:port`, `[v6]:port`; port 0 is `*`. */
export function vhostAddressLabel(addr: VhostAddr): string {
  const port = addr.port === 0 ? '*' : String(addr.port);
  if (addr.wildcard) return `*:${port}`;
  if (addr.family === 6) return `[${addr.ip}${addr.scope !== undefined ? `%${addr.scope}` : ''}]:${port}`;
  return `${addr.ip}:${port}`;
}
