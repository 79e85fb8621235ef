/**
 * loadServerConfig: the read pass (config-parser, with a ReadHost backed by the module
 * registry: LoadModule, <IfModule>, <IfDirective>, <IfSection>), the MPM check, the process
 * pass, the merge of virtual hosts, then pre_config and check_config hooks.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { escapeErrorLogItem, formatReadError, readConfig } from '@prefork/config-parser';
import type { ConfigError, ConfigNode, DirectiveNode, ReadHost, ReadOptions, ReadResult, SourceLocation } from '@prefork/config-parser';
import { splitWords } from './args.js';
import { DEFAULT_ERRORLOG, SERVER_VERSION } from './constants.js';
import { HookRegistry, OK, type ConfigHookContext } from './hooks.js';
import type { AnyModule, ProcessOptions, ServerRec, StartupMessage } from './module.js';
import { BUILTIN_MODULES, MODULE_NEEDS, OTHER_MPMS, PF } from './policy.js';
import { processConfigTree } from './process.js';
import { formatLogLine } from './logger.js';
import { nameServers, systemResolver, type NameResolver } from './hostname.js';
import { lookupVhostNames, parseVhostWord, vhostAddresses } from './vhost-table.js';
import type { ModuleRegistry } from './registry.js';

export interface LoadOptions {
  /** -f: the main configuration file (relative to serverRoot when not absolute). */
  file: string;
  /** -d or the compiled-in ServerRoot. */
  serverRoot: string;
  /** -D names. */
  defines?: string[];
  /** -C and -c directives. */
  preDirectives?: string[];
  postDirectives?: string[];
  /** argv[0] as Apache prints it in "apache2: Syntax error …" ('apache2', 'prefork'). */
  program: string;
  registry: ModuleRegistry;
  /** The first load of this process (Apache's startup pass): prefork's long warnings. */
  startup?: boolean;
  processOptions?: ProcessOptions;
  env?: Record<string, string | undefined>;
  /** How the server finds its own name without ServerName; the system resolver by default. */
  resolver?: NameResolver;
  /**
   * Go on past errors and report every one (our `-t -D DUMP_ALL_ERRORS`): the read pass
   * collects, the process pass visits every directive. Apache stops at the first (the default).
   */
  collectAllErrors?: boolean;
  /** The read pass; defaults to @prefork/config-parser's readConfig. */
  reader?: (options: ReadOptions) => ReadResult | Promise<ReadResult>;
}

/** A failure, with the text Apache prints for it (stderr, before ErrorLog is open). */
export interface LoadError {
  /** 'read' (apache2: Syntax error …), 'syntax' (AH00526), 'mpm' (AH00534), 'check' … */
  kind: 'read' | 'syntax' | 'mpm' | 'check' | 'module';
  /** The full text as Apache prints it, possibly several lines. */
  text: string;
  /** The bare message. */
  message: string;
  loc?: SourceLocation;
}

export interface LoadedModuleInfo {
  name: string;
  sourceFile: string;
  /** 'static' for preloaded, 'shared' for LoadModule (as -M prints). */
  kind: 'static' | 'shared';
  /** How we honour it. */
  policy: 'implemented' | 'warn-accept' | 'fail-closed';
  /** The LoadModule line, for shared ones. */
  loc?: SourceLocation;
}

export interface LoadResult {
  ok: boolean;
  modules: LoadedModuleInfo[];
  /** Our modules that took part, in load order. */
  moduleDefs: AnyModule[];
  server: ServerRec;
  vhosts: ServerRec[];
  hooks: HookRegistry;
  /** Errors; the first is the one Apache reports (it stops there). */
  errors: LoadError[];
  /** Warnings of the read pass and of the directives, in order. */
  warnings: StartupMessage[];
  /** Everything to show on stderr during startup / -t, in order (warnings included). */
  startupMessages: StartupMessage[];
  defines: Map<string, string>;
  includes: ReadResult['includes'];
  serverRoot: string;
  /** Methods <Limit>/<LimitExcept> registered (ap_method_register), numbered from 27 in this order. */
  registeredMethods?: string[];
}

interface PendingJs {
  name: string;
  specifier: string;
  loc: SourceLocation;
}

