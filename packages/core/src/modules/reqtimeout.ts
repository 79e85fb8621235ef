/**
 * reqtimeout_module (mod_reqtimeout.c): RequestReadTimeout limits how long reading a request's
 * header and its body may take, `header=20-40,MinRate=500` meaning 20 seconds, extended by a
 * second per 500 bytes received, to 40 at most. When the module is loaded and the directive
 * is absent, those are the limits (and `body=20,MinRate=500`); `0` turns a stage off.
 */
import { getWordConf } from '../args.js';
import { RSRC_CONF } from '../constants.js';
import type { ModuleDef } from '../module.js';

/** One stage as written (reqtimeout_stage_t); absent fields were not set (UNSET). */
export interface ReqTimeoutStage {
  timeout?: number;
  maxTimeout?: number;
  minRate?: number;
}

/** reqtimeout_srv_cfg: each stage, unset until a RequestReadTimeout names it. */
export interface ReqTimeoutConfig {
  handshake?: ReqTimeoutStage;
  header?: ReqTimeoutStage;
  body?: ReqTimeoutStage;
}

/** The limits of a stage the server runs with: seconds, and bytes per second (0: no extension). */
export interface ReqTimeoutLimits {
  timeout: number;
  maxTimeout: number;
  minRate: number;
}

/** MRT_DEFAULT_*: what a stage no RequestReadTimeout sets runs with. */
export const REQTIMEOUT_DEFAULTS: Readonly<Record<'handshake' | 'header' | 'body', ReqTimeoutLimits>> = {
  handshake: { timeout: 0, maxTimeout: 0, minRate: 0 },
  header: { timeout: 20, maxTimeout: 40, minRate: 500 },
  body: { timeout: 20, maxTimeout: 0, minRate: 500 },
};

/** The limits of a stage: as configured, else the default. */
export function reqTimeoutLimits(conf: ReqTimeoutConfig | undefined, stage: 'header' | 'body'): ReqTimeoutLimits {
  const s = conf?.[stage];
  if (s?.timeout === undefined) return REQTIMEOUT_DEFAULTS[stage];
  return { timeout: s.timeout, maxTimeout: s.maxTimeout ?? 0, minRate: s.minRate ?? 0 };
}

/** parse_int: strtol's reading, with Apache's three errors. */
function parseInt10(text: string): number | string {
  const m = /^[ \t\n\r\f\v]*[+-]?[0-9]+/.exec(text);
  if (!m) return `Value '${text}' not numerical`;
  if (m[0].length !== text.length) return `Cannot parse '${text.slice(m[0].length)}'`;
  const n = Number(m[0]);
  if (n < 0) return 'Value must be non-negative';
  return n;
}

/** set_reqtimeout_param: one `key=value`. */
function setParam(conf: ReqTimeoutConfig, key: string, val: string): string | undefined {
  const k = key.toLowerCase();
  if (k !== 'handshake' && k !== 'header' && k !== 'body') return 'Unknown RequestReadTimeout parameter';
  const stage: ReqTimeoutStage = { timeout: 0, maxTimeout: 0, minRate: 0 };
  conf[k] = stage;
  let initial = val;
  const at = val.toLowerCase().indexOf(',minrate=');
  if (at >= 0) {
    initial = val.slice(0, at);
    const rate = parseInt10(val.slice(at + ',minrate='.length));
    if (typeof rate === 'string') return rate;
    stage.minRate = rate;
    if (rate === 0) return 'Minimum data rate must be larger than 0';
    const dash = initial.indexOf('-');
    if (dash >= 0) {
      const max = parseInt10(initial.slice(dash + 1));
      if (typeof max === 'string') return max;
      stage.maxTimeout = max;
      initial = initial.slice(0, dash);
    }
  } else if (val.includes('-')) {
    return 'Must set MinRate option if using timeout range';
  }
  const timeout = parseInt10(initial);
  if (typeof timeout === 'string') return timeout;
  stage.timeout = timeout;
  if (stage.maxTimeout && timeout >= stage.maxTimeout) return 'Maximum timeout must be larger than initial timeout';
  return undefined;
}

export const reqtimeoutModule: ModuleDef<ReqTimeoutConfig, unknown> = {
  name: 'reqtimeout_module',
  sourceFile: 'mod_reqtimeout.c',
  createServerConfig: () => ({}),
  // MERGE_STAGE: a stage the virtual host does not set is the main server's.
  mergeServerConfig: (base, add) => ({
    ...(add.handshake ?? base.handshake ? { handshake: add.handshake ?? base.handshake } : {}),
    ...(add.header ?? base.header ? { header: add.header ?? base.header } : {}),
    ...(add.body ?? base.body ? { body: add.body ?? base.body } : {}),
  }),
  directives: [
    {
      name: 'RequestReadTimeout', arity: 'RAW_ARGS', context: RSRC_CONF,
      help: 'Set various timeout parameters for TLS handshake and/or reading request headers and body',
      set: (cmd, args) => {
        let rest = args;
        while (rest !== '') {
          const w = getWordConf(rest);
          rest = w.rest;
          const eq = w.word.indexOf('=');
          if (eq < 0) return "Invalid RequestReadTimeout parameter. Parameter must be in the form 'key=value'";
          const key = w.word.slice(0, eq);
          const val = w.word.slice(eq + 1);
          const err = setParam(cmd.serverConfig, key, val);
          if (err) return `RequestReadTimeout: ${key}=${val}: ${err}`;
        }
        return undefined;
      },
    },
  ],
};
