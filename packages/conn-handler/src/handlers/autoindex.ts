/**
 * mod_autoindex's handler: the listing of a directory (index_directory). Entries are the
 * directory's files and subdirectories that IndexIgnore does not hide and whose own access
 * check passes (a denied entry is left out, as its failed subrequest leaves it out), sorted by
 * the query's column and direction (C=, O=), in the format IndexOptions and F= choose: a list,
 * a preformatted table of columns (FancyIndexing) or an HTML table (HTMLTable). HeaderName and
 * ReadmeName files are put around it: HTML ones as they are, other text ones escaped in <pre>.
 * File names are bytes read as Latin-1, as everywhere in the child, and written back as such.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AUTOINDEX, mergeAutoindexConfig, type AutoindexDirConfig, type AutoindexItem } from '@prefork/core/autoindex';
import { bytePath } from '../logs.js';
import { escapeHtml } from '../http/status.js';
import { cachedRegExp } from '../regex-cache.js';

/** What the listing needs from the request and the server. */
export interface AutoindexRequest {
  /** r->uri, ending in '/'. */
  uri: string;
  /** The directory's path, ending in '/'. */
  dir: string;
  args?: string;
  /** The per-directory configuration of mod_autoindex for the directory, merged. */
  conf: AutoindexDirConfig;
  /** Whether a subrequest for this path (a directory when `isDir`) would be let through. */
  allowed(filename: string, isDir: boolean, uri: string): boolean;
  /** The content type mod_mime gives a file. */
  typeOf(filename: string): string | undefined;
  /** ap_psignature("", r): the ServerSignature line, '' when Off. */
  signature: string;
}

/** The listing: its HTML, and whether a header or readme was run as a subrequest (the response is then streamed). */
export interface AutoindexResult {
  contentType: string;
  html: string;
  streamed: boolean;
}

const DOCTYPE_HTML = '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">\n';
const DOCTYPE_XHTML = '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"\n"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n';

/** The merged configuration over the server's and the sections' (those with mod_autoindex lines). */
export function autoindexConfigFor(server: AutoindexDirConfig, sections: ReadonlyArray<{ autoindex?: AutoindexDirConfig }>): AutoindexDirConfig {
  let conf = server;
  for (const s of sections) if (s.autoindex) conf = mergeAutoindexConfig(conf, s.autoindex);
  return conf;
}

/**
 * ap_os_escape_path: bytes outside the path-safe set as %xx (lower-case hex). Not `partial`, a
 * leading `x:` is protected by `./`; `partial` is ap_escape_uri.
 */
export function osEscapePath(p: string, partial = false): string {
  const colon = p.indexOf(':');
  const slash = p.indexOf('/');
  let out = !partial && colon >= 0 && (slash < 0 || colon < slash) ? './' : '';
  for (const c of p) {
    out += /[A-Za-z0-9$\-_.+!*'(),:;@&=/~]/.test(c) ? c : '%' + (c.charCodeAt(0) & 0xff).toString(16).padStart(2, '0');
  }
  return out;
}

/** ap_strcmp_match (and the case-blind form): `*` any run, `?` any one character. */
export function strcmpMatch(str: string, pattern: string, caseBlind = false): boolean {
  let re = '^';
  for (const c of pattern) re += c === '*' ? '[\\s\\S]*' : c === '?' ? '[\\s\\S]' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  // Patterns come from the configuration: each is compiled once.
  return cachedRegExp(re + '$', caseBlind).test(str);
}

/** apr_fnmatch: `*`, `?`, `[...]` (with `!`/`^`), backslash escapes unless `noEscape`; with `period` a leading dot must be matched by a dot. */
export function fnmatch(pattern: string, name: string, opts: { noEscape?: boolean; period?: boolean } = {}): boolean {
  if (opts.period && name.startsWith('.') && !pattern.startsWith('.')) return false;
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[\\s\\S]*';
    else if (c === '?') re += '[\\s\\S]';
    else if (c === '\\' && !opts.noEscape && i + 1 < pattern.length) re += pattern[++i]!.replace(/[.+^${}()|[\]\\*?]/g, '\\$&');
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) {
        re += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, close);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      re += `[${negate ? '^' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`;
      i = close;
    } else re += c.replace(/[.+^${}()|\]\\]/g, '\\$&');
  }
  // Not cached: a P= pattern comes from the client.
  try {
    return new RegExp(re + '$').test(name);
  } catch {
    return false;
  }
}

