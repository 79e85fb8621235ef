/**
 * Calling a directive's setter as Apache's invoke_cmd does: the override check first
 * ("X not allowed here" / "X not allowed in <Directory> context"), then the split of the
 * arguments by arity with Apache's exact messages, then the setter.
 */
import type { SectionNode } from '@prefork/config-parser';
import { getWordConf } from './args.js';
import {
  NOT_IN_DIRECTORY,
  NOT_IN_DIR_CONTEXT,
  NOT_IN_FILES,
  NOT_IN_HTACCESS,
  NOT_IN_LOCATION,
  NOT_IN_PROXY,
  NOT_IN_VIRTUALHOST,
  EXEC_ON_READ,
} from './constants.js';
import { ALL_METHODS, type CmdParms, type DirectiveDef } from './module.js';
import type { Arity } from './constants.js';

function withHelp(text: string, help: string): string {
  return help ? `${text}, ${help}` : text;
}

/** Runs the table row `def` for `args` (the text after the directive name). */
export function invokeDirective<S, D>(def: DirectiveDef<S, D>, cmd: CmdParms<S, D>, args: string): string | undefined {
  if ((cmd.override & def.context) === 0) {
    const parent = cmd.parents[cmd.parents.length - 1];
    return parent ? `${def.name} not allowed in <${parent.name}> context` : `${def.name} not allowed here`;
  }
  const split = splitArguments(def.name, def.arity, def.help, args);
  if (typeof split === 'string') return split;
  const set = def.set as (cmd: CmdParms<S, D>, ...a: unknown[]) => string | undefined;
  for (const call of split) {
    const err = set(cmd, ...call);
    if (err !== undefined) return err;
  }
  return undefined;
}

/**
 * invoke_cmd's split of a directive's arguments by arity: Apache's message when their number
 * is wrong, else the setter's calls (one; one per word for ITERATE, per word after the first
 * for ITERATE2). `name` and `help` are the table's, as the message spells them.
 */
export function splitArguments(name: string, arity: Arity, help: string, args: string): string | unknown[][] {
  switch (arity) {
    case 'RAW_ARGS':
      return [[args]];
    case 'TAKE_ARGV': {
      const argv: string[] = [];
      let rest = args;
      while (argv.length < 64) {
        const next = getWordConf(rest);
        if (next.word === '' && next.rest === '') break;
        argv.push(next.word);
        rest = next.rest;
        if (rest === '') break;
      }
      return [[argv]];
    }
    case 'NO_ARGS':
      if (args !== '') return `${name} takes no arguments`;
      return [[]];
    case 'TAKE1': {
      const w = getWordConf(args);
      if (w.word === '' || w.rest !== '') return withHelp(`${name} takes one argument`, help);
      return [[w.word]];
    }
    case 'TAKE2': {
      const w = getWordConf(args);
      const w2 = getWordConf(w.rest);
      if (w.word === '' || w2.word === '' || w2.rest !== '') return withHelp(`${name} takes two arguments`, help);
      return [[w.word, w2.word]];
    }
    case 'TAKE12': {
      const w = getWordConf(args);
      const w2 = getWordConf(w.rest);
      if (w.word === '' || w2.rest !== '') return withHelp(`${name} takes 1-2 arguments`, help);
      return [[w.word, w2.word === '' ? undefined : w2.word]];
    }
    case 'TAKE3': {
      const w = getWordConf(args);
      const w2 = getWordConf(w.rest);
      const w3 = getWordConf(w2.rest);
      if (w.word === '' || w2.word === '' || w3.word === '' || w3.rest !== '') {
        return withHelp(`${name} takes three arguments`, help);
      }
      return [[w.word, w2.word, w3.word]];
    }
    case 'TAKE23': {
      const w = getWordConf(args);
      const w2 = getWordConf(w.rest);
      const w3 = w2.rest !== '' ? getWordConf(w2.rest) : undefined;
      const rest = w3 ? w3.rest : w2.rest;
      if (w.word === '' || w2.word === '' || rest !== '') return withHelp(`${name} takes two or three arguments`, help);
      return [[w.word, w2.word, w3?.word]];
    }
    case 'TAKE123':
    case 'TAKE13': {
      const w = getWordConf(args);
      const w2 = w.rest !== '' ? getWordConf(w.rest) : undefined;
      const w3 = w2 && w2.rest !== '' ? getWordConf(w2.rest) : undefined;
      const rest = w3 ? w3.rest : w2 ? w2.rest : w.rest;
      if (arity === 'TAKE123') {
        if (w.word === '' || rest !== '') return withHelp(`${name} takes one, two or three arguments`, help);
        return [[w.word, w2?.word, w3?.word]];
      }
      if (w.word === '' || (w2 && w2.word !== '' && !w3) || rest !== '') {
        return withHelp(`${name} takes one or three arguments`, help);
      }
      return [[w.word, w2?.word, w3?.word]];
    }
    case 'ITERATE': {
      let w = getWordConf(args);
      if (w.word === '') return withHelp(`${name} requires at least one argument`, help);
      const calls: unknown[][] = [];
      while (w.word !== '') {
        calls.push([w.word]);
        w = getWordConf(w.rest);
      }
      return calls;
    }
    case 'ITERATE2': {
      const w = getWordConf(args);
      if (w.word === '' || w.rest === '') return withHelp(`${name} requires at least two arguments`, help);
      const calls: unknown[][] = [];
      let rest = w.rest;
      for (;;) {
        const w2 = getWordConf(rest);
        if (w2.word === '') break;
        calls.push([w.word, w2.word]);
        rest = w2.rest;
      }
      return calls;
    }
    case 'FLAG': {
      const w = getWordConf(args).word.toLowerCase();
      if (w !== 'on' && w !== 'off') return `${name} must be On or Off`;
      return [[w === 'on']];
    }
  }
}

