/**
 * What the command line needs from the rest of the server. The command line parses options,
 * prints, and decides exit codes; reading the configuration, the modules' dumps and the master
 * loop belong to @prefork/core and @prefork/mpm-core, reached through this interface (see
 * core-backend.ts for the wiring).
 */
import type { LogLevel } from './args.js';

/** What main() asks the configuration reader for. */
export interface LoadRequest {
  /** As given by -f or the compiled-in default; relative paths are relative to serverRoot. */
  configFile: string;
  /** -d or the compiled-in HTTPD_ROOT. */
  serverRoot: string;
  defines: string[];
  preDirectives: string[];
  postDirectives: string[];
  /** false under -t -D DUMP_ALL_ERRORS: collect every error instead of stopping at the first. */
  stopAtFirstError: boolean;
  /** false under -T */
  documentRootCheck: boolean;
  /** -e, or warn. */
  startupLogLevel: LogLevel;
  /** The program name Apache puts before read-pass errors (`<name>: Syntax error on line …`). */
  programName: string;
  /**
   * false for the reads after the first (Apache's second pass and restarts): the clamps' short
   * forms are then logged to the error log instead of the long forms on stderr. Default true.
   */
  startup?: boolean;
}

/** A configuration error with its position, as DUMP_ALL_ERRORS lists it. */
export interface LocatedError {
  file: string;
  line: number;
  column: number;
  /** Apache's text of the error, without its `Syntax error on line …` prefix. */
  message: string;
  /** A stable code (the parser's or core's). */
  code?: string;
}

/** One line (or several, for AH00526) of startup output for stderr. */
export interface StartupMessage {
  text: string;
  /** Errors are replaced by the located list under DUMP_ALL_ERRORS; warnings stay. */
  kind: 'warning' | 'error';
}

/** The outcome of reading and processing the configuration (pre_config … check_config). */
export interface LoadOutcome {
  /**
   * Lines for stderr in the order Apache prints them: warnings (AH00111 with its timestamp,
   * clamp warnings without) and, on failure, the first error in Apache's form.
   */
  messages: StartupMessage[];
  /** Every error found (one under stopAtFirstError, all otherwise). Empty on success. */
  errors: LocatedError[];
  /** Present when the configuration is usable. */
  server?: LoadedServer;
}

/** A configuration that passed check_config. */
export interface LoadedServer {
  /** The PidFile in force, absolute. */
  pidFile: string;
  /** The test_config hooks: the dumps the DUMP_* defines ask for, as stdout text. */
  dumpConfig(defines: readonly string[]): string;
  /** `-L`: every directive with its module, help and context, as stdout text. */
  showDirectives(): string;
  /**
   * The MPM: open logs, post_config, then the master loop. Resolves with the exit code.
   * Absent while no master is available.
   */
  run?(options: RunOptions): Promise<number>;
}

/** What the master loop needs from the command line besides the configuration. */
export interface RunOptions {
  defines: readonly string[];
  /** The command line as AH00094 logs it. */
  commandLine: string;
  /** Where a failure before the error log is open is printed. */
  stderr: (text: string) => void;
}

/** The configuration reader main() uses. */
export interface ServerBackend {
  load(request: LoadRequest): Promise<LoadOutcome>;
}
