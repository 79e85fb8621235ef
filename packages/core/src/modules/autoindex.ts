/**
 * autoindex_module (mod_autoindex.c): the listing of a directory that has no DirectoryIndex
 * file, where Options allows Indexes. IndexOptions, the icon, alt and description tables,
 * IndexIgnore, HeaderName/ReadmeName and the rest, with add_opts' checks and
 * merge_autoindex_configs' inheritance (options given without +/- replace inherited ones).
 */
import { atoi } from '../args.js';
import { OR_ALL, OR_INDEXES } from '../constants.js';
import type { CmdParms, DirectiveDef, ModuleDef } from '../module.js';

/** The IndexOptions flags, as mod_autoindex numbers them. */
export const AUTOINDEX = {
  NO_OPTIONS: 1 << 0,
  ICONS_ARE_LINKS: 1 << 1,
  SCAN_HTML_TITLES: 1 << 2,
  SUPPRESS_ICON: 1 << 3,
  SUPPRESS_LAST_MOD: 1 << 4,
  SUPPRESS_SIZE: 1 << 5,
  SUPPRESS_DESC: 1 << 6,
  SUPPRESS_PREAMBLE: 1 << 7,
  SUPPRESS_COLSORT: 1 << 8,
  SUPPRESS_RULES: 1 << 9,
  FOLDERS_FIRST: 1 << 10,
  VERSION_SORT: 1 << 11,
  TRACK_MODIFIED: 1 << 12,
  FANCY_INDEXING: 1 << 13,
  TABLE_INDEXING: 1 << 14,
  IGNORE_CLIENT: 1 << 15,
  IGNORE_CASE: 1 << 16,
  EMIT_XHTML: 1 << 17,
  SHOW_FORBIDDEN: 1 << 18,
  ADDALTCLASS: 1 << 19,
  OPTION_UNSET: 1 << 20,
} as const;

const FLAGS: Record<string, number> = {
  fancyindexing: AUTOINDEX.FANCY_INDEXING, foldersfirst: AUTOINDEX.FOLDERS_FIRST, htmltable: AUTOINDEX.TABLE_INDEXING,
  iconsarelinks: AUTOINDEX.ICONS_ARE_LINKS, ignorecase: AUTOINDEX.IGNORE_CASE, ignoreclient: AUTOINDEX.IGNORE_CLIENT,
  scanhtmltitles: AUTOINDEX.SCAN_HTML_TITLES, suppresscolumnsorting: AUTOINDEX.SUPPRESS_COLSORT,
  suppressdescription: AUTOINDEX.SUPPRESS_DESC, suppresshtmlpreamble: AUTOINDEX.SUPPRESS_PREAMBLE,
  suppressicon: AUTOINDEX.SUPPRESS_ICON, suppresslastmodified: AUTOINDEX.SUPPRESS_LAST_MOD, suppresssize: AUTOINDEX.SUPPRESS_SIZE,
  suppressrules: AUTOINDEX.SUPPRESS_RULES, trackmodified: AUTOINDEX.TRACK_MODIFIED, versionsort: AUTOINDEX.VERSION_SORT,
  xhtml: AUTOINDEX.EMIT_XHTML, showforbidden: AUTOINDEX.SHOW_FORBIDDEN, addaltclass: AUTOINDEX.ADDALTCLASS,
};

/** NameWidth/DescriptionWidth: not set here, a fixed width, or `*` (fit the longest). */
export type WidthAdjust = 'unset' | 'fixed' | 'adjust';

/** An AddIcon/AddAlt item: by path (file name pattern), MIME type or encoding. */
export interface AutoindexItem {
  by: 'path' | 'type' | 'encoding';
  /** The pattern (`*` and `?`); a path pattern without wildcards is a suffix (`*` prefixed). */
  applyTo: string;
  /** The section's path with `*` appended: the item applies to names under it. */
  applyPath: string;
  data: string;
}

/** AddDescription (ai_desc_t). */
export interface AutoindexDesc {
  pattern: string;
  description: string;
  fullPath: boolean;
  wildcards: boolean;
}

/** autoindex_config_rec. */
export interface AutoindexDirConfig {
  defaultIcon?: string;
  styleSheet?: string;
  headInsert?: string;
  header?: string;
  readme?: string;
  opts: number;
  incrementedOpts: number;
  decrementedOpts: number;
  nameWidth: number;
  nameAdjust: WidthAdjust;
  descWidth: number;
  descAdjust: WidthAdjust;
  iconWidth: number;
  iconHeight: number;
  /** IndexOrderDefault: N, M, S or D, and A or D; '' when unset. */
  defaultKey: string;
  defaultDirection: string;
  iconList: AutoindexItem[];
  altList: AutoindexItem[];
  descList: AutoindexDesc[];
  ignList: AutoindexItem[];
  ignNoInherit: boolean;
  ctype?: string;
  charset?: string;
  datetimeFormat?: string;
}

