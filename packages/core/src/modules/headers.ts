/**
 * headers_module (mod_headers.c): `Header` changes the response's header fields and
 * `RequestHeader` the request's, each line an action (set, setifempty, add, append, merge,
 * unset, echo, edit, edit*, note) on one field, with an optional condition (`env=[!]var`,
 * `early`). `Header always` lines go to the table kept on error responses (err_headers_out),
 * the others (`onsuccess`) to the one sent only with a handler's own response. The
 * configuration is per directory only: lines merge by appending, server first, then each
 * section in the order the sections merge. ap_expr is not evaluated by this server: a line with
 * an `expr=` condition or value is accepted with a warning and never applies.
 */
import { getWordConf } from '../args.js';
import { OR_FILEINFO } from '../constants.js';
import type { DirectiveDef, ModuleDef } from '../module.js';
import { PF } from '../policy.js';

/** hdr_actions. */
export type HeaderAction = 'set' | 'setifempty' | 'add' | 'append' | 'merge' | 'unset' | 'echo' | 'edit' | 'edit*' | 'note';

/**
 * One piece of a value's format string (format_tag): literal text, or a specifier: `%D`
 * (D=µs since the request began), `%t` (t=request time in µs), `%{VAR}e` (a request variable,
 * `(null)` when unset), `%{VAR}s` (an SSL variable; `(null)`, there is no TLS here), `%l`
 * (l=load averages), `%i` (i=idle workers), `%b` (b=busy workers).
 */
export type HeaderFormatTag = { text: string } | { tag: 'D' | 't' | 'l' | 'i' | 'b' } | { tag: 'e' | 's'; arg: string };

/** One Header/RequestHeader line (header_entry). */
export interface HeaderEntry {
  action: HeaderAction;
  /** The field name, anything from a colon on removed; for echo a regular expression over request field names. */
  header: string;
  /** The value's format (for edit and edit*, the substitution's). Absent for unset and echo. */
  format?: HeaderFormatTag[];
  /** edit/edit*: the regular expression the field's value is matched with (POSIX extended, as written). */
  regex?: string;
  /** `early` (runs once the request is read, before anything else), or `env=var` / `env=!var`. */
  condition?: { early: true } | { env: string; negated: boolean };
  /** `expr=` as the condition or the value: never applied here (warned at load). */
  expr?: string;
}

/** headers_conf: the lines for request fields, for a handler's response, and for every response. */
export interface HeadersDirConfig {
  fixupIn: HeaderEntry[];
  fixupOut: HeaderEntry[];
  fixupErr: HeaderEntry[];
}

type Cmd = Parameters<DirectiveDef<unknown, HeadersDirConfig>['set']>[0];

const ACTIONS: Record<string, HeaderAction> = {
  set: 'set', setifempty: 'setifempty', add: 'add', append: 'append', merge: 'merge', unset: 'unset',
  echo: 'echo', edit: 'edit', 'edit*': 'edit*', note: 'note',
};

const TAGS = new Set(['D', 't', 'e', 's', 'l', 'i', 'b']);