/** apr_strnatcmp / apr_strnatcasecmp (Martin Pool's natural order). */
export function strnatcmp(a: string, b: string, foldCase = false): number {
  const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
  const isSpace = (c: string | undefined): boolean => c !== undefined && /[ \t\n\v\f\r]/.test(c);
  let ai = 0;
  let bi = 0;
  for (;;) {
    while (isSpace(a[ai])) ai++;
    while (isSpace(b[bi])) bi++;
    let ca = a[ai];
    let cb = b[bi];
    if (isDigit(ca) && isDigit(cb)) {
      const fractional = ca === '0' || cb === '0';
      const r = fractional ? compareLeft(a, ai, b, bi) : compareRight(a, ai, b, bi);
      if (r !== 0) return r;
    }
    if (ca === undefined && cb === undefined) return 0;
    if (foldCase) {
      ca = ca?.toUpperCase();
      cb = cb?.toUpperCase();
    }
    const x = ca === undefined ? 0 : ca.charCodeAt(0);
    const y = cb === undefined ? 0 : cb.charCodeAt(0);
    if (x < y) return -1;
    if (x > y) return 1;
    ai++;
    bi++;
  }

  function compareRight(s: string, i: number, t: string, j: number): number {
    let bias = 0;
    for (;; i++, j++) {
      const dx = isDigit(s[i]);
      const dy = isDigit(t[j]);
      if (!dx && !dy) return bias;
      if (!dx) return -1;
      if (!dy) return 1;
      if (s[i]! < t[j]!) {
        if (!bias) bias = -1;
      } else if (s[i]! > t[j]!) {
        if (!bias) bias = 1;
      }
    }
  }
  function compareLeft(s: string, i: number, t: string, j: number): number {
    for (;; i++, j++) {
      const dx = isDigit(s[i]);
      const dy = isDigit(t[j]);
      if (!dx && !dy) return 0;
      if (!dx) return -1;
      if (!dy) return 1;
      if (s[i]! < t[j]!) return -1;
      if (s[i]! > t[j]!) return 1;
    }
  }
}

/** apr_strfsize: a size in four characters. */
export function strfsize(size: number): string {
  if (size < 0) return '  - ';
  if (size < 973) return `${String(size).padStart(3)} `;
  const units = 'KMGTPE';
  let o = 0;
  let s = size;
  for (;;) {
    let remain = s % 1024;
    s = Math.floor(s / 1024);
    if (s >= 973) {
      o++;
      continue;
    }
    if (s < 9 || (s === 9 && remain < 973)) {
      remain = Math.floor((remain * 5 + 256) / 512);
      if (remain >= 10) {
        s++;
        remain = 0;
      }
      return `${s}.${remain}${units[o]}`;
    }
    if (remain >= 512) s++;
    return `${String(s).padStart(3)}${units[o]}`;
  }
}

/** apr_strcmp: C's byte order. */
const strcmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const strcasecmp = (a: string, b: string): number => strcmp(a.toLowerCase(), b.toLowerCase());

/** find_item: the first item whose section path and pattern (or type, for files) match. */
function findItem(list: readonly AutoindexItem[], filePath: string, type: string | undefined, pathOnly: boolean): string | undefined {
  for (const p of list) {
    if (!(filePath.startsWith('^') || strcmpMatch(filePath, p.applyPath))) continue;
    if (p.applyTo === '') return p.data;
    if (p.by === 'path' || filePath.startsWith('^')) {
      if (strcmpMatch(filePath, p.applyTo)) return p.data;
    } else if (!pathOnly && p.by === 'type') {
      if (type !== undefined && strcmpMatch(type, p.applyTo, true)) return p.data;
    }
  }
  return undefined;
}

