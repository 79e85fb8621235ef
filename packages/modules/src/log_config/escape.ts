/**
 * Escapes a value for an access log line as httpd's `ap_escape_logitem` does:
 * `"` and `\` get a backslash, \b \n \r \t \v their C escapes, every other
 * control or non-ASCII byte becomes `\xhh` (lower-case hex).
 *
 * Strings are taken as binary strings (one char per byte, as `latin1`
 * decoding yields); a char above U+00FF is escaped byte by byte in UTF-8.
 */
export function escapeLogItem(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (code >= 0x20 && code < 0x7f && ch !== '"' && ch !== '\\') {
      out += ch;
      continue;
    }
    out += escapeChar(ch, code);
  }
  return out;
}

const C_ESCAPES: Readonly<Record<string, string>> = {
  '\b': '\\b',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '"': '\\"',
  '\\': '\\\\',
};

function escapeChar(ch: string, code: number): string {
  const named = C_ESCAPES[ch];
  if (named !== undefined) return named;
  if (code <= 0xff) return hexByte(code);
  let out = '';
  for (const byte of Buffer.from(ch, 'utf8')) out += hexByte(byte);
  return out;
}

function hexByte(byte: number): string {
  return '\\x' + byte.toString(16).padStart(2, '0');
}
