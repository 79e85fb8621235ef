/**
 * Comparison modes: how one observed field of ours is held against the reference's.
 * Every function returns null when the field conforms, or readable lines saying why not.
 */
import { diffLines, splitLines } from './diff.js';
import type { CompareMode, Json, Observation } from './types.js';

/** A field that did not conform: its name and the explanation lines. */
export interface FieldMismatch {
  field: string;
  detail: string[];
}

/** Deep equality of JSON values. */
export function jsonEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  }
  if (typeof a === 'object') {
    if (typeof b !== 'object' || Array.isArray(b)) return false;
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** A field's value as lines: a text's lines, an array's items (non-strings as JSON). */
export function asLines(value: Json | undefined): string[] {
  if (value === undefined) return [];
  if (typeof value === 'string') return splitLines(value);
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  return [JSON.stringify(value)];
}

function asDisplayLines(value: Json | undefined): string[] {
  if (value === undefined) return ['(not observed)'];
  if (typeof value === 'string') return splitLines(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  return JSON.stringify(value, null, 2).split('\n');
}

function modeName(mode: CompareMode): string {
  return typeof mode === 'string' ? mode : mode.mode;
}

function multiset(lines: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of lines) m.set(l, (m.get(l) ?? 0) + 1);
  return m;
}

function compareExact(ref: Json | undefined, ours: Json | undefined): string[] | null {
  if (jsonEqual(ref, ours)) return null;
  return diffLines(asDisplayLines(ref), asDisplayLines(ours));
}

function compareSet(ref: Json | undefined, ours: Json | undefined, subset: boolean): string[] | null {
  const want = multiset(asLines(ref));
  const have = multiset(asLines(ours));
  const out: string[] = [];
  for (const [line, count] of want) {
    const got = have.get(line) ?? 0;
    if (subset ? got === 0 : got !== count) out.push(`- ${line}${count > 1 ? `  (×${count}, ours ×${got})` : ''}`);
  }
  if (!subset) {
    for (const [line, count] of have) if (!want.has(line)) out.push(`+ ${line}${count > 1 ? `  (×${count})` : ''}`);
  }
  return out.length ? out : null;
}

function compareSubsequence(ref: Json | undefined, ours: Json | undefined): string[] | null {
  const want = asLines(ref);
  const have = asLines(ours);
  let j = 0;
  for (let i = 0; i < want.length; i++) {
    while (j < have.length && have[j] !== want[i]) j++;
    if (j >= have.length) {
      return [`- ${want[i]}  (reference line ${i + 1} not found in order in ours)`, ...have.map((l) => `+ ${l}`)];
    }
    j++;
  }
  return null;
}

/**
 * Both sides must match. A list of lines (a log step) is matched line by line, and both sides must
 * have as many lines; any other value is matched as its text.
 */
function compareRegex(pattern: string, flags: string | undefined, ref: Json | undefined, ours: Json | undefined): string[] | null {
  const re = new RegExp(`^(?:${pattern})$`, flags ?? 's');
  const out: string[] = [];
  const check = (who: string, v: Json | undefined): void => {
    if (Array.isArray(v) && v.every((l) => typeof l === 'string')) {
      for (const l of v as string[]) if (!re.test(l)) out.push(`${who} line does not match /${pattern}/: ${JSON.stringify(l)}`);
      return;
    }
    const text = typeof v === 'string' ? v : JSON.stringify(v ?? null);
    if (!re.test(text)) out.push(`${who} does not match /${pattern}/: ${JSON.stringify(text)}`);
  };
  check('reference', ref);
  check('ours', ours);
  if (Array.isArray(ref) && Array.isArray(ours) && ref.length !== ours.length) {
    out.push(`reference has ${ref.length} lines, ours ${ours.length}`);
  }
  return out.length ? out : null;
}

function compareContains(lines: string[], ref: Json | undefined, ours: Json | undefined): string[] | null {
  const out: string[] = [];
  const r = new Set(asLines(ref));
  const o = new Set(asLines(ours));
  for (const l of new Set(lines)) {
    if (!r.has(l)) out.push(`reference lacks: ${l}`);
    if (!o.has(l)) out.push(`ours lacks: ${l}`);
  }
  return out.length ? out : null;
}

/** A series sample: [seconds since the step began, value]. */
type Sample = [number, number];

function asSeries(v: Json | undefined): Sample[] | null {
  if (!Array.isArray(v)) return null;
  const out: Sample[] = [];
  for (const s of v) {
    if (!Array.isArray(s) || s.length !== 2 || typeof s[0] !== 'number' || typeof s[1] !== 'number') return null;
    out.push([s[0], s[1]]);
  }
  return out;
}

/** Every sample of `a` has a sample of `b` within ±time seconds whose value is within ±value. */
function seriesCovered(a: Sample[], b: Sample[], value: number, time: number): Sample | null {
  for (const [t, v] of a) {
    const ok = b.some(([t2, v2]) => Math.abs(t2 - t) <= time + 1e-9 && Math.abs(v2 - v) <= value + 1e-9);
    if (!ok) return [t, v];
  }
  return null;
}

/**
 * Every sample of ours lies within the range the reference spans within ±time seconds of it,
 * widened by ±value: a count met on the way between two of the reference's levels (a batch of
 * children our master is still spawning when the sampler looks) is on the reference's path; a
 * count above or below everything the reference had near that time is not.
 */
function seriesWithinEnvelope(ours: Sample[], ref: Sample[], value: number, time: number): Sample | null {
  for (const [t, v] of ours) {
    const near = ref.filter(([t2]) => Math.abs(t2 - t) <= time + 1e-9).map(([, v2]) => v2);
    if (near.length === 0 || v < Math.min(...near) - value - 1e-9 || v > Math.max(...near) + value + 1e-9) return [t, v];
  }
  return null;
}

/**
 * Every level of the reference is met by ours: each reference sample has a sample of ours
 * within ±time whose value is within ±value. A reference sample strictly between its two
 * neighbours (a count taken while apache2 was still forking a batch) is a passage, not a
 * level: it only has to lie within ours' range near it, as seriesWithinEnvelope asks of ours.
 */
function referenceCovered(ref: Sample[], ours: Sample[], value: number, time: number): Sample | null {
  for (let i = 0; i < ref.length; i++) {
    const sample = ref[i]!;
    if (seriesCovered([sample], ours, value, time) === null) continue;
    const prev = ref[i - 1]?.[1];
    const next = ref[i + 1]?.[1];
    const v = sample[1];
    const passing = prev !== undefined && next !== undefined && ((prev < v && v < next) || (prev > v && v > next));
    if (passing && seriesWithinEnvelope([sample], ours, value, time) === null) continue;
    return sample;
  }
  return null;
}

function compareTolerance(value: number, time: number, ref: Json | undefined, ours: Json | undefined): string[] | null {
  if (typeof ref === 'number' && typeof ours === 'number') {
    return Math.abs(ref - ours) <= value + 1e-9 ? null : [`- ${ref}`, `+ ${ours}  (tolerance ±${value})`];
  }
  const a = asSeries(ref);
  const b = asSeries(ours);
  if (!a || !b) return compareExact(ref, ours);
  const out: string[] = [];
  const missing = referenceCovered(a, b, value, time);
  if (missing) out.push(`reference sample t=${missing[0]}s value=${missing[1]} has no sample of ours within ±${time}s/±${value}`);
  const extra = seriesWithinEnvelope(b, a, value, time);
  if (extra) out.push(`our sample t=${extra[0]}s value=${extra[1]} is outside the reference's values within ±${time}s (±${value})`);
  if (!out.length) return null;
  out.push(`- ${a.map(([t, v]) => `${t}:${v}`).join(' ')}`, `+ ${b.map(([t, v]) => `${t}:${v}`).join(' ')}`);
  return out;
}

/** Compares one field under a mode; null when it conforms. */
export function compareField(mode: CompareMode, ref: Json | undefined, ours: Json | undefined): string[] | null {
  if (typeof mode === 'object') {
    switch (mode.mode) {
      case 'regex':
        return compareRegex(mode.pattern, mode.flags, ref, ours);
      case 'contains':
        return compareContains(mode.lines, ref, ours);
      case 'tolerance':
        return compareTolerance(mode.value ?? 0, mode.time ?? 0, ref, ours);
      default:
        return compareField(mode.mode, ref, ours);
    }
  }
  switch (mode) {
    case 'ignore':
      return null;
    case 'exact':
      return compareExact(ref, ours);
    case 'set':
      return compareSet(ref, ours, false);
    case 'subset':
      return compareSet(ref, ours, true);
    case 'subsequence':
      return compareSubsequence(ref, ours);
  }
}

/** The modes a case may name. */
export const MODE_NAMES = ['exact', 'ignore', 'set', 'subset', 'subsequence', 'regex', 'contains', 'tolerance'] as const;

/** Checks a mode read from case.json; returns an error text or null. */
export function validateMode(mode: unknown): string | null {
  if (typeof mode === 'string') {
    return (MODE_NAMES as readonly string[]).includes(mode) && mode !== 'regex' && mode !== 'contains' && mode !== 'tolerance'
      ? null
      : `unknown comparison mode "${mode}" (one of exact, ignore, set, subset, subsequence, or an object for regex, contains, tolerance)`;
  }
  if (mode === null || typeof mode !== 'object' || Array.isArray(mode)) return 'a comparison mode is a string or an object';
  const m = mode as Record<string, unknown>;
  if (typeof m.mode !== 'string' || !(MODE_NAMES as readonly string[]).includes(m.mode)) return `unknown comparison mode ${JSON.stringify(m.mode)}`;
  if (m.mode === 'regex') {
    if (typeof m.pattern !== 'string') return 'mode regex needs "pattern"';
    try {
      new RegExp(m.pattern, typeof m.flags === 'string' ? m.flags : 's');
    } catch (e) {
      return `bad regex: ${(e as Error).message}`;
    }
  }
  if (m.mode === 'contains' && (!Array.isArray(m.lines) || !m.lines.every((l) => typeof l === 'string'))) {
    return 'mode contains needs "lines" (an array of strings)';
  }
  if (m.mode === 'tolerance') {
    for (const k of ['value', 'time']) {
      if (m[k] !== undefined && (typeof m[k] !== 'number' || !Number.isFinite(m[k]) || (m[k] as number) < 0)) {
        return `mode tolerance: "${k}" must be a non-negative number`;
      }
    }
  }
  return null;
}

/**
 * Compares all fields of a step's observations. Fields present on either side are compared;
 * a field the step's `expect` does not name is compared exactly.
 */
export function compareObservation(
  expect: Record<string, CompareMode> | undefined,
  ref: Observation | undefined,
  ours: Observation | undefined,
): FieldMismatch[] {
  const fields = new Set([...Object.keys(ref ?? {}), ...Object.keys(ours ?? {})]);
  const out: FieldMismatch[] = [];
  for (const field of fields) {
    const mode = expect?.[field] ?? 'exact';
    if (modeName(mode) === 'ignore') continue;
    const detail = compareField(mode, ref?.[field], ours?.[field]);
    if (detail) out.push({ field, detail });
  }
  return out;
}
