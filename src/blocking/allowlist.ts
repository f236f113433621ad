import { createCidrMatcher, parseCidr, type CidrMatcher } from '../net/ip.js';

export interface Allowlist {
  has(ip: string): boolean;
  list(): string[];
  /** Adds a CIDR (throws with a message if invalid); returns false if it was already there. */
  add(cidr: string): boolean;
  remove(cidr: string): boolean;
}

/** CIDR allowlist; the matcher is recompiled only when the list changes, never per request. */
export function createAllowlist(initial: readonly string[], onChange?: (size: number) => void): Allowlist {
  const texts = new Set(initial.map((c) => parseCidr(c).text));
  let matcher: CidrMatcher = createCidrMatcher([...texts]);
  const rebuild = () => { matcher = createCidrMatcher([...texts]); onChange?.(texts.size); };
  return {
    has: (ip) => matcher.has(ip),
    list: () => [...texts],
    add(cidr) {
      const t = parseCidr(cidr).text;
      if (texts.has(t)) return false;
      texts.add(t);
      rebuild();
      return true;
    },
    remove(cidr) {
      let t: string;
      try { t = parseCidr(cidr).text; } catch { return false; }
      const had = texts.delete(t);
      if (had) rebuild();
      return had;
    },
  };
}
