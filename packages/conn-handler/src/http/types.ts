import type { ParsedUri } from './parse.js';

/** Request headers in arrival order; lookups are case-insensitive and merge repeats with ", ". */
export class HeaderTable {
  readonly raw: Array<[string, string]> = [];
  private merged: Map<string, string> | null = null;

  add(name: string, value: string): void {
    this.raw.push([name, value]);
    this.merged = null;
  }

  get(name: string): string | undefined {
    if (!this.merged) {
      this.merged = new Map();
      for (const [k, v] of this.raw) {
        const key = k.toLowerCase();
        const prev = this.merged.get(key);
        this.merged.set(key, prev === undefined ? v : `${prev}, ${v}`);
      }
    }
    return this.merged.get(name.toLowerCase());
  }

  delete(name: string): void {
    const key = name.toLowerCase();
    for (let i = this.raw.length - 1; i >= 0; i--) if (this.raw[i]![0].toLowerCase() === key) this.raw.splice(i, 1);
    this.merged = null;
  }

  /**
   * apr_table_compress with OVERLAP_TABLES_MERGE, as Apache leaves r->headers_in once read:
   * repeated fields joined with ", " in the first one's place. Returns the entries for
   * changing in place; {@link changed} must follow a change.
   */
  compressed(): Array<[string, string]> {
    const seen = new Map<string, number>();
    const out: Array<[string, string]> = [];
    for (const [k, v] of this.raw) {
      const key = k.toLowerCase();
      const at = seen.get(key);
      if (at === undefined) {
        seen.set(key, out.length);
        out.push([k, v]);
      } else {
        out[at] = [out[at]![0], `${out[at]![1]}, ${v}`];
      }
    }
    this.raw.splice(0, this.raw.length, ...out);
    this.merged = null;
    return this.raw;
  }

  /** The entries were changed in place. */
  changed(): void {
    this.merged = null;
  }

  get count(): number {
    return this.raw.length;
  }
}

/** Header fields in order, with apr_table's rules (the functions below). */
export type Table = Array<[string, string]>;

/** Field names compare without case (apr_table). */
export const sameName = (a: string, b: string): boolean => a.length === b.length && a.toLowerCase() === b.toLowerCase();

export function tableGet(t: ReadonlyArray<[string, string]>, name: string): string | undefined {
  for (const [k, v] of t) if (sameName(k, name)) return v;
  return undefined;
}

/** apr_table_setn: the first entry takes the value, the others go; appended when there is none. */
export function tableSet(t: Table, name: string, value: string): void {
  let found = false;
  for (let i = 0; i < t.length; i++) {
    if (!sameName(t[i]![0], name)) continue;
    if (found) {
      t.splice(i--, 1);
    } else {
      t[i] = [t[i]![0], value];
      found = true;
    }
  }
  if (!found) t.push([name, value]);
}

export function tableUnset(t: Table, name: string): void {
  for (let i = t.length - 1; i >= 0; i--) if (sameName(t[i]![0], name)) t.splice(i, 1);
}

/** apr_table_mergen: the first entry gets ", value" added; appended when there is none. */
export function tableMerge(t: Table, name: string, value: string): void {
  const i = t.findIndex(([k]) => sameName(k, name));
  if (i < 0) t.push([name, value]);
  else t[i] = [t[i]![0], `${t[i]![1]}, ${value}`];
}


/** Response headers that keep their first insertion position when set again (apr_table_set). */
export class OutHeaders {
  private readonly list: Table = [];

  /** A table holding these entries (repeated names kept, as apr_table_add leaves them). */
  static from(entries: ReadonlyArray<[string, string]>): OutHeaders {
    const h = new OutHeaders();
    h.list.push(...entries);
    return h;
  }

  set(name: string, value: string): void {
    tableSet(this.list, name, value);
  }

  get(name: string): string | undefined {
    return tableGet(this.list, name);
  }

  delete(name: string): void {
    tableUnset(this.list, name);
  }

  entries(): ReadonlyArray<[string, string]> {
    return this.list;
  }
}

