/**
 * Argument splitting as Apache's ap_getword_conf does it: words separated by white space,
 * single or double quotes group a word (the quotes are removed, a backslash before the
 * same quote keeps it), and the rest of the line is returned for the next call.
 */

/** One word and what follows it (leading white space of the rest removed). */
export function getWordConf(line: string): { word: string; rest: string } {
  let i = 0;
  while (i < line.length && isSpace(line[i])) i++;
  if (i >= line.length) return { word: '', rest: '' };
  const quote = line[i];
  let word = '';
  if (quote === '"' || quote === "'") {
    i++;
    while (i < line.length && line[i] !== quote) {
      if (line[i] === '\\' && i + 1 < line.length && line[i + 1] === quote) {
        word += quote;
        i += 2;
        continue;
      }
      word += line[i];
      i++;
    }
    if (i < line.length) i++;
  } else {
    while (i < line.length && !isSpace(line[i])) {
      word += line[i];
      i++;
    }
  }
  while (i < line.length && isSpace(line[i])) i++;
  return { word, rest: line.slice(i) };
}

/** All words of a line (TAKE_ARGV). */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let rest = line;
  for (;;) {
    const next = getWordConf(rest);
    if (next.word === '' && next.rest === '') break;
    words.push(next.word);
    rest = next.rest;
  }
  return words;
}

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
}

/**
 * C's atoi, on purpose: Apache reads StartServers, Timeout and friends with it, so
 * "2.5" is 2, "abc" is 0 and "-5" is -5, and the clamps see those values.
 * Saturates at the int range as glibc's strtol-based atoi effectively does for these uses.
 */
export function atoi(text: string): number {
  const m = /^[ \t\n\r\f\v]*([+-]?)(\d*)/.exec(text);
  if (!m || m[2] === '') return 0;
  let value = 0;
  for (const digit of m[2]) {
    value = value * 10 + (digit.charCodeAt(0) - 48);
    if (value > 2 ** 31) break;
  }
  const signed = m[1] === '-' ? -value : value;
  return Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, signed));
}

/** A strict decimal integer (no sign unless allowed, no trailing text), or undefined. */
export function strictInt(text: string, allowNegative = false): number | undefined {
  const re = allowNegative ? /^-?\d+$/ : /^\d+$/;
  if (!re.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}
