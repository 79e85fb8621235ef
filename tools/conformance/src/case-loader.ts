/**
 * Finds and checks cases: test-fixtures/conformance/<area>/<case>/case.json. A malformed case is
 * reported with its file and what is wrong; it never stops the other cases.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { validateMode } from './compare.js';
import { CHILD_SIGNALS, STEP_KINDS, type AreaSpec, type CaseSpec, type LoadedCase, type StepKind } from './types.js';

/** A case folder whose case.json could not be used. */
export interface BrokenCase {
  id: string;
  file: string;
  error: string;
}

const CASE_KEYS = new Set(['description', 'layers', 'files', 'args', 'env', 'normalise', 'skip', 'exclusive', 'steps', 'mtimes', 'symlinks', 'requiresRoot']);
const COMMON_STEP_KEYS = new Set(['name', 'timeout', 'expect']);
const EXTRA_STEP_KEYS: Partial<Record<StepKind, string[]>> = {
  run: ['stdin'],
  start: ['waitPort', 'expectExit'],
  signal: ['wait', 'waitExit'],
  signalChild: ['wait'],
  http: ['background'],
  errorlog: ['file', 'match', 'format', 'settle', 'until', 'atLeast'],
  accesslog: ['file', 'match', 'format', 'settle', 'until', 'atLeast'],
};

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

function isStringRecord(v: unknown): v is Record<string, string> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
}

