// The heartbeat of a gateway with several workers (sent by the primary): built from the admin API's
// merged /stats, and sent through the event shipper, whose heartbeat may be asynchronous or skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { Registry } from 'prom-client';
import { createSystemClock } from '../../src/core/clock.js';
import { closeServer, listen } from '../../src/core/listen.js';
import { clusterHeartbeat } from '../../src/cluster/primary.js';
import { mergeStats } from '../../src/cluster/merge.js';
import { createEventShipper, SHIPPER_METRIC } from '../../src/gateway/events/shipper.js';
import type { GatewayHeartbeat } from '../../src/gateway/events/types.js';
import { silent, until } from './helpers.js';

test('clusterHeartbeat: the summed counts of /stats, the gateway id and admin URL, each backend once', () => {
  const w = (total: number, blocked: number, throttled: number, uptime: number, b2: boolean) => ({
    statistics: {
      total_requests: total, allowed_requests: total - blocked - throttled, blocked_requests: blocked, throttled_requests: throttled,
      challenged_requests: 1, error_responses: 2, client_closed: 0, start_time: '2026-12-05T10:00:00.000Z', uptime_seconds: uptime, blocked_ips: 4,
    },
    backend_distribution: { 'http://b1': total },
    backend_health: { 'http://b1': true, 'http://b2': b2 },
  });
  const m = mergeStats([w(20, 3, 1, 60, true), w(14, 2, 0, 12, false)]);
  const hb = clusterHeartbeat({ statistics: m.statistics as Record<string, unknown>, backend_health: m.backend_health as Record<string, boolean>, workers: 2 },
    { gatewayId: 'gateway-1', adminUrl: 'http://127.0.0.1:8481' });
  assert.deepEqual({ ...hb, version: undefined }, {
    gateway_id: 'gateway-1', admin_url: 'http://127.0.0.1:8481', version: undefined,
    uptime_seconds: 60, requests_processed: 34, blocked_count: 5, throttled_count: 1, challenged_count: 2, error_count: 4,
    backends: [{ url: 'http://b1', healthy: true }, { url: 'http://b2', healthy: false }],
  });
  assert.equal(typeof hb.version, 'string');
});

test('shipper: an asynchronous heartbeat is sent, a null one is skipped, a rejected one counted as failed', async () => {
  const got: GatewayHeartbeat[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      if (req.url === '/api/heartbeat') got.push(JSON.parse(body) as GatewayHeartbeat);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"ok"}');
    });
  });
  const port = await listen(server, 0, '127.0.0.1');
  const registry = new Registry();
  let call = 0;
  const shipper = createEventShipper({
    url: `http://127.0.0.1:${port}`, token: 't', gatewayId: 'g', clock: createSystemClock(), logger: silent, registry, heartbeatIntervalMs: 30,
    heartbeat: async () => {
      call++;
      await new Promise((r) => setTimeout(r, 1));
      if (call === 1) return null;
      if (call === 2) throw new Error('no worker answered');
      return { gateway_id: 'g', uptime_seconds: 1, requests_processed: call, blocked_count: 0 };
    },
  });
  try {
    shipper.start();
    await until('two heartbeats', () => got.length >= 2, { timeoutMs: 5000, intervalMs: 10 });
    assert.equal(got[0]?.requests_processed, 3, 'the first two were not sent');
    const failures = (await registry.getSingleMetric(SHIPPER_METRIC.heartbeatFailures)?.get())?.values[0]?.value;
    assert.equal(failures, 1);
  } finally {
    await shipper.close();
    await closeServer(server);
  }
});
