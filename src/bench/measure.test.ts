import { test } from 'node:test';
import assert from 'node:assert/strict';
import { combineRounds, pacing, stealPercent, userUsPerReq } from './measure.js';

test('pacing offers close to the requested rate with whole-millisecond delays', () => {
  for (const rate of [500, 7000, 10_000, 23_456, 80_000, 250_000]) {
    const p = pacing(rate);
    assert.ok(p.connections <= 1000);
    assert.ok(Number.isInteger(p.delayMs) && p.delayMs >= 1);
    assert.ok(Math.abs(p.offered - rate) / rate < 0.15, `rate ${rate} → ${JSON.stringify(p)}`);
  }
  assert.deepEqual(pacing(4000), { connections: 200, delayMs: 50, offered: 4000 });
  assert.deepEqual(pacing(10_000, { delayMs: 5 }), { connections: 50, delayMs: 5, offered: 10_000 });
  assert.deepEqual(pacing(40_000, { maxConnections: 500 }), { connections: 480, delayMs: 12, offered: 40_000 });
  assert.throws(() => pacing(0), /rate must be > 0/);
});

test('rounds combine into medians of rates and latencies and sums of work', () => {
  const base = { target: 'nginx', non2xx: 0, socketErrors: 1, command: 'wrk' };
  const c = combineRounds([
    { ...base, requests: 1000, reqPerSec: 100, p50Ms: 1, p99Ms: 9, cpuMs: 30, cpuUsPerReq: 30 },
    { ...base, requests: 3000, reqPerSec: 300, p50Ms: 3, p99Ms: 5, cpuMs: 60, cpuUsPerReq: 20 },
    { ...base, requests: 2000, reqPerSec: 200, p50Ms: 2, p99Ms: 7, cpuMs: 30, cpuUsPerReq: 15 },
  ]);
  assert.equal(c.reqPerSec, 200);
  assert.equal(c.p50Ms, 2);
  assert.equal(c.p99Ms, 7);
  assert.equal(c.requests, 6000);
  assert.equal(c.cpuMs, 120);
  assert.equal(c.cpuUsPerReq, 20);
  assert.equal(c.socketErrors, 3);
  assert.equal(combineRounds([{ ...base, requests: 10, reqPerSec: 4, p50Ms: 1, p99Ms: 2, cpuMs: 1, cpuUsPerReq: 100 },
    { ...base, requests: 10, reqPerSec: 6, p50Ms: 1, p99Ms: 2, cpuMs: 1, cpuUsPerReq: 100 }]).reqPerSec, 5);
  assert.throws(() => combineRounds([]), /no rounds/);
});

test('steal over rounds is the stolen share of all their machine ticks', () => {
  const base = { target: 'gateway', non2xx: 0, socketErrors: 0, command: 'wrk', requests: 10, reqPerSec: 1, p50Ms: 1, p99Ms: 1, cpuMs: 1, cpuUsPerReq: 1 };
  const c = combineRounds([{ ...base, machineTicks: 1000, stealTicks: 300 }, { ...base, machineTicks: 3000, stealTicks: 100 }]);
  assert.equal(c.machineTicks, 4000);
  assert.equal(stealPercent(c), 10);
  assert.equal(stealPercent({ machineTicks: 0, stealTicks: 0 }), null, 'unknown without machine ticks');
});

test('the user-space part of CPU adds up over rounds, and only when every round recorded it', () => {
  const base = { target: 'gateway', non2xx: 0, socketErrors: 0, command: 'wrk', reqPerSec: 1, p50Ms: 1, p99Ms: 1 };
  const c = combineRounds([
    { ...base, requests: 1000, cpuMs: 50, cpuUsPerReq: 50, cpuUserMs: 30 },
    { ...base, requests: 3000, cpuMs: 150, cpuUsPerReq: 50, cpuUserMs: 90 },
  ]);
  assert.equal(c.cpuUserMs, 120);
  assert.equal(userUsPerReq(c), 30);
  const old = combineRounds([{ ...base, requests: 10, cpuMs: 1, cpuUsPerReq: 100, cpuUserMs: 1 }, { ...base, requests: 10, cpuMs: 1, cpuUsPerReq: 100 }]);
  assert.equal(old.cpuUserMs, undefined, 'a round without the split leaves the sum unknown');
  assert.equal(userUsPerReq(old), null);
  assert.equal(userUsPerReq({ requests: 0, cpuUserMs: 5 }), null, 'no requests, no figure');
});