/** The request as the engine understands it (a small request_rec). */
export interface Request {
  method: string;
  /** The decoded, normalised path (r->uri). */
  uri: string;
  /** The target as sent (r->unparsed_uri). */
  unparsedUri: string;
  parsedUri: ParsedUri | null;
  args?: string;
  protocol: string;
  protoNum: number;
  theRequest: string;
  headers: HeaderTable;
  headerOnly: boolean;
  assbackwards: boolean;
  /** Host from the absolute URI or the Host header, validated and lower-cased. */
  hostname?: string;
  /** The port the Host header names, when it names one (r->parsed_uri.port after fix_hostname). */
  hostPort?: number;
  /** The connection's local port. */
  localPort?: number;
  /** Milliseconds since the epoch (r->request_time). */
  requestTime: number;
  /** Microsecond-precision start, for %D. */
  startHr: bigint;
  expecting100: boolean;
  /** r->connection->keepalive == AP_CONN_CLOSE. */
  forceClose: boolean;
  /** The client's double-reverse name, looked up when an access rule names a host. */
  remoteHost?: string;
  /** r->subprocess_env as mod_setenvif leaves it (read by `Require env` and `nokeepalive`). */
  env?: Map<string, string>;
  /**
   * Set on an ErrorDocument's internal redirect: its status is the error's, and mod_filter
   * removes its filters (AddOutputFilterByType DEFLATE) from any response but a 200, unless
   * the request has the variable filter-errordocs.
   */
  errorDocument?: true;
  /** Request body framing once the headers are accepted. */
  body: { kind: 'none' } | { kind: 'length'; remaining: number } | { kind: 'chunked' };
  filename?: string;
  pathInfo?: string;
  errorNotes?: string;
  /** Total request body bytes read. */
  bodyRead: number;
  /** The decoded URL-path once request processing has begun (per-dir configuration applies). */
  walkedUri?: string;
  /** Whether `filename` named a directory after the walk. */
  filenameIsDir?: boolean;
  /** r->err_headers_out and r->headers_out as `Header … early` lines leave them once the request is read. */
  earlyHeaders?: { err: Array<[string, string]>; out: Array<[string, string]> };
}

/** A response body: bytes in memory, slices of a file, or bytes whose length is not declared. */
export type Body =
  | { kind: 'empty' }
  | { kind: 'buffer'; data: Buffer }
  | { kind: 'file'; path: string; parts: Array<{ prefix?: Buffer; start: number; end: number }>; suffix?: Buffer }
  | { kind: 'unsized'; data: Buffer };

export interface Response {
  status: number;
  headers: OutHeaders;
  contentType?: string;
  body: Body;
  /** Send the body with chunked coding regardless of length (TRACE does). */
  forceChunked?: boolean;
  /** Omit Content-Length even with a sized body (304). */
  noContentLength?: boolean;
  /**
   * What the access log records when it differs from the response: a failed ErrorDocument
   * logs the failed document request's status and no bytes (the last request of the chain).
   */
  logAs?: { status: number; bytes: number };
  /** The variables of the request that produced this answer when it is not the original (an ErrorDocument's redirect): what %{x}e logs. */
  logEnv?: Map<string, string>;
  /**
   * Made by ap_send_error_response (an error, a redirect, a 304): only `Header always` lines
   * apply, and the handler's fields are not sent. Unset: a handler's response.
   */
  errorPath?: boolean;
  /**
   * The URL and file whose sections' Header lines apply when they are not the request's own
   * (an ErrorDocument served by an internal redirect).
   */
  dirOf?: { uri: string; filename: string };
  /** The file a handler answered from: r->finfo's modification time and r->content_type (a 304 sends no type but has one). */
  file?: { mtimeUs: bigint; contentType?: string };
  /** r->content_encoding (Content-Encoding), from AddEncoding. */
  contentEncoding?: string;
  /** r->content_languages (Content-Language, joined with ','), from AddLanguage or DefaultLanguage. */
  contentLanguages?: string[];
  /** Only Date, Server and the table's fields are sent (no Connection, Content-Type …). */
  bare?: boolean;
}