/** Reads and processes a configuration. Never throws for bad input. */
export async function loadServerConfig(options: LoadOptions): Promise<LoadResult> {
  const registry = options.registry;
  const messages: StartupMessage[] = [];
  const log = (m: StartupMessage) => messages.push(m);
  const loaded: LoadedModuleInfo[] = [];
  const loadedNames = new Set<string>();
  /** Module directories seen by this load: whether each holds Apache's mod_*.so files. */
  const moduleDirs = new Map<string, boolean>();
  const pendingJs: PendingJs[] = [];
  const jsModules: AnyModule[] = [];
  const otherMpms: { name: string; loc: SourceLocation; position: number }[] = [];

  // Preloaded modules are not in mod_so's list: LoadModule of one is "built-in", not "already loaded".
  for (const name of registry.preloaded) {
    const m = registry.modules.get(name) as AnyModule;
    loaded.push({ name, sourceFile: m.sourceFile, kind: 'static', policy: 'implemented' });
  }

  const isLoaded = (name: string): boolean => {
    for (const l of loaded) if (l.name === name || l.sourceFile === name) return true;
    for (const o of otherMpms) if (o.name === name || registry.sourceFileOf(o.name) === name) return true;
    return false;
  };
  const loadedDirectiveNames = (): Set<string> => {
    const names = new Set<string>();
    for (const l of loaded) {
      for (const d of registry.modules.get(l.name)?.directives ?? []) names.add(d.name.toLowerCase().replace(/^</, ''));
    }
    return names;
  };

  const loadModule = (node: DirectiveNode, serverRoot: string): { error: string } | { warning: { id: string; module: string; level: 'warn'; message: string } } | undefined => {
    const argv = splitWords(node.args);
    if (argv.length !== 2) {
      return { error: 'LoadModule takes two arguments, a module name and the name of a shared object file to load it from' };
    }
    const [name, file] = argv;
    // mod_so checks the compiled-in list first: a built-in name is an error even when repeated.
    // core and http_module are not matched by that check in Apache (it compares other names),
    // so LoadModule of them goes on to load the file.
    if (BUILTIN_MODULES.includes(name) && name !== 'core' && name !== 'http_module') {
      return { error: `module ${name} is built-in and can't be loaded` };
    }
    if (loadedNames.has(name) || otherMpms.some((o) => o.name === name)) {
      return { warning: { id: 'AH01574', module: 'so', level: 'warn', message: `module ${name} is already loaded, skipping` } };
    }
    const policy = registry.policy(name);
    if (isJsSpecifier(file)) {
      loadedNames.add(name);
      pendingJs.push({ name, specifier: file, loc: node.loc });
      return undefined;
    }
    // What dlopen would say. A stock name whose file does not exist is accepted (this server loads
    // no shared object, and the machine need not have Apache's), unless its directory holds
    // Apache's modules but not this one: a typo Apache would stop at.
    const { full, kind } = dlopenTarget(file, serverRoot);
    const noFile = { error: dlopenError(file, full, kind === 'directory' ? kind : 'missing') };
    if (kind === 'directory') return noFile;
    if (kind === 'missing' && file.includes('/') && holdsApacheModules(dirname(full), moduleDirs)) return noFile;
    // dlopen resolves the file's symbols before dlsym looks for the module structure: a module
    // that uses another one's symbols fails when that one was not loaded before it.
    const holds = /(?:^|\/)mod_(\w+)\.so$/.exec(full)?.[1];
    const needs = MODULE_NEEDS[kind === 'file' && holds !== undefined ? `${holds}_module` : name];
    if (needs && !loadedNames.has(needs.module) && (kind === 'file' || policy !== undefined)) {
      return { error: `Cannot load ${file} into server: ${full}: undefined symbol: ${needs.symbol}` };
    }
    // A stock module's own file (mod_X.so holds X_module) named for another module: dlsym fails.
    if (kind === 'file' && holds !== undefined && `${holds}_module` !== name && registry.policy(`${holds}_module`) !== undefined) {
      return { error: `Can't locate API module structure \`${name}' in file ${full}: ${full}: undefined symbol: ${name}` };
    }
    if (policy === undefined || policy === 'builtin') {
      if (kind === 'missing') return noFile;
      return { error: `${PF.UNKNOWN_SHARED_OBJECT}: Cannot load ${full} into server: module ${name} is not a stock Apache module and this server cannot load shared objects` };
    }
    loadedNames.add(name);
    if (policy === 'other-mpm') {
      otherMpms.push({ name, loc: node.loc, position: loaded.length });
      return undefined;
    }
    const m = registry.modules.get(name);
    loaded.push({
      name,
      sourceFile: m?.sourceFile ?? registry.sourceFileOf(name) ?? `mod_${name.replace(/_module$/, '')}.c`,
      kind: 'shared',
      policy,
      loc: node.loc,
    });
    if (policy === 'implemented') return undefined;
    const what = policy === 'fail-closed'
      ? 'its directives and Require providers will stop startup if used'
      : 'its directives are accepted and ignored';
    return {
      warning: {
        id: PF.MODULE_NOT_IMPLEMENTED,
        module: 'so',
        level: 'warn',
        message: `module ${name} is not implemented by this server (${what}), on line ${node.loc.line} of ${node.loc.file}`,
      },
    };
  };

  const host: ReadHost = {
    isModuleLoaded: (name) => isLoadedForIfModule(name),
    directiveExists: (name) => {
      const n = name.toLowerCase().replace(/^</, '');
      return loadedDirectiveNames().has(n) || ['loadmodule', 'loadfile', 'include', 'includeoptional', 'define', 'undefine', 'serverroot'].includes(n);
    },
    sectionExists: (name) => loadedDirectiveNames().has(name.toLowerCase().replace(/^</, '')),
    version: { ...SERVER_VERSION },
    execOnReadNames: new Set(['loadmodule', 'loadfile', 'defaultruntimedir']),
    execOnRead: (node, state) => {
      const lower = node.name.toLowerCase();
      if (lower === 'loadmodule') return loadModule(node, state.serverRoot);
      if (lower === 'defaultruntimedir') {
        const dir = splitWords(node.args)[0] ?? '';
        const full = isAbsolute(dir) ? dir : resolve(state.serverRoot, dir);
        if (!isDirectory(full)) return { error: 'DefaultRuntimeDir must be a valid directory, absolute or relative to ServerRoot' };
        return undefined;
      }
      if (lower === 'loadfile') {
        for (const f of splitWords(node.args)) {
          const { full, kind } = dlopenTarget(f, state.serverRoot);
          if (kind !== 'file') return { error: dlopenError(f, full, kind) };
        }
        return undefined;
      }
      return undefined;
    },
  };
  // LoadModule of event or worker loads prefork in their place: from that line on, <IfModule>
  // sees mpm_prefork_module (prefork.c) as loaded and event/worker as absent, as apache2 does
  // on the same tree with mpm_prefork enabled.
  function isLoadedForIfModule(name: string): boolean {
    if (OTHER_MPMS.includes(name) || name === 'event.c' || name === 'worker.c') return false;
    if (name === 'mpm_prefork_module' || name === 'prefork.c') {
      if (otherMpms.length > 0 && registry.modules.has('mpm_prefork_module')) return true;
    }
    return isLoaded(name);
  }

  const collect = options.collectAllErrors === true;
  // In collect mode the read pass's errors are kept while the later passes add theirs.
  let earlier: LoadError[] = [];
  const empty = (errors: LoadError[], read?: ReadResult): LoadResult => ({
    ok: false,
    modules: loaded,
    moduleDefs: [],
    server: { isVirtual: false, addresses: [], config: new Map(), dirDefaults: new Map(), directories: [], locations: [], files: [], ifs: [] },
    vhosts: [],
    hooks: new HookRegistry(),
    errors: [...earlier, ...errors],
    warnings: messages.filter((m) => m.level !== 'info' && m.level !== 'debug'),
    startupMessages: messages,
    defines: read?.defines ?? new Map(),
    includes: read?.includes ?? [],
    serverRoot: read?.serverRoot ?? options.serverRoot,
  });

  let read: ReadResult;
  try {
    const reader = options.reader ?? readConfig;
    read = await reader({
      file: options.file,
      serverRoot: options.serverRoot,
      defines: options.defines,
      preDirectives: options.preDirectives,
      postDirectives: options.postDirectives,
      host,
      env: options.env,
      stopAtFirstError: !collect,
    });
  } catch (e) {
    return empty([{ kind: 'read', message: String(e), text: `${options.program}: ${String(e)}` }]);
  }
  for (const w of read.warnings) log({ level: w.level, module: w.module, id: w.id, message: w.message, loc: w.loc, pass: 'read' });
  if (read.errors.length > 0) {
    const readErrors = read.errors.map((e) => readError(e, options.program));
    if (!collect) return empty(readErrors, read);
    earlier = readErrors;
  }

  // Modules given as JavaScript are imported once the read pass is over (imports are async).
  for (const p of pendingJs) {
    const got = await importJsModule(p, read.serverRoot);
    if ('error' in got) return empty([{ kind: 'module', message: got.error, text: `${options.program}: Syntax error on line ${p.loc.line} of ${p.loc.file}: ${got.error}`, loc: p.loc }], read);
    jsModules.push(got.module);
    loaded.push({ name: p.name, sourceFile: got.module.sourceFile, kind: 'shared', policy: 'implemented', loc: p.loc });
  }

  // ap_check_mpm: exactly one MPM. Event or worker alone stands for Debian's default: prefork runs.
  const preforkLoaded = loaded.some((l) => l.name === 'mpm_prefork_module');
  const mpmCount = (preforkLoaded ? 1 : 0) + otherMpms.length;
  if (mpmCount > 1) {
    return empty([mpmError('More than one MPM loaded.', options.program)], read);
  }
  if (mpmCount === 1 && !preforkLoaded) {
    const other = otherMpms[0];
    const prefork = registry.modules.get('mpm_prefork_module');
    if (prefork) {
      // In the place of the LoadModule line it replaces, as -M lists modules in load order.
      const entry: LoadedModuleInfo = { name: prefork.name, sourceFile: prefork.sourceFile, kind: 'shared', policy: 'implemented', loc: other.loc };
      loaded.splice(other.position, 0, entry);
      log({
        level: 'warn', module: 'so', id: PF.MPM_REPLACED, loc: other.loc,
        message: `${other.name} is not available in this server: running mpm_prefork instead (line ${other.loc.line} of ${other.loc.file})`,
      });
    }
  }
  if (mpmCount === 0 && registry.modules.has('mpm_prefork_module')) {
    return empty([mpmError('No MPM loaded.', options.program)], read);
  }

  const moduleDefs: AnyModule[] = [];
  for (const l of loaded) {
    const m = registry.modules.get(l.name) ?? jsModules.find((j) => j.name === l.name);
    if (m && l.policy === 'implemented') moduleDefs.push(m);
  }
  const unimplemented = new Map<string, 'warn-accept' | 'fail-closed'>();
  for (const l of loaded) if (l.policy !== 'implemented') unimplemented.set(l.name, l.policy);
  // The MPM prefork replaced: its thread tuning (Debian's mpm_event.conf is unguarded) is
  // ignored with a warning; the names prefork shares (StartServers …) apply to prefork.
  if (mpmCount === 1 && !preforkLoaded) unimplemented.set(otherMpms[0].name, 'warn-accept');

  const hooks = new HookRegistry();
  for (const m of moduleDefs) m.registerHooks?.(hooks);

  const resolver = options.resolver ?? systemResolver;
  const vhostLookups = await lookupVhostNames(vhostHosts(read.tree), resolver);
  const out = processConfigTree({
    tree: read.tree,
    vhostLookups,
    registry,
    modules: moduleDefs,
    unimplemented,
    serverRoot: read.serverRoot,
    options: options.processOptions ?? {},
    log,
    collectAllErrors: collect,
  });
  const result: LoadResult = {
    ok: true,
    modules: loaded,
    moduleDefs,
    server: out.main,
    vhosts: out.vhosts,
    hooks,
    errors: [...earlier],
    warnings: [],
    startupMessages: messages,
    defines: read.defines,
    includes: read.includes,
    serverRoot: read.serverRoot,
    registeredMethods: out.registeredMethods,
  };
  // A line the read pass already reported is not reported again by the process pass.
  const reported = new Set(earlier.map((e) => (e.loc ? `${e.loc.file}:${e.loc.line}` : '')));
  for (const e of out.errors) {
    if (reported.has(`${e.loc.file}:${e.loc.line}`)) continue;
    result.errors.push({
      kind: 'syntax',
      message: e.message,
      // Two log lines, each escaped as the error log escapes messages.
      text: escapeErrorLogItem(`AH00526: Syntax error on line ${e.loc.line} of ${e.loc.file}:`) + '\n' + escapeErrorLogItem(e.message),
      loc: e.loc,
    });
  }
  if (result.errors.length > 0) {
    result.ok = false;
  } else {
    // ap_fini_vhost_config: every server gets its name (AH00558 when the main one has none).
    const ownNames = new Map<ServerRec, string | undefined>();
    const nameOf = (config: Map<string, unknown> | undefined) => (config?.get('core') as { serverName?: string } | undefined)?.serverName;
    ownNames.set(out.main, nameOf(out.main.config));
    for (const v of out.vhosts) ownNames.set(v, nameOf(out.ownConfigs.get(v)));
    // get_addresses (each <VirtualHost> address to socket addresses) ran in the process pass.
    for (const v of out.vhosts) v.addrs ??= vhostAddresses(v.vhostWords ?? [], vhostLookups, log);
    for (const m of await nameServers(out.main, out.vhosts, ownNames, options.program, options.resolver)) log(m);
    const ctx: ConfigHookContext = { server: out.main, vhosts: out.vhosts, log, startup: options.startup ?? true };
    if (hooks.runAllSync('pre_config', ctx) !== OK) {
      result.ok = false;
      result.errors.push({ kind: 'check', message: 'Pre-configuration failed', text: 'AH00013: Pre-configuration failed' });
    } else if (!errorLogDirsExist(out.main, out.vhosts, out.ownConfigs, read.serverRoot, log) || hooks.runAllSync('check_config', ctx) !== OK) {
      // core_check_config runs first; when it fails, the other modules' checks do not run.
      result.ok = false;
      result.errors.push({ kind: 'check', message: 'Configuration check failed', text: 'AH00014: Configuration check failed' });
    }
  }
  result.warnings = messages.filter((m) => m.level !== 'info' && !m.level.startsWith('debug') && !m.level.startsWith('trace'));
  return result;
}

