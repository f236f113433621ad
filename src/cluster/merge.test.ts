import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeBackends, mergeHealth, mergeStats, pickClient } from './merge.js';

test('mergeStats sums request counters and keeps the cluster-wide figures once', () => {
  const a = {
    statistics: { total_requests: 10, blocked_requests: 2, blocked_ips: 3, uptime_seconds: 50, start_time: '2026-12-05T10:00:01Z', gateway_id: 'g-w0' },
    backend_distribution: { 'http://b1': 6, 'http://b2': 4 },
    backend_health: { 'http://b1': true, 'http://b2': true },
  };
  const b = {
    statistics: { total_requests: 5, blocked_requests: 1, blocked_ips: 3, uptime_seconds: 49, start_time: '2026-12-05T10:00:00Z', gateway_id: 'g-w1' },
    backend_distribution: { 'http://b1': 2, 'http://b3': 3 },
    backend_health: { 'http://b1': true, 'http://b2': false },
  };
  const m = mergeStats([a, b]);
  assert.deepEqual(m.statistics, {
    total_requests: 15, blocked_requests: 3, blocked_ips: 3, uptime_seconds: 50, start_time: '2026-12-05T10:00:00Z', gateway_id: 'g-w0',
  });
  assert.deepEqual(m.backend_distribution, { 'http://b1': 8, 'http://b2': 4, 'http://b3': 3 });
  assert.deepEqual(m.backend_health, { 'http://b1': true, 'http://b2': false });
});

test('mergeStats treats missing or malformed parts as empty', () => {
  const m = mergeStats([{}, { statistics: 'x', backend_distribution: [1, 2] }, { statistics: { total_requests: 'many' } }]);
  assert.deepEqual(m, { statistics: { total_requests: 'many' }, backend_distribution: {}, backend_health: {} });
});

test('mergeBackends sums counts, is healthy only where all workers agree and keeps the latest check', () => {
  const w0 = { backends: [
    { url: 'http://b1', requests: 3, failures: 0, checks: 2, healthy: true, consecutive_failures: 0, last_check: '2026-12-05T10:00:05Z', last_check_ok: true, last_error: null },
    { url: 'http://b2', requests: 1, failures: 1, checks: 2, healthy: true, consecutive_failures: 1 },
  ] };
  const w1 = { backends: [
    { url: 'http://b1', requests: 4, failures: 2, checks: 1, healthy: false, consecutive_failures: 3, last_check: '2026-12-05T10:00:09Z', last_check_ok: false, last_error: 'ECONNREFUSED' },
  ] };
  const { backends } = mergeBackends([w0, w1]);
  assert.equal(backends.length, 2);
  assert.deepEqual(backends[0], {
    url: 'http://b1', requests: 7, failures: 2, checks: 3, healthy: false, consecutive_failures: 3,
    last_check: '2026-12-05T10:00:09Z', last_check_ok: false, last_error: 'ECONNREFUSED',
  });
  assert.deepEqual(backends[1], w0.backends[1]);
  assert.notEqual(backends[1], w0.backends[1], 'the merged document is a copy');
});

test('mergeHealth: healthy when every backend is up for every worker, degraded when some, 503 when none', () => {
  const self = { gatewayId: 'g', workers: 2 };
  const up = { gateway: 'ddos-shield', version: '1', backend_targets: { b1: true, b2: true }, uptime_seconds: 7 };
  const half = { ...up, backend_targets: { b1: true, b2: false }, uptime_seconds: 9 };
  const down = { ...up, backend_targets: { b1: false, b2: false } };
  const all = mergeHealth([up, up], self);
  assert.equal(all.status, 200);
  assert.deepEqual(all.body, { status: 'healthy', gateway: 'ddos-shield', gateway_id: 'g', version: '1', backend_targets: { b1: true, b2: true }, uptime_seconds: 7, workers: 2 });
  const some = mergeHealth([up, half], self);
  assert.equal(some.status, 200);
  assert.equal(some.body.status, 'degraded');
  assert.equal(some.body.uptime_seconds, 9);
  const none = mergeHealth([down, up], self);
  assert.equal(none.status, 503);
  assert.equal(none.body.status, 'unhealthy');
  assert.equal(mergeHealth([], self).status, 503);
});

test('pickClient answers with the worker that saw the most requests and how many saw the client', () => {
  const a = { ip: '10.0.0.1', explanation: { requests: 4 }, from: 'w0' };
  const b = { ip: '10.0.0.1', explanation: { requests: 9 }, from: 'w1' };
  const c = { ip: '10.0.0.1', from: 'w2' };
  assert.deepEqual(pickClient([a, b, c]), { ...b, workers_seen: 2 });
  assert.equal(pickClient([]), null);
});
