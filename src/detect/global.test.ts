import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGlobalTracker } from './global.js';

const opts = { baselineTauMs: 900_000, warmupMs: 10_000, minBaselineRps: 5, minSurgeRps: 50, enterRatio: 4, exitRatio: 2 };

function send(g: ReturnType<typeof createGlobalTracker>, fromMs: number, toMs: number, rps: number, path = '/', newClients = false) {
  let v = g.view();
  for (let t = fromMs; t < toMs; t += 1000 / rps) v = g.observe(t, path, newClients);
  return v;
}

test('declares a surge when the site rate jumps well above its baseline, and ends it when the rate falls back', () => {
  const g = createGlobalTracker(opts);
  const calm = send(g, 0, 60_000, 30, '/page');
  assert.equal(calm.surge, false);
  assert.ok(calm.baselineRps > 25 && calm.baselineRps < 35, `baseline ${calm.baselineRps}`);
  const spike = send(g, 60_000, 62_000, 400, '/search', true);
  assert.equal(spike.surge, true);
  assert.ok(spike.surgeStartMs >= 60_000 && spike.surgeStartMs < 62_000);
  assert.ok(spike.pathShare > 0.5, `path share ${spike.pathShare}`);
  assert.ok(spike.newClientsPerSec > 10);
  const after = send(g, 62_000, 80_000, 30, '/page');
  assert.equal(after.surge, false);
});

test('no surge during the warm-up, and a busy start becomes the baseline', () => {
  const g = createGlobalTracker(opts);
  const early = send(g, 0, 9_000, 300);
  assert.equal(early.surge, false);
  const later = send(g, 9_000, 30_000, 300);
  assert.equal(later.surge, false, 'the warm-up rate is the baseline, not a surge');
});

test('requests taken back with uncount do not feed a surge', () => {
  const g = createGlobalTracker(opts);
  send(g, 0, 60_000, 30);
  let v = g.view();
  for (let t = 60_000; t < 63_000; t += 2.5) { v = g.observe(t, '/', false); g.uncount(false); }
  assert.equal(v.surge, false);
});
