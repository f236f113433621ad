/**
 * What a gateway ships to the dashboard: one event per request (the seeds' log format plus the
 * gateway's action and reason) and a periodic heartbeat.
 */

/** What the detector concluded about the request. */
export const PREDICTIONS = ['NORMAL', 'SUSPICIOUS', 'DDoS', 'BLOCKED'] as const;
export type Prediction = (typeof PREDICTIONS)[number];

/** What the gateway did with the request. */
export const ACTIONS = ['allow', 'challenge', 'throttle', 'block'] as const;
export type GatewayAction = (typeof ACTIONS)[number];

export interface RequestEvent {
  /** ISO 8601 time the request arrived (e.g. "2026-11-23T10:30:45.123Z"). */
  timestamp: string;
  source_ip: string;
  path: string;
  method: string;
  user_agent: string;
  prediction: Prediction;
  /** Score in [0, 1]. */
  confidence: number;
  /** True when the request was not forwarded to a backend (block, throttle, challenge). */
  is_blocked: boolean;
  /** HTTP status returned to the client. */
  status: number;
  response_time_ms: number;
  /** Response size in bytes. */
  size: number;
  gateway_id: string;
  action: GatewayAction;
  /** Short machine-readable reason for a non-allow action ("" for allow). */
  reason: string;
  /** Optional explanation: the features (or their contributions) that drove the decision. */
  features?: Record<string, number>;
}

export interface GatewayBackendStatus {
  url: string;
  healthy: boolean;
  avg_response_time_ms?: number;
}

export interface GatewayHeartbeat {
  gateway_id: string;
  /** Base URL of the gateway's admin API (e.g. "http://127.0.0.1:8081"), if it exposes one. */
  admin_url?: string;
  /** Public address the gateway listens on, for display. */
  public_url?: string;
  version?: string;
  uptime_seconds: number;
  requests_processed: number;
  blocked_count: number;
  avg_response_time_ms?: number;
  backends?: GatewayBackendStatus[];
}
