/** <Macro>, Use and UndefMacro as mod_macro.c carries them out. */
import { ArraySource, type Cursor } from './lexer.js';
import type { DirectiveNode, SourceLocation } from './types.js';
import type { ReadPass } from './read-pass.js';
import { getWordConf } from './words.js';

/** mod_macro's MAX_STRING_LEN: a substituted line must stay below it. */
const MAX_STRING_LEN = 8192;
const ARG_PREFIX = '$%@';

interface Macro {
  name: string;
  /** `defined on line N of "FILE"` */
  location: string;
  args: string[];
  lines: string[];
}

/** get_arguments: the words of the rest of a line. */
function words(text: string): string[] {
  const out: string[] = [];
  let pos = 0;
  while (pos < text.length) {
    const w = getWordConf(text, pos);
    if (w.next === pos) break;
    out.push(w.word);
    pos = w.next;
  }
  return out;
}

/**
 * substitute_macro_args for one line: the earliest argument name found is replaced (the longest
 * when several start there); `@name` values are put in double quotes with `"` and `\` escaped.
 */
function substitute(line: string, names: string[], values: string[], used?: boolean[]): string | { error: string } {
  let buf = line;
  let ptr = 0;
  for (;;) {
    let chosen = -1;
    let which = -1;
    for (let i = 0; i < names.length; i++) {
      const at = buf.indexOf(names[i], ptr);
      if (at >= 0 && (chosen < 0 || at < chosen || (at === chosen && names[which].length < names[i].length))) {
        chosen = at;
        which = i;
      }
    }
    if (chosen < 0) return buf;
    const name = names[which];
    const value = values[which];
    if (name !== value) {
      const text = name.startsWith('@') ? `"${value.replace(/["\\]/g, (m) => `\\${m}`)}"` : value;
      if (buf.length + text.length - name.length >= MAX_STRING_LEN) {
        return { error: 'cannot substitute, buffer size too small' };
      }
      buf = buf.slice(0, chosen) + text + buf.slice(chosen + name.length);
    }
    // Apache moves on by the raw value's length, even when the quoted text is longer.
    ptr = chosen + value.length;
    if (used) used[which] = true;
  }
}

/** The macros of one read pass (Apache keeps them globally; here they live with the pass). */
export class Macros {
  private table: Map<string, Macro> | undefined;

  constructor(private readonly pass: ReadPass) {}

  /** mod_macro's directives exist only when the host has loaded it. */
  available(): boolean {
    return this.pass.moduleLoaded('macro_module', 'mod_macro.c');
  }

  private warn(id: string, message: string, loc: SourceLocation): void {
    this.pass.warn({ id, module: 'macro', level: 'warn', message, loc });
  }

  /** warn_if_non_blank: text after a closing `>` that is not a comment. */
  private warnIfNonBlank(what: string, rest: string, cursor: Cursor, loc: SourceLocation): void {
    for (const ch of rest) {
      if (ch === '#') return;
      if (ch !== ' ' && ch !== '\t') {
        const src = cursor.source;
        this.warn('AH02989', `${what} on line ${src.lineNumber} of ${src.name}: ${rest}`, loc);
        return;
      }
    }
  }

  /** macro_section */
  define(cursor: Cursor, node: DirectiveNode): true | undefined {
    const { loc, includedFrom, args } = node;
    const fail = (m: string) => this.pass.fail('E_MACRO', m, loc, includedFrom);
    this.table ??= new Map();
    const endp = args.lastIndexOf('>');
    if (endp < 0) return fail("<Macro> directive missing closing '>'");
    if (endp === 0) return fail('<Macro macro definition: empty name');
    this.warnIfNonBlank("AH02801: non blank chars found after <Macro closing '>'", args.slice(endp + 1), cursor, loc);
    const head = args.slice(0, endp);
    const first = getWordConf(head);
    const name = first.word.toLowerCase();
    if (name === '') return fail('<Macro macro definition: name not found');
    const src = cursor.source;
    const old = this.table.get(name);
    if (old) {
      this.warn(
        'AH02802',
        `macro '${name}' multiply defined: ${old.location}, redefined on line ${src.lineNumber} of "${src.name}"`,
        loc,
      );
    }
    const location = `defined on line ${src.lineNumber} of "${src.name}"`;
    const where = `macro '${name}' (${location})`;
    if (ARG_PREFIX.includes(name[0])) {
      this.warn('AH02803', `${where} better prefix a macro name with any of '${ARG_PREFIX}'`, loc);
    }
    const params = words(head.slice(first.next));
    for (let i = 0; i < params.length; i++) {
      const a = params[i];
      if (a === '') return fail(`macro '${name}' (${location}): empty argument #${i + 1} name`);
      if (!ARG_PREFIX.includes(a[0])) {
        this.warn(
          'AH02796',
          `macro '${name}' (${location}) argument name '${a}' (#${i + 1}) without expected prefix, better prefix argument names with one of '${ARG_PREFIX}'.`,
          loc,
        );
      }
      for (let j = i + 1; j < params.length; j++) {
        const b = params[j];
        if (a === b) {
          return fail(
            `argument name conflict in macro '${name}' (${location}): argument '${a}': #${i + 1} and #${j + 1}, change argument names!`,
          );
        }
        if (b !== '' && a.slice(0, Math.min(a.length, b.length)) === b.slice(0, Math.min(a.length, b.length))) {
          this.warn(
            'AH02797',
            `macro '${name}' (${location}): argument name prefix conflict (${a} #${i + 1} and ${b} #${j + 1}), be careful about your macro definition!`,
            loc,
          );
        }
      }
    }
    const body = this.readBody(cursor, where, loc);
    if ('error' in body) return fail(`${where}\n\tcontents error: ${body.error}`);
    const macro: Macro = { name, location, args: params, lines: body.lines };
    if (macro.lines.length === 0) {
      this.warn('AH02799', `macro '${name}' (${location}): empty contents!`, loc);
    } else {
      const used = params.map(() => false);
      for (let i = 0; i < macro.lines.length; i++) {
        const r = substitute(macro.lines[i], params, params, used);
        if (typeof r !== 'string') {
          return fail(`${where}\n\tcontents checking error: while processing line ${i + 1} of ${where} ${r.error}`);
        }
      }
      used.forEach((u, i) => {
        if (!u) this.warn('AH02800', `macro '${name}' (${location}): argument '${params[i]}' (#${i + 1}) never used`, loc);
      });
    }
    this.table.set(name, macro);
    return undefined;
  }

