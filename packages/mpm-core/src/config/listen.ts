/**
 * Listen's argument, as apr_parse_addr_port reads it: `80`, `1.2.3.4:80`, `[::1]:80`,
 * `*:80`, `host:80`.
 */

export type ParsedAddr = { host?: string; port: number } | { error: string };

export function parseListenAddress(text: string): ParsedAddr {
  let host: string | undefined;
  let portText: string | undefined;
  if (/^\d+$/.test(text)) {
    portText = text;
  } else if (text.startsWith('[')) {
    const end = text.indexOf(']');
    if (end < 0) return { error: 'Invalid address or port' };
    host = text.slice(1, end);
    const rest = text.slice(end + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) return { error: 'Invalid address or port' };
      portText = rest.slice(1);
    }
    if (!/^[0-9a-fA-F:.%\w]+$/.test(host)) return { error: 'Invalid address or port' };
  } else {
    const colon = text.lastIndexOf(':');
    if (colon >= 0) {
      host = text.slice(0, colon);
      portText = text.slice(colon + 1);
      if (host.includes(':')) return { error: 'Invalid address or port' };
    } else {
      host = text;
    }
    if (host === '' || !/^[\w.*-]+$/.test(host)) return { error: 'Invalid address or port' };
  }
  let port = 0;
  if (portText !== undefined) {
    if (!/^\d+$/.test(portText)) return { error: 'Invalid address or port' };
    port = Number(portText);
    if (port > 65535) return { error: 'Invalid address or port' };
  }
  if (host === '*') host = undefined;
  return { host, port };
}
