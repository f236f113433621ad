import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGatewayMetrics, statusClass } from './metrics.js';

test('responseOf counts each status in its class, as statusClass names it', () => {
  const m = createGatewayMetrics({ defaultMetrics: false });
  for (const s of [0, 99, 100, 101, 199, 200, 204, 299, 304, 399, 404, 429, 499, 500, 503, 599, 600, 999]) {
    assert.equal(m.responseOf(s), m.responseByClass[statusClass(s)], String(s));
  }
});
