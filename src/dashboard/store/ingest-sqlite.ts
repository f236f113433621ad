import type BetterSqlite3 from 'better-sqlite3';
import type { Compilable, Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { BLOCKLIST_REASON, MINUTE_SUMS, REQUEST_COLUMNS, type AlertRow, type BatchPlan, type BatchWriter, type PreviousBlock, type RequestRow } from './ingest-plan.js';

/** Rows per multi-row insert into `requests` (16 bound values each). */
const ROWS_PER_INSERT = 50;

const REQUEST_TEMPLATE: RequestRow = {
  ts: 0, source_ip: '', path: '', method: '', user_agent: '', prediction: '', confidence: 0, is_blocked: 0, status: 0,
  response_time_ms: 0, size: 0, gateway_id: '', action: '', reason: '', features: null, weight: 1,
};
const ALERT_TEMPLATE: AlertRow = {
  ts: 0, alert_type: '', source_ip: null, message: '', severity: '', is_acknowledged: 0, acknowledged_by: null, acknowledged_at: null,
};
const ALERT_COLUMNS = Object.keys(ALERT_TEMPLATE) as (keyof AlertRow)[];

/**
 * SQLite batch writer: the statements are built with Kysely once, prepared once on the
 * better-sqlite3 handle, and run synchronously in one transaction per batch, holding Kysely's
 * connection so that no other query interleaves.
 */
export function createSqliteWriter(db: Kysely<Database>, sqlite: BetterSqlite3.Database): BatchWriter {
  /**
   * Prepares a Kysely query whose first `params` bound values are given at each run; the values
   * after them are constants of the query (e.g. in its ON CONFLICT clause), returned as `constants`.
   */
  const prepareWith = (q: Compilable, params: number) => {
    const c = q.compile();
    if (c.parameters.length < params) throw new Error(`prepared statement binds ${c.parameters.length} values, expected ${params}`);
    return { stmt: sqlite.prepare(c.sql), constants: c.parameters.slice(params) };
  };
  const prepare = (q: Compilable, params: number) => {
    const p = prepareWith(q, params);
    if (p.constants.length) throw new Error(`prepared statement binds ${params + p.constants.length} values, expected ${params}`);
    return p.stmt;
  };
  const insertRequests = prepare(db.insertInto('requests').values(Array.from({ length: ROWS_PER_INSERT }, () => REQUEST_TEMPLATE)),
    ROWS_PER_INSERT * REQUEST_COLUMNS.length);
  const insertRequest = prepare(db.insertInto('requests').values(REQUEST_TEMPLATE), REQUEST_COLUMNS.length);
  const upsertMinute = prepare(db.insertInto('rollup_minute')
    .values({ bucket: 0, gateway_id: '', ...Object.fromEntries(MINUTE_SUMS.map((c) => [c, 0])) as Record<(typeof MINUTE_SUMS)[number], number> })
    .onConflict((oc) => oc.columns(['bucket', 'gateway_id']).doUpdateSet((eb) => Object.fromEntries(
      MINUTE_SUMS.map((c) => [c, eb(eb.ref(`rollup_minute.${c}`), '+', eb.ref(`excluded.${c}`))]),
    ))), 2 + MINUTE_SUMS.length);
  const upsertIpHour = prepare(db.insertInto('rollup_ip_hour').values({ bucket: 0, source_ip: '', total: 0, blocked: 0, blocked_confidence_sum: 0 })
    .onConflict((oc) => oc.columns(['bucket', 'source_ip']).doUpdateSet((eb) => ({
      total: eb(eb.ref('rollup_ip_hour.total'), '+', eb.ref('excluded.total')),
      blocked: eb(eb.ref('rollup_ip_hour.blocked'), '+', eb.ref('excluded.blocked')),
      blocked_confidence_sum: eb(eb.ref('rollup_ip_hour.blocked_confidence_sum'), '+', eb.ref('excluded.blocked_confidence_sum')),
    }))), 5);
  const upsertPathHour = prepare(db.insertInto('rollup_path_hour').values({ bucket: 0, path: '', total: 0, blocked: 0 })
    .onConflict((oc) => oc.columns(['bucket', 'path']).doUpdateSet((eb) => ({
      total: eb(eb.ref('rollup_path_hour.total'), '+', eb.ref('excluded.total')),
      blocked: eb(eb.ref('rollup_path_hour.blocked'), '+', eb.ref('excluded.blocked')),
    }))), 4);
  const selectBlock = prepare(db.selectFrom('blocked_ips').select(['last_blocked', 'state', 'last_reason']).where('ip', '=', ''), 1);
  const upsertBlock = prepareWith(db.insertInto('blocked_ips').values({
    ip: '', first_blocked: 0, last_blocked: 0, block_count: 0, confidence_sum: 0, last_reason: '', last_features: null,
    state: 'auto', manual_until: null, updated_at: 0,
  }).onConflict((oc) => oc.column('ip').doUpdateSet((eb) => ({
    block_count: eb(eb.ref('blocked_ips.block_count'), '+', eb.ref('excluded.block_count')),
    confidence_sum: eb(eb.ref('blocked_ips.confidence_sum'), '+', eb.ref('excluded.confidence_sum')),
    last_blocked: eb.case().when(eb.ref('excluded.last_blocked'), '>', eb.ref('blocked_ips.last_blocked'))
      .then(eb.ref('excluded.last_blocked')).else(eb.ref('blocked_ips.last_blocked')).end(),
    // a refusal by the blocklist keeps the stored reason of the block (a decision's, or the one given from the dashboard)
    last_reason: eb.case().when(eb.and([eb(eb.ref('excluded.last_reason'), '=', BLOCKLIST_REASON), eb(eb.ref('blocked_ips.last_reason'), '<>', ''),
      eb(eb.ref('blocked_ips.state'), 'in', ['auto', 'manual'])]))
      .then(eb.ref('blocked_ips.last_reason')).else(eb.ref('excluded.last_reason')).end(),
    last_features: eb.fn.coalesce(eb.ref('excluded.last_features'), eb.ref('blocked_ips.last_features')),
    state: eb.case().when(eb.ref('blocked_ips.state'), '=', 'manual').then('manual').else('auto').end(),
    // a manual block keeps the time it was made from the dashboard (re-application compares it with a gateway's start)
    updated_at: eb.case().when(eb.ref('blocked_ips.state'), '=', 'manual').then(eb.ref('blocked_ips.updated_at')).else(eb.ref('excluded.updated_at')).end(),
  }))), 10);
  const insertAlert = prepare(db.insertInto('alerts').values(ALERT_TEMPLATE), ALERT_COLUMNS.length);

  const chunk: unknown[] = new Array(ROWS_PER_INSERT * REQUEST_COLUMNS.length);
  const one: unknown[] = new Array(REQUEST_COLUMNS.length);
  const fill = (out: unknown[], at: number, r: RequestRow) => {
    for (let c = 0; c < REQUEST_COLUMNS.length; c++) out[at + c] = r[REQUEST_COLUMNS[c]!];
  };

  const writeSync = sqlite.transaction((plan: BatchPlan, now: number, alertsFor: (previous: Map<string, PreviousBlock>) => AlertRow[]) => {
    const { rows } = plan;
    const full = rows.length - (rows.length % ROWS_PER_INSERT);
    for (let i = 0; i < full; i += ROWS_PER_INSERT) {
      for (let k = 0; k < ROWS_PER_INSERT; k++) fill(chunk, k * REQUEST_COLUMNS.length, rows[i + k]!);
      insertRequests.run(chunk);
    }
    for (let i = full; i < rows.length; i++) { fill(one, 0, rows[i]!); insertRequest.run(one); }
    for (const m of plan.minute) upsertMinute.run(m.bucket, m.gateway_id, ...MINUTE_SUMS.map((c) => m[c]));
    for (const r of plan.ipHour) upsertIpHour.run(r.bucket, r.source_ip, r.total, r.blocked, r.blocked_confidence_sum);
    for (const r of plan.pathHour) upsertPathHour.run(r.bucket, r.path, r.total, r.blocked);
    const previous = new Map<string, PreviousBlock>();
    for (const b of plan.blocks) {
      const found = selectBlock.get(b.ip) as { last_blocked: number; state: string; last_reason: string } | undefined;
      if (found) previous.set(b.ip, { last_blocked: Number(found.last_blocked), state: found.state, last_reason: found.last_reason });
      upsertBlock.stmt.run(b.ip, b.first, b.last, b.n, b.conf, b.reason, b.features, 'auto', null, now, ...upsertBlock.constants);
    }
    for (const a of alertsFor(previous)) insertAlert.run(ALERT_COLUMNS.map((c) => a[c] ?? null));
  });

  return {
    async write(plan, now, alertsFor) {
      await db.connection().execute(async () => { writeSync(plan, now, alertsFor); });
    },
  };
}
