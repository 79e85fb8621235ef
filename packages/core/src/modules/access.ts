/**
 * authz_core (Require, <RequireAll|Any|None>, AuthMerging) and authz_host (the ip, host,
 * forward-dns and local providers). Providers of modules we do not implement fail closed.
 */
import { getWordConf, splitWords } from '../args.js';
import { OR_AUTHCFG } from '../constants.js';
import { ALL_METHODS, type CmdParms, type DirectiveDef, type ModuleDef } from '../module.js';
import { unclosedSection } from '../invoke.js';
import { AUTHZ_PROVIDER_MODULES, PF } from '../policy.js';
import { IpSubnetError, parseIpSubnet } from '@prefork/modules';

/** One Require line, or a <RequireAll/Any/None> block. */
export type AuthzRule =
  | {
      kind: 'require'; negate: boolean; provider: string; args: string[];
      /**
       * Inside <Limit>/<LimitExcept>: the methods it applies to, the method mask (a bit per
       * method number, as cmd->limited) in hexadecimal. Absent: every method.
       */
      methods?: string;
      /** `Require method …`: the methods it names, as a method mask in hexadecimal. */
      methodArgs?: string;
    }
  | { kind: 'all' | 'any' | 'none'; rules: AuthzRule[]; methods?: string };

export interface AuthzDirConfig {
  /** The top-level rules of this section (RequireAny semantics, as Apache's implicit block). */
  rules?: AuthzRule[];
  merging?: 'off' | 'and' | 'or';
  /** Internal: the block being filled while inside <RequireAll> etc. */
  stack: AuthzRule[][];
}

const CORE_PROVIDERS = ['all', 'env', 'method', 'expr'];
const HOST_PROVIDERS = ['ip', 'host', 'forward-dns', 'local'];

type Cmd = CmdParms<undefined, AuthzDirConfig>;

function addRule(cmd: Cmd, rule: AuthzRule): void {
  const d = cmd.dirConfig;
  const target = d.stack[d.stack.length - 1];
  if (target) target.push(rule);
  else (d.rules ??= []).push(rule);
}

/** mod_authz_host's ip_parse_config: each word an address or subnet apr_ipsubnet_create accepts. */
function ipArgsError(args: readonly string[]): string | undefined {
  if (args.length === 0) return "'require ip' requires an argument";
  for (const w of args) {
    try {
      parseIpSubnet(w);
    } catch (e) {
      if (!(e instanceof IpSubnetError)) throw e;
      return e.problem === 'not-an-address' ? `ip address '${w}' appears to be invalid` : `ip address '${w}' appears to be invalid: ${e.message}`;
    }
  }
  return undefined;
}

function requireSet(cmd: Cmd, raw: string): string | undefined {
  let { word: provider, rest } = getWordConf(raw);
  let negate = false;
  if (provider.toLowerCase() === 'not') {
    negate = true;
    ({ word: provider, rest } = getWordConf(rest));
  }
  const name = provider.toLowerCase();
  const implemented =
    CORE_PROVIDERS.includes(name) || (HOST_PROVIDERS.includes(name) && cmd.moduleState('authz_host_module') === 'implemented');
  if (!implemented) {
    const owner = AUTHZ_PROVIDER_MODULES[name];
    if (owner && cmd.moduleState(owner)) {
      return `Require ${provider}: not supported by this server; ${owner} enforces access, so the server refuses to start without it`;
    }
    return `Unknown Authz provider: ${provider}`;
  }
  const args = splitWords(rest);
  if (name === 'all') {
    const v = (args[0] ?? '').toLowerCase();
    if (v !== 'granted' && v !== 'denied') return "Argument for 'Require all' must be 'granted' or 'denied'";
  }
  if (name === 'ip') {
    const err = ipArgsError(args);
    if (err) return err;
  }
  let methodArgs: bigint | undefined;
  if (name === 'method') {
    // method_parse_config: each word a method this load knows (case matters; <Limit> registers more).
    methodArgs = 0n;
    for (const m of args) {
      const n = cmd.methodNumber(m);
      if (n === undefined) return `Invalid Method '${m}'`;
      methodArgs |= 1n << BigInt(n);
    }
  }
  const d = cmd.dirConfig;
  if (negate && d.stack.length === 0) {
    return 'negative Require directive has no effect in <RequireAny> directive';
  }
  if (name === 'expr') {
    // Accepted as Apache accepts it; the child cannot evaluate ap_expr and fails closed.
    cmd.log({
      level: 'warn', module: 'authz_core', id: PF.REQUIRE_NOT_EVALUATED,
      message: `Require ${raw.trim()} (on line ${cmd.node.loc.line} of ${cmd.node.loc.file}): not evaluated by this server; the Require lines of its section count as one 'Require all denied'`,
    });
  }
  addRule(cmd, {
    kind: 'require', negate, provider: name, args,
    ...(cmd.methodMask === ALL_METHODS ? {} : { methods: cmd.methodMask.toString(16) }),
    ...(methodArgs === undefined ? {} : { methodArgs: methodArgs.toString(16) }),
  });
  return undefined;
}

