/**
 * How a child process comes to be: the one place that knows children are spawned Node
 * processes (Node has no safe fork()). Everything the child needs arrives as inherited fds
 * and the PREFORK_CHILD bootstrap, following @prefork/core's child-protocol.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { CHILD_ENV, FIRST_LISTENER_FD, type ChildBootstrap, type ListenerInfo } from '@prefork/core';
import type { OpenListener } from '../listen/listeners.js';

/**
 * Node flags for children: fewer V8 platform threads per child (4 instead of 7), and a young
 * generation of at most 1 MB per semi-space (a child's request garbage is short-lived: its
 * median PSS after load was 14.0-14.3 MB with V8's default and 12.3-12.9 MB with this, for the
 * same requests per second and CPU per request).
 */
export const DEFAULT_CHILD_NODE_FLAGS: readonly string[] = ['--v8-pool-size=0', '--max-semi-space-size=1'];

/**
 * Extra Node flags for every child, from PREFORK_CHILD_NODE_FLAGS (space-separated), e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile children: NODE_OPTIONS refuses such flags.
 */
export function extraChildNodeFlags(env: NodeJS.ProcessEnv): string[] {
  return (env['PREFORK_CHILD_NODE_FLAGS'] ?? '').split(/\s+/).filter((f) => f !== '');
}

export interface SpawnChildRequest {
  childEntry: string;
  nodeFlags: readonly string[];
  podReadFd: number;
  listeners: OpenListener[];
  bootstrap: Omit<ChildBootstrap, 'listeners'>;
  /** More descriptors for the child, after the listeners (see {@link childExtraFd}). */
  extraFds?: number[];
}

/** The number the i-th of `extraFds` has in a child with `listenerCount` listeners. */
export function childExtraFd(listenerCount: number, i = 0): number {
  return FIRST_LISTENER_FD + listenerCount + i;
}

/** The listeners as the child will see them: fd 4 onwards, in bucket order. */
export function childListenerInfo(listeners: OpenListener[]): ListenerInfo[] {
  return listeners.map((l, i) => ({ fd: FIRST_LISTENER_FD + i, address: l.address, port: l.port, protocol: l.protocol }));
}

/**
 * The environment a child starts with: the master's, with the bootstrap, and without
 * NODE_EXTRA_CA_CERTS: a child makes no TLS connections, and Node would parse that bundle in
 * every child at start (tens of milliseconds of CPU and a few MB each).
 */
export function childEnv(env: NodeJS.ProcessEnv, bootstrap: ChildBootstrap): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env, [CHILD_ENV]: JSON.stringify(bootstrap) };
  delete out['NODE_EXTRA_CA_CERTS'];
  return out;
}

/** Spawns one child; the ChildProcess has a pid unless the spawn failed (then an 'error' event follows). */
export function spawnChild(req: SpawnChildRequest): ChildProcess {
  const bootstrap: ChildBootstrap = { ...req.bootstrap, listeners: childListenerInfo(req.listeners) };
  return spawn(process.execPath, [...req.nodeFlags, ...extraChildNodeFlags(process.env), req.childEntry], {
    // fd 0 /dev/null, 1-2 the master's, 3 the pod, 4… the listeners (child-protocol.ts).
    // Then the extra descriptors (the scoreboard's memfd).
    stdio: ['ignore', 'inherit', 'inherit', req.podReadFd, ...req.listeners.map((l) => l.fd), ...(req.extraFds ?? [])],
    env: childEnv(process.env, bootstrap),
    // Same process group as the master: a signal to the group reaches every child.
    detached: false,
  });
}
