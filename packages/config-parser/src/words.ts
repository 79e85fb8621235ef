/**
 * Apache's word splitting for configuration text (util.c ap_getword_conf) and ${VAR}
 * substitution (core.c ap_resolve_env).
 */

/** apr_isspace: the C locale's white space. */
export function isSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\v' || ch === '\f';
}

/** One word taken from `text` at `pos`, and the position after it and the blanks that follow. */
export interface Word {
  word: string;
  next: number;
}

/**
 * Reads one word as ap_getword_conf does: leading blanks skipped; a word opening with `"` or
 * `'` runs to the matching quote (or to the end when it is missing) and inside it `\\` and
 * `\<quote>` stand for the character itself; an unquoted word runs to the next blank and
 * there only `\\` is unescaped. Returns '' at the end of the text.
 */
export function getWordConf(text: string, pos = 0): Word {
  let i = pos;
  while (i < text.length && isSpace(text[i])) i++;
  if (i >= text.length) return { word: '', next: i };
  const quote = text[i];
  let word: string;
  if (quote === '"' || quote === "'") {
    let end = i + 1;
    while (end < text.length && text[end] !== quote) {
      if (text[end] === '\\' && end + 1 < text.length && (text[end + 1] === quote || text[end + 1] === '\\')) {
        end += 2;
      } else {
        end++;
      }
    }
    word = unescape(text.slice(i + 1, end), quote);
    if (text[end] === quote) end++;
    i = end;
  } else {
    let end = i;
    while (end < text.length && !isSpace(text[end])) end++;
    word = unescape(text.slice(i, end), undefined);
    i = end;
  }
  while (i < text.length && isSpace(text[i])) i++;
  return { word, next: i };
}

/** util.c substring_conf: `\\` always, `\<quote>` inside quotes, become the bare character. */
function unescape(s: string, quote: string | undefined): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    const n = s[i + 1];
    if (c === '\\' && (n === '\\' || (quote !== undefined && n === quote))) {
      out += n;
      i++;
    } else {
      out += c;
    }
  }
  return out;
}

/**
 * Splits directive arguments as Apache's TAKE_ARGV does: words until the text is used up;
 * an empty word ('' or "") at the very end is dropped, as Apache drops it.
 */
export function splitArgs(args: string): string[] {
  const out: string[] = [];
  let pos = 0;
  do {
    const { word, next } = getWordConf(args, pos);
    pos = next;
    if (word === '' && pos >= args.length) break;
    out.push(word);
  } while (pos < args.length);
  return out;
}

/** The result of ${VAR} substitution: the new text and the names found nowhere. */
export interface Resolved {
  text: string;
  undefinedNames: string[];
}

/**
 * ap_resolve_env: each `${NAME}` (up to the first `}`) becomes the Define'd value of NAME, else
 * the environment's, else stays as written (and NAME is reported, unless it contains `:`,
 * which Apache leaves to modules such as mod_rewrite without a warning). Not recursive.
 */
export function resolveEnv(text: string, lookup: (name: string) => string | undefined): Resolved {
  if (!text.includes('$')) return { text, undefinedNames: [] };
  let out = '';
  const undefinedNames: string[] = [];
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, dollar);
    const close = text[dollar + 1] === '{' ? text.indexOf('}', dollar + 2) : -1;
    if (close < 0) {
      out += '$';
      i = dollar + 1;
      continue;
    }
    const name = text.slice(dollar + 2, close);
    const value = lookup(name);
    if (value !== undefined) {
      out += value;
    } else {
      if (!name.includes(':')) undefinedNames.push(name);
      out += text.slice(dollar, close + 1);
    }
    i = close + 1;
  }
  return { text: out, undefinedNames };
}
