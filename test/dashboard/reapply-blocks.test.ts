/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers are checked field by field */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSystemClock } from '../../src/core/clock.js';
import { startGatewayService, type GatewayService } from '../../src/gateway/service.js';
import { silent, testConfig } from '../gateway/helpers.js';
import { INGEST_TOKEN, getJson, makeEvent, postJson, postLogs, postgresUnavailable, skipOrFail, startDashboardWithGateway, startTestDashboard, waitFor, type TestDashboard } from './helpers.js';

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

  it('puts an allowlist entry made from the dashboard back on the restarted gateway, and records it', async () => {
    const ip = '198.51.100.11';
    const gatewayAllowlist = async (): Promise<string[]> => {
      const res = await fetch(`http://127.0.0.1:${adminPort}/allowlist`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      return (await res.json() as { allowlist: string[] }).allowlist;
    };
    const listed = await postJson<any>(t.base, '/api/unblock-ip', t.cookie, { ip, allowlist: true });
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    assert.ok((await gatewayAllowlist()).includes(`${ip}/32`));
    await new Promise((r) => setTimeout(r, 2500)); // the new process starts visibly later than the previous one

    await gw!.close();
    gw = null;
    gw = await startGateway(adminPort);
    await waitFor(async () => (await gatewayAllowlist()).includes(`${ip}/32`), 'the allowlist entry back on the restarted gateway', 5000);
    // allowlisted again, the gateway refuses to block the address
    const refused = await fetch(`http://127.0.0.1:${adminPort}/block/${ip}`, {
      method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: '{}',
    });
    assert.equal(refused.status, 409);
    const history = (await getJson<any>(t.base, `/api/block-history?ip=${ip}`, t.cookie)).body;
    assert.equal(history.summary.state, 'allowlisted');
    const re = history.actions.find((a: any) => a.action === 'reapply-allowlist');
    assert.ok(re, 'the re-application is in the block history');
    assert.equal(re.actor, 'dashboard');
    assert.deepEqual(re.results.map((x: any) => [x.gateway_id, x.ok]), [['gw-restart', true]]);
  });
});

/**
 * The other way back: the Blocked page reads every gateway's `/blocked-ips`, and an active manual
 * block missing on a gateway that started after the block was made goes back there, with no
 * restart seen in that gateway's heartbeats (here a gateway the dashboard had not heard of).
 */
for (const kind of ['sqlite', 'postgres'] as const) describe(`the dashboard re-applies a block missing from a gateway's blocklist (${kind})`, {
  skip: kind === 'postgres' ? skipOrFail(await postgresUnavailable()) : false,
}, () => {
  const clock = createSystemClock();
  const ip = '198.51.100.20';
  let env: Awaited<ReturnType<typeof startDashboardWithGateway>>;
  let late: GatewayService | null = null;
  const blocksOf = async (admin: string): Promise<any[]> => {
    const res = await fetch(`${admin}/blocked-ips`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    return await res.json() as any[];
  };

  before(async () => { env = await startDashboardWithGateway(clock, ADMIN_TOKEN, 'gw-first', kind); });
  after(async () => {
    await late?.close().catch(() => {});
    await env?.close();
  });

  it('puts a block made before a gateway started on it, even while another gateway keeps refusing the client', async () => {
    const { t } = env;
    const blocked = await postJson<any>(t.base, '/api/block-ip', t.cookie, { ip, duration_minutes: 30, reason: 'seen scraping' });
    assert.equal(blocked.status, 200, JSON.stringify(blocked.body));
    assert.ok((await blocksOf(env.admin)).some((b) => b.ip === ip));

    // a second gateway starts after the block: its first heartbeat (no restart to see) makes it known
    late = await startGatewayService(testConfig({ admin: { token: ADMIN_TOKEN }, backends: { targets: [{ url: 'http://127.0.0.1:9' }] }, detection: { enabled: false } }),
      { logger: silent, clock });
    const lateAdmin = `http://127.0.0.1:${late.adminPort}`;
    const hb = await postJson(t.base, '/api/heartbeat', `Bearer ${INGEST_TOKEN}`, {
      gateway_id: 'gw-late', admin_url: lateAdmin, uptime_seconds: 0, requests_processed: 0, blocked_count: 0,
    });
    assert.equal(hb.status, 200);
    assert.ok(!(await blocksOf(lateAdmin)).some((b) => b.ip === ip), 'the new gateway does not have the block yet');

    // meanwhile the first gateway refuses the client's requests and reports them (reason `blocklist`)
    await new Promise((r) => setTimeout(r, 1500));
    const refusals = await postLogs(t.base, { events: [1, 2, 3].map(() => makeEvent({
      source_ip: ip, gateway_id: 'gw-first', action: 'block', reason: 'blocklist', is_blocked: true, status: 403, prediction: 'BLOCKED',
    })) });
    assert.equal(refusals.status, 200, JSON.stringify(refusals.body));

    // reading the Blocked page finds the block missing on the new gateway and puts it back there
    const first = (await getJson<any[]>(t.base, '/api/blocked-ips?hours=1', t.cookie)).body.find((x) => x.ip === ip);
    assert.deepEqual(first.blocked_on, ['gw-first']);
    const back = await waitFor(async () => (await blocksOf(lateAdmin)).find((b) => b.ip === ip), 'the block on the new gateway', 5000);
    assert.equal(back.reason, 'seen scraping');
    const left = (Date.parse(back.expires_at) - Date.now()) / 60_000;
    assert.ok(left > 28 && left <= 30.1, `remaining duration, not a new one: ${left} min`);

    const row = (await getJson<any[]>(t.base, '/api/blocked-ips?hours=1', t.cookie)).body.find((x) => x.ip === ip);
    assert.deepEqual([...row.blocked_on].sort(), ['gw-first', 'gw-late']);
    const history = (await getJson<any>(t.base, `/api/block-history?ip=${ip}`, t.cookie)).body;
    const re = history.actions.filter((a: any) => a.action === 'reapply');
    assert.equal(re.length, 1, 'put back once, on the gateway that lacked it');
    assert.equal(re[0].actor, 'dashboard');
    assert.deepEqual(re[0].results.map((x: any) => [x.gateway_id, x.ok]), [['gw-late', true]]);
    assert.match(re[0].reason, /block missing on the gateway/);
  });
});
