/**
 * The public shapes of @prefork/config-parser. This file is the contract between the parser and
 * its users (@prefork/core reads the tree; the httpd command prints the errors).
 *
 * Two stages, as Apache has them:
 *  - the read pass (Apache's ap_build_config): lines are read, sections nested, and the
 *    read-time directives (Include, IncludeOptional, Define, UnDefine, <IfDefine>, <IfModule>,
 *    <IfVersion>, <IfFile>, <IfDirective>, <IfSection>, <Macro>/Use/UndefMacro, ServerRoot and
 *    whatever the host claims through `execOnRead`, e.g. LoadModule) are carried out in order.
 *    Its errors are what Apache prints as `httpd: Syntax error on line N of FILE: MESSAGE`.
 *  - the process pass belongs to @prefork/core: each directive of the evaluated tree goes to
 *    the module that declares it (Apache's AH00526 errors).
 */

/** Where a node or an error stands. Lines and columns count from 1. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
  /**
   * In an `includedFrom` chain: how this location led further in. `Use` (a macro expansion)
   * adds no "Syntax error on line N of …" layer to Apache's messages, `Include` does.
   * Absent means `Include`.
   */
  via?: 'Include' | 'Use';
}

/** A directive line, after line continuation and ${VAR} substitution. */
export interface DirectiveNode {
  type: 'directive';
  /** The name as written (Apache compares names case-insensitively). */
  name: string;
  /** The argument text as Apache's cmd->args has it: after the name, trimmed, still quoted. */
  args: string;
  loc: SourceLocation;
  /** The Include (and Use) lines that led to this file, outermost first. */
  includedFrom: SourceLocation[];
}

/** A `<Name args>` … `</Name>` block that survives the read pass (Directory, VirtualHost …). */
export interface SectionNode {
  type: 'section';
  /** The name without `<`, as written. */
  name: string;
  /** The text between the name and `>`, trimmed, still quoted. */
  args: string;
  children: ConfigNode[];
  loc: SourceLocation;
  /** Where its `</Name>` stands (its own `loc` when Apache accepted it unclosed at end of file). */
  endLoc: SourceLocation;
  includedFrom: SourceLocation[];
  /**
   * The argument text exactly as Apache's `cmd->args` has it, including the closing `>`
   * (`<Directory>` alone gives `>`). A section whose rawArgs has no `>` is the one Apache
   * rejects in the process pass with `<Directory> directive missing closing '>'`.
   */
  rawArgs?: string;
  /** True when end of file came before `</Name>` and Apache accepted it (inside a true <IfModule>…). */
  unclosed?: boolean;
}

export type ConfigNode = DirectiveNode | SectionNode;

/** Stable codes of read-pass errors; tests match on these, not on the text. */
export type ConfigErrorCode =
  | 'E_OPEN' // a file or directory could not be opened
  | 'E_WILDCARD_NO_MATCH' // Include with a wildcard that matched nothing
  | 'E_INCLUDE_DEPTH' // Include recursion too deep
  | 'E_TOO_MANY_ERRORS' // collecting all errors: reading stopped at ReadOptions.maxErrors
  | 'E_SECTION_NOT_CLOSED' // <Directory> was not closed.
  | 'E_SECTION_END_EXPECTED' // Expected </X> before end of configuration / but saw </Y>
  | 'E_STRAY_CLOSE' // </X> without matching <X> section
  | 'E_SECTION_MISSING_ANGLE' // <X> directive missing closing '>'
  | 'E_SECTION_ARGS' // <IfModule> directive requires additional arguments …
  | 'E_MACRO' // Macro definition/use errors
  | 'E_VERSION' // bad <IfVersion> expression
  | 'E_LINE_TOO_LONG'
  | 'E_HOST' // an error returned by the host's execOnRead (e.g. LoadModule failures)
  | 'E_ARGS' // a read-time directive with the wrong number of arguments (Include takes one argument, …)
  | 'E_DIRECTIVE'; // a read-time directive refused its argument (ServerRoot must be a valid directory, …)

