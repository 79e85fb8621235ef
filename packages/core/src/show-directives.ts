/**
 * `httpd -L` (config.c's ap_show_directives): each directive of each loaded module with its
 * help text and, in show_overrides' words, where it is allowed.
 */
import { ACCESS_CONF, OR_ALL, OR_AUTHCFG, OR_FILEINFO, OR_INDEXES, OR_LIMIT, OR_OPTIONS, RSRC_CONF } from './constants.js';
import type { AnyModule } from './module.js';

/** The "Allowed in" line(s) for a directive's req_override bits. */
export function allowedIn(context: number, hasDirConfig: boolean): string {
  let out = '\tAllowed in *.conf ';
  if (context & (OR_OPTIONS | OR_FILEINFO | OR_INDEXES) || (context & RSRC_CONF && context & (ACCESS_CONF | OR_AUTHCFG | OR_LIMIT))) {
    out += 'anywhere';
  } else if (context & RSRC_CONF) {
    out += 'only outside <Directory>, <Files>, <Location>, or <If>';
  } else {
    out += 'only inside <Directory>, <Files>, <Location>, or <If>';
  }
  if (context & (OR_ALL | ACCESS_CONF) && !hasDirConfig) out += ' [no per-dir config]';
  if (context & OR_ALL) {
    out += ' and in .htaccess\n\twhen AllowOverride';
    if ((context & OR_ALL) === OR_ALL) {
      out += " isn't None";
    } else {
      const names: [number, string][] = [
        [OR_AUTHCFG, 'AuthConfig'], [OR_LIMIT, 'Limit'], [OR_OPTIONS, 'Options'], [OR_FILEINFO, 'FileInfo'], [OR_INDEXES, 'Indexes'],
      ];
      out += ` includes ${names.filter(([bit]) => context & bit).map(([, n]) => n).join(' or ')}`;
    }
  }
  return `${out}\n`;
}

/** The whole `-L` listing for `modules`, in their order. */
export function showDirectives(modules: readonly AnyModule[]): string {
  let out = '';
  for (const m of modules) {
    for (const d of m.directives ?? []) {
      out += `${d.name} (${m.sourceFile})\n`;
      if (d.help) out += `\t${d.help}\n`;
      out += allowedIn(d.context, m.createDirConfig !== undefined);
    }
  }
  return out;
}
