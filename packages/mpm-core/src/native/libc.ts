/**
 * The few libc calls Node does not offer: sockets with options set before bind, pipes with
 * flags, and flock. Thin wrappers that throw {@link SysError} with errno; all meaning lives
 * in the callers.
 */
import koffi from 'koffi';
import { constants as osConstants } from 'node:os';

/** A failed system call: carries errno and Apache's "(errno)description" rendering. */
export class SysError extends Error {
  readonly errno: number;
  readonly syscall: string;
  constructor(syscall: string, errno: number) {
    super(`${syscall}: ${describeErrno(errno)}`);
    this.errno = errno;
    this.syscall = syscall;
  }
  /** As Apache prints an apr_status_t before a message: `(98)Address already in use`. */
  get aprText(): string {
    return `(${this.errno})${describeErrno(this.errno)}`;
  }
}

/** Linux (x86_64 and aarch64 share these values). */
export const AF_INET = 2;
export const AF_INET6 = 10;
export const SOCK_STREAM = 1;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
export const SOL_SOCKET = 1;
export const SO_REUSEADDR = 2;
export const SO_SNDBUF = 7;
export const SO_RCVBUF = 8;
export const SO_KEEPALIVE = 9;
export const SO_REUSEPORT = 15;
export const IPPROTO_IPV6 = 41;
export const IPV6_V6ONLY = 26;
export const O_NONBLOCK = 0o4000;
export const O_CLOEXEC = 0o2000000;
export const LOCK_EX = 2;
export const LOCK_NB = 4;
export const LOCK_UN = 8;

const lib = koffi.load('libc.so.6');
const c = {
  socket: lib.func('int socket(int domain, int type, int protocol)'),
  setsockopt: lib.func('int setsockopt(int fd, int level, int name, const void *val, uint32_t len)'),
  getsockopt: lib.func('int getsockopt(int fd, int level, int name, void *val, _Inout_ uint32_t *len)'),
  bind: lib.func('int bind(int fd, const void *addr, uint32_t len)'),
  listen: lib.func('int listen(int fd, int backlog)'),
  getsockname: lib.func('int getsockname(int fd, void *addr, uint32_t *len)'),
  close: lib.func('int close(int fd)'),
  pipe2: lib.func('int pipe2(int *fds, int flags)'),
  flock: lib.func('int flock(int fd, int op)'),
  strerror: lib.func('const char *strerror(int errnum)'),
};

/** The C library's text for an errno, as APR's apr_strerror prints it. */
export function describeErrno(errno: number): string {
  return String(c.strerror(errno));
}

function check(syscall: string, rc: number): number {
  if (rc < 0) throw new SysError(syscall, koffi.errno());
  return rc;
}

export function socket(domain: number, type: number): number {
  return check('socket', c.socket(domain, type, 0));
}

export function setIntOption(fd: number, level: number, name: number, value: number): void {
  const v = Buffer.alloc(4);
  v.writeInt32LE(value);
  check('setsockopt', c.setsockopt(fd, level, name, v, 4));
}

export const IPPROTO_TCP = 6;
/** netinet/tcp.h: hold a connection back from accept until data arrives (seconds). */
export const TCP_DEFER_ACCEPT = 9;
const TCP_INFO = 11;
/** struct tcp_info: eight one-byte fields, then rto, ato, snd_mss, rcv_mss, unacked. */
const TCPI_UNACKED = 24;

/** getsockopt's buffer for TCP_INFO, reused: the master reads it once a second per listener. */
const tcpInfo = Buffer.alloc(256);

/**
 * Connections waiting in a listening socket's accept queue: Linux reports sk_ack_backlog as
 * TCP_INFO's tcpi_unacked for a socket in LISTEN. -1 when it cannot be read.
 */
export function acceptQueueLength(fd: number): number {
  const info = tcpInfo;
  const len = [info.length];
  if (c.getsockopt(fd, IPPROTO_TCP, TCP_INFO, info, len) < 0 || len[0]! < TCPI_UNACKED + 4) return -1;
  return info.readUInt32LE(TCPI_UNACKED);
}

/** Encodes a sockaddr_in / sockaddr_in6 for bind. */
export function encodeSockaddr(family: number, address: string, port: number): Buffer {
  if (family === AF_INET) {
    const b = Buffer.alloc(16);
    b.writeUInt16LE(AF_INET, 0);
    b.writeUInt16BE(port, 2);
    const parts = address.split('.').map((p) => Number(p));
    if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
      throw new Error(`not an IPv4 address: ${address}`);
    }
    parts.forEach((p, i) => b.writeUInt8(p, 4 + i));
    return b;
  }
  const b = Buffer.alloc(28);
  b.writeUInt16LE(AF_INET6, 0);
  b.writeUInt16BE(port, 2);
  ipv6Bytes(address).copy(b, 8);
  return b;
}

function ipv6Bytes(address: string): Buffer {
  const out = Buffer.alloc(16);
  let text = address;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let tailV4: number[] = [];
  if (v4) {
    tailV4 = v4[1].split('.').map(Number);
    text = text.slice(0, -v4[1].length) + '0:0';
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) throw new Error(`not an IPv6 address: ${address}`);
  const groups = [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups];
  groups.forEach((g, i) => {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw new Error(`not an IPv6 address: ${address}`);
    out.writeUInt16BE(Number.parseInt(g, 16), i * 2);
  });
  if (v4) tailV4.forEach((p, i) => out.writeUInt8(p, 12 + i));
  return out;
}

export function bind(fd: number, sockaddr: Buffer): void {
  check('bind', c.bind(fd, sockaddr, sockaddr.length));
}

export function listen(fd: number, backlog: number): void {
  check('listen', c.listen(fd, backlog));
}

/** The port a socket is bound to (for `Listen 0` style ephemeral ports). */
export function boundPort(fd: number): number {
  const addr = Buffer.alloc(28);
  const len = new Uint32Array([28]);
  check('getsockname', c.getsockname(fd, addr, len));
  return addr.readUInt16BE(2);
}

export function close(fd: number): void {
  c.close(fd);
}

/** pipe2(2): returns [readEnd, writeEnd]. */
export function pipe(flags: number): [number, number] {
  const fds = new Int32Array(2);
  check('pipe2', c.pipe2(fds, flags));
  return [fds[0], fds[1]];
}

/** flock(2); returns false instead of throwing when LOCK_NB finds the lock taken. */
export function flock(fd: number, op: number): boolean {
  const rc = c.flock(fd, op);
  if (rc === 0) return true;
  const errno = koffi.errno();
  if ((op & LOCK_NB) !== 0 && errno === osConstants.errno.EWOULDBLOCK) return false;
  throw new SysError('flock', errno);
}
