import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeFigures, percentile } from './metrics.js';
import type { Arrival } from './sink.js';
import type { RequestResult } from './types.js';

const res = (label: 'benign' | 'attack', clientId: string, sentAt: number, outcome: RequestResult['outcome'], latencyMs = 10): RequestResult =>
  ({ clientId, label, sentAt, latencyMs, outcome, status: outcome === 'backend' ? 200 : outcome === 'error' ? 0 : 403 });
const arr = (label: Arrival['label'], t: number): Arrival => ({ t, label, clientId: `${label}/x/0`, address: '127.0.0.1' });

test('figures: stopped, time to mitigate from the first stopped answer, arrivals after it, benign during the attack', () => {
  const results = [
    res('benign', 'benign/a/0', 100, 'backend', 20),
    res('attack', 'attack/f/0', 1000, 'backend'),
    res('attack', 'attack/f/0', 1500, 'backend'),
    res('attack', 'attack/f/0', 2000, 'block', 5), // answered at 2005: mitigation starts
    res('attack', 'attack/f/1', 2100, 'backend'),
    res('attack', 'attack/f/0', 2500, 'block'),
    res('benign', 'benign/a/0', 1200, 'backend', 40),
    res('benign', 'benign/a/1', 1300, 'throttle'),
    res('benign', 'benign/a/1', 1400, 'error'),
    res('benign', 'benign/a/2', 3500, 'backend', 30), // after the attack window
  ];
  const f = computeFigures({
    results, external: [], resources: null, cpuSeconds: null,
    arrivals: [arr('attack', 1001), arr('attack', 1501), arr('untagged', 1800), arr('attack', 2101), arr('benign', 101), arr('benign', 1201)],
    attackStartMs: 1000, attackEndMs: 3000, durationMs: 4000,
  });
  assert.equal(f.attack.sent, 5);
  assert.equal(f.attack.stopped, 2);
  assert.equal(f.attack.passed, 3);
  assert.equal(f.attack.mitigationStartMs, 2005);
  assert.equal(f.attack.timeToMitigateMs, 1005);
  assert.equal(f.attack.reachedBackend, 4, 'tagged attack and untagged arrivals');
  assert.equal(f.attack.reachedAfterMitigation, 1);
  assert.equal(f.benign.requests, 5);
  assert.equal(f.benign.passed, 3);
  assert.equal(f.benign.rejected, 1);
  assert.equal(f.benign.errors, 1);
  assert.deepEqual(f.benign.errorCodes, { ERROR: 1 });
  assert.deepEqual(f.attack.errorCodes, {});
  assert.equal(f.benign.clients, 3);
  assert.equal(f.benign.clientsRejected, 1);
  assert.equal(f.benign.duringAttack.requests, 3);
  assert.equal(f.benign.duringAttack.successRate, 1 / 3);
  assert.equal(f.benign.duringAttack.p50Ms, 40);
  assert.equal(f.benign.reachedBackend, 2);
  assert.deepEqual(f.timeline.map((p) => p.attackSent), [0, 2, 3, 0]);
  assert.deepEqual(f.timeline.map((p) => p.attackStopped), [0, 0, 2, 0]);
  assert.deepEqual(f.timeline.map((p) => p.attackReached), [0, 3, 1, 0]);
});

test('figures: counts from an external tool join the totals at their own time resolution', () => {
  const f = computeFigures({
    results: [], resources: null, cpuSeconds: null, arrivals: [], attackStartMs: 0, attackEndMs: 3000, durationMs: 3000,
    external: [{ label: 'attack', clientId: 'attack/wrk/0', resolutionMs: 1000, byOutcome: { backend: 10, reject: 90, error: 2 },
      timeline: [{ t: 0, outcome: 'backend', n: 10 }, { t: 1000, outcome: 'reject', n: 40 }, { t: 2000, outcome: 'reject', n: 50 }] }],
  });
  assert.equal(f.attack.sent, 102);
  assert.equal(f.attack.stopped, 90);
  assert.equal(f.attack.errors, 2);
  assert.equal(f.attack.mitigationStartMs, 1000);
  assert.equal(f.attack.timeResolutionMs, 1000);
  assert.deepEqual(f.timeline.map((p) => p.attackStopped), [0, 40, 50]);
});

test('figures: with no stop there is no time to mitigate', () => {
  const f = computeFigures({ results: [res('attack', 'a', 10, 'backend')], external: [], arrivals: [arr('attack', 11)], resources: null, cpuSeconds: null, attackStartMs: 0, attackEndMs: 1000, durationMs: 1000 });
  assert.equal(f.attack.timeToMitigateMs, null);
  assert.equal(f.attack.reachedAfterMitigation, null);
  assert.equal(f.benign.duringAttack.successRate, null);
});

test('percentile picks the nearest rank', () => {
  assert.equal(percentile([], 50), null);
  assert.equal(percentile([1, 2, 3, 4], 50), 2);
  assert.equal(percentile([1, 2, 3, 4], 99), 4);
  assert.equal(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 99), 99);
});