/**
 * core_check_config's check_errorlog_dir: the directory of each file error log must exist
 * (AH02291), the main server's and that of each virtual host with an ErrorLog of its own. Piped
 * logs and syslog are not files. Every server is checked before the answer.
 */
function errorLogDirsExist(main: ServerRec, vhosts: ServerRec[], ownConfigs: Map<ServerRec, Map<string, unknown>>, serverRoot: string, log: (m: StartupMessage) => void): boolean {
  let ok = true;
  const check = (fname: string | undefined, desc: string): void => {
    if (fname === undefined || fname.startsWith('|') || /^syslog(:|$)/.test(fname)) return;
    const abs = isAbsolute(fname) ? fname : resolve(serverRoot, fname);
    const dir = abs.slice(0, abs.lastIndexOf('/') + 1);
    let status: string | undefined;
    try {
      if (!statSync(dir).isDirectory()) status = '(20)Not a directory';
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      status = code === 'ENOTDIR' ? '(20)Not a directory' : code === 'EACCES' ? '(13)Permission denied' : '(2)No such file or directory';
    }
    if (status === undefined) return;
    ok = false;
    log({ level: 'emerg', module: 'core', id: 'AH02291', status, startup: true, message: `Cannot access directory '${dir}' for ${desc}` });
  };
  const errorLogOf = (config: Map<string, unknown> | undefined) => (config?.get('core') as { errorLog?: string } | undefined)?.errorLog;
  check(errorLogOf(main.config) ?? DEFAULT_ERRORLOG, 'main error log');
  for (const v of vhosts) {
    const own = errorLogOf(ownConfigs.get(v));
    if (own !== undefined) check(own, `error log of vhost defined at ${v.loc?.file}:${v.loc?.line}`);
  }
  return ok;
}

