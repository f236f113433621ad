import type { CidrMatcher } from './ip.js';
import { normalizeIp, parseIp } from './ip.js';

/**
 * The client's address: the peer's, unless the peer is a trusted proxy; then the right-most
 * X-Forwarded-For hop that is not itself a trusted proxy. X-Forwarded-For is never read
 * from an untrusted peer, so a client cannot spoof its address.
 */
export function createClientAddressResolver(trusted: CidrMatcher) {
  const none = trusted.entries.length === 0;
  return function resolveClientAddress(remoteAddress: string | undefined, xff: string | string[] | undefined): string {
    const peer = remoteAddress ? normalizeIp(remoteAddress) : '0.0.0.0';
    if (none || xff === undefined || !trusted.has(peer)) return peer;
    const hops = (Array.isArray(xff) ? xff.join(',') : xff).split(',');
    for (let i = hops.length - 1; i >= 0; i--) {
      const ip = parseIp(hops[i] ?? '');
      if (!ip) return peer; // a malformed hop: stop trusting the chain there
      if (!trusted.has(ip)) return ip;
    }
    // every hop is trusted: the left-most is the best we know
    return parseIp(hops[0] ?? '') ?? peer;
  };
}
