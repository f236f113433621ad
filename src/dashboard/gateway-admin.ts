import { request } from 'undici';
import type { DashboardDeps } from './deps.js';
import type { GatewayResult } from './store/blocked.js';
import { listGateways } from './store/gateways.js';
import { parseIp } from '../net/ip.js';

export interface GatewayTarget { gateway_id: string; admin_url: string }

const TIMEOUT_MS = 5000;
/** Reads (the Blocked page polls them) give up sooner than actions. */
const READ_TIMEOUT_MS = 2000;

function adminUrl(t: GatewayTarget, path: string): URL {
  return new URL(path, t.admin_url.endsWith('/') ? t.admin_url : `${t.admin_url}/`);
}

function authHeader(token: string): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** Gateways to act on or ask: those announcing an admin URL (not down) plus the configured ones. */
export async function gatewayTargets(d: DashboardDeps): Promise<GatewayTarget[]> {
  const gws = await listGateways(d.store.db, d.clock.now(), d.config.gatewayStaleMs);
  const out = new Map<string, GatewayTarget>();
  for (const g of gws) if (g.admin_url && g.status !== 'down') out.set(g.admin_url, { gateway_id: g.id, admin_url: g.admin_url });
  for (const u of d.config.gatewayAdminUrls) if (!out.has(u)) out.set(u, { gateway_id: u, admin_url: u });
  return [...out.values()];
}

/** Calls one admin endpoint on every gateway at once; never throws, reports each result. */
export async function callGateways(targets: GatewayTarget[], token: string, path: string, body: unknown): Promise<GatewayResult[]> {
  return Promise.all(targets.map(async (t): Promise<GatewayResult> => {
    try {
      const res = await request(adminUrl(t, path), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...authHeader(token) },
        body: JSON.stringify(body),
        headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS,
      });
      const text = await res.body.text();
      const ok = res.statusCode >= 200 && res.statusCode < 300;
      return ok ? { gateway_id: t.gateway_id, ok, status: res.statusCode }
        : { gateway_id: t.gateway_id, ok, status: res.statusCode, error: errorText(text) };
    } catch (err) {
      return { gateway_id: t.gateway_id, ok: false, error: (err as Error).message };
    }
  }));
}

/** The `error` of a gateway's JSON error answer, else the start of the body. */
function errorText(text: string): string {
  try {
    const j = JSON.parse(text) as { error?: unknown };
    if (typeof j.error === 'string' && j.error) return j.error.slice(0, 200);
  } catch { /* not JSON */ }
  return text.slice(0, 200);
}

/**
 * Whether a gateway's answer to `POST /unblock/{ip}` says the address was not blocked there
 * (404 `{"error": "<ip> is not blocked", "ip": ...}`): nothing to lift, not a failure. Any other
 * 404 (a wrong admin URL, say) stays a failure.
 */
export function isNotBlockedAnswer(r: GatewayResult): boolean {
  return !r.ok && r.status === 404 && /\bis not blocked$/.test(r.error ?? '');
}

/** One entry of a gateway's `GET /blocked-ips`. */
export interface GatewayBlock { ip: string; blocked_at: string | null; expires_at: string | null; reason: string; source: string }

/** A gateway's blocklist, or why it could not be read. */
export type GatewayBlocklist =
  | { gateway_id: string; ok: true; blocks: GatewayBlock[] }
  | { gateway_id: string; ok: false; error: string };

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** Reads `GET /blocked-ips` of every gateway at once; never throws. Addresses are normalised. */
/** GET `path` on a gateway's admin API: its JSON answer, or why there is none; never throws. */
async function readAdmin(t: GatewayTarget, token: string, path: string): Promise<{ ok: true; body: unknown } | { ok: false; error: string }> {
  try {
    const res = await request(adminUrl(t, path), {
      method: 'GET', headers: authHeader(token), headersTimeout: READ_TIMEOUT_MS, bodyTimeout: READ_TIMEOUT_MS,
      signal: AbortSignal.timeout(READ_TIMEOUT_MS),
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) return { ok: false, error: `HTTP ${res.statusCode}: ${errorText(text)}` };
    try { return { ok: true, body: JSON.parse(text) as unknown }; } catch { return { ok: false, error: 'answer is not JSON' }; }
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

export async function fetchBlocklists(targets: GatewayTarget[], token: string): Promise<GatewayBlocklist[]> {
  return Promise.all(targets.map(async (t): Promise<GatewayBlocklist> => {
    const r = await readAdmin(t, token, 'blocked-ips');
    if (!r.ok) return { gateway_id: t.gateway_id, ok: false, error: r.error };
    if (!Array.isArray(r.body)) return { gateway_id: t.gateway_id, ok: false, error: 'answer is not a list of blocked addresses' };
    const blocks: GatewayBlock[] = [];
    for (const e of r.body as Record<string, unknown>[]) {
      const ip = e && typeof e === 'object' ? parseIp(String(e.ip ?? '')) : undefined;
      if (!ip) continue;
      blocks.push({ ip, blocked_at: str(e.blocked_at), expires_at: str(e.expires_at), reason: str(e.reason) ?? '', source: str(e.source) ?? '' });
    }
    return { gateway_id: t.gateway_id, ok: true, blocks };
  }));
}

/** A gateway's requests by action since it started (its admin API's `GET /stats`). */
export interface GatewayActionCounts { total: number; allow: number; block: number; throttle: number; challenge: number; error: number; client_closed: number }

export type GatewayStatsAnswer =
  | { gateway_id: string; ok: true; actions: GatewayActionCounts }
  | { gateway_id: string; ok: false; error: string };

/** Reads `GET /stats` of every gateway at once; never throws. */
export async function fetchStats(targets: GatewayTarget[], token: string): Promise<GatewayStatsAnswer[]> {
  return Promise.all(targets.map(async (t): Promise<GatewayStatsAnswer> => {
    const r = await readAdmin(t, token, 'stats');
    if (!r.ok) return { gateway_id: t.gateway_id, ok: false, error: r.error };
    const s = (r.body as { statistics?: Record<string, unknown> } | null)?.statistics;
    const num = (k: string): number => (s && typeof s[k] === 'number' ? s[k] : NaN);
    const actions: GatewayActionCounts = {
      total: num('total_requests'), allow: num('allowed_requests'), block: num('blocked_requests'), throttle: num('throttled_requests'),
      challenge: num('challenged_requests'), error: num('error_responses'), client_closed: num('client_closed'),
    };
    if (Object.values(actions).some((v) => !Number.isFinite(v))) return { gateway_id: t.gateway_id, ok: false, error: 'answer has no request counts' };
    return { gateway_id: t.gateway_id, ok: true, actions };
  }));
}
