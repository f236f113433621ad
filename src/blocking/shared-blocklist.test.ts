import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import type { RedisLink } from '../core/redis-link.js';
import { createManualClock } from '../core/clock.js';
import { createLogger } from '../core/logger.js';
import { createBlocklist } from './blocklist.js';
import { createSharedBlocklist } from './shared-blocklist.js';

/** A Redis link that records the keys written and the messages published, and delivers messages on demand. */
function fakeLink() {
  const keys = new Map<string, string>();
  const published: unknown[] = [];
  let deliver: (text: string) => void = () => {};
  const multi = () => {
    const ops: (() => void)[] = [];
    const chain = {
      set(k: string, v: string) { ops.push(() => keys.set(k, v)); return chain; },
      del(k: string) { ops.push(() => keys.delete(k)); return chain; },
      publish(_c: string, text: string) { ops.push(() => published.push(JSON.parse(text))); return chain; },
      exec() { for (const op of ops) op(); return Promise.resolve([]); },
    };
    return chain;
  };
  const link = {
    cmd: { multi, scan: () => Promise.resolve(['0', []]), mget: () => Promise.resolve([]) },
    ready: Promise.resolve(true),
    connected: () => true,
    onReconnect() {},
    subscribe(_c: string, fn: (t: string) => void) { deliver = fn; return Promise.resolve(); },
    failed(_op: string, err: unknown) { throw err; },
  } as unknown as RedisLink;
  return { link, keys, published, deliver: (m: unknown) => deliver(JSON.stringify(m)) };
}

test('the shared blocklist writes, publishes and applies canonical addresses only', async () => {
  const clock = createManualClock(1_000);
  const local = createBlocklist({ clock, maxEntries: 10 });
  const f = fakeLink();
  const shared = createSharedBlocklist({ local, link: f.link, keyPrefix: 't:', clock, logger: createLogger({ level: 'silent' }), registry: new Registry() });
  await shared.ready;
  shared.block('0:0:0:0:0:0:0:1', { durationSec: 60, reason: 'r', source: 'manual' });
  shared.block('::FFFF:127.1.1.1', { durationSec: 60, reason: 'r', source: 'manual' });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual([...f.keys.keys()].sort(), ['t:block:127.1.1.1', 't:block:::1']);
  assert.ok(shared.unblock('::ffff:7f01:101'));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual([...f.keys.keys()], ['t:block:::1']);
  assert.deepEqual(f.published.at(-1), { op: 'unblock', ip: '127.1.1.1', from: (f.published[0] as { from: string }).from });
  // another replica's messages, in whatever spelling, land on the canonical entry
  f.deliver({ op: 'block', entry: { ip: '2001:0DB8::6', reason: 'r', source: 'detector', blockedAt: 1_000, expiresAt: 60_000 }, from: 'other' });
  assert.equal(shared.get('2001:db8::6')?.ip, '2001:db8::6');
  f.deliver({ op: 'unblock', ip: '0000::1', from: 'other' });
  assert.equal(shared.get('::1'), undefined);
  assert.deepEqual(shared.list().map((e) => e.ip), ['2001:db8::6']);
});