/** find_desc: the first AddDescription whose pattern matches (by wildcard, else as a substring). */
function findDesc(conf: AutoindexDirConfig, full: string): string | undefined {
  const only = full.slice(full.lastIndexOf('/') + 1);
  for (const d of conf.descList) {
    const name = d.fullPath ? full : only;
    if (d.wildcards ? fnmatch(d.pattern, name) : name.includes(d.pattern)) return d.description;
  }
  return undefined;
}

/** ignore_entry: an IndexIgnore pattern of a section the path is under matches its last component. */
function ignored(conf: AutoindexDirConfig, full: string): boolean {
  const tt = full.slice(full.lastIndexOf('/') + 1);
  return conf.ignList.some((p) => strcmpMatch(full, p.applyPath) && strcmpMatch(tt, p.applyTo.slice(p.applyTo.lastIndexOf('/') + 1)));
}

interface Entry {
  name: string;
  icon?: string;
  alt?: string;
  desc?: string;
  size: number;
  lm: number;
  isdir: boolean;
}

/** find_title: the text of a file's <title>, line breaks as spaces. */
function findTitle(file: string): string | undefined {
  let text: string;
  try {
    const fd = fs.openSync(bytePath(file), 'r');
    const buf = Buffer.alloc(8191);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    fs.closeSync(fd);
    text = buf.subarray(0, n).toString('latin1');
  } catch {
    return undefined;
  }
  const at = text.toLowerCase().indexOf('<title>');
  if (at < 0) return undefined;
  let t = text.slice(at + 7);
  const end = t.indexOf('<');
  if (end >= 0) t = t.slice(0, end);
  return t.replace(/^[\r\n]+/, '').replace(/[\r\n]/g, ' ');
}

/** terminate_description: a description cut to the width, tags not counted, `&…;` counted as one. */
function terminateDescription(conf: AutoindexDirConfig, desc: string, opts: number, width: number): string {
  let max = width;
  if (conf.descAdjust === 'unset') {
    if (opts & AUTOINDEX.SUPPRESS_ICON) max += 6;
    if (opts & AUTOINDEX.SUPPRESS_LAST_MOD) max += 19;
    if (opts & AUTOINDEX.SUPPRESS_SIZE) max += 7;
  }
  let x = 0;
  for (; x < desc.length && (max > 0 || desc[x] === '<'); x++) {
    if (desc[x] === '<') {
      while (desc[x] !== '>') {
        if (x >= desc.length) {
          max = 0;
          break;
        }
        x++;
      }
    } else if (desc[x] === '&') {
      max--;
      for (; desc[x] !== ';'; x++) {
        if (x >= desc.length) {
          max = 0;
          break;
        }
      }
    } else {
      max--;
    }
  }
  if (!max && x < desc.length) return desc.slice(0, x - 1) + '>';
  return desc;
}

/** strftime's %Y-%m-%d %H:%M (or %d-%b-%Y %H:%M) in local time. */
function formatTime(ms: number, format: string | undefined): string {
  const d = new Date(ms);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const hm = `${p2(d.getHours())}:${p2(d.getMinutes())}`;
  if (format === '%d-%b-%Y %H:%M') {
    const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getMonth()];
    return `${p2(d.getDate())}-${mon}-${d.getFullYear()} ${hm}`;
  }
  return `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())} ${hm}`;
}

