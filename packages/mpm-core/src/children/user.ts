/**
 * User/Group to uid/gid, as unixd's ap_uname2id / ap_gname2id: `#123` is a number, anything
 * else a name looked up in /etc/passwd and /etc/group.
 */
import { readFileSync } from 'node:fs';

function lookup(file: string, name: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f.length >= 3 && /^\d+$/.test(f[2])) return Number(f[2]);
  }
  return undefined;
}

function toId(spec: string, file: string): number | undefined {
  if (spec.startsWith('#')) {
    const n = Number(spec.slice(1));
    return Number.isInteger(n) ? n : undefined;
  }
  return lookup(file, spec);
}

export class UnknownUserError extends Error {}

/**
 * The user children drop to, or undefined when no drop applies (the master is not root, or
 * User is Apache's unset default `#-1`).
 */
export function resolveChildUser(
  user: string,
  group: string,
  isRoot: boolean,
): { uid: number; gid: number; name: string } | undefined {
  if (!isRoot || user === '#-1') return undefined;
  const uid = toId(user, '/etc/passwd');
  if (uid === undefined) throw new UnknownUserError(`AH00544: bad user name ${user}`);
  const gid = toId(group, '/etc/group');
  if (gid === undefined) throw new UnknownUserError(`AH00545: bad group name ${group}`);
  return { uid, gid, name: user.startsWith('#') ? String(uid) : user };
}
