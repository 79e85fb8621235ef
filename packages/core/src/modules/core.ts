/**
 * The core module's directives (server/core.c): server identity, limits, logging, paths,
 * per-directory options and the section containers. Behaviour lives in other packages;
 * this table validates and stores, with Apache's messages.
 */
import { statSync } from 'node:fs';
import type { ConfigNode, SectionNode } from '@prefork/config-parser';
import { PF } from '../policy.js';
import { atoi, getWordConf, splitWords, strictInt } from '../args.js';
import {
  ACCESS_CONF, EXEC_ON_READ, GLOBAL_ONLY, NOT_IN_DIR_CONTEXT,
  NOT_IN_LIMIT, OR_ALL, OR_AUTHCFG, OR_FILEINFO, OR_LIMIT, OR_OPTIONS, RSRC_CONF,
} from '../constants.js';
import { isLogLevel, LOG_LEVELS, type LogLevelConfig, type LogLevelName } from '../logger.js';
import { ALL_METHODS, type CmdParms, type DirectiveDef, type ModuleDef, type ProcessOptions } from '../module.js';
import { STANDARD_METHODS } from '../methods.js';
import { unclosedSection } from '../invoke.js';
import { parseVhostWord, type VhostWord } from '../vhost-table.js';

export type ServerTokens = 'Prod' | 'Major' | 'Minor' | 'Minimal' | 'OS' | 'Full';

/** core's per-server configuration. Unset fields inherit from the main server. */
export interface CoreServerConfig {
  serverName?: string;
  serverAliases: string[];
  serverAdmin?: string;
  documentRoot?: string;
  /** Timeout in seconds (atoi, as Apache: "abc" is 0). Default 60. */
  timeout?: number;
  serverTokens: ServerTokens;
  limitRequestLine?: number;
  limitRequestFieldSize?: number;
  limitRequestFields?: number;
  httpProtocolOptions: { allow09: boolean; strict: boolean; lenientMethods: boolean };
  errorLog?: string;
  logLevel?: LogLevelConfig;
  pidFile?: string;
  defaultRuntimeDir?: string;
  scoreBoardFile?: string;
  /** Mutex mechanisms by mutex name ('default', 'mpm-accept' …): 'file:/dir', 'flock', 'none' … */
  mutexes: Record<string, string>;
  maxConnectionsPerChild?: number;
  extendedStatus?: boolean;
  traceEnable?: 'on' | 'off' | 'extended';
  acceptFilters: Record<string, string>;
  accessFileNames?: string[];
}

export interface ErrorDocumentEntry {
  status: number;
  /** A local URL, a full URL, a quoted message ("…), or 'default'. */
  value: string;
}

/** core's per-directory configuration (core_dir_config). */
export interface CoreDirConfig {
  /** Options as a set of names; undefined = not set here. */
  options?: string[];
  optionsAdd: string[];
  optionsRemove: string[];
  allowOverride?: string[];
  allowOverrideList?: string[];
  addDefaultCharset?: string | false;
  fileETag?: string[];
  enableSendfile?: boolean;
  enableMMAP?: boolean;
  errorDocuments: ErrorDocumentEntry[];
  limitRequestBody?: number;
  serverSignature?: 'on' | 'off' | 'email';
  hostnameLookups?: 'on' | 'off' | 'double';
  useCanonicalName?: 'on' | 'off' | 'dns';
  setHandler?: string;
  forceType?: string;
  logLevel?: LogLevelConfig;
}

type D = DirectiveDef<CoreServerConfig, CoreDirConfig>;
type Cmd = CmdParms<CoreServerConfig, CoreDirConfig>;

const ENABLE_MSG = "parameter must be 'on' or 'off'";

function nonNegative(name: string, arg: string, suffix = ''): number | string {
  const n = strictInt(arg);
  if (n === undefined) return `${name} "${arg}" must be a non-negative integer${suffix}`;
  return n;
}

/** Splits a section's raw arguments, as the section handlers do. */
function sectionArgs(cmd: Cmd, raw: string): string[] | string {
  const words = splitWords(raw);
  if (words.length === 0 || words[0] === '') return `<${cmd.node.name}> directive requires additional arguments`;
  return words;
}

/** The help texts `apache2 -L` shows for the path sections. */
const SECTION_HELP: Record<string, string> = {
  Directory: 'Container for directives affecting resources located in the specified directories',
  Location: 'Container for directives affecting resources accessed through the specified URL paths',
  Files: 'Container for directives affecting files matching specified patterns',
};

