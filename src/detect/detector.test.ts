import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { createManualClock } from '../core/clock.js';
import { createLogger } from '../core/logger.js';
import { parseDetectionConfig, type DetectionConfigInput } from './config.js';
import { createDetector } from './detector.js';
import type { Decision, RequestObservation } from './types.js';
import { signalsOf } from './signals.js';

const BOT = signalsOf({ host: 'site', 'user-agent': 'python-requests/2.31.0', accept: '*/*' });
function setup(cfg: DetectionConfigInput = {}) {
  const clock = createManualClock(Date.UTC(2026, 0, 1));
  const registry = new Registry();
  const detector = createDetector({ config: parseDetectionConfig(cfg), clock, logger: createLogger({ level: 'silent' }), registry });
  const send = (key: string, path = '/', challengePassed = false): Decision => {
    const obs: RequestObservation = { clientKey: key, ip: key, timestampMs: clock.now(), method: 'GET', path, query: '', httpVersion: '1.1', signals: BOT, headerCount: 3, contentLength: 0 };
    return detector.inspect(obs, { challengePassed });
  };
  return { clock, registry, detector, send };
}

/** Floods at 200 req/s until the first block; returns it and the number of requests it took. */
function floodUntilBlock(s: ReturnType<typeof setup>, key: string): { d: Decision; n: number } {
  for (let n = 1; n <= 5000; n++) {
    s.clock.advance(5);
    const d = s.send(key);
    if (d.action === 'block') return { d, n };
  }
  throw new Error('never blocked');
}

test('blocks a flooding client, with a longer block for a repeat offender, capped', () => {
  const s = setup({ policy: { block: { baseSec: 60, multiplier: 3, maxSec: 400 } } });
  const first = floodUntilBlock(s, '203.0.113.1');
  assert.equal(first.d.blockSeconds, 60);
  assert.equal(first.d.enforced, true);
  assert.ok(first.n < 200, `blocked after ${first.n} requests`);
  s.clock.advance(61_000); // block over: the gateway lets it back in
  assert.equal(floodUntilBlock(s, '203.0.113.1').d.blockSeconds, 180);
  s.clock.advance(181_000);
  assert.equal(floodUntilBlock(s, '203.0.113.1').d.blockSeconds, 400);
});

test('shadow mode decides the same but enforces nothing, and metrics say so', async () => {
  const s = setup({ shadow: true });
  const { d } = floodUntilBlock(s, '203.0.113.2');
  assert.equal(d.enforced, false);
  const m = await s.registry.metrics();
  assert.match(m, /ddos_shield_detector_decisions_total\{action="block",reason="[a-z0-9-]+",enforced="false"\} 1/);
  assert.match(m, /ddos_shield_detector_clients 1/);
});

test('a rule can be in shadow on its own while the rest is enforced', () => {
  const s = setup({ policy: { thresholds: [], rules: [{ id: 'fast', feature: 'rate_1s', above: 20, minRequests: 5, action: 'throttle', shadow: true }] } });
  let d: Decision | undefined;
  for (let i = 0; i < 50; i++) { s.clock.advance(10); d = s.send('203.0.113.3'); }
  assert.equal(d?.action, 'throttle');
  assert.equal(d?.reason, 'fast');
  assert.equal(d?.enforced, false);
  assert.equal(d?.retryAfterSec, 10);
});

test('a client that ignores challenges is blocked; a client that passed one is let through', () => {
  const s = setup({ stage2: false, minRequestsForScore: 1, policy: { thresholds: [{ minScore: 0, action: 'challenge' }], rules: [], challenge: { maxUnanswered: 3 } } });
  const seen: string[] = [];
  for (let i = 0; i < 8; i++) { s.clock.advance(2000); seen.push(s.send('198.51.100.9').reason); }
  assert.ok(seen.includes('challenge-ignored'), seen.join(','));
  const passed: string[] = [];
  for (let i = 0; i < 8; i++) { s.clock.advance(2000); passed.push(s.send('198.51.100.10', '/', i >= 4).action); }
  assert.deepEqual(passed.slice(4), ['allow', 'allow', 'allow', 'allow']);
});

test('explains a client: features, scores, top contributions and last decisions', () => {
  const s = setup();
  floodUntilBlock(s, '203.0.113.4');
  s.detector.complete('203.0.113.4', 404, 10, 1);
  const e = s.detector.explain('203.0.113.4');
  assert.ok(e);
  assert.ok(e.requests >= 8);
  assert.ok(e.features.rate_1s > 1);
  assert.ok(e.features.not_found_ratio > 0);
  assert.equal(e.stage1.top.length, 5);
  assert.ok(e.stage2 && e.stage2.score > 0.9);
  assert.equal(e.lastDecisions.at(-1)?.action, 'block');
  assert.equal(s.detector.explain('192.0.2.200'), undefined);
  const st = s.detector.stats();
  assert.equal(st.clients, 1);
  assert.ok(st.decisions.block >= 1);
  assert.notEqual(st.model.stage2, 'none');
});

test('forgets the least recently seen clients beyond the table size', () => {
  const s = setup({ clientTableSize: 16 });
  for (let i = 0; i < 40; i++) { s.clock.advance(100); s.send(`10.0.0.${i}`); }
  const st = s.detector.stats();
  assert.equal(st.clients, 16);
  assert.equal(st.evictions, 24);
  assert.equal(s.detector.explain('10.0.0.0'), undefined);
  assert.ok(s.detector.explain('10.0.0.39'));
});

test('rejects unknown and invalid settings, listing every problem', () => {
  assert.throws(() => parseDetectionConfig({ shadw: true, clientTableSize: -1 }), (err: Error) => /shadw/.test(err.message) && /clientTableSize/.test(err.message));
});

test("other replicas' requests count in a client's rates, exactly as if they had come here", () => {
  const here = setup();
  const alone = setup();
  // the same 60 requests over 6 s: on `here` every other one is reported by another replica in 0.5 s batches
  for (let i = 1; i <= 60; i++) {
    here.clock.advance(100);
    alone.clock.advance(100);
    alone.send('198.51.100.7');
    if (i % 2 === 1) here.send('198.51.100.7');
    if (i % 5 === 0) here.detector.remote('198.51.100.7', i % 10 === 0 ? 3 : 2); // 5 requests in two batches per second
  }
  here.clock.advance(100);
  alone.clock.advance(100);
  const h = here.detector.explain('198.51.100.7')!;
  const a = alone.detector.explain('198.51.100.7')!;
  for (const f of ['rate_1s', 'rate_10s', 'rate_60s'] as const) {
    assert.ok(Math.abs(h.features[f] - a.features[f]) / a.features[f] < 0.12, `${f}: ${h.features[f]} here, ${a.features[f]} alone`);
  }
  assert.equal(h.requests, 30, 'the request count is this replica\'s own');
  // a client known only from other replicas: rates go on, its own features start with its first request here
  const s = setup();
  s.detector.remote('198.51.100.8', 40);
  s.clock.advance(200);
  s.send('198.51.100.8');
  const e = s.detector.explain('198.51.100.8')!;
  assert.equal(e.requests, 1);
  assert.ok(e.features.rate_10s > 3.9 && e.features.rate_10s < 4.2, `rate_10s ${e.features.rate_10s}`);
  assert.ok(Number.isFinite(e.features.iat_mean_s) && Number.isFinite(e.features.iat_cv));
});
