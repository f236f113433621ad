import type { LabClient, LabRequest } from '../http-client.js';
import { runPaced } from '../pace.js';
import { clientFor, type GeneratorOptions, type GeneratorSummary, type ResolvedContext } from './common.js';

export interface LoopSpec {
  generator: string;
  clients: number;
  /** Requests per second of each client. */
  perClientRate: number;
  /** The seq-th request of client n. */
  request: (n: number, seq: number) => LabRequest;
  headers?: (n: number) => Record<string, string>;
  connections?: number;
  maxInFlight?: number;
  /** Source address of client n when not the generator's own (shared addresses). */
  localAddress?: (n: number) => string;
  timeoutMs?: number;
}

/** Runs `clients` paced clients side by side, each with its own source address. */
export async function runClientLoop(opts: GeneratorOptions, ctx: ResolvedContext, spec: LoopSpec): Promise<GeneratorSummary> {
  const clients: LabClient[] = [];
  for (let n = 0; n < spec.clients; n++) {
    clients.push(clientFor(opts, ctx, n, {
      ...(spec.headers ? { headers: spec.headers(n) } : {}),
      ...(spec.connections !== undefined ? { connections: spec.connections } : {}),
      ...(spec.localAddress ? { localAddress: spec.localAddress(n) } : {}),
      ...(spec.timeoutMs !== undefined ? { timeoutMs: spec.timeoutMs } : {}),
    }));
  }
  try {
    const summaries = await Promise.all(clients.map((c, n) => runPaced({
      rate: spec.perClientRate,
      durationMs: opts.durationMs,
      signal: opts.signal,
      maxInFlight: spec.maxInFlight ?? spec.connections ?? 1,
      // Clients start spread over one interval, as independent clients would, not all at once.
      phaseMs: (n / spec.clients) * (1000 / Math.max(spec.perClientRate, 1e-6)),
      task: (seq) => c.send(spec.request(n, seq), opts.signal),
    })));
    return {
      generator: spec.generator,
      clients: spec.clients,
      sent: summaries.reduce((a, s) => a + s.started, 0),
      skipped: summaries.reduce((a, s) => a + s.skipped, 0),
    };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}
