/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers are checked field by field */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSystemClock } from '../../src/core/clock.js';
import type { GatewayService } from '../../src/gateway/service.js';
import { INGEST_TOKEN, getJson, makeEvent, postJson, postLogs, startDashboardWithGateway, type TestDashboard } from './helpers.js';

const ADMIN_TOKEN = 'gateway-truth-admin-token-0123456789';

/**
 * The dashboard against a real gateway's admin API (in process, real sockets): the Blocked page's
 * status comes from the gateways' blocklists, unblock/allowlist answers say what was done, and the
 * counts follow the gateway's actions.
 */
describe('dashboard and the gateways\' own state', () => {
  const clock = createSystemClock();
  let t: TestDashboard;
  let gw: GatewayService;
  let admin = '';
  let close = async () => {};

  const gwAdmin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(admin + path, { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    return { status: res.status, body: await res.json() as any };
  };
  const heartbeat = (adminUrl: string, blocked = 0) => postJson(t.base, '/api/heartbeat', `Bearer ${INGEST_TOKEN}`, {
    gateway_id: 'gw-real', admin_url: adminUrl, uptime_seconds: 5, requests_processed: 100, blocked_count: blocked,
  });
  const blockedIps = async () => (await getJson<any[]>(t.base, '/api/blocked-ips?hours=24', t.cookie)).body;
  const row = async (ip: string) => (await blockedIps()).find((x) => x.ip === ip);

  before(async () => {
    ({ t, gw, admin, close } = await startDashboardWithGateway(clock, ADMIN_TOKEN, 'gw-real'));
  });
  after(() => close());

  it('counts blocks, throttles and challenges apart, the same on every page', async () => {
    const now = Date.now();
    const ev = (i: number, over: Parameters<typeof makeEvent>[0]) => makeEvent({ at: now - 1000 - i, gateway_id: 'gw-real', ...over });
    const events = [
      // 2 blocks decided by the detector (verdict DDoS), then 15 requests refused by the blocklist (verdict BLOCKED)
      ...Array.from({ length: 2 }, (_, i) => ev(i, { source_ip: '203.0.113.1', action: 'block', is_blocked: true, prediction: 'DDoS', status: 403, reason: 'rate_burst', confidence: 0.95 })),
      ...Array.from({ length: 15 }, (_, i) => ev(i, { source_ip: '203.0.113.1', action: 'block', is_blocked: true, prediction: 'BLOCKED', status: 403, reason: 'blocklist', confidence: 1 })),
      ...Array.from({ length: 2 }, (_, i) => ev(i, { source_ip: '203.0.113.2', action: 'challenge', is_blocked: true, prediction: 'SUSPICIOUS', status: 200, reason: 'challenge' })),
      ev(0, { source_ip: '203.0.113.3', action: 'throttle', is_blocked: true, prediction: 'DDoS', status: 429, reason: 'rate' }),
      ...Array.from({ length: 5 }, (_, i) => ev(i, { source_ip: '192.0.2.50' })),
    ];
    assert.equal((await postLogs(t.base, events)).body.accepted, 25);
    const s = (await getJson<any>(t.base, '/api/stats?hours=1', t.cookie)).body;
    assert.equal(s.blocked_requests, 17, 'challenges and throttles are not blocks');
    assert.deepEqual(s.by_action, { allow: 5, challenge: 2, throttle: 1, block: 17, error: 0 });
    assert.equal(s.refused_requests, 20);
    assert.equal(s.by_prediction.BLOCKED.count, 15, 'the verdict is another thing than the action');
    assert.equal(s.by_hour.reduce((a: number, h: any) => a + h.blocked, 0), 17);
    assert.equal(s.by_hour.reduce((a: number, h: any) => a + h.refused, 0), 20);
    const blockedPage = (await blockedIps()).find((x) => x.ip === '203.0.113.1');
    assert.equal(blockedPage.block_count, 17, 'the Blocked page counts the same blocks as the statistics');
    const legacy = (await getJson<any>(t.base, '/api/blocked?hours=1&source_ip=203.0.113.1', t.cookie)).body;
    assert.equal(legacy.total_blocked, 17);
    const ts = (await getJson<any>(t.base, '/api/timeseries?hours=1', t.cookie)).body;
    assert.equal(ts.points.reduce((a: number, p: any) => a + p.blocked, 0), 17);
    assert.equal(ts.points.reduce((a: number, p: any) => a + p.refused, 0), 20);

    // the Gateways page: the gateway's own per-action counters, not the heartbeat's sum of refusals
    const victim = '127.0.0.1';
    assert.equal((await gwAdmin('POST', `/block/${victim}`, { duration_minutes: 1 })).status, 200);
    for (let i = 0; i < 3; i++) await fetch(`http://127.0.0.1:${gw.port}/x`).then((r) => r.arrayBuffer()).catch(() => null);
    assert.equal((await gwAdmin('POST', `/unblock/${victim}`)).status, 200);
    await heartbeat(admin, 19);
    const gs = (await getJson<any>(t.base, '/api/gateway-status', t.cookie)).body.gateways.find((g: any) => g.id === 'gw-real');
    const own = (await gwAdmin('GET', '/stats')).body.statistics;
    assert.equal(gs.refused_count, 19);
    assert.equal(gs.actions.block, own.blocked_requests);
    assert.equal(gs.actions.block, 3);
    assert.equal(gs.actions.challenge, own.challenged_requests);
  });

  it('shows a client as active only while the gateway blocks it', async () => {
    const ip = '198.51.100.5';
    const blk = await postJson<any>(t.base, '/api/block-ip', t.cookie, { ip, duration_minutes: 30 });
    assert.equal(blk.status, 200);
    let r = await row(ip);
    assert.equal(r.status, 'active');
    assert.deepEqual(r.blocked_on, ['gw-real']);
    assert.ok(Date.parse(r.expires_at) > Date.now() + 29 * 60_000);

    // lifted on the gateway itself, not through the dashboard: no longer active
    assert.equal((await gwAdmin('POST', `/unblock/${ip}`)).status, 200);
    r = await row(ip);
    assert.equal(r.status, 'expired');
    assert.deepEqual(r.blocked_on, []);

    // seen blocked a moment ago in the request log, but no gateway blocks it (any more): not active
    const seen = '198.51.100.6';
    await postLogs(t.base, [makeEvent({ source_ip: seen, gateway_id: 'gw-real', action: 'block', is_blocked: true, prediction: 'DDoS', status: 403, reason: 'rate_burst' })]);
    assert.equal((await row(seen)).status, 'expired');

    // blocked on the gateway without the dashboard knowing: active, listed all the same
    const direct = '198.51.100.7';
    assert.equal((await gwAdmin('POST', `/block/${direct}`, { duration_minutes: 5, reason: 'by hand' })).status, 200);
    r = await row(direct);
    assert.equal(r.status, 'active');
    assert.equal(r.reason, 'by hand');
    assert.equal((await gwAdmin('POST', `/unblock/${direct}`)).status, 200);
    assert.equal(await row(direct), undefined, 'gone once the gateway lifts it (the dashboard never saw it blocked)');
  });

  it('says "not blocked" is no failure of an unblock, and reports the allowlisting on its own', async () => {
    const ip = '198.51.100.20';
    const unb = await postJson<any>(t.base, '/api/unblock-ip', t.cookie, { ip });
    assert.equal(unb.status, 200);
    assert.equal(unb.body.status, 'success');
    assert.equal(unb.body.message, 'IP was not blocked on any of the 1 gateways; nothing to unblock');

    const allow = await postJson<any>(t.base, '/api/unblock-ip', t.cookie, { ip, allowlist: true });
    assert.equal(allow.status, 200, JSON.stringify(allow.body));
    assert.equal(allow.body.status, 'success');
    assert.equal(allow.body.message, 'IP allowlisted on 1 of 1 gateways; it was not blocked on any');
    assert.ok((await gwAdmin('GET', '/allowlist')).body.allowlist.includes(`${ip}/32`) || (await gwAdmin('GET', '/allowlist')).body.allowlist.includes(ip));
    const hist = await getJson<any>(t.base, `/api/block-history?ip=${ip}`, t.cookie);
    const last = hist.body.actions[0];
    assert.equal(last.action, 'allowlist');
    assert.deepEqual(last.results.map((x: any) => [x.gateway_id, x.ok, x.note]), [['gw-real', true, 'not blocked']]);

    // blocked, then allowlisted: both said
    const ip2 = '198.51.100.21';
    await postJson(t.base, '/api/block-ip', t.cookie, { ip: ip2 });
    const both = await postJson<any>(t.base, '/api/unblock-ip', t.cookie, { ip: ip2, allowlist: true });
    assert.equal(both.body.message, 'IP allowlisted on 1 of 1 gateways; unblocked on 1');
    assert.equal((await row(ip2)).status, 'allowlisted');
  });

  it('says unknown, and why, when the gateway cannot be asked; a failed unblock says what failed', async () => {
    const ip = '198.51.100.40';
    await postJson(t.base, '/api/block-ip', t.cookie, { ip });
    assert.equal((await row(ip)).status, 'active');
    await gw.close();
    const r = await row(ip);
    assert.equal(r.status, 'unknown');
    assert.deepEqual(r.unreachable_gateways, ['gw-real']);
    const unb = await postJson<any>(t.base, '/api/unblock-ip', t.cookie, { ip });
    assert.equal(unb.status, 502);
    assert.equal(unb.body.status, 'failed');
    assert.match(unb.body.message, /^IP unblocked on 0 of 1 gateways \(failed: gw-real: .*ECONNREFUSED/);
    const gs = (await getJson<any>(t.base, '/api/gateway-status', t.cookie)).body.gateways.find((g: any) => g.id === 'gw-real');
    assert.equal(gs.actions, null);
    assert.match(gs.actions_error, /ECONNREFUSED/);
  });
});
