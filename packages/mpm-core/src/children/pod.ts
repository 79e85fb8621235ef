/**
 * mpm_unix.c's pipe of death and dummy connection. The master writes one byte per child it
 * wants gone, then connects to a listener so that a child blocked waiting for connections
 * wakes up and finds the byte.
 */
import { writeSync } from 'node:fs';
import { connect } from 'node:net';
import * as libc from '../native/libc.js';
import { coreLog, type MpmLogRecord } from '../logging.js';
import { formatSockaddr, type OpenListener } from '../listen/listeners.js';

/** One bucket's pipe: children get `readFd` as their fd 3. */
export interface Pod {
  readFd: number;
  writeFd: number;
}

/** ap_mpm_pod_open. Both ends are close-on-exec (a child gets its copy through spawn's stdio) and non-blocking (a child checks the pod without waiting). */
export function podOpen(): Pod {
  const [readFd, writeFd] = libc.pipe(libc.O_CLOEXEC | libc.O_NONBLOCK);
  return { readFd, writeFd };
}

export function podClose(pod: Pod): void {
  libc.close(pod.writeFd);
  libc.close(pod.readFd);
}

/** The bytes of Apache's dummy connection for an HTTP (or HTTPS) listener. */
export function dummyRequest(serverDescription: string, protocol: string): Buffer {
  if (protocol.toLowerCase() === 'https') {
    // A TLS 1.0 close_notify alert: the least noisy way to open and close a TLS connection.
    return Buffer.from([0x15, 0x03, 0x01, 0x00, 0x02, 0x01, 0x00]);
  }
  return Buffer.from(`OPTIONS * HTTP/1.0\r\nUser-Agent: ${serverDescription} (internal dummy connection)\r\n\r\n`);
}

/** dummy_connection: prefers a plain-HTTP listener; resolves when sent or failed (failures are logged, never thrown). */
export function dummyConnection(listeners: OpenListener[], serverDescription: string, log: (r: MpmLogRecord) => void): Promise<void> {
  const lp = listeners.find((l) => l.protocol.toLowerCase() === 'http') ?? listeners[0];
  if (!lp) return Promise.resolve();
  return new Promise((resolve) => {
    const sock = connect({ host: lp.address, port: lp.port, family: lp.family });
    // Bounds the connect only: with nobody left to accept and a full backlog it can hang.
    sock.setTimeout(3000);
    sock.on('connect', () => {
      sock.setTimeout(0);
      // Send and go: the child's answer is of no interest.
      sock.end(dummyRequest(serverDescription, lp.protocol), () => sock.destroy());
    });
    sock.on('timeout', () => {
      log(coreLog('debug', 'AH00056', `connect to listener on ${formatSockaddr(lp.address, lp.port)}`));
      sock.destroy();
    });
    sock.on('error', (e: NodeJS.ErrnoException) => {
      log(coreLog('warn', 'AH00056', `connect to listener on ${formatSockaddr(lp.address, lp.port)}: ${e.code ?? e.message}`));
    });
    sock.on('close', () => resolve());
  });
}

/** ap_mpm_pod_signal: one byte, then a dummy connection. */
export async function podSignal(pod: Pod, listeners: OpenListener[], serverDescription: string, log: (r: MpmLogRecord) => void): Promise<void> {
  try {
    writeSync(pod.writeFd, '!');
  } catch {
    log(coreLog('warn', 'AH00053', 'write pipe_of_death'));
    return;
  }
  await dummyConnection(listeners, serverDescription, log);
}
