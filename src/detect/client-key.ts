import { isIPv4, isIPv6 } from 'node:net';

/**
 * The key a client is tracked under: the IPv4 address itself, or the IPv6 address cut to its
 * first `v6Prefix` bits (one subscriber usually holds a whole /64). IPv4-mapped IPv6 addresses
 * (`::ffff:1.2.3.4`, what a dual-stack socket reports) are keyed as IPv4.
 */
export function clientKeyOf(ip: string, v6Prefix = 64): string {
  if (ip.startsWith('::ffff:') && isIPv4(ip.slice(7))) return ip.slice(7);
  if (isIPv4(ip)) return ip;
  const zone = ip.indexOf('%');
  const addr = zone >= 0 ? ip.slice(0, zone) : ip;
  if (!isIPv6(addr)) return ip;
  const groups = expandV6(addr);
  const prefix = Math.max(0, Math.min(128, Math.floor(v6Prefix)));
  const out: string[] = [];
  for (let i = 0; i < 8; i++) {
    const bits = Math.max(0, Math.min(16, prefix - i * 16));
    const mask = bits === 0 ? 0 : (0xffff << (16 - bits)) & 0xffff;
    out.push(((groups[i] ?? 0) & mask).toString(16));
  }
  return `${compressV6(out)}/${prefix}`;
}

function expandV6(addr: string): number[] {
  let tail: number[] = [];
  let text = addr;
  // An embedded IPv4 tail (::1.2.3.4) becomes two groups.
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (isIPv4(last)) {
    const o = last.split('.').map(Number);
    tail = [((o[0] ?? 0) << 8) | (o[1] ?? 0), ((o[2] ?? 0) << 8) | (o[3] ?? 0)];
    text = text.slice(0, lastColon + 1) + '0';
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const h = head ? head.split(':').map((g) => parseInt(g, 16)) : [];
  const r = rest !== undefined && rest !== '' ? rest.split(':').map((g) => parseInt(g, 16)) : [];
  if (tail.length) r.pop();
  const right = [...r, ...tail];
  if (rest === undefined) return [...h, ...tail].concat(Array(Math.max(0, 8 - h.length - tail.length)).fill(0)).slice(0, 8);
  const zeros = Array(Math.max(0, 8 - h.length - right.length)).fill(0) as number[];
  return [...h, ...zeros, ...right];
}

function compressV6(groups: string[]): string {
  // RFC 5952: the longest run (≥ 2) of zero groups becomes '::'.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}