/** Where dlopen looks for a bare library name on Debian (ld.so.conf's and the defaults). */
const LIBRARY_DIRS = ['/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib', '/usr/lib', '/usr/local/lib'];

type FileKind = 'file' | 'directory' | 'missing';

function fileKind(path: string): FileKind {
  try {
    return statSync(path).isDirectory() ? 'directory' : 'file';
  } catch {
    return 'missing';
  }
}

/**
 * A LoadModule or LoadFile path as mod_so and dlopen meet it: a name with a slash is
 * ServerRoot-relative; a bare name stays as written and is the dynamic linker's to find, in the
 * system's library directories.
 */
function dlopenTarget(file: string, serverRoot: string): { full: string; kind: FileKind } {
  if (file.includes('/')) {
    const full = isAbsolute(file) ? file : resolve(serverRoot, file);
    return { full, kind: fileKind(full) };
  }
  const dir = LIBRARY_DIRS.find((d) => existsSync(`${d}/${file}`));
  return { full: file, kind: dir === undefined ? 'missing' : fileKind(`${dir}/${file}`) };
}

/** mod_so's message for a file dlopen cannot load: the path as written, then as opened. */
function dlopenError(file: string, full: string, kind: Exclude<FileKind, 'file'>): string {
  const why = kind === 'directory' ? 'cannot read file data: Is a directory' : 'cannot open shared object file: No such file or directory';
  return `Cannot load ${file} into server: ${full}: ${why}`;
}

