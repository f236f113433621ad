import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { GatewayHeartbeat } from '../../gateway/events/types.js';

export async function recordHeartbeat(db: Kysely<Database>, hb: GatewayHeartbeat, now: number): Promise<void> {
  const values = {
    admin_url: hb.admin_url ?? null, public_url: hb.public_url ?? null, version: hb.version ?? null, last_seen: now,
    uptime_seconds: hb.uptime_seconds, requests_processed: hb.requests_processed, blocked_count: hb.blocked_count,
    avg_response_time_ms: hb.avg_response_time_ms ?? null, backends: JSON.stringify(hb.backends ?? []),
  };
  await db.insertInto('gateways').values({ id: hb.gateway_id, first_seen: now, ...values })
    .onConflict((oc) => oc.column('id').doUpdateSet(values)).execute();
}

export interface GatewayInfo {
  id: string; admin_url: string | null; ip: string | null; status: 'healthy' | 'stale' | 'down'; uptime_seconds: number;
  requests_processed: number; blocked_count: number; avg_response_time_ms: number | null; last_seen: string;
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
      avg_response_time_ms: r.avg_response_time_ms === null ? null : Number(r.avg_response_time_ms),
      last_seen: new Date(Number(r.last_seen)).toISOString(),
      backends: JSON.parse(r.backends) as GatewayInfo['backends'],
    };
  });
}