export interface ConfigError {
  code: ConfigErrorCode;
  /** Apache's message text, without the `Syntax error on line N of FILE:` prefix. */
  message: string;
  loc: SourceLocation;
  includedFrom: SourceLocation[];
  /**
   * Apache prints this one without any `Syntax error on line …` layer: the main configuration
   * file could not be opened (`loc.line` is then 1 by convention).
   */
  noLine?: boolean;
}

/** A warning the read pass logs (Apache logs these through the error log at startup). */
export interface ConfigWarning {
  /** Apache's AH id where there is one, e.g. 'AH00111'. */
  id: string;
  /** The module and level Apache logs it with, e.g. 'core' and 'warn'. */
  module: string;
  level: 'emerg' | 'alert' | 'crit' | 'error' | 'warn' | 'notice' | 'info' | 'debug';
  message: string;
  loc: SourceLocation;
}

/** What the host (the server being configured) tells the read pass. */
export interface ReadHost {
  /** `<IfModule x>`: x is `mod_foo.c` (a source file name) or `foo_module` (a module name). */
  isModuleLoaded(name: string): boolean;
  /** `<IfDirective x>` */
  directiveExists(name: string): boolean;
  /** `<IfSection x>` (x without `<`) */
  sectionExists(name: string): boolean;
  /** The version `<IfVersion>` compares against. */
  version: { major: number; minor: number; patch: number };
  /**
   * Directives the host carries out while reading (Apache's EXEC_ON_READ), e.g. LoadModule.
   * Called in file order, before later lines are read, so `<IfModule>` further down sees the
   * module. Return a message to fail the read (Apache stops there), a warning, or nothing.
   * The node stays in the tree either way.
   */
  execOnRead?(node: DirectiveNode, state: ReadState): ExecOnReadResult | undefined;
  /** Names (lower case) that `execOnRead` wants to see. */
  execOnReadNames?: ReadonlySet<string>;
  /**
   * The name of a directive as its module declares it (`directory` → `Directory`,
   * `<directory` → `<Directory`), for messages such as `Expected </Directory> but saw …`,
   * where Apache prints the declared spelling. Absent or undefined: the name as written.
   */
  canonicalName?(name: string): string | undefined;
  /** Text after the version number in `<IfVersion ~ regex>` matching (Apache's add_string). */
  versionAddString?: string;
}

export type ExecOnReadResult =
  | { error: string }
  | { warning: Omit<ConfigWarning, 'loc'> };

/** The state of the read pass a host hook can look at. */
export interface ReadState {
  serverRoot: string;
  defines: ReadonlyMap<string, string>;
}

export interface ReadOptions {
  /** The main configuration file (-f); relative to serverRoot when not absolute. */
  file: string;
  /** -d, or the compiled-in default. ServerRoot in the file changes it from that line on. */
  serverRoot: string;
  /** -D NAME (value '') and -D NAME=value are not Apache; Apache's -D only defines names. */
  defines?: string[];
  /** -C directives, read before the file; -c directives, read after it. */
  preDirectives?: string[];
  postDirectives?: string[];
  host: ReadHost;
  /** Environment for ${VAR} fallback; defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** Stop at the first error, as Apache does (default true). false collects all. */
  stopAtFirstError?: boolean;
  /**
   * Collecting all errors, reading stops after this many (default 100), with one more error
   * (E_TOO_MANY_ERRORS) saying so: an `Include /` or a file of binary data would otherwise go on
   * for as long as there are files.
   */
  maxErrors?: number;
}

export interface ReadResult {
  tree: ConfigNode[];
  /** In the order met. Under stopAtFirstError at most one. */
  errors: ConfigError[];
  warnings: ConfigWarning[];
  /** Defines in force at the end (-D and Define), name → value ('' for a bare name). */
  defines: Map<string, string>;
  /** Every file read, in order, with its Include depth (0 = main), for -t -D DUMP_INCLUDES. */
  includes: { file: string; depth: number; from?: SourceLocation }[];
  /** ServerRoot in force at the end. */
  serverRoot: string;
}