/**
 * Whether a directory holds Apache's modules (mod_*.so), as Debian's and RHEL's module
 * directories do. `seen` keeps the answers of one load.
 */
function holdsApacheModules(dir: string, seen: Map<string, boolean>): boolean {
  let holds = seen.get(dir);
  if (holds === undefined) {
    try {
      holds = readdirSync(dir).some((f) => /^mod_\w+\.so$/.test(f));
    } catch {
      holds = false;
    }
    seen.set(dir, holds);
  }
  return holds;
}

function mpmError(message: string, program: string): LoadError {
  return { kind: 'mpm', message, text: `AH00534: ${program}: Configuration error: ${message}` };
}

/**
 * A read-pass error as Apache prints it. The read pass's "missing closing '>'" (a closing tag, or
 * <IfModule>, <IfDefine>, <IfVersion>… whose handlers run on read) is printed so too; that of
 * <Directory>, <VirtualHost>… comes from the process pass (AH00526).
 */
function readError(e: ConfigError, program: string): LoadError {
  return { kind: 'read', message: e.message, loc: e.loc, text: formatReadError(e, program) };
}

function isJsSpecifier(file: string): boolean {
  if (/\.(m?js|cjs|ts|mts)$/.test(file)) return true;
  // An npm package name: no path separator (or a scope) and no shared-object suffix.
  return !/\.so(\.\d+)*$/.test(file) && /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/.test(file);
}