/** The source of a regular expression compiled the way ap_pregcomp would (undefined: does not compile). */
function compiles(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

/**
 * parse_format_string: literal text (backslash escapes \\ \r \n \t; another backslash is kept)
 * and %-specifiers (`%%` and a final `%` are a percent sign). An unknown specifier is an error.
 */
export function parseHeaderFormat(s: string): HeaderFormatTag[] | string {
  const tags: HeaderFormatTag[] = [];
  let i = 0;
  while (i < s.length) {
    if (s[i] !== '%') {
      let text = '';
      while (i < s.length && s[i] !== '%') {
        if (s[i] !== '\\') {
          text += s[i++];
          continue;
        }
        i++;
        const c = s[i];
        if (c === '\\') text += '\\';
        else if (c === 'r') text += '\r';
        else if (c === 'n') text += '\n';
        else if (c === 't') text += '\t';
        else {
          // Kept verbatim; the next character is read as usual.
          text += '\\';
          continue;
        }
        i++;
      }
      tags.push({ text });
      continue;
    }
    i++;
    if (i >= s.length || s[i] === '%') {
      tags.push({ text: '%' });
      if (i < s.length) i++;
      continue;
    }
    let arg = '';
    if (s[i] === '{') {
      // ap_getword on '}': up to the brace (or the end), the brace skipped.
      const close = s.indexOf('}', i + 1);
      arg = close < 0 ? s.slice(i + 1) : s.slice(i + 1, close);
      i = close < 0 ? s.length : close + 1;
    }
    const c = s[i] ?? '';
    i++;
    if (!TAGS.has(c)) return `Unrecognized header format %${c}`;
    tags.push(c === 'e' || c === 's' ? { tag: c, arg } : { tag: c as 'D' | 't' | 'l' | 'i' | 'b' });
  }
  return tags;
}

/** header_inout_cmd: checks a line in Apache's order and records it; an error message or undefined. */
function headerLine(
  cmd: Cmd, kind: 'in' | 'out' | 'always', actionWord: string, hdr: string, value: string | undefined, subs: string | undefined,
  envclause: string | undefined,
): string | undefined {
  const action = ACTIONS[actionWord.toLowerCase()];
  if (action === undefined) {
    return "first argument must be 'add', 'set', 'setifempty', 'append', 'merge', 'unset', 'echo', 'note', 'edit', or 'edit*'.";
  }
  const entry: HeaderEntry = { action, header: hdr };
  let clause = envclause;
  if (action === 'edit' || action === 'edit*') {
    if (subs === undefined) return 'Header edit requires a match and a substitution';
    if (!compiles(value ?? '')) return 'Header edit regex could not be compiled';
    entry.regex = value ?? '';
  } else {
    // Without a substitution, the third word is the condition.
    if (clause !== undefined) return 'Too many arguments to directive';
    clause = subs;
  }
  let val = value;
  if (action === 'unset') {
    if (val !== undefined) {
      if (clause !== undefined) return 'header unset takes two arguments';
      clause = val;
      val = undefined;
    }
  } else if (action === 'echo') {
    if (val !== undefined) {
      if (clause !== undefined) return 'Header echo takes two arguments';
      clause = val;
      val = undefined;
    }
    if (kind === 'in') return 'Header echo only valid on Header directives';
    if (!compiles(hdr)) return 'Header echo regex could not be compiled';
  } else if (val === undefined) {
    return 'Header requires three arguments';
  }
  if (clause !== undefined) {
    const lower = clause.toLowerCase();
    if (lower === 'early') {
      entry.condition = { early: true };
    } else if (lower.startsWith('env=')) {
      const name = clause.slice(4);
      if (name === '' || name === '!') return 'error: missing environment variable name. envclause should be in the form env=envar ';
      entry.condition = name.startsWith('!') ? { env: name.slice(1), negated: true } : { env: name, negated: false };
    } else if (lower.startsWith('expr=')) {
      entry.expr = clause.slice(5);
    } else {
      return `Unknown parameter: ${clause}`;
    }
  }
  const colon = hdr.indexOf(':');
  if (colon >= 0) entry.header = hdr.slice(0, colon);
  // parse_format_string: unset and echo have none; edit's is the substitution's.
  if (action !== 'unset' && action !== 'echo') {
    const source = action === 'edit' || action === 'edit*' ? subs ?? '' : val ?? '';
    if (source.startsWith('expr=')) {
      entry.expr ??= source.slice(5);
    } else {
      const format = parseHeaderFormat(source);
      if (typeof format === 'string') return format;
      entry.format = format;
    }
  }
  if (entry.expr !== undefined) {
    cmd.log({
      level: 'warn', module: 'headers', id: PF.EXPR_NOT_EVALUATED,
      message: `${cmd.name} (on line ${cmd.node.loc.line} of ${cmd.node.loc.file}): expressions are not evaluated by this server; the line never applies`,
    });
  }
  const conf = cmd.dirConfig;
  (kind === 'in' ? conf.fixupIn : kind === 'always' ? conf.fixupErr : conf.fixupOut).push(entry);
  return undefined;
}

/** header_cmd: an optional `always`/`onsuccess` (Header only), the action, field, value, substitution and condition. */
function headerCmd(request: boolean) {
  return (cmd: Cmd, args: string): string | undefined => {
    let kind: 'in' | 'out' | 'always' = request ? 'in' : 'out';
    let w = getWordConf(args);
    let action = w.word;
    if (!request && (action.toLowerCase() === 'always' || action.toLowerCase() === 'onsuccess')) {
      if (action.toLowerCase() === 'always') kind = 'always';
      w = getWordConf(w.rest);
      action = w.word;
    }
    const h = getWordConf(w.rest);
    let rest = h.rest;
    const next = (): string | undefined => {
      if (rest === '') return undefined;
      const r = getWordConf(rest);
      rest = r.rest;
      return r.word;
    };
    const value = next();
    const subs = next();
    const envclause = next();
    if (rest !== '') return `${cmd.name} has too many arguments`;
    return headerLine(cmd, kind, action, h.word, value, subs, envclause);
  };
}

export const headersModule: ModuleDef<unknown, HeadersDirConfig> = {
  name: 'headers_module',
  sourceFile: 'mod_headers.c',
  createDirConfig: () => ({ fixupIn: [], fixupOut: [], fixupErr: [] }),
  mergeDirConfig: (base, add) => ({
    fixupIn: [...base.fixupIn, ...add.fixupIn],
    fixupOut: [...base.fixupOut, ...add.fixupOut],
    fixupErr: [...base.fixupErr, ...add.fixupErr],
  }),
  directives: [
    {
      name: 'Header', arity: 'RAW_ARGS', context: OR_FILEINFO,
      help: 'an optional condition, an action, header and value followed by optional env clause', set: headerCmd(false),
    },
    {
      name: 'RequestHeader', arity: 'RAW_ARGS', context: OR_FILEINFO,
      help: 'an action, header and value followed by optional env clause', set: headerCmd(true),
    },
  ],
};
