import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export const BACKEND_METRICS = Object.freeze({
  requests: 'backend_http_requests_total',
  duration: 'backend_http_request_duration_seconds',
  bodiesRejected: 'backend_request_bodies_rejected_total',
  logins: 'backend_logins_total',
  sessionsActive: 'backend_sessions_active',
  sessionsEvicted: 'backend_sessions_evicted_total',
});

export interface BackendMetrics {
  registry: Registry;
  requests: Counter<'route' | 'method' | 'status_class'>;
  duration: Histogram<'route'>;
  bodiesRejected: Counter<'reason'>;
  logins: Counter<'result'>;
  sessionsEvicted: Counter<'reason'>;
}

/** A fresh registry per application instance (never the global default). */
export function createBackendMetrics(sessionCount: () => number, appName: string): BackendMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ app: appName });
  const registers = [registry];
  const metrics: BackendMetrics = {
    registry,
    requests: new Counter({
      name: BACKEND_METRICS.requests,
      help: 'HTTP requests answered, by route template, method and status class (2xx..5xx, aborted)',
      labelNames: ['route', 'method', 'status_class'],
      registers,
    }),
    duration: new Histogram({
      name: BACKEND_METRICS.duration,
      help: 'Time from request start to the end of the response, by route template',
      labelNames: ['route'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    bodiesRejected: new Counter({
      name: BACKEND_METRICS.bodiesRejected,
      help: 'Request bodies refused (too_large, unsupported_type, aborted)',
      labelNames: ['reason'],
      registers,
    }),
    logins: new Counter({
      name: BACKEND_METRICS.logins,
      help: 'Login attempts by result (success, failure, invalid)',
      labelNames: ['result'],
      registers,
    }),
    sessionsEvicted: new Counter({
      name: BACKEND_METRICS.sessionsEvicted,
      help: 'Sessions dropped by the store (expired, capacity)',
      labelNames: ['reason'],
      registers,
    }),
  };
  new Gauge({
    name: BACKEND_METRICS.sessionsActive,
    help: 'Sessions held in memory',
    registers,
    collect() { this.set(sessionCount()); },
  });
  return metrics;
}

export function statusClass(status: number): string {
  if (status >= 100 && status < 600) return `${Math.floor(status / 100)}xx`;
  return 'other';
}