async function importJsModule(p: PendingJs, serverRoot: string): Promise<{ module: AnyModule } | { error: string }> {
  const spec = /^[./]/.test(p.specifier) || isAbsolute(p.specifier)
    ? pathToFileURL(isAbsolute(p.specifier) ? p.specifier : resolve(serverRoot, p.specifier)).href
    : p.specifier;
  let ns: Record<string, unknown>;
  try {
    ns = (await import(spec)) as Record<string, unknown>;
  } catch (e) {
    return { error: `Cannot load ${p.specifier} into server: ${(e as Error).message}` };
  }
  const candidates = [ns.default, ...Object.values(ns)];
  for (const c of candidates) {
    if (c && typeof c === 'object' && (c as { name?: unknown }).name === p.name && typeof (c as { sourceFile?: unknown }).sourceFile === 'string') {
      return { module: c as AnyModule };
    }
  }
  return { error: `${PF.JS_MODULE_BAD}: Can't locate API module structure \`${p.name}' in file ${p.specifier}` };
}


function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * A startup message as Apache prints it on stderr before the error log is open: the bare
 * `ID: text` form for APLOG_STARTUP messages, the error-log line otherwise.
 */
export function formatStartupMessage(m: StartupMessage, pid: number = process.pid, time?: number): string {
  if (m.startup) return m.id ? `${m.id}: ${m.message}` : m.message;
  return formatLogLine({ level: m.level, module: m.module, id: m.id, status: m.status, message: m.message, pid, time });
}

/** The host names the <VirtualHost> sections of a tree name (wherever they stand). */
function* vhostHosts(nodes: readonly ConfigNode[]): Generator<string | undefined> {
  for (const n of nodes) {
    if (n.type !== 'section') continue;
    if (n.name.toLowerCase() === 'virtualhost') {
      for (const a of splitWords(n.args)) {
        const w = parseVhostWord(a, 0);
        if (typeof w !== 'string') yield w.host;
      }
    }
    yield* vhostHosts(n.children);
  }
}
