import { randomBytes } from 'node:crypto';
import { Counter, type Registry } from 'prom-client';
import type { RedisLink } from '../core/redis-link.js';

/** How batches travel between the processes that share counts: Redis pub/sub, or the cluster primary's relay. */
export interface CountsTransport {
  /** Names the reason of the requests dropped while it is away: `<name>_unavailable`. */
  name: string;
  connected(): boolean;
  publish(text: string): Promise<void>;
  /** Every batch from the other processes. */
  subscribe(onText: (text: string) => void): void;
  /** A failure, counted and logged by the transport's owner. */
  failed(op: 'write' | 'message' | 'connection', err: unknown): void;
}

/** Counts over Redis pub/sub on `<keyPrefix>counts`. */
export function redisCountsTransport(link: RedisLink, keyPrefix: string): CountsTransport {
  const channel = `${keyPrefix}counts`;
  return {
    name: 'redis',
    connected: () => link.connected(),
    publish: async (text) => { await link.cmd.publish(channel, text); },
    subscribe: (onText) => { void link.subscribe(channel, onText).catch((err: unknown) => link.failed('connection', err)); },
    failed: (op, err) => link.failed(op, err),
  };
}

export interface SharedCountsOptions {
  transport: CountsTransport;
  registry: Registry;
  /** How often the requests counted here are sent to the other replicas (ms); default 500. */
  intervalMs?: number;
  /** Clients per interval at most; the requests of further clients are not shared (counted). Default 50,000. */
  maxClients?: number;
  /** Requests another replica saw from a client since its last batch. */
  onRemote(clientKey: string, requests: number): void;
}

export interface SharedCounts {
  /** One request from a client, inspected here. O(1), no I/O. */
  count(clientKey: string): void;
  close(): void;
}

interface Batch { from: string; c: [string, number][] }

function parseBatch(text: string): Batch | null {
  try {
    const b = JSON.parse(text) as Batch;
    if (typeof b.from !== 'string' || !Array.isArray(b.c)) return null;
    for (const e of b.c) if (!Array.isArray(e) || typeof e[0] !== 'string' || !Number.isInteger(e[1]) || e[1] < 1) return null;
    return b;
  } catch {
    return null;
  }
}

/**
 * Cluster-wide request counts per client, so that a client whose requests the load balancer
 * spreads over several replicas is judged on all of them: each replica counts locally, and every
 * interval publishes the counts since the last batch (one message, nothing stored in Redis);
 * the others add them to the client's request rates. The hot path only increments a map entry.
 * While the transport is away a batch is dropped (counted) and each replica judges on what it sees.
 */
export function createSharedCounts(o: SharedCountsOptions): SharedCounts {
  const self = randomBytes(8).toString('hex');
  const t = o.transport;
  const maxClients = o.maxClients ?? 50_000;
  let counts = new Map<string, number>();
  let closed = false;

  const batches = new Counter({ name: 'ddos_shield_shared_counts_batches_total', help: 'Batches of per-client request counts sent to or received from the other replicas', labelNames: ['direction'] as const, registers: [o.registry] });
  const dropped = new Counter({ name: 'ddos_shield_shared_counts_dropped_total', help: 'Requests not shared with the other replicas or workers: too many clients in one interval, or the transport (Redis, the primary) away', labelNames: ['reason'] as const, registers: [o.registry] });
  for (const d of ['sent', 'received']) batches.labels(d).inc(0);
  const tooMany = dropped.labels('too_many_clients');
  const unsent = dropped.labels(`${t.name}_unavailable`);

  async function flush(): Promise<void> {
    if (counts.size === 0) return;
    const batch = counts;
    counts = new Map();
    const requests = () => { let n = 0; for (const v of batch.values()) n += v; return n; };
    if (!t.connected()) { unsent.inc(requests()); return; }
    try {
      await t.publish(JSON.stringify({ from: self, c: [...batch] } satisfies Batch));
      batches.labels('sent').inc();
    } catch (err) {
      unsent.inc(requests());
      t.failed('write', err);
    }
  }
  const timer = setInterval(() => { void flush(); }, o.intervalMs ?? 500);
  timer.unref();

  t.subscribe((text) => {
    if (closed) return;
    const b = parseBatch(text);
    if (!b) { t.failed('message', new Error(`unreadable counts message ${JSON.stringify(text.slice(0, 80))}`)); return; }
    if (b.from === self) return;
    for (const [key, n] of b.c) o.onRemote(key, n);
    batches.labels('received').inc();
  });

  return {
    count(clientKey) {
      const n = counts.get(clientKey);
      if (n !== undefined) counts.set(clientKey, n + 1);
      else if (counts.size < maxClients) counts.set(clientKey, 1);
      else tooMany.inc();
    },
    close() {
      closed = true;
      clearInterval(timer);
    },
  };
}
