import type { Logger } from '../core/logger.js';
import type { Clock } from '../core/clock.js';
import type { IdsMetrics } from './metrics.js';

/** One alert as posted to `${DASHBOARD_URL}/api/alerts` (JSON, bearer token when configured). */
export interface IdsAlert {
  source: 'ids';
  type: 'flow_attack';
  severity: 'high' | 'medium';
  message: string;
  timestamp: string;
  details: {
    flows: number;
    attacks: number;
    max_probability: number;
    families: Record<string, number>;
    client?: string;
  };
}

export interface AlertSinkOptions {
  dashboardUrl: string;
  token?: string | undefined;
  /** Alerts waiting at most; beyond that new alerts are dropped and counted. */
  queueSize: number;
  /** Per-POST timeout. */
  timeoutMs: number;
  /** At most one log line per this many ms for refused alerts (default 60 s); the metric counts every one. */
  refusalLogIntervalMs?: number;
}

export interface AlertSink {
  /** Queues an alert; never waits. Returns false when it was dropped. */
  offer(alert: IdsAlert): boolean;
  /** Resolves when the queue is empty (for shutdown and tests). */
  drain(): Promise<void>;
  close(): Promise<void>;
}

/** The dashboard's reason for refusing an alert (its JSON `error`, else the start of the body), for the log. */
function refusal(text: string): string {
  try {
    const e = (JSON.parse(text) as { error?: unknown }).error;
    if (typeof e === 'string') return e.slice(0, 500);
  } catch { /* not JSON */ }
  return text.slice(0, 200);
}

/** Sends alerts one at a time from a bounded queue, so scoring never waits for the dashboard. */
export function createAlertSink(opts: AlertSinkOptions, deps: { logger: Logger; metrics: IdsMetrics; clock?: Clock }): AlertSink {
  const url = new URL('api/alerts', opts.dashboardUrl.endsWith('/') ? opts.dashboardUrl : `${opts.dashboardUrl}/`).toString();
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const queue: IdsAlert[] = [];
  let running: Promise<void> | null = null;
  let closed = false;
  const log = deps.logger;
  const now = () => deps.clock?.now() ?? Date.now();
  const logEvery = opts.refusalLogIntervalMs ?? 60_000;
  // refusals (e.g. 401 for every alert without a token) are logged once per interval, with the count since the last line
  let lastRefusalLog = -Infinity;
  let refusedSince = 0;

  function refused(status: number, text: string): void {
    refusedSince++;
    const t = now();
    if (t - lastRefusalLog < logEvery) return;
    const first = lastRefusalLog === -Infinity;
    lastRefusalLog = t;
    const hint = status === 401 || status === 403 ? (opts.token ? ' (check DASHBOARD_TOKEN)' : ' (no DASHBOARD_TOKEN is set)') : '';
    log.warn({ status, error: refusal(text), refused: refusedSince, interval_s: logEvery / 1000 },
      first ? `dashboard refused an alert${hint}; further refusals are logged at most once per ${logEvery / 1000} s`
        : `dashboard refused ${refusedSince} alert(s) since the last report${hint}`);
    refusedSince = 0;
  }

  async function send(alert: IdsAlert): Promise<void> {
    try {
      const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(alert), signal: AbortSignal.timeout(opts.timeoutMs) });
      const text = await res.text().catch(() => '');
      if (res.ok) deps.metrics.alertsSent.inc();
      else {
        deps.metrics.alertsDropped.inc({ reason: 'http_error' });
        refused(res.status, text);
      }
    } catch (err) {
      deps.metrics.alertsDropped.inc({ reason: 'network_error' });
      log.warn({ err: (err as Error).message }, 'alert not delivered');
    }
  }

  async function pump(): Promise<void> {
    for (let a = queue.shift(); a; a = queue.shift()) {
      deps.metrics.alertQueue.set(queue.length);
      await send(a);
    }
    running = null;
  }

  return {
    offer(alert) {
      if (closed || queue.length >= opts.queueSize) {
        deps.metrics.alertsDropped.inc({ reason: closed ? 'shutdown' : 'queue_full' });
        return false;
      }
      queue.push(alert);
      deps.metrics.alertQueue.set(queue.length);
      running ??= pump();
      return true;
    },
    async drain() {
      while (running) await running;
    },
    async close() {
      closed = true;
      await this.drain();
    },
  };
}

/** Builds the alert for the attack flows of one request (one alert per request, not per flow). */
export function buildAlert(
  clock: Clock,
  flows: number,
  attacks: { probability: number; family: string }[],
  client: string | undefined,
): IdsAlert {
  const families: Record<string, number> = {};
  let max = 0;
  for (const a of attacks) {
    families[a.family] = (families[a.family] ?? 0) + 1;
    max = Math.max(max, a.probability);
  }
  const top = Object.entries(families).sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'unknown';
  return {
    source: 'ids', type: 'flow_attack', severity: max >= 0.9 ? 'high' : 'medium',
    message: `${attacks.length} of ${flows} flow(s) classified as attack (mostly ${top})`,
    timestamp: new Date(clock.now()).toISOString(),
    details: { flows, attacks: attacks.length, max_probability: Number(max.toFixed(4)), families, ...(client ? { client } : {}) },
  };
}
