/**
 * listen.c's make_sock and ap_duplicate_listeners: listening sockets made at the C level (so
 * SO_REUSEADDR, SO_REUSEPORT, IPV6_V6ONLY and the buffer sizes are set before bind), one
 * copy per bucket when ListenCoresBucketsRatio asks for buckets.
 */
import { availableParallelism } from 'node:os';
import { isIP } from 'node:net';
import { DEFAULT_ACCEPT_FILTERS, DEFAULT_TCP_DEFER_ACCEPT, type ListenDirective, type PreforkSettings } from '../config/settings.js';
import * as libc from '../native/libc.js';
import { coreLog, type MpmLogRecord } from '../logging.js';

/** One bound, listening socket owned by the master. */
export interface OpenListener {
  fd: number;
  /** As bound: '0.0.0.0', '::', '127.0.0.1' … */
  address: string;
  port: number;
  protocol: string;
  family: 4 | 6;
}

/** Apache's %pI rendering of a socket address: `127.0.0.1:80`, `[::1]:80`. */
export function formatSockaddr(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** Where `Listen [addr:]port` binds: no address means every address, IPv6 with v4-mapped. */
export function bindAddressOf(l: ListenDirective): { address: string; family: 4 | 6 } {
  if (l.address === undefined || l.address === '' || l.address === '*') return { address: '::', family: 6 };
  const bare = l.address.replace(/^\[(.*)\]$/, '$1');
  const kind = isIP(bare);
  if (kind === 4) return { address: bare, family: 4 };
  if (kind === 6) return { address: bare, family: 6 };
  if (bare === 'localhost') return { address: '127.0.0.1', family: 4 };
  throw new Error(`PF00001: Listen address ${l.address} is not a numeric IP address`);
}

export class ListenError extends Error {
  /** The lines Apache prints to stderr at startup, without timestamps. */
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
  }
}

/** Socket options that apply to every listener (ListenBacklog, Send/ReceiveBufferSize). */
export interface SocketOptions {
  backlog: number;
  sendBufferSize: number;
  receiveBufferSize: number;
  reusePort: boolean;
}

/**
 * ap_apply_accept_filter on Linux: a listener whose protocol has an accept filter (other than
 * `none`) gets TCP_DEFER_ACCEPT, for `seconds`. A failure is a warning (AH00076), as in Apache.
 */
export function applyAcceptFilter(l: OpenListener, filters: Readonly<Record<string, string>>, seconds: number, warn: (r: MpmLogRecord) => void): void {
  const filter = filters[l.protocol.toLowerCase()];
  if (filter === undefined || filter === 'none') return;
  try {
    libc.setIntOption(l.fd, libc.IPPROTO_TCP, libc.TCP_DEFER_ACCEPT, seconds);
  } catch (e) {
    const err = e instanceof libc.SysError ? `${e.aprText}: ` : '';
    warn(coreLog('warn', 'AH00076', `${err}Failed to enable APR_TCP_DEFER_ACCEPT`));
  }
}

