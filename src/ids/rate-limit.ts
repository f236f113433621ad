import type { Clock } from '../core/clock.js';

export interface RateLimitOptions {
  /** Sustained requests per second per client. */
  ratePerSecond: number;
  /** Bucket size: requests a client may send at once. */
  burst: number;
  /** Clients tracked at most; the least recently seen is forgotten first. */
  maxClients: number;
}

export interface RateLimiter {
  /** Takes one token; returns 0 when allowed, else the seconds to wait. */
  take(client: string): number;
  readonly size: number;
}

/** Per-client token buckets in an insertion-ordered Map used as an LRU. */
export function createRateLimiter(opts: RateLimitOptions, clock: Clock): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const perMs = opts.ratePerSecond / 1000;
  return {
    take(client) {
      const now = clock.monotonic();
      let b = buckets.get(client);
      if (b) {
        buckets.delete(client);
        b.tokens = Math.min(opts.burst, b.tokens + (now - b.at) * perMs);
        b.at = now;
      } else {
        b = { tokens: opts.burst, at: now };
        if (buckets.size >= opts.maxClients) {
          const oldest = buckets.keys().next().value;
          if (oldest !== undefined) buckets.delete(oldest);
        }
      }
      buckets.set(client, b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000));
    },
    get size() {
      return buckets.size;
    },
  };
}
