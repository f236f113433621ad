import { createRandom, pick } from '../pace.js';
import { BROWSER_UAS, resolve, type GeneratorOptions, type GeneratorSummary } from './common.js';
import { runClientLoop } from './loop.js';

export interface CacheBustOptions extends GeneratorOptions {
  /** Attacking addresses (default 20); `rate` is the total. */
  sources?: number;
}

const EXTRA_UAS = ['curl/8.5.0', 'python-requests/2.31.0', 'Go-http-client/1.1', 'Wget/1.21.4'];

/** Random search queries that no cache can answer, with a user agent rotated per request. */
export function runCacheBust(opts: CacheBustOptions): Promise<GeneratorSummary> {
  const ctx = resolve(opts, 'cache-bust', 22);
  const rnd = createRandom(ctx.seed);
  const uas = [...BROWSER_UAS, ...EXTRA_UAS];
  const sources = opts.sources ?? 20;
  return runClientLoop(opts, ctx, {
    generator: 'cache-bust',
    clients: sources,
    perClientRate: opts.rate / sources,
    request: () => ({
      path: `/search?q=${rnd().toString(36).slice(2, 10)}&_=${Math.floor(rnd() * 1e9)}`,
      headers: { 'user-agent': pick(uas, rnd), 'cache-control': 'no-cache' },
    }),
    maxInFlight: 4,
    connections: 4,
  });
}
