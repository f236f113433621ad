import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { HOUR_MS } from './ingest.js';

export async function listAlerts(db: Kysely<Database>, q: { hours: number; unacknowledged?: number; limit: number }, now: number) {
  let qb = db.selectFrom('alerts').selectAll().where('ts', '>=', now - q.hours * HOUR_MS);
  if (q.unacknowledged === 1) qb = qb.where('is_acknowledged', '=', 0);
  const rows = await qb.orderBy('id', 'desc').limit(q.limit).execute();
  return rows.map((r) => ({
    id: Number(r.id), timestamp: new Date(Number(r.ts)).toISOString(), alert_type: r.alert_type, source_ip: r.source_ip,
    message: r.message, severity: r.severity, is_acknowledged: Number(r.is_acknowledged), acknowledged_by: r.acknowledged_by,
    acknowledged_at: r.acknowledged_at === null ? null : new Date(Number(r.acknowledged_at)).toISOString(),
  }));
}

/** Marks an alert acknowledged; false when no such alert exists. */
export async function acknowledgeAlert(db: Kysely<Database>, id: number, by: string, now: number): Promise<boolean> {
  const res = await db.updateTable('alerts').set({ is_acknowledged: 1, acknowledged_by: by, acknowledged_at: now })
    .where('id', '=', id).executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}
