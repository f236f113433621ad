import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCidrMatcher, normalizeIp, parseCidr, parseIp } from './ip.js';
import { createClientAddressResolver } from './client-address.js';

test('normalizes IPv4-mapped IPv6 and rejects non-addresses', () => {
  assert.equal(normalizeIp('::ffff:10.1.2.3'), '10.1.2.3');
  assert.equal(parseIp(' 2001:DB8::1 '), '2001:db8::1');
  assert.equal(parseIp('999.1.1.1'), undefined);
  assert.equal(parseIp('example.com'), undefined);
});

test('gives every spelling of an address one canonical text (RFC 5952 for IPv6, IPv4 for mapped)', () => {
  const cases: [string, string][] = [
    ['0:0:0:0:0:0:0:1', '::1'], ['0000::1', '::1'], ['::1', '::1'], ['[::1]', '::1'], ['2001:0db8::6', '2001:db8::6'],
    ['2001:DB8:0:0:0:0:0:6', '2001:db8::6'], ['::FFFF:127.1.1.1', '127.1.1.1'], ['0:0:0:0:0:ffff:127.1.1.1', '127.1.1.1'],
    ['::ffff:7f01:101', '127.1.1.1'], ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'], ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['1:0:1:1:1:1:1:1', '1:0:1:1:1:1:1:1'], ['::', '::'], ['1::', '1::'], ['::ffff:0:1.2.3.4', '::ffff:0:102:304'],
    ['64:FF9B::192.0.2.33', '64:ff9b::c000:221'], ['fe80::1%eth0', 'fe80::1%eth0'], ['10.1.2.3', '10.1.2.3'],
  ];
  for (const [input, want] of cases) {
    assert.equal(parseIp(input), want, input);
    assert.equal(normalizeIp(input), want, input);
  }
  assert.equal(normalizeIp('not an address'), 'not an address');
});

test('an IPv4-mapped IPv6 CIDR is the IPv4 network, prefix - 96', () => {
  assert.deepEqual(parseCidr('::ffff:127.40.0.0/120'), { text: '127.40.0.0/24', address: '127.40.0.0', prefix: 24, family: 'ipv4' });
  assert.equal(parseCidr('::ffff:127.40.0.1').prefix, 32);
  assert.throws(() => parseCidr('::ffff:127.40.0.0/95'), /prefix of 96\.\.128/);
  assert.throws(() => parseCidr('::ffff:127.40.0.0/129'), /prefix of 96\.\.128/);
});

test('parses CIDRs and reports what is wrong', () => {
  assert.deepEqual(parseCidr('10.0.0.0/8'), { text: '10.0.0.0/8', address: '10.0.0.0', prefix: 8, family: 'ipv4' });
  assert.equal(parseCidr('::1').prefix, 128);
  assert.throws(() => parseCidr('10.0.0.0/33'), /prefix must be 0..32/);
  assert.throws(() => parseCidr('nope/8'), /not an IP address/);
});

test('matches addresses inside compiled CIDR lists only', () => {
  const m = createCidrMatcher(['10.0.0.0/8', '2001:db8::/32', '192.168.1.7']);
  assert.ok(m.has('10.200.3.4'));
  assert.ok(m.has('2001:db8:ffff::1'));
  assert.ok(m.has('192.168.1.7'));
  assert.ok(!m.has('192.168.1.8'));
  assert.ok(!m.has('11.0.0.1'));
  assert.ok(!createCidrMatcher([]).has('10.0.0.1'));
});

test('ignores X-Forwarded-For from an untrusted peer', () => {
  const resolve = createClientAddressResolver(createCidrMatcher(['10.0.0.0/8']));
  assert.equal(resolve('203.0.113.9', '1.2.3.4'), '203.0.113.9');
});

test('takes the right-most untrusted hop when the peer is a trusted proxy', () => {
  const resolve = createClientAddressResolver(createCidrMatcher(['10.0.0.0/8']));
  assert.equal(resolve('::ffff:10.0.0.5', '6.6.6.6, 198.51.100.7, 10.0.0.9'), '198.51.100.7');
  assert.equal(resolve('10.0.0.5', undefined), '10.0.0.5');
  assert.equal(resolve('10.0.0.5', 'garbage'), '10.0.0.5');
});