/** The query's settings (C=, O=, F=, V=, P=), and what the column links carry over. */
function readQuery(args: string | undefined, opts: number, key: string, direction: string): { opts: number; key: string; direction: string; pattern?: string; colargs: string } {
  if (opts & AUTOINDEX.IGNORE_CLIENT) return { opts: opts | AUTOINDEX.SUPPRESS_COLSORT, key, direction, colargs: '' };
  let fval = '';
  let vval = '';
  let ppre = '';
  let epattern = '';
  let pattern: string | undefined;
  let q = args ?? '';
  const ends = (c: string | undefined): boolean => c === '&' || c === ';' || c === undefined;
  while (q.length > 0) {
    if (q[0] === 'C' && q[1] === '=' && q[2] !== undefined && 'NMSD'.includes(q[2]) && ends(q[3])) {
      key = q[2];
      q = q.slice(q[3] ? 4 : 3);
    } else if (q[0] === 'O' && q[1] === '=' && (q[2] === 'A' || q[2] === 'D') && ends(q[3])) {
      direction = q[2];
      q = q.slice(q[3] ? 4 : 3);
    } else if (q[0] === 'F' && q[1] === '=' && q[2] !== undefined && '012'.includes(q[2]) && ends(q[3])) {
      if (q[2] === '0') opts &= ~(AUTOINDEX.FANCY_INDEXING | AUTOINDEX.TABLE_INDEXING);
      else if (q[2] === '1') opts = (opts | AUTOINDEX.FANCY_INDEXING) & ~AUTOINDEX.TABLE_INDEXING;
      else opts |= AUTOINDEX.FANCY_INDEXING | AUTOINDEX.TABLE_INDEXING;
      fval = `;F=${q[2]}`;
      q = q.slice(q[3] ? 4 : 3);
    } else if (q[0] === 'V' && q[1] === '=' && (q[2] === '0' || q[2] === '1') && ends(q[3])) {
      if (q[2] === '0') opts &= ~AUTOINDEX.VERSION_SORT;
      else opts |= AUTOINDEX.VERSION_SORT;
      vval = `;V=${q[2]}`;
      q = q.slice(q[3] ? 4 : 3);
    } else if (q[0] === 'P' && q[1] === '=') {
      q = q.slice(2);
      let eos = 0;
      while (eos < q.length && q[eos] !== '&' && q[eos] !== ';') eos++;
      if (eos === 0) {
        pattern = undefined;
      } else {
        const raw = q.slice(0, eos);
        const un = unescapePattern(raw);
        if (un === undefined) {
          pattern = undefined;
        } else {
          pattern = un;
          ppre = ';P=';
          epattern = osEscapePath(un, true);
        }
      }
      q = eos < q.length && eos + 1 < q.length ? q.slice(eos + 1) : '';
    } else {
      // A syntax error: the rest is ignored.
      q = '';
    }
  }
  return { opts, key, direction, ...(pattern !== undefined ? { pattern } : {}), colargs: `${fval}${vval}${ppre}${epattern}` };
}

/** ap_unescape_url for P=: %xx decoded; a bad escape, %00 or an encoded '/' refuses the pattern. */
function unescapePattern(s: string): string | undefined {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '%') {
      out += s[i];
      continue;
    }
    const hex = s.slice(i + 1, i + 3);
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
    const c = parseInt(hex, 16);
    if (c === 0 || c === 0x2f) return undefined;
    out += String.fromCharCode(c);
    i += 2;
  }
  return out;
}

/** A header or readme file: its text and whether it is HTML; undefined when it cannot be shown. */
function sideFile(req: AutoindexRequest, name: string | undefined): { text: string; html: boolean } | undefined {
  if (name === undefined) return undefined;
  const uri = name.startsWith('/') ? name : req.uri + name;
  // ap_sub_req_lookup_uri below DocumentRoot: a relative name is in the listed directory.
  const file = name.startsWith('/') ? undefined : req.dir + name;
  if (file === undefined) return undefined;
  let st: fs.Stats;
  try {
    st = fs.statSync(bytePath(file));
  } catch {
    return undefined;
  }
  if (!st.isFile() || !req.allowed(file, false, uri)) return undefined;
  const type = req.typeOf(file)?.replace(/;.*$/s, '').trim().toLowerCase();
  if (type === undefined) return undefined;
  const html = type === 'text/html' || type === 'application/xhtml+xml';
  if (!html && !type.startsWith('text/')) return undefined;
  try {
    return { text: fs.readFileSync(bytePath(file)).toString('latin1'), html };
  } catch {
    return undefined;
  }
}

/** do_emit_plain: a text file in <pre>, its markup characters escaped. */
const emitPlain = (text: string): string => `<pre>\n${text.replace(/[<>&]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&amp;'))}</pre>\n`;

