import { createCidrMatcher, parseCidr, type CidrMatcher } from '../net/ip.js';

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
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] as number) << 8) | (bytes[i + 1] as number)).toString(16));
  // WHATWG URL serialises an IPv6 host in the RFC 5952 form (lower case, longest zero run as ::)
  const canonical = new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
  return `${canonical}/${c.prefix}`;
}

/** The mask of byte `i` for a prefix of `prefix` bits. */
function maskByte(prefix: number, i: number): number {
  const bits = Math.min(8, Math.max(0, prefix - i * 8));
  return (0xff << (8 - bits)) & 0xff;
}

/** The 16 bytes of a valid IPv6 address (with `::` and an embedded IPv4 tail). */
function ipv6Bytes(ip: string): number[] {
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
