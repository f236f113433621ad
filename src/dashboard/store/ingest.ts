import type { Clock } from '../../core/clock.js';
import type { DashboardDb } from '../db/connect.js';
import type { RollupIpHourTable, RollupMinuteTable, RollupPathHourTable } from '../db/schema.js';
import type { ValidEvent } from '../schemas.js';
import { BLOCKLIST_REASON, type AlertRow, type BatchPlan, type BatchWriter, type BlockUpdate, type RequestRow } from './ingest-plan.js';
import { createSqliteWriter } from './ingest-sqlite.js';
import { createPostgresWriter } from './ingest-postgres.js';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
const MAX_ALERTS_PER_BATCH = 20;
/** Events written in one transaction at most (a group of batches). */
const MAX_GROUP_EVENTS = 10_000;
const PATH_KEY_MAX = 200;

export interface SamplingOptions {
  /** Share of allowed requests kept as raw rows once the per-second threshold is passed (0..1]. */
  allowedRate: number;
  /** Allowed requests per second always kept in full before sampling starts. */
  keepAllBelowPerSecond: number;
}

export interface IngestorOptions {
  sampling: SamplingOptions;
  /** A client blocked again within this long (ms) after its last block raises no new DDoS_Detected alert. */
  blockActiveMs: number;
  /** Refused requests (block + throttle + challenge) per minute, all gateways, above which a Threshold_Exceeded alert is raised. */
  alertBlockedPerMinute: number;
}

export interface IngestResult {
  stored: number;
  sampledOut: number;
  newlyBlocked: string[];
  alerts: number;
}

/** Batches aggregated together and written in one transaction. */
interface Group {
  events: number;
  rows: RequestRow[];
  minute: Map<string, RollupMinuteTable>;
  ipHour: Map<string, RollupIpHourTable>;
  pathHour: Map<string, RollupPathHourTable>;
  blocks: Map<string, BlockUpdate>;
  blockedCount: number;
  /** Filled once written. */
  newlyBlocked: string[];
  /** Alerts raised by the group, not yet reported to one of its batches. */
  unreportedAlerts: number;
  done: Promise<void>;
  settle(err?: unknown): void;
}

/**
 * Writes validated events: raw rows (allowed ones possibly sampled), exact rollups, block state,
 * alerts. Events are aggregated in memory (every rollup key once) and written in one transaction.
 * While a write is in progress, the batches that arrive meanwhile are aggregated into the next
 * group, written as soon as it ends (group commit): one writer at a time, no lock waits between
 * the dashboard's own transactions, one commit for several batches under load. A batch is
 * answered once its group is committed; if the write fails, every batch of the group fails.
 */
