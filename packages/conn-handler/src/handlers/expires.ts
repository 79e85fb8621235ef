/**
 * mod_expires' output filter: with ExpiresActive On, a response that is not an error (below
 * 400) and has no Expires yet gets `Cache-Control: max-age=N` (joined to one already there) and
 * `Expires`, from the ExpiresByType line of its type (then of `major/*`), else ExpiresDefault.
 * It runs before mod_headers' lines, which can change what it set.
 */
import type { ExpiresDirConfig } from '../config.js';
import { httpDate } from './static.js';
import { tableGet, tableMerge, tableSet, type Table } from '../http/types.js';

/** The merged configuration's parts a response reads, with the sections in merge order. */
export interface ExpiresView {
  /** The code for a type (names without case): the last section's lines first, the server's last. */
  byType(mime: string): string | undefined;
  default?: string;
  /** Wildcard types count only when the last configuration merged (the last section with Expires lines) has one of its own. */
  wildcards: boolean;
  empty: boolean;
}

export function expiresFor(server: ExpiresDirConfig | undefined, sections: ReadonlyArray<{ expires?: ExpiresDirConfig }>): ExpiresView | undefined {
  const chain = [server, ...sections.map((s) => s.expires)];
  let active: boolean | undefined;
  let def: string | undefined;
  for (const c of chain) {
    if (c?.active !== undefined) active = c.active;
    if (c?.default !== undefined) def = c.default;
  }
  if (active !== true) return undefined;
  const types = chain.flatMap((c) => c?.byType ?? []).reverse();
  // A section without a line of this module has no configuration of it and is not merged.
  const last = [server, ...sections.map((s) => s.expires)].filter((c) => c !== undefined).pop();
  return {
    byType: (mime) => types.find(([m]) => m.toLowerCase() === mime.toLowerCase())?.[1],
    ...(def !== undefined ? { default: def } : {}),
    wildcards: last?.wildcards ?? false,
    empty: types.length === 0 && def === undefined,
  };
}

/**
 * expires_filter on the response's tables. `contentType` is r->content_type; `mtimeUs` the
 * file's modification time (absent: no file, and `M` codes do nothing); times in microseconds.
 */
export function applyExpires(
  view: ExpiresView | undefined, status: number, tables: { err: Table; out: Table }, contentType: string | undefined, requestTimeUs: bigint, mtimeUs: bigint | undefined,
): void {
  if (!view || view.empty || (status >= 400 && status < 600)) return;
  const t = tableGet(tables.err, 'Expires') !== undefined ? tables.err : tables.out;
  if (tableGet(t, 'Expires') !== undefined) return;
  const type = contentType?.replace(/;.*$/s, '').replace(/\s+$/, '');
  let code = type === undefined ? undefined : view.byType(type);
  if (code === undefined) {
    let useDefault = true;
    const slash = contentType?.indexOf('/') ?? -1;
    if (view.wildcards && contentType !== undefined && slash >= 0) {
      code = view.byType(`${contentType.slice(0, slash + 1)}*`);
      useDefault = code === undefined;
    }
    if (useDefault) code = view.default;
  }
  if (code === undefined) return;
  let base: bigint;
  if (code.startsWith('M')) {
    if (mtimeUs === undefined) return;
    base = mtimeUs;
  } else {
    base = requestTimeUs;
  }
  // atoi of the seconds.
  const seconds = BigInt(/^[+-]?[0-9]+/.exec(code.slice(1).trimStart())?.[0] ?? '0');
  let expires = base + seconds * 1_000_000n;
  if (expires < requestTimeUs) expires = requestTimeUs;
  tableMerge(t, 'Cache-Control', `max-age=${(expires - requestTimeUs) / 1_000_000n}`);
  tableSet(t, 'Expires', httpDate(Number(expires / 1000n)));
}