  /** get_lines_till_end_token: the raw lines up to the matching </Macro>, comments left out. */
  private readBody(cursor: Cursor, where: string, loc: SourceLocation): { lines: string[] } | { error: string } {
    const lines: string[] = [];
    let macroNesting = 1;
    let anyNesting = 1;
    const start = cursor.source.lineNumber;
    for (;;) {
      const l = cursor.next();
      if (l === null || 'failure' in l) break;
      if (l.text.startsWith('#')) continue;
      const first = getWordConf(l.text).word;
      if (first.startsWith('</')) {
        anyNesting--;
        if (anyNesting < 0) {
          this.warn('AH02793', `bad (negative) nesting on line ${cursor.source.lineNumber - start} of ${where}`, loc);
        }
      } else if (first.startsWith('<')) {
        anyNesting++;
      }
      if (first.toLowerCase() === '</macro>') {
        const gt = l.text.lastIndexOf('>');
        this.warnIfNonBlank('AH02794: non blank chars found after directive closing', l.text.slice(gt + 1), cursor, loc);
        if (--macroNesting === 0) {
          if (anyNesting) {
            const signed = anyNesting > 0 ? `+${anyNesting}` : `${anyNesting}`;
            this.warn('AH02795', `bad cumulated nesting (${signed}) in ${where}`, loc);
          }
          return { lines };
        }
      } else if (first.toLowerCase() === '<macro') {
        macroNesting++;
      }
      lines.push(l.text);
    }
    return { error: 'expected token not found: </Macro>' };
  }

  /** use_macro: the expansion is read next, in place of the Use line. */
  use(cursor: Cursor, node: DirectiveNode): true | undefined {
    const { loc, includedFrom, args } = node;
    const fail = (m: string) => this.pass.fail('E_MACRO', m, loc, includedFrom);
    if (!this.table) return fail('no macro defined before Use');
    const first = getWordConf(args);
    const name = first.word.toLowerCase();
    if (name === '') return fail('no macro name specified with Use');
    const macro = this.table.get(name);
    if (!macro) return fail(`macro '${name}' undefined`);
    const src = cursor.source;
    if (src.name.includes(`macro '${macro.name}'`)) return fail(`recursive use of macro '${macro.name}' is invalid`);
    const values = words(args.slice(first.next));
    if (values.length !== macro.args.length) {
      return fail(
        `macro '${macro.name}' (${macro.location}) used with ${values.length} arguments instead of ${macro.args.length}`,
      );
    }
    const where = `macro '${macro.name}' (${macro.location}) used on line ${src.lineNumber} of "${src.name}"`;
    values.forEach((v, i) => {
      if (v === '') this.warn('AH02798', `${where}: empty argument #${i + 1}`, loc);
    });
    const expanded: string[] = [];
    for (let i = 0; i < macro.lines.length; i++) {
      const r = substitute(macro.lines[i], macro.args, values);
      if (typeof r !== 'string') {
        return fail(
          `${where} error while substituting: while processing line ${i + 1} of macro '${macro.name}' (${macro.location}) ${r.error}`,
        );
      }
      expanded.push(r);
    }
    cursor.push(new ArraySource(where, expanded, [...src.includedFrom, { ...loc, via: 'Use' }]));
    return undefined;
  }

  /** undef_macro */
  undefine(node: DirectiveNode): true | undefined {
    const { loc, includedFrom, args } = node;
    const fail = (code: 'E_ARGS' | 'E_MACRO', m: string) => this.pass.fail(code, m, loc, includedFrom);
    const w = getWordConf(args);
    if (w.word === '' || w.next < args.length) return fail('E_ARGS', 'UndefMacro takes one argument, Remove a macro definition.');
    if (!this.table) return fail('E_MACRO', 'no macro defined before UndefMacro');
    const name = w.word.toLowerCase();
    if (!this.table.has(name)) return fail('E_MACRO', `cannot remove undefined macro '${name}'`);
    this.table.delete(name);
    return undefined;
  }
}
