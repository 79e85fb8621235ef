/**
 * The tree stage and the evaluation of read-time directives: Apache's ap_build_config,
 * ap_build_cont_config, ap_soak_end_container and the EXEC_ON_READ handlers of core.c,
 * mod_version.c and mod_macro.c, carried out in file order.
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { ArraySource, COMMAND_LINE_FILE, Cursor, TextSource, type LogicalLine, type LineSource } from './lexer.js';
import { getWordConf, resolveEnv } from './words.js';
import { strerror, walkInclude } from './include.js';
import { startIfVersion } from './ifversion.js';
import { Macros } from './macro.js';
import type {
  ConfigError,
  ConfigErrorCode,
  ConfigNode,
  ConfigWarning,
  DirectiveNode,
  ReadOptions,
  ReadResult,
  ReadState,
  SectionNode,
  SourceLocation,
} from './types.js';

/** AP_MAX_INCLUDE_DEPTH */
export const MAX_INCLUDE_DEPTH = 128;
/** ReadOptions.maxErrors when not given. */
export const DEFAULT_MAX_ERRORS = 100;

/** Help texts Apache appends to arity errors of the read-time directives it declares. */
const HELP = {
  Include:
    'Name(s) of the config file(s) to be included; fails if the wildcard does not match at least one file',
  IncludeOptional:
    'Name or pattern of the config file(s) to be included; ignored if the file does not exist or the pattern does not match any files',
  Define: 'Define a variable, optionally to a value.  Same as passing -D to the command line.',
  UnDefine: 'Undefine the existence of a variable. Undo a Define.',
  ServerRoot: 'Common directory of server-related files (logs, confs, etc.)',
  UndefMacro: 'Remove a macro definition.',
} as const;

/** Conditional sections of core, by lower-case name, with the spelling Apache prints. */
const COND_SECTIONS: Record<string, string> = {
  '<ifmodule': '<IfModule',
  '<ifdefine': '<IfDefine',
  '<iffile': '<IfFile',
  '<ifdirective': '<IfDirective',
  '<ifsection': '<IfSection',
};

/** Where new nodes go and which sections are open, for one ap_build_config(_sub) run. */
interface Level {
  root: ConfigNode[];
  open: SectionNode[];
}

function target(level: Level): ConfigNode[] {
  const top = level.open[level.open.length - 1];
  return top ? top.children : level.root;
}

/** Signals that reading stops here (Apache returns an error string up the call chain). */
const STOP = true;
type Outcome = typeof STOP | undefined;

/** The state of one read pass. Nothing here outlives a readConfig call. */
export class ReadPass implements ReadState {
  serverRoot: string;
  readonly errors: ConfigError[] = [];
  readonly warnings: ConfigWarning[] = [];
  readonly includes: ReadResult['includes'] = [];
  /** -D names and Define'd names, in Apache's ap_server_config_defines order. */
  private readonly defineNames: string[];
  /** Define'd values: only these (and the environment) feed ${VAR}. */
  private readonly vars = new Map<string, string>();
  private readonly env: Record<string, string | undefined>;
  private readonly stopAtFirst: boolean;
  private readonly maxErrors: number;
  /** The files being read, outermost first (a file on it that comes again is a recursion). */
  private readonly fileStack: string[] = [];
  private includeDepth = 0;
  readonly macros = new Macros(this);

  constructor(private readonly opts: ReadOptions) {
    this.serverRoot = opts.serverRoot;
    this.defineNames = [...new Set(opts.defines ?? [])];
    this.env = opts.env ?? process.env;
    this.stopAtFirst = opts.stopAtFirstError ?? true;
    this.maxErrors = Math.max(1, opts.maxErrors ?? DEFAULT_MAX_ERRORS);
  }

  get defines(): ReadonlyMap<string, string> {
    return this.definesMap();
  }

  definesMap(): Map<string, string> {
    const m = new Map<string, string>();
    for (const n of this.defineNames) m.set(n, this.vars.get(n) ?? '');
    return m;
  }

  get host() {
    return this.opts.host;
  }

  /** Records an error; says whether reading must stop. */
  fail(code: ConfigErrorCode, message: string, loc: SourceLocation, includedFrom: SourceLocation[]): Outcome {
    this.errors.push({ code, message, loc: { ...loc }, includedFrom: includedFrom.map((l) => ({ ...l })) });
    return this.afterError(loc, includedFrom);
  }

