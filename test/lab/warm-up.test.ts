// The warm-up before a run, against a gateway the lab starts with detection enforcing: every one of
// its requests reaches the backend, so the gateway is warmed on the path the run measures (twenty
// quick requests from one address were blocked as a flood after about seven).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSystemClock } from '../../src/core/clock.js';
import { createThreadSink } from '../../src/lab/sink-thread.js';
import { startTarget } from '../../src/lab/targets.js';
import { WARMUP_CLIENTS, WARMUP_GROUP, warmUp, warmupAddress } from '../../src/lab/runner.js';

test('the warm-up reaches the backend through an enforcing gateway, from addresses of its own group', async () => {
  const clock = createSystemClock();
  const sink = await createThreadSink({ app: 'minimal' });
  try {
    const target = await startTarget('gateway', sink.url);
    try {
      const outcomes = await warmUp(target.url, clock);
      assert.deepEqual(outcomes, { backend: 2 * WARMUP_CLIENTS }, JSON.stringify(outcomes));
      const addresses = new Set(Array.from({ length: WARMUP_CLIENTS }, (_, i) => warmupAddress(i)));
      assert.equal(addresses.size, WARMUP_CLIENTS);
      for (const a of addresses) assert.ok(a.startsWith(`127.${WARMUP_GROUP}.`), a);

    } finally {
      await target.stop();
    }
  } finally {
    await sink.close();
  }
});
