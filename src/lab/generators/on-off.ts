import { runPaced, sleep } from '../pace.js';
import { clientFor, resolve, type GeneratorOptions, type GeneratorSummary } from './common.js';

export interface OnOffOptions extends GeneratorOptions {
  /** Attacking addresses (default 5); `rate` is the total while on. */
  sources?: number;
  onMs?: number;
  offMs?: number;
}

/** Bursts at full rate, then silence, repeated: made to slip under windowed rate limits. */
export async function runOnOff(opts: OnOffOptions): Promise<GeneratorSummary> {
  const ctx = resolve(opts, 'on-off', 26);
  const sources = opts.sources ?? 5;
  const onMs = opts.onMs ?? 2000;
  const offMs = opts.offMs ?? 4000;
  const clients = Array.from({ length: sources }, (_, n) => clientFor(opts, ctx, n, { connections: 4, headers: { 'user-agent': 'Mozilla/5.0 (compatible; burst)' } }));
  const end = performance.now() + opts.durationMs;
  let sent = 0;
  let skipped = 0;
  try {
    while (!opts.signal.aborted && performance.now() < end) {
      const on = Math.min(onMs, end - performance.now());
      const res = await Promise.all(clients.map((c) => runPaced({
        rate: opts.rate / sources, durationMs: on, signal: opts.signal, maxInFlight: 4,
        task: () => c.send({ path: '/' }, opts.signal),
      })));
      for (const r of res) { sent += r.started; skipped += r.skipped; }
      await sleep(Math.min(offMs, end - performance.now()), opts.signal);
    }
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
  return { generator: 'on-off', clients: sources, sent, skipped };
}
