import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onlyTargets } from './args.js';

test('--only picks the named targets in their own order, all of them when none is named', () => {
  const all = [{ key: 'gateway' }, { key: 'quiet' }, { key: 'floor' }];
  assert.deepEqual(onlyTargets(all, []).map((t) => t.key), ['gateway', 'quiet', 'floor']);
  assert.deepEqual(onlyTargets(all, ['floor', 'gateway']).map((t) => t.key), ['gateway', 'floor']);
  assert.notEqual(onlyTargets(all, []), all, 'a copy: the caller may change it');
});
