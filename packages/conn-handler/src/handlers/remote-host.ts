/**
 * ap_get_remote_host with REMOTE_DOUBLE_REV, which `Require host` and `Allow/Deny from <name>`
 * ask for whatever HostnameLookups says: the client address's name (getnameinfo, so
 * /etc/hosts counts), kept only when that name resolves back to the same address. Looked up
 * once per connection, and only for requests whose sections name a host.
 */
import { createRequire } from 'node:module';
import { isIP } from 'node:net';

const byConnection = new WeakMap<object, Promise<string | undefined>>();

const plain = (ip: string): string => ip.replace(/^::ffff:(?=\d+\.)/i, '');

async function doubleReverse(ip: string): Promise<string | undefined> {
  try {
    // Loaded at the first use: a child that never looks a name up does not pay for the module.
    // Required, not import()ed: the bundled child is compiled by vm.Script (child-load.ts),
    // where a dynamic import() needs --experimental-vm-modules.
    const dns = (process.getBuiltinModule?.('node:dns/promises') ?? createRequire(import.meta.url)('node:dns/promises')) as typeof import('node:dns/promises');
    const { lookup, lookupService } = dns;
    const { hostname } = await lookupService(ip, 0);
    if (isIP(hostname)) return undefined;
    const back = await lookup(hostname, { all: true });
    return back.some((a) => plain(a.address).toLowerCase() === ip.toLowerCase()) ? hostname : undefined;
  } catch {
    return undefined;
  }
}

/** The double-reverse name of the connection's client, or undefined when it has none. */
export function remoteHostOf(conn: { remoteAddr: string }): Promise<string | undefined> {
  let p = byConnection.get(conn);
  if (!p) {
    p = doubleReverse(plain(conn.remoteAddr));
    byConnection.set(conn, p);
  }
  return p;
}
