// Gateway replicas sharing state through a real Redis (127.0.0.1:6379): a block or unblock on
// one replica reaches the others, a replica started later loads the blocks, keys expire with the
// block, a gateway whose Redis is away keeps serving on its own state, and a client spread over
// two replicas is judged on its cluster-wide request rate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { startGatewayService, type GatewayService } from '../../src/gateway/service.js';
import { createSystemClock } from '../../src/core/clock.js';
import type { GatewayConfigInput } from '../../src/config/schema.js';
import { freePort } from '../../src/peers/free-port.js';
import { defaultHandler, metricValue, redisSkip, send, silent, startBackend, testConfig, until, withCleanup } from './helpers.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const TOKEN = 'test-admin-token-0123456789';


const skip = await redisSkip();

interface Replica { svc: GatewayService; url: string; admin: string }

async function replica(defer: (c: () => unknown) => void, backendUrl: string, redis: GatewayConfigInput['redis'], detection: GatewayConfigInput['detection'] = { enabled: false }): Promise<Replica> {
  const config = testConfig({ admin: { token: TOKEN }, backends: { targets: [{ url: backendUrl }] }, detection, redis });
  const svc = await startGatewayService(config, { logger: silent, clock: createSystemClock() });
  defer(() => svc.close());
  return { svc, url: `http://127.0.0.1:${svc.port}`, admin: `http://127.0.0.1:${svc.adminPort}` };
}

const adminPost = (r: Replica, path: string, body?: unknown) => send(r.admin + path, {
  method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
});
/** A fresh key prefix (its keys deleted at the end) and a backend. */
async function fresh(defer: (c: () => unknown) => void): Promise<{ keyPrefix: string; backendUrl: string }> {
  const keyPrefix = `ddos-shield-test-${randomBytes(4).toString('hex')}:`;
  defer(async () => {
    const redis = new Redis(REDIS_URL);
    try { const keys = await redis.keys(`${keyPrefix}*`); if (keys.length > 0) await redis.del(...keys); } finally { await redis.quit(); }
  });
  const backend = await startBackend(defaultHandler('app'));
  defer(() => backend.close());
  return { keyPrefix, backendUrl: backend.url };
}

/** Two replicas on one Redis under a fresh key prefix, in front of one backend. */
async function twoReplicas(defer: (c: () => unknown) => void, detection?: GatewayConfigInput['detection']): Promise<{ keyPrefix: string; backendUrl: string; a: Replica; b: Replica }> {
  const { keyPrefix, backendUrl } = await fresh(defer);
  const a = await replica(defer, backendUrl, { url: REDIS_URL, keyPrefix }, detection);
  const b = await replica(defer, backendUrl, { url: REDIS_URL, keyPrefix }, detection);
  return { keyPrefix, backendUrl, a, b };
}

const statusFrom = async (r: Replica, client: string) => (await send(`${r.url}/`, { localAddress: client })).status;

test('a block on one replica reaches the others within a second; unblock too; a late replica loads it', { skip }, () => withCleanup(async (defer) => {
  const { keyPrefix, backendUrl, a, b } = await twoReplicas(defer);
  const client = '127.0.0.21';
  assert.equal(await statusFrom(a, client), 200);
  assert.equal(await statusFrom(b, client), 200);

  const blocked = await adminPost(a, `/block/${client}`, { duration_minutes: 5, reason: 'scraping' });
  assert.equal(blocked.status, 200, blocked.text);
  const t0 = Date.now();
  await until('the block on replica b', async () => (await statusFrom(b, client)) === 403, { timeoutMs: 3000, intervalMs: 20 });
  assert.ok(Date.now() - t0 < 1000, `reached b after ${Date.now() - t0} ms`);
  const listed = JSON.parse((await send(`${b.admin}/blocked-ips`)).text) as { ip: string; reason: string; remaining_seconds: number }[];
  const entry = listed.find((e) => e.ip === client);
  assert.equal(entry?.reason, 'scraping');
  assert.ok(entry.remaining_seconds > 290 && entry.remaining_seconds <= 300, `remaining ${entry.remaining_seconds}`);
  assert.equal(await statusFrom(b, '127.0.0.22'), 200, 'another client still passes');

  // in Redis: one key with the block's remaining time as TTL
  const redis = new Redis(REDIS_URL);
  defer(() => redis.quit());
  const ttl = await redis.pttl(`${keyPrefix}block:${client}`);
  assert.ok(ttl > 290_000 && ttl <= 300_000, `pttl ${ttl}`);

  // a replica started now has the block from the start
  const c = await replica(defer, backendUrl, { url: REDIS_URL, keyPrefix });
  assert.equal(await statusFrom(c, client), 403);

  assert.equal((await adminPost(b, `/unblock/${client}`)).status, 200);
  await until('the unblock on a and c', async () => (await statusFrom(a, client)) === 200 && (await statusFrom(c, client)) === 200, { timeoutMs: 3000, intervalMs: 20 });
  assert.equal(await redis.exists(`${keyPrefix}block:${client}`), 0);

  const m = (await send(`${a.admin}/metrics`)).text;
  assert.equal(metricValue(m, 'ddos_shield_redis_connected'), 1);
  assert.equal(metricValue(m, 'ddos_shield_shared_blocklist_updates_total', { op: 'block', direction: 'sent' }), 1);
  assert.equal(metricValue(m, 'ddos_shield_shared_blocklist_updates_total', { op: 'unblock', direction: 'received' }), 1);
}));

