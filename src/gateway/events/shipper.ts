import { Agent, request } from 'undici';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { GatewayHeartbeat, RequestEvent } from './types.js';

export const SHIPPER_METRIC = {
  sent: 'ddos_shield_events_sent_total',
  dropped: 'ddos_shield_events_dropped_total',
  queue: 'ddos_shield_events_queue_depth',
  failures: 'ddos_shield_events_send_failures_total',
  heartbeatFailures: 'ddos_shield_dashboard_heartbeat_failures_total',
} as const;

export interface EventShipperOptions {
  /** Dashboard base URL, e.g. http://127.0.0.1:8001. */
  url: string;
  /** Ingestion token of the dashboard. */
  token: string;
  gatewayId: string;
  batchSize?: number; // events per POST, default 500
  flushIntervalMs?: number; // longest wait before a partial batch is sent, default 1000 ms
  queueMax?: number; // events held while the dashboard is slow or away, default 20 000
  clock: Clock;
  logger: Logger;
  /** Registry the shipper registers its metrics on (the gateway's). */
  registry: Registry;
  /** The heartbeat to send now; null (or a promise of it) skips this one; a throw or a rejection counts as a failed heartbeat. */
  heartbeat?: () => GatewayHeartbeat | null | Promise<GatewayHeartbeat | null>;
  heartbeatIntervalMs?: number; // default 10 000 ms
  backoffBaseMs?: number; // first retry delay, default 500 ms
  backoffMaxMs?: number; // longest retry delay, default 30 000 ms
  requestTimeoutMs?: number; // default 5000 ms
  closeTimeoutMs?: number; // longest final flush on close, default 5000 ms
}

export interface EventShipper {
  /** Queues one event; never blocks, never throws; counts a drop when the queue is full. */
  push(event: RequestEvent): void;
  start(): void;
  /** Final flush (bounded by closeTimeoutMs); what is left is counted as dropped. */
  close(): Promise<void>;
}

type SendOutcome = 'sent' | 'retry' | 'rejected';