/** Finds the nearest enclosing section whose name starts with `prefix` (find_parent). */
function findParent(parents: readonly SectionNode[], names: readonly string[]): SectionNode | undefined {
  for (let i = parents.length - 1; i >= 0; i--) {
    const p = parents[i];
    if (names.some((n) => p.name.toLowerCase() === n.toLowerCase())) return p;
  }
  return undefined;
}

/** Apache's ap_check_cmd_context. */
export function checkCmdContext(
  cmd: Pick<CmdParms, 'name' | 'server' | 'methodMask' | 'path' | 'parents'>,
  forbidden: number,
  context: number,
): string | undefined {
  const gt = cmd.name.startsWith('<') && !cmd.name.endsWith('>') ? '>' : '';
  if (forbidden & NOT_IN_VIRTUALHOST && cmd.server.isVirtual) {
    return `${cmd.name}${gt} cannot occur within <VirtualHost> section`;
  }
  if (forbidden & NOT_IN_DIR_CONTEXT && cmd.methodMask !== ALL_METHODS) {
    return `${cmd.name}${gt} cannot occur within <Limit> or <LimitExcept> section`;
  }
  if (forbidden & NOT_IN_HTACCESS) {
    // .htaccess files are not read by this package yet; nothing to forbid.
  }
  if ((forbidden & NOT_IN_DIR_CONTEXT) === NOT_IN_DIR_CONTEXT) {
    if (cmd.path !== undefined) return `${cmd.name}${gt} cannot occur within directory context`;
    if (context & EXEC_ON_READ) return undefined;
  }
  let found: SectionNode | undefined;
  if (forbidden & NOT_IN_DIRECTORY) found = findParent(cmd.parents, ['Directory', 'DirectoryMatch']);
  if (!found && forbidden & NOT_IN_LOCATION) found = findParent(cmd.parents, ['Location', 'LocationMatch']);
  if (!found && forbidden & NOT_IN_FILES) found = findParent(cmd.parents, ['Files', 'FilesMatch', 'If', 'ElseIf', 'Else']);
  if (!found && forbidden & NOT_IN_PROXY) found = findParent(cmd.parents, ['Proxy', 'ProxyMatch']);
  if (found) return `${cmd.name}${gt} cannot occur within <${found.name}> section`;
  return undefined;
}

/**
 * Apache's section handlers reject `<Directory /x` (no closing `>`) after their context
 * check; the read pass keeps the raw argument text so this can be told.
 */
export function unclosedSection(cmd: Pick<CmdParms, 'name' | 'node'>): string | undefined {
  const node = cmd.node;
  if (node.type !== 'section' || node.rawArgs === undefined || node.rawArgs.includes('>')) return undefined;
  return `${cmd.name}> directive missing closing '>'`;
}
