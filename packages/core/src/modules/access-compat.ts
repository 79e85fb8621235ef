/**
 * access_compat_module (mod_access_compat.c): Apache 2.2's Order, Allow, Deny and Satisfy.
 * Each line applies to the methods of the <Limit> around it (all outside one). A section with
 * any of these lines replaces what the sections before it said (the module has no merge).
 * The child checks them before `Require` as the check_access hook does: with Satisfy All
 * (the default) both must let a request through, with Satisfy Any either.
 */
import { OR_AUTHCFG, OR_LIMIT } from '../constants.js';
import type { CmdParms, ModuleDef } from '../module.js';
import { IpSubnetError, parseIpSubnet } from '@prefork/modules';

export type AccessOrder = 'deny,allow' | 'allow,deny' | 'mutual-failure';

/** One `Allow from` / `Deny from` word (allowdeny). */
export interface AllowDeny {
  /** env=VAR, env=!VAR, all, an address or subnet (apr_ipsubnet_create's forms), or a host name or domain. */
  type: 'env' | 'nenv' | 'all' | 'ip' | 'host';
  /** The variable, the subnet as written, or the domain; '' for all. */
  from: string;
  /** The methods it applies to (cmd->limited), a method mask in hexadecimal. */
  limited: string;
}

/** access_compat_dir_conf: Order and Satisfy as set per method (later settings win), and the two lists. */
export interface AccessCompatDirConfig {
  order: Array<{ methods: string; order: AccessOrder }>;
  satisfy: Array<{ methods: string; satisfy: 'all' | 'any' }>;
  allows: AllowDeny[];
  denys: AllowDeny[];
}

type Cmd = CmdParms<unknown, AccessCompatDirConfig>;

const mask = (cmd: Cmd): string => cmd.methodMask.toString(16);

function allowCmd(list: 'allows' | 'denys') {
  return (cmd: Cmd, from: string, where: string): string | undefined => {
    if (from.toLowerCase() !== 'from') return "allow and deny must be followed by 'from'";
    const entry: AllowDeny = { type: 'host', from: where, limited: mask(cmd) };
    const lower = where.toLowerCase();
    if (lower.startsWith('env=!')) {
      entry.type = 'nenv';
      entry.from = where.slice(5);
    } else if (lower.startsWith('env=')) {
      entry.type = 'env';
      entry.from = where.slice(4);
    } else if (lower === 'all') {
      entry.type = 'all';
    } else {
      try {
        parseIpSubnet(where);
        entry.type = 'ip';
      } catch (e) {
        if (!(e instanceof IpSubnetError)) throw e;
        if (e.problem !== 'not-an-address') return e.message;
        if (where.includes('/')) return 'An IP address was expected';
        if (where.includes('#')) return 'No comments are allowed here';
      }
    }
    cmd.dirConfig[list].push(entry);
    return undefined;
  };
}

export const accessCompatModule: ModuleDef<unknown, AccessCompatDirConfig> = {
  name: 'access_compat_module',
  sourceFile: 'mod_access_compat.c',
  createDirConfig: () => ({ order: [], satisfy: [], allows: [], denys: [] }),
  // No merge function: the later section's configuration replaces the earlier one.
  mergeDirConfig: (_base, add) => add,
  directives: [
    {
      name: 'order', arity: 'TAKE1', context: OR_LIMIT, help: "'allow,deny', 'deny,allow', or 'mutual-failure'",
      set: (cmd, arg) => {
        const o = arg.toLowerCase();
        if (o !== 'allow,deny' && o !== 'deny,allow' && o !== 'mutual-failure') return 'unknown order';
        cmd.dirConfig.order.push({ methods: mask(cmd), order: o });
        return undefined;
      },
    },
    { name: 'allow', arity: 'ITERATE2', context: OR_LIMIT, help: "'from' followed by hostnames or IP-address wildcards", set: allowCmd('allows') },
    { name: 'deny', arity: 'ITERATE2', context: OR_LIMIT, help: "'from' followed by hostnames or IP-address wildcards", set: allowCmd('denys') },
    {
      name: 'Satisfy', arity: 'TAKE1', context: OR_AUTHCFG, help: "access policy if both allow and require used ('all' or 'any')",
      set: (cmd, arg) => {
        const s = arg.toLowerCase();
        if (s !== 'all' && s !== 'any') return "Satisfy either 'any' or 'all'.";
        cmd.dirConfig.satisfy.push({ methods: mask(cmd), satisfy: s });
        return undefined;
      },
    },
  ],
};