type Cmd = CmdParms<unknown, AutoindexDirConfig>;

/** ap_is_matchexp: the pattern has `*` or `?`. */
const isMatchExp = (s: string): boolean => /[*?]/.test(s);

function pushItem(list: AutoindexItem[], by: AutoindexItem['by'], to: string, path: string | undefined, data: string): void {
  list.push({ by, data, applyPath: `${path ?? ''}*`, applyTo: by === 'path' && !isMatchExp(to) ? `*${to}` : to });
}

function normalizeTo(by: AutoindexItem['by'], to: string): string {
  if (by === 'path' && to === '**DIRECTORY**') return '^^DIRECTORY^^';
  if (by === 'encoding') return to.toLowerCase();
  return to;
}

function addAlt(by: AutoindexItem['by']) {
  return (cmd: Cmd, alt: string, to: string): string | undefined => {
    pushItem(cmd.dirConfig.altList, by, normalizeTo(by, to), cmd.path, alt);
    return undefined;
  };
}

function addIcon(by: AutoindexItem['by']) {
  return (cmd: Cmd, icon: string, to: string): string | undefined => {
    let data = icon;
    if (icon.startsWith('(')) {
      const close = icon.indexOf(')');
      if (close < 0) return 'missing closing paren';
      // `(ALT,/icon.gif)`: the alt text up to the comma, the icon after it.
      const comma = icon.indexOf(',');
      const alt = comma < 0 ? icon.slice(1) : icon.slice(1, comma);
      pushItem(cmd.dirConfig.altList, by, normalizeTo(by, to), cmd.path, alt);
      data = comma < 0 ? '' : icon.slice(comma + 1, close);
    }
    pushItem(cmd.dirConfig.iconList, by, normalizeTo(by, to), cmd.path, data);
    return undefined;
  };
}

/** apr_fnmatch_test: the pattern has a wildcard (`*`, `?`, or a closed `[...]`). */
function fnmatchTest(s: string): boolean {
  let bracket = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '?' || c === '*') return true;
    if (c === '\\' && i + 1 < s.length) i++;
    else if (c === '[') bracket = true;
    else if (c === ']' && bracket) return true;
  }
  return false;
}

function addOpts(cmd: Cmd, argv: string[]): string | undefined {
  const d = cmd.dirConfig;
  let opts = d.opts;
  let add = d.incrementedOpts;
  let remove = d.decrementedOpts;
  for (const word of argv) {
    let w = word;
    let action = '';
    if (w.startsWith('+') || w.startsWith('-')) {
      action = w[0]!;
      w = w.slice(1);
    }
    const lower = w.toLowerCase();
    const option = FLAGS[lower] ?? 0;
    if (option === 0) {
      if (lower === 'none') {
        if (action !== '') return "Cannot combine '+' or '-' with 'None' keyword";
        opts = AUTOINDEX.NO_OPTIONS;
        add = 0;
        remove = 0;
      } else if (lower === 'iconwidth') {
        d.iconWidth = action !== '-' ? 20 : 0;
      } else if (lower.startsWith('iconwidth=')) {
        if (action === '-') return "Cannot combine '-' with IconWidth=n";
        d.iconWidth = atoi(w.slice(10));
      } else if (lower === 'iconheight') {
        d.iconHeight = action !== '-' ? 22 : 0;
      } else if (lower.startsWith('iconheight=')) {
        if (action === '-') return "Cannot combine '-' with IconHeight=n";
        d.iconHeight = atoi(w.slice(11));
      } else if (lower === 'namewidth') {
        if (action !== '-') return "NameWidth with no value may only appear as '-NameWidth'";
        d.nameWidth = 23;
        d.nameAdjust = 'fixed';
      } else if (lower.startsWith('namewidth=')) {
        if (action === '-') return "Cannot combine '-' with NameWidth=n";
        if (w[10] === '*') {
          d.nameAdjust = 'adjust';
        } else {
          const width = atoi(w.slice(10));
          if (width && width < 5) return 'NameWidth value must be greater than 5';
          d.nameWidth = width;
          d.nameAdjust = 'fixed';
        }
      } else if (lower === 'descriptionwidth') {
        if (action !== '-') return "DescriptionWidth with no value may only appear as '-DescriptionWidth'";
        d.descWidth = 23;
        d.descAdjust = 'fixed';
      } else if (lower.startsWith('descriptionwidth=')) {
        if (action === '-') return "Cannot combine '-' with DescriptionWidth=n";
        if (w[17] === '*') {
          d.descAdjust = 'adjust';
        } else {
          const width = atoi(w.slice(17));
          if (width && width < 12) return 'DescriptionWidth value must be greater than 12';
          d.descWidth = width;
          d.descAdjust = 'fixed';
        }
      } else if (lower.startsWith('type=')) {
        d.ctype = w.slice(5);
      } else if (lower.startsWith('charset=')) {
        d.charset = w.slice(8);
      } else if (lower === 'useolddateformat') {
        d.datetimeFormat = '%d-%b-%Y %H:%M';
      } else {
        return 'Invalid directory indexing option';
      }
    }
    if (action === '') {
      opts |= option;
      add = 0;
      remove = 0;
    } else if (action === '+') {
      add |= option;
      remove &= ~option;
    } else {
      remove |= option;
      add &= ~option;
    }
  }
  if (opts & AUTOINDEX.NO_OPTIONS && opts & ~AUTOINDEX.NO_OPTIONS) return "Cannot combine other IndexOptions keywords with 'None'";
  d.incrementedOpts = add;
  d.decrementedOpts = remove;
  d.opts = opts;
  return undefined;
}

