import { configWords } from '../mime/types.js';
import { ipSubnetTest, IpSubnetError, parseIpSubnet, sameAddress, type IpSubnet } from '../authz_host/subnet.js';

/** The outcome of an authorization check, as httpd's `authz_status`. */
export type AuthzResult = 'granted' | 'denied' | 'denied-no-user' | 'neutral';

/** What the providers look at when a request is checked. */
export interface AuthzRequest {
  /** The client address the request is attributed to (`r->useragent_ip`). */
  readonly clientIp: string;
  /** The local address of the connection, for `Require local`. */
  readonly localIp?: string;
  /** The client's double-reverse-verified host name, for `Require host`; absent if unknown. */
  readonly remoteHost?: string;
  /** Environment variables (`r->subprocess_env`), for `Require env`. */
  readonly env?: Readonly<Record<string, string>>;
  /** The authenticated user, for `Require user` / `valid-user`. */
  readonly user?: string;
}

/** Something a provider wants logged while checking (httpd logs these itself). */
export interface AuthzNote {
  readonly level: 'error' | 'warn';
  /** Full message with its AH id, e.g. `AH01753: access check of 'host x' to / failed, …`. */
  readonly message: string;
}

/** A Require line or section httpd refuses; `message` is httpd's text. */
export class AuthzConfigError extends Error {
  readonly code = 'PF_AUTHZ_CONFIG';
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'AuthzConfigError';
  }
}

/** An authorization provider: parses its Require arguments once, checks requests. */
export interface AuthzProvider {
  /** Returns parsed arguments or throws {@link AuthzConfigError}. */
  parse(args: string): unknown;
  check(request: AuthzRequest, args: string, parsed: unknown, uri: string, notes: AuthzNote[]): AuthzResult;
}

const words = (s: string): string[] => configWords(s).filter((w) => w !== '');

/** `Require all granted|denied` (mod_authz_core). */
const allProvider: AuthzProvider = {
  parse(args) {
    const v = args.trim().toLowerCase();
    if (v === 'granted') return true;
    if (v === 'denied') return false;
    throw new AuthzConfigError("Argument for 'Require all' must be 'granted' or 'denied'");
  },
  check: (_r, _a, parsed) => (parsed ? 'granted' : 'denied'),
};

/** `Require ip …` (mod_authz_host). */
const ipProvider: AuthzProvider = {
  parse(args) {
    const list = words(args);
    if (list.length === 0) throw new AuthzConfigError("'require ip' requires an argument");
    return list.map((w): IpSubnet => {
      try {
        return parseIpSubnet(w);
      } catch (err) {
        if (err instanceof IpSubnetError) {
          throw new AuthzConfigError(
            err.problem === 'not-an-address'
              ? `ip address '${w}' appears to be invalid`
              : `ip address '${w}' appears to be invalid: ${err.message}`,
          );
        }
        throw err;
      }
    });
  },
  check: (r, _a, parsed) => ((parsed as IpSubnet[]).some((s) => ipSubnetTest(s, r.clientIp)) ? 'granted' : 'denied'),
};

/** httpd's `in_domain`: `what` is `domain` or ends in `.domain` (or domain starts with a dot). */
export function inDomain(domain: string, what: string): boolean {
  const dl = domain.length;
  const wl = what.length;
  if (wl < dl) return false;
  if (what.slice(wl - dl).toLowerCase() !== domain.toLowerCase()) return false;
  return wl === dl || domain[0] === '.' || what[wl - dl - 1] === '.';
}

/** `Require host …` (mod_authz_host); needs the verified host name of the client. */
const hostProvider: AuthzProvider = {
  parse: (args) => args,
  check(r, args, _p, uri, notes) {
    if (r.remoteHost === undefined) {
      notes.push({
        level: 'error',
        message: `AH01753: access check of '${args}' to ${uri} failed, reason: unable to get the remote host name`,
      });
      return 'denied';
    }
    let list = args;
    const hash = list.indexOf('#');
    if (hash >= 0) {
      if (hash === 0) {
        notes.push({ level: 'error', message: `AH10120: authz_host authorize: dubious empty 'Require host ${list}' with only comment` });
        return 'denied';
      }
      notes.push({ level: 'warn', message: `AH10121: authz_host authorize: ignoring comment in 'Require host ${list}'` });
      list = list.slice(0, hash);
    }
    return words(list).some((w) => inDomain(w, r.remoteHost as string)) ? 'granted' : 'denied';
  },
};

/** `Require local` (mod_authz_host): loopback, or client address = local address. */
const localProvider: AuthzProvider = {
  parse: () => undefined,
  check(r) {
    if (r.localIp !== undefined && sameAddress(r.localIp, r.clientIp)) return 'granted';
    if (ipSubnetTest(parseIpSubnet('127.0.0.0/8'), r.clientIp)) return 'granted';
    if (ipSubnetTest(parseIpSubnet('::1'), r.clientIp)) return 'granted';
    return 'denied';
  },
};

