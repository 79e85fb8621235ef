/** Per-extension settings of AddType, AddCharset, … (mod_mime's `extension_info`). */
export interface ExtensionInfo {
  /** AddType; `''` after RemoveType (which also hides the TypesConfig type). */
  readonly type?: string;
  readonly charset?: string;
  readonly encoding?: string;
  readonly language?: string;
  readonly handler?: string;
  readonly inputFilters?: string;
  readonly outputFilters?: string;
}

type InfoField = keyof ExtensionInfo;

/** What MultiviewsMatch lets count as metadata. */
export interface MultiviewsMatch {
  readonly any: boolean;
  readonly handlers: boolean;
  readonly filters: boolean;
}

/** The merged mod_mime (and core ForceType/SetHandler) settings for one directory. */
export interface MimeDirConfig {
  readonly extensions: ReadonlyMap<string, ExtensionInfo>;
  readonly defaultLanguage?: string;
  readonly multiviewsMatch?: MultiviewsMatch;
  /** ModMimeUsePathInfo */
  readonly usePathInfo?: boolean;
  /** core's ForceType (lower-cased; absent or `none` = not forced). */
  readonly forceType?: string;
  /** core's SetHandler (`none` = not set). */
  readonly setHandler?: string;
}

/** One mod_mime directive as written in a section, arguments already split. */
export interface MimeDirective {
  readonly name: string;
  readonly args: readonly string[];
}

/** A directive this module cannot apply; `message` says why, as httpd would. */
export class MimeDirectiveError extends Error {
  readonly code = 'PF_MIME_DIRECTIVE';
  constructor(message: string) {
    super(message);
    this.name = 'MimeDirectiveError';
  }
}

const ADD: Readonly<Record<string, InfoField>> = {
  addtype: 'type',
  addcharset: 'charset',
  addencoding: 'encoding',
  addlanguage: 'language',
  addhandler: 'handler',
  addinputfilter: 'inputFilters',
  addoutputfilter: 'outputFilters',
};

const REMOVE: Readonly<Record<string, InfoField>> = {
  removecharset: 'charset',
  removeencoding: 'encoding',
  removelanguage: 'language',
  removehandler: 'handler',
  removeinputfilter: 'inputFilters',
  removeoutputfilter: 'outputFilters',
};

const extKey = (ext: string): string => {
  const lower = ext.toLowerCase();
  return lower.startsWith('.') ? lower.slice(1) : lower;
};

interface Layer {
  extensions: Map<string, Record<string, string>>;
  removals: Array<[string, InfoField]>;
  defaultLanguage?: string;
  multiviewsMatch?: MultiviewsMatch;
  usePathInfo?: boolean;
  forceType?: string;
  setHandler?: string;
}

function setInfo(layer: Layer, ext: string, field: InfoField, value: string): void {
  const key = extKey(ext);
  const info = layer.extensions.get(key) ?? {};
  info[field] = value;
  layer.extensions.set(key, info);
}

function parseMultiviewsMatch(args: readonly string[]): MultiviewsMatch {
  let any = false;
  let handlers = false;
  let filters = false;
  for (const arg of args) {
    const v = arg.toLowerCase();
    if (v === 'any') any = true;
    else if (v === 'negotiatedonly') continue;
    else if (v === 'handlers') handlers = true;
    else if (v === 'filters') filters = true;
    else {
      throw new MimeDirectiveError(`MultiviewsMatch either accepts Any, NegotiatedOnly, Handlers or Filters. '${arg}' is invalid`);
    }
  }
  if (any && (handlers || filters)) {
    throw new MimeDirectiveError('MultiviewsMatch Any cannot be combined with other options');
  }
  return { any, handlers, filters };
}

function buildLayer(directives: readonly MimeDirective[]): Layer {
  const layer: Layer = { extensions: new Map(), removals: [] };
  for (const { name, args } of directives) {
    const lname = name.toLowerCase();
    const addField = ADD[lname];
    if (addField) {
      if (args.length < 2) throw new MimeDirectiveError(`${name} requires at least two arguments`);
      const value = args[0].toLowerCase();
      for (const ext of args.slice(1)) setInfo(layer, ext, addField, value);
    } else if (lname === 'removetype') {
      if (args.length < 1) throw new MimeDirectiveError(`${name} requires at least one argument`);
      for (const ext of args) setInfo(layer, ext, 'type', '');
    } else if (REMOVE[lname]) {
      if (args.length < 1) throw new MimeDirectiveError(`${name} requires at least one argument`);
      for (const ext of args) layer.removals.push([extKey(ext), REMOVE[lname]]);
    } else if (lname === 'defaultlanguage') {
      layer.defaultLanguage = args[0];
    } else if (lname === 'multiviewsmatch') {
      layer.multiviewsMatch = parseMultiviewsMatch(args);
    } else if (lname === 'modmimeusepathinfo') {
      layer.usePathInfo = args[0]?.toLowerCase() === 'on';
    } else if (lname === 'forcetype') {
      layer.forceType = args[0]?.toLowerCase() === 'none' ? 'none' : args[0]?.toLowerCase();
    } else if (lname === 'sethandler') {
      layer.setHandler = args[0]?.toLowerCase() === 'none' ? 'none' : args[0];
    } else {
      throw new MimeDirectiveError(`${name} is not a mod_mime directive`);
    }
  }
  return layer;
}

/** The empty configuration: no AddType & co., as a server with no mod_mime directives. */
export const EMPTY_MIME_CONFIG: MimeDirConfig = { extensions: new Map() };

/**
 * Builds the configuration of one section from its directives (in file
 * order) and merges it over `base`, as mod_mime's per-directory merge does:
 * the section's Add* override field by field, its Remove* (but RemoveType)
 * clear what `base` set, RemoveType hides a type for the section and below.
 */
export function mergeMimeSection(base: MimeDirConfig, directives: readonly MimeDirective[]): MimeDirConfig {
  const layer = buildLayer(directives);
  const extensions = new Map<string, ExtensionInfo>(base.extensions);
  for (const [ext, info] of layer.extensions) {
    extensions.set(ext, { ...extensions.get(ext), ...info });
  }
  for (const [ext, field] of layer.removals) {
    const info = extensions.get(ext);
    // httpd blanks the field (it stays "set" but empty): a blank handler or
    // charset then acts as none.
    if (info && info[field]) extensions.set(ext, { ...info, [field]: '' });
  }
  return {
    extensions,
    defaultLanguage: layer.defaultLanguage ?? base.defaultLanguage,
    multiviewsMatch: layer.multiviewsMatch ?? base.multiviewsMatch,
    usePathInfo: layer.usePathInfo ?? base.usePathInfo,
    forceType: layer.forceType ?? base.forceType,
    setHandler: layer.setHandler ?? base.setHandler,
  };
}

/** Merges a list of sections in order (server config first, then each matching section). */
export function buildMimeConfig(sections: ReadonlyArray<readonly MimeDirective[]>): MimeDirConfig {
  return sections.reduce<MimeDirConfig>((acc, s) => mergeMimeSection(acc, s), EMPTY_MIME_CONFIG);
}
