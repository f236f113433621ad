import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '../core/clock.js';
import { createBlocklist } from './blocklist.js';
import { createAllowlist, networkOf } from './allowlist.js';

test('a block expires after its duration', () => {
  const clock = createManualClock(1_000_000);
  const bl = createBlocklist({ clock, maxEntries: 10 });
  bl.block('10.0.0.1', { durationSec: 600, reason: 'flood', source: 'manual' });
  clock.advance(599_999);
  assert.equal(bl.get('10.0.0.1')?.reason, 'flood');
  clock.advance(1);
  assert.equal(bl.get('10.0.0.1'), undefined);
  assert.equal(bl.size(), 0);
});

test('stays within its bound by dropping the entry closest to expiry', () => {
  const clock = createManualClock(0);
  const sizes: number[] = [];
  const bl = createBlocklist({ clock, maxEntries: 2, onChange: (n) => sizes.push(n) });
  bl.block('10.0.0.1', { durationSec: 100, reason: 'r', source: 's' });
  bl.block('10.0.0.2', { durationSec: 10, reason: 'r', source: 's' });
  bl.block('10.0.0.3', { durationSec: 50, reason: 'r', source: 's' });
  assert.deepEqual(bl.list().map((e) => e.ip).sort(), ['10.0.0.1', '10.0.0.3']);
  assert.equal(sizes.at(-1), 2);
  assert.ok(bl.unblock('10.0.0.1'));
  assert.ok(!bl.unblock('10.0.0.1'));
});

test('allowlist matches CIDRs and recompiles on change', () => {
  const al = createAllowlist(['10.0.0.0/8']);
  assert.ok(al.has('10.9.9.9'));
  assert.ok(!al.has('192.168.0.1'));
  assert.ok(al.add('192.168.0.0/16'));
  assert.ok(!al.add('192.168.0.0/16'));
  assert.ok(al.has('192.168.0.1'));
  assert.ok(al.remove('10.0.0.0/8'));
  assert.ok(!al.has('10.9.9.9'));
  assert.throws(() => al.add('300.0.0.0/8'), /not an IP address/);
});

test('restore keeps an entry made elsewhere as it is, and refuses one already expired', () => {
  const clock = createManualClock(10_000);
  const bl = createBlocklist({ clock, maxEntries: 10 });
  const e = { ip: '10.0.0.7', reason: 'scan', source: 'detector', blockedAt: 5_000, expiresAt: 20_000 };
  assert.equal(bl.restore(e), true);
  assert.deepEqual(bl.get('10.0.0.7'), e);
  assert.equal(bl.restore({ ...e, ip: '10.0.0.8', expiresAt: 10_000 }), false);
  assert.equal(bl.size(), 1);
  clock.advance(10_000);
  assert.equal(bl.get('10.0.0.7'), undefined);
});

test('allowlist entries are kept as their network, one entry per network', () => {
  const al = createAllowlist(['10.1.2.3/8', '10.0.0.0/8', '192.168.1.1', '2001:DB8::5/32']);
  assert.deepEqual(al.list(), ['10.0.0.0/8', '192.168.1.1/32', '2001:db8::/32']);
  assert.ok(!al.add('10.200.0.1/8'), 'the same network written with host bits');
  assert.ok(al.add('10.9.8.7/16'));
  assert.ok(al.list().includes('10.9.0.0/16'));
  assert.ok(al.remove('10.9.255.255/16'));
  assert.ok(!al.list().includes('10.9.0.0/16'));
});

test('networkOf clears host bits for IPv4 and IPv6 and writes IPv6 in its canonical form', () => {
  const cases: [string, string][] = [
    ['10.1.2.3/8', '10.0.0.0/8'], ['192.168.1.1', '192.168.1.1/32'], ['1.2.3.4/0', '0.0.0.0/0'], ['255.255.255.255/31', '255.255.255.254/31'],
    ['172.31.1.1/12', '172.16.0.0/12'], ['::1', '::1/128'], ['2001:db8:1:2:3:4:5:6/64', '2001:db8:1:2::/64'], ['FE80::1/10', 'fe80::/10'],
    ['64:ff9b::192.0.2.33/120', '64:ff9b::c000:200/120'], ['::/0', '::/0'], ['1:0:0:1:0:0:0:1', '1:0:0:1::1/128'],
  ];
  for (const [input, want] of cases) assert.equal(networkOf(input), want, input);
  assert.throws(() => networkOf('10.0.0.0/33'), /prefix/);
});

test('every address is keyed by its canonical text, whatever spelling block, get, unblock or restore is given', () => {
  const clock = createManualClock(0);
  const bl = createBlocklist({ clock, maxEntries: 10 });
  const opts = { durationSec: 60, reason: 'r', source: 'manual' };
  assert.equal(bl.block('0:0:0:0:0:0:0:1', opts).ip, '::1');
  assert.equal(bl.block('::FFFF:127.1.1.1', opts).ip, '127.1.1.1');
  assert.equal(bl.block('2001:0DB8:0000::0006', opts).ip, '2001:db8::6');
  assert.equal(bl.block('[2001:db8::6]', opts).ip, '2001:db8::6', 'one entry per address');
  assert.deepEqual(bl.list().map((e) => e.ip), ['::1', '127.1.1.1', '2001:db8::6']);
  // the form the gateway gives client addresses finds them, and so does any other spelling
  assert.ok(bl.get('::1'));
  assert.ok(bl.get('127.1.1.1'));
  assert.ok(bl.get('0000::1'));
  assert.ok(bl.get('::ffff:7f01:101'));
  assert.equal(bl.get('::2'), undefined);
  assert.equal(bl.get('not an address'), undefined);
  assert.ok(bl.unblock('::ffff:127.1.1.1'));
  assert.ok(bl.unblock('2001:db8:0:0:0:0:0:6'));
  assert.deepEqual(bl.list().map((e) => e.ip), ['::1']);
  // an entry from another process (Redis, the cluster primary) is stored under the canonical text too
  assert.ok(bl.restore({ ip: '::FFFF:10.0.0.9', reason: 'r', source: 'detector', blockedAt: 0, expiresAt: 60_000 }));
  assert.equal(bl.get('10.0.0.9')?.ip, '10.0.0.9');
  assert.equal(bl.restore({ ip: 'garbage', reason: 'r', source: 'detector', blockedAt: 0, expiresAt: 60_000 }), false);
  assert.throws(() => bl.block('example.com', opts), /not an IP address/);
  assert.equal(bl.size(), 2);
});

test('an IPv4-mapped IPv6 allowlist network is the IPv4 network (prefix - 96)', () => {
  assert.equal(networkOf('::ffff:127.40.0.0/120'), '127.40.0.0/24');
  assert.equal(networkOf('::FFFF:10.1.2.3/104'), '10.0.0.0/8');
  assert.equal(networkOf('::ffff:10.1.2.3'), '10.1.2.3/32');
  assert.equal(networkOf('::ffff:a01:203/128'), '10.1.2.3/32');
  assert.throws(() => networkOf('::ffff:10.0.0.0/64'), /IPv4-mapped IPv6 network needs a prefix of 96\.\.128.*IPv4 form 10\.0\.0\.0\/n/);
  const al = createAllowlist([]);
  assert.ok(al.add('::ffff:127.40.0.0/120'));
  assert.deepEqual(al.list(), ['127.40.0.0/24']);
  assert.ok(al.has('127.40.0.77'));
  assert.ok(!al.has('127.41.0.1'));
  assert.ok(!al.add('127.40.0.0/24'), 'the same network in its IPv4 form');
  assert.ok(al.remove('::ffff:127.40.0.0/120'));
});
