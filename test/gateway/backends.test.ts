// The backend pool seen from outside: round robin (with weights), a backend killed under load
// without a failed idempotent request, recovery on the same port, and all backends down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pool } from 'undici';
import { defaultHandler, metricValue, send, startBackend, startGateway, testConfig, until, withCleanup, type TestBackend } from './helpers.js';

async function threeBackends(defer: (c: () => unknown) => void, delayMs = 0): Promise<TestBackend[]> {
  const out: TestBackend[] = [];
  for (const name of ['a', 'b', 'c']) {
    const answer = defaultHandler(name);
    const b = await startBackend(delayMs === 0 ? answer : (req, res) => {
      // answers a little later, so that a kill catches requests in flight
      const t = setTimeout(() => answer(req, res), req.url === '/health' ? 0 : delayMs);
      res.on('close', () => clearTimeout(t));
    });
    defer(() => b.close());
    out.push(b);
  }
  return out;
}

async function countBackends(client: Pool, n: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const r = await client.request({ path: `/rr/${i}`, method: 'GET' });
    assert.equal(r.statusCode, 200);
    const name = await r.body.text();
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

test('round robin spreads requests evenly over three backends and respects weights', () => withCleanup(async (defer) => {
  const [a, b, c] = await threeBackends(defer);
  const even = await startGateway(testConfig({ backends: { targets: [{ url: a!.url }, { url: b!.url }, { url: c!.url }] } }), { admin: false });
  defer(() => even.close());
  const client = new Pool(even.url, { connections: 1 });
  defer(() => client.close());
  assert.deepEqual(await countBackends(client, 300), { a: 100, b: 100, c: 100 });

  const weighted = await startGateway(testConfig({
    backends: { targets: [{ url: a!.url, weight: 1 }, { url: b!.url, weight: 2 }, { url: c!.url, weight: 3 }] },
  }), { admin: false });
  defer(() => weighted.close());
  const wclient = new Pool(weighted.url, { connections: 1 });
  defer(() => wclient.close());
  assert.deepEqual(await countBackends(wclient, 600), { a: 100, b: 200, c: 300 });
  // smooth: the heaviest backend never gets a long run of consecutive requests
  const order: string[] = [];
  for (let i = 0; i < 12; i++) order.push(await (await wclient.request({ path: '/', method: 'GET' })).body.text());
  assert.ok(!order.join('').includes('cccc'), `order ${order.join('')}`);
}));

test('a backend killed under load: no failed idempotent request, marked down, back after restart', () => withCleanup(async (defer) => {
  const backends = await threeBackends(defer, 20);
  const victim = backends[1]!;
  const tg = await startGateway(testConfig({
    backends: {
      targets: backends.map((b) => ({ url: b.url })),
      failureThreshold: 2,
      healthCheck: { intervalMs: 600_000, unhealthyIntervalMs: 150, timeoutMs: 1_000 },
    },
  }), { admin: false });
  defer(() => tg.close());
  const gwVictim = tg.gw.pool.backends[1]!;
  assert.equal(gwVictim.url, victim.url);

  const client = new Pool(tg.url, { connections: 8 });
  defer(() => client.close());
  const failures: string[] = [];
  const served: Record<string, number> = {};
  let total = 0;
  let stop = false;
  async function worker(id: number): Promise<void> {
    for (let i = 0; !stop; i++) {
      try {
        const r = await client.request({ path: `/load/${id}/${i}`, method: 'GET' });
        const text = await r.body.text();
        if (r.statusCode !== 200) failures.push(`${r.statusCode} ${text}`);
        else served[text] = (served[text] ?? 0) + 1;
      } catch (e) {
        failures.push(`client error ${(e as Error).message}`);
      }
      total++;
    }
  }
  const load = Promise.all([0, 1, 2, 3].map(worker));
  try {
    await until('load to warm up', () => total >= 60);
    await victim.kill();
    await until('the gateway to mark the killed backend down', () => !gwVictim.healthy);
    const atDown = total;
    await until('more requests after the backend went down', () => total >= atDown + 150);
    const metrics = await tg.gw.metrics.registry.metrics();
    assert.equal(metricValue(metrics, 'ddos_shield_backend_up', { backend: victim.url }), 0);
    assert.equal(metricValue(metrics, 'ddos_shield_backend_up', { backend: backends[0]!.url }), 1);
    // the active re-checks keep failing while it is away
    const checks = gwVictim.stats.checks;
    await until('active re-checks of the dead backend', () => gwVictim.stats.checks >= checks + 2);
    assert.equal(gwVictim.healthy, false);

    const servedBefore = served.b ?? 0;
    await victim.restart();
    await until('the backend to be marked up again', () => gwVictim.healthy);
    await until('the restarted backend to get requests again', () => (served.b ?? 0) > servedBefore + 10);
  } finally {
    stop = true;
    await load;
  }
  assert.deepEqual(failures, [], 'every idempotent request succeeded');
  assert.ok(total >= 210, `${total} requests`);
  const metrics = await tg.gw.metrics.registry.metrics();
  assert.equal(metricValue(metrics, 'ddos_shield_backend_up', { backend: victim.url }), 1);
  assert.ok(gwVictim.stats.failures >= 1, 'the connection failures were counted');
}));

test('all backends down: 503 with Retry-After and x-shield-action: error', () => withCleanup(async (defer) => {
  const [a, b] = await threeBackends(defer);
  const tg = await startGateway(testConfig({
    backends: { targets: [{ url: a!.url }, { url: b!.url }], failureThreshold: 2, healthCheck: { unhealthyIntervalMs: 2_000 } },
  }), { admin: false });
  defer(() => tg.close());
  assert.equal((await send(tg.url + '/')).status, 200);
  await a!.kill();
  await b!.kill();

  // the first requests discover the failures (502 or 503); then the gateway knows none is up
  const statuses = new Set<number>();
  const r = await until('a 503 once every backend is marked down', async () => {
    const x = await send(tg.url + '/page', { headers: { accept: 'application/json' } });
    statuses.add(x.status);
    return x.status === 503 ? x : undefined;
  });
  for (const s of statuses) assert.ok(s === 502 || s === 503, `status ${s}`);
  assert.equal(tg.gw.pool.healthyCount(), 0);
  assert.equal(r.headers['x-shield-action'], 'error');
  assert.ok(Number(r.headers['retry-after']) >= 1, `Retry-After ${r.headers['retry-after']}`);
  const body = JSON.parse(r.text) as { reason: string; reference: string; retry_after_seconds: number };
  assert.equal(body.reason, 'no_healthy_backend');
  assert.ok(body.reference.length > 0);
  assert.equal(r.headers['x-shield-ref'], body.reference);

  // browsers get a page
  const html = await send(tg.url + '/page', { headers: { accept: 'text/html' } });
  assert.equal(html.status, 503);
  assert.match(String(html.headers['content-type']), /text\/html/);
  assert.ok(html.text.includes(body.reference.split('-')[0]!), 'the page quotes a reference');
  // the load balancer endpoint says so too
  assert.equal((await send(tg.url + '/_shield/health')).status, 503);
}));

test('the check at start finds a backend that is down before any request does: 503 at once, the other backend serves', () => withCleanup(async (defer) => {
  const [a, b] = await threeBackends(defer);
  await b!.kill();
  const tg = await startGateway(testConfig({
    backends: { targets: [{ url: a!.url }, { url: b!.url }], healthCheck: { atStart: true } },
  }), { admin: false });
  defer(() => tg.close());
  await until('the start checks have run', () => tg.gw.pool.backends.every((x) => x.stats.checks === 1) || undefined);
  assert.deepEqual(tg.gw.pool.backends.map((x) => x.healthy), [true, false]);
  const before = a!.seen.length;
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push((await send(tg.url + '/n')).status);
  assert.deepEqual(statuses, [200, 200, 200, 200], 'no request went to the dead backend');
  assert.equal(a!.seen.filter((r) => r.url === '/n').length, 4);
  assert.ok(a!.seen.length - before >= 4);
  await a!.kill();
  const alone = await startGateway(testConfig({
    backends: { targets: [{ url: a!.url }], healthCheck: { atStart: true } },
  }), { admin: false });
  defer(() => alone.close());
  await until('the start check has run', () => alone.gw.pool.backends[0]!.stats.checks === 1 || undefined);
  const r = await send(alone.url + '/', { headers: { accept: 'application/json' } });
  assert.equal(r.status, 503, 'the first request already knows: no 502 to discover it');
  assert.equal((JSON.parse(r.text) as { reason: string }).reason, 'no_healthy_backend');
}));

test('active health checks take a backend whose /health fails out of rotation and bring it back', () => withCleanup(async (defer) => {
  let sick = false;
  const a = await startBackend(defaultHandler('a'));
  defer(() => a.close());
  const b = await startBackend((req, res) => {
    req.resume();
    if (req.url === '/health' && sick) { res.writeHead(503); res.end('sick'); return; }
    res.end(req.url === '/health' ? 'ok' : 'b');
  });
  defer(() => b.close());
  const tg = await startGateway(testConfig({
    backends: { targets: [{ url: a.url }, { url: b.url }], healthCheck: { intervalMs: 100, unhealthyIntervalMs: 100, timeoutMs: 1_000 } },
  }), { admin: false });
  defer(() => tg.close());
  const gb = tg.gw.pool.backends[1]!;
  await until('a health check to pass', () => gb.stats.checks > 0 && gb.stats.lastCheckOk === true);

  sick = true;
  await until('the sick backend to be marked down', () => !gb.healthy);
  assert.match(gb.stats.lastError ?? '', /503/);
  const client = new Pool(tg.url, { connections: 1 });
  defer(() => client.close());
  assert.deepEqual(await countBackends(client, 20), { a: 20 }, 'no request goes to the sick backend');

  sick = false;
  await until('the backend to be marked up again', () => gb.healthy);
  const counts = await countBackends(client, 20);
  assert.ok((counts.b ?? 0) >= 5, `b is back in rotation: ${JSON.stringify(counts)}`);
}));
