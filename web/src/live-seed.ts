/** The part of an /api/timeseries answer the seed reads (per-minute steps). */
export interface MinuteSeries { points: { t: string; requests: number; refused: number }[] }

/** Requests and refused ones (block + throttle + challenge) per second. */
export interface RatePoint { t: string; total: number; refused: number; seeded?: boolean }

/** Minutes of per-minute rollups read to fill the live chart at page load (hours, for /api/timeseries). */
export const SEED_HOURS = 3 / 60;

/**
 * Per-second points for the `seconds` before `end` (ms), from per-minute rollup points: each
 * second gets its minute's average rate; the minute in progress at `loadedAt` is averaged over
 * the seconds it had run. Seconds without a rollup point get nothing (the chart starts later).
 */
export function seedFromMinutes(series: MinuteSeries, end: number, seconds: number, loadedAt: number): RatePoint[] {
  const byMinute = new Map(series.points.map((p) => [Date.parse(p.t), p]));
  const out: RatePoint[] = [];
  const last = Math.floor(end / 1000) * 1000;
  for (let s = last - seconds * 1000; s < last; s += 1000) {
    const minute = s - (s % 60_000);
    const p = byMinute.get(minute);
    if (!p) continue;
    const span = loadedAt >= minute && loadedAt < minute + 60_000 ? Math.max(1, (loadedAt - minute) / 1000) : 60;
    out.push({ t: new Date(s).toISOString(), total: p.requests / span, refused: p.refused / span, seeded: true });
  }
  return out;
}

/** Server time estimate: the browser's clock, kept within the minute of the newest rollup point. */
export function serverNow(series: MinuteSeries, browserNow: number): number {
  const newest = series.points.length ? Date.parse(series.points[series.points.length - 1]!.t) : NaN;
  return Number.isFinite(newest) ? Math.min(Math.max(browserNow, newest), newest + 59_999) : browserNow;
}
