/** Timing helpers shared by the generators: bounded, abortable, open-loop pacing. */

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export interface PacedOptions {
  /** Requests per second. */
  rate: number;
  durationMs: number;
  signal: AbortSignal;
  /** Requests allowed in flight at once; a due request beyond it is skipped and counted. */
  maxInFlight?: number;
  /** Delay of the first request in ms (spreads many clients over the interval; default 0). */
  phaseMs?: number;
  /** Called for each due request with its sequence number. */
  task: (seq: number) => Promise<unknown>;
}

export interface PacedSummary {
  started: number;
  skipped: number;
}

/**
 * Fires `task` at a steady rate for a duration (open loop: a slow answer does not slow the
 * sender, up to maxInFlight), then waits for the requests still in flight.
 */
export async function runPaced(opts: PacedOptions): Promise<PacedSummary> {
  const maxInFlight = opts.maxInFlight ?? 64;
  const interval = 1000 / Math.max(opts.rate, 1e-6);
  const start = performance.now();
  const t0 = start + (opts.phaseMs ?? 0);
  const end = start + opts.durationMs;
  const inFlight = new Set<Promise<unknown>>();
  let seq = 0;
  let skipped = 0;
  while (!opts.signal.aborted) {
    const now = performance.now();
    const due = t0 + seq * interval;
    if (due >= end) break;
    if (due > now) {
      await sleep(due - now, opts.signal);
      continue;
    }
    const n = seq++;
    if (inFlight.size >= maxInFlight) {
      skipped++;
      continue;
    }
    const p = opts.task(n).catch(() => undefined).finally(() => inFlight.delete(p));
    inFlight.add(p);
    // When far behind schedule, let answers and timers run between catch-up sends.
    if (n % 64 === 63) await new Promise((r) => setImmediate(r));
  }
  await Promise.all(inFlight);
  return { started: seq - skipped, skipped };
}

/** A deterministic pseudo-random source (mulberry32), so that runs can be repeated. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(items: readonly T[], rnd: () => number): T {
  const v = items[Math.floor(rnd() * items.length)];
  if (v === undefined) throw new Error('pick from an empty list');
  return v;
}
