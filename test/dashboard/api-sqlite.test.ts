/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers are checked field by field */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '../../src/core/clock.js';
import { getJson, makeEvent, postLogs, startTestDashboard } from './helpers.js';
import { apiSuite } from './api-suite.js';

const T0 = Date.parse('2026-11-23T12:00:00.000Z');

apiSuite('sqlite', false);

describe('dashboard sampling of allowed requests', () => {
  it('keeps every non-allow event and exact totals while sampling allowed ones', async () => {
    const clock = createManualClock(T0);
    const t = await startTestDashboard('sqlite', clock, { sampleAllowedRate: 0.1, sampleAllowedAbovePerSecond: 0 });
    try {
      const events = [
        ...Array.from({ length: 100 }, (_, i) => makeEvent({ at: T0 - 1000, source_ip: `192.0.2.${i % 250}` })),
        ...Array.from({ length: 5 }, () => makeEvent({ at: T0 - 1000, source_ip: '203.0.113.66', is_blocked: true, action: 'block', prediction: 'DDoS', status: 403, confidence: 0.9 })),
      ];
      const r = await postLogs(t.base, events);
      assert.equal(r.body.accepted, 105);
      assert.equal(r.body.sampled_out, 90);
      const stats = (await getJson<Record<string, any>>(t.base, '/api/stats?hours=1', t.cookie)).body;
      assert.equal(stats.total_requests, 105);
      const rows = (await getJson<Record<string, any>>(t.base, '/api/requests?limit=1000', t.cookie)).body;
      assert.equal(rows.total, 15);
      assert.equal(rows.requests.filter((x: { is_blocked: number }) => x.is_blocked).length, 5);
      assert.equal(rows.requests.reduce((a: number, x: { weight: number }) => a + x.weight, 0), 105);
    } finally {
      await t.close();
    }
  });
});
