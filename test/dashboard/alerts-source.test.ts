/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers are checked field by field */
// The alerts' source column on both dialects: migration 003 over a database holding alerts from
// before it, gateway-derived and IDS alerts side by side, the source filter, retention.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '../../src/core/clock.js';
import {
  INGEST_TOKEN, databaseMigratedTo, getJson, makeEvent, postLogs, postgresUnavailable, skipOrFail, startTestDashboard, throwawayDb, type TestDashboard,
} from './helpers.js';

const T0 = Date.parse('2026-12-08T12:00:00.000Z');
const pgSkip = skipOrFail(await postgresUnavailable());

/** A database migrated to 002 only (before alerts had a source), holding one gateway alert. */
async function databaseBefore003(kind: 'sqlite' | 'postgres', overrides: { sqliteFile?: string; databaseUrl?: string }): Promise<void> {
  await databaseMigratedTo(kind, overrides, 2, async (db) => {
    await db.insertInto('alerts').values({ ts: T0 - 60_000, alert_type: 'DDoS_Detected', source_ip: '198.51.100.9', message: 'old alert', severity: 'HIGH', is_acknowledged: 0 }).execute();
  });
}

function idsAlert(at: number, severity: 'high' | 'medium' = 'medium') {
  return {
    source: 'ids', type: 'flow_attack', severity, message: '2 of 4 flow(s) classified as attack (mostly portscan)', timestamp: new Date(at).toISOString(),
    details: { flows: 4, attacks: 2, max_probability: 0.71, families: { portscan: 2 }, client: '10.0.0.7' },
  };
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`alert sources on ${kind}`, { skip: kind === 'postgres' ? pgSkip : false }, () => {
    const clock = createManualClock(T0);
    let t: TestDashboard;
    let cleanup: () => Promise<void> = async () => {};
    before(async () => {
      const tdb = await throwawayDb(kind);
      cleanup = tdb.cleanup;
      await databaseBefore003(kind, tdb.overrides);
      // the dashboard opens the same database and applies 003 on start
      t = await startTestDashboard(kind, clock, tdb.overrides);
    });
    after(async () => {
      await t?.close();
      await cleanup();
    });
    const alerts = async (query = '') => (await getJson<{ alerts: Record<string, any>[] }>(t.base, `/api/alerts?hours=720&limit=1000${query}`, t.cookie)).body.alerts;

    it('keeps the alerts stored before the migration, as gateway alerts', async () => {
      const old = (await alerts()).find((a) => a.message === 'old alert')!;
      assert.equal(old.source, 'gateway');
      assert.equal(old.details, null);
      assert.equal(old.source_ip, '198.51.100.9');
    });

    it('stores IDS alerts beside the gateway-derived ones, each with its source', async () => {
      const blocked = await postLogs(t.base, [makeEvent({ at: T0 - 30_000, source_ip: '203.0.113.77', prediction: 'DDoS', confidence: 0.95, is_blocked: true, status: 403, action: 'block', reason: 'rate_burst' })]);
      assert.equal(blocked.status, 200);
      const res = await fetch(`${t.base}/api/alerts`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${INGEST_TOKEN}` }, body: JSON.stringify(idsAlert(T0 - 10_000)) });
      assert.equal(res.status, 200);
      const { id } = await res.json() as { id: number };

      const all = await alerts();
      const gw = all.find((a) => a.source_ip === '203.0.113.77')!;
      assert.equal(gw.source, 'gateway');
      assert.equal(gw.alert_type, 'DDoS_Detected');
      assert.equal(gw.details, null);
      const ids = all.find((a) => a.id === id)!;
      assert.equal(ids.source, 'ids');
      assert.equal(ids.alert_type, 'Flow_Attack');
      assert.equal(ids.severity, 'MEDIUM');
      assert.equal(ids.timestamp, new Date(T0 - 10_000).toISOString());
      assert.deepEqual(ids.details, idsAlert(0).details);
      assert.deepEqual((await alerts('&source=ids')).map((a) => a.id), [id]);
      assert.ok((await alerts('&source=gateway')).every((a) => a.source === 'gateway'));
      assert.equal((await getJson(t.base, '/api/alerts?source=elsewhere', t.cookie)).status, 400);
    });

    it('expires IDS alerts with the other alerts', async () => {
      const db = t.h.deps.store.db;
      assert.ok((await db.selectFrom('alerts').select('id').where('source', '=', 'ids').execute()).length > 0);
      clock.advance(32 * 24 * 3600_000); // past the rollup retention (and the session's life: read the table)
      await t.h.runRetention();
      assert.deepEqual(await db.selectFrom('alerts').select('id').execute(), []);
    });
  });
}
