import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { requestEventSchema } from '../../src/dashboard/schemas.js';
import { validateEvent } from '../../src/dashboard/validate-event.js';
import { makeEvent } from './helpers.js';

/** Values tried in every field: well-formed ones and the edges around each rule. */
const CANDIDATES: unknown[] = [
  undefined, null, true, false, 0, 1, -1, 0.5, 1.0000001, 99, 100, 599, 600, 2.5, 3_600_000, 3_600_001, Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2, NaN, Infinity, '', 'x', 'GET', 'get', 'G3T', 'A'.repeat(16), 'A'.repeat(17), 'a'.repeat(128), 'a'.repeat(129),
  'r'.repeat(512), 'r'.repeat(513), 'p'.repeat(2048), 'p'.repeat(2049), '/books?q=1', '1', '0',
  '2026-11-23T12:00:00Z', '2026-11-23T12:00:00.123Z', '2026-11-23T12:00:00+01:00', '2026-11-23T12:00Z', '2026-02-30T12:00:00Z',
  '2026-11-23 12:00:00Z', '2026-11-23T12:00:00', '2026-11-23T24:00:00Z', '2024-02-29T00:00:00.5-11:30',
  '192.0.2.1', '256.0.0.1', '01.2.3.4', '1.2.3', '2001:db8::1', '::1', '::', '::ffff:192.0.2.1', '2001:db8::1%eth0', ':::1',
  '::1\n', '::@1', 'fe80::1:2:3:4:5:6:7:8', 'NORMAL', 'SUSPICIOUS', 'DDoS', 'BLOCKED', 'normal', 'allow', 'challenge',
  'throttle', 'block', 'error', 'deny', [], [1], {}, { a: 1 }, { a: 'x' }, { a: NaN }, { ['k'.repeat(65)]: 1 },
  Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`f${i}`, i])), Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`f${i}`, i])),
];

const FIELDS = ['timestamp', 'source_ip', 'path', 'method', 'user_agent', 'prediction', 'confidence', 'is_blocked', 'status',
  'response_time_ms', 'size', 'gateway_id', 'action', 'reason', 'features'] as const;

function agree(raw: unknown, what: string): void {
  const fast = validateEvent(raw);
  const zod = requestEventSchema.safeParse(raw);
  assert.equal(fast.ok, zod.success, `${what}: validator and schema disagree`);
  if (fast.ok && zod.success) assert.deepEqual(fast.value, zod.data, what);
}

/** Deterministic pseudo-random source (xorshift32). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 2 ** 32; };
}

describe('event validation', () => {
  it('gives the schema\'s answer and output for every field set to every candidate value', () => {
    const bases = [makeEvent(), makeEvent({ source_ip: '2001:db8::7', is_blocked: true, action: 'block', features: { rate_1s: 80 } })];
    for (const base of bases) {
      agree(base, 'well-formed');
      agree({ ...base, is_blocked: 1 }, 'is_blocked as 1');
      for (const field of FIELDS) {
        for (const [i, v] of CANDIDATES.entries()) agree({ ...base, [field]: v }, `${field} = candidate ${i}`);
        const without: Record<string, unknown> = { ...base };
        delete without[field];
        agree(without, `without ${field}`);
      }
      agree({ ...base, extra: 1 }, 'unknown field');
      agree(JSON.parse(`{"__proto__": {"x": 1}, ${JSON.stringify(base).slice(1)}`), '__proto__ field');
      agree({ ...base, features: JSON.parse('{"__proto__": 1}') }, '__proto__ feature');
    }
    for (const v of [null, 1, 'x', [], [makeEvent()]]) agree(v, `not an object: ${JSON.stringify(v)}`);
  });

  it('agrees with the schema on random combinations', () => {
    const next = rng(20261201);
    for (let n = 0; n < 20_000; n++) {
      const e: Record<string, unknown> = { ...makeEvent() };
      const changes = 1 + Math.floor(next() * 3);
      for (let k = 0; k < changes; k++) {
        const field = FIELDS[Math.floor(next() * FIELDS.length)]!;
        e[field] = CANDIDATES[Math.floor(next() * CANDIDATES.length)];
        if (e[field] === undefined && next() < 0.5) delete e[field];
      }
      agree(e, `random event ${n}: ${JSON.stringify(e)}`);
    }
  });

  it('names the field in every reason', () => {
    const r = validateEvent({ ...makeEvent(), confidence: 'high', status: 99, source_ip: 'not-an-ip' });
    assert.equal(r.ok, false);
    if (!r.ok) {
      for (const field of ['confidence', 'status', 'source_ip']) assert.ok(r.issues.some((i) => i.startsWith(`${field}:`)), `${field} in ${r.issues.join('; ')}`);
    }
  });
});
