/**
 * What Apache's error log does to every message (ap_escape_errorlog_item). A module with no
 * imports, so that the child program can load it (as `@prefork/config-parser/escape`) alone.
 */

/** Apache's MAX_STRING_LEN: the error log formats a message into a buffer of this many bytes. */
const MAX_STRING_LEN = 8192;

/**
 * Escapes bytes as ap_escape_errorlog_item: bytes that are not printable ASCII become `\xhh`
 * (`\n`, `\t`, `\r`, `\b`, `\v` get their short forms), a backslash is doubled, `"` stays.
 * The result stops before a piece that would make it longer than `limit` characters.
 */
export function escapeErrorLogBytes(bytes: Uint8Array, limit = Infinity): string {
  let out = '';
  for (const b of bytes) {
    let piece: string;
    if (b === 0x5c) piece = '\\\\';
    else if (b >= 0x20 && b < 0x7f) piece = String.fromCharCode(b);
    else if (b === 0x08) piece = '\\b';
    else if (b === 0x0a) piece = '\\n';
    else if (b === 0x0d) piece = '\\r';
    else if (b === 0x09) piece = '\\t';
    else if (b === 0x0b) piece = '\\v';
    else piece = `\\x${b.toString(16).padStart(2, '0')}`;
    if (out.length + piece.length > limit) break;
    out += piece;
  }
  return out;
}

/**
 * A message as the error log writes it: its UTF-8 bytes escaped, cut to fit Apache's 8 KiB
 * line buffer.
 */
export function escapeErrorLogItem(message: string): string {
  return escapeErrorLogBytes(Buffer.from(message, 'utf8').subarray(0, MAX_STRING_LEN - 1), MAX_STRING_LEN - 1);
}
