/** The line Apache prints for a read-pass failure. */
import { COMMAND_LINE_FILE } from './lexer.js';
import type { ConfigError } from './types.js';
import { escapeErrorLogItem } from './escape.js';

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
