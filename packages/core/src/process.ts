/**
 * The process pass (Apache's ap_process_config_tree / ap_walk_config): each node of the
 * evaluated tree goes to the loaded module that declares it, with the context of where it
 * stands (server or vhost, enclosing sections, override bits, per-dir config).
 */
import { isAbsolute, resolve } from 'node:path';
import type { ConfigNode, DirectiveNode, SectionNode, SourceLocation } from '@prefork/config-parser';
import { OR_ALL, OR_AUTHCFG, OR_LIMIT, RSRC_CONF } from './constants.js';
import { checkCmdContext, invokeDirective, splitArguments } from './invoke.js';
import { ALL_METHODS, type AnyModule, type CmdParms, type DirSection, type DirSectionInit, type DirectiveDef, type ProcessOptions, type ServerRec, type StartupMessage } from './module.js';
import { vhostAddresses, type NameLookups } from './vhost-table.js';
import { STANDARD_METHODS } from './methods.js';
import type { ModuleRegistry } from './registry.js';
import { IGNORED_DIRECTIVES, PF } from './policy.js';
import { contextOfAllowed } from './show-directives.js';

/**
 * Directives the read pass has already carried out. <Macro>, Use and UndefMacro are not here:
 * with mod_macro loaded the read pass consumes them, without it they are invalid, as in Apache.
 */
const DONE_AT_READ = new Set([
  'loadmodule', 'loadfile', 'include', 'includeoptional', 'define', 'undefine', 'serverroot',
]);

/** A process-pass error: the message and the directive it stands on. */
export interface ProcessError {
  message: string;
  loc: SourceLocation;
}

export interface ProcessInput {
  tree: ConfigNode[];
  registry: ModuleRegistry;
  /** Loaded modules of ours, in load order. */
  modules: readonly AnyModule[];
  /** Stock modules loaded that we do not implement (warn-accept or fail-closed), by name. */
  unimplemented: ReadonlyMap<string, 'warn-accept' | 'fail-closed'>;
  serverRoot: string;
  options: ProcessOptions;
  log(msg: StartupMessage): void;
  /** Visit every directive and report each error instead of stopping at the first. */
  collectAllErrors?: boolean;
  /**
   * The host names of the <VirtualHost> sections, looked up beforehand: each section's addresses
   * are then set as the section is met, and a name that did not resolve is logged there
   * (AH00547), before what later directives log, as in Apache.
   */
  vhostLookups?: NameLookups;
}

export interface ProcessOutput {
  main: ServerRec;
  vhosts: ServerRec[];
  /** The first error (Apache stops there). */
  error?: ProcessError;
  /** Every error, in the order the directives were read: only the first unless collectAllErrors. */
  errors: ProcessError[];
  /** Each virtual host's server configs as its own directives set them, before inheriting. */
  ownConfigs: Map<ServerRec, Map<string, unknown>>;
  /** Methods registered by <Limit>/<LimitExcept> (ap_method_register), in number order from 27. */
  registeredMethods: string[];
}

interface Frame {
  server: ServerRec;
  parents: SectionNode[];
  path: string | undefined;
  override: number;
  methodMask: bigint;
  dirConfig: Map<string, unknown>;
  /** Where new sections go: the server's lists or the enclosing section. */
  section: DirSection | undefined;
}

type Found = { module: AnyModule; def: DirectiveDef<unknown, unknown> };

/** Creates a server with every module's fresh configs. */
export function newServer(modules: readonly AnyModule[], isVirtual: boolean, addresses: string[], loc?: SourceLocation): ServerRec {
  const server: ServerRec = {
    isVirtual, addresses, loc, config: new Map(), dirDefaults: new Map(),
    directories: [], locations: [], files: [], ifs: [],
  };
  for (const m of modules) {
    if (m.createServerConfig) server.config.set(m.name, m.createServerConfig(server));
    if (m.createDirConfig) server.dirDefaults.set(m.name, m.createDirConfig(undefined));
  }
  return server;
}