const BLOCK_HELP = {
  all: 'of which none must fail and at least one must pass for a request to succeed',
  any: 'of which one must pass for a request to succeed',
  none: 'of which none must pass for a request to succeed',
};

function block(kind: 'all' | 'any' | 'none', tag: string): DirectiveDef<undefined, AuthzDirConfig> {
  return {
    name: `<${tag}`, arity: 'RAW_ARGS', context: OR_AUTHCFG,
    help: `container for grouping authorization directives ${BLOCK_HELP[kind]}`,
    set: (cmd, raw) => {
      const unclosed = unclosedSection(cmd);
      if (unclosed) return unclosed;
      if (raw.trim() !== '') return `<${tag}> directive doesn't take additional arguments`;
      const rules: AuthzRule[] = [];
      cmd.dirConfig.stack.push(rules);
      const err = cmd.walkSection({ kind: tag, args: [], path: cmd.path ?? '', regex: false, override: cmd.override, sameSection: true });
      cmd.dirConfig.stack.pop();
      if (err) return err;
      if (rules.length === 0) return `<${tag}> directive contains no authorization directives`;
      addRule(cmd, { kind, rules, ...(cmd.methodMask === ALL_METHODS ? {} : { methods: cmd.methodMask.toString(16) }) });
      return undefined;
    },
  };
}

/** authz_core_module (mod_authz_core.c). */
export const authzCoreModule: ModuleDef<undefined, AuthzDirConfig> = {
  name: 'authz_core_module',
  sourceFile: 'mod_authz_core.c',
  createDirConfig: () => ({ stack: [] }),
  mergeDirConfig: (base, add) => {
    if (add.rules === undefined) return { ...base, merging: add.merging ?? base.merging, stack: [] };
    const merging = add.merging ?? 'off';
    if (merging === 'off' || base.rules === undefined) return { rules: add.rules, merging: add.merging, stack: [] };
    const rules: AuthzRule[] = [{ kind: merging === 'and' ? 'all' : 'any', rules: [{ kind: 'any', rules: base.rules }, { kind: 'any', rules: add.rules }] }];
    return { rules, merging: add.merging, stack: [] };
  },
  directives: [
    { name: 'Require', arity: 'RAW_ARGS', context: OR_AUTHCFG, help: 'specifies authorization directives which one must pass (or not) for a request to suceeed', set: requireSet },
    block('all', 'RequireAll'),
    block('any', 'RequireAny'),
    block('none', 'RequireNone'),
    {
      name: 'AuthMerging', arity: 'TAKE1', context: OR_AUTHCFG,
      help: "controls how a <Directory>, <Location>, or similar directive's authorization directives are combined with those of its predecessor",
      set: (cmd, arg) => {
        const v = arg.toLowerCase();
        if (v !== 'off' && v !== 'and' && v !== 'or') return 'AuthMerging must be one of: Off | And | Or';
        cmd.dirConfig.merging = v;
        return undefined;
      },
    },
  ],
};

/** authz_host_module (mod_authz_host.c): providers only, no directives. */
export const authzHostModule: ModuleDef<undefined, undefined> = {
  name: 'authz_host_module',
  sourceFile: 'mod_authz_host.c',
};
