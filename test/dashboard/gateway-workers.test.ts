/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers are checked field by field */
// `ddos-shield gateway --workers 2` reporting to a real dashboard (SQLite): one gateway to the
// dashboard, not one per worker. Every worker's request events carry the gateway's id, and the one
// heartbeat (the primary's) carries the admin API's summed counts and each backend once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSystemClock } from '../../src/core/clock.js';
import { defaultHandler, metricValue, send, startBackend, until, withCleanup } from '../gateway/helpers.js';
import { cleanEnv, startGatewayChild } from '../gateway/process.js';
import { INGEST_TOKEN, getJson, postJson, startTestDashboard } from './helpers.js';

const ADMIN_TOKEN = 'workers-dashboard-admin-token-0123456789';
const GATEWAY_ID = 'gw-multi';

test('a gateway with two workers is one gateway on the dashboard, with the summed counts', { timeout: 120_000 }, () => withCleanup(async (defer) => {
  const t = await startTestDashboard('sqlite', createSystemClock(), { gatewayAdminToken: ADMIN_TOKEN });
  defer(() => t.close());
  const backend = await startBackend(defaultHandler('app'));
  defer(() => backend.close());
  const gw = await startGatewayChild(['--backend', backend.url, '--workers', '2', '--shadow'], {
    env: cleanEnv({ ADMIN_TOKEN, GATEWAY_ID, DASHBOARD_URL: t.base, DASHBOARD_TOKEN: INGEST_TOKEN }),
  });
  defer(() => gw.stop());

  const workers = await until('both workers ready', async () => {
    const w = (JSON.parse((await send(`${gw.adminUrl}/workers`)).text) as { workers: { ready: boolean; admin_url: string | null }[] }).workers;
    return w.length === 2 && w.every((x) => x.ready) ? w : null;
  });

  // traffic from several clients, one connection per request (the kernel spreads them over the workers)
  const n = 40;
  for (let i = 0; i < n; i++) assert.equal((await send(`${gw.url}/`, { localAddress: `127.0.0.${60 + (i % 8)}` })).status, 200);
  const perWorker = await Promise.all(workers.map(async (w) => (JSON.parse((await send(`${w.admin_url as string}/stats`)).text) as any).statistics.total_requests as number));
  assert.equal(perWorker.reduce((a, b) => a + b, 0), n);

  // the next heartbeat (every 10 s) has the sum of the workers' counts
  const gateways = async () => (await getJson<{ gateways: any[] }>(t.base, '/api/gateway-status', t.cookie)).body.gateways;
  const listed = await until('the heartbeat with every request', async () => {
    const g = await gateways();
    return g.some((x) => x.requests_processed === n) ? g : null;
  }, { timeoutMs: 30_000, intervalMs: 200 });
  assert.equal(listed.length, 1, JSON.stringify(listed));
  const [one] = listed;
  assert.equal(one.id, GATEWAY_ID);
  assert.equal(one.admin_url, gw.adminUrl, "the primary's admin API");
  assert.equal(one.requests_processed, n);
  assert.equal(one.blocked_count, 0);
  assert.deepEqual(one.heartbeat_actions, { block: 0, throttle: 0, challenge: 0, error: 0 });
  assert.deepEqual(one.backends, [{ url: backend.url, healthy: true }], 'the backend once');
  assert.equal(one.status, 'healthy');

  // every request event carries the gateway's id (not a worker's)
  const events = await until('every request event', async () => {
    const r = (await getJson<any>(t.base, '/api/requests?hours=1&limit=100', t.cookie)).body;
    return r.total === n ? r.requests as any[] : null;
  }, { timeoutMs: 15_000, intervalMs: 200 });
  assert.deepEqual([...new Set(events.map((e) => e.gateway_id))], [GATEWAY_ID]);

  // /metrics puts the primary's own shipper metrics (its heartbeats) together with the workers'
  const metrics = await send(`${gw.adminUrl}/metrics`);
  assert.equal(metrics.status, 200);
  assert.equal(metricValue(metrics.text, 'ddos_shield_events_sent_total'), n);
  assert.equal(metricValue(metrics.text, 'ddos_shield_dashboard_heartbeat_failures_total'), 0);

  // a block from the dashboard goes to the one gateway, whose primary hands it to every worker
  const blocked = await postJson<any>(t.base, '/api/block-ip', t.cookie, { ip: '127.0.0.90', duration_minutes: 5, reason: 'test' });
  assert.equal(blocked.status, 200, JSON.stringify(blocked.body));
  assert.match(blocked.body.message, /on 1 of 1 gateways/);
  assert.deepEqual(blocked.body.gateways.map((g: any) => g.gateway_id), [GATEWAY_ID]);
  for (const w of workers) {
    await until('the block on every worker', async () => (JSON.parse((await send(`${w.admin_url as string}/blocked-ips`)).text) as { ip: string }[])
      .some((e) => e.ip === '127.0.0.90'), { timeoutMs: 3000, intervalMs: 20 });
  }

  // still one gateway after another heartbeat or two
  await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual((await gateways()).map((g) => g.id), [GATEWAY_ID]);
}));
