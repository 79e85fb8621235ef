/** The line Apache prints for a read-pass failure. */
import { COMMAND_LINE_FILE } from './lexer.js';
import type { ConfigError } from './types.js';

/** Apache's MAX_STRING_LEN: the error log formats a message into a buffer of this many bytes. */
const MAX_STRING_LEN = 8192;

/**
 * ap_escape_errorlog_item: what the error log does to every message. Bytes that are not
 * printable ASCII become `\xhh` (`\n`, `\t`, `\r`, `\b`, `\v` get their short forms), a
 * backslash is doubled, `"` stays. The result is cut to fit Apache's 8 KiB line buffer.
 */
export function escapeErrorLogItem(message: string): string {
  const bytes = Buffer.from(message, 'utf8').subarray(0, MAX_STRING_LEN - 1);
  const limit = MAX_STRING_LEN - 1;
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
 * Formats an error as Apache's main() logs it at startup, e.g.
 * `apache2: Syntax error on line 6 of /x/a.conf: </IfModule> without matching <IfModule> section`.
 * Each Include level adds its own `Syntax error on line N of FILE: ` (outermost first); a macro
 * expansion adds none (its lines are named after the macro); -C/-c directives give
 * `Syntax error in -C/-c directive: ` instead of a line. The text is escaped as the error log
 * escapes it (a message of several lines comes out as one, with `\n`).
 */
export function formatReadError(err: ConfigError, program: string): string {
  return escapeErrorLogItem(`${program}: ${readErrorText(err)}`);
}

/** The error as Apache builds it before logging: the nested "Syntax error" layers and the message. */
export function readErrorText(err: ConfigError): string {
  if (err.noLine) return err.message;
  const all = [...err.includedFrom, err.loc];
  const chain = [...err.includedFrom.filter((l) => l.via !== 'Use'), err.loc];
  let out = '';
  let i = 0;
  if (all[0].file === COMMAND_LINE_FILE) {
    out += 'Syntax error in -C/-c directive: ';
    i = 1;
  }
  for (; i < chain.length; i++) out += `Syntax error on line ${chain[i].line} of ${chain[i].file}: `;
  return out + err.message;
}
