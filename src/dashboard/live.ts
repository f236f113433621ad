import type { ServerResponse } from 'node:http';
import type { DashboardMetrics } from './metrics.js';

export interface LiveEvent {
  id?: number; timestamp: string; source_ip: string; path: string; method: string; status: number; prediction: string;
  action: string; is_blocked: boolean; confidence: number; gateway_id: string;
}

/** Requests of the tick, counted as the statistics count them (see store/stats.ts). */
export interface LiveCounts {
  total: number;
  /** Action `block`. */
  blocked: number;
  /** Refused by the shield: block + throttle + challenge. */
  refused: number;
  /** The gateways' own error answers (action `error`). */
  errors: number;
}

/** One `tick` of GET /api/live: the counts of the last second and up to 50 of its newest events. */
export interface LiveTick extends LiveCounts { t: string; events: LiveEvent[] }

const MAX_RECENT = 50;
const MAX_BUFFERED_BYTES = 1024 * 1024; // a client further behind than 1 MiB misses messages

/** Server-Sent Events hub: coalesces ingested events into one message per tick for every client. */
export function createLiveHub(metrics: DashboardMetrics, tickMs = 1000) {
  const clients = new Set<ServerResponse>();
  let total = 0;
  let blocked = 0;
  let refused = 0;
  let errors = 0;
  let recent: LiveEvent[] = [];
  let timer: NodeJS.Timeout | null = null;

  function send(res: ServerResponse, event: string, data: unknown): void {
    if (res.writableLength > MAX_BUFFERED_BYTES) { metrics.liveDropped.inc(); return; }
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  function flush(): void {
    const msg: LiveTick = { t: new Date().toISOString(), total, blocked, refused, errors, events: recent };
    total = 0; blocked = 0; refused = 0; errors = 0; recent = [];
    for (const c of clients) send(c, 'tick', msg);
  }

  return {
    start(): void {
      if (!timer) { timer = setInterval(flush, tickMs); timer.unref(); }
    },
    /** Adds to the per-tick totals. */
    count(c: LiveCounts): void { total += c.total; blocked += c.blocked; refused += c.refused; errors += c.errors; },
    /** Adds events to the tick's sample of recent events (the newest MAX_RECENT are kept). */
    publish(events: LiveEvent[]): void {
      recent = recent.concat(events.slice(-MAX_RECENT)).slice(-MAX_RECENT);
    },
    notify(event: string, data: unknown): void { for (const c of clients) send(c, event, data); },
    attach(res: ServerResponse): void {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      res.write(': connected\n\n');
      clients.add(res);
      metrics.liveClients.set(clients.size);
      res.on('close', () => { clients.delete(res); metrics.liveClients.set(clients.size); });
    },
    close(): void {
      if (timer) clearInterval(timer);
      timer = null;
      for (const c of clients) c.end();
      clients.clear();
      metrics.liveClients.set(0);
    },
    get size() { return clients.size; },
  };
}

export type LiveHub = ReturnType<typeof createLiveHub>;
