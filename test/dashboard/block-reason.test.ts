/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers are checked field by field */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSystemClock } from '../../src/core/clock.js';
import { getJson, makeEvent, postLogs, startDashboardWithGateway, waitFor, type TestDashboard } from './helpers.js';

const ADMIN_TOKEN = 'block-reason-admin-token-0123456789';

/** The reason of a block is its decision's (or what the gateway says), never the `blocklist` of the refusals after it. */
describe('the reason of a block', () => {
  const clock = createSystemClock();
  let t: TestDashboard;
  let admin = '';
  let close = async () => {};

  const blockedIps = async () => (await getJson<any[]>(t.base, '/api/blocked-ips?hours=24', t.cookie)).body;
  const row = async (ip: string) => (await blockedIps()).find((x) => x.ip === ip);
  const alertFor = async (ip: string) => (await getJson<any>(t.base, '/api/alerts?hours=1', t.cookie)).body.alerts
    .find((a: any) => a.source_ip === ip && a.alert_type === 'DDoS_Detected');

  before(async () => {
    ({ t, admin, close } = await startDashboardWithGateway(clock, ADMIN_TOKEN, 'gw-r'));
  });
  after(() => close());

  it('a detector block keeps its reason when the blocklist refuses the client afterwards', async () => {
    const ip = '203.0.113.77';
    const now = Date.now();
    const ev = (at: number, reason: string, prediction: 'DDoS' | 'BLOCKED') => makeEvent({ at, gateway_id: 'gw-r', source_ip: ip, action: 'block',
      is_blocked: true, status: 403, prediction, reason, confidence: 0.97 });
    // the decision, then refusals by the blocklist in the same batch (later timestamps, and listed before it)
    assert.equal((await postLogs(t.base, [ev(now - 5000, 'blocklist', 'BLOCKED'), ev(now - 9000, 'stage2-block', 'DDoS'),
      ...Array.from({ length: 5 }, (_, i) => ev(now - 8000 + i, 'blocklist', 'BLOCKED'))])).status, 200);
    // and in a later batch
    assert.equal((await postLogs(t.base, [ev(now - 1000, 'blocklist', 'BLOCKED')])).status, 200);
    const r = await row(ip);
    assert.equal(r.block_count, 8);
    assert.equal(r.reason, 'stage2-block', 'the Blocked page shows the decision\'s reason');
    assert.match((await alertFor(ip)).message, /\(stage2-block\)/, 'and so does the alert');
    const history = (await getJson<any>(t.base, `/api/block-history?ip=${ip}`, t.cookie)).body;
    assert.equal(history.summary.reason, 'stage2-block');
  });

  it('a block made on the gateway shows the reason given there, from its /blocked-ips', async () => {
    const ip = '127.0.0.1';
    const res = await fetch(`${admin}/block/${ip}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ duration_minutes: 5, reason: 'trying it' }) });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    // what the gateway ships for the requests it then refuses
    const now = Date.now();
    await postLogs(t.base, Array.from({ length: 3 }, (_, i) => makeEvent({ at: now - 500 + i, gateway_id: 'gw-r', source_ip: ip, action: 'block',
      is_blocked: true, status: 403, prediction: 'BLOCKED', reason: 'blocklist', confidence: 1 })));
    const r = await row(ip);
    assert.equal(r.status, 'active');
    assert.equal(r.reason, 'trying it');
    assert.equal(r.source, 'manual');
    const alert = await waitFor(async () => {
      const a = await alertFor(ip);
      return a && /\(trying it\)/.test(a.message) ? a : null;
    }, 'the alert to carry the gateway\'s reason', 5000);
    assert.doesNotMatch(alert.message, /blocklist/);
    // once lifted on the gateway, the recorded reason stays the real one
    await fetch(`${admin}/unblock/${ip}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }).then((x) => x.arrayBuffer());
    assert.equal((await row(ip)).reason, 'trying it');
  });
});
