/**
 * deflate_module (mod_deflate.c): the DEFLATE output filter's settings (the level, window,
 * memory level and buffer zlib gets; what happens to ETag), and filter_module (mod_filter.c)'s
 * AddOutputFilterByType, which is how Debian's deflate.conf puts DEFLATE on text types. The
 * other mod_filter directives build filter chains from ap_expr expressions, which this server
 * does not evaluate: they are accepted with warning PF00001 and have no effect.
 */
import { atoi } from '../args.js';
import { OR_ALL, OR_FILEINFO, RSRC_CONF } from '../constants.js';
import type { CmdParms, ModuleDef } from '../module.js';

/** deflate_filter_config (the server's). */
export interface DeflateServerConfig {
  /** DeflateCompressionLevel; -1 is zlib's default (6). */
  level: number;
  memLevel: number;
  /** DeflateWindowSize as zlib takes it: negative, a raw stream. */
  windowSize: number;
  bufferSize: number;
  etag: 'AddSuffix' | 'NoChange' | 'Remove';
  notes: { ratio?: string; input?: string; output?: string };
}

/** deflate_dirconf_t: the request-body inflation limits (recorded; there is no INFLATE input filter here). */
export interface DeflateDirConfig {
  inflateLimit?: number;
  ratioLimit: number;
  ratioBurst: number;
}

type DeflateCmd = CmdParms<DeflateServerConfig, DeflateDirConfig>;

/** mod_deflate's number settings: atoi of the argument, refused with the module's message when out of range. */
function atoiSetting(ok: (n: number) => boolean, message: string, store: (cmd: DeflateCmd, n: number) => void) {
  return (cmd: DeflateCmd, arg: string): string | undefined => {
    const n = atoi(arg);
    if (!ok(n)) return message;
    store(cmd, n);
    return undefined;
  };
}

export const deflateModule: ModuleDef<DeflateServerConfig, DeflateDirConfig> = {
  name: 'deflate_module',
  sourceFile: 'mod_deflate.c',
  createServerConfig: () => ({ level: -1, memLevel: 9, windowSize: -15, bufferSize: 8096, etag: 'AddSuffix', notes: {} }),
  // No merge function: a virtual host's configuration is its own.
  mergeServerConfig: (_base, add) => add,
  createDirConfig: () => ({ ratioLimit: 200, ratioBurst: 3 }),
  mergeDirConfig: (_base, add) => add,
  directives: [
    {
      name: 'DeflateFilterNote', arity: 'TAKE12', context: RSRC_CONF, help: 'Set a note to report on compression ratio',
      set: (cmd, a1, a2) => {
        const n = cmd.serverConfig.notes;
        if (a2 === undefined) n.ratio = a1;
        else if (a1.toLowerCase() === 'ratio') n.ratio = a2;
        else if (a1.toLowerCase() === 'input') n.input = a2;
        else if (a1.toLowerCase() === 'output') n.output = a2;
        else return `Unknown note type ${a1}`;
        return undefined;
      },
    },
    {
      name: 'DeflateWindowSize', arity: 'TAKE1', context: RSRC_CONF, help: 'Set the Deflate window size (1-15)',
      set: atoiSetting((i) => i >= 1 && i <= 15, 'DeflateWindowSize must be between 1 and 15', (cmd, i) => (cmd.serverConfig.windowSize = -i)),
    },
    {
      name: 'DeflateBufferSize', arity: 'TAKE1', context: RSRC_CONF, help: 'Set the Deflate Buffer Size',
      set: atoiSetting((n) => n > 0, 'DeflateBufferSize should be positive', (cmd, n) => (cmd.serverConfig.bufferSize = n)),
    },
    {
      name: 'DeflateMemLevel', arity: 'TAKE1', context: RSRC_CONF, help: 'Set the Deflate Memory Level (1-9)',
      set: atoiSetting((i) => i >= 1 && i <= 9, 'DeflateMemLevel must be between 1 and 9', (cmd, i) => (cmd.serverConfig.memLevel = i)),
    },
    {
      name: 'DeflateCompressionLevel', arity: 'TAKE1', context: RSRC_CONF, help: 'Set the Deflate Compression Level (1-9)',
      set: atoiSetting((i) => i >= 1 && i <= 9, 'Compression Level must be between 1 and 9', (cmd, i) => (cmd.serverConfig.level = i)),
    },
    {
      name: 'DeflateInflateLimitRequestBody', arity: 'TAKE1', context: OR_ALL, help: 'Set a limit on size of inflated input',
      set: (cmd, arg) => {
        // apr_strtoff: leading white space and a sign, then decimal digits (none reads as 0);
        // only a value out of range is "not parsable".
        const m = /^[ \t\n\v\f\r]*([+-]?[0-9]+)/.exec(arg);
        const n = m ? Number(m[1]) : 0;
        if (!Number.isSafeInteger(n)) return 'DeflateInflateLimitRequestBody is not parsable.';
        if (!m || m[0].length !== arg.length || n < 0) return 'DeflateInflateLimitRequestBody requires a non-negative integer.';
        cmd.dirConfig.inflateLimit = n;
        return undefined;
      },
    },
    {
      name: 'DeflateInflateRatioLimit', arity: 'TAKE1', context: OR_ALL, help: 'Set the inflate ratio limit above which inflation is aborted (default: 200)',
      set: atoiSetting((i) => i > 0, 'DeflateInflateRatioLimit must be positive', (cmd, i) => (cmd.dirConfig.ratioLimit = i)),
    },
    {
      name: 'DeflateInflateRatioBurst', arity: 'TAKE1', context: OR_ALL, help: 'Set the maximum number of following inflate ratios above limit (default: 3)',
      set: atoiSetting((i) => i > 0, 'DeflateInflateRatioBurst must be positive', (cmd, i) => (cmd.dirConfig.ratioBurst = i)),
    },
    {
      name: 'DeflateAlterEtag', arity: 'TAKE1', context: RSRC_CONF,
      help: "Set how mod_deflate should modify ETAG response headers: 'AddSuffix' (default), 'NoChange' (2.2.x behavior), 'Remove'",
      set: (cmd, arg) => {
        const v = ({ nochange: 'NoChange', addsuffix: 'AddSuffix', remove: 'Remove' } as const)[arg.toLowerCase() as 'nochange'];
        if (v === undefined) return "DeflateAlterETAG accepts only 'NoChange', 'AddSuffix', and 'Remove'";
        cmd.serverConfig.etag = v;
        return undefined;
      },
    },
  ],
};

