/**
 * Virtual hosts in the child, as vhost.c decides them: the connection's local address and port
 * choose the candidate `<VirtualHost>` sections (an exact IP first, then `*`/`_default_`; none
 * means the main server), and the request's host name chooses among them by ServerName and
 * ServerAlias, the first candidate being the default. The Host header's port plays no part:
 * only the connection's local port does.
 */
import { isIP } from 'node:net';
import type { ChildConfig, VirtualHostConfig } from './config.js';
import { cachedRegExp } from './regex-cache.js';

/** The effective configuration of a vhost: its own settings over the main server's. */
export function vhostConfig(main: ChildConfig, v: VirtualHostConfig): ChildConfig {
  const own = v.config;
  return {
    ...main,
    ...own,
    mime: { ...main.mime, ...(own.mime ?? {}) },
    httpProtocolOptions: { ...main.httpProtocolOptions, ...(own.httpProtocolOptions ?? {}) },
    serverBanner: main.serverBanner,
    vhosts: [],
  };
}

function sameAddr(spec: string, local: string): boolean {
  const a = local.replace(/^::ffff:/i, '').toLowerCase();
  const s = spec.replace(/^\[|\]$/g, '').toLowerCase();
  if (s === 'localhost') return a === '127.0.0.1' || a === '::1';
  if (isIP(s) === 0) return false;
  return s === a;
}

/**
 * The vhosts a connection to `localAddr:localPort` may be served by, in configuration order
 * (ap_update_vhost_given_ip); null when none applies and the main server answers.
 */
export function vhostCandidates(vhosts: readonly VirtualHostConfig[], localAddr: string, localPort: number): number[] | null {
  const portOk = (p: number): boolean => p === 0 || p === localPort;
  const exact: number[] = [];
  const wild: number[] = [];
  vhosts.forEach((v, i) => {
    if (v.addresses.some((a) => a.addr !== '*' && portOk(a.port) && sameAddr(a.addr, localAddr))) exact.push(i);
    else if (v.addresses.some((a) => a.addr === '*' && portOk(a.port))) wild.push(i);
  });
  if (exact.length > 0) return exact;
  return wild.length > 0 ? wild : null;
}

/** ap_strcasecmp_match: `*` any run, `?` one character, case-insensitive, whole string. */
export function wildcardMatch(pattern: string, text: string): boolean {
  let re = '^';
  for (const c of pattern.toLowerCase()) {
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return cachedRegExp(re + '$').test(text.toLowerCase());
}

/** matches_aliases: ServerName, then ServerAlias names (exact, then with wildcards). */
export function hostMatches(name: string, aliases: readonly string[], host: string): boolean {
  const h = host.toLowerCase();
  if (name.toLowerCase() === h) return true;
  if (aliases.some((a) => !/[*?]/.test(a) && a.toLowerCase() === h)) return true;
  return aliases.some((a) => /[*?]/.test(a) && wildcardMatch(a, h));
}

/**
 * check_hostalias: the candidate whose names match `host`, else the first candidate. Without a
 * host name (HTTP/1.0 without Host) the first candidate answers.
 */
export function selectVhost(main: ChildConfig, candidates: readonly number[], host: string | undefined): number {
  if (host !== undefined) {
    for (const i of candidates) {
      const v = main.vhosts[i]!;
      if (hostMatches(v.config.serverName ?? main.serverName, v.serverAliases, host)) return i;
    }
  }
  return candidates[0]!;
}

/** Effective configurations by vhost index, built once per main configuration. */
const cache = new WeakMap<ChildConfig, ChildConfig[]>();

export function vhostConfigs(main: ChildConfig): ChildConfig[] {
  let list = cache.get(main);
  if (!list) {
    list = main.vhosts.map((v) => vhostConfig(main, v));
    cache.set(main, list);
  }
  return list;
}
