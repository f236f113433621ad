import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const METRIC = {
  httpRequests: 'ddos_shield_dashboard_http_requests_total',
  events: 'ddos_shield_dashboard_events_total',
  alertsIngested: 'ddos_shield_dashboard_ingested_alerts_total',
  ingestSeconds: 'ddos_shield_dashboard_ingest_batch_seconds',
  loginFailures: 'ddos_shield_dashboard_login_failures_total',
  liveClients: 'ddos_shield_dashboard_live_clients',
  liveDropped: 'ddos_shield_dashboard_live_messages_dropped_total',
  gatewayActions: 'ddos_shield_dashboard_gateway_actions_total',
  retentionDeleted: 'ddos_shield_dashboard_retention_deleted_rows_total',
} as const;

/** The dashboard's own registry and metrics (one per dashboard instance). */
export function createDashboardMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'ddos_shield_dashboard_' });
  return {
    registry,
    httpRequests: new Counter({ name: METRIC.httpRequests, help: 'HTTP requests by route and status', labelNames: ['route', 'status'], registers: [registry] }),
    events: new Counter({ name: METRIC.events, help: 'Ingested request events by result (stored, sampled_out, rejected)', labelNames: ['result'], registers: [registry] }),
    alertsIngested: new Counter({ name: METRIC.alertsIngested, help: 'Alerts posted to POST /api/alerts by source (ids) and result (stored, rejected)', labelNames: ['source', 'result'], registers: [registry] }),
    ingestSeconds: new Histogram({ name: METRIC.ingestSeconds, help: 'Time to store one ingested batch', buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5], registers: [registry] }),
    loginFailures: new Counter({ name: METRIC.loginFailures, help: 'Failed or rate-limited logins', labelNames: ['reason'], registers: [registry] }),
    liveClients: new Gauge({ name: METRIC.liveClients, help: 'Connected live-update (SSE) clients', registers: [registry] }),
    liveDropped: new Counter({ name: METRIC.liveDropped, help: 'Live messages not sent to a slow client', registers: [registry] }),
    gatewayActions: new Counter({ name: METRIC.gatewayActions, help: 'Block/unblock calls to gateway admin APIs', labelNames: ['action', 'result'], registers: [registry] }),
    retentionDeleted: new Counter({ name: METRIC.retentionDeleted, help: 'Rows deleted by the retention job', labelNames: ['kind'], registers: [registry] }),
  };
}

export type DashboardMetrics = ReturnType<typeof createDashboardMetrics>;
