/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers are checked field by field */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSystemClock } from '../../src/core/clock.js';
import { startGatewayService, type GatewayService } from '../../src/gateway/service.js';
import { silent, testConfig } from '../gateway/helpers.js';
import { INGEST_TOKEN, getJson, startTestDashboard, waitFor, type TestDashboard } from './helpers.js';

/** A real gateway whose only backend is down, shipping to a real dashboard (SQLite). */
describe('gateway errors and heartbeat counts reach the dashboard as what they are', { timeout: 60_000 }, () => {
  const clock = createSystemClock();
  let t: TestDashboard;
  let gw: GatewayService;

  before(async () => {
    t = await startTestDashboard('sqlite', clock);
    gw = await startGatewayService(testConfig({
      gateway: { id: 'gw-err' },
      dashboard: { url: t.base, token: INGEST_TOKEN },
      backends: { targets: [{ url: 'http://127.0.0.1:9' }] },
      detection: { enabled: false },
    }), { logger: silent, clock });
  });

  after(async () => {
    await gw?.close().catch(() => {});
    await t?.close();
  });

  it("ships the gateway's own 502 as action error, not blocked, counted apart", async () => {
    const res = await fetch(`http://127.0.0.1:${gw.port}/books`);
    await res.arrayBuffer();
    assert.equal(res.status, 502);
    const rows = await waitFor(async () => {
      const r = (await getJson<any>(t.base, '/api/requests?gateway_id=gw-err', t.cookie)).body;
      return r.total > 0 ? r.requests : null;
    }, 'the event of the 502');
    assert.equal(rows[0].action, 'error');
    assert.equal(rows[0].is_blocked, 0);
    assert.equal(rows[0].response_status_code, 502);
    assert.match(rows[0].reason, /^upstream_/);
    const s = (await getJson<any>(t.base, '/api/stats?hours=1', t.cookie)).body;
    assert.deepEqual([s.by_action.error, s.by_action.allow, s.refused_requests, s.error_requests], [1, 0, 0, 1]);
  });

  it('sends every action apart in its heartbeat', async () => {
    // the first heartbeat goes out at start
    const g = await waitFor(async () => (await getJson<any>(t.base, '/api/gateway-status', t.cookie)).body.gateways.find((x: any) => x.id === 'gw-err'),
      'the first heartbeat');
    assert.deepEqual(g.heartbeat_actions, { block: 0, throttle: 0, challenge: 0, error: 0 });
    assert.equal(g.refused_count, 0);
  });
});
