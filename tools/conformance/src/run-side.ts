/**
 * Runs one case against one program ("side"): lays down a fresh ServerRoot, performs the steps,
 * normalises what they observed, and stops everything it started, whatever happened.
 */
import { chmodSync, existsSync, utimesSync, symlinkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { exchange, sha256 } from './http-exchange.js';
import { normaliseJson, reduceToAh, type NormaliseContext } from './normalise.js';
import { childPids, countChildren, credentialsOf, isAlive, oldestChild, sleep, startProcess, stopAll, waitForPort, within, type Started } from './processes.js';
import type { PortAllocator } from './ports.js';
import type { CaseObservations, HttpStep, Json, LoadedCase, Observation, Step } from './types.js';

/** The program a side runs. */
export interface Side {
  /** "apache" or "ours": shown in reports. */
  label: string;
  /** The executable and the arguments that come before the case's (e.g. node + prefork.js). */
  command: string[];
  /** Paths and command lines that name the program in its output, replaced by "<httpd>". */
  programPaths: string[];
}

/** Options of one side's run. */
export interface SideRunOptions {
  fixturesDir: string;
  ports: PortAllocator;
  /** Keep the temporary ServerRoot (for debugging). */
  keep?: boolean;
  /** Seconds a step may take unless it says otherwise (default 30: generous, for a loaded machine). */
  defaultTimeout?: number;
}

/** What a side's run leaves behind, for the report. */
export interface SideRun extends CaseObservations {
  /** The temporary ServerRoot that was used (removed unless keep). */
  root: string;
  /** Pids that were still alive after TERM and had to be killed. */
  killed: number[];
}

/** The placeholders of a run and their values. */
export function placeholders(root: string, ports: Record<string, number>): Record<string, string> {
  const out: Record<string, string> = {
    '@ROOT@': root,
    '@DOCROOT@': `${root}/htdocs`,
    '@MODULES@': '/usr/lib/apache2/modules',
  };
  for (const [name, port] of Object.entries(ports)) out[`@${name}@`] = String(port);
  return out;
}

/** Replaces every placeholder in a text. */
export function substitute(text: string, values: Record<string, string>): string {
  let out = text;
  // Longest first: @PORT2@ must not be read as @PORT@ followed by "2@".
  for (const key of Object.keys(values).sort((a, b) => b.length - a.length)) out = out.split(key).join(values[key]);
  return out;
}

/** Copies a folder into the ServerRoot, substituting placeholders in every file. */
function layDown(from: string, to: string, values: Record<string, string>): void {
  for (const entry of readdirSync(from)) {
    const src = join(from, entry);
    const dst = join(to, entry);
    if (statSync(src).isDirectory()) {
      mkdirSync(dst, { recursive: true });
      layDown(src, dst, values);
    } else {
      // latin1 round-trips every byte, so binary files survive; placeholders are ASCII.
      writeFileSync(dst, substitute(readFileSync(src).toString('latin1'), values), 'latin1');
    }
  }
}

/** Builds the ServerRoot of a case. */
export function prepareRoot(c: LoadedCase, fixturesDir: string, values: Record<string, string>, root: string): void {
  for (const d of ['conf', 'logs', 'run', 'htdocs']) mkdirSync(join(root, d), { recursive: true });
  for (const layer of c.spec.layers ?? []) {
    const dir = join(fixturesDir, layer);
    if (!existsSync(dir)) throw new Error(`PF-CONF-002: ${c.dir}/case.json: layer "${layer}" not found at ${dir}`);
    layDown(dir, root, values);
  }
  const own = join(c.dir, 'root');
  if (existsSync(own)) layDown(own, root, values);
  for (const [rel, text] of Object.entries(c.spec.files ?? {})) {
    const dst = join(root, rel);
    mkdirSync(dirname(dst), { recursive: true });
    writeFileSync(dst, substitute(text, values));
  }
  for (const [rel, target] of Object.entries(c.spec.symlinks ?? {})) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    symlinkSync(target, join(root, rel));
  }
  for (const [rel, when] of Object.entries(c.spec.mtimes ?? {})) {
    const seconds = typeof when === 'number' ? when : Date.parse(when) / 1000;
    utimesSync(join(root, rel), seconds, seconds);
  }
}

