import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClientTable, RING } from '../state/client-table.js';
import { emptySignals, type HeaderSignals } from '../signals.js';
import type { RequestObservation } from '../types.js';
import { computeFeatures, newFeatureVector, observe } from './observe.js';
import { F } from './names.js';

/** Normalised Shannon entropy of a list, straight from the definition. */
function reference(values: readonly string[]): number {
  if (values.length < 2) return 0;
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) { const p = c / values.length; h -= p * Math.log2(p); }
  return h / Math.log2(values.length);
}

interface Req { path: string; query?: string; ua?: string; cookie?: string }

/** Feeds the requests to one client and returns its features after the last one. */
function featuresAfter(reqs: readonly Req[]): Float64Array {
  const t = createClientTable(8);
  const { slot } = t.touch('10.0.0.1');
  let now = 1_700_000_000_000;
  reqs.forEach((r, i) => {
    const signals: HeaderSignals = { ...emptySignals(), userAgent: r.ua, cookie: r.cookie };
    const obs: RequestObservation = {
      clientKey: '10.0.0.1', ip: '10.0.0.1', timestampMs: (now += 100), method: 'GET', path: r.path, query: r.query ?? '',
      httpVersion: '1.1', signals, headerCount: 3, contentLength: 0,
    };
    observe(t, slot, obs, i === 0);
  });
  return computeFeatures(t, slot, now, newFeatureVector());
}

test('the ring features match their definitions over the last 16 requests', () => {
  const cases: Req[][] = [
    Array.from({ length: 20 }, () => ({ path: '/', ua: 'wrk' })),
    Array.from({ length: 20 }, (_, i) => ({ path: `/p${i % 7}`, query: `q=${i}`, ua: i % 3 === 0 ? 'a' : 'b', cookie: i % 2 ? `s=${i % 5}` : undefined })),
    Array.from({ length: 30 }, (_, i) => ({ path: `/unique/${i}`, ua: `agent ${i}`, cookie: `s=${i}` })),
    Array.from({ length: 5 }, (_, i) => ({ path: i < 2 ? '/a' : '/b', query: i === 4 ? 'x=1' : '' })),
    [{ path: '/' }],
    // a run of one value that fills the ring, and one that does not yet
    [...Array.from({ length: 10 }, (_, i) => ({ path: `/v${i}`, ua: `u${i % 2}`, cookie: `c=${i}` })), ...Array.from({ length: 20 }, () => ({ path: '/same', ua: 'u', cookie: 'c=1' }))],
    [...Array.from({ length: 10 }, (_, i) => ({ path: `/v${i}`, ua: `u${i % 2}`, cookie: `c=${i}` })), ...Array.from({ length: 10 }, () => ({ path: '/same', ua: 'u', cookie: 'c=1' }))],
    [...Array.from({ length: 3 }, () => ({ path: '/x', cookie: 'c=1' })), ...Array.from({ length: 14 }, () => ({ path: '/x' }))],
  ];
  for (const reqs of cases) {
    const x = featuresAfter(reqs);
    const last = reqs.slice(-RING);
    const label = `${reqs.length} requests from ${reqs[0]!.path}`;
    assert.ok(Math.abs(x[F.ua_entropy]! - reference(last.map((r) => r.ua ?? ''))) < 1e-9, `ua ${label}`);
    assert.ok(Math.abs(x[F.path_entropy]! - reference(last.map((r) => r.path))) < 1e-9, `path ${label}`);
    assert.ok(Math.abs(x[F.session_entropy]! - reference(last.filter((r) => r.cookie).map((r) => r.cookie!))) < 1e-9, `session ${label}`);
    const urls = new Set(last.map((r) => `${r.path}?${r.query ?? ''}`)).size;
    const paths = new Set(last.map((r) => r.path)).size;
    const unique = last.length > 1 ? Math.max(0, urls - paths) / (last.length - 1) : 0;
    assert.ok(Math.abs(x[F.query_unique_ratio]! - unique) < 1e-9, `query ${label}`);
    for (const f of [F.ua_entropy, F.path_entropy, F.session_entropy]) assert.ok(x[f]! >= 0 && x[f]! <= 1, `bounded ${label}`);
  }
});