test('a short block expires on every replica and its key with it', { skip }, () => withCleanup(async (defer) => {
  const { keyPrefix, a, b } = await twoReplicas(defer);
  const client = '127.0.0.23';
  // the admin API takes whole minutes: a 1.2 s block goes straight to a's (shared) blocklist
  a.svc.gateway.blocklist.block(client, { durationSec: 1.2, reason: 'test', source: 'test' });
  await until('the block on b', async () => (await statusFrom(b, client)) === 403, { timeoutMs: 1000, intervalMs: 20 });
  await until('the expiry on both', async () => (await statusFrom(a, client)) === 200 && (await statusFrom(b, client)) === 200, { timeoutMs: 5000, intervalMs: 100 });
  const redis = new Redis(REDIS_URL);
  defer(() => redis.quit());
  assert.equal(await redis.exists(`${keyPrefix}block:${client}`), 0);
}));

test('without its Redis a gateway serves and blocks on its own state, and counts the failures', { skip }, () => withCleanup(async (defer) => {
  const backend = await startBackend(defaultHandler('app'));
  defer(() => backend.close());
  const deadPort = await freePort(); // nothing listens there
  const a = await replica(defer, backend.url, { url: `redis://127.0.0.1:${deadPort}` });
  const client = '127.0.0.24';
  assert.equal(await statusFrom(a, client), 200);
  assert.equal((await adminPost(a, `/block/${client}`, { duration_minutes: 5 })).status, 200);
  assert.equal(await statusFrom(a, client), 403);
  const m = await until('failures counted', async () => {
    const text = (await send(`${a.admin}/metrics`)).text;
    return metricValue(text, 'ddos_shield_redis_errors_total', { op: 'write' }) >= 1 ? text : null;
  }, { timeoutMs: 3000 });
  assert.equal(metricValue(m, 'ddos_shield_redis_connected'), 0);
  assert.ok(metricValue(m, 'ddos_shield_redis_errors_total', { op: 'connection' }) >= 1);
}));