function describeStep(step: Step): string {
  if (step.name) return step.name;
  const kind = Object.keys(step).find((k) => !['name', 'timeout', 'expect'].includes(k)) ?? '?';
  const v = (step as unknown as Record<string, unknown>)[kind];
  if (Array.isArray(v)) return `${kind} ${v.join(' ')}`.trim();
  if (typeof v === 'string' || typeof v === 'number') return `${kind} ${v}`;
  return kind;
}

/** A step's display name. */
export { describeStep };

/** The mutable state of one side's run: what was started and must be stopped. */
interface RunState {
  master?: Started;
  pgids: number[];
  pids: number[];
  /** Background http exchanges by name, each resolving to its observation. */
  background: Map<string, Promise<{ obs: Observation; raw: string[] }>>;
}

const text = (bufs: Buffer[]): string => Buffer.concat(bufs).toString('utf8');

/** Runs all steps of a case on one side and returns its normalised observations. */
export async function runSide(c: LoadedCase, side: Side, opts: SideRunOptions): Promise<SideRun> {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'prefork-conf-')));
  // Children run as the configured User (www-data when started as root) and must reach the docroot.
  chmodSync(root, 0o755);
  const state: RunState = { pgids: [], pids: [], background: new Map() };
  const steps: Observation[] = [];
  let killed: number[] = [];
  let error: string | undefined;
  try {
    const ports = { PORT: await opts.ports.allocate(), PORT2: await opts.ports.allocate() };
    const values = placeholders(root, ports);
    const ctx: NormaliseContext = { roots: [root], ports, programPaths: side.programPaths, extra: c.spec.normalise };
    prepareRoot(c, opts.fixturesDir, values, root);
    const env: NodeJS.ProcessEnv = { ...process.env, LANG: 'C', LC_ALL: 'C', ...substituteRecord(c.spec.env ?? {}, values) };
    for (const step of c.spec.steps) {
      const limit = (step.timeout ?? opts.defaultTimeout ?? 30) * 1000;
      const raw: string[] = [];
      const obs = await within(performStep(step, { root, values, env, side, state, c, rawFields: raw, limitMs: limit }), limit + 2000);
      if (obs === undefined) {
        steps.push({ timedOut: true });
        continue;
      }
      const normalised: Observation = {};
      for (const [k, v] of Object.entries(obs)) normalised[k] = raw.includes(k) ? v : normaliseJson(v, ctx);
      steps.push(normalised);
    }
  } catch (e) {
    error = (e as Error).message;
  } finally {
    killed = await stopAll(state.pgids, state.pids, root);
    if (!opts.keep) rmSync(root, { recursive: true, force: true });
  }
  return { steps, error, root, killed };
}

function substituteRecord(r: Record<string, string>, values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(r)) out[k] = substitute(v, values);
  return out;
}

interface StepContext {
  root: string;
  values: Record<string, string>;
  env: NodeJS.ProcessEnv;
  side: Side;
  state: RunState;
  c: LoadedCase;
  /** Fields the step marks as not to be normalised (hashes, lengths). */
  rawFields: string[];
  limitMs: number;
}

function portOf(placeholder: string | undefined, ctx: StepContext): number {
  const v = substitute(placeholder ?? '@PORT@', ctx.values);
  if (!/^\d{1,5}$/.test(v)) throw new Error(`PF-CONF-003: ${ctx.c.dir}/case.json: "${placeholder}" is not a port`);
  return Number(v);
}

function launch(args: string[], ctx: StepContext, stdin?: string): Started {
  const [cmd, ...pre] = ctx.side.command;
  const all = [...pre, ...(ctx.c.spec.args ?? []), ...args].map((a) => substitute(a, ctx.values));
  const p = startProcess(cmd, all, ctx.env, ctx.root, stdin);
  if (p.pid > 0) {
    ctx.state.pgids.push(p.pid);
    ctx.state.pids.push(p.pid);
  }
  return p;
}

