import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { seedFromMinutes, serverNow } from '../../web/src/live-seed.js';

const M = Date.parse('2026-11-23T12:00:00.000Z');
const series = {
  step_seconds: 60,
  points: [0, 1, 2, 3].map((i) => ({ t: new Date(M + i * 60_000).toISOString(), requests: 600 * (i + 1), refused: 60 * i })),
};

describe('live chart seed from per-minute rollups', () => {
  it("gives each second its minute's average rate, the minute in progress over the seconds it has run", () => {
    const now = M + 3 * 60_000 + 30_000; // 30 s into the 4th minute
    const pts = seedFromMinutes(series, now, 120, now);
    assert.equal(pts.length, 120);
    assert.equal(pts[0]!.t, new Date(now - 120_000).toISOString());
    assert.equal(pts[0]!.total, 1200 / 60); // second minute
    assert.equal(pts.at(-1)!.total, 2400 / 30);
    assert.equal(pts.at(-1)!.refused, 180 / 30);
    assert.ok(pts.every((p) => p.seeded));
  });

  it('leaves out seconds without rollups and estimates the server time from the newest point', () => {
    const pts = seedFromMinutes(series, M + 30_000, 120, M + 30_000);
    assert.equal(pts.length, 30);
    assert.equal(serverNow(series, M + 3 * 60_000 + 5_000), M + 3 * 60_000 + 5_000);
    assert.equal(serverNow(series, M + 3600_000), M + 3 * 60_000 + 59_999);
    assert.equal(serverNow(series, M), M + 3 * 60_000);
    assert.equal(serverNow({ points: [] }, 42), 42);
  });
});
