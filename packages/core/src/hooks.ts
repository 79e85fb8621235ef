/**
 * Hooks with Apache's ordering: each registration has an order (REALLY_FIRST … REALLY_LAST)
 * and may name modules (by source file, 'mod_alias.c', 'core.c') that must run before it
 * (predecessors) or after it (successors). Sorting is by order, then constraints, keeping
 * registration order among equals, as apr_hook_sort_register does.
 */
import { HOOK_MIDDLE } from './constants.js';
import type { ServerRec } from './module.js';

/** Hook return codes (httpd.h). */
export const OK = 0;
export const DECLINED = -1;
export const DONE = -2;

/** What configuration hooks receive. */
export interface ConfigHookContext {
  /** The main server; vhosts in `vhosts`. */
  server: ServerRec;
  vhosts: ServerRec[];
  /** Log a startup message (goes to LoadResult.startupMessages). */
  log(msg: import('./module.js').StartupMessage): void;
  /** True on the first load of a process (Apache's module_loads == 1 / startup). */
  startup: boolean;
}

type RequestHook<R> = (r: R) => number | Promise<number>;

/** Every hook this server runs, with its signature. R is the request type of conn-handler. */
export interface HookSignatures<R = unknown> {
  pre_config: (ctx: ConfigHookContext) => number;
  check_config: (ctx: ConfigHookContext) => number;
  open_logs: (ctx: ConfigHookContext) => number | Promise<number>;
  post_config: (ctx: ConfigHookContext) => number | Promise<number>;
  child_init: (server: ServerRec) => void | Promise<void>;
  post_read_request: RequestHook<R>;
  translate_name: RequestHook<R>;
  map_to_storage: RequestHook<R>;
  header_parser: RequestHook<R>;
  access_checker: RequestHook<R>;
  access_checker_ex: RequestHook<R>;
  check_user_id: RequestHook<R>;
  auth_checker: RequestHook<R>;
  type_checker: RequestHook<R>;
  fixups: RequestHook<R>;
  handler: RequestHook<R>;
  log_transaction: RequestHook<R>;
}

export type HookName = keyof HookSignatures;

export interface HookOptions {
  /** HOOK_REALLY_FIRST … HOOK_REALLY_LAST; default HOOK_MIDDLE. */
  order?: number;
  /** Source files of modules whose hook must run before this one. */
  predecessors?: readonly string[];
  /** Source files of modules whose hook must run after this one. */
  successors?: readonly string[];
}

export interface HookEntry<F> {
  fn: F;
  /** Source file of the registering module ('mod_status.c'). */
  module: string;
  order: number;
  predecessors: readonly string[];
  successors: readonly string[];
}

/** The hooks of one configuration generation. */
export class HookRegistry<R = unknown> {
  private readonly entries = new Map<HookName, HookEntry<unknown>[]>();
  private readonly sortedCache = new Map<HookName, HookEntry<unknown>[]>();

  /** Registers `fn` on `hook` for the module whose source file is `module`. */
  register<K extends HookName>(hook: K, module: string, fn: HookSignatures<R>[K], options: HookOptions = {}): void {
    const list = this.entries.get(hook) ?? [];
    list.push({
      fn,
      module,
      order: options.order ?? HOOK_MIDDLE,
      predecessors: options.predecessors ?? [],
      successors: options.successors ?? [],
    });
    this.entries.set(hook, list);
    this.sortedCache.delete(hook);
  }

  /** The registrations of `hook` in the order they run. */
  sorted<K extends HookName>(hook: K): HookEntry<HookSignatures<R>[K]>[] {
    let sorted = this.sortedCache.get(hook);
    if (!sorted) {
      sorted = sortHooks(this.entries.get(hook) ?? []);
      this.sortedCache.set(hook, sorted);
    }
    return sorted as HookEntry<HookSignatures<R>[K]>[];
  }

  /**
   * RUN_ALL: calls each until one returns something other than OK or DECLINED, and returns
   * that; OK when all ran.
   */
  async runAll<K extends HookName>(hook: K, ...args: Parameters<HookSignatures<R>[K]>): Promise<number> {
    for (const entry of this.sorted(hook)) {
      const rv = await (entry.fn as (...a: unknown[]) => unknown)(...args);
      if (typeof rv === 'number' && rv !== OK && rv !== DECLINED) return rv;
    }
    return OK;
  }

  /** RUN_FIRST: calls each until one returns something other than DECLINED. */
  async runFirst<K extends HookName>(hook: K, ...args: Parameters<HookSignatures<R>[K]>): Promise<number> {
    for (const entry of this.sorted(hook)) {
      const rv = await (entry.fn as (...a: unknown[]) => unknown)(...args);
      if (typeof rv === 'number' && rv !== DECLINED) return rv;
    }
    return DECLINED;
  }

  /** Synchronous RUN_ALL for the configuration hooks that are synchronous. */
  runAllSync(hook: 'pre_config' | 'check_config', ctx: ConfigHookContext): number {
    for (const entry of this.sorted(hook)) {
      const rv = entry.fn(ctx);
      if (rv !== OK && rv !== DECLINED) return rv;
    }
    return OK;
  }
}

/**
 * Orders by `order`, then moves entries so that every predecessor/successor constraint
 * holds; among entries free to run, the one earliest in (order, registration) goes first.
 * Constraints naming modules that did not register are ignored, as in APR.
 */
export function sortHooks<F>(entries: readonly HookEntry<F>[]): HookEntry<F>[] {
  const base = entries.map((e, i) => ({ e, i })).sort((a, b) => a.e.order - b.e.order || a.i - b.i);
  const n = base.length;
  const before: Set<number>[] = base.map(() => new Set<number>());
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      if (a === b) continue;
      const ea = base[a].e;
      const eb = base[b].e;
      if (eb.predecessors.includes(ea.module) || ea.successors.includes(eb.module)) before[b].add(a);
    }
  }
  const done = new Set<number>();
  const out: HookEntry<F>[] = [];
  while (out.length < n) {
    let pick = -1;
    for (let k = 0; k < n; k++) {
      if (done.has(k)) continue;
      if ([...before[k]].every((p) => done.has(p))) {
        pick = k;
        break;
      }
    }
    // A cycle: APR breaks it by taking the first remaining entry; so do we.
    if (pick < 0) pick = [...Array(n).keys()].find((k) => !done.has(k)) as number;
    done.add(pick);
    out.push(base[pick].e);
  }
  return out;
}