  private afterError(loc: SourceLocation, includedFrom: SourceLocation[]): Outcome {
    if (this.stopAtFirst) return STOP;
    if (this.errors.length < this.maxErrors) return undefined;
    this.errors.push({
      code: 'E_TOO_MANY_ERRORS',
      message: `${this.maxErrors} errors: the rest of the configuration was not read`,
      loc: { ...loc },
      includedFrom: includedFrom.map((l) => ({ ...l })),
    });
    return STOP;
  }

  warn(w: ConfigWarning): void {
    this.warnings.push(w);
  }

  /** ap_server_root_relative */
  rootRelative(name: string): string {
    return resolvePath(this.serverRoot, name);
  }

  isDefined(name: string): boolean {
    return this.defineNames.includes(name);
  }

  moduleLoaded(...names: string[]): boolean {
    return names.some((n) => this.opts.host.isModuleLoaded(n));
  }

  // ---------------------------------------------------------------- whole read (ap_read_config)

  run(): ReadResult {
    const tree: ConfigNode[] = [];
    const pre = this.opts.preDirectives ?? [];
    const post = this.opts.postDirectives ?? [];
    let stop: Outcome;
    if (pre.length) stop = this.buildFile(new Cursor(new ArraySource(COMMAND_LINE_FILE, pre, [])), tree);
    if (!stop) {
      // -C may have moved ServerRoot: the main file is found from there.
      const main = this.rootRelative(this.opts.file);
      stop = this.processFile(main, tree, [], undefined, true);
    }
    if (!stop && post.length) {
      this.buildFile(new Cursor(new ArraySource(COMMAND_LINE_FILE, post, [])), tree);
    }
    return {
      tree,
      errors: this.errors,
      warnings: this.warnings,
      defines: this.definesMap(),
      includes: this.includes,
      serverRoot: this.serverRoot,
    };
  }

  /** ap_process_resource_config: open one file and build it into `into`. */
  processFile(
    file: string,
    into: ConfigNode[],
    includedFrom: SourceLocation[],
    from: SourceLocation | undefined,
    isMain = false,
  ): Outcome {
    const where: SourceLocation = from ?? { file, line: 1, column: 1 };
    const openError = (reason: string): Outcome => {
      const code: ConfigErrorCode = 'E_OPEN';
      const message = `Could not open configuration file ${file}: ${reason}`;
      if (isMain) {
        this.errors.push({ code, message, loc: { file, line: 1, column: 1 }, includedFrom: [], noLine: true });
        return this.afterError({ file, line: 1, column: 1 }, []);
      }
      return this.fail(code, message, where, includedFrom);
    };
    let text: string;
    try {
      const st = statSync(file);
      if (!st.isFile() && file !== '/dev/null') {
        this.warn({
          id: 'AH00554',
          module: 'core',
          level: 'error',
          message: `Access to file ${file} denied by server: not a regular file`,
          loc: where,
        });
        return openError('Bad file descriptor');
      }
      text = readFileSync(file, 'utf8');
    } catch (e) {
      return openError(strerror(e));
    }
    if (!this.stopAtFirst && this.fileStack.includes(file)) {
      // Collecting every error, a recursion is cut where it closes: going on to Apache's depth
      // limit would read every file of the cycle 128 times over, with every error repeated.
      return this.fail(
        'E_INCLUDE_DEPTH',
        `${file} includes itself: a recursion (Apache stops it at the maximum include depth of ${MAX_INCLUDE_DEPTH})`,
        where,
        includedFrom,
      );
    }
    const chain = from ? [...includedFrom, { ...from, via: 'Include' as const }] : includedFrom;
    this.includes.push({ file, depth: chain.filter((l) => l.via !== 'Use').length, ...(from ? { from } : {}) });
    this.fileStack.push(file);
    try {
      return this.buildFile(new Cursor(new TextSource(file, text, chain)), into);
    } finally {
      this.fileStack.pop();
    }
  }

  // ---------------------------------------------------------------- ap_build_config

