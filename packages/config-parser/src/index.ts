/**
 * @prefork/config-parser: Apache httpd 2.4 configuration syntax, the read pass.
 */
import { ReadPass } from './read-pass.js';
import type { ReadOptions, ReadResult } from './types.js';

export type * from './types.js';
export { getWordConf, splitArgs, resolveEnv, type Word, type Resolved } from './words.js';
export { formatReadError, readErrorText } from './format.js';
export { escapeErrorLogBytes, escapeErrorLogItem } from './escape.js';
export { COMMAND_LINE_FILE } from './lexer.js';
export { MAX_INCLUDE_DEPTH } from './read-pass.js';
export { fnmatch, hasWildcard } from './fnmatch.js';

/**
 * Reads a configuration as Apache's read pass does: files are read, sections nested, and the
 * read-time directives (Include, Define, <IfModule> …, Macro/Use, and the host's
 * `execOnRead` ones such as LoadModule) carried out in order. Never throws on bad input:
 * failures come back in `errors` (by default only the first, where Apache stops).
 *
 * @example
 * const r = readConfig({ file: 'conf/httpd.conf', serverRoot: '/etc/apache2', host });
 * if (r.errors.length) console.error(formatReadError(r.errors[0], 'apache2'));
 */
export function readConfig(options: ReadOptions): ReadResult {
  return new ReadPass(options).run();
}
