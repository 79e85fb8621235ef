/**
 * env_module (mod_env.c): SetEnv, PassEnv and UnsetEnv give requests variables (r->subprocess_env)
 * in the fixups phase, after access is checked: `%{VAR}e` in logs, `Header … env=VAR` and
 * `%{VAR}e` in Header values see them, `Require env` does not. The configuration is per
 * directory; a section's UnsetEnv removes what the sections before it set.
 */
import { OR_FILEINFO } from '../constants.js';
import type { ModuleDef } from '../module.js';

/** env_dir_config_rec: the variables (in order, names compared without case) and the names UnsetEnv removes from those merged before. */
export interface EnvDirConfig {
  vars: Array<[name: string, value: string]>;
  unset: string[];
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** apr_table_setn on a list: the first entry of the name takes the value, later ones go. */
function setVar(vars: Array<[string, string]>, name: string, value: string): void {
  const at = vars.findIndex(([n]) => same(n, name));
  if (at < 0) {
    vars.push([name, value]);
    return;
  }
  vars[at] = [vars[at]![0], value];
  for (let i = vars.length - 1; i > at; i--) if (same(vars[i]![0], name)) vars.splice(i, 1);
}

/** merge_env_dir_configs: the base's variables, less the names `add` unsets, then `add`'s. */
export function mergeEnvConfig(base: EnvDirConfig, add: EnvDirConfig): EnvDirConfig {
  const vars = base.vars.filter(([n]) => !add.unset.some((u) => same(u, n)));
  for (const [n, v] of add.vars) setVar(vars, n, v);
  return { vars, unset: [] };
}

export const envModule: ModuleDef<unknown, EnvDirConfig> = {
  name: 'env_module',
  sourceFile: 'mod_env.c',
  createDirConfig: () => ({ vars: [], unset: [] }),
  mergeDirConfig: mergeEnvConfig,
  directives: [
    {
      name: 'PassEnv', arity: 'ITERATE', context: OR_FILEINFO, help: 'a list of environment variables to pass to CGI.',
      set: (cmd, name) => {
        // The variable is read from the environment the server was started in.
        const value = process.env[name];
        if (value !== undefined) setVar(cmd.dirConfig.vars, name, value);
        else cmd.log({ level: 'warn', module: 'env', id: 'AH01506', message: `PassEnv variable ${name} was undefined` });
        return undefined;
      },
    },
    {
      name: 'SetEnv', arity: 'TAKE12', context: OR_FILEINFO, help: 'an environment variable name and optional value to pass to CGI.',
      set: (cmd, name, value) => {
        if (name.includes('=')) {
          // apr_strtok on '=': the first token, and what follows its delimiter.
          const trimmed = name.replace(/^=+/, '');
          const eq = trimmed.indexOf('=');
          const env = eq < 0 ? trimmed : trimmed.slice(0, eq);
          const rest = eq < 0 ? '' : trimmed.slice(eq + 1);
          cmd.log({ level: 'warn', module: 'env', id: 'AH10032', message: `Spurious usage of '=' in an environment variable name. '${cmd.name} ${env} ${rest}' expected instead?` });
        }
        setVar(cmd.dirConfig.vars, name, value ?? '');
        return undefined;
      },
    },
    {
      name: 'UnsetEnv', arity: 'ITERATE', context: OR_FILEINFO, help: 'a list of variables to remove from the CGI environment.',
      set: (cmd, name) => {
        if (!cmd.dirConfig.unset.some((u) => same(u, name))) cmd.dirConfig.unset.push(name);
        const vars = cmd.dirConfig.vars;
        for (let i = vars.length - 1; i >= 0; i--) if (same(vars[i]![0], name)) vars.splice(i, 1);
        return undefined;
      },
    },
  ],
};