/** A TCP relay to Redis that can be cut and brought back on the same port (Redis going away, as a gateway sees it). */
async function redisRelay(port: number): Promise<{ cut(): Promise<void>; restore(): Promise<void>; close(): Promise<void> }> {
  let server: Server | null = null;
  const sockets = new Set<Socket>();
  const open = () => new Promise<void>((resolve, reject) => {
    server = createServer((client) => {
      const upstream = connect({ host: '127.0.0.1', port: 6379 });
      for (const s of [client, upstream]) { sockets.add(s); s.once('close', () => sockets.delete(s)); s.on('error', () => { client.destroy(); upstream.destroy(); }); }
      client.pipe(upstream).pipe(client);
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const cut = async () => {
    const s = server;
    server = null;
    for (const x of sockets) x.destroy();
    if (s) await new Promise<void>((r) => s.close(() => r()));
  };
  await open();
  return { cut, restore: open, close: cut };
}

test('changes made while Redis was away reach the others when it is back', { skip }, () => withCleanup(async (defer) => {
  const { keyPrefix, backendUrl } = await fresh(defer);
  const relayPort = await freePort();
  const relay = await redisRelay(relayPort);
  defer(() => relay.close());
  const a = await replica(defer, backendUrl, { url: `redis://127.0.0.1:${relayPort}`, keyPrefix });
  const b = await replica(defer, backendUrl, { url: REDIS_URL, keyPrefix });
  const client = '127.0.0.25';
  await relay.cut();
  await until('a sees Redis gone', async () => metricValue((await send(`${a.admin}/metrics`)).text, 'ddos_shield_redis_connected') === 0, { timeoutMs: 3000 });
  assert.equal((await adminPost(a, `/block/${client}`, { duration_minutes: 5, reason: 'offline' })).status, 200);
  assert.equal(await statusFrom(a, client), 403, 'a enforces its own block');
  assert.equal(await statusFrom(b, client), 200, 'b cannot know yet');
  await relay.restore();
  await until('the block replayed to b', async () => (await statusFrom(b, client)) === 403, { timeoutMs: 8000, intervalMs: 50 });
  const listed = JSON.parse((await send(`${b.admin}/blocked-ips`)).text) as { ip: string; reason: string }[];
  assert.equal(listed.find((e) => e.ip === client)?.reason, 'offline');
}));

test('a replica started while Redis is away connects when it comes up and loads the blocks', { skip }, () => withCleanup(async (defer) => {
  const { keyPrefix, backendUrl } = await fresh(defer);
  const relayPort = await freePort();
  const relay = await redisRelay(relayPort);
  defer(() => relay.close());
  await relay.cut();
  const a = await replica(defer, backendUrl, { url: `redis://127.0.0.1:${relayPort}`, keyPrefix });
  const b = await replica(defer, backendUrl, { url: REDIS_URL, keyPrefix });
  const client = '127.0.0.27';
  assert.equal((await adminPost(b, `/block/${client}`, { duration_minutes: 5, reason: 'while away' })).status, 200);
  assert.equal(await statusFrom(a, client), 200, 'a has no Redis yet');
  await relay.restore();
  await until('a loads the block', async () => (await statusFrom(a, client)) === 403, { timeoutMs: 8000, intervalMs: 100 });
}));

test('a client spread over two replicas is blocked on its cluster-wide rate, which neither sees alone', { skip }, () => withCleanup(async (defer) => {
  // one rule, no scores: a 10 s rate above 3.5 req/s blocks; each replica alone sees half of it
  const detection: GatewayConfigInput['detection'] = {
    enabled: true, minRequestsForScore: 1_000_000,
    policy: { rules: [{ id: 'rate-test', feature: 'rate_10s', above: 3.5, minRequests: 10, action: 'block' }] },
  };
  const { a, b } = await twoReplicas(defer, detection);
  const client = '127.0.0.26';
  const started = Date.now();
  let blockedAfter = -1;
  let sent = 0;
  // 10 req/s in all, alternating: 5 req/s on each; alone, a replica's 10 s rate would be 2.3 after 6 s
  while (Date.now() - started < 9000) {
    const r = sent % 2 === 0 ? a : b;
    const status = await statusFrom(r, client);
    sent++;
    if (status === 403) { blockedAfter = Date.now() - started; break; }
    assert.equal(status, 200);
    await new Promise((res) => setTimeout(res, Math.max(0, started + sent * 100 - Date.now())));
  }
  assert.ok(blockedAfter > 0, `not blocked after ${sent} requests over 9 s`);
  assert.ok(sent >= 30, `blocked after only ${sent} requests (${blockedAfter} ms): the rate must be cluster-wide, not a local burst`);
  // the block itself is shared: the other replica refuses the client too
  await until('the block on both', async () => (await statusFrom(a, client)) === 403 && (await statusFrom(b, client)) === 403, { timeoutMs: 2000, intervalMs: 50 });
  const m = (await send(`${a.admin}/metrics`)).text;
  assert.ok(metricValue(m, 'ddos_shield_shared_counts_batches_total', { direction: 'received' }) >= 1);
}));

test('a Redis URL that is not redis:// is a configuration error', () => {
  assert.throws(() => testConfig({ redis: { url: 'http://127.0.0.1:6379' } }), /redis:\/\/ or rediss:\/\//);
});
