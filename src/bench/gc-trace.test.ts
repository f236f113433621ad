import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarizeGcTrace } from './gc-trace.js';

test('collection lines are summed by kind; other lines are skipped', () => {
  const text = [
    '{"level":30,"msg":"gateway listening"}',
    '[7324:0x41d3da00]     8694 ms: pause=0.8 mutator=92.5 gc=s reduce_memory=0 scavenge=0.68 allocated=1000 promoted=0',
    '[7324:0x41d3da00]     8794 ms: pause=1.5 mutator=90.1 gc=s reduce_memory=0 scavenge=1.2 allocated=2500 promoted=10',
    '[7324:0x41d3da00]     9000 ms: pause=6.0 mutator=300 gc=mc reduce_memory=0 allocated=500 promoted=3',
    'pause=2.0 without a kind is not a collection line',
  ].join('\n');
  const s = summarizeGcTrace(text);
  assert.equal(s.allocatedBytes, 4000);
  assert.deepEqual(s.scavengePausesMs, [0.8, 1.5]);
  assert.deepEqual(s.fullPausesMs, [6]);
  assert.deepEqual(summarizeGcTrace(''), { allocatedBytes: 0, scavengePausesMs: [], fullPausesMs: [] });
});
