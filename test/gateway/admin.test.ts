// The admin API against a running gateway: block, unblock and expiry as clients see them on the
// public port, the token, bad input that changes nothing, the allowlist, /stats and /metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adminCall, defaultHandler, metricValue, send, startBackend, startGateway, testConfig, until, withCleanup, type TestGateway } from './helpers.js';

const TOKEN = 'test-admin-token-0123456789';

async function setup(defer: (c: () => unknown) => void, extra: Parameters<typeof testConfig>[0] = {}): Promise<{ tg: TestGateway; backendUrl: string }> {
  const backend = await startBackend(defaultHandler('app'));
  defer(() => backend.close());
  const tg = await startGateway(testConfig({ admin: { token: TOKEN }, backends: { targets: [{ url: backend.url }] }, ...extra }));
  defer(() => tg.close());
  return { tg, backendUrl: backend.url };
}

const blockedIps = async (tg: TestGateway) => (await adminCall(tg, 'GET', '/blocked-ips')).json as { ip: string; reason: string; remaining_seconds: number }[];

test('block and unblock through the admin API apply on the public port at once', () => withCleanup(async (defer) => {
  const { tg } = await setup(defer);
  const client = '127.0.0.5';
  assert.equal((await send(tg.url + '/', { localAddress: client })).status, 200);

  const b = await adminCall(tg, 'POST', `/block/${client}`, { token: TOKEN, body: { duration_minutes: 5, reason: 'scraping' } });
  assert.equal(b.status, 200, b.text);
  assert.equal((b.json as { status: string }).status, 'blocked');

  const r = await send(tg.url + '/', { localAddress: client, headers: { accept: 'application/json' } });
  assert.equal(r.status, 403);
  assert.equal(r.headers['x-shield-action'], 'block');
  const retry = Number(r.headers['retry-after']);
  assert.ok(retry > 240 && retry <= 300, `Retry-After ${retry}`);
  const body = JSON.parse(r.text) as { reason: string; reference: string };
  assert.equal(body.reason, 'blocklist');
  assert.equal(r.headers['x-shield-ref'], body.reference);
  const page = await send(tg.url + '/', { localAddress: client, headers: { accept: 'text/html' } });
  assert.equal(page.status, 403);
  assert.match(page.text, /minutes/);
  assert.equal((await send(tg.url + '/', { localAddress: '127.0.0.6' })).status, 200, 'another client still passes');

  const list = await blockedIps(tg);
  assert.equal(list.length, 1);
  assert.equal(list[0]!.ip, client);
  assert.equal(list[0]!.reason, 'scraping');
  assert.ok(list[0]!.remaining_seconds > 240);

  const u = await adminCall(tg, 'POST', `/unblock/${client}`, { token: TOKEN });
  assert.equal(u.status, 200);
  assert.equal((await send(tg.url + '/', { localAddress: client })).status, 200);
  assert.deepEqual(await blockedIps(tg), []);
  assert.equal((await adminCall(tg, 'POST', `/unblock/${client}`, { token: TOKEN })).status, 404, 'unblocking twice says so');
}));

test('a block expires by itself', () => withCleanup(async (defer) => {
  const { tg } = await setup(defer);
  const client = '127.0.0.7';
  // the admin API takes whole minutes: a 1.2 s block goes straight to the gateway's blocklist
  tg.gw.blocklist.block(client, { durationSec: 1.2, reason: 'test', source: 'test' });
  assert.equal((await send(tg.url + '/', { localAddress: client })).status, 403);
  await until('the block to expire', async () => (await send(tg.url + '/', { localAddress: client })).status === 200, { timeoutMs: 30_000, intervalMs: 200 });
  assert.deepEqual(await blockedIps(tg), []);
  // without a body the default duration (600 s) applies
  const d = await adminCall(tg, 'POST', `/block/${client}`, { token: TOKEN });
  assert.equal(d.status, 200);
  const remaining = (await blockedIps(tg))[0]!.remaining_seconds;
  assert.ok(remaining > 590 && remaining <= 600, `remaining ${remaining}`);
}));