/** `Require env VAR…` (mod_authz_host): granted if any variable is set. */
const envProvider: AuthzProvider = {
  parse: () => undefined,
  check: (r, args) => (words(args).some((w) => r.env !== undefined && Object.hasOwn(r.env, w)) ? 'granted' : 'denied'),
};

/** `Require valid-user` (mod_authz_user). */
const validUserProvider: AuthzProvider = {
  parse: () => undefined,
  check: (r) => (r.user === undefined ? 'denied-no-user' : 'granted'),
};

/** `Require user name…` (mod_authz_user). */
const userProvider: AuthzProvider = {
  parse: () => undefined,
  check(r, args) {
    if (r.user === undefined) return 'denied-no-user';
    return words(args).includes(r.user) ? 'granted' : 'denied';
  },
};

/**
 * Providers by name, grouped by the module that registers them; pass the
 * ones whose modules are loaded.
 */
export const AUTHZ_PROVIDERS = {
  authz_core: { all: allProvider },
  authz_host: { ip: ipProvider, host: hostProvider, local: localProvider, env: envProvider },
  authz_user: { 'valid-user': validUserProvider, user: userProvider },
} as const satisfies Record<string, Record<string, AuthzProvider>>;

/** The providers of authz_core, authz_host and authz_user together. */
export const DEFAULT_AUTHZ_PROVIDERS: Readonly<Record<string, AuthzProvider>> = {
  ...AUTHZ_PROVIDERS.authz_core,
  ...AUTHZ_PROVIDERS.authz_host,
  ...AUTHZ_PROVIDERS.authz_user,
};

/** One `Require` line. */
export interface AuthzRequire {
  readonly kind: 'require';
  readonly provider: string;
  readonly args: string;
  readonly negate: boolean;
  readonly parsed: unknown;
}

/** `and` = RequireAll, `or` = RequireAny (negated: RequireNone). */
export type AuthzOp = 'and' | 'or';

/** A container of Require lines: a `<Require…>` section, the implicit one of a directory, or an AuthMerging merge. */
export interface AuthzSection {
  readonly kind: 'section';
  readonly op: AuthzOp;
  readonly negate: boolean;
  readonly children: readonly AuthzNode[];
  /** Made by AuthMerging rather than written as a section. */
  readonly merged?: boolean;
}

export type AuthzNode = AuthzRequire | AuthzSection;

/** Input for {@link compileAuthz}: Require lines and sections in file order. */
export type AuthzItem =
  | { readonly require: string; readonly file?: string; readonly line?: number }
  | {
      readonly section: 'RequireAll' | 'RequireAny' | 'RequireNone';
      readonly items: readonly AuthzItem[];
      readonly file?: string;
      readonly line?: number;
    };

/** How httpd names a node in its messages. */
export function describeAuthz(node: AuthzNode): string {
  if (node.kind === 'require') return `Require ${node.negate ? 'not ' : ''}${node.provider} ${node.args}`;
  const name = node.op === 'and' ? (node.negate ? 'NotAll' : 'All') : node.negate ? 'None' : 'Any';
  return node.merged ? `AuthMerging ${name}` : `<Require${name}>`;
}

interface Building {
  op: AuthzOp;
  negate: boolean;
  children: AuthzNode[];
}

function addRequire(target: Building | undefined, raw: string, providers: Readonly<Record<string, AuthzProvider>>): Building {
  let rest = raw.trim();
  const take = (): string => {
    const m = /^(\S+)\s*/.exec(rest);
    const w = m ? m[1] : '';
    rest = m ? rest.slice(m[0].length) : '';
    return w;
  };
  let provider = take();
  let negate = false;
  if (provider.toLowerCase() === 'not') {
    provider = take();
    negate = true;
  }
  const impl = Object.hasOwn(providers, provider) ? providers[provider] : undefined;
  if (!impl) throw new AuthzConfigError(`Unknown Authz provider: ${provider}`);
  const parsed = impl.parse(rest);
  const section = target ?? { op: 'or', negate: false, children: [] };
  if (negate && section.op === 'or') {
    const where = describeAuthz({ kind: 'section', ...section });
    throw new AuthzConfigError(`negative Require directive has no effect in ${where} directive`);
  }
  section.children.push({ kind: 'require', provider, args: rest, negate, parsed });
  return section;
}

