import { perConfig, type ChildConfig, type SectionMime } from '../config.js';
import { matchingSections } from './access.js';

/** What mod_mime's type checker gives a file: its type (with AddCharset's charset), encodings and languages. */
export interface MimeMetadata {
  type?: string;
  /** AddEncoding's encodings of the extensions, joined with ", " (r->content_encoding). */
  encoding?: string;
  /** AddLanguage's languages of the extensions in order, or DefaultLanguage's (r->content_languages). */
  languages?: string[];
}

type Field = 'addType' | 'addCharset' | 'addEncoding' | 'addLanguage';

/** Whether any section has mod_mime lines. */
const hasSectionMime = perConfig((cfg) => cfg.sections.some((s) => s.mime !== undefined));

/**
 * find_ct: the name's dot-separated parts after the base name (leading dots belong to it;
 * empty parts are skipped), each looked up in the extension maps merged over the sections
 * that apply (an extension's field in a later section overrides), and in TypesConfig's types
 * when no AddType names it. The last type wins; every language and encoding counts; ForceType
 * overrides the type.
 */
export function mimeMetadata(cfg: ChildConfig, filename: string, uri?: string): MimeMetadata {
  const layers: SectionMime[] | undefined = hasSectionMime(cfg) ? matchingSections(cfg, filename, false, uri).flatMap((s) => (s.mime ? [s.mime] : [])) : undefined;
  const m = cfg.mime;
  const lookup = (field: Field, ext: string): string | undefined => {
    let v = field === 'addType' ? m.addType[ext] : field === 'addCharset' ? m.addCharset[ext] : field === 'addEncoding' ? m.addEncoding?.[ext] : m.addLanguage?.[ext];
    for (const l of layers ?? []) v = l[field]?.[ext] ?? v;
    return v;
  };
  const base = filename.slice(filename.lastIndexOf('/') + 1).replace(/^\.+/, '');
  const parts = base.split('.').slice(1);
  let type: string | undefined;
  let charset: string | undefined;
  let encoding: string | undefined;
  const languages: string[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const ext = part.toLowerCase();
    const forced = lookup('addType', ext);
    if (!forced) {
      const t = m.types[ext];
      if (t) type = t;
    } else {
      type = forced;
    }
    const c = lookup('addCharset', ext);
    if (c) charset = c;
    const lang = lookup('addLanguage', ext);
    if (lang) languages.push(lang);
    const enc = lookup('addEncoding', ext);
    if (enc) encoding = encoding === undefined ? enc : `${encoding}, ${enc}`;
  }
  if (m.forceType) type = m.forceType;
  if (type && charset && !/;\s*charset=/i.test(type)) type = `${type}; charset=${charset}`;
  let defaultLanguage = m.defaultLanguage;
  for (const l of layers ?? []) defaultLanguage = l.defaultLanguage ?? defaultLanguage;
  if (languages.length === 0 && defaultLanguage !== undefined) languages.push(defaultLanguage);
  return { ...(type !== undefined ? { type } : {}), ...(encoding !== undefined ? { encoding } : {}), ...(languages.length ? { languages } : {}) };
}

/** The content type mod_mime gives a file (with AddCharset's charset); ForceType overrides. */
export function contentTypeFor(cfg: ChildConfig, filename: string, uri?: string): string | undefined {
  return mimeMetadata(cfg, filename, uri).type;
}

/** AddDefaultCharset applies to text/plain and text/html without a charset. */
export function withDefaultCharset(cfg: ChildConfig, type: string | undefined): string | undefined {
  if (!type || !cfg.addDefaultCharset) return type;
  if (/;\s*charset=/i.test(type)) return type;
  const bare = type.split(';')[0]!.trim().toLowerCase();
  if (bare === 'text/plain' || bare === 'text/html') return `${type}; charset=${cfg.addDefaultCharset}`;
  return type;
}
