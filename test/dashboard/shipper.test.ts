import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { Registry } from 'prom-client';
import { createSystemClock } from '../../src/core/clock.js';
import { createLogger } from '../../src/core/logger.js';
import { closeServer, listen } from '../../src/core/listen.js';
import { createEventShipper, SHIPPER_METRIC } from '../../src/gateway/events/shipper.js';
import { getJson, INGEST_TOKEN, makeEvent, startTestDashboard, waitFor } from './helpers.js';

const logger = createLogger({ level: 'silent' });

async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  const v = (m?.values ?? []).find((x) => Object.entries(labels).every(([k, val]) => (x.labels as Record<string, unknown>)[k] === val));
  return Number(v?.value ?? 0);
}

async function freePort(): Promise<number> {
  const s = createServer();
  const port = await listen(s, 0, '127.0.0.1');
  await closeServer(s);
  return port;
}

describe('event shipper', () => {
  it('delivers events in batches and heartbeats to a running dashboard', async () => {
    const clock = createSystemClock();
    const t = await startTestDashboard('sqlite', clock);
    const registry = new Registry();
    const shipper = createEventShipper({
      url: t.base, token: INGEST_TOKEN, gatewayId: 'gw-ship', batchSize: 100, flushIntervalMs: 50, queueMax: 5000, clock, logger, registry,
      heartbeat: () => ({ gateway_id: 'gw-ship', admin_url: 'http://127.0.0.1:1', uptime_seconds: 5, requests_processed: 250, blocked_count: 1 }),
      heartbeatIntervalMs: 200,
    });
    try {
      shipper.start();
      for (let i = 0; i < 250; i++) shipper.push(makeEvent({ gateway_id: 'gw-ship', path: `/p${i % 7}` }));
      await waitFor(async () => (await getJson<{ total_requests: number }>(t.base, '/api/stats?hours=1', t.cookie)).body.total_requests === 250, 'events stored');
      assert.equal(await metricValue(registry, SHIPPER_METRIC.sent), 250);
      assert.equal(await metricValue(registry, SHIPPER_METRIC.dropped, { reason: 'queue_full' }), 0);
      const gws = await waitFor(async () => {
        const r = await getJson<{ gateways: { id: string; requests_processed: number }[] }>(t.base, '/api/gateway-status', t.cookie);
        return r.body.gateways.find((g) => g.id === 'gw-ship');
      }, 'heartbeat stored');
      assert.equal(gws?.requests_processed, 250);
    } finally {
      await shipper.close();
      await t.close();
    }
  });

  it('counts drops when the queue is full, retries with backoff while the dashboard is down, and delivers once it is up', async () => {
    const clock = createSystemClock();
    const port = await freePort();
    const registry = new Registry();
    const shipper = createEventShipper({
      url: `http://127.0.0.1:${port}`, token: INGEST_TOKEN, gatewayId: 'gw-down', batchSize: 10, flushIntervalMs: 20, queueMax: 30,
      clock, logger, registry, backoffBaseMs: 50, backoffMaxMs: 200,
    });
    let t: Awaited<ReturnType<typeof startTestDashboard>> | null = null;
    try {
      shipper.start();
      for (let i = 0; i < 40; i++) shipper.push(makeEvent({ gateway_id: 'gw-down' }));
      assert.equal(await metricValue(registry, SHIPPER_METRIC.dropped, { reason: 'queue_full' }), 10);
      await waitFor(async () => await metricValue(registry, SHIPPER_METRIC.failures) >= 3, 'several failed attempts');
      assert.equal(await metricValue(registry, SHIPPER_METRIC.sent), 0);
      assert.equal(await metricValue(registry, SHIPPER_METRIC.queue), 30);
      t = await startTestDashboard('sqlite', clock, { port });
      const dash = t;
      await waitFor(async () => (await getJson<{ total_requests: number }>(dash.base, '/api/stats?hours=1', dash.cookie)).body.total_requests === 30, 'queued events delivered', 30_000);
      assert.equal(await metricValue(registry, SHIPPER_METRIC.sent), 30);
    } finally {
      await shipper.close();
      await t?.close();
    }
  });

  it('retries on 503, drops a batch the dashboard refuses, and never throws from push', async () => {
    let calls = 0;
    const statuses: number[] = [];
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        calls += 1;
        const status = calls <= 2 ? 503 : calls === 3 ? 413 : 200;
        statuses.push(status);
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: 5, rejected: 0 }));
      });
    });
    const port = await listen(server, 0, '127.0.0.1');
    const registry = new Registry();
    const shipper = createEventShipper({
      url: `http://127.0.0.1:${port}`, token: 'x', gatewayId: 'gw', batchSize: 5, flushIntervalMs: 20, queueMax: 100,
      clock: createSystemClock(), logger, registry, backoffBaseMs: 20, backoffMaxMs: 50,
    });
    try {
      shipper.start();
      for (let i = 0; i < 10; i++) shipper.push(makeEvent());
      shipper.push(undefined as never);
      await waitFor(async () => await metricValue(registry, SHIPPER_METRIC.sent) >= 5, 'second batch sent');
      assert.deepEqual(statuses.slice(0, 3), [503, 503, 413]);
      assert.equal(await metricValue(registry, SHIPPER_METRIC.dropped, { reason: 'rejected' }), 5);
      assert.equal(await metricValue(registry, SHIPPER_METRIC.failures), 2);
      assert.equal(await metricValue(registry, SHIPPER_METRIC.dropped, { reason: 'invalid' }), 1);
    } finally {
      await shipper.close();
      await closeServer(server);
    }
    shipper.push(makeEvent());
    assert.equal(await metricValue(registry, SHIPPER_METRIC.dropped, { reason: 'shutdown' }) >= 1, true);
  });

  it('flushes what is queued on close', async () => {
    const clock = createSystemClock();
    const t = await startTestDashboard('sqlite', clock);
    const registry = new Registry();
    const shipper = createEventShipper({ url: t.base, token: INGEST_TOKEN, gatewayId: 'gw', batchSize: 1000, flushIntervalMs: 60_000, clock, logger, registry });
    try {
      shipper.start();
      for (let i = 0; i < 42; i++) shipper.push(makeEvent());
      await shipper.close();
      assert.equal((await getJson<{ total_requests: number }>(t.base, '/api/stats?hours=1', t.cookie)).body.total_requests, 42);
    } finally {
      await t.close();
    }
  });
});
