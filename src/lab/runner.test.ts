import { test } from 'node:test';
import assert from 'node:assert/strict';
import { entryAddressGroup, FIRST_ENTRY_GROUP, movedAddress, WARMUP_GROUP } from './runner.js';

test('client entries take the address groups from the run\'s base on, never the warm-up\'s', () => {
  assert.equal(entryAddressGroup(0), FIRST_ENTRY_GROUP);
  assert.equal(entryAddressGroup(2), FIRST_ENTRY_GROUP + 2);
  assert.equal(entryAddressGroup(2, 40), 42);
  assert.equal(entryAddressGroup(0, WARMUP_GROUP - 1), WARMUP_GROUP - 1);
  assert.throws(() => entryAddressGroup(1, WARMUP_GROUP - 1), /at most 1 client entries/);
  for (const bad of [9, WARMUP_GROUP, 12.5, Number.NaN]) {
    assert.throws(() => entryAddressGroup(0, bad), /first address group must be a whole number from 10 to 253/);
  }
});

test('a block action\'s address follows its entry to the run\'s base', () => {
  assert.equal(movedAddress('127.11.1.1', FIRST_ENTRY_GROUP), '127.11.1.1');
  assert.equal(movedAddress('127.11.1.1', 40), '127.41.1.1');
  assert.equal(movedAddress('127.10.3.250', 12), '127.12.3.250');
  // addresses outside the entries' groups are the operator's own: left as written
  assert.equal(movedAddress('127.0.0.1', 40), '127.0.0.1');
  assert.equal(movedAddress(`127.${WARMUP_GROUP}.1.1`, 40), `127.${WARMUP_GROUP}.1.1`);
  assert.equal(movedAddress('10.11.1.1', 40), '10.11.1.1');
  assert.equal(movedAddress('2001:db8::1', 40), '2001:db8::1');
});
