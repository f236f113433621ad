import { createCidrMatcher, formatIpv6Groups, ipv6Bytes, parseCidr, type CidrMatcher } from '../net/ip.js';

export interface Allowlist {
  has(ip: string): boolean;
  list(): string[];
  /** Adds a CIDR (throws with a message if invalid); returns false if it was already there. */
  add(cidr: string): boolean;
  remove(cidr: string): boolean;
}

/**
 * The canonical text of a CIDR: its network address (host bits cleared) and prefix, so that
 * `10.1.2.3/8` and `10.0.0.0/8` are one entry; a bare address is a /32 or /128. Throws with a
 * message when it is not a CIDR.
 */
export function networkOf(text: string): string {
  const c = parseCidr(text);
  if (c.family === 'ipv4') {
    const bytes = c.address.split('.').map(Number);
    const masked = bytes.map((b, i) => b & maskByte(c.prefix, i));
    return `${masked.join('.')}/${c.prefix}`;
  }
  const bytes = ipv6Bytes(c.address).map((b, i) => b & maskByte(c.prefix, i));
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
  return `${formatIpv6Groups(groups)}/${c.prefix}`;
}

/** The mask of byte `i` for a prefix of `prefix` bits. */
function maskByte(prefix: number, i: number): number {
  const bits = Math.min(8, Math.max(0, prefix - i * 8));
  return (0xff << (8 - bits)) & 0xff;
}

/**
 * CIDR allowlist; the matcher is recompiled only when the list changes, never per request.
 * Entries are kept as their network (`networkOf`), so one network is never listed twice.
 */
export function createAllowlist(initial: readonly string[], onChange?: (size: number) => void): Allowlist {
  const texts = new Set(initial.map(networkOf));
  let matcher: CidrMatcher = createCidrMatcher([...texts]);
  const rebuild = () => { matcher = createCidrMatcher([...texts]); onChange?.(texts.size); };
  return {
    has: (ip) => matcher.has(ip),
    list: () => [...texts],
    add(cidr) {
      const t = networkOf(cidr);
      if (texts.has(t)) return false;
      texts.add(t);
      rebuild();
      return true;
    },
    remove(cidr) {
      let t: string;
      try { t = networkOf(cidr); } catch { return false; }
      const had = texts.delete(t);
      if (had) rebuild();
      return had;
    },
  };
}
