import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pacing } from './measure.js';

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
