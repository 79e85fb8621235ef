/**
 * httpd's main(), as far as the command line goes: options, the read of the configuration,
 * -t and the dumps, -k, then the MPM. Every exit code and message is httpd's.
 */
import { openSync, writeSync, closeSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parseCommandLine, type ServerOptions } from './args.js';
import type { ServerBackend, LocatedError } from './backend.js';
import {
  COMPILED_DEFAULTS,
  compileSettingsText,
  compiledModulesText,
  readBuildInfo,
  usageText,
  versionText,
} from './build-info.js';
import { PF_HTTPD } from './core-backend.js';
import { signalServer, systemProcessControl, type ProcessControl } from './pidfile.js';

/** Where main() writes and what it talks to; the defaults are the real process's. */
export interface MainContext {
  /** The program name in usage and messages. */
  programName: string;
  stdout(text: string): void;
  stderr(text: string): void;
  backend: ServerBackend;
  processControl?: ProcessControl;
}


/** A stream for stderr that -E may send to a file, as ap_replace_stderr_log does. */
class StartupErrorStream {
  private fd: number | undefined;
  constructor(private readonly fallback: (text: string) => void) {}

  redirect(path: string, serverRoot: string, programName: string): void {
    const file = isAbsolute(path) ? path : resolve(serverRoot, path);
    try {
      this.fd = openSync(file, 'a');
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const errno = typeof e.errno === 'number' ? Math.abs(e.errno) : 0;
      const text = e.code === 'ENOENT' ? 'No such file or directory'
        : e.code === 'EACCES' ? 'Permission denied'
        : e.code === 'EISDIR' ? 'Is a directory'
        : (e.code ?? 'Unknown error');
      this.fallback(`(${errno})${text}: ${programName}: could not open error log file ${path}.\n`);
    }
  }

  write(text: string): void {
    if (this.fd !== undefined) writeSync(this.fd, text);
    else this.fallback(text);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

function formatLocated(e: LocatedError): string {
  const code = e.code ? ` [${e.code}]` : '';
  // An error of the whole configuration (the MPM check) has no line: the file alone.
  const where = e.line > 0 ? `${e.file}:${e.line}:${e.column}` : e.file;
  return `${where}: ${e.message}${code}\n`;
}

/**
 * Runs the `prefork` command for `argv` (argv[0] is ignored; the program name comes from the
 * context). Resolves with the process exit code.
 */
export async function main(argv: readonly string[], ctx: MainContext): Promise<number> {
  const cmd = parseCommandLine([ctx.programName, ...argv.slice(1)]);
  switch (cmd.action) {
    case 'usage':
      ctx.stderr(cmd.diagnostics.join('') + usageText(ctx.programName));
      return 1;
    case 'version':
      ctx.stdout(versionText(readBuildInfo()));
      return 0;
    case 'compile-settings':
      ctx.stdout(compileSettingsText(readBuildInfo()));
      return 0;
    case 'list-modules':
      ctx.stdout(compiledModulesText());
      return 0;
    case 'server':
      break;
  }
  const err = new StartupErrorStream(ctx.stderr);
  try {
    return await serve(cmd.options, ctx, err, argv);
  } finally {
    err.close();
  }
}

async function serve(
  options: ServerOptions,
  ctx: MainContext,
  err: StartupErrorStream,
  argv: readonly string[],
): Promise<number> {
  const serverRoot = options.serverRoot ?? COMPILED_DEFAULTS.HTTPD_ROOT;
  if (options.startupErrorLog !== undefined) {
    err.redirect(options.startupErrorLog, serverRoot, ctx.programName);
  }
  const outcome = await ctx.backend.load({
    configFile: options.configFile ?? COMPILED_DEFAULTS.SERVER_CONFIG_FILE,
    serverRoot,
    defines: options.defines,
    preDirectives: options.preDirectives,
    postDirectives: options.postDirectives,
    stopAtFirstError: !options.allErrors,
    documentRootCheck: options.documentRootCheck,
    startupLogLevel: options.startupLogLevel ?? 'warn',
    programName: ctx.programName,
  });
  if (options.allErrors) {
    // Warnings keep Apache's form; the errors are listed one per line, with their column.
    for (const m of outcome.messages) {
      if (m.kind === 'warning') err.write(m.text + '\n');
    }
    for (const e of outcome.errors) err.write(formatLocated(e));
    if (outcome.errors.length > 0 || !outcome.server) {
      const n = outcome.errors.length;
      err.write(`${PF_HTTPD.ERROR_COUNT}: ${n} error${n === 1 ? '' : 's'} in the configuration\n`);
      return 1;
    }
  } else {
    for (const m of outcome.messages) err.write(m.text + '\n');
  }
  const server = outcome.server;
  if (!server) return 1;

  if (options.runMode !== 'normal') {
    if (options.showDirectives) {
      ctx.stdout(server.showDirectives());
      return 0;
    }
    ctx.stdout(server.dumpConfig(options.defines));
    if (options.runMode === 'config-test') err.write('Syntax OK\n');
    return 0;
  }

  const signalled = signalServer(options.dashK, server.pidFile, ctx.processControl ?? systemProcessControl);
  for (const line of signalled.stdout) ctx.stdout(line + '\n');
  for (const line of signalled.stderr) err.write(line + '\n');
  if (!signalled.proceed) return signalled.exitCode;

  if (!server.run) {
    err.write(
      `${PF_HTTPD.NO_MASTER}: ${ctx.programName}: serving is not available yet: ` +
        'this build has no master process (@prefork/mpm-core provides no runMaster); ' +
        'use -t to check a configuration\n',
    );
    return 1;
  }
  const commandLine = [ctx.programName, ...options.rewrittenArgv.slice(1)].join(' ');
  return server.run({ defines: options.defines, commandLine, stderr: (text) => err.write(text) });
}