  /** Builds a whole file: sections still open at its end are errors. */
  buildFile(cursor: Cursor, into: ConfigNode[]): Outcome {
    const level: Level = { root: into, open: [] };
    for (;;) {
      const line = cursor.next();
      if (line === null) break;
      if ('failure' in line) {
        return this.fail('E_LINE_TOO_LONG', line.failure, locOfSource(cursor.source), cursor.source.includedFrom);
      }
      if (this.buildLine(cursor, line, level)) return STOP;
    }
    if (level.open.length) {
      const lines: string[] = [];
      for (let i = level.open.length - 1; i >= 0; i--) {
        const s = level.open[i];
        lines.push(`${s.loc.file}:${s.loc.line}: ${this.declaredName(`<${s.name}`)}> was not closed.`);
      }
      const outer = level.open[0];
      for (const s of level.open) s.endLoc = s.loc;
      return this.fail('E_SECTION_NOT_CLOSED', lines.join('\n'), outer.loc, outer.includedFrom);
    }
    return undefined;
  }

  /** ap_build_cont_config: the body of a true conditional section, up to its `</Name>` or end of file. */
  buildBody(cursor: Cursor, into: ConfigNode[], sectionName: string): Outcome {
    const level: Level = { root: into, open: [] };
    const closing = `${sectionName.slice(1)}>`.toLowerCase();
    for (;;) {
      const line = cursor.next();
      if (line === null) break;
      if ('failure' in line) {
        return this.fail('E_LINE_TOO_LONG', line.failure, locOfSource(cursor.source), cursor.source.includedFrom);
      }
      if (line.text.startsWith('</') && line.text.slice(2).toLowerCase() === closing && level.open.length === 0) {
        break;
      }
      if (this.buildLine(cursor, line, level)) return STOP;
    }
    // Sections left open at end of file inside a true condition are accepted, as Apache does.
    for (const s of level.open) {
      s.endLoc = s.loc;
      s.unclosed = true;
    }
    return undefined;
  }

  /** ap_soak_end_container: skip the body of a false section, nesting by `<…` / `</…`. */
  soak(cursor: Cursor, directive: string, at: SourceLocation, includedFrom: SourceLocation[]): Outcome {
    for (;;) {
      const line = cursor.next();
      if (line === null) break;
      if ('failure' in line) return this.fail('E_LINE_TOO_LONG', line.failure, at, includedFrom);
      const first = getWordConf(line.text);
      let name = first.word;
      if (!name.startsWith('<')) continue;
      if (name[1] === '/') {
        // Apache cuts the last character whatever it is.
        name = name.slice(0, -1);
        if (name.slice(2).toLowerCase() !== directive.slice(1).toLowerCase()) {
          return this.fail('E_SECTION_END_EXPECTED', `Expected </${directive.slice(1)}> but saw ${name}>`, at, includedFrom);
        }
        return undefined;
      }
      if (first.next >= line.text.length && name.endsWith('>')) name = name.slice(0, -1);
      const before = this.errors.length;
      if (this.soak(cursor, name, at, includedFrom)) return STOP;
      // Collecting: the inner section already said what is wrong; say nothing more about this one.
      if (this.errors.length > before) return undefined;
    }
    return this.fail('E_SECTION_END_EXPECTED', `Expected </${directive.slice(1)}> before end of configuration`, at, includedFrom);
  }

  private declaredName(name: string): string {
    const known = BUILTIN_NAMES[name.toLowerCase()];
    return known ?? this.opts.host.canonicalName?.(name) ?? name;
  }

  // ---------------------------------------------------------------- ap_build_config_sub

  /** One logical line. Returns STOP when reading must stop. */
  buildLine(cursor: Cursor, line: LogicalLine, level: Level): Outcome {
    if (line.text === '' || line.text.startsWith('#')) return undefined;
    const loc = cursor.locate(line);
    const includedFrom = cursor.source.includedFrom;
    const resolved = resolveEnv(line.text, (n) => this.vars.get(n) ?? this.env[n]);
    for (const name of resolved.undefinedNames) {
      this.warn({ id: 'AH00111', module: 'core', level: 'warn', message: `Config variable \${${name}} is not defined`, loc });
    }
    const first = getWordConf(resolved.text);
    let name = first.word;
    let args = resolved.text.slice(first.next);
    if (name === '') return undefined;
    if (name[1] !== '/') {
      if (name.endsWith('>')) name = name.slice(0, -1);
      if (name.startsWith('<') && args === '') args = '>';
    }
    const lname = name.toLowerCase();
    const node: DirectiveNode = { type: 'directive', name, args, loc, includedFrom: includedFrom.map((l) => ({ ...l })) };

    const handled = this.executeNow(cursor, lname, node, level);
    if (handled !== NOT_READ_TIME) return handled;

    if (name.startsWith('<')) {
      if (name[1] !== '/') {
        const gt = args.lastIndexOf('>');
        const section: SectionNode = {
          type: 'section',
          name: name.slice(1),
          args: (gt >= 0 ? args.slice(0, gt) : args).trim(),
          rawArgs: args,
          children: [],
          loc,
          endLoc: loc,
          includedFrom: node.includedFrom,
        };
        target(level).push(section);
        level.open.push(section);
        return undefined;
      }
      const parent = level.open[level.open.length - 1];
      if (!parent) {
        return this.fail('E_STRAY_CLOSE', `${name} without matching <${name.slice(2)} section`, loc, includedFrom);
      }
      if (!name.endsWith('>')) {
        const r = this.fail('E_SECTION_MISSING_ANGLE', `${name}> directive missing closing '>'`, loc, includedFrom);
        if (r) return r;
      } else if (name.slice(2, -1).toLowerCase() !== parent.name.toLowerCase()) {
        const expected = this.declaredName(`<${parent.name}`).slice(1);
        const r = this.fail('E_SECTION_END_EXPECTED', `Expected </${expected}> but saw ${name}`, loc, includedFrom);
        if (r) return r;
      }
      parent.endLoc = loc;
      level.open.pop();
      return undefined;
    }
    target(level).push(node);
    return undefined;
  }

