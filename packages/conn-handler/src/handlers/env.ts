/**
 * mod_env's fixup: the variables of SetEnv and PassEnv, merged over the server and the
 * sections that apply (a section's UnsetEnv drops what came before it), are added to the
 * request's. apr_table_overlay keeps both entries and a lookup finds the earlier one, so a
 * variable SetEnvIf already set keeps its value.
 */
import type { EnvDirConfig } from '../config.js';

export function applySetEnv(server: EnvDirConfig | undefined, sections: ReadonlyArray<{ env?: EnvDirConfig }>, env: Map<string, string>): void {
  // Names lower-cased, as the request's variables are kept.
  const vars = new Map<string, string>();
  for (const [n, v] of server?.vars ?? []) if (!vars.has(n.toLowerCase())) vars.set(n.toLowerCase(), v);
  for (const s of sections) {
    if (!s.env) continue;
    for (const u of s.env.unset) vars.delete(u.toLowerCase());
    for (const [n, v] of s.env.vars) vars.set(n.toLowerCase(), v);
  }
  for (const [n, v] of vars) if (!env.has(n)) env.set(n, v);
}
