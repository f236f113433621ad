import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { createHotCounter, createHotHistogram, type HotCount, type HotObserve } from '../core/hot-metrics.js';

/**
 * Metric names of the gateway, in one place. Counters end in _total. With several workers the
 * primary sums each metric over them, except where a gauge names its own aggregator (a backend is
 * up where every worker sees it up; the blocklist and allowlist are one list in every worker).
 */
export const METRIC = {
  requests: 'ddos_shield_requests_total',
  responses: 'ddos_shield_responses_total',
  decisions: 'ddos_shield_decisions_total',
  upstreamDuration: 'ddos_shield_upstream_duration_seconds',
  upstreamErrors: 'ddos_shield_upstream_errors_total',
  upstreamRetries: 'ddos_shield_upstream_retries_total',
  backendUp: 'ddos_shield_backend_up',
  backendRequests: 'ddos_shield_backend_requests_total',
  activeConnections: 'ddos_shield_active_connections',
  inflightRequests: 'ddos_shield_inflight_requests',
  blocklistSize: 'ddos_shield_blocklist_size',
  allowlistSize: 'ddos_shield_allowlist_size',
  rejected: 'ddos_shield_rejected_total',
  websocketUpgrades: 'ddos_shield_websocket_upgrades_total',
  fastRequests: 'ddos_shield_fast_path_requests_total',
  fastHandovers: 'ddos_shield_fast_path_handovers_total',
} as const;

export type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx';
export type ShieldAction = 'block' | 'throttle' | 'challenge' | 'error';

export interface GatewayMetrics {
  registry: Registry;
  /** Hot-path counters count in plain numbers and reach prom-client at scrape time. */
  requests: HotCount;
  decisions: { labels(action: string, reason: string): HotCount };
  upstreamDuration: { child(labels: { backend: string }): HotObserve };
  upstreamErrors: Counter<'backend' | 'kind'>;
  upstreamRetries: Counter;
  backendUp: Gauge<'backend'>;
  backendRequests: { child(labels: { backend: string }): HotCount };
  activeConnections: { inc(): void; dec(): void };
  inflightRequests: { inc(): void; dec(): void };
  blocklistSize: Gauge;
  allowlistSize: Gauge;
  /** Requests or connections the gateway refused before proxying, by reason (every drop is counted). */
  rejected: { labels(reason: string): HotCount };
  websocketUpgrades: Counter<'outcome'>;
  /** Requests served on the fast path, and connections it handed to node:http (by the reason of the request that made it). */
  fastRequests: HotCount;
  fastHandovers: Counter<'reason'>;
  /** Pre-bound children for the hot path. */
  responseByClass: Record<StatusClass, HotCount>;
  /** The pre-bound child of a status's class, by an array index (a lookup by class name is a megamorphic keyed load for V8). */
  responseOf(status: number): HotCount;
}

export function createGatewayMetrics(opts: { registry?: Registry; defaultMetrics?: boolean } = {}): GatewayMetrics {
  const registry = opts.registry ?? new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'ddos_shield_process_' });
  const r = [registry];
  const responses = createHotCounter({ name: METRIC.responses, help: 'Responses sent to clients by status class', labelNames: ['class'], registers: r });
  const responseByClass: Record<StatusClass, HotCount> = {
    '1xx': responses.child({ class: '1xx' }), '2xx': responses.child({ class: '2xx' }), '3xx': responses.child({ class: '3xx' }),
    '4xx': responses.child({ class: '4xx' }), '5xx': responses.child({ class: '5xx' }),
  };
  // index: status / 100 (statuses below 100 counted as 1xx, from 600 as 5xx, as statusClass does)
  const byHundreds = [responseByClass['1xx'], responseByClass['1xx'], responseByClass['2xx'], responseByClass['3xx'], responseByClass['4xx'], responseByClass['5xx']];
  let inflightNow = 0;
  new Gauge({ name: METRIC.inflightRequests, help: 'Requests being processed', registers: r, collect() { this.set(inflightNow); } });
  const inflight = { inc() { inflightNow++; }, dec() { inflightNow--; } };
  let connectionsNow = 0;
  new Gauge({ name: METRIC.activeConnections, help: 'Open client connections on the public port', registers: r, collect() { this.set(connectionsNow); } });
  const connections = { inc() { connectionsNow++; }, dec() { connectionsNow--; } };
  const m: GatewayMetrics = {
    registry,
    requests: createHotCounter({ name: METRIC.requests, help: 'Requests received on the public port', registers: r }).child(),
    decisions: createHotCounter({ name: METRIC.decisions, help: 'Responses produced by the gateway itself, by action and reason', labelNames: ['action', 'reason'], registers: r }),
    upstreamDuration: createHotHistogram({
      name: METRIC.upstreamDuration, help: 'Time from dispatch to the backend until its response headers', labelNames: ['backend'], registry,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    }),
    upstreamErrors: new Counter({ name: METRIC.upstreamErrors, help: 'Failed upstream exchanges by backend and kind', labelNames: ['backend', 'kind'], registers: r }),
    upstreamRetries: new Counter({ name: METRIC.upstreamRetries, help: 'Idempotent requests retried on another backend after a refused connection', registers: r }),
    backendUp: new Gauge({ name: METRIC.backendUp, help: '1 if the backend is healthy, else 0', labelNames: ['backend'], registers: r, aggregator: 'min' }),
    backendRequests: createHotCounter({ name: METRIC.backendRequests, help: 'Requests dispatched to each backend', labelNames: ['backend'], registers: r }),
    activeConnections: connections,
    inflightRequests: inflight,
    blocklistSize: new Gauge({ name: METRIC.blocklistSize, help: 'Clients currently blocked', registers: r, aggregator: 'max' }),
    allowlistSize: new Gauge({ name: METRIC.allowlistSize, help: 'CIDR entries in the allowlist', registers: r, aggregator: 'max' }),
    rejected: createHotCounter({ name: METRIC.rejected, help: 'Requests and connections refused before proxying, by reason', labelNames: ['reason'], registers: r }),
    websocketUpgrades: new Counter({ name: METRIC.websocketUpgrades, help: 'WebSocket upgrade attempts by outcome', labelNames: ['outcome'], registers: r }),
    fastRequests: createHotCounter({ name: METRIC.fastRequests, help: 'Requests served on the fast path (without node:http)', registers: r }).child(),
    fastHandovers: new Counter({ name: METRIC.fastHandovers, help: 'Connections handed from the fast path to node:http, by the reason of the request that did it', labelNames: ['reason'], registers: r }),
    responseByClass,
    responseOf: (status) => byHundreds[status < 100 ? 1 : status >= 600 ? 5 : (status / 100) | 0]!,
  };
  return m;
}

export function statusClass(status: number): StatusClass {
  if (status < 200) return '1xx';
  if (status < 300) return '2xx';
  if (status < 400) return '3xx';
  if (status < 500) return '4xx';
  return '5xx';
}