/** index_directory: the whole listing page. */
export function indexDirectory(req: AutoindexRequest): AutoindexResult {
  const d = req.conf;
  const ctype = d.ctype ?? 'text/html';
  const charset = d.charset ?? 'UTF-8';
  const contentType = charset ? `${ctype};charset=${charset}` : ctype;
  const q = readQuery(req.args, d.opts, d.defaultKey || 'N', d.defaultDirection || 'A');
  const opts = q.opts;
  const { key, direction } = q;
  const xhtml = (opts & AUTOINDEX.EMIT_XHTML) !== 0;
  let title = escapeHtml(req.uri);
  while (title.length > 1 && title.endsWith('/')) title = title.slice(0, -1);
  let out = '';
  let streamed = false;

  // emit_head
  const preamble = (): string =>
    (xhtml ? `${DOCTYPE_XHTML}<html xmlns="http://www.w3.org/1999/xhtml">\n <head>\n  <title>Index of ${title}</title>\n` : `${DOCTYPE_HTML}<html>\n <head>\n  <title>Index of ${title}</title>\n`)
    + (d.styleSheet !== undefined ? `  <link rel="stylesheet" href="${d.styleSheet}" type="text/css"${xhtml ? ' />\n' : '>\n'}` : '')
    + (d.headInsert ?? '') + ' </head>\n <body>\n';
  const suppressAmble = (opts & AUTOINDEX.SUPPRESS_PREAMBLE) !== 0;
  let emitAmble = true;
  let emitH1 = true;
  const header = sideFile(req, d.header);
  if (header?.html) {
    emitAmble = false;
    emitH1 = false;
    if (!suppressAmble) out += preamble();
    out += header.text;
    streamed = true;
  } else if (header) {
    out += preamble() + emitPlain(header.text);
    emitAmble = false;
    emitH1 = false;
  }
  if (emitAmble) out += preamble();
  if (emitH1) out += d.styleSheet !== undefined ? `  <h1 id="indextitle">Index of ${title}</h1>\n` : `<h1>Index of ${title}</h1>\n`;

  // The entries: the parent, then the directory's own.
  const entries: Entry[] = [];
  const fancy = (opts & (AUTOINDEX.FANCY_INDEXING | AUTOINDEX.TABLE_INDEXING)) !== 0;
  const parentUri = path.posix.normalize(req.uri + '../');
  const parentTest = req.dir + '..';
  if (req.uri !== '/' && !ignored(d, parentTest)) {
    const p: Entry = { name: parentUri, size: -1, lm: -1, isdir: false };
    if (opts & AUTOINDEX.FANCY_INDEXING) {
      p.icon = findItem(d.iconList, parentTest, undefined, true) ?? findItem(d.iconList, '^^DIRECTORY^^', undefined, true);
      p.alt = findItem(d.altList, parentTest, undefined, true) ?? findItem(d.altList, '^^DIRECTORY^^', undefined, true) ?? 'PARENTDIR';
      const desc = findDesc(d, parentTest);
      if (desc !== undefined) p.desc = desc;
    }
    entries.push(p);
  }
  let names: string[];
  try {
    names = fs.readdirSync(bytePath(req.dir), { encoding: 'buffer' }).map((b) => b.toString('latin1'));
  } catch {
    names = [];
  }
  for (const name of names) {
    if (name === '.' || name === '..') continue;
    if (q.pattern !== undefined && !fnmatch(q.pattern, name, { noEscape: true, period: true })) continue;
    const full = req.dir + name;
    if (ignored(d, full)) continue;
    let st: fs.Stats;
    try {
      st = fs.statSync(bytePath(full));
    } catch {
      continue;
    }
    if (!st.isDirectory() && !st.isFile()) continue;
    const isDir = st.isDirectory();
    const showForbidden = (opts & AUTOINDEX.SHOW_FORBIDDEN) !== 0;
    const allowed = req.allowed(full, isDir, req.uri + name + (isDir ? '/' : ''));
    if (!allowed && !showForbidden) continue;
    const e: Entry = { name: isDir ? `${name}/` : name, size: -1, lm: -1, isdir: false };
    if (fancy) {
      e.lm = st.mtimeMs;
      if (isDir) {
        if (opts & AUTOINDEX.FOLDERS_FIRST) e.isdir = true;
        e.icon = findItem(d.iconList, full, undefined, true) ?? findItem(d.iconList, '^^DIRECTORY^^', undefined, true);
        e.alt = findItem(d.altList, full, undefined, true) ?? findItem(d.altList, '^^DIRECTORY^^', undefined, true) ?? 'DIR';
      } else {
        // A refused subrequest stops before mod_mime gives it a type.
        const type = allowed ? req.typeOf(full)?.replace(/;.*$/s, '').trim() : undefined;
        const icon = findItem(d.iconList, full, type, false);
        if (icon !== undefined) e.icon = icon;
        const alt = findItem(d.altList, full, type, false);
        if (alt !== undefined) e.alt = alt;
        e.size = st.size;
      }
      const desc = findDesc(d, full) ?? (opts & AUTOINDEX.SCAN_HTML_TITLES && !isDir && /^(text\/html|application\/xhtml\+xml)/i.test(req.typeOf(full) ?? '') ? findTitle(full) : undefined);
      if (desc !== undefined) e.desc = desc;
    }
    if (key === 'M' && e.lm < 0) e.lm = 0;
    entries.push(e);
  }

  // dsortf
  const ascending = direction === 'A';
  const versionSort = (opts & AUTOINDEX.VERSION_SORT) !== 0;
  const ignoreCase = (opts & AUTOINDEX.IGNORE_CASE) !== 0;
  entries.sort((e1, e2) => {
    if (e1.name.startsWith('/')) return -1;
    if (e2.name.startsWith('/')) return 1;
    if (e1.isdir !== e2.isdir) return e1.isdir ? -1 : 1;
    const [c1, c2] = ascending ? [e1, e2] : [e2, e1];
    if (key === 'M') {
      if (c1.lm > c2.lm) return 1;
      if (c1.lm < c2.lm) return -1;
    } else if (key === 'S') {
      if (c1.size > c2.size) return 1;
      if (c1.size < c2.size) return -1;
    } else if (key === 'D') {
      const r = versionSort ? strnatcmp(c1.desc ?? '', c2.desc ?? '') : strcmp(c1.desc ?? '', c2.desc ?? '');
      if (r) return r;
    }
    let r = 0;
    if (versionSort) {
      if (ignoreCase) r = strnatcmp(c1.name, c2.name, true);
      if (!r) r = strnatcmp(c1.name, c2.name);
    }
    if (!r && ignoreCase) r = strcasecmp(c1.name, c2.name);
    if (!r) r = strcmp(c1.name, c2.name);
    return r;
  });

  out += outputDirectories(entries, d, opts, key, direction, q.colargs);

  // emit_tail
  const readme = sideFile(req, d.readme);
  let suppressSig = false;
  let suppressPost = false;
  if (readme?.html) {
    out += readme.text;
    suppressSig = true;
    suppressPost = suppressAmble;
    streamed = true;
  } else if (readme) {
    out += emitPlain(readme.text);
    suppressSig = true;
  }
  if (!suppressSig) out += req.signature;
  if (!suppressPost) out += '</body></html>\n';
  return { contentType, html: out, streamed };
}

