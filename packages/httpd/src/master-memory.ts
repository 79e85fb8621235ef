/**
 * The master's share of conn-handler's idle-memory reduction: once a generation has run for
 * a while, the master gives back what reading the configuration left in its heap (about 8 MB of
 * PSS after a start). The same addon function as a child's, loaded only when first needed so
 * that the master does not load the child package. PREFORK_IDLE_MEMORY=keep turns it off, as
 * it does for children, and PREFORK_IDLE_MEMORY_MS sets the wait (in whole maintenance cycles).
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';

export interface MasterMemory {
  reduceMemory: () => { before: number; after: number };
  reduceMemoryAfterCycles?: number;
}

/** The options for runMaster; undefined when turned off. */
export function masterMemory(env: NodeJS.ProcessEnv = process.env): MasterMemory | undefined {
  if (env['PREFORK_IDLE_MEMORY'] === 'keep') return undefined;
  let reduce: (() => void) | null | undefined;
  const out: MasterMemory = {
    reduceMemory: () => {
      reduce ??= loadReducer();
      const before = v8.getHeapStatistics().total_heap_size;
      if (reduce === null) throw new Error('the acceptor addon has no reduceMemory');
      reduce();
      return { before, after: v8.getHeapStatistics().total_heap_size };
    },
  };
  const ms = env['PREFORK_IDLE_MEMORY_MS'];
  if (ms !== undefined && /^[1-9][0-9]{0,8}$/.test(ms)) out.reduceMemoryAfterCycles = Math.max(1, Math.ceil(Number(ms) / 1000));
  return out;
}

function loadReducer(): (() => void) | null {
  try {
    const base = import.meta.resolve('@prefork/conn-handler');
    const addon = createRequire(base)(fileURLToPath(new URL('../build/Release/acceptor.node', base))) as { reduceMemory?: () => void };
    return typeof addon.reduceMemory === 'function' ? () => addon.reduceMemory!() : null;
  } catch {
    return null;
  }
}
