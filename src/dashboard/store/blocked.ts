import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { HOUR_MS } from './ingest.js';

export type BlockStatus = 'active' | 'expired' | 'unblocked' | 'allowlisted';

export function blockStatus(r: { state: string; last_blocked: number; manual_until: number | null }, now: number, activeMs: number): BlockStatus {
  if (r.state === 'allowlisted') return 'allowlisted';
  if (r.state === 'unblocked') return 'unblocked';
  if (r.state === 'manual') return r.manual_until !== null && Number(r.manual_until) > now ? 'active' : 'expired';
  return Number(r.last_blocked) >= now - activeMs ? 'active' : 'expired';
}

/** Clients blocked within the last `hours` (or blocked by hand and still active), most blocked first. */
export async function listBlockedIps(db: Kysely<Database>, hours: number, now: number, activeMs: number) {
  const from = now - hours * HOUR_MS;
  const rows = await db.selectFrom('blocked_ips').selectAll()
    .where((eb) => eb.or([eb('last_blocked', '>=', from), eb('updated_at', '>=', from), eb('manual_until', '>', now)]))
    .orderBy('block_count', 'desc').orderBy('ip').limit(1000).execute();
  return rows.map((r) => ({
    ip: r.ip,
    first_seen: new Date(Number(r.first_blocked)).toISOString(),
    last_blocked: new Date(Number(r.last_blocked)).toISOString(),
    block_count: Number(r.block_count),
    avg_confidence: Number(r.block_count) ? Number(r.confidence_sum) / Number(r.block_count) : 0,
    status: blockStatus(r, now, activeMs),
    reason: r.last_reason,
    features: r.last_features ? JSON.parse(r.last_features) as Record<string, number> : null,
    manual_until: r.manual_until === null ? null : new Date(Number(r.manual_until)).toISOString(),
  }));
}

export interface GatewayResult { gateway_id: string; ok: boolean; status?: number; error?: string }

/** Records a manual block, unblock or allowlist and its per-gateway results. */
export async function recordBlockAction(db: Kysely<Database>, a: {
  ip: string; action: 'block' | 'unblock' | 'allowlist'; actor: string; durationMinutes: number | null; reason: string;
  results: GatewayResult[]; now: number;
}): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('block_actions').values({
      ts: a.now, ip: a.ip, action: a.action, actor: a.actor, duration_minutes: a.durationMinutes, reason: a.reason,
      result: JSON.stringify(a.results),
    }).execute();
    const state = a.action === 'block' ? 'manual' : a.action === 'allowlist' ? 'allowlisted' : 'unblocked';
    const manualUntil = a.action === 'block' && a.durationMinutes ? a.now + a.durationMinutes * 60_000 : null;
    await trx.insertInto('blocked_ips').values({
      ip: a.ip, first_blocked: a.now, last_blocked: a.now, block_count: 0, confidence_sum: 0, last_reason: a.reason,
      last_features: null, state, manual_until: manualUntil, updated_at: a.now,
    }).onConflict((oc) => oc.column('ip').doUpdateSet({ state, manual_until: manualUntil, updated_at: a.now, last_reason: a.reason }))
      .execute();
  });
}

export async function blockHistory(db: Kysely<Database>, ip: string) {
  const [actions, info] = await Promise.all([
    db.selectFrom('block_actions').selectAll().where('ip', '=', ip).orderBy('id', 'desc').limit(200).execute(),
    db.selectFrom('blocked_ips').selectAll().where('ip', '=', ip).executeTakeFirst(),
  ]);
  return {
    ip,
    summary: info ? {
      first_blocked: new Date(Number(info.first_blocked)).toISOString(),
      last_blocked: new Date(Number(info.last_blocked)).toISOString(),
      block_count: Number(info.block_count), state: info.state, reason: info.last_reason,
      features: info.last_features ? JSON.parse(info.last_features) as Record<string, number> : null,
    } : null,
    actions: actions.map((x) => ({
      id: Number(x.id), timestamp: new Date(Number(x.ts)).toISOString(), action: x.action, actor: x.actor,
      duration_minutes: x.duration_minutes === null ? null : Number(x.duration_minutes), reason: x.reason,
      results: JSON.parse(x.result) as GatewayResult[],
    })),
  };
}
