/**
 * IP subnets as APR's `apr_ipsubnet_create` / `apr_ipsubnet_test` define
 * them, which is what `Require ip` uses: full addresses, CIDR bit counts,
 * dotted IPv4 netmasks and the legacy partial form (`10.1` = 10.1.0.0/16).
 */

/** A parsed subnet: four 32-bit words of address and mask (IPv4 uses the first). */
export interface IpSubnet {
  readonly family: 4 | 6;
  readonly sub: readonly number[];
  readonly mask: readonly number[];
}

/** Why a subnet string was refused, as APR's status codes distinguish it. */
export type SubnetProblem =
  /** It does not look like an IP address at all (APR_EINVAL). */
  | 'not-an-address'
  /** APR_EBADIP */
  | 'bad-address'
  /** APR_EBADMASK */
  | 'bad-mask';

/** A subnet string APR refuses. */
export class IpSubnetError extends Error {
  readonly code = 'PF_IP_SUBNET';
  constructor(
    readonly problem: SubnetProblem,
    readonly input: string,
  ) {
    super(problem === 'bad-mask' ? 'The specified network mask is invalid.' : 'The specified IP address is invalid.');
    this.name = 'IpSubnetError';
  }
}

/** inet_pton(AF_INET): exactly four decimal octets, no leading zeros. */
export function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value >>> 0;
}

/** inet_pton(AF_INET6) into four 32-bit words. */
export function parseIPv6(text: string): number[] | undefined {
  if (!text.includes(':')) return undefined;
  let head = text;
  let tailV4: number | undefined;
  const lastColon = text.lastIndexOf(':');
  const lastPart = text.slice(lastColon + 1);
  if (lastPart.includes('.')) {
    tailV4 = parseIPv4(lastPart);
    if (tailV4 === undefined) return undefined;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const groups = s.split(':');
    const out: number[] = [];
    for (const g of groups) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(Number.parseInt(g, 16));
    }
    return out;
  };
  const left = parseGroups(halves[0]);
  const right = halves.length === 2 ? parseGroups(halves[1]) : [];
  if (!left || !right) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    const missing = 8 - left.length - right.length;
    if (missing < 1) return undefined;
    groups = [...left, ...new Array<number>(missing).fill(0), ...right];
  } else {
    groups = left;
  }
  if (groups.length !== 8) return undefined;
  const words = [0, 1, 2, 3].map((i) => ((groups[2 * i] << 16) | groups[2 * i + 1]) >>> 0);
  if (tailV4 !== undefined) words[3] = tailV4;
  return words;
}

const isV4Mapped = (w: readonly number[]): boolean => w[0] === 0 && w[1] === 0 && w[2] === 0xffff;

/** APR's test before parsing: digits and dots only, or anything with a colon. */
function looksLikeIp(text: string): boolean {
  if (text === '') return false;
  if (text.includes(':')) return true;
  return /^[0-9.]*$/.test(text);
}

/** The legacy partial network form: `10`, `10.1`, `10.1.2.` → /8, /16, /24. */
function parseNetwork(text: string): IpSubnet {
  if (text.length >= 'xxx.xxx.xxx.xxx'.length + 1) throw new IpSubnetError('bad-address', text);
  let sub = 0;
  let mask = 0;
  let shift = 24;
  const parts = text.endsWith('.') ? text.slice(0, -1).split('.') : text.split('.');
  for (const part of parts) {
    if (!/^[0-9]+$/.test(part) || shift < 0) throw new IpSubnetError('bad-address', text);
    const octet = Number(part);
    if (octet > 255) throw new IpSubnetError('bad-address', text);
    sub = (sub | (octet << shift)) >>> 0;
    mask = (mask | (0xff << shift)) >>> 0;
    shift -= 8;
  }
  return { family: 4, sub: [sub, 0, 0, 0], mask: [mask, 0, 0, 0] };
}