/** merge_autoindex_configs. */
export function mergeAutoindexConfig(base: AutoindexDirConfig, add: AutoindexDirConfig): AutoindexDirConfig {
  const out: AutoindexDirConfig = {
    opts: 0, incrementedOpts: 0, decrementedOpts: 0,
    nameWidth: add.nameAdjust === 'unset' ? base.nameWidth : add.nameWidth,
    nameAdjust: add.nameAdjust === 'unset' ? base.nameAdjust : add.nameAdjust,
    descWidth: add.descAdjust === 'unset' ? base.descWidth : add.descWidth,
    descAdjust: add.descAdjust === 'unset' ? base.descAdjust : add.descAdjust,
    iconWidth: add.iconWidth || base.iconWidth,
    iconHeight: add.iconHeight || base.iconHeight,
    defaultKey: add.defaultKey || base.defaultKey,
    defaultDirection: add.defaultDirection || base.defaultDirection,
    altList: [...add.altList, ...base.altList],
    descList: [...add.descList, ...base.descList],
    iconList: [...add.iconList, ...base.iconList],
    ignList: add.ignNoInherit ? add.ignList : [...add.ignList, ...base.ignList],
    ignNoInherit: false,
  };
  for (const k of ['defaultIcon', 'styleSheet', 'headInsert', 'header', 'readme', 'ctype', 'charset', 'datetimeFormat'] as const) {
    const v = add[k] ?? base[k];
    if (v !== undefined) out[k] = v;
  }
  if (add.opts === AUTOINDEX.NO_OPTIONS) {
    out.opts = AUTOINDEX.NO_OPTIONS;
  } else {
    if (add.opts === AUTOINDEX.OPTION_UNSET) {
      out.incrementedOpts = (base.incrementedOpts | add.incrementedOpts) & ~add.decrementedOpts;
      out.decrementedOpts = base.decrementedOpts | add.decrementedOpts;
      out.opts = base.opts & ~AUTOINDEX.NO_OPTIONS;
    } else {
      out.opts = add.opts;
    }
    out.opts |= out.incrementedOpts;
    out.opts &= ~out.decrementedOpts;
  }
  return out;
}

const stringSlot = (field: 'defaultIcon' | 'styleSheet' | 'headInsert' | 'header' | 'readme') => (cmd: Cmd, v: string): string | undefined => {
  cmd.dirConfig[field] = v;
  return undefined;
};