/** Runs the process pass over `input.tree`. Never throws for bad input. */
export function processConfigTree(input: ProcessInput): ProcessOutput {
  const table = new Map<string, Found>();
  for (const module of input.modules) {
    for (const def of module.directives ?? []) {
      const key = def.name.toLowerCase();
      if (!table.has(key)) table.set(key, { module, def: def as DirectiveDef<unknown, unknown> });
    }
  }
  const main = newServer(input.modules, false, []);
  const vhosts: ServerRec[] = [];
  const warned = new Set<string>();
  const serverRootRelative = (p: string) => (isAbsolute(p) ? p : resolve(input.serverRoot, p));

  const collected: ProcessError[] = [];
  const walk = (nodes: readonly ConfigNode[], frame: Frame): ProcessError | undefined => {
    for (const node of nodes) {
      const err = visit(node, frame);
      if (!err) continue;
      // Collecting, an error is kept where it stands and the walk goes on: a section whose
      // content failed is then itself fine, so each error is listed once.
      if (!input.collectAllErrors) return err;
      collected.push(err);
    }
    return undefined;
  };

  const visit = (node: ConfigNode, frame: Frame): ProcessError | undefined => {
    const lower = node.name.toLowerCase();
    if (node.type === 'directive' && DONE_AT_READ.has(lower)) return undefined;
    const key = node.type === 'section' ? `<${lower}` : lower;
    const found = table.get(key);
    if (!found) return unknown(node, frame);
    const cmd = makeCmd(found, node, frame);
    const message = invokeDirective(found.def, cmd, node.args);
    return message === undefined ? undefined : { message, loc: node.loc };
  };

  const invalid = (node: ConfigNode): ProcessError => ({
    message:
      `Invalid command '${node.type === 'section' ? '<' : ''}${node.name}', perhaps misspelled or defined by a module ` +
      'not included in the server configuration',
    loc: node.loc,
  });

  /** A name no loaded module of ours declares: a stock directive we lack, or a misspelling. */
  const unknown = (node: ConfigNode, frame: Frame): ProcessError | undefined => {
    const entries = input.registry.catalogue.directives.get(node.name.toLowerCase()) ?? [];
    const entry =
      entries.find((e) => input.unimplemented.has(e.module)) ??
      entries.find((e) => e.module === 'core' || input.registry.policy(e.module) === 'builtin') ??
      // A directive of a module we implement in part: only when that module is loaded.
      entries.find((e) => IGNORED_DIRECTIVES[e.module]?.some((n) => n.toLowerCase() === e.name.toLowerCase()) && input.modules.some((m) => m.name === e.module));
    if (!entry || entry.section !== (node.type === 'section')) return invalid(node);
    // invoke_cmd counts the arguments before the module's code runs: a wrong count is Apache's
    // error whether or not we implement the module.
    const sourceFile = input.registry.sourceFileOf(entry.module);
    const row = node.type === 'directive' && sourceFile !== undefined ? input.registry.stockCommand(sourceFile, node.name) : undefined;
    if (row !== undefined) {
      // Where the module's table allows it (invoke_cmd's override check), then the count.
      if ((frame.override & contextOfAllowed(row.allowed)) === 0) {
        const parent = frame.parents[frame.parents.length - 1];
        return { message: parent ? `${row.name} not allowed in <${parent.name}> context` : `${row.name} not allowed here`, loc: node.loc };
      }
      const split = row.arity === undefined ? undefined : splitArguments(row.name, row.arity, row.help ?? '', node.args);
      if (typeof split === 'string') return { message: split, loc: node.loc };
    }
    const policy = input.unimplemented.get(entry.module);
    if (policy === 'fail-closed') {
      return {
        message:
          `${node.name}: not supported by this server; ${entry.module} enforces access, authentication, ` +
          'TLS, rewriting or runs programs, so the server refuses to start without it',
        loc: node.loc,
      };
    }
    // One warning per directive name: Debian's autoindex.conf alone has sixty AddIcon lines.
    const key = node.name.toLowerCase();
    if (warned.has(key)) return undefined;
    warned.add(key);
    input.log({
      level: 'warn',
      module: 'core',
      id: PF.NOT_SUPPORTED,
      message: `${node.name}: not supported by this server (${entry.module}), ignored (first on line ${node.loc.line} of ${node.loc.file})`,
      loc: node.loc,
    });
    return undefined;
  };

  // ap_method_registry_init: the standard methods by number (HEAD is GET's); <Limit> adds more.
  const methods = new Map<string, number>(STANDARD_METHODS.map((m, i) => [m, i]));
  methods.set('HEAD', 0);
  const makeCmd = (found: Found, node: ConfigNode, frame: Frame): CmdParms => {
    const { module, def } = found;
    const cmd: CmdParms = {
      name: def.name,
      node,
      server: frame.server,
      serverConfig: frame.server.config.get(module.name),
      dirConfig: frame.dirConfig.get(module.name),
      path: frame.path,
      parents: frame.parents,
      override: frame.override,
      methodMask: frame.methodMask,
      methodNumber: (name, register) => {
        const n = methods.get(name);
        if (n !== undefined || !register) return n;
        // The standard ones and HEAD fill 27 entries; registered methods count from 27 (M_INVALID + 1).
        const number = methods.size;
        methods.set(name, number);
        return number;
      },
      serverRoot: input.serverRoot,
      serverRootRelative,
      options: input.options,
      moduleState: (name) =>
        input.modules.some((m) => m.name === name) ? 'implemented' : input.unimplemented.get(name),
      checkContext: (forbidden) => checkCmdContext(cmd, forbidden, def.context),
      log: (msg) => input.log({ ...msg, loc: node.loc }),
      walkSection: (init) => {
        if (node.type !== 'section') return `${def.name} is not a section`;
        return walkSection(node, frame, init)?.message;
      },
      walkVirtualHost: (addresses, words) => {
        if (node.type !== 'section') return `${def.name} is not a section`;
        const vhost = newServer(input.modules, true, addresses, node.loc);
        if (words) vhost.vhostWords = words;
        if (words && input.vhostLookups) vhost.addrs = vhostAddresses(words, input.vhostLookups, input.log);
        vhosts.push(vhost);
        const err = walk(node.children, {
          server: vhost,
          parents: [...frame.parents, node],
          path: undefined,
          override: frame.override,
          methodMask: ALL_METHODS,
          dirConfig: vhost.dirDefaults,
          section: undefined,
        });
        return err ? nested(err) : undefined;
      },
    };
    return cmd;
  };

  /** Errors inside a section surface from the section's handler; keep their own location. */
  let pendingNested: ProcessError | undefined;
  const nested = (err: ProcessError): string => {
    if (!pendingNested) pendingNested = err;
    return err.message;
  };

  const walkSection = (node: SectionNode, frame: Frame, init: DirSectionInit): ProcessError | undefined => {
    let section = frame.section;
    let dirConfig = frame.dirConfig;
    if (!init.sameSection) {
      section = {
        kind: init.kind, args: init.args, path: init.path, regex: init.regex, loc: node.loc,
        config: new Map(), sections: [],
      };
      for (const m of input.modules) if (m.createDirConfig) section.config.set(m.name, m.createDirConfig(init.path));
      dirConfig = section.config;
      const target = frame.section?.sections ?? listFor(frame.server, init.kind);
      target.push(section);
    }
    const err = walk(node.children, {
      server: frame.server,
      parents: [...frame.parents, node],
      path: init.sameSection ? frame.path : init.path,
      override: init.override,
      methodMask: init.methodMask ?? frame.methodMask,
      dirConfig,
      section,
    });
    if (err) nested(err);
    return err;
  };

  const top: Frame = {
    server: main,
    parents: [],
    path: undefined,
    override: (RSRC_CONF | OR_ALL) & ~(OR_AUTHCFG | OR_LIMIT),
    methodMask: ALL_METHODS,
    dirConfig: main.dirDefaults,
    section: undefined,
  };
  let error: ProcessError | undefined;
  for (const node of input.tree) {
    pendingNested = undefined;
    const err = visit(node, top);
    if (err) {
      // An error inside a section is reported at the inner directive, as Apache does.
      error = pendingNested ?? err;
      if (!input.collectAllErrors) break;
      collected.push(error);
    }
  }
  const errors = input.collectAllErrors ? collected : error ? [error] : [];
  error = errors[0];
  const ownConfigs = new Map<ServerRec, Map<string, unknown>>();
  for (const v of vhosts) ownConfigs.set(v, new Map(v.config));
  if (!error) fixupVirtualHosts(main, vhosts, input.modules);
  const registeredMethods = [...methods.keys()].slice(STANDARD_METHODS.length + 1);
  return { main, vhosts, error, errors, ownConfigs, registeredMethods };
}

function listFor(server: ServerRec, kind: string): DirSection[] {
  const k = kind.toLowerCase();
  if (k.startsWith('directory')) return server.directories;
  if (k.startsWith('location')) return server.locations;
  if (k.startsWith('files')) return server.files;
  return server.ifs;
}

/** Each vhost inherits what it did not set from the main server (ap_fixup_virtual_hosts). */
function fixupVirtualHosts(main: ServerRec, vhosts: ServerRec[], modules: readonly AnyModule[]): void {
  for (const v of vhosts) {
    for (const m of modules) {
      if (m.mergeServerConfig && v.config.has(m.name)) {
        v.config.set(m.name, m.mergeServerConfig(main.config.get(m.name), v.config.get(m.name)));
      }
      if (m.mergeDirConfig && v.dirDefaults.has(m.name)) {
        v.dirDefaults.set(m.name, m.mergeDirConfig(main.dirDefaults.get(m.name), v.dirDefaults.get(m.name)));
      }
    }
  }
}

export type { DirectiveNode };
