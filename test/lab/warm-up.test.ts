// The warm-up before a run, against a gateway the lab starts with detection enforcing: every one of
// its requests reaches the backend, so the gateway is warmed on the path the run measures (twenty
// quick requests from one address were blocked as a flood after about seven).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSystemClock } from '../../src/core/clock.js';
import { createThreadSink } from '../../src/lab/sink-thread.js';
import { startTarget } from '../../src/lab/targets.js';
import { entryAddressGroup, WARMUP_CLIENTS, WARMUP_GROUP, warmUp, warmupAddress } from '../../src/lab/runner.js';

test('the warm-up reaches the backend through an enforcing gateway, from addresses of its own group', async () => {
  const clock = createSystemClock();
  const sink = await createThreadSink({ app: 'minimal' });
  try {
    const target = await startTarget('gateway', sink.url);
    try {
      const outcomes = await warmUp(target.url, clock);
      assert.deepEqual(outcomes, { backend: 2 * WARMUP_CLIENTS }, JSON.stringify(outcomes));
      // the backend saw all twenty, two from each of the ten visitors
      await sink.flush();
      const seen = sink.arrivals().filter((a) => a.clientId.startsWith('warmup/'));
      assert.equal(seen.length, 2 * WARMUP_CLIENTS);
      assert.equal(new Set(seen.map((a) => a.clientId)).size, WARMUP_CLIENTS);
      // each visitor has its own address of the warm-up group, never a scenario's
      assert.equal(new Set(Array.from({ length: WARMUP_CLIENTS }, (_, i) => warmupAddress(i))).size, WARMUP_CLIENTS);
      assert.throws(() => entryAddressGroup(WARMUP_GROUP - 10), RangeError);
    } finally {
      await target.stop();
    }
  } finally {
    await sink.close();
  }
});
