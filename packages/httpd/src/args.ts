/**
 * httpd's command line: the MPM's `-k` pre-pass (ap_mpm_rewrite_args) followed by main()'s
 * option loop, with the same precedence (an action option such as -v acts where it is met, so
 * `-v -Z` prints the version and `-Z -v` prints the usage).
 */
import { Getopt } from './getopt.js';

/** httpd's AP_SERVER_BASEARGS. */
export const SERVER_BASEARGS = 'C:c:D:d:E:e:f:vVlLtTSMh?X';

/** The -k verbs the Unix MPMs accept. */
export const DASH_K_ARGS = ['start', 'stop', 'restart', 'graceful', 'graceful-stop'] as const;
export type DashK = (typeof DASH_K_ARGS)[number];

/** Apache's log levels as -e and LogLevel spell them. */
export const LOG_LEVELS = [
  'emerg', 'alert', 'crit', 'error', 'warn', 'notice', 'info', 'debug',
  'trace1', 'trace2', 'trace3', 'trace4', 'trace5', 'trace6', 'trace7', 'trace8',
] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** httpd's ap_run_mode. */
export type RunMode = 'normal' | 'config-test' | 'config-dump';

/** The defines that make httpd dump instead of serving. */
const DUMP_DEFINES = new Set(['DUMP_VHOSTS', 'DUMP_RUN_CFG', 'DUMP_MODULES', 'DUMP_INCLUDES']);

/**
 * Our own define: with -t, report every configuration error with file:line:column instead of
 * stopping at the first, as Apache does. Any other use of -D is Apache's.
 */
export const DUMP_ALL_ERRORS = 'DUMP_ALL_ERRORS';

/** Everything main() collected before it reads the configuration. */
export interface ServerOptions {
  /** -f; undefined = the compiled-in SERVER_CONFIG_FILE. */
  configFile: string | undefined;
  /** -d; undefined = the compiled-in HTTPD_ROOT. */
  serverRoot: string | undefined;
  /** -D names in command-line order, with those -X, -S and -M add. */
  defines: string[];
  /** -C directives, in order. */
  preDirectives: string[];
  /** -c directives, in order. */
  postDirectives: string[];
  /** -e; undefined = Apache's default (warn). */
  startupLogLevel: LogLevel | undefined;
  /** -E */
  startupErrorLog: string | undefined;
  runMode: RunMode;
  /** -L */
  showDirectives: boolean;
  /** false under -T */
  documentRootCheck: boolean;
  /** -k; undefined when -k was not given (Apache's dash_k_arg_noarg, which acts as start). */
  dashK: DashK | undefined;
  /** -t -D DUMP_ALL_ERRORS */
  allErrors: boolean;
  /**
   * argv as httpd rewrites it before its option loop (ap_mpm_rewrite_args): `-k verb` taken out,
   * each option and its argument as separate words (`-DFOREGROUND` becomes `-D FOREGROUND`).
   * AH00094 logs this.
   */
  rewrittenArgv: readonly string[];
}

/** What the command line asks for. */
export type CommandLine =
  /** Print the usage (after `diagnostics`, APR's messages) and exit 1. */
  | { action: 'usage'; diagnostics: string[] }
  | { action: 'version' }
  | { action: 'compile-settings' }
  | { action: 'list-modules' }
  | { action: 'server'; options: ServerOptions };

function isLogLevel(text: string): text is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(text);
}

function isDashK(text: string): text is DashK {
  return (DASH_K_ARGS as readonly string[]).includes(text);
}

/**
 * The -k pre-pass: the first valid `-k verb` is taken out of argv; everything else (an invalid
 * verb, a second -k, whatever follows an error) is passed on for main()'s loop to judge.
 */
function rewriteArgs(argv: readonly string[]): { argv: string[]; dashK: DashK | undefined } {
  const out: string[] = [argv[0] ?? ''];
  const scan = new Getopt(argv, 'k:' + SERVER_BASEARGS);
  let dashK: DashK | undefined;
  for (;;) {
    const r = scan.next();
    if (r.kind === 'end') break;
    if (r.kind === 'bad-option' || r.kind === 'missing-arg') {
      // httpd backs up one word so that main() meets the bad option again and reports it.
      scan.index--;
      break;
    }
    if (r.option === 'k' && dashK === undefined && r.arg !== undefined && isDashK(r.arg)) {
      dashK = r.arg;
      continue;
    }
    out.push('-' + r.option);
    if (r.arg !== undefined) out.push(r.arg);
  }
  for (let i = scan.index; i < argv.length; i++) out.push(argv[i] as string);
  return { argv: out, dashK };
}

/**
 * Parses httpd's command line. `argv[0]` is the program name as the diagnostics should show
 * it; options start at `argv[1]`.
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const { argv: args, dashK } = rewriteArgs(argv);
  const diagnostics: string[] = [];
  const scan = new Getopt(args, SERVER_BASEARGS, (m) => diagnostics.push(m));
  const options: ServerOptions = {
    configFile: undefined,
    serverRoot: undefined,
    defines: [],
    preDirectives: [],
    postDirectives: [],
    startupLogLevel: undefined,
    startupErrorLog: undefined,
    runMode: 'normal',
    showDirectives: false,
    documentRootCheck: true,
    dashK,
    allErrors: false,
    rewrittenArgv: args,
  };
  let modeSet = false;
  const usage = (): CommandLine => ({ action: 'usage', diagnostics });

  for (;;) {
    const r = scan.next();
    if (r.kind === 'end') break;
    if (r.kind !== 'option') return usage();
    const arg = r.arg ?? '';
    switch (r.option) {
      case 'c':
        options.postDirectives.push(arg);
        break;
      case 'C':
        options.preDirectives.push(arg);
        break;
      case 'd':
        options.serverRoot = arg;
        break;
      case 'D':
        options.defines.push(arg);
        if (DUMP_DEFINES.has(arg)) {
          options.runMode = 'config-dump';
          modeSet = true;
        } else if (arg === DUMP_ALL_ERRORS) {
          options.allErrors = true;
        }
        break;
      case 'e': {
        // Apache compares level names without regard to case.
        const level = arg.toLowerCase();
        if (!isLogLevel(level)) return usage();
        options.startupLogLevel = level;
        break;
      }
      case 'E':
        options.startupErrorLog = arg;
        break;
      case 'X':
        options.defines.push('DEBUG');
        break;
      case 'f':
        options.configFile = arg;
        break;
      case 'v':
        return { action: 'version' };
      case 'l':
        return { action: 'list-modules' };
      case 'L':
        options.runMode = 'config-dump';
        modeSet = true;
        options.showDirectives = true;
        break;
      case 't':
        if (!modeSet) {
          options.runMode = 'config-test';
          modeSet = true;
        }
        break;
      case 'T':
        options.documentRootCheck = false;
        break;
      case 'S':
        options.runMode = 'config-dump';
        modeSet = true;
        options.defines.push('DUMP_VHOSTS', 'DUMP_RUN_CFG');
        break;
      case 'M':
        options.runMode = 'config-dump';
        modeSet = true;
        options.defines.push('DUMP_MODULES');
        break;
      case 'V':
        // Our MPM is built in, so httpd's branch that prints at once applies.
        return { action: 'compile-settings' };
      default:
        // -h and -?
        return usage();
    }
  }
  if (scan.index < args.length) return usage();
  // DUMP_ALL_ERRORS never starts a server: without -t it checks as -t does.
  if (options.allErrors && options.runMode === 'normal') options.runMode = 'config-test';
  return { action: 'server', options };
}
