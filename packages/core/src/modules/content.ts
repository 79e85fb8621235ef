/**
 * mime (types and charsets by extension), dir (DirectoryIndex, DirectorySlash), status
 * (the server-status handler; ExtendedStatus is core's), alias (Alias, Redirect; the CGI
 * forms ScriptAlias/ScriptAliasMatch are kept and refused per request: this server runs no
 * programs).
 */
import { ACCESS_CONF, OR_FILEINFO, OR_INDEXES, RSRC_CONF } from '../constants.js';
import type { ModuleDef } from '../module.js';
import { PF } from '../policy.js';

export interface MimeServerConfig {
  /** TypesConfig, resolved; Debian's default is /etc/mime.types. */
  typesConfig?: string;
}

/** Per-directory extension maps; extensions lower case without the dot. */
export interface MimeDirConfig {
  types: Record<string, string>;
  charsets: Record<string, string>;
  encodings: Record<string, string>;
  languages: Record<string, string>;
  handlers: Record<string, string>;
  removeTypes: string[];
  defaultLanguage?: string;
}

const ext = (e: string) => e.replace(/^\./, '').toLowerCase();

function mapDirective(name: string, field: 'types' | 'charsets' | 'encodings' | 'languages' | 'handlers', help: string) {
  return {
    name, arity: 'ITERATE2' as const, context: OR_FILEINFO, help,
    set: (cmd: { dirConfig: MimeDirConfig }, value: string, extension: string) => {
      // add_extension_info: values and extensions are kept in lower case.
      cmd.dirConfig[field][ext(extension)] = value.toLowerCase();
      return undefined;
    },
  };
}

/** mime_module (mod_mime.c). */
export const mimeModule: ModuleDef<MimeServerConfig, MimeDirConfig> = {
  name: 'mime_module',
  sourceFile: 'mod_mime.c',
  createServerConfig: () => ({}),
  mergeServerConfig: (base, add) => ({ typesConfig: add.typesConfig ?? base.typesConfig }),
  createDirConfig: () => ({ types: {}, charsets: {}, encodings: {}, languages: {}, handlers: {}, removeTypes: [] }),
  mergeDirConfig: (base, add) => ({
    types: { ...base.types, ...add.types },
    charsets: { ...base.charsets, ...add.charsets },
    encodings: { ...base.encodings, ...add.encodings },
    languages: { ...base.languages, ...add.languages },
    handlers: { ...base.handlers, ...add.handlers },
    removeTypes: [...base.removeTypes, ...add.removeTypes],
    defaultLanguage: add.defaultLanguage ?? base.defaultLanguage,
  }),
  directives: [
    mapDirective('AddType', 'types', 'a mime type followed by one or more file extensions'),
    mapDirective('AddCharset', 'charsets', 'a charset (e.g., iso-2022-jp), followed by one or more file extensions'),
    mapDirective('AddEncoding', 'encodings', 'an encoding (e.g., gzip), followed by one or more file extensions'),
    mapDirective('AddLanguage', 'languages', 'a language (e.g., fr), followed by one or more file extensions'),
    mapDirective('AddHandler', 'handlers', 'a handler name followed by one or more file extensions'),
    {
      name: 'RemoveType', arity: 'ITERATE', context: OR_FILEINFO, help: 'one or more file extensions',
      set: (cmd, e) => {
        cmd.dirConfig.removeTypes.push(ext(e));
        delete cmd.dirConfig.types[ext(e)];
        return undefined;
      },
    },
    {
      name: 'DefaultLanguage', arity: 'TAKE1', context: OR_FILEINFO, help: 'language to use for documents with no other language file extension',
      set: (cmd, lang) => {
        cmd.dirConfig.defaultLanguage = lang;
        return undefined;
      },
    },
    {
      name: 'TypesConfig', arity: 'TAKE1', context: RSRC_CONF, help: 'the MIME types config file',
      set: (cmd, file) => {
        cmd.serverConfig.typesConfig = cmd.serverRootRelative(file);
        return undefined;
      },
    },
  ],
};

