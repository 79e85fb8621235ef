/** <IfVersion [[!]op] version> as mod_version.c evaluates it. */
import type { Cursor } from './lexer.js';
import type { ConfigNode, DirectiveNode } from './types.js';
import type { ReadPass } from './read-pass.js';
import { getWordConf } from './words.js';

const HELP = 'a comparison operator, a version (and a delimiter)';
const BAD_VERSION =
  'Version appears to be invalid. It must have the format major[.minor[.patch]] where major, minor and patch are numbers.';

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** compare_version: -1, 0, 1 against the running version, or an error for a malformed one. */
export function compareVersion(text: string, running: { major: number; minor: number; patch: number }): number | { error: string } {
  if (!isDigit(text[0])) return { error: BAD_VERSION };
  const parts = [0, 0, 0];
  let c = 0;
  let start = 0;
  let p = 0;
  // Walks one past the end, as the C loop does over the terminating NUL.
  while (p <= text.length && c < 3) {
    const ch = text[p];
    if (ch === '.' || ch === undefined) {
      const n = Number(text.slice(start, p) || '0');
      parts[c++] = Number.isFinite(n) ? n : 0;
      start = ++p;
      continue;
    }
    if (!isDigit(ch)) break;
    p++;
  }
  if (p < text.length) return { error: BAD_VERSION };
  const mine = [running.major, running.minor, running.patch];
  for (let i = 0; i < 3; i++) {
    if (mine[i] > parts[i]) return 1;
    if (mine[i] < parts[i]) return -1;
  }
  return 0;
}

/** match_version: an extended regular expression against "major.minor.patch<add>". */
function matchVersion(source: string, running: string): boolean | { error: string } {
  let re: RegExp;
  try {
    re = new RegExp(source);
  } catch {
    return { error: 'Unable to compile regular expression' };
  }
  return re.test(running);
}

/** start_ifversion */
export function startIfVersion(pass: ReadPass, cursor: Cursor, node: DirectiveNode, into: ConfigNode[]): true | undefined {
  const { loc, includedFrom, args } = node;
  const fail = (code: 'E_ARGS' | 'E_VERSION' | 'E_SECTION_MISSING_ANGLE', m: string) => pass.fail(code, m, loc, includedFrom);
  // TAKE123
  const w1 = getWordConf(args);
  let pos = w1.next;
  let arg1: string | undefined = w1.word;
  let arg2: string | undefined;
  let arg3: string | undefined;
  if (pos < args.length) {
    const w = getWordConf(args, pos);
    arg2 = w.word;
    pos = w.next;
  }
  if (pos < args.length) {
    const w = getWordConf(args, pos);
    arg3 = w.word;
    pos = w.next;
  }
  if (arg1 === '' || pos < args.length) return fail('E_ARGS', `<IfVersion takes one, two or three arguments, ${HELP}`);

  if (arg2 === undefined) {
    arg2 = arg1;
    arg1 = '=';
  }
  if (arg3 === undefined && arg2 === '>') {
    arg3 = '>';
    arg2 = arg1;
    arg1 = '=';
  }
  let endp = arg2.length;
  if (endp === 0 || (arg3 !== '>' && arg2[--endp] !== '>')) {
    return fail('E_SECTION_MISSING_ANGLE', "<IfVersion> directive missing closing '>'");
  }
  let p = 0;
  let reverse = false;
  if (arg1[0] === '!') {
    reverse = true;
    if (arg1.length > 1) p++;
  }
  const c = arg1[p++];
  const rest = arg1.slice(p);
  const running = pass.host.version;
  const runningText = `${running.major}.${running.minor}.${running.patch}${pass.host.versionAddString ?? ''}`;
  let match: boolean | undefined;
  if (rest === '' || (rest === '=' && c !== '~')) {
    let start = 0;
    let regex = false;
    switch (c) {
      case '=':
        if (arg2[0] !== '/') {
          const r = compareVersion(arg2.slice(0, endp), running);
          if (typeof r !== 'number') return fail('E_VERSION', r.error);
          match = r === 0;
          break;
        }
        start = 1;
        if (endp === start || arg2[--endp] !== '/') return fail('E_VERSION', 'Missing delimiting / of regular expression.');
        regex = true;
        break;
      case '~':
        regex = true;
        break;
      case '<':
      case '>': {
        const r = compareVersion(arg2.slice(0, endp), running);
        if (typeof r !== 'number') return fail('E_VERSION', r.error);
        const want = c === '<' ? -1 : 1;
        match = r === want || (rest !== '' && r === 0);
        break;
      }
      default:
        break;
    }
    if (regex) {
      const r = matchVersion(arg2.slice(start, endp), runningText);
      if (typeof r !== 'boolean') return fail('E_VERSION', r.error);
      match = r;
    }
  }
  if (match === undefined) return fail('E_VERSION', `unrecognized operator '${arg1}'`);
  return pass.conditional(cursor, '<IfVersion', match !== reverse, node, into);
}
