import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '../core/clock.js';
import { createRateLimiter } from './rate-limit.js';

test('allows a burst, then refuses until tokens refill', () => {
  const clock = createManualClock(0);
  const rl = createRateLimiter({ ratePerSecond: 2, burst: 3, maxClients: 10 }, clock);
  assert.deepEqual([rl.take('a'), rl.take('a'), rl.take('a')], [0, 0, 0]);
  assert.ok(rl.take('a') >= 1, 'fourth request in the same instant is refused');
  assert.equal(rl.take('b'), 0, 'another client has its own bucket');
  clock.advance(500);
  assert.equal(rl.take('a'), 0, 'one token back after 0.5 s at 2/s');
  assert.ok(rl.take('a') >= 1);
});

test('forgets the least recently seen client when full', () => {
  const clock = createManualClock(0);
  const rl = createRateLimiter({ ratePerSecond: 1, burst: 1, maxClients: 2 }, clock);
  rl.take('a');
  rl.take('b');
  rl.take('c');
  assert.equal(rl.size, 2);
  assert.equal(rl.take('a'), 0, 'a was evicted, so it starts with a full bucket again');
  assert.ok(rl.take('c') >= 1, 'c is still tracked and empty');
});
