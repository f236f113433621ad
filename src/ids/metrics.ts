import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Metric names of the IDS API, one registry per server instance. */
export const IDS_METRICS = {
  requests: 'ids_requests_total',
  requestDuration: 'ids_request_duration_seconds',
  flowsScored: 'ids_flows_scored_total',
  flowInference: 'ids_flow_inference_seconds',
  rejected: 'ids_rejected_requests_total',
  nonFinite: 'ids_non_finite_values_total',
  alertsSent: 'ids_alerts_sent_total',
  alertsDropped: 'ids_alerts_dropped_total',
  alertQueue: 'ids_alert_queue_length',
  modelInfo: 'ids_model_info',
} as const;

export interface IdsMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'route' | 'status'>;
  readonly requestDuration: Histogram<'route'>;
  readonly flowsScored: Counter<'prediction' | 'family'>;
  readonly flowInference: Histogram;
  readonly rejected: Counter<'reason'>;
  readonly nonFinite: Counter;
  readonly alertsSent: Counter;
  readonly alertsDropped: Counter<'reason'>;
  readonly alertQueue: Gauge;
  readonly modelInfo: Gauge<'version' | 'created_at'>;
}

export function createIdsMetrics(): IdsMetrics {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    requests: new Counter({ name: IDS_METRICS.requests, help: 'HTTP requests by route and status', labelNames: ['route', 'status'], registers }),
    requestDuration: new Histogram({
      name: IDS_METRICS.requestDuration, help: 'HTTP request duration', labelNames: ['route'], registers,
      buckets: [0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.25, 1, 5],
    }),
    flowsScored: new Counter({ name: IDS_METRICS.flowsScored, help: 'Flows scored by prediction and family', labelNames: ['prediction', 'family'], registers }),
    flowInference: new Histogram({
      name: IDS_METRICS.flowInference, help: 'Model inference time per flow (batch time / flows)', registers,
      buckets: [0.000002, 0.000005, 0.00001, 0.00002, 0.00005, 0.0001, 0.001],
    }),
    rejected: new Counter({ name: IDS_METRICS.rejected, help: 'Requests refused (auth, rate_limit, invalid, too_large, not_found)', labelNames: ['reason'], registers }),
    nonFinite: new Counter({ name: IDS_METRICS.nonFinite, help: 'Feature values that were null/NaN/Infinity and replaced by the non-finite value', registers }),
    alertsSent: new Counter({ name: IDS_METRICS.alertsSent, help: 'Alerts delivered to the dashboard', registers }),
    alertsDropped: new Counter({ name: IDS_METRICS.alertsDropped, help: 'Alerts not delivered (queue_full, http_error, network_error, shutdown)', labelNames: ['reason'], registers }),
    alertQueue: new Gauge({ name: IDS_METRICS.alertQueue, help: 'Alerts waiting to be sent', registers }),
    modelInfo: new Gauge({ name: IDS_METRICS.modelInfo, help: 'Loaded model version (value 1)', labelNames: ['version', 'created_at'], registers }),
  };
}
