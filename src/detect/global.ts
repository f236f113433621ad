import { fnv1a } from './features/hash.js';

export interface GlobalOptions {
  /** Time constant of the site's own baseline rate (ms). */
  baselineTauMs: number;
  /** No surge is declared before this much traffic history (ms). */
  warmupMs: number;
  /** The baseline never counts as less than this (req/s), so a quiet site is not in a surge on its first burst. */
  minBaselineRps: number;
  /** A surge needs at least this site rate (req/s, 10 s window). */
  minSurgeRps: number;
  /** Enter a surge when the 10 s site rate reaches this multiple of the baseline... */
  enterRatio: number;
  /** ...and leave it when the rate falls below this multiple. */
  exitRatio: number;
}

export interface GlobalView {
  siteRps: number; // site rate, decayed count with a 2 s time constant (reacts within about a second)
  baselineRps: number;
  siteRatio: number;
  newClientsPerSec: number; // 10 s decayed arrival rate of clients never seen before
  newClientsBaseline: number;
  pathShare: number; // share of the site's recent requests that went to this request's path
  topPathShare: number;
  surge: boolean;
  surgeStartMs: number;
}

const SKETCH = 64; // space-saving heavy hitters over paths
const PATH_TAU_MS = 10_000;

/**
 * Site-wide view that per-client features miss: the total request rate (2 s time constant)
 * against the site's own slowly learned baseline (started from the mean rate of the warm-up), the arrival rate of new clients, and how concentrated requests
 * are on one path (a space-saving sketch of 64 paths with decayed counts). A distributed flood
 * where every source stays under per-client limits still raises all three. O(1) per request
 * (the sketch update scans 64 entries only when a path is not already tracked).
 */
export function createGlobalTracker(o: GlobalOptions) {
  let startMs = NaN;
  let lastMs = NaN;
  let c10 = 0;
  let c2 = 0;
  let baseline = 0;
  let warmCount = 0; // requests during the warm-up: the baseline starts from their mean rate
  let n10 = 0;
  let nBaseline = 0;
  let surge = false;
  let surgeStartMs = 0;
  // Path sketch with lazily decayed counts: weights grow as exp(t/tau) and are rescaled.
  const keys = new Uint32Array(SKETCH);
  const counts = new Float64Array(SKETCH);
  let total = 0;
  // the largest count: counts only grow (a replaced key keeps its count) until a rescale divides them all, so it is kept as they change
  let top = 0;
  let weight = 1;
  let weightOrigin = NaN;
  const view: GlobalView = { siteRps: 0, baselineRps: 0, siteRatio: 0, newClientsPerSec: 0, newClientsBaseline: 0, pathShare: 0, topPathShare: 0, surge: false, surgeStartMs: 0 };

  function advance(now: number): void {
    if (Number.isNaN(lastMs)) { startMs = now; lastMs = now; weightOrigin = now; return; }
    const dt = Math.max(0, now - lastMs);
    if (dt === 0) return;
    lastMs = now;
    c10 *= Math.exp(-dt / 10_000);
    c2 *= Math.exp(-dt / 2_000);
    n10 *= Math.exp(-dt / 10_000);
    if (now - startMs < o.warmupMs) {
      baseline = (warmCount * 1000) / Math.max(1000, now - startMs);
      return;
    }
    // The baseline learns the 10 s rate slowly, and ten times slower during a surge, so that
    // an attack does not become the new normal within minutes.
    const k = (1 - Math.exp(-dt / o.baselineTauMs)) * (surge ? 0.1 : 1);
    baseline += (c10 / 10 - baseline) * k;
    nBaseline += (n10 / 10 - nBaseline) * k;
  }

  function pathWeight(now: number): number {
    let w = Math.exp((now - weightOrigin) / PATH_TAU_MS);
    if (w > 1e12) {
      for (let i = 0; i < SKETCH; i++) counts[i] = counts[i]! / w;
      total /= w;
      top /= w;
      weightOrigin = now;
      w = 1;
    }
    return w;
  }

  return {
    /** Counts one request; `newClient` when its key was not in the client table. Returns the current view (reused object). */
    observe(now: number, path: string, newClient: boolean): GlobalView {
      advance(now);
      c10 += 1;
      c2 += 1;
      if (now - startMs < o.warmupMs) warmCount++;
      if (newClient) n10 += 1;
      weight = pathWeight(now);
      const h = fnv1a(path) || 1;
      let idx = -1;
      let minIdx = 0;
      for (let i = 0; i < SKETCH; i++) {
        if (keys[i] === h) { idx = i; break; }
        if (counts[i]! < counts[minIdx]!) minIdx = i;
      }
      if (idx < 0) { idx = minIdx; keys[idx] = h; } // space-saving: replace the smallest, keep its count as the error bound
      const count = counts[idx]! + weight;
      counts[idx] = count;
      total += weight;
      if (count > top) top = count;

      const siteRps = c2 / 2;
      const base = Math.max(baseline, o.minBaselineRps);
      const ratio = siteRps / base;
      const warm = now - startMs >= o.warmupMs;
      if (!surge && warm && siteRps >= o.minSurgeRps && ratio >= o.enterRatio) { surge = true; surgeStartMs = now; }
      else if (surge && ratio < o.exitRatio) surge = false;
      view.siteRps = siteRps;
      view.baselineRps = baseline;
      view.siteRatio = ratio;
      view.newClientsPerSec = n10 / 10;
      view.newClientsBaseline = nBaseline;
      view.pathShare = total > 0 ? count / total : 0;
      view.topPathShare = total > 0 ? top / total : 0;
      view.surge = surge;
      view.surgeStartMs = surgeStartMs;
      return view;
    },
    /**
     * Takes back the request just observed from the site rate (its client was throttled or
     * blocked on its own behaviour: that load is already handled and must not make every new
     * client look like part of a surge).
     */
    uncount(newClient: boolean): void {
      c10 = Math.max(0, c10 - 1);
      c2 = Math.max(0, c2 - 1);
      if (warmCount > 0 && lastMs - startMs < o.warmupMs) warmCount--;
      if (newClient) n10 = Math.max(0, n10 - 1);
    },
    view(): GlobalView { return view; },
  };
}

export type GlobalTracker = ReturnType<typeof createGlobalTracker>;
