/**
 * mod_headers' do_headers_fixup: Header and RequestHeader lines applied to a header table, in
 * order. The tables are arrays of [name, value] with apr_table's rules: names compare without
 * case, `set` keeps the first entry's place and drops the others, `add` appends, `append`
 * joins the new value to the first entry with ", ", `unset` removes every entry.
 *
 * When each table is changed (as mod_headers' hooks run):
 *  - `early` lines of the server, once the request is read (post_read_request, first);
 *  - RequestHeader lines, after access is checked (fixups);
 *  - on a handler's own response, `Header always` lines on the error table and the others on
 *    the response's table (the FIXUP_HEADERS_OUT filter); the error table's fields come first;
 *  - on a response the server makes for an error or a redirect, only `Header always` lines,
 *    on a fresh error table; the handler's fields are gone (ap_send_error_response).
 */
import { loadavg } from 'node:os';
import type { HeaderEntry, HeaderFormatTag, HeadersDirConfig } from '../config.js';
import { cachedRegExp } from '../regex-cache.js';
import { pregsub } from './pregsub.js';
import { sameName as same, tableGet, tableMerge, tableSet, tableUnset, type Table } from '../http/types.js';

export type { Table };

/** What a value's %-specifiers read. */
export interface HeaderVars {
  /** r->subprocess_env, names lower-cased. */
  env?: ReadonlyMap<string, string>;
  /** r->request_time in microseconds since the epoch. */
  requestTimeUs: bigint;
  /** Idle and busy workers (ap_get_sload), read only when a value asks. */
  sload?: () => { idle: number; busy: number };
}

/** unwrap_header: line breaks in a variable's value become spaces. */
const unwrap = (s: string): string => s.replace(/[\r\n]/g, ' ');

function tagValue(tag: HeaderFormatTag, vars: HeaderVars): string {
  if ('text' in tag) return tag.text;
  switch (tag.tag) {
    case 'D': return `D=${BigInt(Date.now()) * 1000n - vars.requestTimeUs}`;
    case 't': return `t=${vars.requestTimeUs}`;
    case 'e': {
      const v = vars.env?.get(tag.arg.toLowerCase());
      return v === undefined ? '(null)' : unwrap(v);
    }
    // ap_ssl_var_lookup: no TLS on this server, every variable is empty.
    case 's': return '(null)';
    case 'l': {
      const [a = 0, b = 0, c = 0] = loadavg();
      return `l=${a.toFixed(2)}/${b.toFixed(2)}/${c.toFixed(2)}`;
    }
    case 'i': return `i=${vars.sload?.().idle ?? 0}`;
    case 'b': return `b=${vars.sload?.().busy ?? 0}`;
  }
}

/** process_tags: the value a line's format gives for this request. */
export function formatValue(format: readonly HeaderFormatTag[] | undefined, vars: HeaderVars): string {
  let out = '';
  for (const tag of format ?? []) out += tagValue(tag, vars);
  return out;
}

/** process_regexp: the first match (edit) or every match (edit*) replaced. */
function editValue(e: HeaderEntry, value: string, vars: HeaderVars): string {
  const re = cachedRegExp(e.regex ?? '');
  let out = '';
  let rest = value;
  for (;;) {
    const m = re.exec(rest);
    if (!m) return out + rest;
    out += rest.slice(0, m.index) + pregsub(formatValue(e.format, vars), m);
    let end = m.index + m[0].length;
    if (e.action === 'edit') return out + rest.slice(end);
    // An empty match moves on by one character, or edit* would never end.
    if (m[0].length === 0) {
      if (end >= rest.length) return out;
      out += rest[end];
      end++;
    }
    rest = rest.slice(end);
  }
}

/**
 * do_headers_fixup for one table: the `early` lines when `early`, the others otherwise.
 * `contentType` is r->content_type, which set/setifempty/edit of Content-Type also change;
 * `requestHeaders` are what `echo` copies from. Returns the content type.
 */
