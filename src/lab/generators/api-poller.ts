import { resolve, type GeneratorOptions, type GeneratorSummary } from './common.js';
import { runClientLoop } from './loop.js';

export interface ApiPollerOptions extends GeneratorOptions {
  /** Number of independent pollers, each from its own address (default 3). */
  clients?: number;
  paths?: readonly string[];
}

/** Benign API clients polling JSON endpoints on a fixed interval (`rate` per client). */
export function runApiPoller(opts: ApiPollerOptions): Promise<GeneratorSummary> {
  const ctx = resolve(opts, 'api-poller', 11);
  const paths = opts.paths ?? ['/api/books?limit=5&sort=recent', '/health'];
  return runClientLoop(opts, ctx, {
    generator: 'api-poller',
    clients: opts.clients ?? 3,
    perClientRate: opts.rate,
    request: (_n, seq) => ({ path: paths[seq % paths.length] ?? '/', headers: { accept: 'application/json' } }),
    headers: (n) => ({ 'user-agent': `inventory-sync/2.${n} (+https://example.org/bot)` }),
  });
}