/** mod_filter's per-directory configuration: AddOutputFilterByType's filters and the types each applies to. */
export interface FilterDirConfig {
  byType: Array<{ filter: string; types: string[] }>;
}

/**
 * Output filters and the module that registers each (ap_register_output_filter): a provider
 * AddOutputFilterByType names must be one of these, its module loaded, or the line fails as
 * Apache's does ("Unknown filter provider X"). Names compare without case.
 */
export const OUTPUT_FILTER_MODULES: Readonly<Record<string, string>> = {
  deflate: 'deflate_module', inflate: 'deflate_module', brotli_compress: 'brotli_module',
  includes: 'include_module', substitute: 'substitute_module', sed: 'sed_module', 'proxy-html': 'proxy_html_module',
  xml2enc: 'xml2enc_module', ratelimit: 'ratelimit_module', buffer: 'buffer_module', data: 'data_module',
  'xlatein': 'charset_lite_module', 'xlateout': 'charset_lite_module', 'ext_filter': 'ext_filter_module',
  // Core's own (always registered).
  byterange: 'core', content_length: 'core', http_header: 'core', http_outerror: 'core', chunk: 'core',
  core: 'core', subreq_core: 'core', old_write: 'core', eoc: 'core', req_core: 'core',
};

export const filterModule: ModuleDef<unknown, FilterDirConfig> = {
  name: 'filter_module',
  sourceFile: 'mod_filter.c',
  createDirConfig: () => ({ byType: [] }),
  mergeDirConfig: (base, add) => ({ byType: [...base.byType, ...add.byType] }),
  directives: [
    {
      name: 'AddOutputFilterByType', arity: 'TAKE_ARGV', context: OR_FILEINFO, help: 'output filter name followed by one or more content-types',
      set: (cmd, argv) => {
        if (argv.length < 2) return 'AddOutputFilterByType requires at least two arguments';
        const [names, ...types] = argv as [string, ...string[]];
        for (const name of names.split(';').filter((n) => n !== '')) {
          const owner = OUTPUT_FILTER_MODULES[name.toLowerCase()];
          if (owner === undefined || (owner !== 'core' && cmd.moduleState(owner) === undefined)) return `Unknown filter provider ${name}`;
          cmd.dirConfig.byType.push({ filter: name.toLowerCase(), types });
        }
        return undefined;
      },
    },
  ],
};