  /** EXEC_ON_READ: carries out a read-time directive. NOT_READ_TIME when `lname` is none. */
  private executeNow(cursor: Cursor, lname: string, node: DirectiveNode, level: Level): Outcome | typeof NOT_READ_TIME {
    const { loc, includedFrom, args } = node;
    const fail = (code: ConfigErrorCode, message: string) => this.fail(code, message, loc, includedFrom);
    const into = target(level);
    switch (lname) {
      case 'include':
      case 'includeoptional': {
        const cmd = lname === 'include' ? 'Include' : 'IncludeOptional';
        const w = take1(args);
        if (w === undefined) return fail('E_ARGS', `${cmd} takes one argument, ${HELP[cmd]}`);
        return this.include(w, lname === 'includeoptional', into, loc, includedFrom);
      }
      case 'define': {
        const a = getWordConf(args);
        const b = getWordConf(args, a.next);
        if (a.word === '' || b.next < args.length) {
          return fail('E_ARGS', `Define takes 1-2 arguments, ${HELP.Define}`);
        }
        if (a.word.includes(':')) return fail('E_DIRECTIVE', "Variable name must not contain ':'");
        if (!this.defineNames.includes(a.word)) this.defineNames.push(a.word);
        // TAKE12 passes an empty second word as no value: `Define NAME ""` leaves ${NAME} undefined.
        if (b.word !== '') this.vars.set(a.word, b.word);
        return undefined;
      }
      case 'undefine': {
        const w = take1(args);
        if (w === undefined) return fail('E_ARGS', `UnDefine takes one argument, ${HELP.UnDefine}`);
        if (w.includes(':')) return fail('E_DIRECTIVE', "Variable name must not contain ':'");
        const i = this.defineNames.indexOf(w);
        if (i >= 0) this.defineNames.splice(i, 1);
        this.vars.delete(w);
        return undefined;
      }
      case 'serverroot': {
        const w = take1(args);
        if (w === undefined) return fail('E_ARGS', `ServerRoot takes one argument, ${HELP.ServerRoot}`);
        // apr_filepath_merge with no root: a relative ServerRoot is taken from the working directory.
        const dir = resolvePath(w);
        let ok = false;
        try {
          ok = statSync(dir).isDirectory();
        } catch {
          ok = false;
        }
        if (!ok) return fail('E_DIRECTIVE', 'ServerRoot must be a valid directory');
        this.serverRoot = dir;
        into.push(node);
        return undefined;
      }
      case '<ifversion':
        if (!this.moduleLoaded('version_module', 'mod_version.c')) break;
        return startIfVersion(this, cursor, node, into);
      case '<macro':
        if (!this.macros.available()) break;
        return this.macros.define(cursor, node);
      case 'use':
        if (!this.macros.available()) break;
        return this.macros.use(cursor, node);
      case 'undefmacro':
        if (!this.macros.available()) break;
        return this.macros.undefine(node);
      default:
        if (lname in COND_SECTIONS) return this.condSection(cursor, COND_SECTIONS[lname], node, into);
        break;
    }
    const host = this.opts.host;
    if (host.execOnRead && host.execOnReadNames?.has(lname)) {
      const r = host.execOnRead(node, this);
      into.push(node);
      if (r && 'error' in r) return fail('E_HOST', r.error);
      if (r && 'warning' in r) this.warn({ ...r.warning, loc });
      return undefined;
    }
    return NOT_READ_TIME;
  }

