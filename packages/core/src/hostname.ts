/**
 * The server's own name when ServerName does not give it (Apache's ap_get_local_host and the
 * naming of virtual hosts in ap_fini_vhost_config):
 *
 * - main server: gethostname(), resolved (getaddrinfo, first address); the reverse name of
 *   that address (getnameinfo, name required) is used silently when it has a dot; otherwise
 *   the host name when it has a dot, else the address, with AH00558 (alert, at startup and
 *   under -t). A host name that does not resolve gives AH00557 and 127.0.0.1.
 * - a virtual host without its own ServerName: a wildcard first address (`*`, `_default_`,
 *   0.0.0.0, ::) takes the main server's name; another takes the reverse name of its address,
 *   or `bogus_host_without_reverse_dns` with AH00549 (error).
 */
import { promises as dns, ADDRCONFIG } from 'node:dns';
import { isIP } from 'node:net';
import { hostname as osHostname } from 'node:os';
import type { ServerRec, StartupMessage } from './module.js';

/** What naming needs from the system; replaceable for tests. */
export interface NameResolver {
  /** gethostname(). */
  hostname(): string;
  /** getaddrinfo: the first address of a name; rejects when it does not resolve. */
  lookup(name: string): Promise<string>;
  /** getaddrinfo(AF_UNSPEC): every address of a name, in the resolver's order (vhost addresses). */
  lookupAll?(name: string): Promise<{ address: string; family: number }[]>;
  /** getnameinfo with a name required; rejects (with a `code`) when there is none. */
  reverse(address: string): Promise<string>;
}

export const systemResolver: NameResolver = {
  hostname: () => osHostname(),
  lookup: async (name) => (await dns.lookup(name, { hints: ADDRCONFIG })).address,
  lookupAll: async (name) => dns.lookup(name, { all: true, hints: ADDRCONFIG, order: 'verbatim' }),
  reverse: async (address) => (await dns.lookupService(address, 0)).hostname,
};

/** The "(EAI n)text" status Apache prints before a resolver failure. */
export function eaiStatus(err: unknown): string {
  const code = (err as { code?: string }).code;
  switch (code) {
    case 'ENOTFOUND':
      return '(EAI 2)Name or service not known';
    case 'EAI_AGAIN':
    case 'ETIMEOUT':
      return '(EAI 3)Temporary failure in name resolution';
    case 'EAI_FAIL':
    case 'ESERVFAIL':
      return '(EAI 4)Non-recoverable failure in name resolution';
    default:
      return '(EAI 11)System error';
  }
}

/** The host part of a ServerName value (`[scheme://]host[:port]`). */
export function serverNameHost(value: string): string {
  let v = value.includes('://') ? value.slice(value.indexOf('://') + 3) : value;
  if (v.startsWith('[')) {
    const end = v.indexOf(']');
    return end > 0 ? v.slice(0, end + 1) : v;
  }
  const colon = v.lastIndexOf(':');
  if (colon >= 0 && /^\d*$/.test(v.slice(colon + 1))) v = v.slice(0, colon);
  return v;
}

/** ap_get_local_host: the main server's name and what Apache logs finding it. */
export async function localHostName(program: string, resolver: NameResolver = systemResolver): Promise<{ name: string; messages: StartupMessage[] }> {
  const messages: StartupMessage[] = [];
  const str = resolver.hostname();
  let name: string | undefined;
  let address: string | undefined;
  try {
    address = await resolver.lookup(str);
  } catch {
    messages.push({ level: 'warn', module: 'core', id: 'AH00557', startup: true, message: `${program}: apr_sockaddr_info_get() failed for ${str}` });
  }
  if (address !== undefined) {
    let reverse: string | undefined;
    try {
      reverse = await resolver.reverse(address);
    } catch {
      reverse = undefined;
    }
    if (reverse !== undefined && reverse.includes('.')) return { name: reverse, messages };
    name = str.includes('.') ? str : address;
  }
  name ??= '127.0.0.1';
  messages.push({
    level: 'alert', module: 'core', id: 'AH00558', startup: true,
    message: `${program}: Could not reliably determine the server's fully qualified domain name, using ${name}. Set the 'ServerName' directive globally to suppress this message`,
  });
  return { name, messages };
}

/** The host of a <VirtualHost> address (`host[:port]`, `[v6][:port]`). */
function addressHost(address: string): string {
  if (address.startsWith('[')) {
    const end = address.indexOf(']');
    return end > 0 ? address.slice(1, end) : address;
  }
  const colon = address.lastIndexOf(':');
  return colon >= 0 && address.indexOf(':') === colon ? address.slice(0, colon) : address;
}

const WILDCARDS = new Set(['*', '_default_', '0.0.0.0', '::']);

/**
 * Names the main server and every virtual host (ServerRec.hostname), in Apache's order: the
 * main server first, then the virtual hosts from the last one written to the first.
 * `ownNames` gives the ServerName each server set itself (before inheriting from the main one).
 */
export async function nameServers(
  main: ServerRec,
  vhosts: readonly ServerRec[],
  ownNames: ReadonlyMap<ServerRec, string | undefined>,
  program: string,
  resolver: NameResolver = systemResolver,
): Promise<StartupMessage[]> {
  const messages: StartupMessage[] = [];
  const mainOwn = ownNames.get(main);
  if (mainOwn !== undefined) {
    main.hostname = serverNameHost(mainOwn);
  } else {
    const got = await localHostName(program, resolver);
    main.hostname = got.name;
    messages.push(...got.messages);
  }
  for (const v of [...vhosts].reverse()) {
    const own = ownNames.get(v);
    if (own !== undefined) {
      v.hostname = serverNameHost(own);
      continue;
    }
    const host = addressHost(v.addresses[0] ?? '*');
    if (WILDCARDS.has(host)) {
      v.hostname = main.hostname;
      continue;
    }
    let address = host;
    if (isIP(host) === 0) {
      try {
        address = await resolver.lookup(host);
      } catch {
        // <VirtualHost> of a name that does not resolve: Apache ignores that address.
        v.hostname = main.hostname;
        continue;
      }
    }
    try {
      v.hostname = await resolver.reverse(address);
    } catch (e) {
      v.hostname = 'bogus_host_without_reverse_dns';
      messages.push({
        level: 'error', module: 'core', id: 'AH00549', status: eaiStatus(e),
        message: `Failed to resolve server name for ${address} (check DNS) -- or specify an explicit ServerName`,
      });
    }
  }
  return messages;
}
