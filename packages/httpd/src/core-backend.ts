/**
 * The wiring from the command line to @prefork/core (read and process the configuration, with
 * mpm_prefork's directives and check_config from @prefork/mpm-core) and to the master loop.
 */
import {
  createDefaultRegistry,
  formatLogLine,
  levelNumber,
  loadServerConfig,
  showLoadedDirectives,
  type CoreServerConfig,
  type LoadResult,
  type StartupMessage as CoreMessage,
} from '@prefork/core';
import type { AnyModule, ModuleRegistry, ServerRec } from '@prefork/core';
import { dirname, isAbsolute, resolve } from 'node:path';
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LoadOutcome, LoadRequest, LoadedServer, ServerBackend, StartupMessage } from './backend.js';
import { COMPILED_DEFAULTS } from './build-info.js';
import { startServer } from './run-server.js';
import type { PreforkSettings } from '@prefork/mpm-core';
import { dumpIncludes, dumpModules, dumpRunConfig, dumpVhosts, lookupId } from './dumps.js';

/** Our message ids (the PF01xxx range belongs to the command line). */
export const PF_HTTPD = {
  /** No master loop is available in this build. */
  NO_MASTER: 'PF01001',
  /** The summary after DUMP_ALL_ERRORS listed errors. */
  ERROR_COUNT: 'PF01002',
} as const;

/** Apache shows a startup message unless its level is above -e (notices always pass). */
function shown(m: CoreMessage, threshold: LoadRequest['startupLogLevel']): boolean {
  return m.level === 'notice' || levelNumber(m.level) <= levelNumber(threshold);
}

/** APLOG_STARTUP lines carry no timestamp; the others are error-log lines on stderr. */
function formatMessage(m: CoreMessage): string {
  return formatLogLine({ level: m.level, module: m.module, id: m.id, status: m.status, message: m.message, startup: m.startup });
}

function absolute(path: string, serverRoot: string): string {
  return isAbsolute(path) ? path : resolve(serverRoot, path);
}

/** Static modules first, then LoadModule order; core's name for core.c is Apache's core_module. */
function moduleEntries(result: LoadResult) {
  return result.modules.map((m) => ({ name: m.name === 'core' ? 'core_module' : m.name, kind: m.kind }));
}

function dumpConfigOf(result: LoadResult, pidFile: string, defines: readonly string[]): string {
  const want = new Set(defines);
  const core = result.server.config.get('core') as CoreServerConfig | undefined;
  const unixd = result.server.config.get('unixd_module') as { user?: string; group?: string } | undefined;
  let out = '';
  if (want.has('DUMP_VHOSTS')) {
    out += dumpVhosts(
      result.vhosts.map((v) => {
        const c = v.config.get('core') as CoreServerConfig | undefined;
        return {
          addrs: v.addrs ?? [],
          serverName: v.hostname ?? c?.serverName ?? core?.serverName ?? 'localhost',
          aliases: c?.serverAliases ?? [],
          file: v.loc?.file ?? '',
          line: v.loc?.line ?? 0,
        };
      }),
    );
  }
  if (want.has('DUMP_RUN_CFG')) {
    const user = unixd?.user ?? '#-1';
    const group = unixd?.group ?? '#-1';
    out += dumpRunConfig({
      serverRoot: result.serverRoot,
      documentRoot: absolute(core?.documentRoot ?? COMPILED_DEFAULTS.DOCUMENT_LOCATION, result.serverRoot),
      errorLog: absolute(core?.errorLog ?? COMPILED_DEFAULTS.DEFAULT_ERRORLOG, result.serverRoot),
      mutexes: [
        ...Object.entries(core?.mutexes ?? {}).map(([name, setting]) => ({
          name,
          setting: describeMutex(setting, result.serverRoot),
        })),
        ...['mpm-accept', 'watchdog-callback']
          .filter((n) => !(core?.mutexes ?? {})[n])
          .map((name) => ({ name, setting: undefined })),
        // The default mutex is always listed: in the runtime directory when not configured.
        ...((core?.mutexes ?? {})['default']
          ? []
          : [{ name: 'default', setting: `dir="${(core?.defaultRuntimeDir ?? COMPILED_DEFAULTS.DEFAULT_REL_RUNTIMEDIR).replace(/\/*$/, '/')}" mechanism=default` }]),
      ],
      pidFile,
      defines: result.defines,
      user: { name: user, id: lookupId(user, '/etc/passwd') },
      group: { name: group, id: lookupId(group, '/etc/group') },
    });
  }
  if (want.has('DUMP_MODULES')) out += dumpModules(moduleEntries(result));
  if (want.has('DUMP_INCLUDES')) out += dumpIncludes(result.includes);
  return out;
}

/** `Mutex file:/dir default` shows as `dir="/dir" mechanism=fcntl` (Debian's default mechanism). */
function describeMutex(setting: string, serverRoot: string): string {
  const [mech, dir] = setting.includes(':') ? [setting.slice(0, setting.indexOf(':')), setting.slice(setting.indexOf(':') + 1)] : [setting, ''];
  const mechanism = mech === 'file' || mech === 'default' ? 'fcntl' : mech;
  return `dir="${dir ? absolute(dir, serverRoot) : resolve(serverRoot, 'logs')}" mechanism=${mechanism}`;
}

/** `-L`: Apache's tables and catalogue as the load's registry already holds them. */
function directivesText(result: LoadResult, registry: ModuleRegistry): string {
  return showLoadedDirectives(result, registry.commandTables, registry.catalogue);
}

/** What the command line takes from @prefork/mpm-core, looked up so a partial build still checks. */
interface MpmParts {
  preforkModule?: AnyModule;
  preforkSettingsOf?: (server: ServerRec, serverRoot: string) => PreforkSettings | undefined;
  runMaster?: (options: never) => Promise<number>;
}

