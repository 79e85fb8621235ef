/**
 * Starting the server: the snapshot children read, the error log, and the call into
 * @prefork/mpm-core's runMaster with what the command line knows (defines, command line,
 * how to re-read the configuration at a restart).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ErrorLogger, type CoreServerConfig, type LoadResult, type StartupMessage } from '@prefork/core';
import type { PreforkSettings } from '@prefork/mpm-core';
import { childSnapshot } from './child-config.js';
import type { RunOptions } from './backend.js';
import { readBuildInfo } from './build-info.js';

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
   * Apache's text on failure. `logged` is what that read logs to the error log.
   */
  reload: () => Promise<{ result: LoadResult; settings: PreforkSettings; logged: StartupMessage[] }>;
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
  const errorLog = core?.errorLog ?? 'logs/error_log';
  const logger = new ErrorLogger({ kind: 'file', path: isAbsolute(errorLog) ? errorLog : resolve(first.result.serverRoot, errorLog) }, core?.logLevel);
  const logRead = (messages: readonly StartupMessage[]) => {
    if (messages.length === 0) return;
    logger.open();
    for (const m of messages) logger.log({ level: m.level, module: m.module, id: m.id, message: m.message });
  };
  logRead(first.logged);
  let generation = 0;
  // Every generation's snapshot stays until the master exits: a child of an old generation
  // may still be starting and about to read its own.
  const written: string[] = [];
  const snapshotOf = (result: LoadResult, settings: PreforkSettings) => {
    const file = writeSnapshot(settings, childSnapshot(result, settings, info.description, info.built), generation++, result.serverRoot);
    written.push(file);
    return file;
  };
  const masterOptions = {
    settings: first.settings,
    configSnapshot: snapshotOf(first.result, first.settings),
    childEntry: inputs.childEntry,
    loadConfig: async () => {
      const next = await inputs.reload();
      logRead(next.logged);
      return { settings: next.settings, configSnapshot: snapshotOf(next.result, next.settings) };
    },
    logger,
    serverDescription: info.description,
    serverBuilt: info.built,
    commandLine: options.commandLine,
    foreground: defines.has('FOREGROUND') || defines.has('NO_DETACH') || defines.has('DEBUG'),
    // ONE_PROCESS would serve in the master itself, which needs the child loop in-process;
    // until conn-handler offers that, -X and -DONE_PROCESS stay in the foreground with children.
    oneProcess: false,
  };
  try {
    return await inputs.runMaster(masterOptions as never);
  } finally {
    for (const file of written) rmSync(file, { force: true });
  }
}