export interface DirDirConfig {
  directoryIndex?: string[];
  directorySlash?: boolean;
  fallbackResource?: string;
  directoryCheckHandler?: boolean;
}

/** dir_module (mod_dir.c). */
export const dirModule: ModuleDef<undefined, DirDirConfig> = {
  name: 'dir_module',
  sourceFile: 'mod_dir.c',
  createDirConfig: () => ({}),
  mergeDirConfig: (base, add) => ({
    directoryIndex: add.directoryIndex ?? base.directoryIndex,
    directorySlash: add.directorySlash ?? base.directorySlash,
    fallbackResource: add.fallbackResource ?? base.fallbackResource,
    directoryCheckHandler: add.directoryCheckHandler ?? base.directoryCheckHandler,
  }),
  directives: [
    {
      name: 'DirectoryIndex', arity: 'RAW_ARGS', context: OR_INDEXES,
      help: 'a list of file names',
      set: (cmd, raw) => {
        const words = raw.trim().split(/\s+/).filter((w) => w !== '');
        if (words.length === 0) return 'DirectoryIndex requires at least one argument';
        const lower = words.map((w) => w.toLowerCase());
        if (lower.includes('disabled') && words.length > 1) {
          return "'DirectoryIndex disabled' must be the only argument";
        }
        cmd.dirConfig.directoryIndex = lower[0] === 'disabled' ? [] : words;
        return undefined;
      },
    },
    {
      name: 'DirectorySlash', arity: 'FLAG', context: ACCESS_CONF | OR_INDEXES,
      help: 'On or Off',
      set: (cmd, on) => {
        cmd.dirConfig.directorySlash = on;
        return undefined;
      },
    },
    {
      name: 'FallbackResource', arity: 'TAKE1', context: OR_INDEXES,
      help: 'Set a default handler',
      set: (cmd, arg) => {
        cmd.dirConfig.fallbackResource = arg.toLowerCase() === 'disabled' ? undefined : arg;
        return undefined;
      },
    },
    {
      name: 'DirectoryCheckHandler', arity: 'FLAG', context: OR_INDEXES,
      help: 'On or Off',
      set: (cmd, on) => {
        cmd.dirConfig.directoryCheckHandler = on;
        return undefined;
      },
    },
  ],
};

/** status_module (mod_status.c): no directives of its own in 2.4 (ExtendedStatus is core's). */
export const statusModule: ModuleDef<undefined, undefined> = {
  name: 'status_module',
  sourceFile: 'mod_status.c',
};

export interface AliasEntry {
  kind: 'alias' | 'aliasmatch' | 'scriptalias' | 'scriptaliasmatch' | 'redirect' | 'redirectmatch';
  from: string;
  to?: string;
  /** Redirect status (302 default; 301 permanent, 303 seeother, 410 gone). */
  status?: number;
}

export interface AliasServerConfig {
  aliases: AliasEntry[];
}

const REDIRECT_STATUS: Record<string, number> = { permanent: 301, temp: 302, seeother: 303, gone: 410 };

