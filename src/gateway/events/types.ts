/**
 * What a gateway ships to the dashboard: one event per request (the seeds' log format plus the
 * gateway's action and reason) and a periodic heartbeat.
 */

/** What the detector concluded about the request. */
export const PREDICTIONS = ['NORMAL', 'SUSPICIOUS', 'DDoS', 'BLOCKED'] as const;
export type Prediction = (typeof PREDICTIONS)[number];

/**
 * What the gateway did with the request: `allow` forwarded it to a backend (whatever the backend
 * answered); `challenge`, `throttle` and `block` refused it on a decision of the shield; `error` is
 * an error answer of the gateway itself (502/504 when the backend could not be reached or did not
 * answer in time, 503 when no backend is healthy, 408/413/431 for a request over the limits, 404
 * under /_shield/). Gateways before `error` existed sent those requests as `allow`.
 */
export const ACTIONS = ['allow', 'challenge', 'throttle', 'block', 'error'] as const;
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
  /**
   * True when the shield refused the request (action block, throttle or challenge). False for
   * `allow` and for `error`: a gateway error is no refusal, though no backend's answer reached the
   * client (the request may have been forwarded, as with 502/504, or not, as with 503/408/413/431).
   * Gateways before `error` existed sent `is_blocked: action !== 'allow'`, which is the same thing.
   */
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
  /**
   * Requests the gateway blocked (action `block`). Gateways that do not send `throttled_count`
   * and `challenged_count` (before they existed) send here every refused request: block +
   * throttle + challenge.
   */
  blocked_count: number;
  /** Requests throttled (429). Absent from older gateways' heartbeats. */
  throttled_count?: number;
  /** Requests answered with a challenge. Absent from older gateways' heartbeats. */
  challenged_count?: number;
  /** Error answers of the gateway itself (action `error`). Absent from older gateways' heartbeats. */
  error_count?: number;
  avg_response_time_ms?: number;
  backends?: GatewayBackendStatus[];
}