  /** include_config */
  private include(name: string, optional: boolean, into: ConfigNode[], loc: SourceLocation, includedFrom: SourceLocation[]): Outcome {
    if (this.includeDepth + 1 > MAX_INCLUDE_DEPTH) {
      return this.fail(
        'E_INCLUDE_DEPTH',
        `Exceeded maximum include depth of ${MAX_INCLUDE_DEPTH}, There appears to be a recursion.`,
        loc,
        includedFrom,
      );
    }
    this.includeDepth++;
    try {
      const path = this.rootRelative(name);
      const r = walkInclude(path, optional, (file) => this.processFile(file, into, includedFrom, loc) === STOP);
      if (r === 'stopped') return STOP;
      if (r !== undefined) {
        const code: ConfigErrorCode = r.error.includes('No matches for the wildcard') ? 'E_WILDCARD_NO_MATCH' : 'E_OPEN';
        return this.fail(code, r.error, loc, includedFrom);
      }
      return undefined;
    } finally {
      this.includeDepth--;
    }
  }

  /** start_cond_section: <IfModule>, <IfDefine>, <IfFile>, <IfDirective>, <IfSection>. */
  private condSection(cursor: Cursor, cmdName: string, node: DirectiveNode, into: ConfigNode[]): Outcome {
    const { loc, includedFrom } = node;
    const endp = node.args.lastIndexOf('>');
    if (endp < 0) return this.fail('E_SECTION_MISSING_ANGLE', `${cmdName}> directive missing closing '>'`, loc, includedFrom);
    let arg = node.args.slice(0, endp);
    const not = arg.startsWith('!');
    if (not) arg = arg.slice(1);
    const arg1 = getWordConf(arg).word;
    if (arg1 === '') return this.fail('E_SECTION_ARGS', `${cmdName}> directive requires additional arguments`, loc, includedFrom);
    let result: boolean;
    switch (cmdName) {
      case '<IfModule':
        result = this.opts.host.isModuleLoaded(arg1);
        break;
      case '<IfDefine':
        result = this.isDefined(arg1);
        break;
      case '<IfFile':
        try {
          statSync(this.rootRelative(arg1));
          result = true;
        } catch {
          result = false;
        }
        break;
      case '<IfDirective':
        result = this.directiveExists(arg1);
        break;
      default:
        result = this.directiveExists(`<${arg1}`);
        break;
    }
    return this.conditional(cursor, cmdName, result !== not, node, into);
  }

  /** A conditional section's body: read in place when true, skipped when false. */
  conditional(cursor: Cursor, cmdName: string, taken: boolean, node: DirectiveNode, into: ConfigNode[]): Outcome {
    if (taken) return this.buildBody(cursor, into, cmdName);
    return this.soak(cursor, cmdName, node.loc, node.includedFrom);
  }

  /** ap_exists_directive: the host's directives and sections, and the read-time ones here. */
  directiveExists(name: string): boolean {
    const l = name.toLowerCase();
    if (l.startsWith('<')) {
      if (l in COND_SECTIONS) return true;
      if (l === '<ifversion' && this.moduleLoaded('version_module', 'mod_version.c')) return true;
      if (l === '<macro' && this.macros.available()) return true;
      return this.opts.host.sectionExists(name.slice(1));
    }
    if (['include', 'includeoptional', 'define', 'undefine'].includes(l)) return true;
    if ((l === 'use' || l === 'undefmacro') && this.macros.available()) return true;
    return this.opts.host.directiveExists(name);
  }
}

const NOT_READ_TIME = Symbol('not a read-time directive');

/** Names Apache prints in its declared spelling for the read-time sections declared here. */
const BUILTIN_NAMES: Record<string, string> = {
  ...COND_SECTIONS,
  '<ifversion': '<IfVersion',
  '<macro': '<Macro',
};

/** TAKE1: exactly one word, else undefined. */
export function take1(args: string): string | undefined {
  const w = getWordConf(args);
  if (w.word === '' || w.next < args.length) return undefined;
  return w.word;
}

function locOfSource(src: LineSource): SourceLocation {
  return { file: src.name, line: Math.max(1, src.lineNumber), column: 1 };
}
