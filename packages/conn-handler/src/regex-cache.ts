/**
 * Regular expressions from the configuration, compiled once per child: section patterns,
 * AliasMatch/RedirectMatch and ServerAlias wildcards are tested on every request, and their
 * sources come from a fixed configuration, so the cache holds at most one entry per pattern.
 */
const compiled = new Map<string, RegExp>();

/** The RegExp for `source` (no flags, so never stateful), compiled at its first use. */
export function cachedRegExp(source: string): RegExp {
  let re = compiled.get(source);
  if (re === undefined) {
    re = new RegExp(source);
    compiled.set(source, re);
  }
  return re;
}