function dirLike(kind: 'Directory' | 'DirectoryMatch' | 'Location' | 'LocationMatch' | 'Files' | 'FilesMatch'): D {
  const isMatch = kind.endsWith('Match');
  const base = kind.replace('Match', '');
  return {
    name: `<${kind}`,
    arity: 'RAW_ARGS',
    context: base === 'Files' ? OR_ALL : RSRC_CONF,
    help: SECTION_HELP[base],
    set: (cmd, raw) => {
      const err = cmd.checkContext(base === 'Files' ? NOT_IN_LIMIT : NOT_IN_DIR_CONTEXT) ?? unclosedSection(cmd);
      if (err) return err;
      const args = sectionArgs(cmd, raw);
      if (typeof args === 'string') return args;
      let regex = isMatch;
      let path = args[0];
      let rest = args.slice(1);
      if (!isMatch && path === '~') {
        regex = true;
        if (rest.length === 0) return base === 'Directory' ? '<Directory ~ > block must specify a path' : 'Regex could not be compiled';
        path = rest[0];
        rest = rest.slice(1);
      }
      if (regex) {
        try {
          new RegExp(path);
        } catch {
          return 'Regex could not be compiled';
        }
      } else if (base === 'Directory' && path !== '/') {
        path = cmd.serverRootRelative(path);
        if (!path.endsWith('/')) path += '/';
      }
      // The section is walked first: an error inside it is the one reported.
      const inner = cmd.walkSection({ kind, args, path, regex, override: OR_ALL | ACCESS_CONF });
      if (inner) return inner;
      if (rest.length > 0) return `Multiple <${kind}> arguments not (yet) supported.`;
      return undefined;
    },
  };
}

/** Directives that decide access: inside <If> they would be skipped, and a skipped denial is an open door. */
const ACCESS_DIRECTIVES = new Set(['require', 'requireall', 'requireany', 'requirenone', 'authmerging', 'order', 'allow', 'deny', 'satisfy']);

/** The first access directive among a section's children (nested sections included). */
function accessDirectiveIn(nodes: readonly ConfigNode[]): ConfigNode | undefined {
  for (const n of nodes) {
    if (ACCESS_DIRECTIVES.has(n.name.toLowerCase())) return n;
    if (n.type === 'section') {
      const inner = accessDirectiveIn(n.children);
      if (inner) return inner;
    }
  }
  return undefined;
}

/** The <If> sections that have warned (one warning each, whatever the load). */
const ifWarned = new WeakSet<object>();

function ifLike(kind: 'If' | 'ElseIf' | 'Else'): D {
  return {
    name: `<${kind}`,
    arity: 'RAW_ARGS',
    context: OR_ALL,
    help: 'Container for directives to be conditionally applied',
    set: (cmd, raw) => {
      const err = cmd.checkContext(NOT_IN_LIMIT) ?? unclosedSection(cmd);
      if (err) return err;
      const expr = raw.trim();
      if (kind === 'Else' && expr !== '') return '<Else> does not take an argument';
      if (kind !== 'Else' && expr === '') return `<${kind}> directive requires additional arguments`;
      // ap_expr is not evaluated here: access rules inside would never be applied, so they stop
      // startup; anything else inside is accepted and never applies (warned once per section).
      const node = cmd.node as SectionNode;
      const access = accessDirectiveIn(node.children ?? []);
      if (access) {
        return `${access.name} inside <${kind}> (line ${access.loc.line} of ${access.loc.file}): not supported by this server; <${kind}> expressions are not evaluated and access rules must never be skipped, so the server refuses to start`;
      }
      if ((node.children ?? []).length > 0 && !ifWarned.has(node)) {
        ifWarned.add(node);
        cmd.log({
          level: 'warn', module: 'core', id: PF.EXPR_NOT_EVALUATED,
          message: `<${kind}> (on line ${node.loc.line} of ${node.loc.file}): expressions are not evaluated by this server; the directives inside never apply`,
        });
      }
      return cmd.walkSection({ kind, args: expr ? [expr] : [], path: expr, regex: false, override: OR_ALL | ACCESS_CONF });
    },
  };
}

const M_TRACE = STANDARD_METHODS.indexOf('TRACE');