const directives: Array<DirectiveDef<unknown, AutoindexDirConfig>> = [
  { name: 'AddIcon', arity: 'ITERATE2', context: OR_INDEXES, help: 'an icon URL followed by one or more filenames', set: addIcon('path') },
  { name: 'AddIconByType', arity: 'ITERATE2', context: OR_INDEXES, help: 'an icon URL followed by one or more MIME types', set: addIcon('type') },
  { name: 'AddIconByEncoding', arity: 'ITERATE2', context: OR_INDEXES, help: 'an icon URL followed by one or more content encodings', set: addIcon('encoding') },
  { name: 'AddAlt', arity: 'ITERATE2', context: OR_INDEXES, help: 'alternate descriptive text followed by one or more filenames', set: addAlt('path') },
  { name: 'AddAltByType', arity: 'ITERATE2', context: OR_INDEXES, help: 'alternate descriptive text followed by one or more MIME types', set: addAlt('type') },
  { name: 'AddAltByEncoding', arity: 'ITERATE2', context: OR_INDEXES, help: 'alternate descriptive text followed by one or more content encodings', set: addAlt('encoding') },
  { name: 'IndexOptions', arity: 'TAKE_ARGV', context: OR_INDEXES, help: 'one or more index options [+|-][]', set: addOpts },
  {
    name: 'IndexOrderDefault', arity: 'TAKE2', context: OR_INDEXES, help: '{Ascending,Descending} {Name,Size,Description,Date}',
    set: (cmd, direction, key) => {
      const dir = direction.toLowerCase();
      if (dir !== 'ascending' && dir !== 'descending') return "First keyword must be 'Ascending' or 'Descending'";
      cmd.dirConfig.defaultDirection = dir === 'ascending' ? 'A' : 'D';
      const k = ({ name: 'N', date: 'M', size: 'S', description: 'D' } as Record<string, string>)[key.toLowerCase()];
      if (k === undefined) return "Second keyword must be 'Name', 'Date', 'Size', or 'Description'";
      cmd.dirConfig.defaultKey = k;
      return undefined;
    },
  },
  {
    name: 'IndexIgnore', arity: 'ITERATE', context: OR_INDEXES, help: 'one or more file extensions',
    set: (cmd, ext) => {
      cmd.dirConfig.ignList.push({ by: 'path', applyTo: ext, applyPath: `${cmd.path ?? ''}*`, data: '' });
      return undefined;
    },
  },
  {
    name: 'IndexIgnoreReset', arity: 'FLAG', context: OR_INDEXES, help: 'Reset the inherited list of IndexIgnore filenames',
    set: (cmd, on) => {
      cmd.dirConfig.ignNoInherit = on;
      return undefined;
    },
  },
  {
    name: 'AddDescription', arity: 'ITERATE2', context: OR_INDEXES, help: 'Descriptive text followed by one or more filenames',
    set: (cmd, desc, to) => {
      const fullPath = to.includes('/');
      const wildcards = fullPath || fnmatchTest(to);
      cmd.dirConfig.descList.push({ fullPath, wildcards, description: desc, pattern: wildcards ? `${fullPath ? '*/' : '*'}${to}*` : to });
      return undefined;
    },
  },
  { name: 'HeaderName', arity: 'TAKE1', context: OR_INDEXES, help: 'a filename', set: stringSlot('header') },
  { name: 'ReadmeName', arity: 'TAKE1', context: OR_INDEXES, help: 'a filename', set: stringSlot('readme') },
  {
    name: 'FancyIndexing', arity: 'RAW_ARGS', context: OR_ALL,
    help: 'The FancyIndexing directive is no longer supported. Use IndexOptions FancyIndexing.',
    // ap_set_deprecated: the help text is the error.
    set: () => 'The FancyIndexing directive is no longer supported. Use IndexOptions FancyIndexing.',
  },
  { name: 'DefaultIcon', arity: 'TAKE1', context: OR_INDEXES, help: 'an icon URL', set: stringSlot('defaultIcon') },
  { name: 'IndexStyleSheet', arity: 'TAKE1', context: OR_INDEXES, help: 'URL to style sheet', set: stringSlot('styleSheet') },
  { name: 'IndexHeadInsert', arity: 'TAKE1', context: OR_INDEXES, help: 'String to insert in HTML HEAD section', set: stringSlot('headInsert') },
];

export const autoindexModule: ModuleDef<unknown, AutoindexDirConfig> = {
  name: 'autoindex_module',
  sourceFile: 'mod_autoindex.c',
  createDirConfig: () => ({
    opts: AUTOINDEX.OPTION_UNSET, incrementedOpts: 0, decrementedOpts: 0,
    nameWidth: 23, nameAdjust: 'unset', descWidth: 23, descAdjust: 'unset', iconWidth: 0, iconHeight: 0,
    defaultKey: '', defaultDirection: '', iconList: [], altList: [], descList: [], ignList: [], ignNoInherit: false,
  }),
  mergeDirConfig: mergeAutoindexConfig,
  directives,
};