test('mutating endpoints need the token: 401 without or with a wrong one, and nothing changes', () => withCleanup(async (defer) => {
  const { tg } = await setup(defer);
  const calls: [string, string, unknown?][] = [
    ['POST', '/block/203.0.113.9', { duration_minutes: 1 }],
    ['POST', '/unblock/203.0.113.9'],
    ['POST', '/allowlist', { cidr: '203.0.113.0/24' }],
    ['DELETE', '/allowlist/203.0.113.0%2F24'],
  ];
  tg.gw.blocklist.block('203.0.113.9', { durationSec: 60, reason: 'kept', source: 'test' });
  tg.gw.allowlist.add('203.0.113.0/24');
  tg.gw.blocklist.unblock('203.0.113.9');
  tg.gw.blocklist.block('198.51.100.9', { durationSec: 60, reason: 'kept', source: 'test' });
  for (const [method, path, body] of calls) {
    for (const token of [undefined, 'wrong-token', `${TOKEN}x`]) {
      const r = await adminCall(tg, method, path, { ...(token !== undefined ? { token } : {}), ...(body !== undefined ? { body } : {}) });
      assert.equal(r.status, 401, `${method} ${path} with ${token ?? 'no token'}: ${r.text}`);
      assert.match((r.json as { error: string }).error, /token/);
    }
  }
  assert.deepEqual((await blockedIps(tg)).map((e) => e.ip), ['198.51.100.9']);
  assert.deepEqual(tg.gw.allowlist.list(), ['203.0.113.0/24']);
  // reads are open
  for (const path of ['/', '/health', '/stats', '/metrics', '/backends', '/blocked-ips', '/allowlist']) {
    assert.equal((await adminCall(tg, 'GET', path)).status, 200, path);
  }
}));

test('bad input gets 400 with a message and changes nothing', () => withCleanup(async (defer) => {
  const { tg } = await setup(defer);
  const bad: [string, { body?: unknown; rawBody?: string }][] = [
    ['/block/not-an-ip', {}],
    ['/block/300.1.2.3', {}],
    ['/block/10.0.0.1%2F8', {}],
    ['/block/10.0.0.1', { body: { duration_minutes: -5 } }],
    ['/block/10.0.0.1', { body: { duration_minutes: 0 } }],
    ['/block/10.0.0.1', { body: { duration_minutes: 'ten' } }],
    ['/block/10.0.0.1', { body: { duration_minutes: 10 * 365 * 24 * 60 } }],
    ['/block/10.0.0.1', { body: { reason: '' } }],
    ['/block/10.0.0.1', { body: { duration_minutes: 5, sticky: true } }],
    ['/block/10.0.0.1', { rawBody: '{"duration_minutes": 5' }],
    ['/block/10.0.0.1', { rawBody: '[1,2' }],
    ['/unblock/not-an-ip', {}],
    ['/allowlist', { body: { cidr: '10.0.0.0/33' } }],
    ['/allowlist', { body: { cidr: 'banana' } }],
    ['/allowlist', { body: { network: '10.0.0.0/8' } }],
    ['/allowlist', { rawBody: 'cidr=10.0.0.0/8}' }],
  ];
  for (const [path, opts] of bad) {
    const r = await adminCall(tg, 'POST', path, { token: TOKEN, ...opts });
    assert.equal(r.status, 400, `${path} ${JSON.stringify(opts)}: ${r.status} ${r.text}`);
    const msg = (r.json as { error?: string }).error;
    assert.ok(typeof msg === 'string' && msg.length > 5, `a message for ${path}: ${r.text}`);
  }
  assert.equal((await adminCall(tg, 'DELETE', '/allowlist/not-a-cidr', { token: TOKEN })).status, 400);
  assert.deepEqual(await blockedIps(tg), []);
  assert.deepEqual(tg.gw.allowlist.list(), []);
  assert.equal(tg.gw.blocklist.size(), 0);
}));

