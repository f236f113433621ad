import { isIP, BlockList } from 'node:net';

/**
 * Canonical text of an address, the one form every blocklist key, allowlist entry and client
 * address has: IPv4-mapped IPv6 (`::ffff:1.2.3.4`, however written) becomes the IPv4 address,
 * any other IPv6 its RFC 5952 text (lower case, leading zeros dropped, the longest run of zero
 * groups as `::`), brackets removed. Anything that is not an address is returned as it is.
 * Cheap for the addresses the gateway sees on sockets (IPv4 returns at once).
 */
export function normalizeIp(raw: string): string {
  let ip = raw;
  if (ip.charCodeAt(0) === 91 /* [ */ && ip.endsWith(']')) ip = ip.slice(1, -1);
  if (ip.indexOf(':') === -1) return ip;
  // the form a dual-stack socket gives an IPv4 peer, per connection: no parsing
  if (ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4) return ip.slice(7);
  if (isIP(ip) !== 6) return ip;
  return canonicalIpv6(ip);
}

/** RFC 5952 text of a valid IPv6 address (a zone id `%eth0` is kept), or the IPv4 of a mapped one. */
function canonicalIpv6(ip: string): string {
  const pct = ip.indexOf('%');
  const zone = pct === -1 ? '' : ip.slice(pct);
  const bytes = ipv6Bytes(pct === -1 ? ip : ip.slice(0, pct));
  // ::ffff:0:0/96, IPv4-mapped: the IPv4 address itself
  if (zone === '' && bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return bytes.slice(12).join('.');
  }
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
  return formatIpv6Groups(groups) + zone.toLowerCase();
}

/** RFC 5952 §4: the longest run (first of equal ones) of two or more zero groups becomes `::`. */
export function formatIpv6Groups(groups: readonly number[]): string {
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLen < 2) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** The 16 bytes of a valid IPv6 address (with `::` and an embedded IPv4 tail), no zone id. */
export function ipv6Bytes(ip: string): number[] {
  let text = ip;
  const tail: number[] = [];
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    tail.push(...v4.slice(1).map(Number));
    text = `${text.slice(0, v4.index)}0:0`;
  }
  const [head = '', rest] = text.split('::');
  const part = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const left = part(head);
  const right = rest === undefined ? [] : part(rest);
  const groups = rest === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = groups.flatMap((g) => [(g >> 8) & 0xff, g & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** Returns the canonical address (`normalizeIp`), or undefined if `raw` is not an IP address. */
export function parseIp(raw: string): string | undefined {
  const trimmed = raw.trim();
  const ip = normalizeIp(trimmed);
  return isIP(ip) ? ip : undefined;
}

export interface Cidr {
  text: string;
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/** Parses `a.b.c.d/n`, `x::/n` or a bare address (a host route). Throws with a message on bad input. */
export function parseCidr(text: string): Cidr {
  const [addrPart, prefixPart, extra] = text.trim().split('/');
  if (extra !== undefined || addrPart === undefined) throw new Error(`invalid CIDR "${text}"`);
  const address = parseIp(addrPart);
  if (!address) throw new Error(`invalid CIDR "${text}": "${addrPart}" is not an IP address`);
  const v = isIP(address);
  // an IPv4-mapped IPv6 network (::ffff:a.b.c.d/n, n >= 96) is the IPv4 network a.b.c.d/(n - 96)
  const mapped = v === 4 && addrPart.includes(':');
  const max = v === 4 ? 32 : 128;
  let prefix = max;
  if (prefixPart !== undefined) {
    if (mapped) {
      if (!/^\d{1,3}$/.test(prefixPart) || Number(prefixPart) < 96 || Number(prefixPart) > 128) {
        throw new Error(`invalid CIDR "${text}": an IPv4-mapped IPv6 network needs a prefix of 96..128 (it is the IPv4 network ${address}/(prefix - 96)); or write the IPv4 form ${address}/n`);
      }
      prefix = Number(prefixPart) - 96;
    } else {
      if (!/^\d{1,3}$/.test(prefixPart) || Number(prefixPart) > max) {
        throw new Error(`invalid CIDR "${text}": prefix must be 0..${max}`);
      }
      prefix = Number(prefixPart);
    }
  }
  return { text: `${address}/${prefix}`, address, prefix, family: v === 4 ? 'ipv4' : 'ipv6' };
}

export interface CidrMatcher {
  has(ip: string): boolean;
  readonly entries: readonly Cidr[];
}

/**
 * Compiles a CIDR list once into node's native BlockList. IPv4 entries also match
 * their IPv4-mapped IPv6 form, since callers pass normalized addresses.
 */
export function createCidrMatcher(list: readonly (string | Cidr)[]): CidrMatcher {
  const entries = list.map((c) => (typeof c === 'string' ? parseCidr(c) : c));
  const bl = new BlockList();
  for (const c of entries) bl.addSubnet(c.address, c.prefix, c.family);
  const empty = entries.length === 0;
  return {
    entries,
    has(ip: string): boolean {
      if (empty) return false;
      const v = isIP(ip);
      if (v === 0) return false;
      return bl.check(ip, v === 4 ? 'ipv4' : 'ipv6');
    },
  };
}
