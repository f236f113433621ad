import type { Insertable, Kysely, Transaction } from 'kysely';
import type { Clock } from '../../core/clock.js';
import type { Database, RequestsTable, RollupMinuteTable } from '../db/schema.js';
import type { ValidEvent } from '../schemas.js';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
const INSERT_CHUNK = 1000;
const MAX_ALERTS_PER_BATCH = 20;
const PATH_KEY_MAX = 200;

export interface SamplingOptions {
  /** Share of allowed requests kept as raw rows once the per-second threshold is passed (0..1]. */
  allowedRate: number;
  /** Allowed requests per second always kept in full before sampling starts. */
  keepAllBelowPerSecond: number;
}

export interface IngestorOptions {
  sampling: SamplingOptions;
  /** How long after its last block a client counts as actively blocked (ms). */
  blockActiveMs: number;
  /** Blocked requests per minute (all gateways) above which a Threshold_Exceeded alert is raised. */
  alertBlockedPerMinute: number;
}

export interface IngestResult {
  stored: number;
  sampledOut: number;
  newlyBlocked: string[];
  alerts: number;
}

interface RollupKeyed<T> { key: string; row: T }

/** Writes validated events: raw rows (allowed ones possibly sampled), exact rollups, block state, alerts. */
export function createIngestor(db: Kysely<Database>, opts: IngestorOptions, clock: Clock) {
  const keepEvery = Math.max(1, Math.round(1 / opts.sampling.allowedRate));
  let windowSecond = -1;
  let allowedThisSecond = 0;
  let sampleCounter = 0;
  let alertMinute = -1;
  let blockedThisMinute = 0;
  let thresholdAlerted = false;

  /** Decides the weight of an allowed event's row: 0 = dropped, n = row stands for n requests. */
  function sampleWeight(): number {
    const sec = Math.floor(clock.now() / 1000);
    if (sec !== windowSecond) { windowSecond = sec; allowedThisSecond = 0; }
    allowedThisSecond += 1;
    if (keepEvery === 1 || allowedThisSecond <= opts.sampling.keepAllBelowPerSecond) return 1;
    sampleCounter = (sampleCounter + 1) % keepEvery;
    return sampleCounter === 0 ? keepEvery : 0;
  }

  async function ingest(events: ValidEvent[]): Promise<IngestResult> {
    const rows: Insertable<RequestsTable>[] = [];
    const minute = new Map<string, RollupKeyed<RollupMinuteTable>>();
    const ipHour = new Map<string, { bucket: number; source_ip: string; total: number; blocked: number; blocked_confidence_sum: number }>();
    const pathHour = new Map<string, { bucket: number; path: string; total: number; blocked: number }>();
    const blocks = new Map<string, { n: number; conf: number; first: number; last: number; reason: string; features: string | null }>();
    let sampledOut = 0;
    let blockedCount = 0;

    for (const e of events) {
      const ts = Date.parse(e.timestamp);
      const blocked = e.is_blocked ? 1 : 0;
      blockedCount += blocked;
      const weight = e.action === 'allow' && !e.is_blocked ? sampleWeight() : 1;
      if (weight === 0) sampledOut += 1;
      else {
        rows.push({
          ts, source_ip: e.source_ip, path: e.path, method: e.method.toUpperCase(), user_agent: e.user_agent,
          prediction: e.prediction, confidence: e.confidence, is_blocked: blocked, status: e.status,
          response_time_ms: e.response_time_ms, size: e.size, gateway_id: e.gateway_id, action: e.action,
          reason: e.reason, features: e.features && e.action !== 'allow' ? JSON.stringify(e.features) : null, weight,
        });
      }
      const mb = ts - (ts % MINUTE_MS);
      const mk = `${mb}|${e.gateway_id}`;
      let m = minute.get(mk);
      if (!m) {
        m = { key: mk, row: { bucket: mb, gateway_id: e.gateway_id, total: 0, blocked: 0, act_allow: 0, act_challenge: 0,
          act_throttle: 0, act_block: 0, pred_normal: 0, pred_suspicious: 0, pred_ddos: 0, pred_blocked: 0,
          confidence_sum: 0, response_time_sum: 0, bytes_sum: 0, status_4xx: 0, status_5xx: 0 } };
        minute.set(mk, m);
      }
      const r = m.row;
      r.total += 1; r.blocked += blocked; r.confidence_sum += e.confidence; r.response_time_sum += e.response_time_ms;
      r.bytes_sum += e.size;
      if (e.status >= 500) r.status_5xx += 1; else if (e.status >= 400) r.status_4xx += 1;
      switch (e.action) {
        case 'allow': r.act_allow += 1; break;
        case 'challenge': r.act_challenge += 1; break;
        case 'throttle': r.act_throttle += 1; break;
        case 'block': r.act_block += 1; break;
      }
      switch (e.prediction) {
        case 'NORMAL': r.pred_normal += 1; break;
        case 'SUSPICIOUS': r.pred_suspicious += 1; break;
        case 'DDoS': r.pred_ddos += 1; break;
        case 'BLOCKED': r.pred_blocked += 1; break;
      }
      const hb = ts - (ts % HOUR_MS);
      const ik = `${hb}|${e.source_ip}`;
      const ih = ipHour.get(ik) ?? { bucket: hb, source_ip: e.source_ip, total: 0, blocked: 0, blocked_confidence_sum: 0 };
      ih.total += 1; ih.blocked += blocked; if (blocked) ih.blocked_confidence_sum += e.confidence;
      ipHour.set(ik, ih);
      const p = pathKey(e.path);
      const pk = `${hb}|${p}`;
      const ph = pathHour.get(pk) ?? { bucket: hb, path: p, total: 0, blocked: 0 };
      ph.total += 1; ph.blocked += blocked;
      pathHour.set(pk, ph);
      if (e.action === 'block') {
        const b = blocks.get(e.source_ip) ?? { n: 0, conf: 0, first: ts, last: ts, reason: '', features: null };
        b.n += 1; b.conf += e.confidence;
        if (ts < b.first) b.first = ts;
        if (ts >= b.last) { b.last = ts; b.reason = e.reason; if (e.features) b.features = JSON.stringify(e.features); }
        blocks.set(e.source_ip, b);
      }
    }

    const now = clock.now();
    const newlyBlocked: string[] = [];
    let alerts = 0;
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
        await trx.insertInto('requests').values(rows.slice(i, i + INSERT_CHUNK)).execute();
      }
      await upsertMinute(trx, sortedRows(minute));
      await upsertIpHour(trx, [...ipHour.entries()].sort(byKey).map(([, v]) => v));
      await upsertPathHour(trx, [...pathHour.entries()].sort(byKey).map(([, v]) => v));
      if (blocks.size > 0) {
        const ips = [...blocks.keys()].sort();
        const existing = new Map<string, { last_blocked: number; state: string }>();
        for (let i = 0; i < ips.length; i += INSERT_CHUNK) {
          const found = await trx.selectFrom('blocked_ips').select(['ip', 'last_blocked', 'state'])
            .where('ip', 'in', ips.slice(i, i + INSERT_CHUNK)).execute();
          for (const f of found) existing.set(f.ip, { last_blocked: Number(f.last_blocked), state: f.state });
        }
        const values = ips.map((ip) => {
          const b = blocks.get(ip)!;
          const prev = existing.get(ip);
          if (!prev || prev.state === 'unblocked' || prev.last_blocked < b.first - opts.blockActiveMs) newlyBlocked.push(ip);
          return { ip, first_blocked: b.first, last_blocked: b.last, block_count: b.n, confidence_sum: b.conf,
            last_reason: b.reason, last_features: b.features, state: 'auto', manual_until: null, updated_at: now };
        });
        for (let i = 0; i < values.length; i += INSERT_CHUNK) {
          await trx.insertInto('blocked_ips').values(values.slice(i, i + INSERT_CHUNK)).onConflict((oc) => oc.column('ip').doUpdateSet((eb) => ({
            block_count: eb(eb.ref('blocked_ips.block_count'), '+', eb.ref('excluded.block_count')),
            confidence_sum: eb(eb.ref('blocked_ips.confidence_sum'), '+', eb.ref('excluded.confidence_sum')),
            last_blocked: eb.case().when(eb.ref('excluded.last_blocked'), '>', eb.ref('blocked_ips.last_blocked'))
              .then(eb.ref('excluded.last_blocked')).else(eb.ref('blocked_ips.last_blocked')).end(),
            last_reason: eb.ref('excluded.last_reason'),
            last_features: eb.fn.coalesce(eb.ref('excluded.last_features'), eb.ref('blocked_ips.last_features')),
            state: eb.case().when(eb.ref('blocked_ips.state'), '=', 'manual').then('manual').else('auto').end(),
            updated_at: eb.ref('excluded.updated_at'),
          }))).execute();
        }
        const alertRows: Insertable<Database['alerts']>[] = newlyBlocked.slice(0, MAX_ALERTS_PER_BATCH).map((ip) => {
          const b = blocks.get(ip)!;
          const avg = b.conf / b.n;
          return { ts: b.last, alert_type: 'DDoS_Detected', source_ip: ip, severity: avg >= 0.9 ? 'HIGH' : 'MEDIUM',
            is_acknowledged: 0, acknowledged_by: null, acknowledged_at: null, message: `client ${ip} blocked (${b.reason || 'no reason given'}), confidence ${avg.toFixed(2)}` };
        });
        if (newlyBlocked.length > MAX_ALERTS_PER_BATCH) {
          alertRows.push({ ts: now, alert_type: 'DDoS_Detected', source_ip: null, severity: 'CRITICAL',
            is_acknowledged: 0, acknowledged_by: null, acknowledged_at: null,
            message: `${newlyBlocked.length - MAX_ALERTS_PER_BATCH} more clients blocked at once` });
        }
        if (alertRows.length) { await trx.insertInto('alerts').values(alertRows).execute(); alerts += alertRows.length; }
      }
      const thisMinute = Math.floor(now / MINUTE_MS);
      if (thisMinute !== alertMinute) { alertMinute = thisMinute; blockedThisMinute = 0; thresholdAlerted = false; }
      blockedThisMinute += blockedCount;
      if (!thresholdAlerted && opts.alertBlockedPerMinute > 0 && blockedThisMinute > opts.alertBlockedPerMinute) {
        thresholdAlerted = true;
        await trx.insertInto('alerts').values({ ts: now, alert_type: 'Threshold_Exceeded', source_ip: null, severity: 'CRITICAL',
          is_acknowledged: 0, acknowledged_by: null, acknowledged_at: null, message: `more than ${opts.alertBlockedPerMinute} blocked requests within a minute` }).execute();
        alerts += 1;
      }
    });
    return { stored: rows.length, sampledOut, newlyBlocked, alerts };
  }

  return { ingest };
}

