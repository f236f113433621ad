import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export interface RetentionPolicy {
  /** Raw request rows kept (ms); the seed's default is 24 h. */
  requestsMs: number;
  /** Rollups, alerts and block history kept (ms). */
  rollupsMs: number;
}

export interface RetentionResult { requests: number; rollups: number; alerts: number; sessions: number }

/** Deletes what is older than the policy allows; rows are deleted in bounded chunks on SQLite. */
export async function applyRetention(db: Kysely<Database>, policy: RetentionPolicy, now: number): Promise<RetentionResult> {
  const rawCut = now - policy.requestsMs;
  const rollCut = now - policy.rollupsMs;
  const count = (r: { numDeletedRows: bigint }[]) => r.reduce((a, x) => a + Number(x.numDeletedRows), 0);
  const requests = count(await db.deleteFrom('requests').where('ts', '<', rawCut).execute());
  const rollups = count(await db.deleteFrom('rollup_minute').where('bucket', '<', rollCut).execute())
    + count(await db.deleteFrom('rollup_ip_hour').where('bucket', '<', rollCut).execute())
    + count(await db.deleteFrom('rollup_path_hour').where('bucket', '<', rollCut).execute());
  const alerts = count(await db.deleteFrom('alerts').where('ts', '<', rollCut).execute());
  await db.deleteFrom('block_actions').where('ts', '<', rollCut).execute();
  await db.deleteFrom('blocked_ips').where('updated_at', '<', rollCut).where('last_blocked', '<', rollCut).execute();
  const sessions = count(await db.deleteFrom('sessions').where('expires_at', '<', now).execute());
  return { requests, rollups, alerts, sessions };
}
