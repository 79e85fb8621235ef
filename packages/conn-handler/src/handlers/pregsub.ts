/**
 * ap_pregsub (util.c regsub_core): a substitution template with the groups of a match put in.
 * `$0`…`$9` are the groups (an unmatched one is empty); a backslash makes the next character
 * literal and is dropped.
 */
export function pregsub(template: string, match: RegExpExecArray): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    const next = template[i + 1];
    if (c === '$' && next !== undefined && next >= '0' && next <= '9') {
      out += match[Number(next)] ?? '';
      i++;
    } else if (c === '\\' && next !== undefined) {
      out += next;
      i++;
    } else {
      out += c;
    }
  }
  return out;
}
