import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '../core/clock.js';
import { createSessionStore, type EvictReason } from './sessions.js';

test('a created session is found by id until it has been idle for the TTL', () => {
  const clock = createManualClock(1_000);
  const evicted: EvictReason[] = [];
  const store = createSessionStore({ clock, ttlMs: 1_000, onEvict: (r) => evicted.push(r) });
  const s = store.create('reader');
  assert.match(s.id, /^[A-Za-z0-9_-]{43}$/);
  clock.advance(900);
  assert.equal(store.get(s.id)?.user, 'reader'); // use slides the expiry
  clock.advance(900);
  assert.equal(store.get(s.id)?.user, 'reader');
  clock.advance(1_000);
  assert.equal(store.get(s.id), undefined);
  assert.deepEqual(evicted, ['expired']);
  assert.equal(store.size, 0);
});

test('beyond capacity the least recently used session is evicted', () => {
  const clock = createManualClock();
  const evicted: EvictReason[] = [];
  const store = createSessionStore({ clock, maxSessions: 3, onEvict: (r) => evicted.push(r) });
  const [a, b, c] = [store.create('a'), store.create('b'), store.create('c')];
  assert.ok(store.get(a.id)); // a is now the most recently used
  const d = store.create('d');
  assert.equal(store.size, 3);
  assert.equal(store.get(b.id), undefined);
  for (const s of [a, c, d]) assert.ok(store.get(s.id), s.user);
  assert.deepEqual(evicted, ['capacity']);
});

test('a flood of sessions stays bounded and expired ones are swept on create', () => {
  const clock = createManualClock();
  const evicted: EvictReason[] = [];
  const store = createSessionStore({ clock, maxSessions: 100, ttlMs: 10_000, onEvict: (r) => evicted.push(r) });
  for (let i = 0; i < 1_000; i++) store.create(`u${i}`);
  assert.equal(store.size, 100);
  assert.equal(evicted.filter((r) => r === 'capacity').length, 900);
  clock.advance(10_000);
  store.create('late');
  assert.equal(store.size, 1);
  assert.equal(evicted.filter((r) => r === 'expired').length, 100);
});

test('malformed, unknown and destroyed ids find nothing', () => {
  const store = createSessionStore({ clock: createManualClock() });
  const s = store.create('reader');
  assert.equal(store.get('x'), undefined);
  assert.equal(store.get(`${s.id}x`), undefined);
  assert.equal(store.get('A'.repeat(43)), undefined);
  assert.equal(store.destroy(s.id), true);
  assert.equal(store.get(s.id), undefined);
  assert.throws(() => createSessionStore({ clock: createManualClock(), maxSessions: 0 }), RangeError);
});
