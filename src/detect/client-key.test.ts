import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientKeyOf } from './client-key.js';

test('keeps IPv4 addresses as they are and unwraps IPv4-mapped IPv6', () => {
  assert.equal(clientKeyOf('203.0.113.7'), '203.0.113.7');
  assert.equal(clientKeyOf('::ffff:203.0.113.7'), '203.0.113.7');
});

test('aggregates IPv6 addresses of one /64 under one key', () => {
  const a = clientKeyOf('2001:db8:1:2:aaaa:bbbb:cccc:dddd');
  const b = clientKeyOf('2001:db8:1:2::1');
  assert.equal(a, b);
  assert.equal(a, '2001:db8:1:2::/64');
  assert.notEqual(clientKeyOf('2001:db8:1:3::1'), a);
});

test('honours a configured IPv6 prefix length', () => {
  assert.equal(clientKeyOf('2001:db8:1:2::1', 48), '2001:db8:1::/48');
  assert.equal(clientKeyOf('2001:db8:1:2::1', 128), '2001:db8:1:2::1/128');
  assert.equal(clientKeyOf('2001:db8:1:2:3:4:5:6', 56), '2001:db8:1::/56');
  assert.equal(clientKeyOf('2001:db8:1:2ff::1', 56), '2001:db8:1:200::/56');
});

test('handles loopback, zone ids and embedded IPv4 tails', () => {
  assert.equal(clientKeyOf('::1', 128), '::1/128');
  assert.equal(clientKeyOf('fe80::1%eth0'), 'fe80::/64');
  assert.equal(clientKeyOf('64:ff9b::192.0.2.33', 128), '64:ff9b::c000:221/128');
});