test('allowlisted clients cannot be blocked (409); allowlist endpoints add and remove', () => withCleanup(async (defer) => {
  const { tg } = await setup(defer, { blocking: { allowlist: ['127.0.0.10/32'] } });
  const c1 = await adminCall(tg, 'POST', '/block/127.0.0.10', { token: TOKEN });
  assert.equal(c1.status, 409, c1.text);

  const add = await adminCall(tg, 'POST', '/allowlist', { token: TOKEN, body: { cidr: '127.0.0.12/30' } });
  assert.equal(add.status, 201, add.text);
  assert.equal((await adminCall(tg, 'POST', '/allowlist', { token: TOKEN, body: { cidr: '127.0.0.12/30' } })).status, 200, 'adding twice is harmless');
  assert.deepEqual(((await adminCall(tg, 'GET', '/allowlist')).json as { allowlist: string[] }).allowlist.sort(), ['127.0.0.10/32', '127.0.0.12/30']);
  assert.equal((await adminCall(tg, 'POST', '/block/127.0.0.13', { token: TOKEN })).status, 409);
  assert.deepEqual(await blockedIps(tg), []);

  // an allowlisted client passes even if something else put it on the blocklist
  tg.gw.blocklist.block('127.0.0.13', { durationSec: 60, reason: 'detector', source: 'test' });
  assert.equal((await send(tg.url + '/', { localAddress: '127.0.0.13' })).status, 200);
  tg.gw.blocklist.unblock('127.0.0.13');

  const del = await adminCall(tg, 'DELETE', `/allowlist/${encodeURIComponent('127.0.0.12/30')}`, { token: TOKEN });
  assert.equal(del.status, 200, del.text);
  assert.equal((await adminCall(tg, 'DELETE', `/allowlist/${encodeURIComponent('127.0.0.12/30')}`, { token: TOKEN })).status, 404);
  const now = await adminCall(tg, 'POST', '/block/127.0.0.13', { token: TOKEN, body: { duration_minutes: 1 } });
  assert.equal(now.status, 200, 'once removed from the allowlist it can be blocked');
  assert.equal((await send(tg.url + '/', { localAddress: '127.0.0.13' })).status, 403);
}));

test('/stats and /metrics reflect what happened', () => withCleanup(async (defer) => {
  const { tg, backendUrl } = await setup(defer);
  for (let i = 0; i < 5; i++) assert.equal((await send(tg.url + `/ok/${i}`)).status, 200);
  await adminCall(tg, 'POST', '/block/127.0.0.20', { token: TOKEN });
  for (let i = 0; i < 3; i++) assert.equal((await send(tg.url + '/', { localAddress: '127.0.0.20' })).status, 403);
  assert.equal((await send(tg.url + '/_shield/nothing')).status, 404);

  const stats = (await adminCall(tg, 'GET', '/stats')).json as {
    statistics: { total_requests: number; allowed_requests: number; blocked_requests: number; error_responses: number; blocked_ips: number };
    backend_distribution: Record<string, number>; backend_health: Record<string, boolean>;
  };
  assert.equal(stats.statistics.total_requests, 9);
  assert.equal(stats.statistics.allowed_requests, 5);
  assert.equal(stats.statistics.blocked_requests, 3);
  assert.equal(stats.statistics.error_responses, 1);
  assert.equal(stats.statistics.blocked_ips, 1);
  assert.deepEqual(stats.backend_distribution, { [backendUrl]: 5 });
  assert.deepEqual(stats.backend_health, { [backendUrl]: true });

  const m = (await adminCall(tg, 'GET', '/metrics')).text;
  assert.equal(metricValue(m, 'ddos_shield_requests_total'), 9);
  assert.equal(metricValue(m, 'ddos_shield_responses_total', { class: '2xx' }), 5);
  assert.equal(metricValue(m, 'ddos_shield_responses_total', { class: '4xx' }), 4);
  assert.equal(metricValue(m, 'ddos_shield_decisions_total', { action: 'block', reason: 'blocklist' }), 3);
  assert.equal(metricValue(m, 'ddos_shield_decisions_total', { action: 'error', reason: 'unknown_shield_path' }), 1);
  assert.equal(metricValue(m, 'ddos_shield_backend_up', { backend: backendUrl }), 1);
  assert.equal(metricValue(m, 'ddos_shield_blocklist_size'), 1);
  assert.ok(metricValue(m, 'ddos_shield_upstream_duration_seconds_count', { backend: backendUrl }) >= 5);

  const backends = (await adminCall(tg, 'GET', '/backends')).json as { backends: { url: string; healthy: boolean; requests: number }[] };
  assert.deepEqual(backends.backends.map((b) => [b.url, b.healthy, b.requests]), [[backendUrl, true, 5]]);
}));
