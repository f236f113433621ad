import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectionTokens } from './headers.js';

test('Connection names the fields that are hop-by-hop on this hop; keep-alive and close name none', () => {
  assert.equal(connectionTokens(undefined), null);
  assert.equal(connectionTokens('keep-alive'), null);
  assert.equal(connectionTokens('Close'), null);
  assert.equal(connectionTokens('KEEP-ALIVE'), null);
  assert.deepEqual(connectionTokens('keep-alive, X-Trace'), new Set(['x-trace']));
  assert.deepEqual(connectionTokens(['close', ' X-A ,x-b']), new Set(['x-a', 'x-b']));
  assert.deepEqual(connectionTokens('x-close'), new Set(['x-close']));
});
