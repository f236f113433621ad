/** Typed calls to the dashboard API (same origin, session cookie). */

export class ApiError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

async function handle<T>(res: Response): Promise<T> {
  if (!res.ok) {
    let msg = res.statusText;
    try {
      const b = await res.json() as { error?: string; details?: string[] };
      msg = [b.error, ...(b.details ?? [])].filter(Boolean).join(': ');
    } catch { /* not JSON */ }
    throw new ApiError(res.status, msg);
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
export interface Stats {
  total_requests: number; blocked_requests: number; blocking_rate: number; avg_confidence: number; requests_per_second: number;
  avg_response_time_ms: number;
  top_attacking_ips: { ip: string; count: number; requests: number; avg_confidence: number }[];
  top_targeted_paths: { path: string; count: number; blocked: number }[];
  by_hour: { hour: string; requests: number; blocked: number }[];
  by_prediction: Record<string, { count: number; percentage: number }>;
  by_action: Record<string, number>;
}
export interface Timeseries { step_seconds: number; points: { t: string; requests: number; blocked: number }[] }
export interface BlockedIp {
  ip: string; first_seen: string; last_blocked: string; block_count: number; avg_confidence: number;
  status: 'active' | 'expired' | 'unblocked' | 'allowlisted'; reason: string; features: Record<string, number> | null;
  manual_until: string | null;
}
export interface Gateway {
  id: string; admin_url: string | null; ip: string | null; status: 'healthy' | 'stale' | 'down'; uptime_seconds: number;
  requests_processed: number; blocked_count: number; avg_response_time_ms: number | null; last_seen: string;
  backends: { url: string; healthy: boolean; avg_response_time_ms?: number }[]; version: string | null;
}
export interface Alert {
  id: number; timestamp: string; alert_type: string; source_ip: string | null; message: string; severity: string;
  is_acknowledged: number;
}
export interface History {
  ip: string;
  summary: { first_blocked: string; last_blocked: string; block_count: number; state: string; reason: string; features: Record<string, number> | null } | null;
  actions: { id: number; timestamp: string; action: string; actor: string; duration_minutes: number | null; reason: string; results: { gateway_id: string; ok: boolean; error?: string }[] }[];
}
export interface LiveTick {
  t: string; total: number; blocked: number;
  events: { timestamp: string; source_ip: string; path: string; method: string; status: number; prediction: string; action: string; is_blocked: boolean; confidence: number; gateway_id: string }[];
}
