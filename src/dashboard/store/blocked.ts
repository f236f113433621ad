import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { HOUR_MS, isUninformative } from './ingest.js';
import { parseIp } from '../../net/ip.js';

/**
 * Whether a client is blocked now, as the gateways say:
 * - `active`: at least one gateway has it on its blocklist;
 * - `unblocked` / `allowlisted`: no gateway blocks it and the dashboard's last action on it was an unblock / allowlist;
 * - `expired`: no gateway blocks it any longer (its block ran out, or was lifted on the gateway itself);
 * - `unknown`: no gateway blocks it as far as the answering ones say, but some gateway could not be asked
 *   (or no gateway is known to ask), so it may still be blocked there.
 */
export type BlockStatus = 'active' | 'expired' | 'unblocked' | 'allowlisted' | 'unknown';

/** One gateway's block of an address (from its admin API's `GET /blocked-ips`). */
export interface LiveBlock { gateway_id: string; blocked_at: string | null; expires_at: string | null; reason: string; source: string }

/** What the gateways said about their blocklists when asked. */
export interface GatewayBlockView {
  /** Gateways asked (answering or not). */
  asked: number;
  /** Gateways that could not be asked, with the reason. */
  unreachable: { gateway_id: string; error: string }[];
  /** Blocks by normalised address. */
  blocks: Map<string, LiveBlock[]>;
}

const canonical = (ip: string): string => parseIp(ip) ?? ip;

export function blockStatus(state: string, live: LiveBlock[] | undefined, view: GatewayBlockView): BlockStatus {
  if (live && live.length > 0) return 'active';
  if (view.asked === 0 || view.unreachable.length > 0) return 'unknown';
  if (state === 'allowlisted') return 'allowlisted';
  if (state === 'unblocked') return 'unblocked';
  return 'expired';
}

type BlockedRow = Database['blocked_ips'];

/**
 * Clients blocked within the last `hours` (or blocked by hand and not yet expired, or blocked now on
 * a gateway), most blocked first, each with its status from the gateways' own blocklists.
 * `block_count` and `avg_confidence` count every block the dashboard has seen of the client.
 */
export async function listBlockedIps(db: Kysely<Database>, hours: number, now: number, view: GatewayBlockView) {
  const from = now - hours * HOUR_MS;
  const rows = await db.selectFrom('blocked_ips').selectAll()
    .where((eb) => eb.or([eb('last_blocked', '>=', from), eb('updated_at', '>=', from), eb('manual_until', '>', now)]))
    .orderBy('block_count', 'desc').orderBy('ip').limit(1000).execute();
  const byIp = new Map<string, BlockedRow>();
  for (const r of rows) byIp.set(canonical(r.ip), r);
  // clients a gateway blocks now although the dashboard saw their block before the range (or never)
  const missing = [...view.blocks.keys()].filter((ip) => !byIp.has(ip));
  if (missing.length > 0) {
    for (let i = 0; i < missing.length; i += 500) {
      const older = await db.selectFrom('blocked_ips').selectAll().where('ip', 'in', missing.slice(i, i + 500)).execute();
      for (const r of older) byIp.set(canonical(r.ip), r);
    }
  }
  const unreachable = view.unreachable.map((u) => u.gateway_id);
  const out = [...byIp.entries()].map(([ip, r]) => {
    const live = view.blocks.get(ip);
    return {
      ip: r.ip,
      first_seen: new Date(Number(r.first_blocked)).toISOString(),
      last_blocked: new Date(Number(r.last_blocked)).toISOString(),
      block_count: Number(r.block_count),
      avg_confidence: Number(r.block_count) ? Number(r.confidence_sum) / Number(r.block_count) : 0,
      status: blockStatus(r.state, live, view),
      /** The dashboard's own record: 'auto' (seen blocked), 'manual', 'unblocked', 'allowlisted'. */
      recorded_state: r.state,
      ...reasonFields(r.last_reason, live),
      features: r.last_features ? JSON.parse(r.last_features) as Record<string, number> : null,
      manual_until: r.manual_until === null ? null : new Date(Number(r.manual_until)).toISOString(),
      ...liveFields(live, unreachable),
    };
  });
  for (const [ip, live] of view.blocks) {
    if (byIp.has(ip)) continue;
    // blocked on a gateway, never seen blocked by the dashboard (e.g. blocked through the gateway's admin API)
    const first = live.map((b) => b.blocked_at).filter((x): x is string => x !== null).sort()[0] ?? new Date(now).toISOString();
    out.push({
      ip, first_seen: first, last_blocked: first, block_count: 0, avg_confidence: 0, status: 'active', recorded_state: 'none',
      ...reasonFields('', live), features: null, manual_until: null, ...liveFields(live, unreachable),
    });
  }
  return out.sort((a, b) => b.block_count - a.block_count || (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));
}

/**
 * Why the client is blocked: what the gateways blocking it now say (the reason given with the
 * block, from the dashboard or the gateway's admin API, or the detector's decision), else the
 * reason the dashboard recorded; `source` is who blocked it on the gateway (`detector`, `manual`, ...),
 * null when no gateway blocks it now.
 */
function reasonFields(recorded: string, live: LiveBlock[] | undefined): { reason: string; source: string | null } {
  const told = (live ?? []).find((b) => !isUninformative(b.reason));
  if (told) return { reason: told.reason, source: told.source || null };
  return { reason: recorded || live?.[0]?.reason || '', source: live?.[0]?.source || null };
}

function liveFields(live: LiveBlock[] | undefined, unreachable: string[]) {
  const expiries = (live ?? []).map((b) => b.expires_at).filter((x): x is string => x !== null).sort();
  return {
    /** Gateways that block the client now. */
    blocked_on: (live ?? []).map((b) => b.gateway_id),
    /** The latest end of those blocks. */
    expires_at: expiries.length ? expiries[expiries.length - 1]! : null,
    /** Gateways that could not be asked (the status is `unknown` unless another gateway blocks the client). */
    unreachable_gateways: unreachable,
  };
}

export interface GatewayResult {
  gateway_id: string;
  ok: boolean;
  status?: number;
  error?: string;
  /** What the gateway did, when it says more than ok (e.g. "not blocked" for an unblock of an address it did not block). */
  note?: string;
}

/** Records a manual block, unblock or allowlist and its per-gateway results. */
export async function recordBlockAction(db: Kysely<Database>, a: {
  ip: string; action: 'block' | 'unblock' | 'allowlist'; actor: string; durationMinutes: number | null; reason: string;
  results: GatewayResult[]; now: number;
}): Promise<void> {
  // a block no gateway applied is history only: it is not an active manual block (nothing to re-apply, no `manual_until`)
  const applied = a.action !== 'block' || a.results.some((r) => r.ok);
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('block_actions').values({
      ts: a.now, ip: a.ip, action: applied ? a.action : 'block-failed', actor: a.actor, duration_minutes: a.durationMinutes, reason: a.reason,
      result: JSON.stringify(a.results),
    }).execute();
    if (!applied) return;
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
