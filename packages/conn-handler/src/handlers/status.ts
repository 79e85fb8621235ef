/**
 * mod_status's handler in the child: `/server-status` (HTML, `?notable`, `?refresh=N`) and
 * `?auto`, rendered by @prefork/modules from the shared scoreboard as this child reads it.
 */
import os from 'node:os';
import {
  parseStatusQuery, renderStatusAuto, renderStatusHtml, type ProcessSnapshot, type StatusSnapshot,
} from '@prefork/modules';
import type { ChildConfig } from '../config.js';
import type { ConnectionInfo } from '../http/connection.js';
import { OutHeaders, type Request, type Response } from '../http/types.js';

/** What the status page reads from the scoreboard. */
export interface StatusBoard {
  /** Every process slot (ServerLimit of them), each with its one worker. */
  processes: ProcessSnapshot[];
  /** global_score.restart_time, µs since the epoch (0 when never set). */
  restartTimeMicros: number;
  /** global_score.running_generation (ap_my_generation of the master). */
  runningGeneration: number;
  /** global_score.times, clock ticks. */
  globalTimes: { user: number; system: number; childUser: number; childSystem: number };
}

/** The server name status shows: the Host the request named, else ServerName (ap_get_server_name). */
function serverName(cfg: ChildConfig, req: Request): string {
  if (cfg.useCanonicalName === 'Off' && req.hostname) return req.hostname;
  return cfg.serverName;
}

/**
 * Builds the response for a GET or HEAD under `SetHandler server-status`. `readBoard` is called
 * once per request; `startedMicros` stands in for the restart time when the board has none.
 */
export function statusResponse(
  cfg: ChildConfig, req: Request, conn: ConnectionInfo, readBoard: () => StatusBoard, startedMicros: number,
): Response {
  const query = parseStatusQuery(req.args);
  const board = readBoard();
  const snapshot: StatusSnapshot = {
    serverName: serverName(cfg, req),
    localIp: conn.localAddr,
    serverVersion: cfg.serverDescription,
    mpm: 'prefork',
    serverBuilt: cfg.serverBuilt,
    now: new Date(),
    restartTime: new Date(Math.floor((board.restartTimeMicros || startedMicros) / 1000)),
    configGeneration: board.runningGeneration + 1,
    mpmGeneration: board.runningGeneration,
    loadAverage: os.loadavg() as [number, number, number],
    extendedStatus: cfg.extendedStatus,
    globalTimes: board.globalTimes,
    maxDaemons: cfg.maxRequestWorkers,
    threadsPerChild: 1,
    processes: board.processes,
  };
  const text = query.auto ? renderStatusAuto(snapshot) : renderStatusHtml(snapshot, { notable: query.notable });
  const data = Buffer.from(text, 'latin1');
  const headers = new OutHeaders();
  if (query.refresh !== undefined) headers.set('Refresh', String(query.refresh));
  // The whole page is one brigade, so Apache's content-length filter sets the length (HEAD too).
  headers.set('Content-Length', String(data.length));
  return { status: 200, headers, contentType: query.contentType, body: { kind: 'buffer', data } };
}
