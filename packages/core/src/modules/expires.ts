/**
 * expires_module (mod_expires.c): ExpiresActive, ExpiresByType and ExpiresDefault give a
 * response `Expires` and `Cache-Control: max-age=…`, counted from the access (`A`, `now`,
 * `access`) or from the file's modification time (`M`, `modification`). Codes are checked as
 * check_code does and kept in its compact form (`A3600`).
 */
import { getWordConf } from '../args.js';
import { OR_INDEXES } from '../constants.js';
import type { ModuleDef } from '../module.js';

/** expires_dir_config. */
export interface ExpiresDirConfig {
  /** ExpiresActive; absent when the section does not say (it inherits). */
  active?: boolean;
  /** ExpiresByType: MIME type (as written; `major/*` a wildcard) and code, in order. */
  byType: Array<[mime: string, code: string]>;
  /** ExpiresDefault's code. */
  default?: string;
  /** An ExpiresByType of this section has a `major/*` type (only the section's own count after a merge). */
  wildcards: boolean;
}

const UNITS: Array<[prefix: string, seconds: number]> = [
  ['y', 60 * 60 * 24 * 365], ['mo', 60 * 60 * 24 * 30], ['w', 60 * 60 * 24 * 7], ['d', 60 * 60 * 24],
  ['h', 60 * 60], ['mi', 60], ['s', 1],
];

/** strncasecmp(word, full, n) === 0: the word's first n characters are full's (a shorter word never is). */
function prefixIs(word: string, full: string, n: number): boolean {
  return word.slice(0, n).toLowerCase() === full.slice(0, n);
}

/** check_code: `A<seconds>`/`M<seconds>` as they are, or `<base> [plus] {<num> <type>}*` compacted; a string on error. */
export function expiresCode(code: string): { code: string } | { error: string } {
  if (code.startsWith('A') || code.startsWith('M')) return { code };
  let rest = code;
  const next = (): string => {
    const w = getWordConf(rest);
    rest = w.rest;
    return w.word;
  };
  let word = next();
  let base: string;
  if (prefixIs(word, 'now', 1) || prefixIs(word, 'access', 1)) base = 'A';
  else if (prefixIs(word, 'modification', 1)) base = 'M';
  else return { error: `bad expires code, unrecognised <base> '${word}'` };
  word = next();
  if (prefixIs(word, 'plus', 1)) word = next();
  let seconds = 0;
  while (word !== '') {
    if (!/^[0-9]/.test(word)) return { error: `bad expires code, numeric value expected <num> '${word}'` };
    const num = Number(/^[0-9]+/.exec(word)![0]);
    const type = next();
    if (type === '') return { error: 'bad expires code, missing <type>' };
    const unit = UNITS.find(([p]) => prefixIs(type, p, p.length));
    if (!unit) return { error: `bad expires code, unrecognised <type>'${type}'` };
    seconds += unit[1] * num;
    word = next();
  }
  return { code: `${base}${seconds}` };
}

/** merge_expires_dir_configs: the later section's setting wins; its types are looked up first; wildcards are its own. */
export function mergeExpiresConfig(base: ExpiresDirConfig, add: ExpiresDirConfig): ExpiresDirConfig {
  const out: ExpiresDirConfig = { byType: [...add.byType, ...base.byType], wildcards: add.wildcards };
  const active = add.active ?? base.active;
  if (active !== undefined) out.active = active;
  const def = add.default ?? base.default;
  if (def !== undefined) out.default = def;
  return out;
}

export const expiresModule: ModuleDef<unknown, ExpiresDirConfig> = {
  name: 'expires_module',
  sourceFile: 'mod_expires.c',
  createDirConfig: () => ({ byType: [], wildcards: false }),
  mergeDirConfig: mergeExpiresConfig,
  directives: [
    {
      name: 'ExpiresActive', arity: 'FLAG', context: OR_INDEXES, help: "Limited to 'on' or 'off'",
      set: (cmd, on) => {
        cmd.dirConfig.active = on;
        return undefined;
      },
    },
    {
      name: 'ExpiresByType', arity: 'TAKE2', context: OR_INDEXES, help: 'a MIME type followed by an expiry date code',
      set: (cmd, mime, code) => {
        const slash = mime.lastIndexOf('/');
        if (slash < 0) return 'Invalid mimetype: should contain a slash';
        if (mime.slice(slash + 1) === '*') cmd.dirConfig.wildcards = true;
        const r = expiresCode(code);
        if ('error' in r) return `'ExpiresByType ${mime} ${code}': ${r.error}`;
        const list = cmd.dirConfig.byType;
        const at = list.findIndex(([m]) => m.toLowerCase() === mime.toLowerCase());
        if (at >= 0) list[at] = [list[at]![0], r.code];
        else list.push([mime, r.code]);
        return undefined;
      },
    },
    {
      name: 'ExpiresDefault', arity: 'TAKE1', context: OR_INDEXES, help: 'an expiry date code',
      set: (cmd, code) => {
        const r = expiresCode(code);
        if ('error' in r) return `'ExpiresDefault ${code}': ${r.error}`;
        cmd.dirConfig.default = r.code;
        return undefined;
      },
    },
  ],
};