/** alias_module (mod_alias.c). */
export const aliasModule: ModuleDef<AliasServerConfig, AliasServerConfig> = {
  name: 'alias_module',
  sourceFile: 'mod_alias.c',
  createServerConfig: () => ({ aliases: [] }),
  mergeServerConfig: (base, add) => ({ aliases: [...add.aliases, ...base.aliases] }),
  createDirConfig: () => ({ aliases: [] }),
  mergeDirConfig: (base, add) => ({ aliases: [...add.aliases, ...base.aliases] }),
  directives: [
    {
      name: 'Alias', arity: 'TAKE12', context: RSRC_CONF | ACCESS_CONF,
      help: 'a fakename and a realname, or a realname in a Location',
      set: (cmd, from, to) => {
        if (to === undefined) {
          if (cmd.path === undefined) return 'Alias must have two arguments when used globally';
          cmd.dirConfig.aliases.push({ kind: 'alias', from: cmd.path, to: from });
          return undefined;
        }
        cmd.serverConfig.aliases.push({ kind: 'alias', from, to });
        return undefined;
      },
    },
    {
      name: 'AliasMatch', arity: 'TAKE2', context: RSRC_CONF,
      help: 'a regular expression and a filename',
      set: (cmd, from, to) => {
        try {
          new RegExp(from);
        } catch {
          return 'Regular expression could not be compiled.';
        }
        cmd.serverConfig.aliases.push({ kind: 'aliasmatch', from, to });
        return undefined;
      },
    },
    ...(['ScriptAlias', 'ScriptAliasMatch'] as const).map((name) => ({
      name, arity: name === 'ScriptAlias' ? 'TAKE12' as const : 'TAKE2' as const, context: RSRC_CONF | (name === 'ScriptAlias' ? ACCESS_CONF : 0),
      help: name === 'ScriptAlias' ? 'a fakename and a realname, or a realname in a Location' : 'a regular expression and a filename',
      // The mapping is kept so that its URLs never reach the default handler: this server runs
      // no programs, and serving the scripts as files (what Apache does without mod_cgi) would
      // leak their source. Every request under it is answered 403.
      set: (
        cmd: { serverConfig: AliasServerConfig; path: string | undefined; node: { loc: { file: string; line: number } }; log: (m: { level: 'warn'; module: string; id: string; message: string }) => void },
        from: string, to: string | undefined,
      ) => {
        if (name === 'ScriptAliasMatch') {
          try {
            new RegExp(from);
          } catch {
            return 'Regular expression could not be compiled.';
          }
        }
        if (to === undefined) {
          if (cmd.path === undefined) return 'ScriptAlias must have two arguments when used globally';
          cmd.serverConfig.aliases.push({ kind: 'scriptalias', from: cmd.path, to: from });
        } else {
          cmd.serverConfig.aliases.push({ kind: name === 'ScriptAlias' ? 'scriptalias' : 'scriptaliasmatch', from, to });
        }
        cmd.log({
          level: 'warn', module: 'alias', id: PF.SCRIPT_ALIAS_REFUSED,
          message: `${name} ${to === undefined ? cmd.path : from} (on line ${cmd.node.loc.line} of ${cmd.node.loc.file}): this server runs no CGI programs; requests under it are refused (403)`,
        });
        return undefined;
      },
    })),
    // Redirect takes one to three arguments; RedirectMatch two or three (mod_alias.c's table).
    {
      name: 'Redirect', arity: 'TAKE123', context: OR_FILEINFO,
      help: 'an optional status, then document to be redirected and destination URL',
      set: redirectSetter('Redirect'),
    },
    {
      name: 'RedirectMatch', arity: 'TAKE23', context: OR_FILEINFO,
      help: 'an optional status, then a regular expression and destination URL',
      set: redirectSetter('RedirectMatch'),
    },
  ],
};

/** The setter of Redirect and RedirectMatch (add_redirect_internal). */
function redirectSetter(name: 'Redirect' | 'RedirectMatch') {
  return (cmd: { serverConfig: AliasServerConfig; dirConfig: AliasServerConfig; path: string | undefined }, a: string, b: string | undefined, c: string | undefined): string | undefined => {
    let status = 302;
    let from = a;
    let to = b;
    const code = REDIRECT_STATUS[a.toLowerCase()] ?? (/^\d{3}$/.test(a) ? Number(a) : undefined);
    if (code !== undefined && (c !== undefined || code === 410 || (b !== undefined && c === undefined && code >= 300))) {
      status = code;
      from = b ?? '';
      to = c;
    }
    if (status >= 300 && status < 400 && to === undefined) return 'URL to redirect to is missing';
    if ((status < 300 || status >= 400) && to !== undefined) return 'Redirect URL not valid for this status';
    const target = cmd.path === undefined ? cmd.serverConfig : cmd.dirConfig;
    target.aliases.push({ kind: name === 'Redirect' ? 'redirect' : 'redirectmatch', from, to, status });
    return undefined;
  };
}
