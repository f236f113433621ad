import type { ExternalCounts, GeneratorSummary } from './generators/common.js';
import type { ResourceSample } from './resources.js';
import type { Arrival } from './sink.js';
import { isStopped, OUTCOMES, type Outcome, type RequestResult } from './types.js';

export interface TimelinePoint {
  /** Second of the run (start of the bucket). */
  t: number;
  attackSent: number;
  attackStopped: number;
  /** Attack requests that reached the backend (sink count; tagged attack + untagged; 0 when not counted). */
  attackReached: number;
  benignSent: number;
  benignOk: number;
}

export interface AttackFigures {
  /** Requests the attack clients got an answer or an error for. */
  sent: number;
  byOutcome: Record<Outcome, number>;
  /** Answered by the protection (block, throttle, challenge, proxy refusal). */
  stopped: number;
  /** Answered by the backend, as the clients saw it. */
  passed: number;
  errors: number;
  /** Failures without an answer, by cause (TIMEOUT, ECONNRESET, ...). */
  errorCodes: Record<string, number>;
  /** Attack requests counted by the sink (tagged attack + untagged); 0 when `backendCounted` is false. */
  reachedBackend: number;
  /** Of those, arrived at or after the first stopped attack request (null: never mitigated, or not counted). */
  reachedAfterMitigation: number | null;
  /** Run ms of the first attack answer that was stopped. */
  mitigationStartMs: number | null;
  /** From the attack's start to the first stopped answer. */
  timeToMitigateMs: number | null;
  /** Resolution of the time to mitigate (1000 when it comes from wrk's per-second clock). */
  timeResolutionMs: number;
}

export interface BenignFigures {
  requests: number;
  passed: number;
  /** Answered by the protection instead of the backend. */
  rejected: number;
  errors: number;
  /** Failures without an answer, by cause (TIMEOUT, ECONNRESET, ...). */
  errorCodes: Record<string, number>;
  clients: number;
  /** Benign clients with at least one request stopped or failed. */
  clientsRejected: number;
  /** During the attack window. */
  duringAttack: { requests: number; successRate: number | null; p50Ms: number | null; p99Ms: number | null };
  /** Benign requests counted by the sink; 0 when `backendCounted` is false. */
  reachedBackend: number;
}

export interface TargetFigures {
  cpuSeconds: number | null;
  cpuCoresAvg: number | null;
  rssMaxMB: number | null;
}

export interface Figures {
  /**
   * Whether the lab's sink stood behind the target and counted what reached the backend. When
   * false (a URL target in front of its own site), the backend-side figures (reachedBackend,
   * reachedAfterMitigation, attackReached) are not available and hold 0 / null; absent in
   * results written before this field existed, which all came from the sink.
   */
  backendCounted: boolean;
  attack: AttackFigures;
  benign: BenignFigures;
  resources: TargetFigures;
  timeline: TimelinePoint[];
}

export interface FigureInput {
  results: readonly RequestResult[];
  external: readonly ExternalCounts[];
  /** Sink arrivals with t on the run's clock; null when the sink is not behind the target. */
  arrivals: readonly Arrival[] | null;
  attackStartMs: number;
  attackEndMs: number;
  durationMs: number;
  resources: readonly ResourceSample[] | null;
  cpuSeconds: number | null;
}

export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? null;
}

function zeroOutcomes(): Record<Outcome, number> {
  return Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
}

