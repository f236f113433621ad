/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers are checked field by field */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSystemClock } from '../../src/core/clock.js';
import { startGatewayService, type GatewayService } from '../../src/gateway/service.js';
import { silent, testConfig } from '../gateway/helpers.js';
import { INGEST_TOKEN, getJson, postJson, startTestDashboard, waitFor, type TestDashboard } from './helpers.js';

const ADMIN_TOKEN = 'reapply-admin-token-0123456789';

/** Blocks made from the dashboard survive a gateway restart (a gateway without Redis keeps its blocklist in memory). */
describe('the dashboard re-applies its blocks to a restarted gateway', () => {
  const clock = createSystemClock();
  let t: TestDashboard;
  let gw: GatewayService | null = null;
  let adminPort = 0;

  const startGateway = (port: number) => startGatewayService(testConfig({
    gateway: { id: 'gw-restart' }, admin: { token: ADMIN_TOKEN, port }, backends: { targets: [{ url: 'http://127.0.0.1:9' }] },
    detection: { enabled: false }, dashboard: { url: t.base, token: INGEST_TOKEN },
  }), { logger: silent, clock });
  const gatewayBlocks = async (): Promise<any[]> => {
    const res = await fetch(`http://127.0.0.1:${adminPort}/blocked-ips`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    return await res.json() as any[];
  };

  before(async () => {
    t = await startTestDashboard('sqlite', clock, { gatewayAdminToken: ADMIN_TOKEN });
    gw = await startGateway(0);
    adminPort = gw.adminPort;
    await waitFor(async () => (await getJson<any>(t.base, '/api/gateway-status', t.cookie)).body.gateways.some((g: any) => g.id === 'gw-restart'),
      'the gateway\'s first heartbeat', 5000);
  });
  after(async () => {
    await gw?.close().catch(() => {});
    await t?.close();
  });

  it('puts an active manual block back on the gateway, with the remaining time, and records it', async () => {
    const ip = '198.51.100.9';
    const blocked = await postJson<any>(t.base, '/api/block-ip', t.cookie, { ip, duration_minutes: 30, reason: 'from the dashboard' });
    assert.equal(blocked.status, 200, JSON.stringify(blocked.body));
    assert.ok((await gatewayBlocks()).some((b) => b.ip === ip));
    await new Promise((r) => setTimeout(r, 2500)); // the new process starts visibly later than the first one

    await gw!.close();
    gw = null;
    gw = await startGateway(adminPort);
    assert.equal(gw.adminPort, adminPort);
    // the gateway's own blocklist, not the dashboard's view of it: the restart seen in the heartbeat brings the block back
    const back = await waitFor(async () => (await gatewayBlocks()).find((b) => b.ip === ip), 'the block back on the restarted gateway', 5000);
    assert.equal(back.reason, 'from the dashboard');
    const left = (Date.parse(back.expires_at) - Date.now()) / 60_000;
    assert.ok(left > 28 && left <= 30.1, `remaining duration, not a new one: ${left} min`);

    const row = (await getJson<any[]>(t.base, '/api/blocked-ips?hours=1', t.cookie)).body.find((x) => x.ip === ip);
    assert.equal(row.status, 'active');
    assert.equal(row.recorded_state, 'manual');
    const history = (await getJson<any>(t.base, `/api/block-history?ip=${ip}`, t.cookie)).body;
    const re = history.actions.find((a: any) => a.action === 'reapply');
    assert.ok(re, 'the re-application is in the block history');
    assert.equal(re.actor, 'dashboard');
    assert.equal(re.results[0].ok, true);
  });

  it('does not record a block that failed on every gateway as an active manual block', async () => {
    const ip = '198.51.100.10';
    // the only gateway cannot be reached now
    await gw!.close();
    gw = null;
    const r = await postJson<any>(t.base, '/api/block-ip', t.cookie, { ip, duration_minutes: 5, reason: 'nowhere' });
    assert.equal(r.status, 502);
    assert.match(r.body.message, /on 0 of 1 gateways/);
    const history = (await getJson<any>(t.base, `/api/block-history?ip=${ip}`, t.cookie)).body;
    assert.equal(history.actions[0].action, 'block-failed');
    assert.notEqual(history.summary?.state, 'manual');
    // the gateway comes back: nothing of that failed block is put on it
    gw = await startGateway(adminPort);
    await new Promise((res) => setTimeout(res, 1000));
    await getJson(t.base, '/api/blocked-ips?hours=1', t.cookie);
    await new Promise((res) => setTimeout(res, 500));
    assert.ok(!(await gatewayBlocks()).some((b) => b.ip === ip), 'a failed block is not re-applied');
  });
});