async function mpmParts(): Promise<MpmParts> {
  const ns: Record<string, unknown> = { ...((await import('@prefork/mpm-core')) as Record<string, unknown>) };
  if (!ns['preforkModule']) {
    // Releases of mpm-core that do not re-export their config module from the index still ship it.
    try {
      const config = (await import(new URL('./config/index.js', import.meta.resolve('@prefork/mpm-core')).href)) as Record<string, unknown>;
      for (const key of ['preforkModule', 'preforkSettingsOf']) ns[key] ??= config[key];
    } catch {
      // Without it, LoadModule mpm_prefork_module is reported by core as it reports any module it lacks.
    }
  }
  const parts: MpmParts = {};
  if (ns['preforkModule'] && typeof ns['preforkModule'] === 'object') parts.preforkModule = ns['preforkModule'] as AnyModule;
  if (typeof ns['preforkSettingsOf'] === 'function') parts.preforkSettingsOf = ns['preforkSettingsOf'] as MpmParts['preforkSettingsOf'];
  if (typeof ns['runMaster'] === 'function') parts.runMaster = ns['runMaster'] as MpmParts['runMaster'];
  return parts;
}

/**
 * True when the child bundle exists, was built by this Node version, and none of the files it
 * was made from (its manifest beside it, written by tools/scripts/bundle-child.mjs) changed
 * since. Inputs that are not there (a published install) do not count.
 */
export function freshBundle(file: string): boolean {
  try {
    const built = statSync(file).mtimeMs;
    const manifest = JSON.parse(readFileSync(`${file}.inputs.json`, 'utf8')) as { node?: unknown; inputs?: unknown };
    if (manifest.node !== process.version || !Array.isArray(manifest.inputs)) return false;
    return manifest.inputs.every((rel) => {
      try {
        return statSync(resolve(dirname(file), String(rel))).mtimeMs <= built;
      } catch {
        return true;
      }
    });
  } catch {
    return false;
  }
}

/**
 * conn-handler's child program, found next to its package entry: while the one-file bundle
 * (dist/child.cjs, quicker to start) is fresh, its loader (dist/child-load.cjs, which compiles
 * it with V8's code cache) or the bundle itself; else dist/child-entry.js; undefined when absent.
 */
function childEntryPath(): string | undefined {
  try {
    const base = import.meta.resolve('@prefork/conn-handler');
    const bundle = fileURLToPath(new URL('./child.cjs', base));
    const loader = fileURLToPath(new URL('./child-load.cjs', base));
    if (freshBundle(bundle)) return freshBundle(loader) ? loader : bundle;
    return fileURLToPath(new URL('./child-entry.js', base));
  } catch {
    return undefined;
  }
}

/** One read of the configuration, as the master uses it. */
interface LoadedGeneration {
  result: LoadResult;
  settings: PreforkSettings;
}

/** The backend `prefork` uses: core's loadServerConfig with mpm_prefork registered. */
export function createCoreBackend(): ServerBackend {
  // A reload goes through load() again; this map gives back what it loaded.
  const lastLoad = new WeakMap<LoadedServer, LoadedGeneration>();
  return {
    async load(request: LoadRequest): Promise<LoadOutcome> {
      const mpm = await mpmParts();
      const registry = createDefaultRegistry(mpm.preforkModule ? [mpm.preforkModule] : []);
      const result = await loadServerConfig({
        file: request.configFile,
        serverRoot: request.serverRoot,
        defines: request.defines,
        preDirectives: request.preDirectives,
        postDirectives: request.postDirectives,
        program: request.programName,
        registry,
        startup: request.startup ?? true,
        processOptions: { skipDocumentRootCheck: !request.documentRootCheck },
        collectAllErrors: request.stopAtFirstError === false,
      });
      const messages: StartupMessage[] = result.startupMessages
        .filter((m) => shown(m, request.startupLogLevel))
        .map((m) => ({ kind: 'warning', text: formatMessage(m) }));
      const errors = result.errors.map((e) => ({
        file: e.loc?.file ?? absolute(request.configFile, request.serverRoot),
        line: e.loc?.line ?? 0,
        column: e.loc?.column ?? 0,
        message: e.message,
        code: e.kind,
      }));
      if (!result.ok) {
        // Apache stops at the first error and prints only it.
        const first = result.errors[0];
        if (first) messages.push({ kind: 'error', text: first.text });
        return { messages, errors };
      }
      const settings = mpm.preforkSettingsOf?.(result.server, result.serverRoot);
      const pidFile = settings?.pidFile ?? absolute(COMPILED_DEFAULTS.DEFAULT_PIDLOG, result.serverRoot);
      const server: LoadedServer = {
        pidFile,
        dumpConfig: (defines) => dumpConfigOf(result, pidFile, defines),
        showDirectives: () => directivesText(result, registry),
      };
      const childEntry = childEntryPath();
      const { runMaster, preforkSettingsOf } = mpm;
      if (settings && runMaster && preforkSettingsOf && childEntry) {
        server.run = (options) =>
          startServer(
            {
              runMaster,
              childEntry,
              reload: async () => {
                const again = await this.load({ ...request, stopAtFirstError: true, startup: false });
                const failure = again.messages.find((m) => m.kind === 'error');
                if (failure || !again.server) throw new Error(failure?.text ?? 'configuration failed');
                const next = lastLoad.get(again.server);
                if (!next) throw new Error('configuration failed');
                return next;
              },
            },
            options,
          );
      }
      lastLoad.set(server, { result, settings: settings as PreforkSettings });
      return { messages, errors, server };
    },
  };
}
