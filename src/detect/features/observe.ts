import { RING, type ClientTable } from '../state/client-table.js';
import type { RequestObservation } from '../types.js';
import { FEATURE_COUNT, F } from './names.js';
import { fnv1a } from './hash.js';

const EW_MIN_ALPHA = 1 / 32; // running means are exact for the first 32 requests, then exponentially weighted
const IAT_CAP_S = 60;
const PEAK_TAU_MS = 600_000; // the busiest-10-s peak fades over ten minutes

/** How many of the fields that browsers send on every navigation and sub-resource request: User-Agent, Accept, Accept-Encoding, Accept-Language, Sec-Fetch-Mode. */
const BROWSER_HEADERS = 5;

/**
 * Whether the `n` words from `from` are equal and each holds one value repeated: its bytes
 * (`shift` 8, a ring of bytes) or halves (`shift` 16, a ring of 16-bit values) are equal, which
 * is when rotating the word by `shift` bits leaves it unchanged.
 */
function oneValue(w: Uint32Array, from: number, n: number, shift: number): boolean {
  const v = w[from]!;
  if (((v >>> shift) | (v << (32 - shift))) >>> 0 !== v) return false;
  for (let i = 1; i < n; i++) if (w[from + i] !== v) return false;
  return true;
}

function ew(arr: Float32Array, s: number, v: number, alpha: number): void {
  const x = arr[s]!;
  arr[s] = x + (v - x) * alpha;
}

/** Updates the client's state with one request (O(1): a fixed amount of arithmetic and a few string hashes). */
export function observe(t: ClientTable, s: number, obs: RequestObservation, created: boolean): void {
  const now = obs.timestampMs;
  const n = t.requests[s]! + 1;
  t.requests[s] = n;
  const alpha = Math.max(1 / n, EW_MIN_ALPHA);
  if (created) {
    t.firstSeen[s] = now;
    t.c1[s] = 1; t.c10[s] = 1; t.c60[s] = 1; t.peak10[s] = 1;
  } else {
    const dt = Math.max(0, now - t.lastSeen[s]!);
    t.c1[s] = t.c1[s]! * Math.exp(-dt / 1000) + 1;
    const c10 = t.c10[s]! * Math.exp(-dt / 10_000) + 1;
    t.c10[s] = c10;
    t.c60[s] = t.c60[s]! * Math.exp(-dt / 60_000) + 1;
    const peak = t.peak10[s]! * Math.exp(-dt / PEAK_TAU_MS);
    t.peak10[s] = c10 > peak ? c10 : peak;
    // Inter-arrival statistics over n-1 gaps (Welford / exponentially weighted). n is 1 here for a
    // client known so far only from other replicas' counts: its rates go on, its gaps start now.
    if (n > 1) {
      const gap = Math.min(dt / 1000, IAT_CAP_S);
      const a = Math.max(1 / (n - 1), EW_MIN_ALPHA);
      const m = t.iatMean[s]!;
      const d = gap - m;
      t.iatMean[s] = m + a * d;
      t.iatVar[s] = (1 - a) * (t.iatVar[s]! + a * d * d);
    }
  }
  t.lastSeen[s] = now;

  const h = obs.signals;
  // Content length mean and variance (same running scheme).
  const cl = obs.contentLength > 0 ? obs.contentLength : 0;
  const dm = cl - t.clMean[s]!;
  t.clMean[s] = t.clMean[s]! + alpha * dm;
  t.clVar[s] = (1 - alpha) * (t.clVar[s]! + alpha * dm * dm);

  ew(t.referer, s, h.referer !== undefined ? 1 : 0, alpha);
  ew(t.headerCount, s, obs.headerCount, alpha);
  const present = (h.userAgent !== undefined ? 1 : 0) + (h.accept !== undefined ? 1 : 0) + (h.acceptEncoding !== undefined ? 1 : 0)
    + (h.acceptLanguage !== undefined ? 1 : 0) + (h.secFetchMode !== undefined ? 1 : 0);
  ew(t.browser, s, present / BROWSER_HEADERS, alpha);
  ew(t.acceptLang, s, h.acceptLanguage !== undefined ? 1 : 0, alpha);
  const cookie = h.cookie ?? '';
  ew(t.cookie, s, cookie ? 1 : 0, alpha);
  let cookieHash = 0;
  if (cookie) {
    cookieHash = fnv1a(cookie) || 1;
    const k = Math.min(t.cookieRequests[s]! + 1, 0xffff);
    t.cookieRequests[s] = k;
    if (k > 1) ew(t.sessionKept, s, cookieHash === t.lastCookie[s] ? 1 : 0, Math.max(1 / (k - 1), EW_MIN_ALPHA));
    t.lastCookie[s] = cookieHash;
  }
  ew(t.http10, s, obs.httpVersion === '1.0' ? 1 : 0, alpha);
  const m = obs.method;
  ew(t.nonGet, s, m === 'GET' || m === 'HEAD' ? 0 : 1, alpha);

  const pos = t.ringPos[s]!;
  const r = s * RING + pos;
  const ph = fnv1a(obs.path);
  t.ringPath[r] = ph & 0xffff;
  t.ringUrl[r] = obs.query ? fnv1a(obs.query, ph) & 0xffff : ph & 0xffff;
  t.ringUa[r] = (fnv1a(h.userAgent ?? '') % 255) + 1;
  t.ringSession[r] = cookieHash ? (cookieHash % 255) + 1 : 0;
  t.ringPos[s] = (pos + 1) % RING;
}