/** Turns what both sides saw into the scenario's figures. */
export function computeFigures(inp: FigureInput): Figures {
  const byOutcome = zeroOutcomes();
  let mitigationStart: number | null = null;
  let resolution = 1;
  const seconds = Math.max(1, Math.ceil(inp.durationMs / 1000));
  const timeline: TimelinePoint[] = Array.from({ length: seconds }, (_, t) => ({ t, attackSent: 0, attackStopped: 0, attackReached: 0, benignSent: 0, benignOk: 0 }));
  const bucket = (ms: number) => timeline[Math.min(seconds - 1, Math.max(0, Math.floor(ms / 1000)))];

  const benignLatencies: number[] = [];
  let benignDuring = 0;
  let benignDuringOk = 0;
  const benign = { requests: 0, passed: 0, rejected: 0, errors: 0 };
  const benignClients = new Set<string>();
  const benignBad = new Set<string>();

  const attackCodes: Record<string, number> = {};
  const benignCodes: Record<string, number> = {};
  for (const r of inp.results) {
    const b = bucket(r.sentAt);
    if (r.outcome === 'error') {
      const codes = r.label === 'attack' ? attackCodes : benignCodes;
      const code = r.error ?? 'ERROR';
      codes[code] = (codes[code] ?? 0) + 1;
    }
    if (r.label === 'attack') {
      byOutcome[r.outcome]++;
      if (b) b.attackSent++;
      if (isStopped(r.outcome)) {
        if (b) b.attackStopped++;
        const at = r.sentAt + r.latencyMs;
        if (mitigationStart === null || at < mitigationStart) mitigationStart = at;
      }
      continue;
    }
    benign.requests++;
    benignClients.add(r.clientId);
    if (b) b.benignSent++;
    if (r.outcome === 'backend') {
      benign.passed++;
      if (b) b.benignOk++;
    } else {
      benignBad.add(r.clientId);
      if (r.outcome === 'error' || r.outcome === 'proxy-error') benign.errors++;
      else benign.rejected++;
    }
    if (r.sentAt >= inp.attackStartMs && r.sentAt < inp.attackEndMs) {
      benignDuring++;
      if (r.outcome === 'backend') {
        benignDuringOk++;
        benignLatencies.push(r.latencyMs);
      }
    }
  }

  for (const ext of inp.external) {
    if (ext.label !== 'attack') continue;
    for (const o of OUTCOMES) byOutcome[o] += ext.byOutcome[o] ?? 0;
    for (const e of ext.timeline) {
      const b = bucket(e.t);
      if (b) b.attackSent += e.n;
      if (isStopped(e.outcome)) {
        if (b) b.attackStopped += e.n;
        if (mitigationStart === null || e.t < mitigationStart) {
          mitigationStart = e.t;
          resolution = ext.resolutionMs;
        }
      }
    }
    // Socket errors have no time; they count in the totals only.
  }

  let reached = 0;
  let reachedAfter = 0;
  let benignReached = 0;
  for (const a of inp.arrivals ?? []) {
    if (a.label === 'benign') { benignReached++; continue; }
    reached++;
    const b = bucket(a.t);
    if (b) b.attackReached++;
    if (mitigationStart !== null && a.t >= mitigationStart) reachedAfter++;
  }

  const sent = OUTCOMES.reduce((a, o) => a + byOutcome[o], 0);
  const stopped = OUTCOMES.filter(isStopped).reduce((a, o) => a + byOutcome[o], 0);
  benignLatencies.sort((a, b) => a - b);
  const rss = inp.resources?.map((s) => s.rssBytes) ?? [];
  const cpuSamples = inp.resources?.map((s) => s.cpuCores) ?? [];
  return {
    backendCounted: inp.arrivals !== null,
    attack: {
      sent, byOutcome, stopped, passed: byOutcome.backend, errors: byOutcome.error + byOutcome['proxy-error'], errorCodes: attackCodes,
      reachedBackend: reached,
      reachedAfterMitigation: mitigationStart === null || inp.arrivals === null ? null : reachedAfter,
      mitigationStartMs: mitigationStart,
      timeToMitigateMs: mitigationStart === null ? null : Math.max(0, mitigationStart - inp.attackStartMs),
      timeResolutionMs: resolution,
    },
    benign: {
      ...benign,
      errorCodes: benignCodes,
      clients: benignClients.size,
      clientsRejected: benignBad.size,
      duringAttack: {
        requests: benignDuring,
        successRate: benignDuring ? benignDuringOk / benignDuring : null,
        p50Ms: percentile(benignLatencies, 50),
        p99Ms: percentile(benignLatencies, 99),
      },
      reachedBackend: benignReached,
    },
    resources: {
      cpuSeconds: inp.cpuSeconds,
      cpuCoresAvg: cpuSamples.length ? cpuSamples.reduce((a, b) => a + b, 0) / cpuSamples.length : null,
      rssMaxMB: rss.length ? Math.max(...rss) / (1024 * 1024) : null,
    },
    timeline,
  };
}

export type { GeneratorSummary };
