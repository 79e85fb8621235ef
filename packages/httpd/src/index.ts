/**
 * @prefork/httpd: the `prefork` command (httpd's command line) as a library, for embedding and
 * for tests.
 */
export { main, type MainContext } from './main.js';
export {
  parseCommandLine,
  SERVER_BASEARGS,
  DASH_K_ARGS,
  DUMP_ALL_ERRORS,
  LOG_LEVELS,
  type CommandLine,
  type DashK,
  type LogLevel,
  type RunMode,
  type ServerOptions,
} from './args.js';
export { Getopt, type GetoptResult } from './getopt.js';
export {
  readPidFile,
  signalServer,
  systemProcessControl,
  DASH_K_SIGNALS,
  type PidFileState,
  type ProcessControl,
  type SignalOutcome,
} from './pidfile.js';
export {
  APACHE_COMPATIBLE_VERSION,
  COMPILED_DEFAULTS,
  MODULE_MAGIC_NUMBER,
  PRODUCT_NAME,
  STATIC_MODULES,
  compileSettingsText,
  compiledModulesText,
  readBuildInfo,
  usageText,
  versionText,
  type BuildInfo,
} from './build-info.js';
export type {
  LoadOutcome,
  LoadRequest,
  LoadedServer,
  LocatedError,
  RunOptions,
  ServerBackend,
  StartupMessage,
} from './backend.js';
export { createCoreBackend, PF_HTTPD } from './core-backend.js';
export {
  dumpIncludes,
  dumpModules,
  dumpRunConfig,
  dumpVhosts,
  lookupId,
  type IncludedFile,
  type ModuleEntry,
  type RunConfigFacts,
  type VhostFacts,
} from './dumps.js';
