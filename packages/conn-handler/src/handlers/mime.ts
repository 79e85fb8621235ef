import type { ChildConfig } from '../config.js';

/**
 * mod_mime's type decision: every dot-separated extension of the name is looked up and the
 * last one that maps to a type wins; AddCharset likewise; ForceType overrides all.
 */
export function contentTypeFor(cfg: ChildConfig, filename: string): string | undefined {
  const base = filename.slice(filename.lastIndexOf('/') + 1);
  const exts = base.split('.').slice(1).map((e) => e.toLowerCase());
  let type: string | undefined = cfg.mime.forceType;
  let charset: string | undefined;
  if (!type) {
    for (const e of exts) {
      const t = cfg.mime.addType[e] ?? cfg.mime.types[e];
      if (t) type = t;
    }
  }
  for (const e of exts) {
    const c = cfg.mime.addCharset[e];
    if (c) charset = c;
  }
  if (type && charset && !/;\s*charset=/i.test(type)) type = `${type}; charset=${charset}`;
  return type;
}

/** AddDefaultCharset applies to text/plain and text/html without a charset. */
export function withDefaultCharset(cfg: ChildConfig, type: string | undefined): string | undefined {
  if (!type || !cfg.addDefaultCharset) return type;
  if (/;\s*charset=/i.test(type)) return type;
  const bare = type.split(';')[0]!.trim().toLowerCase();
  if (bare === 'text/plain' || bare === 'text/html') return `${type}; charset=${cfg.addDefaultCharset}`;
  return type;
}
