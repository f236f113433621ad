import type { Generated } from 'kysely';

/**
 * Table types of the dashboard database (SQLite and PostgreSQL alike). Every time is an integer
 * of milliseconds since the epoch; booleans are 0/1 integers.
 */

export interface RequestsTable {
  id: Generated<number>;
  ts: number;
  source_ip: string;
  path: string;
  method: string;
  user_agent: string;
  prediction: string;
  confidence: number;
  is_blocked: number;
  status: number;
  response_time_ms: number;
  size: number;
  gateway_id: string;
  action: string;
  reason: string;
  /** JSON object of features/contributions, kept for non-allow decisions only. */
  features: string | null;
  /** How many requests this row stands for (1 unless allowed requests were sampled). */
  weight: number;
}

/** Per-minute, per-gateway totals: every request counted exactly, sampled or not. */
export interface RollupMinuteTable {
  bucket: number;
  gateway_id: string;
  total: number;
  blocked: number;
  act_allow: number;
  act_challenge: number;
  act_throttle: number;
  act_block: number;
  /** The gateway's own error answers (action `error`; older gateways sent them as allow). */
  act_error: number;
  pred_normal: number;
  pred_suspicious: number;
  pred_ddos: number;
  pred_blocked: number;
  confidence_sum: number;
  response_time_sum: number;
  bytes_sum: number;
  status_4xx: number;
  status_5xx: number;
}

export interface RollupIpHourTable {
  bucket: number;
  source_ip: string;
  total: number;
  blocked: number;
  blocked_confidence_sum: number;
}

export interface RollupPathHourTable {
  bucket: number;
  path: string;
  total: number;
  blocked: number;
}

export interface BlockedIpsTable {
  ip: string;
  first_blocked: number;
  last_blocked: number;
  block_count: number;
  confidence_sum: number;
  last_reason: string;
  last_features: string | null;
  /** 'auto' (seen blocked by a gateway), 'manual', 'unblocked', 'allowlisted'. */
  state: string;
  /** End of a manual block (ms), null when none. */
  manual_until: number | null;
  /**
   * When the row last changed (ms). For a manual block it stays the time the block was made from
   * the dashboard (ingested refusals leave it): the re-applier compares it with a gateway's start.
   */
  updated_at: number;
}

export interface BlockActionsTable {
  id: Generated<number>;
  ts: number;
  ip: string;
  action: string;
  actor: string;
  duration_minutes: number | null;
  reason: string;
  /** JSON array of per-gateway results. */
  result: string;
}

export interface AlertsTable {
  id: Generated<number>;
  ts: number;
  alert_type: string;
  source_ip: string | null;
  message: string;
  severity: string;
  is_acknowledged: number;
  acknowledged_by: string | null;
  acknowledged_at: number | null;
  /** Who raised it: 'gateway' (derived from the gateways' events, the default) or 'ids' (posted by the flow IDS). */
  source: Generated<string>;
  /** JSON object of the poster's figures (IDS alerts), null otherwise. */
  details: string | null;
}

export interface GatewaysTable {
  id: string;
  admin_url: string | null;
  public_url: string | null;
  version: string | null;
  first_seen: number;
  last_seen: number;
  uptime_seconds: number;
  requests_processed: number;
  /** Blocks only when the per-action counts below are set; else (older gateways) block + throttle + challenge. */
  blocked_count: number;
  /** Null while the gateway's heartbeats do not carry them. */
  throttled_count: number | null;
  challenged_count: number | null;
  error_count: number | null;
  avg_response_time_ms: number | null;
  /** JSON array of backend statuses. */
  backends: string;
}

export interface UsersTable {
  id: Generated<number>;
  username: string;
  password_hash: string;
  role: string;
  created_at: number;
}

export interface SessionsTable {
  token_hash: string;
  user_id: number;
  created_at: number;
  expires_at: number;
}

export interface ApiTokensTable {
  id: Generated<number>;
  name: string;
  token_hash: string;
  role: string;
  created_at: number;
}

export interface Database {
  requests: RequestsTable;
  rollup_minute: RollupMinuteTable;
  rollup_ip_hour: RollupIpHourTable;
  rollup_path_hour: RollupPathHourTable;
  blocked_ips: BlockedIpsTable;
  block_actions: BlockActionsTable;
  alerts: AlertsTable;
  gateways: GatewaysTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
}