/** Records a finished response for the error ratios. */
export function observeCompletion(t: ClientTable, s: number, status: number): void {
  const k = Math.min(t.completed[s]! + 1, 0xffff);
  t.completed[s] = k;
  const alpha = Math.max(1 / k, EW_MIN_ALPHA);
  ew(t.errors, s, status >= 400 ? 1 : 0, alpha);
  ew(t.notFound, s, status === 404 ? 1 : 0, alpha);
}

/** c·log2(c) and log2(n) for the counts a ring can hold: the entropies below take no logarithm per call. */
const C_LOG2_C = Float64Array.from({ length: RING + 1 }, (_, c) => (c > 0 ? c * Math.log2(c) : 0));
const LOG2 = Float64Array.from({ length: RING + 1 }, (_, n) => (n > 0 ? Math.log2(n) : 0));
const GROUPED = new Uint8Array(RING); // synchronous use only
/** The number of distinct values in the last `groups` call. */
let groupCount = 0;

/**
 * Groups the first `n` values of a ring by value: returns Σ c·log2(c) over the group sizes c and
 * leaves the number of groups in groupCount. Each value is compared with the values after it that
 * are not grouped yet (at most n(n-1)/2 comparisons, n - 1 when all are equal).
 */
function groups(ring: Uint8Array | Uint16Array, base: number, n: number): number {
  const grouped = GROUPED;
  for (let i = 0; i < n; i++) grouped[i] = 0;
  let sum = 0;
  let g = 0;
  for (let i = 0; i < n; i++) {
    if (grouped[i] !== 0) continue;
    const v = ring[base + i]!;
    let c = 1;
    for (let j = i + 1; j < n; j++) if (ring[base + j] === v) { c++; grouped[j] = 1; }
    sum += C_LOG2_C[c]!;
    g++;
  }
  groupCount = g;
  return sum;
}

/**
 * Normalised Shannon entropy (0 = one value, 1 = all distinct) of `n` values whose groups gave
 * `sum` (see groups): H = log2(n) − Σ c·log2(c) / n, divided by log2(n).
 */
function entropy(sum: number, n: number): number {
  if (n < 2) return 0;
  const h = (LOG2[n]! - sum / n) / LOG2[n]!;
  return h < 0 ? 0 : h > 1 ? 1 : h;
}

/** Normalised entropy of the first `n` values of a ring. Zero values count as one value. */
function ringEntropy(ring: Uint8Array | Uint16Array, base: number, n: number): number {
  return n < 2 ? 0 : entropy(groups(ring, base, n), n);
}

const SESSION_SCRATCH = new Uint8Array(RING); // synchronous use only

