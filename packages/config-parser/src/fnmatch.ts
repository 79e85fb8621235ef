/**
 * File name patterns as APR has them (apr_fnmatch_test, apr_fnmatch with APR_FNM_PERIOD):
 * `*`, `?`, `[...]` (with `!` or `^` to negate, `a-z` ranges), `\` escapes the next character;
 * a leading `.` in a name is matched only by a literal `.`.
 */

/** apr_fnmatch_test: does the pattern hold a wildcard? `[` counts only with a later `]`. */
export function hasWildcard(pattern: string): boolean {
  let nesting = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '?' || c === '*') return true;
    if (c === '\\') {
      i++;
      if (i >= pattern.length) return false;
    } else if (c === '[') {
      nesting++;
    } else if (c === ']' && nesting) {
      return true;
    }
  }
  return false;
}

/** Matches one bracket expression at `p` (just after `[`); returns [matched, index after `]`] or undefined when not a valid bracket. */
function matchBracket(pattern: string, p: number, ch: string): [boolean, number] | undefined {
  let i = p;
  let negate = false;
  if (pattern[i] === '!' || pattern[i] === '^') {
    negate = true;
    i++;
  }
  let matched = false;
  let firstChar = true;
  while (i < pattern.length) {
    let c = pattern[i];
    if (c === ']' && !firstChar) {
      return [matched !== negate, i + 1];
    }
    firstChar = false;
    if (c === '\\' && i + 1 < pattern.length) {
      i++;
      c = pattern[i];
    }
    i++;
    if (pattern[i] === '-' && i + 1 < pattern.length && pattern[i + 1] !== ']') {
      let hi = pattern[i + 1];
      i += 2;
      if (hi === '\\' && i < pattern.length) {
        hi = pattern[i];
        i++;
      }
      if (c <= ch && ch <= hi) matched = true;
    } else if (c === ch) {
      matched = true;
    }
  }
  return undefined;
}

/** Does `name` (one path component) match `pattern`? */
export function fnmatch(pattern: string, name: string): boolean {
  if (name.startsWith('.') && !pattern.startsWith('.') && !pattern.startsWith('\\.')) return false;
  // Iterative matcher with one backtrack point for the last `*`: linear in practice.
  let p = 0;
  let n = 0;
  let starP = -1;
  let starN = -1;
  while (n < name.length) {
    const c = pattern[p];
    if (c === '*') {
      starP = ++p;
      starN = n;
      continue;
    }
    if (p < pattern.length) {
      if (c === '?') {
        p++;
        n++;
        continue;
      }
      if (c === '[') {
        const r = matchBracket(pattern, p + 1, name[n]);
        if (r !== undefined) {
          if (r[0]) {
            p = r[1];
            n++;
            continue;
          }
        } else if (name[n] === '[') {
          p++;
          n++;
          continue;
        }
      } else if (c === '\\' && p + 1 < pattern.length) {
        if (pattern[p + 1] === name[n]) {
          p += 2;
          n++;
          continue;
        }
      } else if (c === name[n]) {
        p++;
        n++;
        continue;
      }
    }
    if (starP >= 0) {
      p = starP;
      n = ++starN;
      continue;
    }
    return false;
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}