async function readLog(
  ctx: StepContext,
  spec: { file?: string; match?: string; format?: string; settle?: number; until?: number; atLeast?: number },
  dflt: string,
): Promise<Observation> {
  if (spec.settle) await sleep(spec.settle * 1000);
  const file = join(ctx.root, substitute(spec.file ?? dflt, ctx.values));
  const ctxNorm: NormaliseContext = { roots: [ctx.root], ports: portsOf(ctx.values), programPaths: ctx.side.programPaths, extra: ctx.c.spec.normalise };
  const read = (): string[] | null => {
    if (!existsSync(file)) return null;
    // Filtering happens after normalisation so a case's regex sees the stable text.
    let lines = (normaliseJson(readFileSync(file, 'utf8'), ctxNorm) as string).split('\n').filter((l) => l !== '');
    if (spec.match) {
      const re = new RegExp(spec.match);
      lines = lines.filter((l) => re.test(l));
    }
    return lines;
  };
  let lines = read();
  // `until`: poll for up to that many seconds until a (matching) line, or `atLeast` of them, is there.
  const deadline = Date.now() + (spec.until ?? 0) * 1000;
  const wanted = Math.max(1, spec.atLeast ?? 1);
  while ((lines === null || lines.length < wanted) && Date.now() < deadline) {
    await sleep(100);
    lines = read();
  }
  if (lines === null) return { exists: false, lines: [] };
  if (spec.format === 'ah') lines = lines.map(reduceToAh);
  ctx.rawFields.push('lines');
  return { exists: true, lines };
}

function portsOf(values: Record<string, string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(values)) {
    const m = /^@(PORT\d*)@$/.exec(k);
    if (m && /^\d+$/.test(v)) out[m[1]] = Number(v);
  }
  return out;
}

async function performStep(step: Step, ctx: StepContext): Promise<Observation> {
  const { state } = ctx;
  if ('run' in step) {
    const p = launch(step.run, ctx, step.stdin);
    const rc = await within(p.exited, ctx.limitMs);
    if (rc === undefined) {
      await stopAll([p.pid], [p.pid], '', 500);
      return { exit: null, stdout: text(p.stdout), stderr: text(p.stderr), timedOut: true };
    }
    // Output may still be in the pipes when the exit event fires.
    await within(p.closed, 2000);
    return { exit: rc, stdout: text(p.stdout), stderr: text(p.stderr) };
  }
  if ('start' in step) {
    const p = launch(step.start, ctx);
    state.master = p;
    if (step.expectExit) {
      const rc = await within(p.exited, ctx.limitMs);
      if (rc !== undefined) await within(p.closed, 2000);
      return { exit: rc ?? null, stdout: text(p.stdout), stderr: text(p.stderr) };
    }
    const started = await waitForPort(portOf(step.waitPort, ctx), ctx.limitMs, () => p.exitCode !== null);
    const obs: Observation = { started };
    if (!started) {
      obs.exit = p.exitCode;
      obs.stderr = text(p.stderr);
    }
    return obs;
  }
  if ('http' in step) {
    if (step.background !== undefined) {
      const raw: string[] = [];
      const p = httpStep(step, { ...ctx, rawFields: raw }).then((obs) => ({ obs, raw }));
      state.background.set(step.background, p);
      return {};
    }
    return httpStep(step, ctx);
  }
  if ('waitExit' in step && !('signal' in step)) {
    if (!state.master) return { error: 'no server started' };
    const rc = await within(state.master.exited, step.waitExit * 1000);
    return { exited: rc !== undefined, exit: rc ?? null };
  }
  if ('await' in step) {
    const p = state.background.get(step.await);
    if (!p) return { error: `no background exchange "${step.await}"` };
    const r = await p;
    ctx.rawFields.push(...r.raw);
    return r.obs;
  }
  if ('children' in step) {
    if (!state.master) return { error: 'no server started' };
    const interval = step.children.interval ?? 0.5;
    const series: Json[] = [];
    const t0 = Date.now();
    for (let i = 0; i * interval <= step.children.seconds + 1e-9; i++) {
      const due = t0 + i * interval * 1000;
      if (Date.now() < due) await sleep(due - Date.now());
      series.push([Math.round((Date.now() - t0) / 10) / 100, countChildren(state.master.pid)]);
    }
    return { series };
  }
  if ('signal' in step) {
    if (!state.master) return { error: 'no server started' };
    try {
      process.kill(state.master.pid, `SIG${step.signal}` as NodeJS.Signals);
    } catch {
      return { error: 'master not running' };
    }
    const obs: Observation = {};
    if (step.waitExit !== undefined) {
      const rc = await within(state.master.exited, step.waitExit * 1000);
      obs.exited = rc !== undefined;
      obs.exit = rc ?? null;
    }
    if (step.wait) await sleep(step.wait * 1000);
    return obs;
  }
  if ('signalChild' in step) {
    if (!state.master) return { error: 'no server started' };
    const child = oldestChild(state.master.pid);
    let signalled = false;
    if (child !== undefined) {
      try {
        process.kill(child, `SIG${step.signalChild}` as NodeJS.Signals);
        signalled = true;
      } catch {
        // gone in between
      }
    }
    if (step.wait) await sleep(step.wait * 1000);
    return { signalled };
  }
  if ('credentials' in step) {
    if (!state.master) return { error: 'no server started' };
    const children = childPids(state.master.pid).map(credentialsOf).filter((c): c is string => c !== null);
    return { master: credentialsOf(state.master.pid), children: [...new Set(children)].sort() };
  }
  if ('errorlog' in step) return readLog(ctx, { ...step, ...step.errorlog }, 'logs/error_log');
  if ('accesslog' in step) return readLog(ctx, { ...step, ...step.accesslog }, 'logs/access_log');
  if ('pidfile' in step) {
    const file = join(ctx.root, substitute(step.pidfile.file ?? 'run/httpd.pid', ctx.values));
    const deadline = Date.now() + (step.pidfile.goneWithin ?? 0) * 1000;
    while (existsSync(file) && Date.now() < deadline) await sleep(50);
    if (!existsSync(file)) return { exists: false };
    const content = readFileSync(file, 'utf8').trim();
    ctx.rawFields.push('isMaster');
    return { exists: true, isMaster: /^\d+$/.test(content) && Number(content) === state.master?.pid };
  }
  if ('status' in step) {
    const path = step.status.path ?? '/server-status?auto';
    const r = await exchange(portOf(step.status.port, ctx), [`GET ${path} HTTP/1.0\r\nHost: localhost\r\n\r\n`], 8000);
    const res = r.responses[0];
    if (!res) return { status: null, error: r.error ?? 'no response' };
    const lines = res.body.toString('latin1').split('\n').filter((l) => l.trim() !== '');
    const keys = lines.map((l) => (l.includes(':') ? l.slice(0, l.indexOf(':')) : l));
    const values: Record<string, Json> = {};
    for (const name of step.status.values ?? []) {
      const line = lines.find((l) => l.startsWith(`${name}:`));
      values[name] = line === undefined ? null : line.slice(name.length + 1).trim();
    }
    return { status: res.statusLine, contentType: res.headers['content-type'] ?? null, keys, values };
  }
  if ('serverOutput' in step) {
    if (step.serverOutput.settle) await sleep(step.serverOutput.settle * 1000);
    if (!state.master) return { error: 'no server started' };
    return { stdout: text(state.master.stdout), stderr: text(state.master.stderr), running: isAlive(state.master.pid) };
  }
  await sleep(step.sleep * 1000);
  return {};
}