function addSection(
  target: Building | undefined,
  item: Extract<AuthzItem, { section: string }>,
  providers: Readonly<Record<string, AuthzProvider>>,
): Building {
  const inner: Building = {
    op: item.section === 'RequireAll' ? 'and' : 'or',
    negate: item.section === 'RequireNone',
    children: [],
  };
  walk(inner, item.items, providers);
  const self: AuthzSection = { kind: 'section', op: inner.op, negate: inner.negate, children: inner.children };
  if (inner.children.length === 0) {
    throw new AuthzConfigError(`${describeAuthz(self)} directive contains no authorization directives`, item.file, item.line);
  }
  const outer = target ?? { op: 'or', negate: false, children: [] };
  if (self.negate && outer.op === 'or') {
    throw new AuthzConfigError(
      `${describeAuthz(self)} directive has no effect in ${describeAuthz({ kind: 'section', ...outer })} directive`,
      item.file,
      item.line,
    );
  }
  // Same operator, not negated: httpd splices the children in (associativity).
  if (!self.negate && self.op === outer.op) outer.children.push(...self.children);
  else outer.children.push(self);
  return outer;
}

function walk(target: Building, items: readonly AuthzItem[], providers: Readonly<Record<string, AuthzProvider>>): void {
  for (const item of items) {
    if ('require' in item) {
      try {
        addRequire(target, item.require, providers);
      } catch (err) {
        if (err instanceof AuthzConfigError && err.file === undefined) throw new AuthzConfigError(err.message, item.file, item.line);
        throw err;
      }
    } else {
      addSection(target, item, providers);
    }
  }
}

/**
 * Builds the authorization section of one directory from its Require lines
 * and `<Require…>` sections, with httpd's configuration errors (thrown as
 * {@link AuthzConfigError} carrying the item's file and line). Returns
 * undefined when there is no Require at all.
 */
export function compileAuthz(
  items: readonly AuthzItem[],
  providers: Readonly<Record<string, AuthzProvider>> = DEFAULT_AUTHZ_PROVIDERS,
): AuthzSection | undefined {
  if (items.length === 0) return undefined;
  const top: Building = { op: 'or', negate: false, children: [] };
  walk(top, items, providers);
  return { kind: 'section', op: top.op, negate: top.negate, children: top.children };
}

/**
 * httpd's check_config pass over a directory's section (`authz_core_check_section`):
 * applies De Morgan to negated sections of the other operator and refuses a
 * section whose children are all negative (AH01624). Returns the normalised
 * section.
 */
export function checkAuthz(section: AuthzSection, isDirectoryLevel = true): AuthzSection {
  const children: AuthzNode[] = [];
  for (const child of section.children) {
    if (child.kind === 'section') {
      const checked = checkAuthz(child, false);
      if (checked.negate && checked.op !== section.op) {
        for (const grandchild of checked.children) children.push({ ...grandchild, negate: !grandchild.negate });
      } else {
        children.push(checked);
      }
    } else {
      children.push(child);
    }
  }
  const result: AuthzSection = { ...section, children };
  if (!children.some((c) => !c.negate)) {
    const where = isDirectoryLevel ? '<Directory>, <Location>, or similar' : describeAuthz(section);
    throw new AuthzConfigError(`AH01624: ${where} directive contains only negative authorization directives`);
  }
  return result;
}

/**
 * AuthMerging: combines a parent directory's section with a child's. `off`
 * (the default) lets the child's replace the parent's; `and` / `or` require
 * both / either.
 */
export function mergeAuthz(
  base: AuthzSection | undefined,
  add: AuthzSection | undefined,
  merging: 'off' | 'and' | 'or' = 'off',
): AuthzSection | undefined {
  if (!add) return base;
  if (merging === 'off' || !base) return add;
  return { kind: 'section', op: merging, negate: false, merged: true, children: [base, add] };
}

/**
 * Evaluates a section for a request, as `apply_authz_sections` does.
 * `notes` receives what providers would log.
 */
export function evaluateAuthz(
  node: AuthzNode,
  request: AuthzRequest,
  options: { providers?: Readonly<Record<string, AuthzProvider>>; uri?: string; notes?: AuthzNote[] } = {},
): AuthzResult {
  const providers = options.providers ?? DEFAULT_AUTHZ_PROVIDERS;
  const notes = options.notes ?? [];
  let result: AuthzResult;
  if (node.kind === 'require') {
    result = providers[node.provider].check(request, node.args, node.parsed, options.uri ?? '/', notes);
  } else {
    result = 'neutral';
    for (const child of node.children) {
      const r = evaluateAuthz(child, request, { providers, uri: options.uri, notes });
      if (r === 'neutral') continue;
      if (node.op === 'and') {
        if (r === 'denied') {
          result = r;
          break;
        }
        if ((r === 'denied-no-user' && result !== 'denied') || result === 'neutral') result = r;
      } else {
        if (r === 'granted') {
          result = r;
          break;
        }
        if ((r === 'denied-no-user' && result === 'denied') || result === 'neutral') result = r;
      }
    }
  }
  if (node.negate) {
    // A negated denial is neutral: not being refused is no reason to grant.
    if (result === 'granted') result = 'denied';
    else if (result === 'denied' || result === 'denied-no-user') result = 'neutral';
  }
  return result;
}
