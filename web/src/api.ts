/** Typed calls to the dashboard API (same origin, session cookie). */

export class ApiError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

/** A gateway's part in an admin action's answer. */
export interface GatewayOutcome { gateway_id: string; ok: boolean; status?: number; error?: string; note?: string }

/**
 * The text of an error answer. The API answers errors as `{error, details}` (HttpError) and failed
 * gateway actions as `{status, message, gateways}` (502); either way the server's words are shown,
 * falling back to the HTTP status when the body says nothing.
 */
export function errorMessage(status: number, statusText: string, body: unknown): string {
  const b = (body && typeof body === 'object' ? body : {}) as { error?: unknown; details?: unknown; message?: unknown; gateways?: unknown };
  const parts: string[] = [];
  if (typeof b.error === 'string' && b.error) parts.push(b.error);
  if (typeof b.message === 'string' && b.message) parts.push(b.message);
  if (Array.isArray(b.details)) parts.push(...b.details.filter((x): x is string => typeof x === 'string' && x !== ''));
  if (parts.length) return parts.join(': ');
  return `HTTP ${status}${statusText ? ` ${statusText}` : ''}`;
}

async function handle<T>(res: Response): Promise<T> {
  if (!res.ok) {
    let body: unknown = null;
    try { body = await res.json(); } catch { /* not JSON */ }
    throw new ApiError(res.status, errorMessage(res.status, res.statusText, body));
  }
  return res.json() as Promise<T>;
}

export function get<T>(path: string, params: Record<string, string | number | undefined> = {}): Promise<T> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const qs = q.toString();
  return fetch(`${path}${qs ? `?${qs}` : ''}`, { credentials: 'same-origin' }).then((r) => handle<T>(r));
}

export function post<T>(path: string, body: unknown): Promise<T> {
  return fetch(path, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    .then((r) => handle<T>(r));
}

export interface Me { username: string; role: 'viewer' | 'admin'; kind: string }
export interface RequestRow {
  id: number; timestamp: string; source_ip: string; request_path: string; request_method: string; user_agent: string;
  prediction: string; confidence_score: number; is_blocked: number; response_status_code: number; response_time_ms: number;
  gateway_id: string; action: string; reason: string; features: Record<string, number> | null;
}
export interface RequestsPage { total: number; page: number; limit: number; pages: number; requests: RequestRow[] }
/**
 * Counts follow the gateway's actions: `blocked` = action block; `refused` = refused by the shield
 * (block + throttle + challenge); `errors` = the gateways' own error answers (action error), neither.
 */
export interface Stats {
  total_requests: number; blocked_requests: number; refused_requests: number; error_requests: number; normal_requests: number;
  blocking_rate: number; refusal_rate: number; error_rate: number;
  avg_confidence: number; requests_per_second: number; avg_response_time_ms: number;
  top_attacking_ips: { ip: string; count: number; refused: number; requests: number; avg_confidence: number }[];
  top_targeted_paths: { path: string; count: number; refused: number }[];
  by_hour: { hour: string; requests: number; blocked: number; refused: number; errors: number }[];
  by_prediction: Record<string, { count: number; percentage: number }>;
  by_action: { allow: number; challenge: number; throttle: number; block: number; error: number };
}
export interface Timeseries { step_seconds: number; points: { t: string; requests: number; blocked: number; refused: number; errors: number }[] }
export interface BlockedIp {
  ip: string; first_seen: string; last_blocked: string; block_count: number; avg_confidence: number;
  status: 'active' | 'expired' | 'unblocked' | 'allowlisted' | 'unknown'; recorded_state: string; reason: string;
  /** Who blocked it on the gateway (detector, manual, ...), null when no gateway blocks it now. */
  source?: string | null;
  features: Record<string, number> | null; manual_until: string | null;
  blocked_on: string[]; expires_at: string | null; unreachable_gateways: string[];
}
export interface GatewayActions { total: number; allow: number; block: number; throttle: number; challenge: number; error: number; client_closed: number }
/** The last heartbeat's per-action counts (null for older gateways, which send only the sum of refusals). */
export interface HeartbeatActions { block: number; throttle: number; challenge: number; error: number }
export interface Gateway {
  id: string; admin_url: string | null; ip: string | null; status: 'healthy' | 'stale' | 'down'; uptime_seconds: number;
  requests_processed: number; blocked_count: number; refused_count: number; heartbeat_actions: HeartbeatActions | null;
  avg_response_time_ms: number | null; last_seen: string;
  backends: { url: string; healthy: boolean; avg_response_time_ms?: number }[]; version: string | null;
  actions: GatewayActions | null; actions_error: string | null;
}
/** What the flow IDS posts with its alerts (`details` of an alert of source `ids`). */
export interface IdsAlertDetails { flows: number; attacks: number; max_probability: number; families: Record<string, number>; client?: string }
export interface Alert {
  id: number; timestamp: string; alert_type: string; source: 'gateway' | 'ids'; source_ip: string | null; message: string; severity: string;
  is_acknowledged: number; details: Record<string, unknown> | null;
}
export interface History {
  ip: string;
  summary: { first_blocked: string; last_blocked: string; block_count: number; state: string; reason: string; features: Record<string, number> | null } | null;
  actions: { id: number; timestamp: string; action: string; actor: string; duration_minutes: number | null; reason: string; results: GatewayOutcome[] }[];
}
export interface LiveTick {
  /** Counted as the statistics: `blocked` = action block, `refused` = block + throttle + challenge, `errors` = action error. */
  t: string; total: number; blocked: number; refused: number; errors: number;
  events: { timestamp: string; source_ip: string; path: string; method: string; status: number; prediction: string; action: string; is_blocked: boolean; confidence: number; gateway_id: string }[];
}
