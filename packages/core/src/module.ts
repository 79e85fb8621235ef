/**
 * The shape of a module, as Apache's `module` struct has it: a name, a directive table,
 * config constructors with their merges, and hook registration.
 */
import type { DirectiveNode, SectionNode, SourceLocation } from '@prefork/config-parser';
import type { Arity } from './constants.js';
import type { HookRegistry } from './hooks.js';
import type { LogLevelName } from './logger.js';
import type { VhostAddr, VhostWord } from './vhost-table.js';

/** A message produced while configuring (Apache's ap_log_error during startup). */
export interface StartupMessage {
  level: LogLevelName;
  /** The module it is logged for ('core', 'so', 'mpm_prefork' …). */
  module: string;
  /** AH id ('AH01574') or our own ('PF00001'); absent for unnumbered lines. */
  id?: string;
  message: string;
  /** Where the directive that caused it stands. */
  loc?: SourceLocation;
  /** An error status before the id, as `(EAI 2)Name or service not known`. */
  status?: string;
  /**
   * APLOG_STARTUP: printed to stderr as `ID: message`, without the timestamped prefix
   * (the long "WARNING: …" forms of prefork's clamps).
   */
  startup?: boolean;
  /** 'read' for what the read pass said (undefined variables, Include warnings …). */
  pass?: 'read';
}

/** A per-directory section kept in order with its parsed arguments. */
export interface DirSection {
  /** 'Directory', 'DirectoryMatch', 'Files', 'FilesMatch', 'Location', 'LocationMatch', 'If' … */
  kind: string;
  /** The section's arguments as split (e.g. ['~', '^/x'] or ['/var/www']). */
  args: string[];
  /** The path or pattern the section applies to (after `~` handling), '' for <If>. */
  path: string;
  /** True for the *Match forms and `~`. */
  regex: boolean;
  loc: SourceLocation;
  /** Each module's per-dir config for this section, by module name. */
  config: Map<string, unknown>;
  /** Sections nested inside this one (<Files> inside <Directory>), in order. */
  sections: DirSection[];
}

/** A server: the main one or a <VirtualHost>. */
export interface ServerRec {
  isVirtual: boolean;
  /** <VirtualHost> addresses as written; empty for the main server. */
  addresses: string[];
  /** The same, parsed (vhost.c get_addresses); set by the <VirtualHost> section. */
  vhostWords?: VhostWord[];
  /** Their socket addresses, names resolved (AH00547 for one that does not); set by loadServerConfig. */
  addrs?: VhostAddr[];
  /**
   * Apache's server_hostname: ServerName's host, or the name derived when this server has none
   * (see nameServers); set by loadServerConfig once the configuration is processed.
   */
  hostname?: string;
  loc?: SourceLocation;
  /** Each module's server config, by module name (merged with the main server's for vhosts). */
  config: Map<string, unknown>;
  /** Each module's per-dir defaults for this server (lookup_defaults). */
  dirDefaults: Map<string, unknown>;
  /** <Directory>/<DirectoryMatch> sections in order. */
  directories: DirSection[];
  /** <Location>/<LocationMatch> sections in order. */
  locations: DirSection[];
  /** <Files>/<FilesMatch> sections at server level, in order. */
  files: DirSection[];
  /** <If>/<ElseIf>/<Else> at server level, in order. */
  ifs: DirSection[];
}

