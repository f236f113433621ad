import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { GatewayHeartbeat } from '../../gateway/events/types.js';

/** Whether the heartbeat counts each action apart (then `blocked_count` is blocks only). */
function perAction(hb: GatewayHeartbeat): boolean {
  return hb.throttled_count !== undefined || hb.challenged_count !== undefined || hb.error_count !== undefined;
}

export async function recordHeartbeat(db: Kysely<Database>, hb: GatewayHeartbeat, now: number): Promise<void> {
  const values = {
    admin_url: hb.admin_url ?? null, public_url: hb.public_url ?? null, version: hb.version ?? null, last_seen: now,
    uptime_seconds: hb.uptime_seconds, requests_processed: hb.requests_processed, blocked_count: hb.blocked_count,
    // per-action counts, all or none: without them blocked_count is the older gateways' sum of refusals
    ...(perAction(hb)
      ? { throttled_count: hb.throttled_count ?? 0, challenged_count: hb.challenged_count ?? 0, error_count: hb.error_count ?? 0 }
      : { throttled_count: null, challenged_count: null, error_count: null }),
    avg_response_time_ms: hb.avg_response_time_ms ?? null, backends: JSON.stringify(hb.backends ?? []),
  };
  await db.insertInto('gateways').values({ id: hb.gateway_id, first_seen: now, ...values })
    .onConflict((oc) => oc.column('id').doUpdateSet(values)).execute();
}

/** The last heartbeat's per-action counts (gateways that send them). */
export interface HeartbeatActions { block: number; throttle: number; challenge: number; error: number }

export interface GatewayInfo {
  id: string; admin_url: string | null; ip: string | null; status: 'healthy' | 'stale' | 'down'; uptime_seconds: number;
  requests_processed: number;
  /** As the heartbeat sent it: blocks only when `heartbeat_actions` is set, else block + throttle + challenge. */
  blocked_count: number;
  /** Refused requests (block + throttle + challenge), whichever way the heartbeat counted them. */
  refused_count: number;
  /** Each action apart, null for older gateways whose heartbeat sends only the sum of refusals. */
  heartbeat_actions: HeartbeatActions | null;
  avg_response_time_ms: number | null; last_seen: string;
  backends: { url: string; healthy: boolean; avg_response_time_ms?: number }[]; version: string | null;
}

/** Gateways seen through heartbeats; healthy when heard from within `staleMs`, down after 5x that. */
export async function listGateways(db: Kysely<Database>, now: number, staleMs: number): Promise<GatewayInfo[]> {
  const rows = await db.selectFrom('gateways').selectAll().orderBy('id').execute();
  return rows.map((r) => {
    const age = now - Number(r.last_seen);
    return {
      id: r.id, admin_url: r.admin_url, ip: r.public_url, version: r.version,
      status: age <= staleMs ? 'healthy' : age <= staleMs * 5 ? 'stale' : 'down',
      uptime_seconds: Number(r.uptime_seconds), requests_processed: Number(r.requests_processed),
      blocked_count: Number(r.blocked_count),
      ...counts(r),
      avg_response_time_ms: r.avg_response_time_ms === null ? null : Number(r.avg_response_time_ms),
      last_seen: new Date(Number(r.last_seen)).toISOString(),
      backends: JSON.parse(r.backends) as GatewayInfo['backends'],
    };
  });
}

function counts(r: { blocked_count: number; throttled_count: number | null; challenged_count: number | null; error_count: number | null }):
  Pick<GatewayInfo, 'refused_count' | 'heartbeat_actions'> {
  const block = Number(r.blocked_count);
  if (r.throttled_count === null || r.challenged_count === null || r.error_count === null) return { refused_count: block, heartbeat_actions: null };
  const a = { block, throttle: Number(r.throttled_count), challenge: Number(r.challenged_count), error: Number(r.error_count) };
  return { refused_count: a.block + a.throttle + a.challenge, heartbeat_actions: a };
}
