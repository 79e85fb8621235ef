import type { MimeDirConfig } from './config.js';
import type { MimeTypes } from './types.js';

/** httpd's content type for directories (`DIR_MAGIC_TYPE`). */
export const DIR_MAGIC_TYPE = 'httpd/unix-directory';

/** What mod_mime (and core's ForceType/SetHandler) decide for one file. */
export interface MimeResult {
  /** Content-Type, with `; charset=…` when AddCharset applies; absent if unknown. */
  readonly contentType?: string;
  /** Content-Encoding: the AddEncoding values in extension order, joined by ", ". */
  readonly encoding?: string;
  /** Content-Language values in extension order (or DefaultLanguage). */
  readonly languages: readonly string[];
  /** The handler AddHandler or SetHandler chose. */
  readonly handler?: string;
  readonly inputFilters: readonly string[];
  readonly outputFilters: readonly string[];
  /**
   * Name parts that carried no metadata (the base name first), for
   * mod_negotiation; absent when no part carried metadata.
   */
  readonly exceptions?: readonly string[];
}

/** Extra facts about the resource that change the lookup. */
export interface MimeLookupOptions {
  /** The path is a directory: its type is {@link DIR_MAGIC_TYPE}. */
  readonly isDirectory?: boolean;
  /** PATH_INFO after the file name, used when ModMimeUsePathInfo is On. */
  readonly pathInfo?: string;
}

/** Rebuilds a media type as `analyze_ct` leaves it: type/subtype then params, charset replaced. */
function withCharset(type: string, charset: string | undefined): string {
  const [base, ...params] = type.split(';');
  const mediaType = base.trim();
  if (!mediaType.includes('/')) return charset ? `${type}; charset=${charset}` : type;
  let out = mediaType;
  let replaced = false;
  for (const raw of params) {
    const eq = raw.indexOf('=');
    if (eq < 0) continue;
    const attr = raw.slice(0, eq).trim();
    const val = raw.slice(eq + 1).trim();
    if (charset && attr === 'charset') {
      if (!replaced) out += `; charset=${charset}`;
      replaced = true;
    } else {
      out += `; ${attr}=${val}`;
    }
  }
  if (charset && !replaced) out += `; charset=${charset}`;
  return out;
}

/**
 * mod_mime's type checker (`find_ct`) followed by core's ForceType and
 * SetHandler: the content type, encoding, languages and handler of `path`.
 *
 * Every dot-separated part after the base name is an extension, in any order
 * (`file.html.en`, `file.en.html`); extensions match case-insensitively; for
 * the type the last extension with a type wins, encodings and languages
 * accumulate. Leading dots belong to the base name (`.png` has no extension).
 *
 * @example
 * typeOf('/srv/www/file.tar.gz', config, types) // { contentType: 'application/x-gzip', encoding: 'x-gzip', … }
 */
export function typeOf(path: string, config: MimeDirConfig, types: MimeTypes, options: MimeLookupOptions = {}): MimeResult {
  const forced = config.forceType && config.forceType !== 'none' ? config.forceType : undefined;
  const setHandler = config.setHandler && config.setHandler !== 'none' ? config.setHandler : undefined;
  if (options.isDirectory) {
    return { contentType: forced ?? DIR_MAGIC_TYPE, languages: [], handler: setHandler, inputFilters: [], outputFilters: [] };
  }
  const resource = config.usePathInfo && options.pathInfo ? path + options.pathInfo : path;
  const slash = resource.lastIndexOf('/');
  let rest = slash < 0 ? resource : resource.slice(slash + 1);

  let start = 0;
  while (rest[start] === '.') start++;
  const dot = rest.indexOf('.', start);
  const exceptions: string[] = [dot < 0 ? rest : rest.slice(0, dot)];
  rest = dot < 0 ? '' : rest.slice(dot + 1);

  const multi = config.multiviewsMatch;
  let type: string | undefined;
  let charset: string | undefined;
  let encoding: string | undefined;
  let handler: string | undefined;
  const languages: string[] = [];
  const inputFilters: string[] = [];
  const outputFilters: string[] = [];
  let foundMetadata = false;

  for (const part of rest === '' ? [] : rest.split('.')) {
    if (part === '') continue;
    const ext = part.toLowerCase();
    const info = config.extensions.get(ext);
    let found = false;
    if (info?.type === undefined) {
      const t = types.byExtension.get(ext);
      if (t !== undefined) {
        type = t;
        found = true;
      }
    }
    if (info) {
      if (info.type) {
        type = info.type;
        found = true;
      }
      if (info.charset) {
        charset = info.charset;
        found = true;
      }
      if (info.language) {
        languages.push(info.language);
        found = true;
      }
      if (info.encoding) {
        encoding = encoding === undefined ? info.encoding : `${encoding}, ${info.encoding}`;
        found = true;
      }
      if (info.handler) {
        handler = info.handler;
        if (multi?.handlers) found = true;
      }
      if (info.inputFilters) {
        inputFilters.push(...info.inputFilters.split(';').filter(Boolean));
        if (multi?.filters) found = true;
      }
      if (info.outputFilters) {
        outputFilters.push(...info.outputFilters.split(';').filter(Boolean));
        if (multi?.filters) found = true;
      }
    }
    if (found || multi?.any) foundMetadata = true;
    else exceptions.push(part);
  }

  let contentType = type !== undefined ? withCharset(type, charset) : undefined;
  if (languages.length === 0 && config.defaultLanguage) languages.push(config.defaultLanguage);
  // core's fixup runs after mod_mime: ForceType replaces the whole type, charset included.
  if (forced) contentType = forced;
  return {
    contentType,
    encoding,
    languages,
    handler: setHandler ?? handler,
    inputFilters,
    outputFilters,
    exceptions: foundMetadata ? exceptions : undefined,
  };
}