export function applyHeaderEntries(
  entries: readonly HeaderEntry[] | undefined, table: Table, vars: HeaderVars, opts: { early: boolean; contentType?: string; requestHeaders?: Table },
): string | undefined {
  let contentType = opts.contentType;
  if (!entries) return contentType;
  for (const e of entries) {
    const early = e.condition !== undefined && 'early' in e.condition;
    if (early !== opts.early) continue;
    // ap_expr is not evaluated here: the line never applies (warned at load).
    if (e.expr !== undefined) continue;
    if (!early && e.condition && 'env' in e.condition) {
      const set = vars.env?.has(e.condition.env.toLowerCase()) ?? false;
      if (set === e.condition.negated) continue;
    }
    const isType = same(e.header, 'Content-Type');
    switch (e.action) {
      case 'add':
        table.push([e.header, formatValue(e.format, vars)]);
        break;
      case 'append':
        tableMerge(table, e.header, formatValue(e.format, vars));
        break;
      case 'merge': {
        const value = formatValue(e.format, vars);
        const old = tableGet(table, e.header);
        if (old === undefined) table.push([e.header, value]);
        else if (!hasToken(old, value)) tableMerge(table, e.header, value);
        break;
      }
      case 'set': {
        const value = formatValue(e.format, vars);
        if (isType) contentType = value;
        tableSet(table, e.header, value);
        break;
      }
      case 'setifempty':
        if (tableGet(table, e.header) === undefined) {
          const value = formatValue(e.format, vars);
          if (isType) contentType = value;
          tableSet(table, e.header, value);
        }
        break;
      case 'unset':
        tableUnset(table, e.header);
        break;
      case 'echo': {
        const re = cachedRegExp(e.header);
        for (const [k, v] of opts.requestHeaders ?? []) if (re.test(k)) table.push([k, v]);
        break;
      }
      case 'edit':
      case 'edit*': {
        if (isType && contentType !== undefined) contentType = editValue(e, contentType, vars);
        if (tableGet(table, e.header) === undefined) break;
        const edited: Table = [];
        for (const [k, v] of table) if (same(k, e.header)) edited.push([k, editValue(e, v, vars)]);
        tableUnset(table, e.header);
        table.push(...edited);
        break;
      }
      case 'note':
        // r->notes are read by nothing this server runs.
        break;
    }
  }
  return contentType;
}

/**
 * merge's duplicate test (ap_get_token's rules): the value is already one of the
 * comma-separated elements, compared exactly, quoted strings kept whole.
 */
function hasToken(list: string, value: string): boolean {
  let i = 0;
  while (i < list.length) {
    while (i < list.length && /\s/.test(list[i]!)) i++;
    const start = i;
    while (i < list.length && list[i] !== ',') {
      if (list[i++] === '"') {
        while (i < list.length) if (list[i++] === '"') break;
      }
    }
    if (list.slice(start, i) === value) return true;
    if (i < list.length) i++;
  }
  return false;
}

/** The lines that apply to a request: the server's, then each section's, in merge order. */
export function mergedHeaders(server: HeadersDirConfig | undefined, sections: ReadonlyArray<{ headers?: HeadersDirConfig }>): HeadersDirConfig | undefined {
  let out = server;
  for (const s of sections) {
    if (!s.headers) continue;
    out = out
      ? { fixupIn: [...out.fixupIn, ...s.headers.fixupIn], fixupOut: [...out.fixupOut, ...s.headers.fixupOut], fixupErr: [...out.fixupErr, ...s.headers.fixupErr] }
      : s.headers;
  }
  return out;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const VCHAR_OBSTEXT = /^[\x21-\x7e\x80-\xff]+$/;

/**
 * check_headers (http_filters.c): a response field whose name is not a token (with
 * HttpProtocolOptions Unsafe: not visible characters) or whose value has a control character
 * other than a tab and folding is refused. Folding (CRLF then a blank) becomes one space.
 * Returns the message to log, or undefined; values are unfolded in place.
 */
export function checkResponseHeaders(t: Table, strict: boolean): string | undefined {
  for (let i = 0; i < t.length; i++) {
    const [name, value] = t[i]!;
    if (name === '') return 'AH02428: Empty response header name, aborting request';
    if (!(strict ? TOKEN : VCHAR_OBSTEXT).test(name)) return `AH02429: Response header name '${name}' contains invalid characters, aborting request`;
    let out = '';
    let pos = 0;
    for (;;) {
      let end = pos;
      while (end < value.length && !isCtl(value.charCodeAt(end))) end++;
      out += value.slice(pos, end);
      if (end >= value.length) break;
      if (value[end] !== '\r' || value[end + 1] !== '\n' || (value[end + 2] !== ' ' && value[end + 2] !== '\t')) {
        return `AH02430: Response header '${name}' value of '${value.slice(pos)}' contains invalid characters, aborting request`;
      }
      end += 3;
      while (end < value.length && (value[end] === ' ' || value[end] === '\t')) end++;
      out += ' ';
      pos = end;
    }
    if (out !== value) t[i] = [name, out];
  }
  return undefined;
}

/** A control character other than a tab (ap_scan_http_field_content stops at it). */
const isCtl = (c: number): boolean => (c < 0x20 && c !== 0x09) || c === 0x7f;
