// The primary's admin API answers from all workers at once: these put their documents together.

type Json = Record<string, unknown>;

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});

/** Per-key sum of numbers, over objects such as `backend_distribution`. */
function sumByKey(docs: readonly Json[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of docs) for (const [k, v] of Object.entries(d)) out[k] = (out[k] ?? 0) + num(v);
  return out;
}

/** Per-key AND of booleans: a backend counts as healthy only where every worker sees it so. */
function everyByKey(docs: readonly Json[]): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const d of docs) for (const [k, v] of Object.entries(d)) out[k] = (out[k] ?? true) && v === true;
  return out;
}

/**
 * `GET /stats` of the cluster: request counters summed over the workers; uptime, start time and
 * the number of blocked clients (one list shared by all) are the cluster's, not sums.
 */
export function mergeStats(docs: readonly Json[]): Json {
  const stats = docs.map((d) => obj(d.statistics));
  const statistics: Json = {};
  for (const s of stats) {
    for (const [k, v] of Object.entries(s)) {
      if (k === 'uptime_seconds' || k === 'blocked_ips') statistics[k] = Math.max(num(statistics[k]), num(v));
      else if (k === 'start_time') statistics[k] = statistics[k] === undefined || String(v) < String(statistics[k]) ? v : statistics[k];
      else if (typeof v === 'number') statistics[k] = num(statistics[k]) + v;
      else statistics[k] ??= v;
    }
  }
  return {
    statistics,
    backend_distribution: sumByKey(docs.map((d) => obj(d.backend_distribution))),
    backend_health: everyByKey(docs.map((d) => obj(d.backend_health))),
  };
}

interface BackendDoc extends Json { url: string }

/** `GET /backends`: counts summed, healthy only if healthy in every worker, the latest check's outcome. */
export function mergeBackends(docs: readonly Json[]): { backends: Json[] } {
  const byUrl = new Map<string, Json>();
  for (const d of docs) {
    for (const b of Array.isArray(d.backends) ? (d.backends as BackendDoc[]) : []) {
      const cur = byUrl.get(b.url);
      if (!cur) { byUrl.set(b.url, { ...b }); continue; }
      cur.requests = num(cur.requests) + num(b.requests);
      cur.failures = num(cur.failures) + num(b.failures);
      cur.checks = num(cur.checks) + num(b.checks);
      cur.healthy = cur.healthy === true && b.healthy === true;
      cur.consecutive_failures = Math.max(num(cur.consecutive_failures), num(b.consecutive_failures));
      if (typeof b.last_check === 'string' && (typeof cur.last_check !== 'string' || b.last_check > cur.last_check)) {
        cur.last_check = b.last_check;
        cur.last_check_ok = b.last_check_ok;
        cur.last_error = b.last_error;
      }
      if (typeof b.since === 'string' && typeof cur.since === 'string' && b.since > cur.since) cur.since = b.since;
    }
  }
  return { backends: [...byUrl.values()] };
}

/** `GET /health`: a backend is up where every worker sees it up; 503 when none is. */
export function mergeHealth(docs: readonly Json[], self: { gatewayId: string; workers: number }): { status: number; body: Json } {
  const first = docs[0] ?? {};
  const targets = everyByKey(docs.map((d) => obj(d.backend_targets)));
  const all = Object.keys(targets).length;
  const up = Object.values(targets).filter(Boolean).length;
  return {
    status: up > 0 ? 200 : 503,
    body: {
      status: up === all && all > 0 ? 'healthy' : up > 0 ? 'degraded' : 'unhealthy',
      gateway: first.gateway ?? 'ddos-shield', gateway_id: self.gatewayId, version: first.version,
      backend_targets: targets,
      uptime_seconds: Math.max(0, ...docs.map((d) => num(d.uptime_seconds))),
      workers: self.workers,
    },
  };
}

/**
 * `GET /clients/{ip}`: every worker sees its own share of a client's requests (the request rates
 * include the others'); the answer is that of the worker that saw the most, with how many know it.
 */
export function pickClient(docs: readonly Json[]): Json | null {
  let best: Json | null = null;
  for (const d of docs) if (!best || num(obj(d.explanation).requests) > num(obj(best.explanation).requests)) best = d;
  return best ? { ...best, workers_seen: docs.filter((d) => d.explanation !== undefined).length } : null;
}