export function createIngestor(store: DashboardDb, opts: IngestorOptions, clock: Clock) {
  const writer: BatchWriter = store.sqlite ? createSqliteWriter(store.db, store.sqlite) : createPostgresWriter(store.db);
  const keepEvery = Math.max(1, Math.round(1 / opts.sampling.allowedRate));
  let windowSecond = -1;
  let allowedThisSecond = 0;
  let sampleCounter = 0;
  let alertMinute = -1;
  let blockedThisMinute = 0;
  let thresholdAlerted = false;

  /** Decides the weight of an allowed event's row: 0 = dropped, n = row stands for n requests. */
  function sampleWeight(nowMs: number): number {
    const sec = Math.floor(nowMs / 1000);
    if (sec !== windowSecond) { windowSecond = sec; allowedThisSecond = 0; }
    allowedThisSecond += 1;
    if (keepEvery === 1 || allowedThisSecond <= opts.sampling.keepAllBelowPerSecond) return 1;
    sampleCounter = (sampleCounter + 1) % keepEvery;
    return sampleCounter === 0 ? keepEvery : 0;
  }

  const queue: Group[] = [];
  let writing = false;

  function newGroup(): Group {
    let settle!: (err?: unknown) => void;
    const done = new Promise<void>((resolve, reject) => { settle = (err) => (err === undefined ? resolve() : reject(err)); });
    done.catch(() => {}); // awaited by each batch of the group
    return { events: 0, rows: [], minute: new Map(), ipHour: new Map(), pathHour: new Map(), blocks: new Map(), blockedCount: 0,
      newlyBlocked: [], unreportedAlerts: 0, done, settle };
  }

  /** The group a batch of n events joins: the last one waiting, when it has room. */
  function groupFor(n: number): Group {
    const last = queue[queue.length - 1];
    if (last && last.events + n <= MAX_GROUP_EVENTS) return last;
    const g = newGroup();
    queue.push(g);
    return g;
  }

  async function drain(): Promise<void> {
    if (writing) return;
    writing = true;
    try {
      for (let g = queue.shift(); g; g = queue.shift()) {
        try { await writeGroup(g); g.settle(); } catch (err) { g.settle(err ?? new Error('write failed')); }
      }
    } finally { writing = false; }
  }

  async function ingest(events: ValidEvent[]): Promise<IngestResult> {
    const now = clock.now();
    const g = groupFor(events.length);
    const rowsBefore = g.rows.length;
    const mine = new Set<string>(); // clients this batch saw blocked
    let sampledOut = 0;
    g.events += events.length;

    for (const e of events) {
      const ts = Date.parse(e.timestamp);
      // the rollups' `blocked` columns count refusals by the action (block, throttle, challenge), so
      // that a gateway error is never counted as refused whatever the event's is_blocked says
      const refused = isRefusal(e.action) ? 1 : 0;
      g.blockedCount += refused;
      const weight = e.action === 'allow' && !e.is_blocked ? sampleWeight(now) : 1;
      if (weight === 0) sampledOut += 1;
      else {
        g.rows.push({
          ts, source_ip: e.source_ip, path: e.path, method: e.method.toUpperCase(), user_agent: e.user_agent,
          prediction: e.prediction, confidence: e.confidence, is_blocked: e.is_blocked ? 1 : 0, status: e.status,
          response_time_ms: e.response_time_ms, size: e.size, gateway_id: e.gateway_id, action: e.action,
          reason: e.reason, features: e.features && e.action !== 'allow' ? JSON.stringify(e.features) : null, weight,
        });
      }
      const mb = ts - (ts % MINUTE_MS);
      const mk = `${mb}|${e.gateway_id}`;
      let r = g.minute.get(mk);
      if (!r) {
        r = { bucket: mb, gateway_id: e.gateway_id, total: 0, blocked: 0, act_allow: 0, act_challenge: 0,
          act_throttle: 0, act_block: 0, act_error: 0, pred_normal: 0, pred_suspicious: 0, pred_ddos: 0, pred_blocked: 0,
          confidence_sum: 0, response_time_sum: 0, bytes_sum: 0, status_4xx: 0, status_5xx: 0 };
        g.minute.set(mk, r);
      }
      r.total += 1; r.blocked += refused; r.confidence_sum += e.confidence; r.response_time_sum += e.response_time_ms;
      r.bytes_sum += e.size;
      if (e.status >= 500) r.status_5xx += 1; else if (e.status >= 400) r.status_4xx += 1;
      switch (e.action) {
        case 'allow': r.act_allow += 1; break;
        case 'challenge': r.act_challenge += 1; break;
        case 'throttle': r.act_throttle += 1; break;
        case 'block': r.act_block += 1; break;
        case 'error': r.act_error += 1; break;
      }
      switch (e.prediction) {
        case 'NORMAL': r.pred_normal += 1; break;
        case 'SUSPICIOUS': r.pred_suspicious += 1; break;
        case 'DDoS': r.pred_ddos += 1; break;
        case 'BLOCKED': r.pred_blocked += 1; break;
      }
      const hb = ts - (ts % HOUR_MS);
      const ik = `${hb}|${e.source_ip}`;
      let ih = g.ipHour.get(ik);
      if (!ih) { ih = { bucket: hb, source_ip: e.source_ip, total: 0, blocked: 0, blocked_confidence_sum: 0 }; g.ipHour.set(ik, ih); }
      ih.total += 1; ih.blocked += refused; if (refused) ih.blocked_confidence_sum += e.confidence;
      const p = pathKey(e.path);
      const pk = `${hb}|${p}`;
      let ph = g.pathHour.get(pk);
      if (!ph) { ph = { bucket: hb, path: p, total: 0, blocked: 0 }; g.pathHour.set(pk, ph); }
      ph.total += 1; ph.blocked += refused;
      if (e.action === 'block') {
        mine.add(e.source_ip);
        let b = g.blocks.get(e.source_ip);
        if (!b) { b = { ip: e.source_ip, n: 0, conf: 0, first: ts, last: ts, reason: '', reasonAt: ts, features: null }; g.blocks.set(e.source_ip, b); }
        b.n += 1; b.conf += e.confidence;
        if (ts < b.first) b.first = ts;
        if (ts >= b.last) { b.last = ts; if (e.features) b.features = JSON.stringify(e.features); }
        // the reason of the block is that of its first decision; the blocklist's later refusals do not replace it
        if (e.reason && (isUninformative(b.reason) ? !isUninformative(e.reason) || !b.reason : !isUninformative(e.reason) && ts < b.reasonAt)) {
          b.reason = e.reason; b.reasonAt = ts;
        }
      }
    }

    const stored = g.rows.length - rowsBefore;
    void drain();
    await g.done;
    const alerts = g.unreportedAlerts;
    g.unreportedAlerts = 0;
    return { stored, sampledOut, newlyBlocked: g.newlyBlocked.filter((ip) => mine.has(ip)), alerts };
  }

  async function writeGroup(g: Group): Promise<void> {
    const now = clock.now();
    const plan: BatchPlan = {
      rows: g.rows, minute: sortedValues(g.minute), ipHour: sortedValues(g.ipHour), pathHour: sortedValues(g.pathHour), blocks: sortedValues(g.blocks),
    };
    await writer.write(plan, now, (previous) => {
      const newlyBlocked: string[] = [];
      const out: AlertRow[] = [];
      for (const b of plan.blocks) {
        const prev = previous.get(b.ip);
        if (!prev || prev.state === 'unblocked' || prev.last_blocked < b.first - opts.blockActiveMs) newlyBlocked.push(b.ip);
      }
      for (const ip of newlyBlocked.slice(0, MAX_ALERTS_PER_BATCH)) {
        const b = g.blocks.get(ip)!;
        const avg = b.conf / b.n;
        const prev = previous.get(ip);
        // refused by the blocklist only: a block made from the dashboard keeps the reason given there
        const reason = isUninformative(b.reason) && prev?.state === 'manual' && prev.last_reason ? prev.last_reason : b.reason;
        out.push({ ts: b.last, alert_type: 'DDoS_Detected', source_ip: ip, severity: avg >= 0.9 ? 'HIGH' : 'MEDIUM',
          is_acknowledged: 0, acknowledged_by: null, acknowledged_at: null, message: blockAlertMessage(ip, reason, avg) });
      }
      if (newlyBlocked.length > MAX_ALERTS_PER_BATCH) {
        out.push({ ts: now, alert_type: 'DDoS_Detected', source_ip: null, severity: 'CRITICAL',
          is_acknowledged: 0, acknowledged_by: null, acknowledged_at: null,
          message: `${newlyBlocked.length - MAX_ALERTS_PER_BATCH} more clients blocked at once` });
      }
      const thisMinute = Math.floor(now / MINUTE_MS);
      if (thisMinute !== alertMinute) { alertMinute = thisMinute; blockedThisMinute = 0; thresholdAlerted = false; }
      blockedThisMinute += g.blockedCount;
      if (!thresholdAlerted && opts.alertBlockedPerMinute > 0 && blockedThisMinute > opts.alertBlockedPerMinute) {
        thresholdAlerted = true;
        out.push({ ts: now, alert_type: 'Threshold_Exceeded', source_ip: null, severity: 'CRITICAL',
          is_acknowledged: 0, acknowledged_by: null, acknowledged_at: null, message: `more than ${opts.alertBlockedPerMinute} refused requests (blocked, throttled or challenged) within a minute` });
      }
      g.newlyBlocked = newlyBlocked;
      g.unreportedAlerts = out.length;
      return out;
    });
  }

  return { ingest };
}

export type Ingestor = ReturnType<typeof createIngestor>;

/** A reason that says nothing of why a client was blocked: none, or a refusal by the blocklist. */
export function isUninformative(reason: string): boolean {
  return !reason || reason === BLOCKLIST_REASON;
}

/** The message of a DDoS_Detected alert for one client. */
export function blockAlertMessage(ip: string, reason: string, avgConfidence: number): string {
  return `client ${ip} blocked (${reason || 'no reason given'}), confidence ${avgConfidence.toFixed(2)}`;
}

/** Whether the shield refused the request on a decision of its own (not a gateway error, not an allowed request). */
export function isRefusal(action: ValidEvent['action']): boolean {
  return action === 'block' || action === 'throttle' || action === 'challenge';
}

/** Rollup key for a path: without its query string, bounded in length. */
export function pathKey(path: string): string {
  const q = path.indexOf('?');
  const p = q >= 0 ? path.slice(0, q) : path;
  return p.length > PATH_KEY_MAX ? p.slice(0, PATH_KEY_MAX) : p || '/';
}

function sortedValues<T>(m: Map<string, T>): T[] {
  return [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((x) => x[1]);
}
