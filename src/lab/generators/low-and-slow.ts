import { createRandom, pick } from '../pace.js';
import { BROWSER_HEADERS, BROWSER_UAS, resolve, type GeneratorOptions, type GeneratorSummary } from './common.js';
import { runClientLoop } from './loop.js';

export interface LowAndSlowOptions extends GeneratorOptions {
  /** Attacking addresses (default 10); `rate` is per address, kept under typical limits. */
  sources?: number;
}

const COSTLY = ['/search?q=a', '/search?q=e', '/search?q=the', '/books', '/api/books?limit=100'];

/** Steady, modest-rate requests for expensive pages from a few addresses with browser headers. */
export function runLowAndSlow(opts: LowAndSlowOptions): Promise<GeneratorSummary> {
  const ctx = resolve(opts, 'low-and-slow', 23);
  const rnd = createRandom(ctx.seed);
  return runClientLoop(opts, ctx, {
    generator: 'low-and-slow',
    clients: opts.sources ?? 10,
    perClientRate: opts.rate,
    request: () => ({ path: pick(COSTLY, rnd) }),
    headers: (n) => ({ ...BROWSER_HEADERS, 'user-agent': BROWSER_UAS[n % BROWSER_UAS.length] ?? '' }),
  });
}