/** Checks a parsed case.json; returns the problems found (empty when it is usable). */
export function validateCase(raw: unknown): string[] {
  const errors: string[] = [];
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return ['case.json must hold an object'];
  const c = raw as Record<string, unknown>;
  for (const k of Object.keys(c)) if (!CASE_KEYS.has(k)) errors.push(`unknown key "${k}"`);
  if (c.layers !== undefined && !isStringArray(c.layers)) errors.push('"layers" must be an array of folder names');
  if (c.args !== undefined && !isStringArray(c.args)) errors.push('"args" must be an array of strings');
  if (c.files !== undefined && !isStringRecord(c.files)) errors.push('"files" must map paths to text');
  if (c.env !== undefined && !isStringRecord(c.env)) errors.push('"env" must map names to strings');
  if (c.symlinks !== undefined) {
    const l = c.symlinks as Record<string, unknown>;
    if (typeof l !== 'object' || l === null || Array.isArray(l) || !Object.values(l).every((v) => typeof v === 'string')) {
      errors.push('"symlinks" must map paths to link targets');
    }
  }
  if (c.mtimes !== undefined) {
    const m = c.mtimes as Record<string, unknown>;
    const ok = m !== null && typeof m === 'object' && !Array.isArray(m) &&
      Object.values(m).every((x) => typeof x === 'number' || (typeof x === 'string' && !Number.isNaN(Date.parse(x))));
    if (!ok) errors.push('"mtimes" must map paths to ISO dates or seconds since the epoch');
  }
  if (c.skip !== undefined && typeof c.skip !== 'string') errors.push('"skip" must be a reason (a string)');
  if (c.requiresRoot !== undefined && typeof c.requiresRoot !== 'boolean') errors.push('"requiresRoot" is true or false');
  if (c.exclusive !== undefined && typeof c.exclusive !== 'boolean') errors.push('"exclusive" must be true or false');
  if (c.normalise !== undefined) {
    if (!Array.isArray(c.normalise)) errors.push('"normalise" must be an array of {pattern, replace}');
    else {
      c.normalise.forEach((r: unknown, i) => {
        const rule = r as Record<string, unknown>;
        if (!rule || typeof rule.pattern !== 'string' || typeof rule.replace !== 'string') {
          errors.push(`normalise[${i}]: needs "pattern" and "replace"`);
          return;
        }
        try {
          new RegExp(rule.pattern, typeof rule.flags === 'string' ? rule.flags : 'gm');
        } catch (e) {
          errors.push(`normalise[${i}]: ${(e as Error).message}`);
        }
      });
    }
  }
  if (!Array.isArray(c.steps) || c.steps.length === 0) {
    errors.push('"steps" must be a non-empty array');
    return errors;
  }
  c.steps.forEach((s: unknown, i) => {
    const where = `steps[${i}]`;
    if (s === null || typeof s !== 'object' || Array.isArray(s)) {
      errors.push(`${where}: a step is an object`);
      return;
    }
    const step = s as Record<string, unknown>;
    // "waitExit" is also an option of a signal step.
    const kinds = STEP_KINDS.filter((k) => k in step && !(k === 'waitExit' && 'signal' in step));
    if (kinds.length !== 1) {
      errors.push(`${where}: a step names exactly one of ${STEP_KINDS.join(', ')}`);
      return;
    }
    const kind = kinds[0];
    const allowed = new Set([kind, ...COMMON_STEP_KEYS, ...(EXTRA_STEP_KEYS[kind] ?? [])]);
    for (const k of Object.keys(step)) if (!allowed.has(k)) errors.push(`${where}: unknown key "${k}" for a ${kind} step`);
    const v = step[kind];
    if ((kind === 'run' || kind === 'start') && !isStringArray(v)) errors.push(`${where}: "${kind}" takes an array of arguments`);
    if (kind === 'await') {
      const named = (c.steps as unknown[]).slice(0, i).some((x) => (x as Record<string, unknown>)?.background === v);
      if (typeof v !== 'string' || !named) errors.push(`${where}: "await" names an earlier http step's "background"`);
    }
    if (kind === 'waitExit' && (typeof v !== 'number' || !(v > 0))) errors.push(`${where}: "waitExit" takes seconds`);
    if (kind === 'sleep' && (typeof v !== 'number' || !(v >= 0))) errors.push(`${where}: "sleep" takes seconds`);
    if (kind === 'signal' && !['USR1', 'HUP', 'WINCH', 'TERM', 'INT', 'KILL'].includes(v as string)) {
      errors.push(`${where}: "signal" is one of USR1, HUP, WINCH, TERM, INT, KILL`);
    }
    if (kind === 'signalChild' && !(CHILD_SIGNALS as readonly unknown[]).includes(v)) {
      errors.push(`${where}: "signalChild" is one of ${CHILD_SIGNALS.join(', ')}`);
    }
    if ((kind === 'signal' || kind === 'signalChild') && step.wait !== undefined && (typeof step.wait !== 'number' || !(step.wait >= 0))) {
      errors.push(`${where}: "wait" takes seconds`);
    }
    if (kind === 'credentials' && (v === null || typeof v !== 'object' || Array.isArray(v) || Object.keys(v as object).length > 0)) {
      errors.push(`${where}: "credentials" takes {}`);
    }
    if (kind === 'children') {
      const ch = v as Record<string, unknown>;
      if (!ch || typeof ch.seconds !== 'number' || !(ch.seconds > 0)) errors.push(`${where}: "children" needs "seconds" > 0`);
      else if (ch.interval !== undefined && (typeof ch.interval !== 'number' || !(ch.interval >= 0.1))) {
        errors.push(`${where}: "interval" must be at least 0.1 s`);
      }
    }
    if (kind === 'http') {
      const h = v as Record<string, unknown>;
      if (!h || !Array.isArray(h.send)) errors.push(`${where}: "http" needs "send" (an array)`);
      else {
        h.send.forEach((p: unknown, j) => {
          const ok =
            typeof p === 'string' ||
            (p !== null && typeof p === 'object' &&
              ((typeof (p as { sleep?: unknown }).sleep === 'number') ||
                (p as { halfClose?: unknown }).halfClose === true ||
                typeof (p as { base64?: unknown }).base64 === 'string' ||
                (typeof (p as { repeat?: unknown }).repeat === 'string' &&
                  Number.isInteger((p as { count?: unknown }).count) && ((p as { count: number }).count >= 0))));
          if (!ok) errors.push(`${where}: send[${j}] is text, {"sleep": s}, {"halfClose": true}, {"base64": …} or {"repeat": text, "count": n}`);
        });
      }
      if (h?.connections !== undefined && !(Number.isInteger(h.connections) && (h.connections as number) >= 1 && (h.connections as number) <= 200)) {
        errors.push(`${where}: "connections" is a whole number from 1 to 200`);
      }
      if (step.background !== undefined && (typeof step.background !== 'string' || step.background === '')) {
        errors.push(`${where}: "background" names the exchange for a later "await" step`);
      }
      if (h?.headers !== undefined && !isStringArray(h.headers)) errors.push(`${where}: "headers" must be header names`);
      if (h?.body !== undefined && !['text', 'sha256', 'length', 'none'].includes(h.body as string)) {
        errors.push(`${where}: "body" is one of text, sha256, length, none`);
      }
    }
    if (step.timeout !== undefined && (typeof step.timeout !== 'number' || !(step.timeout > 0))) {
      errors.push(`${where}: "timeout" must be seconds > 0`);
    }
    if (step.expect !== undefined) {
      if (step.expect === null || typeof step.expect !== 'object' || Array.isArray(step.expect)) {
        errors.push(`${where}: "expect" maps field names to comparison modes`);
      } else {
        for (const [field, mode] of Object.entries(step.expect)) {
          const err = validateMode(mode);
          if (err) errors.push(`${where}: expect.${field}: ${err}`);
        }
      }
    }
  });
  return errors;
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** Loads every case under the fixtures folder; areas and cases starting with "_" are shared data. */
export function loadCases(fixturesDir: string): { cases: LoadedCase[]; broken: BrokenCase[] } {
  const cases: LoadedCase[] = [];
  const broken: BrokenCase[] = [];
  if (!existsSync(fixturesDir)) return { cases, broken };
  for (const area of readdirSync(fixturesDir).sort()) {
    const areaDir = join(fixturesDir, area);
    if (area.startsWith('_') || area.startsWith('.') || !statSync(areaDir).isDirectory()) continue;
    let areaSpec: AreaSpec = {};
    const areaFile = join(areaDir, 'area.json');
    if (existsSync(areaFile)) {
      try {
        areaSpec = readJson(areaFile) as AreaSpec;
      } catch (e) {
        broken.push({ id: `${area}/*`, file: areaFile, error: (e as Error).message });
        continue;
      }
    }
    for (const name of readdirSync(areaDir).sort()) {
      const dir = join(areaDir, name);
      const file = join(dir, 'case.json');
      if (name.startsWith('_') || !statSync(dir).isDirectory() || !existsSync(file)) continue;
      const id = `${area}/${name}`;
      let raw: unknown;
      try {
        raw = readJson(file);
      } catch (e) {
        broken.push({ id, file, error: (e as Error).message });
        continue;
      }
      const errors = validateCase(raw);
      if (errors.length) {
        broken.push({ id, file, error: errors.join('; ') });
        continue;
      }
      const spec = raw as CaseSpec;
      const exclusive = spec.exclusive ?? areaSpec.exclusive ?? false;
      cases.push({ id, area, name, dir, spec, skip: spec.skip ?? areaSpec.skip ?? rootSkip(spec), exclusive });
    }
  }
  return { cases, broken };
}

/** The skip reason of a case that needs root when the runner is not root. */
export function rootSkip(spec: CaseSpec, uid: number | undefined = process.getuid?.()): string | undefined {
  if (!spec.requiresRoot || uid === 0) return undefined;
  return `needs root: the server takes User/Group only when started as root, and the runner runs as uid ${uid ?? 'unknown'}`;
}

/** Turns a case glob into a RegExp: "*" within a path segment, "**" across segments. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Whether a case is selected by the --case globs and --area names (none given: all). */
export function selected(c: { id: string; area: string; name: string }, globs: string[], areas: string[]): boolean {
  if (areas.length && !areas.includes(c.area)) return false;
  if (!globs.length) return true;
  return globs.some((g) => {
    const re = globToRegExp(g);
    return re.test(c.id) || (!g.includes('/') && re.test(c.name));
  });
}
