/**
 * Regular expressions from the configuration, compiled once per child: section patterns,
 * AliasMatch/RedirectMatch and ServerAlias wildcards are tested on every request, and their
 * sources come from a fixed configuration, so the cache holds at most one entry per pattern.
 */
const compiled = new Map<string, RegExp>();

/** The RegExp for `source` (no flags but `i`, so never stateful), compiled at its first use. */
export function cachedRegExp(source: string, ignoreCase = false): RegExp {
  const key = ignoreCase ? `i:${source}` : `-:${source}`;
  let re = compiled.get(key);
  if (re === undefined) {
    re = new RegExp(source, ignoreCase ? 'i' : '');
    compiled.set(key, re);
  }
  return re;
}