/** Ships request events to the dashboard in batches from a bounded queue, retrying with exponential backoff. */
export function createEventShipper(o: EventShipperOptions): EventShipper {
  const batchSize = o.batchSize ?? 500;
  const flushIntervalMs = o.flushIntervalMs ?? 1000;
  const queueMax = o.queueMax ?? 20_000;
  const heartbeatIntervalMs = o.heartbeatIntervalMs ?? 10_000;
  const backoffBaseMs = o.backoffBaseMs ?? 500;
  const backoffMaxMs = o.backoffMaxMs ?? 30_000;
  const timeoutMs = o.requestTimeoutMs ?? 5000;
  const closeTimeoutMs = o.closeTimeoutMs ?? 5000;
  const base = o.url.endsWith('/') ? o.url : `${o.url}/`;
  const logsUrl = new URL('api/logs', base);
  const heartbeatUrl = new URL('api/heartbeat', base);
  const logger = o.logger.child({ component: 'event-shipper' });
  const agent = new Agent({ connections: 4, keepAliveTimeout: 10_000, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });

  const sent = new Counter({ name: SHIPPER_METRIC.sent, help: 'Request events accepted by the dashboard', registers: [o.registry] });
  const dropped = new Counter({ name: SHIPPER_METRIC.dropped, help: 'Request events not delivered to the dashboard, by reason', labelNames: ['reason'], registers: [o.registry] });
  const failures = new Counter({ name: SHIPPER_METRIC.failures, help: 'Batches that failed to reach the dashboard (retried)', registers: [o.registry] });
  const hbFailures = new Counter({ name: SHIPPER_METRIC.heartbeatFailures, help: 'Heartbeats that failed to reach the dashboard', registers: [o.registry] });
  const queueGauge = new Gauge({ name: SHIPPER_METRIC.queue, help: 'Request events waiting to be shipped', registers: [o.registry] });
  for (const reason of ['queue_full', 'rejected', 'invalid', 'shutdown']) dropped.inc({ reason }, 0);

  let queue: RequestEvent[] = [];
  let inFlight = false;
  let started = false;
  let closed = false;
  let consecutiveFailures = 0;
  let nextAttemptAt = 0;
  let flushTimer: NodeJS.Timeout | null = null;
  let heartbeatTimer: NodeJS.Timeout | null = null;
  let wakeTimer: NodeJS.Timeout | null = null;

  const headers = { 'content-type': 'application/json', authorization: `Bearer ${o.token}` };

  async function post(url: URL, body: unknown): Promise<{ status: number; text: string }> {
    const res = await request(url, { method: 'POST', headers, body: JSON.stringify(body), dispatcher: agent });
    return { status: res.statusCode, text: await res.body.text() };
  }

  async function sendBatch(batch: RequestEvent[]): Promise<SendOutcome> {
    try {
      const res = await post(logsUrl, { events: batch });
      if (res.status >= 200 && res.status < 300) {
        const body = JSON.parse(res.text) as { accepted?: number; rejected?: number };
        sent.inc(body.accepted ?? batch.length);
        if (body.rejected) { dropped.inc({ reason: 'rejected' }, body.rejected); logger.warn({ rejected: body.rejected, answer: res.text.slice(0, 500) }, 'dashboard rejected events'); }
        return 'sent';
      }
      if (res.status === 429 || res.status >= 500) { logger.debug({ status: res.status }, 'dashboard busy or failing, will retry'); return 'retry'; }
      dropped.inc({ reason: 'rejected' }, batch.length);
      logger.warn({ status: res.status, answer: res.text.slice(0, 500) }, 'dashboard refused a batch');
      return 'rejected';
    } catch (err) {
      logger.debug({ err: (err as Error).message }, 'dashboard unreachable, will retry');
      return 'retry';
    }
  }

  function backoffMs(): number {
    const exp = Math.min(backoffMaxMs, backoffBaseMs * 2 ** Math.min(consecutiveFailures - 1, 20));
    return exp / 2 + Math.random() * (exp / 2); // "equal jitter"
  }

  /** Sends batches while there are full ones (or any, when `all`), unless backing off. */
  async function drain(all: boolean): Promise<void> {
    if (inFlight) return;
    inFlight = true;
    try {
      while (queue.length > 0 && (all || queue.length >= batchSize) && o.clock.now() >= nextAttemptAt) {
        const batch = queue.slice(0, batchSize);
        queue = queue.slice(batch.length);
        queueGauge.set(queue.length);
        const outcome = await sendBatch(batch);
        if (outcome === 'retry') {
          failures.inc();
          consecutiveFailures += 1;
          const room = queueMax - queue.length;
          if (room < batch.length) dropped.inc({ reason: 'queue_full' }, batch.length - Math.max(0, room));
          queue = batch.slice(0, Math.max(0, room)).concat(queue);
          queueGauge.set(queue.length);
          const wait = backoffMs();
          nextAttemptAt = o.clock.now() + wait;
          scheduleWake(wait);
          break;
        }
        consecutiveFailures = 0;
      }
    } finally {
      inFlight = false;
    }
  }

  function scheduleWake(ms: number): void {
    if (closed) return;
    if (wakeTimer) clearTimeout(wakeTimer);
    wakeTimer = setTimeout(() => { wakeTimer = null; void drain(true); }, ms);
    wakeTimer.unref();
  }

  async function sendHeartbeat(): Promise<void> {
    if (!o.heartbeat) return;
    try {
      const hb = await o.heartbeat();
      if (hb === null) return;
      const res = await post(heartbeatUrl, hb);
      if (res.status !== 200) { hbFailures.inc(); logger.debug({ status: res.status }, 'heartbeat refused'); }
    } catch (err) {
      hbFailures.inc();
      logger.debug({ err: (err as Error).message }, 'heartbeat failed');
    }
  }

  return {
    push(event) {
      try {
        if (event === null || typeof event !== 'object') { dropped.inc({ reason: 'invalid' }); return; }
        if (closed || queue.length >= queueMax) { dropped.inc({ reason: closed ? 'shutdown' : 'queue_full' }); return; }
        queue.push(event);
        queueGauge.set(queue.length);
        if (started && queue.length >= batchSize && !inFlight && o.clock.now() >= nextAttemptAt) setImmediate(() => { void drain(false); });
      } catch {
        // never let the hot path fail because of shipping
      }
    },
    start() {
      if (started || closed) return;
      started = true;
      flushTimer = setInterval(() => { void drain(true); }, flushIntervalMs);
      flushTimer.unref();
      if (o.heartbeat) {
        void sendHeartbeat();
        heartbeatTimer = setInterval(() => { void sendHeartbeat(); }, heartbeatIntervalMs);
        heartbeatTimer.unref();
      }
      logger.info({ url: o.url, batchSize, queueMax, heartbeats: o.heartbeat !== undefined }, 'shipping to the dashboard');
    },
    async close() {
      if (closed) return;
      closed = true;
      if (flushTimer) clearInterval(flushTimer);
      if (heartbeatTimer) clearInterval(heartbeatTimer);
      if (wakeTimer) clearTimeout(wakeTimer);
      const deadline = Date.now() + closeTimeoutMs;
      while (inFlight && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      while (queue.length > 0 && Date.now() < deadline) {
        const batch = queue.slice(0, batchSize);
        queue = queue.slice(batch.length);
        const left = deadline - Date.now();
        const outcome = await Promise.race([
          sendBatch(batch),
          new Promise<SendOutcome>((r) => { const t = setTimeout(() => r('retry'), Math.max(0, left)); t.unref(); }),
        ]);
        if (outcome === 'retry') { queue = batch.concat(queue); break; }
      }
      if (queue.length) {
        dropped.inc({ reason: 'shutdown' }, queue.length);
        logger.warn({ dropped: queue.length }, 'events not delivered at shutdown');
      }
      queue = [];
      queueGauge.set(0);
      await agent.destroy().catch(() => {});
    },
  };
}