/** make_sock: returns the listener or throws ListenError with Apache's startup line. Warnings go to `warn`. */
export function makeSock(l: ListenDirective, opts: SocketOptions, warn: (r: MpmLogRecord) => void): OpenListener {
  const { address, family } = bindAddressOf(l);
  const shown = formatSockaddr(address, l.port);
  const domain = family === 6 ? libc.AF_INET6 : libc.AF_INET;
  // Non-blocking so a child that loses the accept race gets EAGAIN, not a frozen event loop;
  // close-on-exec so only the children we hand it to inherit it.
  const fd = libc.socket(domain, libc.SOCK_STREAM | libc.SOCK_NONBLOCK | libc.SOCK_CLOEXEC);
  const fail = (id: string, what: string, e: unknown): never => {
    libc.close(fd);
    const err = e instanceof libc.SysError ? `${e.aprText}: ` : '';
    throw new ListenError([`${err}${id}: ${what}`]);
  };
  try {
    libc.setIntOption(fd, libc.SOL_SOCKET, libc.SO_REUSEADDR, 1);
  } catch (e) {
    fail('AH00067', `make_sock: for address ${shown}, apr_socket_opt_set: (SO_REUSEADDR)`, e);
  }
  try {
    libc.setIntOption(fd, libc.SOL_SOCKET, libc.SO_KEEPALIVE, 1);
  } catch (e) {
    fail('AH00068', `make_sock: for address ${shown}, apr_socket_opt_set: (SO_KEEPALIVE)`, e);
  }
  if (family === 6) {
    try {
      // Debian builds with v4-mapped addresses: `Listen 80` on [::] also takes IPv4.
      libc.setIntOption(fd, libc.IPPROTO_IPV6, libc.IPV6_V6ONLY, 0);
    } catch (e) {
      fail('AH00069', `make_sock: for address ${shown}, apr_socket_opt_set: (IPV6_V6ONLY)`, e);
    }
  }
  if (opts.sendBufferSize > 0) {
    try {
      libc.setIntOption(fd, libc.SOL_SOCKET, libc.SO_SNDBUF, opts.sendBufferSize);
    } catch {
      warn(coreLog('warn', 'AH00070', `make_sock: failed to set SendBufferSize for address ${shown}, using default`));
    }
  }
  if (opts.receiveBufferSize > 0) {
    try {
      libc.setIntOption(fd, libc.SOL_SOCKET, libc.SO_RCVBUF, opts.receiveBufferSize);
    } catch {
      warn(coreLog('warn', 'AH00071', `make_sock: failed to set ReceiveBufferSize for address ${shown}, using default`));
    }
  }
  if (opts.reusePort) {
    try {
      libc.setIntOption(fd, libc.SOL_SOCKET, libc.SO_REUSEPORT, 1);
    } catch (e) {
      fail('AH02638', `make_sock: for address ${shown}, apr_socket_opt_set: (SO_REUSEPORT)`, e);
    }
  }
  try {
    libc.bind(fd, libc.encodeSockaddr(domain, address, l.port));
  } catch (e) {
    fail('AH00072', `make_sock: could not bind to address ${shown}`, e);
  }
  try {
    libc.listen(fd, opts.backlog);
  } catch (e) {
    fail('AH00073', `make_sock: unable to listen for connections on address ${shown}`, e);
  }
  const port = l.port === 0 ? libc.boundPort(fd) : l.port;
  return { fd, address, port, protocol: l.protocol, family };
}

/** Number of buckets ap_duplicate_listeners makes: online CPUs / ratio, at least 1. */
export function bucketCount(ratio: number, cpus: number = availableParallelism()): number {
  if (ratio <= 0) return 1;
  return Math.max(1, Math.floor(cpus / ratio));
}

function sameListener(a: OpenListener, l: ListenDirective): boolean {
  const { address } = bindAddressOf(l);
  return a.address === address && a.port === l.port;
}

/**
 * ap_setup_listeners + ap_duplicate_listeners. Listeners of `previous` (bucket 0 of the last
 * generation) whose address is still configured are kept open, so a restart refuses no
 * connection; the rest are closed. Returns one array of listeners per bucket.
 */
export function setupListeners(
  settings: Pick<PreforkSettings, 'listeners' | 'listenBacklog' | 'sendBufferSize' | 'receiveBufferSize' | 'listenCoresBucketsRatio'> &
    Partial<Pick<PreforkSettings, 'acceptFilters' | 'listenTcpDeferAccept'>>,
  numBuckets: number,
  previous: OpenListener[][],
  warn: (r: MpmLogRecord) => void,
): OpenListener[][] {
  const opts: SocketOptions = {
    backlog: settings.listenBacklog,
    sendBufferSize: settings.sendBufferSize,
    receiveBufferSize: settings.receiveBufferSize,
    reusePort: numBuckets > 1 || settings.listenCoresBucketsRatio > 0,
  };
  const reused = new Set<OpenListener>();
  const buckets: OpenListener[][] = Array.from({ length: numBuckets }, () => []);
  const made: OpenListener[] = [];
  try {
    for (const l of settings.listeners) {
      for (let b = 0; b < numBuckets; b++) {
        const old = previous[b]?.find((o) => !reused.has(o) && sameListener(o, l));
        if (old) {
          reused.add(old);
          buckets[b].push({ ...old, protocol: l.protocol });
        } else {
          const fresh = makeSock(l, opts, warn);
          made.push(fresh);
          buckets[b].push(fresh);
        }
      }
    }
  } catch (e) {
    for (const m of made) libc.close(m.fd);
    if (e instanceof ListenError) throw new ListenError([...e.lines, 'no listening sockets available, shutting down']);
    throw e;
  }
  for (const old of previous.flat()) if (!reused.has(old)) libc.close(old.fd);
  if (buckets[0].length === 0) throw new ListenError(['no listening sockets available, shutting down']);
  // Each generation, on every listener (a kept one too), as ap_setup_listeners does.
  const filters = settings.acceptFilters ?? DEFAULT_ACCEPT_FILTERS;
  for (const l of buckets.flat()) applyAcceptFilter(l, filters, settings.listenTcpDeferAccept ?? DEFAULT_TCP_DEFER_ACCEPT, warn);
  return buckets;
}

export function closeListeners(buckets: OpenListener[][]): void {
  for (const l of buckets.flat()) libc.close(l.fd);
}
