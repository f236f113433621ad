/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers are checked field by field */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '../../src/core/clock.js';
import { getJson, makeEvent, postgresUnavailable, postLogs, skipOrFail, startTestDashboard, type TestDashboard } from './helpers.js';

const T0 = Date.parse('2026-11-23T12:00:00.000Z');
const BATCHES = 24;
const PER_BATCH = 250;
const ATTACKERS = ['203.0.113.1', '203.0.113.2', '203.0.113.3', '2001:db8::bad'];

for (const kind of ['sqlite', 'postgres'] as const) {
  const skip = kind === 'postgres' ? skipOrFail(await postgresUnavailable()) : false;
  describe(`dashboard ingestion of concurrent batches on ${kind}`, { skip }, () => {
    let t: TestDashboard;
    before(async () => { t = await startTestDashboard(kind, createManualClock(T0)); });
    after(async () => { await t?.close(); });

    it('answers every batch, keeps exact totals and raises one alert per newly blocked client', async () => {
      const batches = Array.from({ length: BATCHES }, (_, b) => Array.from({ length: PER_BATCH }, (_, k) => {
        const i = b * PER_BATCH + k;
        const ip = ATTACKERS[i % 10 === 0 ? (i / 10) % ATTACKERS.length : -1];
        return ip
          ? makeEvent({ at: T0 - 1000 - (i % 90_000), source_ip: ip, path: '/login', method: 'POST', prediction: 'DDoS', confidence: 0.95, is_blocked: true, status: 403, action: 'block', reason: 'rate_burst' })
          : makeEvent({ at: T0 - 1000 - (i % 90_000), source_ip: `10.0.${(i >> 8) & 255}.${i & 255}`, path: `/p/${i % 37}`, gateway_id: `gw-${i % 3}` });
      }));
      const answers = await Promise.all(batches.map((events) => postLogs(t.base, { events })));
      for (const a of answers) {
        assert.equal(a.status, 200);
        assert.equal(a.body.accepted, PER_BATCH);
        assert.equal(a.body.stored, PER_BATCH);
      }
      const total = BATCHES * PER_BATCH;
      const blocked = total / 10;
      const stats = (await getJson<Record<string, any>>(t.base, '/api/stats?hours=24', t.cookie)).body;
      assert.equal(stats.total_requests, total);
      assert.equal(stats.blocked_requests, blocked);
      assert.equal((await getJson<{ total: number }>(t.base, '/api/requests?hours=24', t.cookie)).body.total, total);
      const top = stats.top_attacking_ips as { ip: string; count: number }[];
      for (const ip of ATTACKERS) assert.equal(top.find((x) => x.ip === ip)?.count, blocked / ATTACKERS.length, ip);
      const ips = (await getJson<Record<string, any>[]>(t.base, '/api/blocked-ips?hours=24', t.cookie)).body;
      for (const ip of ATTACKERS) assert.equal(ips.find((x) => x.ip === ip)?.block_count, blocked / ATTACKERS.length, ip);
      const alerts = (await getJson<{ alerts: { alert_type: string; source_ip: string | null }[] }>(t.base, '/api/alerts?limit=1000', t.cookie)).body.alerts;
      const detected = alerts.filter((a) => a.alert_type === 'DDoS_Detected').map((a) => a.source_ip).sort();
      assert.deepEqual(detected, [...ATTACKERS].sort());
    });
  });
}
