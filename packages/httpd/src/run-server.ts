/**
 * Starting the server: the snapshot children read, the error log, and the call into
 * @prefork/mpm-core's runMaster with what the command line knows (defines, command line,
 * how to re-read the configuration at a restart).
 */
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { DEFAULT_ERRORLOG, ErrorLogger, type CoreServerConfig, type LoadResult, type StartupMessage } from '@prefork/core';
import type { PreforkSettings } from '@prefork/mpm-core';
import { childSnapshot } from './child-config.js';
import type { RunOptions } from './backend.js';
import { readBuildInfo } from './build-info.js';
import { masterMemory } from './master-memory.js';
import { parsePipedTarget, PipedLogs, PipedLogStartError } from './piped-logs.js';

/**
 * Where this generation's snapshot goes: next to the mutexes (DefaultRuntimeDir, relative to
 * ServerRoot), named by pid and generation.
 */
export function writeSnapshot(settings: PreforkSettings, snapshot: Record<string, unknown>, generation: number, serverRoot: string): string {
  const file = resolve(serverRoot, settings.mutexDir, `prefork-config.${process.pid}.${generation}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(snapshot));
  return file;
}

/** What starting needs from the backend. */
export interface StartInputs {
  runMaster: (options: never) => Promise<number>;
  childEntry: string;
  /**
   * Reads the configuration again (Apache's second pass at start, and restarts); throws with
   * Apache's text on failure. What that read says (`result.startupMessages`) goes to the error
   * log: stderr is the error log by then in Apache.
   */
  reload: () => Promise<{ result: LoadResult; settings: PreforkSettings }>;
}

/** Runs the master until it stops; resolves with the exit code. */
export async function startServer(inputs: StartInputs, options: RunOptions): Promise<number> {
  const info = readBuildInfo();
  const defines = new Set(options.defines);
  // Apache reads the configuration twice when it starts; the second read is the one it runs
  // with, and what it logs (the clamps' short forms) goes to the error log.
  let first: Awaited<ReturnType<StartInputs['reload']>>;
  try {
    first = await inputs.reload();
  } catch (e) {
    options.stderr(`${(e as Error).message}\n`);
    return 1;
  }
  const core = first.result.server.config.get('core') as CoreServerConfig | undefined;
  const errorLog = core?.errorLog ?? DEFAULT_ERRORLOG;
  // Piped logs (ErrorLog/CustomLog "|prog") are started here, once, and stand as FIFOs in
  // DefaultRuntimeDir for the master's logger and the children's snapshots.
  let errorLogPath = '';
  const pipes = new PipedLogs(resolve(first.result.serverRoot, first.settings.mutexDir), () => errorLogPath, (line) => {
    try {
      appendFileSync(errorLogPath, line + '\n');
    } catch {
      // nowhere left to say it
    }
  });
  try {
    errorLogPath = parsePipedTarget(errorLog) ? pipes.resolve(errorLog, true) : isAbsolute(errorLog) ? errorLog : resolve(first.result.serverRoot, errorLog);
  } catch (e) {
    if (!(e instanceof PipedLogStartError)) throw e;
    return pipedLogFailed(e, pipes, options);
  }
  const logger = new ErrorLogger({ kind: 'file', path: errorLogPath }, core?.logLevel);
  const logRead = (messages: readonly StartupMessage[]) => {
    if (messages.length === 0) return;
    logger.open();
    for (const m of messages) logger.log(m);
  };
  // Apache's second read at start: attached, all it says reaches the error log. Detaching
  // (-k start), only what its read pass says does; prefork detaches in pre_config, after which
  // stderr is /dev/null, so the naming of servers and the clamps are not logged. Our detached
  // copy reads again and logs nothing of it, as the process it replaces logged already.
  const foreground = defines.has('FOREGROUND') || defines.has('NO_DETACH') || defines.has('DEBUG');
  // -X (DEBUG) and -DONE_PROCESS: no children, the child's loop serves in this process.
  const oneProcess = defines.has('ONE_PROCESS') || defines.has('DEBUG');
  const firstMessages = first.result.startupMessages;
  if (foreground || oneProcess) logRead(firstMessages);
  else if (!(await import('@prefork/mpm-core')).isDaemon()) logRead(firstMessages.filter((m) => m.pass === 'read'));
  let generation = 0;
  // Every generation's snapshot stays until the master exits: a child of an old generation
  // may still be starting and about to read its own.
  const written: string[] = [];
  const snapshotOf = (result: LoadResult, settings: PreforkSettings) => {
    const snapshot = childSnapshot(result, settings, info.description, info.built);
    pipes.applyToSnapshot(snapshot, errorLog);
    const file = writeSnapshot(settings, snapshot, generation++, result.serverRoot);
    written.push(file);
    return file;
  };
  let firstSnapshot: string;
  try {
    firstSnapshot = snapshotOf(first.result, first.settings);
  } catch (e) {
    // Only a log program that cannot start is AH00104; anything else is not about logs.
    if (!(e instanceof PipedLogStartError)) throw e;
    return pipedLogFailed(e, pipes, options, parsePipedTarget(errorLog) ? undefined : errorLogPath);
  }
  const masterOptions = {
    settings: first.settings,
    configSnapshot: firstSnapshot,
    childEntry: inputs.childEntry,
    loadConfig: async () => {
      const next = await inputs.reload();
      logRead(next.result.startupMessages);
      return { settings: next.settings, configSnapshot: snapshotOf(next.result, next.settings) };
    },
    logger,
    serverDescription: info.description,
    serverBuilt: info.built,
    commandLine: options.commandLine,
    foreground,
    oneProcess,
    ...masterMemory(),
    runChildInProcess: async (bootstrap: unknown, fds: { pod: number }) => {
      const { runChildInProcess } = await import('@prefork/conn-handler');
      return runChildInProcess(bootstrap as Parameters<typeof runChildInProcess>[0], fds);
    },
  };
  try {
    return await inputs.runMaster(masterOptions as never);
  } finally {
    for (const file of written) rmSync(file, { force: true });
    pipes.stopAll();
  }
}

/**
 * A piped log program that cannot be started stops the start, as in Apache: AH00104 then
 * AH00015, in the error log when it is already open (a CustomLog program), else on stderr.
 */
function pipedLogFailed(e: PipedLogStartError, pipes: PipedLogs, options: RunOptions, errorLogFile?: string): number {
  pipes.stopAll();
  const text = `${e.message}\nAH00015: Unable to open logs\n`;
  try {
    if (errorLogFile === undefined) throw new Error('no error log yet');
    appendFileSync(errorLogFile, text);
  } catch {
    options.stderr(text);
  }
  return 1;
}
