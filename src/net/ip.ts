import { isIP, BlockList } from 'node:net';

/** Canonical text of an address: IPv4-mapped IPv6 (`::ffff:1.2.3.4`) becomes IPv4, IPv6 lower-cased. */
export function normalizeIp(raw: string): string {
  let ip = raw;
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  if (ip.length > 7 && ip.charCodeAt(0) === 58 /* : */ && ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4) {
    return ip.slice(7);
  }
  return isIP(ip) === 6 ? ip.toLowerCase() : ip;
}

/** Returns the normalized address, or undefined if `raw` is not an IP address. */
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
  const max = v === 4 ? 32 : 128;
  let prefix = max;
  if (prefixPart !== undefined) {
    if (!/^\d{1,3}$/.test(prefixPart) || Number(prefixPart) > max) {
      throw new Error(`invalid CIDR "${text}": prefix must be 0..${max}`);
    }
    prefix = Number(prefixPart);
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