function limitLike(kind: 'Limit' | 'LimitExcept'): D {
  return {
    name: `<${kind}`,
    arity: 'RAW_ARGS',
    context: OR_LIMIT | OR_AUTHCFG,
    help:
      kind === 'Limit'
        ? 'Container for authentication directives when accessed using specified HTTP methods'
        : 'Container for authentication directives to be applied when any HTTP method other than those specified is used to access the resource',
    set: (cmd, raw) => {
      const unclosed = unclosedSection(cmd);
      if (unclosed) return unclosed;
      const methods = splitWords(raw);
      if (methods.length === 0) return `<${kind}> directive requires additional arguments`;
      // ap_limit_section: a bit per method; a method not known yet is registered.
      let mask = 0n;
      for (const m of methods) {
        const n = cmd.methodNumber(m);
        if (n === M_TRACE && kind === 'Limit') return 'TRACE cannot be controlled by <Limit>, see TraceEnable';
        mask |= 1n << BigInt(n ?? cmd.methodNumber(m, true)!);
      }
      if (kind === 'LimitExcept') mask = ~mask & ALL_METHODS;
      const old = cmd.methodMask;
      if ((old & mask) === 0n) return `<${kind}> directive excludes all methods`;
      if ((old & mask) === old) return `<${kind}> directive specifies methods already excluded`;
      return cmd.walkSection({ kind, args: methods, path: cmd.path ?? '', regex: false, override: cmd.override, methodMask: old & mask, sameSection: true });
    },
  };
}

/** Parses `LogLevel` words into a LogLevelConfig (ITERATE: one word at a time). */
function applyLogLevel(cfg: LogLevelConfig, word: string): string | undefined {
  const levelsText = `one of ${LOG_LEVELS.join('/')}`;
  const colon = word.indexOf(':');
  if (colon < 0) {
    const lvl = word.toLowerCase();
    if (!isLogLevel(lvl)) return `LogLevel requires level keyword: ${levelsText}`;
    cfg.level = lvl;
    cfg.modules = {};
    return undefined;
  }
  const mod = word.slice(0, colon);
  const lvl = word.slice(colon + 1).toLowerCase();
  if (lvl === '') return `Module specifier '${mod}' must be followed by a log level keyword`;
  if (!isLogLevel(lvl)) return `${mod}:${lvl}: LogLevel requires level keyword: ${levelsText}`;
  cfg.modules[mod.replace(/_module$/, '').replace(/^mod_/, '').replace(/\.c$/, '')] = lvl as LogLevelName;
  return undefined;
}

/** The digits after the last ':' of a ServerName value (`[scheme://]host[:port]`), or undefined. */
function serverNamePortText(value: string): string | undefined {
  const hostPort = value.includes('://') ? value.slice(value.indexOf('://') + 3) : value;
  return /:(\d*)$/.exec(hostPort.replace(/^\[[^\]]*\]/, ''))?.[1];
}

/** The port a ServerName value gives, 0 when none. */
function serverNamePort(value: string | undefined): number {
  return Number(value === undefined ? 0 : serverNamePortText(value) || 0);
}

/** The loads (by their options) that have warned about NameVirtualHost. */
const nameVirtualHostWarned = new WeakSet<ProcessOptions>();

const OPTIONS = ['Indexes', 'Includes', 'IncludesNOEXEC', 'FollowSymLinks', 'SymLinksIfOwnerMatch', 'ExecCGI', 'MultiViews', 'RunScripts'];
const OVERRIDES = ['Limit', 'Options', 'FileInfo', 'AuthConfig', 'Indexes', 'Nonfatal', 'None', 'All'];

