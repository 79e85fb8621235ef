/**
 * mod_setenvif's match_headers: each condition's attribute of the request is matched against
 * its regular expression, and on a match its variables are set (with $1…$9 from the match) or
 * unset. Called twice per request, as Apache does: with the server's lines once the headers are
 * read (post_read_request), and with the sections' lines once the URL is mapped (header_parser).
 */
import type { SetEnvIfEntry } from '../config.js';
import type { Request } from '../http/types.js';
import { cachedRegExp } from '../regex-cache.js';
import { pregsub } from './pregsub.js';

/** What the special attributes read besides the request. */
export interface SetEnvIfConnection {
  remoteAddr: string;
  localAddr: string;
}

const ipText = (a: string): string => a.replace(/^::ffff:(?=\d+\.)/i, '');

function attributeValue(e: SetEnvIfEntry, name: string, req: Request, conn: SetEnvIfConnection, env: Map<string, string>): string | undefined {
  switch (name.toLowerCase()) {
    case 'remote_addr':
    case 'remote_host':
      // HostnameLookups Off: the remote host is the address.
      return ipText(conn.remoteAddr);
    case 'server_addr':
      return ipText(conn.localAddr);
    case 'request_uri':
      return req.uri;
    case 'request_method':
      return req.method;
    case 'request_protocol':
      return req.protocol;
  }
  if (e.attributeIsRegex) {
    const re = cachedRegExp(name, e.icase);
    let value: string | undefined;
    for (const [k, v] of req.headers.raw) if (re.test(k)) value = v;
    return value;
  }
  return req.headers.get(name) ?? env.get(name.toLowerCase());
}

/** Runs `entries` in order over the request, changing `env` (names lower-cased). */
export function applySetEnvIf(entries: readonly SetEnvIfEntry[] | undefined, req: Request, conn: SetEnvIfConnection, env: Map<string, string>): void {
  if (!entries) return;
  for (const e of entries) {
    // SetEnvIfExpr: ap_expr is not evaluated here; the line never matches (warned at load).
    if (e.attribute === undefined) continue;
    const value = attributeValue(e, e.attribute, req, conn, env) ?? '';
    let match: RegExpExecArray | null = null;
    if (e.literal !== undefined) {
      const found = e.icase ? value.toLowerCase().includes(e.literal.toLowerCase()) : value.includes(e.literal);
      if (!found) continue;
    } else {
      match = cachedRegExp(e.regex, e.icase).exec(value);
      if (!match) continue;
    }
    // r->subprocess_env is an apr_table: its names compare without case.
    for (const [name, v] of e.features) {
      if (v === '!') env.delete(name.toLowerCase());
      else env.set(name.toLowerCase(), match ? pregsub(v, match) : v);
    }
  }
}
