import { resolve, type GeneratorOptions, type GeneratorSummary } from './common.js';
import { runClientLoop } from './loop.js';

export interface DistributedFloodOptions extends GeneratorOptions {
  /** Distinct source addresses (default 500). */
  sources?: number;
  path?: string;
}

/** A GET flood from many source addresses; `rate` is the total over all sources. */
export function runDistributedFlood(opts: DistributedFloodOptions): Promise<GeneratorSummary> {
  const ctx = resolve(opts, 'distributed-flood', 21);
  const sources = opts.sources ?? 500;
  const path = opts.path ?? '/';
  return runClientLoop(opts, ctx, {
    generator: 'distributed-flood',
    clients: sources,
    perClientRate: opts.rate / sources,
    request: () => ({ path }),
    headers: () => ({ 'user-agent': 'Mozilla/5.0 (compatible; flood)' }),
    maxInFlight: 2,
    connections: 2,
  });
}