const directives: D[] = [
  dirLike('Directory'), dirLike('DirectoryMatch'), dirLike('Location'), dirLike('LocationMatch'),
  dirLike('Files'), dirLike('FilesMatch'), ifLike('If'), ifLike('ElseIf'), ifLike('Else'),
  limitLike('Limit'), limitLike('LimitExcept'),
  {
    name: '<VirtualHost', arity: 'RAW_ARGS', context: RSRC_CONF,
    help: 'Container to map directives to a particular virtual host, takes one or more host addresses',
    set: (cmd, raw) => {
      const err = cmd.checkContext(GLOBAL_ONLY) ?? unclosedSection(cmd);
      if (err) return err;
      const args = sectionArgs(cmd, raw);
      if (typeof args === 'string') return args;
      // Without a port of its own an address takes the main server's, as ServerName gave it
      // so far (0: any port).
      const words: VhostWord[] = [];
      const defaultPort = serverNamePort(cmd.serverConfig.serverName);
      for (const a of args) {
        const w = parseVhostWord(a, defaultPort);
        if (typeof w === 'string') return w;
        words.push(w);
      }
      return cmd.walkVirtualHost(args, words);
    },
  },
  {
    name: 'ServerName', arity: 'TAKE1', context: RSRC_CONF, help: 'The hostname and port of the server',
    set: (cmd, arg) => {
      const err = cmd.checkContext(NOT_IN_DIR_CONTEXT);
      if (err) return err;
      if (/[\s]/.test(arg)) return `Invalid ServerName "${arg}" use ServerAlias to set multiple server names.`;
      const text = serverNamePortText(arg);
      if (text) {
        const port = Number(text);
        if (port < 1 || port > 65535) {
          return `The port number "${arg}" is outside the appropriate range (i.e., 1..65535).`;
        }
      }
      cmd.serverConfig.serverName = arg;
      return undefined;
    },
  },
  {
    // Without effect since 2.3.11; the warning comes once (Apache: once per process).
    name: 'NameVirtualHost', arity: 'TAKE1', context: RSRC_CONF,
    help: 'A numeric IP address:port, or the name of a host',
    set: (cmd) => {
      if (nameVirtualHostWarned.has(cmd.options)) return undefined;
      nameVirtualHostWarned.add(cmd.options);
      cmd.log({
        level: 'notice', module: 'core', id: 'AH00548', startup: true,
        message: `NameVirtualHost has no effect and will be removed in the next release ${cmd.node.loc.file}:${cmd.node.loc.line}`,
      });
      return undefined;
    },
  },
  {
    name: 'ServerAlias', arity: 'RAW_ARGS', context: RSRC_CONF, help: 'A name or names alternately used to access the server',
    set: (cmd, raw) => {
      if (!cmd.server.isVirtual) return 'ServerAlias only used in <VirtualHost>';
      cmd.serverConfig.serverAliases.push(...splitWords(raw));
      return undefined;
    },
  },
  {
    name: 'ServerAdmin', arity: 'TAKE1', context: RSRC_CONF, help: 'The email address of the server administrator',
    set: (cmd, arg) => {
      const err = cmd.checkContext(NOT_IN_DIR_CONTEXT);
      if (err) return err;
      cmd.serverConfig.serverAdmin = arg;
      return undefined;
    },
  },
  {
    name: 'ServerRoot', arity: 'TAKE1', context: RSRC_CONF | EXEC_ON_READ,
    help: 'Common directory of server-related files (logs, confs, etc.)',
    set: (cmd, arg) => {
      const err = cmd.checkContext(GLOBAL_ONLY);
      if (err) return err;
      if (!isDirectory(arg)) return 'ServerRoot must be a valid directory';
      return undefined;
    },
  },
  {
    name: 'DocumentRoot', arity: 'TAKE1', context: RSRC_CONF, help: 'Root directory of the document tree',
    set: (cmd, arg) => {
      const err = cmd.checkContext(NOT_IN_DIR_CONTEXT);
      if (err) return err;
      const full = cmd.serverRootRelative(arg);
      if (cmd.options.skipDocumentRootCheck) {
        cmd.serverConfig.documentRoot = arg;
        return undefined;
      }
      if (!isDirectory(full)) {
        if (cmd.server.isVirtual) {
          cmd.log({ level: 'warn', module: 'core', id: 'AH00112', startup: true, message: `Warning: DocumentRoot [${full}] does not exist` });
        } else {
          return `DocumentRoot '${full}' is not a directory, or is not readable`;
        }
      }
      cmd.serverConfig.documentRoot = full.length > 1 ? full.replace(/\/+$/, '') : full;
      return undefined;
    },
  },
  {
    name: 'ServerTokens', arity: 'TAKE1', context: RSRC_CONF,
    help: 'Determine tokens displayed in the Server: header - Min(imal), Major, Minor, Prod(uctOnly), OS, or Full',
    set: (cmd, arg) => {
      const err = cmd.checkContext(GLOBAL_ONLY);
      if (err) return err;
      const map: Record<string, ServerTokens> = {
        os: 'OS', min: 'Minimal', minimal: 'Minimal', major: 'Major', minor: 'Minor', prod: 'Prod', productonly: 'Prod', full: 'Full',
      };
      const v = map[arg.toLowerCase()];
      if (!v) return "ServerTokens takes 1 argument: 'Prod(uctOnly)', 'Major', 'Minor', 'Min(imal)', 'OS', or 'Full'";
      cmd.serverConfig.serverTokens = v;
      return undefined;
    },
  },
  {
    name: 'ServerSignature', arity: 'TAKE1', context: OR_ALL, help: 'En-/disable server signature (on|off|email)',
    set: (cmd, arg) => {
      const v = arg.toLowerCase();
      if (v !== 'on' && v !== 'off' && v !== 'email') return 'ServerSignature: use one of: off | on | email';
      cmd.dirConfig.serverSignature = v;
      return undefined;
    },
  },
  {
    name: 'Timeout', arity: 'TAKE1', context: RSRC_CONF, help: 'Timeout duration (sec)',
    set: (cmd, arg) => {
      const err = cmd.checkContext(NOT_IN_DIR_CONTEXT);
      if (err) return err;
      // Apache reads it with atoi: "abc" is 0 and "-5" is -5, both accepted.
      cmd.serverConfig.timeout = atoi(arg);
      return undefined;
    },
  },
  ...(['LimitRequestLine', 'LimitRequestFieldsize', 'LimitRequestFields'] as const).map((name): D => ({
    name, arity: 'TAKE1', context: RSRC_CONF,
    help: name === 'LimitRequestLine' ? 'Limit on maximum size of an HTTP request line'
      : name === 'LimitRequestFieldsize' ? 'Limit on maximum size of an HTTP request header field'
      : 'Limit (0 = unlimited) on max number of header fields in a request message',
    set: (cmd, arg) => {
      const err = cmd.checkContext(NOT_IN_DIR_CONTEXT);
      if (err) return err;
      const n = nonNegative(name, arg, name === 'LimitRequestFields' ? ' (0 = no limit)' : '');
      if (typeof n === 'string') return n;
      if (name === 'LimitRequestLine') cmd.serverConfig.limitRequestLine = n;
      else if (name === 'LimitRequestFieldsize') cmd.serverConfig.limitRequestFieldSize = n;
      else cmd.serverConfig.limitRequestFields = n;
      return undefined;
    },
  })),
  {
    name: 'LimitRequestBody', arity: 'TAKE1', context: OR_ALL, help: 'Limit (in bytes) on maximum size of request message body',
    set: (cmd, arg) => {
      if (!/^\s*[+-]?\d+\s*$/.test(arg)) return 'LimitRequestBody argument is not parsable.';
      const n = Number(arg);
      if (n < 0 || !Number.isSafeInteger(n)) return 'LimitRequestBody requires a non-negative integer.';
      cmd.dirConfig.limitRequestBody = n;
      return undefined;
    },
  },
  {
    name: 'HttpProtocolOptions', arity: 'ITERATE', context: RSRC_CONF,
    help: "'Allow0.9' or 'Require1.0' (default); 'RegisteredMethods' or 'LenientMethods' (default); 'Unsafe' or 'Strict' (default). Sets HTTP acceptance rules",
    set: (cmd, arg) => {
      const o = cmd.serverConfig.httpProtocolOptions;
      const v = arg.toLowerCase();
      if (v === 'allow0.9') o.allow09 = true;
      else if (v === 'require1.0') o.allow09 = false;
      else if (v === 'strict') o.strict = true;
      else if (v === 'unsafe') o.strict = false;
      else if (v === 'registeredmethods') o.lenientMethods = false;
      else if (v === 'lenientmethods') o.lenientMethods = true;
      else {
        return "HttpProtocolOptions accepts 'Unsafe' or 'Strict' (default), 'RegisteredMethods' or 'LenientMethods' (default), and 'Require1.0' or 'Allow0.9' (default)";
      }
      return undefined;
    },
  },
  {
    name: 'ErrorLog', arity: 'TAKE1', context: RSRC_CONF, help: 'The filename of the error log',
    set: (cmd, a) => {
      const err = cmd.checkContext(NOT_IN_DIR_CONTEXT);
      if (err) return err;
      cmd.serverConfig.errorLog = a;
      return undefined;
    },
  },
  {
    name: 'LogLevel', arity: 'ITERATE', context: RSRC_CONF | ACCESS_CONF, help: 'Level of verbosity in error logging',
    set: (cmd, word) => {
      const err = cmd.checkContext(NOT_IN_LIMIT);
      if (err) return err;
      if (cmd.path === undefined) {
        cmd.serverConfig.logLevel ??= { level: 'warn', modules: {} };
        return applyLogLevel(cmd.serverConfig.logLevel, word);
      }
      cmd.dirConfig.logLevel ??= { level: 'warn', modules: {} };
      return applyLogLevel(cmd.dirConfig.logLevel, word);
    },
  },
  ...(['PidFile', 'DefaultRuntimeDir', 'ScoreBoardFile'] as const).map((name): D => ({
    name, arity: 'TAKE1', context: name === 'DefaultRuntimeDir' ? RSRC_CONF | EXEC_ON_READ : RSRC_CONF,
    help: name === 'PidFile' ? 'A file for logging the server process ID'
      : name === 'ScoreBoardFile' ? 'A file for Apache to maintain runtime process management information'
      : 'Common directory for run-time files (shared memory, locks, etc.)',
    set: (cmd, arg) => {
      const err = cmd.checkContext(GLOBAL_ONLY);
      if (err) return err;
      const full = cmd.serverRootRelative(arg);
      // The read pass already refused a DefaultRuntimeDir that is not a directory (EXEC_ON_READ).
      if (name === 'PidFile') cmd.serverConfig.pidFile = full;
      else if (name === 'ScoreBoardFile') cmd.serverConfig.scoreBoardFile = full;
      else cmd.serverConfig.defaultRuntimeDir = full;
      return undefined;
    },
  })),
  ...(['MaxConnectionsPerChild', 'MaxRequestsPerChild'] as const).map((name): D => ({
    name, arity: 'TAKE1', context: RSRC_CONF,
    help: name === 'MaxConnectionsPerChild'
      ? 'Maximum number of connections a particular child serves before dying.'
      : 'Maximum number of connections a particular child serves before dying. (DEPRECATED, use MaxConnectionsPerChild)',
    set: (cmd, arg) => {
      const err = cmd.checkContext(GLOBAL_ONLY);
      if (err) return err;
      if (name === 'MaxRequestsPerChild') {
        cmd.log({ level: 'info', module: 'core', id: 'AH00545', message: 'MaxRequestsPerChild is deprecated, use MaxConnectionsPerChild instead.' });
      }
      cmd.serverConfig.maxConnectionsPerChild = atoi(arg);
      return undefined;
    },
  })),
  {
    name: 'Mutex', arity: 'RAW_ARGS', context: RSRC_CONF, help: 'mutex (or "default") and mechanism',
    set: (cmd, raw) => {
      const err = cmd.checkContext(GLOBAL_ONLY);
      if (err) return err;
      // Mutex mechanism[:dir] [name|default …]
      const mech = getWordConf(raw);
      if (mech.word === '') return 'Mutex requires at least a mechanism argument';
      const mechs = ['default', 'none', 'flock', 'fcntl', 'posixsem', 'sysvsem', 'pthread', 'file'];
      const kind = mech.word.toLowerCase().split(':')[0];
      if (!mechs.includes(kind)) {
        return `Invalid Mutex argument ${mech.word} (Mutex mechanisms are: default, none, flock, fcntl, posixsem, sysvsem, pthread, file:/path)`;
      }
      const names = splitWords(mech.rest);
      for (const name of names.length > 0 ? names : ['default']) cmd.serverConfig.mutexes[name.toLowerCase()] = mech.word;
      return undefined;
    },
  },
  {
    name: 'AddDefaultCharset', arity: 'TAKE1', context: OR_FILEINFO,
    help: "The name of the default charset to add to any Content-Type without one or 'Off' to disable",
    set: (cmd, arg) => {
      const v = arg.toLowerCase();
      cmd.dirConfig.addDefaultCharset = v === 'off' ? false : v === 'on' ? 'iso-8859-1' : arg;
      return undefined;
    },
  },
  {
    name: 'FileETag', arity: 'RAW_ARGS', context: OR_FILEINFO, help: "Specify components used to construct a file's ETag",
    set: (cmd, raw) => {
      const words = splitWords(raw);
      const known = ['none', 'all', 'size', 'lmtime', 'mtime', 'lastmodified', 'inode', 'digest'];
      for (const w of words) {
        const sign = w[0] === '+' || w[0] === '-' ? w[0] : '';
        const token = w.slice(sign.length);
        if (!known.includes(token.toLowerCase())) return `Unknown keyword '${token}' for FileETag directive`;
        if (sign && ['none', 'all'].includes(token.toLowerCase())) return `FileETag keyword '${token}' cannot be used with '+' or '-'`;
      }
      cmd.dirConfig.fileETag = words;
      return undefined;
    },
  },
  ...(['EnableSendfile', 'EnableMMAP'] as const).map((name): D => ({
    name, arity: 'TAKE1', context: OR_FILEINFO,
    help: name === 'EnableSendfile' ? 'Controls whether sendfile may be used to transmit files' : 'Controls whether memory-mapping may be used to read files',
    set: (cmd, arg) => {
      const v = arg.toLowerCase();
      if (v !== 'on' && v !== 'off') return ENABLE_MSG;
      if (name === 'EnableSendfile') cmd.dirConfig.enableSendfile = v === 'on';
      else cmd.dirConfig.enableMMAP = v === 'on';
      return undefined;
    },
  })),
  {
    name: 'HostnameLookups', arity: 'TAKE1', context: ACCESS_CONF | RSRC_CONF,
    help: '"on" to enable, "off" to disable reverse DNS lookups, or "double" to enable double-reverse DNS lookups',
    set: (cmd, arg) => {
      const v = arg.toLowerCase();
      if (v !== 'on' && v !== 'off' && v !== 'double') return "parameter must be 'on', 'off', or 'double'";
      cmd.dirConfig.hostnameLookups = v;
      return undefined;
    },
  },
  {
    name: 'UseCanonicalName', arity: 'TAKE1', context: RSRC_CONF | ACCESS_CONF,
    help: 'How to work out the ServerName : Port when constructing URLs',
    set: (cmd, arg) => {
      const v = arg.toLowerCase();
      if (v !== 'on' && v !== 'off' && v !== 'dns') return "parameter must be 'on', 'off', or 'dns'";
      cmd.dirConfig.useCanonicalName = v;
      return undefined;
    },
  },
  {
    name: 'TraceEnable', arity: 'TAKE1', context: RSRC_CONF,
    help: "'on' (default), 'off' or 'extended' to trace request body content",
    set: (cmd, arg) => {
      const err = cmd.checkContext(NOT_IN_DIR_CONTEXT);
      if (err) return err;
      const v = arg.toLowerCase();
      if (v !== 'on' && v !== 'off' && v !== 'extended') return "TraceEnable must be one of 'on', 'off', or 'extended'";
      cmd.serverConfig.traceEnable = v;
      return undefined;
    },
  },
  {
    name: 'ErrorDocument', arity: 'TAKE2', context: OR_FILEINFO, help: 'Change responses for HTTP errors',
    set: (cmd, code, msg) => {
      const status = strictInt(code);
      if (status === undefined || status < 100 || status > 599 || (status >= 200 && status < 300 && status !== 200)) {
        return `Unsupported HTTP response code ${code}`;
      }
      if (status === 401 && /^[a-z][a-z0-9+.-]*:\/\//i.test(msg)) {
        cmd.log({ level: 'warn', module: 'core', message: `${cmd.node.loc.file}:${cmd.node.loc.line} cannot use a full URL in a 401 ErrorDocument directive --- ignoring!` });
        return undefined;
      }
      cmd.dirConfig.errorDocuments.push({ status, value: msg });
      return undefined;
    },
  },
  {
    name: 'Options', arity: 'RAW_ARGS', context: OR_OPTIONS, help: 'Set a number of attributes for a given directory',
    set: (cmd, raw) => {
      const words = splitWords(raw);
      const signed = words.map((w) => w[0] === '+' || w[0] === '-');
      if (signed.some((s) => s) && signed.some((s) => !s)) return 'Either all Options must start with + or -, or no Option may.';
      const set: string[] = [];
      const add: string[] = [];
      const remove: string[] = [];
      for (let i = 0; i < words.length; i++) {
        const w = words[i];
        const sign = signed[i] ? w[0] : '';
        const name = w.slice(sign.length);
        const lower = name.toLowerCase();
        if (lower === 'none' || lower === 'all') {
          if (sign) return lower === 'none' ? "You may not use 'Options +None' or 'Options -None'." : "You may not use 'Options +All' or 'Options -All'.";
          if (i > 0) return lower === 'none' ? "'Options None' must be the first Option given." : "'Options All' must be the first option given.";
          if (lower === 'all') set.push('All');
          continue;
        }
        const canonical = OPTIONS.find((o) => o.toLowerCase() === lower);
        if (!canonical) return `Illegal option ${name}`;
        (sign === '+' ? add : sign === '-' ? remove : set).push(canonical);
      }
      if (signed.some((s) => s)) {
        cmd.dirConfig.optionsAdd.push(...add);
        cmd.dirConfig.optionsRemove.push(...remove);
      } else {
        cmd.dirConfig.options = set;
        cmd.dirConfig.optionsAdd = [];
        cmd.dirConfig.optionsRemove = [];
      }
      return undefined;
    },
  },
  {
    name: 'AllowOverride', arity: 'RAW_ARGS', context: ACCESS_CONF,
    help: 'Controls what groups of directives can be configured by per-directory config files',
    set: (cmd, raw) => {
      if (cmd.path === undefined || cmd.parents.some((p) => /^(location|files)/i.test(p.name))) {
        // Apache ignores it outside <Directory> with a warning (AH00114).
        const where = cmd.node.loc;
        cmd.log({ level: 'warn', module: 'core', id: 'AH00114', message: `Useless use of AllowOverride in line ${where.line} of ${where.file}.` });
        return undefined;
      }
      const err = cmd.checkContext(NOT_IN_LIMIT);
      if (err) return err;
      const words = splitWords(raw);
      for (const w of words) {
        const [k] = w.split('=');
        if (!OVERRIDES.some((o) => o.toLowerCase() === k.toLowerCase())) return `Illegal override option ${w}`;
      }
      cmd.dirConfig.allowOverride = words;
      return undefined;
    },
  },
  {
    name: 'AllowOverrideList', arity: 'TAKE_ARGV', context: ACCESS_CONF,
    help: 'Controls what individual directives can be configured by per-directory config files',
    set: (cmd, argv) => {
      cmd.dirConfig.allowOverrideList = argv.length === 1 && argv[0].toLowerCase() === 'none' ? [] : argv;
      return undefined;
    },
  },
  {
    name: 'AcceptFilter', arity: 'TAKE2', context: RSRC_CONF, help: 'Set the Accept Filter to use for a protocol',
    set: (cmd, proto, filter) => {
      const err = cmd.checkContext(GLOBAL_ONLY);
      if (err) return err;
      cmd.serverConfig.acceptFilters[proto.toLowerCase()] = filter;
      return undefined;
    },
  },
  {
    name: 'AccessFileName', arity: 'RAW_ARGS', context: RSRC_CONF, help: 'Name(s) of per-directory config files (default: .htaccess)',
    set: (cmd, raw) => {
      const err = cmd.checkContext(NOT_IN_DIR_CONTEXT);
      if (err) return err;
      cmd.serverConfig.accessFileNames = splitWords(raw);
      return undefined;
    },
  },
  {
    name: 'ExtendedStatus', arity: 'FLAG', context: RSRC_CONF,
    help: '"On" to track extended status information, "Off" to disable',
    set: (cmd, on) => {
      const err = cmd.checkContext(GLOBAL_ONLY);
      if (err) return err;
      cmd.serverConfig.extendedStatus = on;
      return undefined;
    },
  },
  {
    name: 'SetHandler', arity: 'TAKE1', context: OR_FILEINFO, help: 'a handler name that overrides any other configured handler',
    set: (cmd, arg) => {
      cmd.dirConfig.setHandler = arg.toLowerCase() === 'none' ? 'none' : arg.toLowerCase();
      return undefined;
    },
  },
  {
    name: 'ForceType', arity: 'TAKE1', context: OR_FILEINFO, help: 'a mime type that overrides other configured type',
    set: (cmd, arg) => {
      cmd.dirConfig.forceType = arg.toLowerCase();
      return undefined;
    },
  },
];

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function mergeDefined<T extends object>(base: T, add: T): T {
  const out = { ...base } as Record<string, unknown>;
  for (const [k, v] of Object.entries(add)) if (v !== undefined) out[k] = v;
  return out as T;
}

