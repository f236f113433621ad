import { BROWSER_HEADERS, BROWSER_UAS, resolve, sourceAddress, type GeneratorOptions, type GeneratorSummary } from './common.js';
import { createRandom, pick } from '../pace.js';
import { runClientLoop } from './loop.js';

export interface SharedAddressOptions extends GeneratorOptions {
  /** People behind the one address (an office NAT, a campus, a mobile carrier); default 30. */
  people?: number;
}

const PAGES = ['/', '/books', '/books/1', '/books/2', '/books/3', '/search?q=history', '/search?q=science', '/static/app.css', '/static/app.js'];

/** Many people browsing behind one shared address; `rate` is per person. */
export function runSharedAddress(opts: SharedAddressOptions): Promise<GeneratorSummary> {
  const ctx = resolve(opts, 'shared-address', 12);
  const rnd = createRandom(ctx.seed);
  const shared = sourceAddress(ctx.group, 0);
  return runClientLoop(opts, ctx, {
    generator: 'shared-address',
    clients: opts.people ?? 30,
    perClientRate: opts.rate,
    localAddress: () => shared,
    request: () => ({ path: pick(PAGES, rnd) }),
    headers: (n) => ({ ...BROWSER_HEADERS, 'user-agent': BROWSER_UAS[n % BROWSER_UAS.length] ?? '', cookie: `sid=person${n}` }),
  });
}
