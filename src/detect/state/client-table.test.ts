import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClientTable } from './client-table.js';

test('gives each new key its own slot and finds it again', () => {
  const t = createClientTable(4);
  const a = { ...t.touch('a') }; // touch's result is reused by the next call
  const b = { ...t.touch('b') };
  assert.equal(a.created, true);
  assert.notEqual(a.slot, b.slot);
  assert.deepEqual(t.touch('a'), { slot: a.slot, created: false });
  assert.equal(t.size(), 2);
  assert.equal(t.keyOf(b.slot), 'b');
  assert.equal(t.touch('c'), t.touch('a'), 'one result object');
});

test('evicts the least recently seen client when full and resets its slot', () => {
  const t = createClientTable(3);
  const a = t.touch('a').slot;
  t.touch('b');
  t.touch('c');
  t.requests[a] = 7;
  t.touch('a'); // a is now the most recent; b is the oldest
  const d = t.touch('d');
  assert.equal(t.peek('b'), -1);
  assert.equal(t.evictions(), 1);
  assert.equal(t.size(), 3);
  assert.equal(t.requests[a], 7);
  t.requests[d.slot] = 3;
  t.touch('e'); // evicts c
  t.touch('f'); // evicts a
  assert.equal(t.peek('a'), -1);
  const again = t.touch('a');
  assert.equal(again.created, true);
  assert.equal(t.requests[again.slot], 0);
});

test('rejects a capacity that is not a positive integer', () => {
  assert.throws(() => createClientTable(0), /positive integer/);
  assert.throws(() => createClientTable(1.5), /positive integer/);
});