/** The core module ('core', core.c). */
export const coreModule: ModuleDef<CoreServerConfig, CoreDirConfig> = {
  name: 'core',
  sourceFile: 'core.c',
  directives,
  createServerConfig: () => ({
    serverAliases: [],
    serverTokens: 'Full',
    httpProtocolOptions: { allow09: true, strict: true, lenientMethods: true },
    mutexes: {},
    acceptFilters: {},
  }),
  mergeServerConfig: (base, add) => ({
    ...mergeDefined(base, add),
    serverAliases: add.serverAliases,
    // Server-wide only (GLOBAL_ONLY or set once): a vhost always sees the main server's.
    serverTokens: base.serverTokens,
    httpProtocolOptions: add.httpProtocolOptions,
    mutexes: base.mutexes,
    acceptFilters: base.acceptFilters,
  }),
  createDirConfig: () => ({ optionsAdd: [], optionsRemove: [], errorDocuments: [] }),
  mergeDirConfig: (base, add) => {
    const out = mergeDefined(base, add);
    if (add.options === undefined) {
      out.optionsAdd = [...base.optionsAdd, ...add.optionsAdd];
      out.optionsRemove = [...base.optionsRemove, ...add.optionsRemove];
    }
    out.errorDocuments = [...base.errorDocuments.filter((e) => !add.errorDocuments.some((a) => a.status === e.status)), ...add.errorDocuments];
    return out;
  },
};
