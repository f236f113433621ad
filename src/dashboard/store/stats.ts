import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { HOUR_MS, MINUTE_MS } from './ingest.js';

const n = (v: unknown): number => Number(v ?? 0);

/**
 * Statistics over the last `hours`, from the exact per-minute and per-hour rollups (never from raw rows).
 *
 * Counts follow the gateway's actions: `blocked` is what the gateway blocked (action `block`, by the
 * detector or because the client was on the blocklist); `refused` is what it refused on a decision
 * of the shield (block + throttle + challenge); `errors` are its own error answers (action `error`:
 * 502/503/504/408/413/431...), counted apart, neither allowed nor refused. Gateways before the
 * `error` action sent those as `allow`, so the minutes they reported count them as allowed.
 */
export async function getStats(db: Kysely<Database>, hours: number, now: number) {
  const from = now - hours * HOUR_MS;
  const fromMinute = from - (from % MINUTE_MS);
  const fromHour = from - (from % HOUR_MS);
  const sumCols = ['total', 'blocked', 'act_allow', 'act_challenge', 'act_throttle', 'act_block', 'act_error', 'pred_normal',
    'pred_suspicious', 'pred_ddos', 'pred_blocked', 'confidence_sum', 'response_time_sum', 'bytes_sum'] as const;
  const hourExpr = sql<number>`(bucket / ${sql.lit(HOUR_MS)}) * ${sql.lit(HOUR_MS)}`;

  const [totals, byHour, topIps, topPaths] = await Promise.all([
    db.selectFrom('rollup_minute').where('bucket', '>=', fromMinute)
      .select((eb) => sumCols.map((c) => eb.fn.sum<number>(c).as(c))).executeTakeFirst(),
    db.selectFrom('rollup_minute').where('bucket', '>=', fromMinute)
      .select((eb) => [hourExpr.as('hour'), eb.fn.sum<number>('total').as('requests'), eb.fn.sum<number>('act_block').as('blocked'),
        eb.fn.sum<number>('blocked').as('refused'), eb.fn.sum<number>('act_error').as('errors')])
      .groupBy(hourExpr).orderBy(hourExpr).execute(),
    db.selectFrom('rollup_ip_hour').where('bucket', '>=', fromHour)
      .select((eb) => ['source_ip', eb.fn.sum<number>('blocked').as('count'), eb.fn.sum<number>('total').as('requests'),
        eb.fn.sum<number>('blocked_confidence_sum').as('conf')])
      .groupBy('source_ip').having((eb) => eb.fn.sum('blocked'), '>', 0)
      .orderBy('count', 'desc').orderBy('source_ip').limit(10).execute(),
    db.selectFrom('rollup_path_hour').where('bucket', '>=', fromHour)
      .select((eb) => ['path', eb.fn.sum<number>('total').as('count'), eb.fn.sum<number>('blocked').as('blocked')])
      .groupBy('path').orderBy('count', 'desc').orderBy('path').limit(10).execute(),
  ]);

  const total = n(totals?.total);
  const blocked = n(totals?.act_block);
  const refused = n(totals?.blocked); // the rollups' `blocked` column counts refusals: block + throttle + challenge
  const errors = n(totals?.act_error);
  const pct = (x: number) => (total ? Math.round((x / total) * 10000) / 100 : 0);
  const pred = (x: number) => ({ count: x, percentage: pct(x) });
  return {
    time_range: `last ${hours} hours`,
    hours,
    total_requests: total,
    /** Requests the gateways blocked (action `block`). */
    blocked_requests: blocked,
    /** Requests the gateways answered themselves instead of forwarding them: block + throttle + challenge. */
    refused_requests: refused,
    /** The gateways' own error answers (action `error`), neither allowed nor refused. */
    error_requests: errors,
    /** Requests forwarded to a backend (action `allow`): neither refused nor answered by a gateway error. */
    normal_requests: total - refused - errors,
    blocking_rate: total ? blocked / total : 0,
    refusal_rate: total ? refused / total : 0,
    error_rate: total ? errors / total : 0,
    avg_confidence: total ? n(totals?.confidence_sum) / total : 0,
    avg_response_time_ms: total ? n(totals?.response_time_sum) / total : 0,
    bytes_sent: n(totals?.bytes_sum),
    requests_per_second: total / (hours * 3600),
    // per client and path the rollups keep refused requests only (block + throttle + challenge)
    top_attacking_ips: topIps.map((r) => ({ ip: r.source_ip, count: n(r.count), refused: n(r.count), requests: n(r.requests),
      avg_confidence: n(r.count) ? n(r.conf) / n(r.count) : 0 })),
    top_targeted_paths: topPaths.map((r) => ({ path: r.path, count: n(r.count), refused: n(r.blocked) })),
    by_hour: byHour.map((r) => ({ hour: new Date(n(r.hour)).toISOString(), requests: n(r.requests), blocked: n(r.blocked),
      refused: n(r.refused), errors: n(r.errors) })),
    by_prediction: {
      NORMAL: pred(n(totals?.pred_normal)), SUSPICIOUS: pred(n(totals?.pred_suspicious)),
      DDoS: pred(n(totals?.pred_ddos)), BLOCKED: pred(n(totals?.pred_blocked)),
    },
    by_action: {
      allow: n(totals?.act_allow), challenge: n(totals?.act_challenge), throttle: n(totals?.act_throttle), block: n(totals?.act_block),
      error: errors,
    },
  };
}

/**
 * Request counts per step (minute or hour, chosen from the range) for rate charts: all requests,
 * blocked ones (action `block`), refused ones (block + throttle + challenge, as the live ticks count them)
 * and the gateways' own errors (action `error`).
 */
export async function getTimeseries(db: Kysely<Database>, hours: number, now: number) {
  const stepMs = hours <= 6 ? MINUTE_MS : hours <= 48 ? 10 * MINUTE_MS : HOUR_MS;
  const from = now - hours * HOUR_MS;
  const start = from - (from % stepMs);
  const stepExpr = sql<number>`(bucket / ${sql.lit(stepMs)}) * ${sql.lit(stepMs)}`;
  const rows = await db.selectFrom('rollup_minute').where('bucket', '>=', start)
    .select((eb) => [stepExpr.as('t'), eb.fn.sum<number>('total').as('requests'), eb.fn.sum<number>('act_block').as('blocked'),
      eb.fn.sum<number>('blocked').as('refused'), eb.fn.sum<number>('act_error').as('errors')])
    .groupBy(stepExpr).orderBy(stepExpr).execute();
  const byT = new Map(rows.map((r) => [n(r.t), r]));
  const points = [];
  for (let t = start; t <= now; t += stepMs) {
    const r = byT.get(t);
    points.push({ t: new Date(t).toISOString(), requests: n(r?.requests), blocked: n(r?.blocked), refused: n(r?.refused), errors: n(r?.errors) });
  }
  return { step_seconds: stepMs / 1000, points };
}