export type Ingestor = ReturnType<typeof createIngestor>;

/** Rollup key for a path: without its query string, bounded in length. */
export function pathKey(path: string): string {
  const q = path.indexOf('?');
  const p = q >= 0 ? path.slice(0, q) : path;
  return p.length > PATH_KEY_MAX ? p.slice(0, PATH_KEY_MAX) : p || '/';
}

function byKey<T>(a: [string, T], b: [string, T]): number { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; }
function sortedRows<T>(m: Map<string, RollupKeyed<T>>): T[] {
  return [...m.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((x) => x.row);
}

const MINUTE_SUMS = ['total', 'blocked', 'act_allow', 'act_challenge', 'act_throttle', 'act_block', 'pred_normal',
  'pred_suspicious', 'pred_ddos', 'pred_blocked', 'confidence_sum', 'response_time_sum', 'bytes_sum', 'status_4xx',
  'status_5xx'] as const;

async function upsertMinute(trx: Transaction<Database>, rows: RollupMinuteTable[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await trx.insertInto('rollup_minute').values(rows.slice(i, i + INSERT_CHUNK))
      .onConflict((oc) => oc.columns(['bucket', 'gateway_id']).doUpdateSet((eb) => Object.fromEntries(
        MINUTE_SUMS.map((c) => [c, eb(eb.ref(`rollup_minute.${c}`), '+', eb.ref(`excluded.${c}`))]),
      ))).execute();
  }
}

async function upsertIpHour(trx: Transaction<Database>, rows: Database['rollup_ip_hour'][]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await trx.insertInto('rollup_ip_hour').values(rows.slice(i, i + INSERT_CHUNK))
      .onConflict((oc) => oc.columns(['bucket', 'source_ip']).doUpdateSet((eb) => ({
        total: eb(eb.ref('rollup_ip_hour.total'), '+', eb.ref('excluded.total')),
        blocked: eb(eb.ref('rollup_ip_hour.blocked'), '+', eb.ref('excluded.blocked')),
        blocked_confidence_sum: eb(eb.ref('rollup_ip_hour.blocked_confidence_sum'), '+', eb.ref('excluded.blocked_confidence_sum')),
      }))).execute();
  }
}

async function upsertPathHour(trx: Transaction<Database>, rows: Database['rollup_path_hour'][]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await trx.insertInto('rollup_path_hour').values(rows.slice(i, i + INSERT_CHUNK))
      .onConflict((oc) => oc.columns(['bucket', 'path']).doUpdateSet((eb) => ({
        total: eb(eb.ref('rollup_path_hour.total'), '+', eb.ref('excluded.total')),
        blocked: eb(eb.ref('rollup_path_hour.blocked'), '+', eb.ref('excluded.blocked')),
      }))).execute();
  }
}