/** One http step: one connection, or `connections` of them at once (fields become arrays). */
async function httpStep(step: HttpStep, ctx: StepContext): Promise<Observation> {
  const h = step.http;
  const n = h.connections ?? 1;
  if (n === 1) return oneExchange(h, ctx);
  const all = await Promise.all(Array.from({ length: n }, () => oneExchange(h, ctx)));
  const out: Observation = {};
  for (const key of new Set(all.flatMap((o) => Object.keys(o)))) out[key] = all.map((o) => o[key] ?? null);
  return out;
}

async function oneExchange(h: HttpStep['http'], ctx: StepContext): Promise<Observation> {
  const parts = h.send.map((part) => (typeof part === 'string' ? substitute(part, ctx.values) : part));
  const r = await exchange(portOf(h.port, ctx), parts, (h.closeWait ?? 8) * 1000);
  const bodyMode = h.body ?? 'text';
  const wanted = (h.headers ?? []).map((x) => x.toLowerCase());
  if ((bodyMode === 'sha256' || bodyMode === 'length') && !ctx.rawFields.includes('body')) ctx.rawFields.push('body');
  const obs: Observation = {
    status: r.responses.map((x) => x.statusLine),
    headerNames: r.responses.map((x) => x.headerNames.join(', ')),
    headers: r.responses.map((x) => {
      const sel: Record<string, Json> = {};
      for (const name of wanted) sel[name] = x.headers[name] ?? null;
      return sel;
    }),
    closed: r.closedByServer,
  };
  if (bodyMode !== 'none') {
    obs.body = r.responses.map((x) =>
      bodyMode === 'sha256' ? sha256(x.body) : bodyMode === 'length' ? x.body.length : x.body.toString('latin1'),
    );
  }
  if (r.trailing.length) obs.trailing = r.trailing.toString('latin1');
  if (r.error && r.responses.length === 0) obs.error = r.error;
  return obs;
}
