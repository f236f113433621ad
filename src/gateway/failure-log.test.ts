import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createLogger } from '../core/logger.js';
import { createManualClock } from '../core/clock.js';
import { createUpstreamFailureLog } from './failure-log.js';

test('the first failure of a backend and kind is logged at once, then one line per window with the failures since', async () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new PassThrough();
  sink.on('data', (c: Buffer) => { for (const l of c.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>); });
  const clock = createManualClock(1_000);
  const log = createUpstreamFailureLog(createLogger({ level: 'info', destination: sink }), clock, 10_000);
  const err = new Error('connect ECONNREFUSED 127.0.0.1:9');
  log('b1', 'connect', 502, err);
  for (let i = 0; i < 6; i++) { clock.advance(1_000); log('b1', 'connect', 502, err); }
  log('b2', 'connect', 502, err); // another backend has its own window
  log('b1', 'timeout', 504, err); // and another kind
  clock.advance(5_000);
  log('b1', 'connect', 502, err); // 11 s after the first: the window is over
  await new Promise((r) => setImmediate(r));
  const b1 = lines.filter((l) => l.backend === 'b1' && l.kind === 'connect');
  assert.deepEqual(b1.map((l) => l.failures), [1, 7], 'the second line counts the six held back and itself');
  assert.equal(lines.length, 4);
  assert.ok(lines.every((l) => l.level === 40 && l.msg === 'upstream request failed'));
});