function bitsMask(bits: number, family: 4 | 6): number[] {
  const words = [0, 0, 0, 0];
  let remaining = bits;
  for (let i = 0; i < (family === 4 ? 1 : 4) && remaining > 0; i++) {
    const take = Math.min(32, remaining);
    words[i] = take === 32 ? 0xffffffff : (0xffffffff << (32 - take)) >>> 0;
    remaining -= take;
  }
  return words;
}

/** C's strtol on a whole string: the value, or undefined if anything follows the digits. */
function strtolWhole(text: string): number | undefined {
  const m = /^\s*([+-]?[0-9]+)$/.exec(text);
  return m ? Number(m[1]) : undefined;
}

/**
 * Parses `addr` or `addr/mask` (mask = bit count or dotted IPv4 netmask).
 * Throws {@link IpSubnetError}; its `problem` tells httpd's two messages apart.
 */
export function parseIpSubnet(spec: string): IpSubnet {
  const slash = spec.indexOf('/');
  const addr = slash < 0 ? spec : spec.slice(0, slash);
  const maskText = slash < 0 ? undefined : spec.slice(slash + 1);
  if (!looksLikeIp(addr)) throw new IpSubnetError('not-an-address', spec);

  let family: 4 | 6;
  let sub: number[];
  let mask: number[] = [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff];
  const v6 = parseIPv6(addr);
  if (v6) {
    // APR refuses ::ffff:a.b.c.d so that IPv4 rules are written as IPv4.
    if (isV4Mapped(v6)) throw new IpSubnetError('bad-address', spec);
    family = 6;
    sub = v6;
  } else {
    const v4 = parseIPv4(addr);
    if (v4 === undefined) {
      if (maskText !== undefined) throw new IpSubnetError('bad-address', spec);
      return parseNetwork(addr);
    }
    family = 4;
    sub = [v4, 0, 0, 0];
  }
  if (maskText !== undefined) {
    const bits = strtolWhole(maskText);
    const maxBits = family === 6 ? 128 : 32;
    if (bits !== undefined && bits > 0 && bits <= maxBits) {
      mask = bitsMask(bits, family);
    } else {
      const dotted = family === 4 ? parseIPv4(maskText) : undefined;
      if (dotted === undefined) throw new IpSubnetError('bad-mask', spec);
      mask = [dotted, 0, 0, 0];
    }
  }
  const words = family === 4 ? 1 : 4;
  return {
    family,
    sub: sub.map((w, i) => (i < words ? (w & mask[i]) >>> 0 : 0)),
    mask: mask.map((w, i) => (i < words ? w : 0)),
  };
}

/** Whether `clientIp` lies in `subnet` (an IPv4-mapped IPv6 client matches IPv4 subnets). */
export function ipSubnetTest(subnet: IpSubnet, clientIp: string): boolean {
  const v4 = parseIPv4(clientIp);
  if (v4 !== undefined) return subnet.family === 4 && (v4 & subnet.mask[0]) >>> 0 === subnet.sub[0];
  const v6 = parseIPv6(clientIp.replace(/%.*$/, ''));
  if (!v6) return false;
  if (isV4Mapped(v6)) return subnet.family === 4 && (v6[3] & subnet.mask[0]) >>> 0 === subnet.sub[0];
  if (subnet.family !== 6) return false;
  return v6.every((w, i) => (w & subnet.mask[i]) >>> 0 === subnet.sub[i]);
}

/** `apr_sockaddr_equal` on textual addresses: same address, IPv4-mapped equal to IPv4. */
export function sameAddress(a: string, b: string): boolean {
  const norm = (ip: string): string | undefined => {
    const v4 = parseIPv4(ip);
    if (v4 !== undefined) return `4:${v4}`;
    const v6 = parseIPv6(ip.replace(/%.*$/, ''));
    if (!v6) return undefined;
    return isV4Mapped(v6) ? `4:${v6[3]}` : `6:${v6.join(',')}`;
  };
  const na = norm(a);
  return na !== undefined && na === norm(b);
}