/** output_directories: the entries in the chosen format. */
function outputDirectories(ar: readonly Entry[], d: AutoindexDirConfig, opts: number, key: string, direction: string, colargs: string): string {
  let out = '';
  const staticColumns = (opts & AUTOINDEX.SUPPRESS_COLSORT) !== 0;
  const xhtml = (opts & AUTOINDEX.EMIT_XHTML) !== 0;
  const ss = d.styleSheet !== undefined;
  let nameWidth = d.nameWidth;
  let descWidth = d.descWidth;
  if ((opts & (AUTOINDEX.FANCY_INDEXING | AUTOINDEX.TABLE_INDEXING)) === AUTOINDEX.FANCY_INDEXING) {
    if (d.nameAdjust === 'adjust') for (const e of ar) nameWidth = Math.max(nameWidth, e.name.length);
    if (d.descAdjust === 'adjust') for (const e of ar) if (e.desc !== undefined) descWidth = Math.max(descWidth, e.desc.length);
  }
  const pad = ' '.repeat(nameWidth);
  const link = (anchor: string, column: string): string => {
    if (staticColumns) return anchor;
    const dir = key === column && direction === 'A' ? 'D' : 'A';
    return `<a href="?C=${column};O=${dir}${colargs}">${anchor}</a>`;
  };
  const dims = (): string => (d.iconWidth ? ` width="${d.iconWidth}"` : '') + (d.iconHeight ? ` height="${d.iconHeight}"` : '') + (xhtml ? ' /' : '');
  const blank = findItem(d.iconList, '^^BLANKICON^^', undefined, true);
  let breakrow = '';
  if (opts & AUTOINDEX.TABLE_INDEXING) {
    let cols = 1;
    out += ss ? '  <table id="indexlist">\n   <tr class="indexhead">' : '  <table>\n   <tr>';
    if (!(opts & AUTOINDEX.SUPPRESS_ICON)) {
      out += ss ? '<th class="indexcolicon">' : '<th valign="top">';
      out += blank !== undefined ? `<img src="${escapeHtml(blank)}" alt="[ICO]"${dims()}></th>` : '&nbsp;</th>';
      cols++;
    }
    out += (ss ? '<th class="indexcolname">' : '<th>') + link('Name', 'N');
    if (!(opts & AUTOINDEX.SUPPRESS_LAST_MOD)) {
      out += (ss ? '</th><th class="indexcollastmod">' : '</th><th>') + link('Last modified', 'M');
      cols++;
    }
    if (!(opts & AUTOINDEX.SUPPRESS_SIZE)) {
      out += (ss ? '</th><th class="indexcolsize">' : '</th><th>') + link('Size', 'S');
      cols++;
    }
    if (!(opts & AUTOINDEX.SUPPRESS_DESC)) {
      out += (ss ? '</th><th class="indexcoldesc">' : '</th><th>') + link('Description', 'D');
      cols++;
    }
    if (!(opts & AUTOINDEX.SUPPRESS_RULES)) breakrow = `   <tr${ss ? ' class="indexbreakrow"' : ''}><th colspan="${cols}"><hr${xhtml ? ' /' : ''}></th></tr>\n`;
    out += '</th></tr>\n' + breakrow;
  } else if (opts & AUTOINDEX.FANCY_INDEXING) {
    out += '<pre>';
    if (!(opts & AUTOINDEX.SUPPRESS_ICON)) out += blank !== undefined ? `<img src="${escapeHtml(blank)}" alt="Icon "${dims()}> ` : '      ';
    out += link('Name', 'N') + pad.slice(4) + ' ';
    if (!(opts & AUTOINDEX.SUPPRESS_LAST_MOD)) out += link('Last modified', 'M') + '      ';
    if (!(opts & AUTOINDEX.SUPPRESS_SIZE)) out += link('Size', 'S') + '  ';
    if (!(opts & AUTOINDEX.SUPPRESS_DESC)) out += link('Description', 'D');
    out += !(opts & AUTOINDEX.SUPPRESS_RULES) ? `<hr${xhtml ? ' /' : ''}>` : '\n';
  } else {
    out += '<ul>';
  }

  const truncated = (t: string): string => (t.length > nameWidth ? t.slice(0, nameWidth - 3) + '..>' : t);
  ar.forEach((e, x) => {
    const anchor = escapeHtml(osEscapePath(e.name));
    const t2 = x === 0 && e.name.startsWith('/') ? 'Parent Directory' : e.name;
    const icon = (): string => {
      let s = opts & AUTOINDEX.ICONS_ARE_LINKS ? `<a href="${anchor}">` : '';
      const src = e.icon ?? d.defaultIcon;
      s += src !== undefined ? `<img src="${escapeHtml(src)}" alt="[${e.alt ?? '   '}]"${dims()}>` : '';
      return s;
    };
    if (opts & AUTOINDEX.TABLE_INDEXING) {
      if (ss) {
        const parity = x & 1 ? 'odd' : 'even';
        out += e.alt !== undefined && opts & AUTOINDEX.ADDALTCLASS ? `   <tr class="${parity}-${e.alt.toLowerCase()}">` : `   <tr class="${parity}">`;
      } else {
        out += '<tr>';
      }
      if (!(opts & AUTOINDEX.SUPPRESS_ICON)) {
        out += ss ? '<td class="indexcolicon">' : '<td valign="top">';
        const hasIcon = e.icon !== undefined || d.defaultIcon !== undefined;
        out += hasIcon ? icon() : (opts & AUTOINDEX.ICONS_ARE_LINKS ? `<a href="${anchor}">` : '') + '&nbsp;';
        out += opts & AUTOINDEX.ICONS_ARE_LINKS ? '</a></td>' : '</td>';
      }
      if (d.nameAdjust === 'adjust') {
        out += `${ss ? '<td class="indexcolname">' : '<td>'}<a href="${anchor}">${escapeHtml(t2)}</a>`;
      } else {
        const shown = truncated(t2);
        out += `${ss ? '<td class="indexcolname">' : '<td>'}<a href="${anchor}">${escapeHtml(shown)}</a>${pad.slice(Math.min(shown.length, nameWidth))}`;
      }
      if (!(opts & AUTOINDEX.SUPPRESS_LAST_MOD)) {
        out += e.lm !== -1
          ? `${ss ? '</td><td class="indexcollastmod">' : '</td><td align="right">'}${formatTime(e.lm, d.datetimeFormat)}  `
          : ss ? '</td><td class="indexcollastmod">&nbsp;' : '</td><td>&nbsp;';
      }
      if (!(opts & AUTOINDEX.SUPPRESS_SIZE)) out += `${ss ? '</td><td class="indexcolsize">' : '</td><td align="right">'}${strfsize(e.size)}`;
      if (!(opts & AUTOINDEX.SUPPRESS_DESC)) {
        const cell = ss ? '</td><td class="indexcoldesc">' : '</td><td>';
        if (e.desc !== undefined) out += cell + (d.descAdjust === 'adjust' ? e.desc : terminateDescription(d, e.desc, opts, descWidth));
        else out += cell + '&nbsp;';
      }
      out += '</td></tr>\n';
    } else if (opts & AUTOINDEX.FANCY_INDEXING) {
      if (!(opts & AUTOINDEX.SUPPRESS_ICON)) {
        const hasIcon = e.icon !== undefined || d.defaultIcon !== undefined;
        out += hasIcon ? icon() : (opts & AUTOINDEX.ICONS_ARE_LINKS ? `<a href="${anchor}">` : '') + '     ';
        out += opts & AUTOINDEX.ICONS_ARE_LINKS ? '</a> ' : ' ';
      }
      const shown = truncated(t2);
      out += `<a href="${anchor}">${escapeHtml(shown)}</a>${pad.slice(Math.min(shown.length, nameWidth))} `;
      if (!(opts & AUTOINDEX.SUPPRESS_LAST_MOD)) out += e.lm !== -1 ? `${formatTime(e.lm, d.datetimeFormat)}  ` : '                   ';
      if (!(opts & AUTOINDEX.SUPPRESS_SIZE)) out += `${strfsize(e.size)}  `;
      if (!(opts & AUTOINDEX.SUPPRESS_DESC) && e.desc !== undefined) out += terminateDescription(d, e.desc, opts, descWidth);
      out += '\n';
    } else {
      out += `<li><a href="${anchor}"> ${escapeHtml(t2)}</a></li>\n`;
    }
  });
  if (opts & AUTOINDEX.TABLE_INDEXING) out += `${breakrow}</table>\n`;
  else if (opts & AUTOINDEX.FANCY_INDEXING) out += !(opts & AUTOINDEX.SUPPRESS_RULES) ? `<hr${xhtml ? ' /' : ''}></pre>\n` : '</pre>\n';
  else out += '</ul>\n';
  return out;
}