/** What a setter sees (Apache's cmd_parms). */
export interface CmdParms<S = unknown, D = unknown> {
  /** The name as the table declares it (cmd->cmd->name). */
  name: string;
  node: DirectiveNode | SectionNode;
  server: ServerRec;
  /** This module's server config for the server being configured. */
  serverConfig: S;
  /** This module's per-dir config for the enclosing section (or the server's defaults). */
  dirConfig: D;
  /** The per-dir path of the enclosing section; undefined at server level. */
  path: string | undefined;
  /** The enclosing sections, outermost first (what find_parent walks). */
  parents: SectionNode[];
  /** Override bits in force (RSRC_CONF, ACCESS_CONF, OR_*). */
  override: number;
  /**
   * The methods in force, a bit per method number: cmd->limited. {@link ALL_METHODS} outside
   * <Limit>/<LimitExcept>, anything narrower inside one.
   */
  methodMask: bigint;
  /**
   * ap_method_number_of: the number of a method (HEAD is GET's), from the standard ones and those
   * registered so far in this load; with `register`, an unknown one is registered (ap_method_register).
   */
  methodNumber(name: string, register?: boolean): number | undefined;
  /** ServerRoot in force. */
  serverRoot: string;
  /** Resolve a path against ServerRoot (ap_server_root_relative). */
  serverRootRelative(path: string): string;
  /** ap_check_cmd_context: an error message when the directive is in a forbidden place. */
  checkContext(forbidden: number): string | undefined;
  /** Log a startup message for this directive. */
  log(msg: Omit<StartupMessage, 'loc'>): void;
  /** Walk a section's children in a new per-dir context (the section handlers use it). */
  walkSection(section: DirSectionInit): string | undefined;
  /** Walk a <VirtualHost>'s children against a new server. */
  walkVirtualHost(addresses: string[], words?: VhostWord[]): string | undefined;
  /** Options of this load (test-only run, DocumentRoot check …). */
  options: ProcessOptions;
  /** Whether a module is loaded, and whether we implement it. */
  moduleState(name: string): 'implemented' | 'warn-accept' | 'fail-closed' | undefined;
}

/** Every method: cmd->limited outside <Limit> (a 64-bit mask, as AP_METHOD_BIT's). */
export const ALL_METHODS = (1n << 64n) - 1n;

/** How a section handler asks for its children to be walked. */
export interface DirSectionInit {
  kind: string;
  args: string[];
  path: string;
  regex: boolean;
  /** Override bits for the children (ACCESS_CONF | OR_ALL for <Directory>). */
  override: number;
  /** The methods in force for the children (<Limit>, <LimitExcept>). */
  methodMask?: bigint;
  /** Children join the enclosing section instead of a new one (<Limit>). */
  sameSection?: boolean;
}

export interface ProcessOptions {
  /** -T: skip the DocumentRoot existence check. */
  skipDocumentRootCheck?: boolean;
}

type Setter<S, D, A extends unknown[]> = (cmd: CmdParms<S, D>, ...args: A) => string | undefined;

/** The setter's arguments for each arity, as invoke_cmd splits them. */
export interface ArityArgs {
  RAW_ARGS: [raw: string];
  TAKE_ARGV: [argv: string[]];
  NO_ARGS: [];
  TAKE1: [arg: string];
  TAKE2: [a: string, b: string];
  TAKE12: [a: string, b: string | undefined];
  TAKE3: [a: string, b: string, c: string];
  TAKE23: [a: string, b: string, c: string | undefined];
  TAKE123: [a: string, b: string | undefined, c: string | undefined];
  TAKE13: [a: string, b: string | undefined, c: string | undefined];
  ITERATE: [arg: string];
  ITERATE2: [first: string, arg: string];
  FLAG: [on: boolean];
}

/** One row of a directive table (command_rec). */
export type DirectiveDef<S = unknown, D = unknown> = {
  [A in Arity]: {
    /** As Apache spells it; sections start with `<` ('<Directory'). */
    name: string;
    arity: A;
    /** req_override: RSRC_CONF, ACCESS_CONF, OR_* bits, EXEC_ON_READ. */
    context: number;
    /** The help text Apache appends to arity errors (cmd->errmsg). */
    help: string;
    set: Setter<S, D, ArityArgs[A]>;
  };
}[Arity];

/** A module (Apache's `module` struct). */
export interface ModuleDef<S = unknown, D = unknown> {
  /** Apache's module name: 'status_module'. */
  name: string;
  /** Apache's source file name, for <IfModule mod_status.c>: 'mod_status.c'. */
  sourceFile: string;
  directives?: readonly DirectiveDef<S, D>[];
  createServerConfig?(server: ServerRec): S;
  mergeServerConfig?(base: S, add: S): S;
  createDirConfig?(path: string | undefined): D;
  mergeDirConfig?(base: D, add: D): D;
  registerHooks?(hooks: HookRegistry): void;
}

/** A module of any config types, as a registry holds it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyModule = ModuleDef<any, any>;

/** Helps a module author keep the config types of table and module together. */
export function defineModule<S, D>(m: ModuleDef<S, D>): ModuleDef<S, D> {
  return m;
}