/** Cookie-session entropy over the ring, counting only cookie-bearing requests. */
function sessionEntropy(ring: Uint8Array, base: number, n: number): number {
  let k = 0;
  const tmp = SESSION_SCRATCH;
  for (let i = 0; i < n; i++) { const v = ring[base + i]!; if (v) tmp[k++] = v; }
  return ringEntropy(tmp, 0, k);
}

/**
 * The feature vector of a client at time `nowMs` (decayed rates are aged to `nowMs`, so a client
 * that went quiet reads as quiet). Writes FEATURE_COUNT values into `out`.
 */
export function computeFeatures(t: ClientTable, s: number, nowMs: number, out: Float64Array): Float64Array {
  const dt = Math.max(0, nowMs - t.lastSeen[s]!);
  const r1 = t.c1[s]! * Math.exp(-dt / 1000);
  const r10 = t.c10[s]! * Math.exp(-dt / 10_000) / 10;
  const r60 = t.c60[s]! * Math.exp(-dt / 60_000) / 60;
  const n = t.requests[s]!;
  const k = Math.min(n, RING);
  const base = s * RING;
  out[F.rate_1s] = r1;
  out[F.rate_10s] = r10;
  out[F.rate_60s] = r60;
  out[F.burst_ratio] = r1 / Math.max(r60, 1 / 60);
  out[F.peak_10s] = t.peak10[s]!;
  out[F.iat_mean_s] = n > 1 ? t.iatMean[s]! : IAT_CAP_S;
  const iatStd = Math.sqrt(Math.max(0, t.iatVar[s]!));
  out[F.iat_cv] = n > 2 ? iatStd / Math.max(t.iatMean[s]!, 1e-3) : 1;
  // a full ring that holds one value: entropy 0, one distinct value (RING values are RING / 4 words of bytes, RING / 2 of 16-bit values)
  const full = k === RING;
  const bytesBase = s * (RING >> 2);
  const halvesBase = s * (RING >> 1);
  out[F.ua_entropy] = full && oneValue(t.ringUaWords, bytesBase, RING >> 2, 8) ? 0 : ringEntropy(t.ringUa, base, k);
  // the path ring's groups give its entropy and its distinct count
  let paths = 1;
  if (full && oneValue(t.ringPathWords, halvesBase, RING >> 1, 16)) out[F.path_entropy] = 0;
  else { out[F.path_entropy] = entropy(groups(t.ringPath, base, k), k); paths = groupCount; }
  let urls = 1;
  if (k > 1 && !(full && oneValue(t.ringUrlWords, halvesBase, RING >> 1, 16))) { groups(t.ringUrl, base, k); urls = groupCount; }
  out[F.query_unique_ratio] = k > 1 ? Math.max(0, urls - paths) / (k - 1) : 0;
  out[F.non_get_ratio] = t.nonGet[s]!;
  out[F.content_length_std_log] = Math.log10(1 + Math.sqrt(Math.max(0, t.clVar[s]!)));
  out[F.referer_ratio] = t.referer[s]!;
  out[F.header_count] = t.headerCount[s]!;
  out[F.browser_headers] = t.browser[s]!;
  out[F.accept_language_ratio] = t.acceptLang[s]!;
  out[F.cookie_ratio] = t.cookie[s]!;
  out[F.session_persistence] = t.cookieRequests[s]! > 1 ? t.sessionKept[s]! : 0;
  // one value: every request with the same cookie, or none with a cookie (zeros are left out of this entropy)
  out[F.session_entropy] = full && oneValue(t.ringSessionWords, bytesBase, RING >> 2, 8) ? 0 : sessionEntropy(t.ringSession, base, k);
  out[F.http10_ratio] = t.http10[s]!;
  out[F.error_ratio] = t.errors[s]!;
  out[F.not_found_ratio] = t.notFound[s]!;
  out[F.client_age_log] = Math.log10(1 + Math.max(0, nowMs - t.firstSeen[s]!) / 1000);
  out[F.request_count_log] = Math.log10(1 + n);
  return out;
}

export function newFeatureVector(): Float64Array { return new Float64Array(FEATURE_COUNT); }
