import { Counter, Gauge, type Registry } from 'prom-client';
import { createHotCounter, createHotHistogram, type HotCount } from '../core/hot-metrics.js';

export const METRIC = {
  decisions: 'ddos_shield_detector_decisions_total',
  stageSeconds: 'ddos_shield_detector_stage_seconds',
  clients: 'ddos_shield_detector_clients',
  evictions: 'ddos_shield_detector_client_evictions_total',
  surge: 'ddos_shield_detector_surge',
  siteRps: 'ddos_shield_detector_site_rps',
  baselineRps: 'ddos_shield_detector_site_baseline_rps',
  slowDropped: 'ddos_shield_slow_guard_dropped_total',
  challenges: 'ddos_shield_challenge_total',
} as const;

export function createDetectorMetrics(registry: Registry, sources: { clients: () => number; evictions: () => number; surge: () => { active: boolean; siteRps: number; baselineRps: number } }) {
  const decisions = createHotCounter({ name: METRIC.decisions, help: 'Detector decisions by action, reason code and whether they were enforced (false in shadow mode)', labelNames: ['action', 'reason', 'enforced'] as const, registers: [registry] });
  // kept in typed arrays (hot-metrics.ts): a prom-client observe validates and hashes its labels each time
  const stageSeconds = createHotHistogram({ name: METRIC.stageSeconds, help: 'Time spent per detector stage (seconds), sampled on one request in 32', labelNames: ['stage'] as const, buckets: [1e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 5e-4, 1e-3], registry });
  new Gauge({ name: METRIC.clients, help: 'Clients in the detector table', registers: [registry], collect() { this.set(sources.clients()); } });
  let evictionsSeen = 0;
  new Counter({ name: METRIC.evictions, help: 'Clients forgotten because the table was full', registers: [registry], collect() { const e = sources.evictions(); if (e > evictionsSeen) { this.inc(e - evictionsSeen); evictionsSeen = e; } } });
  new Gauge({ name: METRIC.surge, help: '1 while the site rate is in a surge against its baseline', registers: [registry], aggregator: 'max', collect() { this.set(sources.surge().active ? 1 : 0); } });
  new Gauge({ name: METRIC.siteRps, help: 'Site request rate, 10 s window (req/s)', registers: [registry], collect() { this.set(sources.surge().siteRps); } });
  new Gauge({ name: METRIC.baselineRps, help: 'Site baseline request rate (req/s)', registers: [registry], collect() { this.set(sources.surge().baselineRps); } });
  // label children bound once per combination, found by action then reason: no label hashing
  // and no key string per decision
  const children = new Map<string, Map<string, [HotCount | null, HotCount | null]>>();
  return {
    decision: (action: string, reason: string, enforced: boolean) => {
      let byReason = children.get(action);
      if (!byReason) { byReason = new Map(); children.set(action, byReason); }
      let pair = byReason.get(reason);
      if (!pair) { pair = [null, null]; byReason.set(reason, pair); }
      const i = enforced ? 1 : 0;
      let c = pair[i];
      if (!c) { c = decisions.child({ action, reason, enforced: enforced ? 'true' : 'false' }); pair[i] = c; }
      c.inc();
    },
    stage: stageSeconds,
  };
}
