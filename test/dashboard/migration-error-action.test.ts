import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openDashboardDb } from '../../src/dashboard/db/connect.js';
import { getStats } from '../../src/dashboard/store/stats.js';
import { listGateways } from '../../src/dashboard/store/gateways.js';
import { databaseMigratedTo, postgresUnavailable, skipOrFail, throwawayDb } from './helpers.js';

const T0 = Date.parse('2026-12-06T12:00:00.000Z');
const pgSkip = skipOrFail(await postgresUnavailable());

/** A database as the dashboard left it before the `error` action (migrations 001-003), with data in it. */
async function databaseBefore(kind: 'sqlite' | 'postgres', o: { sqliteFile?: string; databaseUrl?: string }): Promise<void> {
  await databaseMigratedTo(kind, o, 3, async (db) => {
    // an older gateway's minute: its errors were sent as allow; its heartbeat's blocked_count is the sum of refusals
    await db.insertInto('rollup_minute').values({
      bucket: T0 - 60_000, gateway_id: 'gw-old', total: 10, blocked: 3, act_allow: 7, act_challenge: 1, act_throttle: 0, act_block: 2,
      pred_normal: 7, pred_suspicious: 1, pred_ddos: 2, pred_blocked: 0, confidence_sum: 3, response_time_sum: 20, bytes_sum: 1000,
      status_4xx: 3, status_5xx: 1,
    }).execute();
    await db.insertInto('gateways').values({
      id: 'gw-old', admin_url: null, public_url: null, version: '0.0.9', first_seen: T0 - 60_000, last_seen: T0 - 1000,
      uptime_seconds: 60, requests_processed: 10, blocked_count: 3, avg_response_time_ms: null, backends: '[]',
    }).execute();
  });
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`migration 2026-12-06-004-error-action on ${kind}`, { skip: kind === 'postgres' ? pgSkip : false }, () => {
    it('keeps the stored figures: no errors before it, older heartbeats as the sum of refusals', async () => {
      const tdb = await throwawayDb(kind);
      try {
        await databaseBefore(kind, tdb.overrides);
        const store = await openDashboardDb({ sqliteFile: tdb.overrides.sqliteFile ?? ':memory:', ...(tdb.overrides.databaseUrl ? { databaseUrl: tdb.overrides.databaseUrl } : {}) });
        try {
          const s = await getStats(store.db, 1, T0);
          assert.deepEqual(s.by_action, { allow: 7, challenge: 1, throttle: 0, block: 2, error: 0 });
          assert.deepEqual([s.total_requests, s.refused_requests, s.error_requests, s.normal_requests], [10, 3, 0, 7]);
          const [g] = await listGateways(store.db, T0, 30_000);
          assert.deepEqual([g!.blocked_count, g!.refused_count, g!.heartbeat_actions], [3, 3, null]);
        } finally {
          await store.close();
        }
      } finally {
        await tdb.cleanup();
      }
    });
  });
}
