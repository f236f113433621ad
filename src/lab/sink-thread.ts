import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { countArrivals, type Arrival, type Sink } from './sink.js';

export interface ThreadSinkOptions {
  /** The demo application, or the minimal built-in site. */
  app: 'demo' | 'minimal';
  /** Monotonic time (performance.now() of this thread) that counts as t = 0. */
  origin?: number;
  host?: string;
}

type FromWorker =
  | { type: 'ready'; port: number; url: string }
  | { type: 'arrivals'; batch: Arrival[] }
  | { type: 'flushed' }
  | { type: 'closed' };

/**
 * The sink on its own worker thread. Arrivals stream back in batches every 100 ms; `flush()`
 * brings them all in before final figures are read. Times are on this thread's
 * `performance.now()` clock (the system clock of the lab).
 */
export async function createThreadSink(opts: ThreadSinkOptions): Promise<Sink> {
  const origin = opts.origin ?? performance.now();
  const here = fileURLToPath(import.meta.url);
  const fromSource = here.endsWith('.ts');
  const entry = new URL(fromSource ? './sink-worker.ts' : './sink-worker.js', import.meta.url);
  const workerData = { app: opts.app, host: opts.host ?? '127.0.0.1' };
  // Run from source, the worker registers the TypeScript loader itself, then loads the entry.
  const tsxApi = new URL('../../node_modules/tsx/dist/esm/api/index.mjs', import.meta.url).href;
  const worker = fromSource
    ? new Worker(`import(${JSON.stringify(tsxApi)}).then((t) => { t.register(); return import(${JSON.stringify(entry.href)}); })`, { eval: true, workerData })
    : new Worker(entry, { workerData });
  const arrivals: Arrival[] = [];
  const shift = performance.timeOrigin + origin;
  const waiters: { type: string; resolve: () => void }[] = [];
  let ready: (v: { port: number; url: string }) => void = () => undefined;
  const readyP = new Promise<{ port: number; url: string }>((r) => { ready = r; });
  worker.on('message', (m: FromWorker) => {
    if (m.type === 'ready') ready(m);
    else if (m.type === 'arrivals') for (const a of m.batch) arrivals.push({ ...a, t: a.t - shift });
    else {
      const i = waiters.findIndex((w) => w.type === m.type);
      if (i >= 0) waiters.splice(i, 1)[0]?.resolve();
    }
  });
  const ask = (type: 'flush' | 'close', answer: string) => new Promise<void>((resolve) => {
    waiters.push({ type: answer, resolve });
    worker.postMessage({ type });
  });
  const failed = once(worker, 'error').then(([err]) => { throw err as Error; });
  const { port, url } = await Promise.race([readyP, failed]);
  failed.catch(() => undefined);
  let closed = false;
  return {
    url, port, origin,
    arrivals: () => arrivals,
    counts: () => countArrivals(arrivals),
    flush: () => ask('flush', 'flushed'),
    close: async () => {
      if (closed) return;
      closed = true;
      await ask('close', 'closed');
      await worker.terminate();
    },
  };
}
