/**
 * setenvif_module (mod_setenvif.c): SetEnvIf, SetEnvIfNoCase, BrowserMatch and
 * BrowserMatchNoCase set or unset request environment variables when an attribute of the
 * request (a header, or Remote_Addr, Remote_Host, Server_Addr, Request_Method,
 * Request_Protocol, Request_URI) matches a regular expression. Lines outside sections apply
 * before the URL is mapped (post_read_request), lines in sections after it (header_parser);
 * both run before access is checked, so `Require env` sees them. SetEnvIfExpr needs ap_expr,
 * which this server does not evaluate: it is accepted with a warning and never matches.
 */
import { getWordConf } from '../args.js';
import { OR_FILEINFO } from '../constants.js';
import type { DirectiveDef, ModuleDef } from '../module.js';
import { PF } from '../policy.js';

/** One condition (sei_entry): what is matched, how, and the variables it sets (value '!' unsets). */
export interface SetEnvIfEntry {
  /** The header name or special attribute as written; absent for SetEnvIfExpr. */
  attribute?: string;
  /** The attribute is a regular expression over header names (it has characters other than A-Z, a-z, 0-9, - and _). */
  attributeIsRegex?: boolean;
  /** The regular expression as written. */
  regex: string;
  /** Set when the regular expression uses no metacharacter: matched as a substring, escapes removed. */
  literal?: string;
  icase: boolean;
  /** In the order first set; a later line for the same condition replaces a variable's value (apr_table_setn). */
  features: Array<[name: string, value: string]>;
  /** SetEnvIfExpr's expression (never matches here). */
  expr?: string;
}

export interface SetEnvIfConfig {
  conditionals: SetEnvIfEntry[];
}

type Cmd = Parameters<DirectiveDef<SetEnvIfConfig, SetEnvIfConfig>['set']>[0];

const create = (): SetEnvIfConfig => ({ conditionals: [] });
const merge = (base: SetEnvIfConfig, add: SetEnvIfConfig): SetEnvIfConfig => ({ conditionals: [...base.conditionals, ...add.conditionals] });

/** non_regex_pattern: the text to search for when `regex` has no unescaped metacharacter; undefined otherwise. */
export function literalPattern(regex: string): string | undefined {
  let out = '';
  let escaped = false;
  for (const c of regex) {
    if (escaped) {
      out += c;
      escaped = false;
    } else if (c === '\\') {
      escaped = true;
    } else if ('^.$|()[]*+?{}'.includes(c)) {
      return undefined;
    } else {
      out += c;
    }
  }
  return escaped ? undefined : out;
}

/** add_envvars: `var`, `!var` or `var=value`, each at least once. */
function addFeatures(cmd: Cmd, entry: SetEnvIfEntry, args: string): string | undefined {
  let rest = args;
  let seen = 0;
  for (;;) {
    const w = getWordConf(rest);
    rest = w.rest;
    if (w.word === '') break;
    seen++;
    // ap_getword on '=': `var=value` sets, `!var` (or `!var=`) unsets, `var` (or `var=`) sets "1".
    const eq = w.word.indexOf('=');
    const name = eq >= 0 ? w.word.slice(0, eq) : w.word;
    const value = eq >= 0 ? w.word.slice(eq + 1) : '';
    const [key, v] = value !== '' ? [name, value] : name.startsWith('!') ? [name.slice(1), '!'] : [name, '1'];
    const at = entry.features.findIndex(([n]) => n === key);
    if (at >= 0) entry.features[at] = [key, v];
    else entry.features.push([key, v]);
  }
  if (seen === 0) return `Missing envariable expression for ${cmd.name}`;
  return undefined;
}

/** add_setenvif_core: the condition for `attribute` and the regular expression that starts `args`. */
function addCondition(cmd: Cmd, attribute: string, args: string, icase: boolean): string | undefined {
  const conf = cmd.path === undefined ? cmd.serverConfig : cmd.dirConfig;
  const r = getWordConf(args);
  if (r.word === '') return `Missing regular expression for ${cmd.name}`;
  const regex = r.word;
  const list = conf.conditionals;
  // Header names compare without case; a line for the same condition as the last adds to it.
  const same = list.find((e) => e.attribute !== undefined && e.attribute.toLowerCase() === attribute.toLowerCase());
  const name = same?.attribute ?? attribute;
  const last = list[list.length - 1];
  let entry: SetEnvIfEntry;
  if (last && last.attribute === name && last.icase === icase && last.regex === regex) {
    entry = last;
  } else {
    entry = { attribute: name, regex, icase, features: [] };
    const literal = literalPattern(regex);
    if (literal !== undefined) {
      entry.literal = literal;
    } else {
      try {
        new RegExp(regex, icase ? 'i' : '');
      } catch {
        return `${cmd.name} regex could not be compiled.`;
      }
    }
    if (!/^(remote_addr|remote_host|request_uri|request_method|request_protocol|server_addr)$/i.test(name) && !/^[-A-Za-z0-9_]*$/.test(name)) {
      try {
        new RegExp(name, icase ? 'i' : '');
      } catch {
        return `${cmd.name}Header name regex could not be compiled.`;
      }
      entry.attributeIsRegex = true;
    }
    list.push(entry);
  }
  return addFeatures(cmd, entry, r.rest);
}

function setEnvIf(icase: boolean) {
  return (cmd: Cmd, args: string): string | undefined => {
    const f = getWordConf(args);
    if (f.word === '') return `Missing header-field name for ${cmd.name}`;
    return addCondition(cmd, f.word, f.rest, icase);
  };
}

function browserMatch(icase: boolean) {
  return (cmd: Cmd, args: string): string | undefined => addCondition(cmd, 'User-Agent', args, icase);
}

export const setenvifModule: ModuleDef<SetEnvIfConfig, SetEnvIfConfig> = {
  name: 'setenvif_module',
  sourceFile: 'mod_setenvif.c',
  createServerConfig: create,
  mergeServerConfig: merge,
  createDirConfig: create,
  mergeDirConfig: merge,
  directives: [
    { name: 'SetEnvIf', arity: 'RAW_ARGS', context: OR_FILEINFO, help: 'A header-name, regex and a list of variables.', set: setEnvIf(false) },
    { name: 'SetEnvIfNoCase', arity: 'RAW_ARGS', context: OR_FILEINFO, help: 'a header-name, regex and a list of variables.', set: setEnvIf(true) },
    {
      name: 'SetEnvIfExpr', arity: 'RAW_ARGS', context: OR_FILEINFO, help: 'an expression and a list of variables.',
      set: (cmd, args) => {
        const conf = cmd.path === undefined ? cmd.serverConfig : cmd.dirConfig;
        const e = getWordConf(args);
        if (e.word === '') return `Missing expression for ${cmd.name}`;
        const entry: SetEnvIfEntry = { regex: '', icase: false, features: [], expr: e.word };
        conf.conditionals.push(entry);
        cmd.log({
          level: 'warn', module: 'setenvif', id: PF.EXPR_NOT_EVALUATED,
          message: `SetEnvIfExpr (on line ${cmd.node.loc.line} of ${cmd.node.loc.file}): expressions are not evaluated by this server; the line never sets its variables`,
        });
        return addFeatures(cmd, entry, e.rest);
      },
    },
    { name: 'BrowserMatch', arity: 'RAW_ARGS', context: OR_FILEINFO, help: 'A browser regex and a list of variables.', set: browserMatch(false) },
    { name: 'BrowserMatchNoCase', arity: 'RAW_ARGS', context: OR_FILEINFO, help: 'A browser regex and a list of variables.', set: browserMatch(true) },
  ],
};
