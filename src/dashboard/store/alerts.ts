import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { IdsAlertInput } from '../schemas.js';
import { HOUR_MS } from './ingest.js';

/** alert_type of the alerts posted by the flow IDS (the gateway-derived ones are DDoS_Detected, Threshold_Exceeded). */
export const IDS_ALERT_TYPE = 'Flow_Attack';

export async function listAlerts(db: Kysely<Database>, q: { hours: number; unacknowledged?: number; source?: string; limit: number }, now: number) {
  let qb = db.selectFrom('alerts').selectAll().where('ts', '>=', now - q.hours * HOUR_MS);
  if (q.unacknowledged === 1) qb = qb.where('is_acknowledged', '=', 0);
  if (q.source !== undefined) qb = qb.where('source', '=', q.source);
  const rows = await qb.orderBy('id', 'desc').limit(q.limit).execute();
  return rows.map((r) => ({
    id: Number(r.id), timestamp: new Date(Number(r.ts)).toISOString(), alert_type: r.alert_type, source: r.source, source_ip: r.source_ip,
    message: r.message, severity: r.severity, is_acknowledged: Number(r.is_acknowledged), acknowledged_by: r.acknowledged_by,
    acknowledged_at: r.acknowledged_at === null ? null : new Date(Number(r.acknowledged_at)).toISOString(),
    details: r.details === null ? null : JSON.parse(r.details) as Record<string, unknown>,
  }));
}

/**
 * Stores one alert posted by the flow IDS, stamped with its own time; returns its id. Severity is
 * upper-cased like the gateway-derived alerts'; source_ip stays null (the IDS names no attacker,
 * only the address that submitted the flows, kept in details.client).
 */
export async function insertIdsAlert(db: Kysely<Database>, a: IdsAlertInput): Promise<number> {
  const row = await db.insertInto('alerts').values({
    ts: Date.parse(a.timestamp), alert_type: IDS_ALERT_TYPE, source: 'ids', source_ip: null, message: a.message,
    severity: a.severity.toUpperCase(), is_acknowledged: 0, acknowledged_by: null, acknowledged_at: null,
    details: JSON.stringify(a.details),
  }).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

/** Marks an alert acknowledged; false when no such alert exists. */
export async function acknowledgeAlert(db: Kysely<Database>, id: number, by: string, now: number): Promise<boolean> {
  const res = await db.updateTable('alerts').set({ is_acknowledged: 1, acknowledged_by: by, acknowledged_at: now })
    .where('id', '=', id).executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}
