import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../db/schema.js';
import { BLOCKLIST_REASON, MINUTE_SUMS, REQUEST_COLUMNS, type BatchPlan, type BatchWriter, type PreviousBlock } from './ingest-plan.js';

const REQUEST_TYPES: Record<(typeof REQUEST_COLUMNS)[number], string> = {
  ts: 'int8', source_ip: 'text', path: 'text', method: 'text', user_agent: 'text', prediction: 'text', confidence: 'float8',
  is_blocked: 'int4', status: 'int4', response_time_ms: 'float8', size: 'int8', gateway_id: 'text', action: 'text',
  reason: 'text', features: 'text', weight: 'int4',
};
const FLOAT_SUMS = new Set<string>(['confidence_sum', 'response_time_sum']);

/** `unnest($1::type[], $2::type[], ...)`: one array parameter per column. */
function unnest(columns: readonly { values: unknown[]; type: string }[]): RawBuilder<unknown> {
  return sql`unnest(${sql.join(columns.map((c) => sql`${c.values}::${sql.raw(c.type)}[]`))})`;
}

const cols = (names: readonly string[]) => sql.join(names.map((n) => sql.ref(n)));
const addExcluded = (table: string, names: readonly string[]) =>
  sql.join(names.map((n) => sql`${sql.ref(n)} = ${sql.ref(`${table}.${n}`)} + ${sql.ref(`excluded.${n}`)}`));

/**
 * PostgreSQL batch writer: the raw rows, the three rollups and the blocked clients go in one
 * statement (data-modifying CTEs over `unnest` of one array per column, so a batch binds a fixed
 * number of parameters and takes one round trip); alerts follow in the same transaction. Rows are
 * sorted by key, so concurrent batches lock shared rollup rows in the same order.
 */
export function createPostgresWriter(db: Kysely<Database>): BatchWriter {
  return {
    async write(plan: BatchPlan, now, alertsFor) {
      const { rows, minute, ipHour, pathHour, blocks } = plan;
      const minuteCols = ['bucket', 'gateway_id', ...MINUTE_SUMS] as const;
      const statement = sql<{ ip: string; last_blocked: number; state: string; last_reason: string }>`
        with prev as (
          select ip, last_blocked, state, last_reason from blocked_ips where ip = any(${blocks.map((b) => b.ip)}::text[])
        ), req as (
          insert into requests (${cols(REQUEST_COLUMNS)})
          select * from ${unnest(REQUEST_COLUMNS.map((c) => ({ values: rows.map((r) => r[c]), type: REQUEST_TYPES[c] })))}
        ), mn as (
          insert into rollup_minute (${cols(minuteCols)})
          select * from ${unnest(minuteCols.map((c) => ({ values: minute.map((m) => m[c]),
            type: c === 'gateway_id' ? 'text' : FLOAT_SUMS.has(c) ? 'float8' : 'int8' })))}
          on conflict (bucket, gateway_id) do update set ${addExcluded('rollup_minute', MINUTE_SUMS)}
        ), iph as (
          insert into rollup_ip_hour (bucket, source_ip, total, blocked, blocked_confidence_sum)
          select * from ${unnest([
            { values: ipHour.map((r) => r.bucket), type: 'int8' }, { values: ipHour.map((r) => r.source_ip), type: 'text' },
            { values: ipHour.map((r) => r.total), type: 'int8' }, { values: ipHour.map((r) => r.blocked), type: 'int8' },
            { values: ipHour.map((r) => r.blocked_confidence_sum), type: 'float8' }])}
          on conflict (bucket, source_ip) do update set ${addExcluded('rollup_ip_hour', ['total', 'blocked', 'blocked_confidence_sum'])}
        ), pth as (
          insert into rollup_path_hour (bucket, path, total, blocked)
          select * from ${unnest([
            { values: pathHour.map((r) => r.bucket), type: 'int8' }, { values: pathHour.map((r) => r.path), type: 'text' },
            { values: pathHour.map((r) => r.total), type: 'int8' }, { values: pathHour.map((r) => r.blocked), type: 'int8' }])}
          on conflict (bucket, path) do update set ${addExcluded('rollup_path_hour', ['total', 'blocked'])}
        ), blk as (
          insert into blocked_ips (ip, first_blocked, last_blocked, block_count, confidence_sum, last_reason, last_features, state, manual_until, updated_at)
          select b.ip, b.first_blocked, b.last_blocked, b.block_count, b.confidence_sum, b.last_reason, b.last_features, ${'auto'}::text, null::int8, ${now}::int8
          from ${unnest([
            { values: blocks.map((b) => b.ip), type: 'text' }, { values: blocks.map((b) => b.first), type: 'int8' },
            { values: blocks.map((b) => b.last), type: 'int8' }, { values: blocks.map((b) => b.n), type: 'int8' },
            { values: blocks.map((b) => b.conf), type: 'float8' }, { values: blocks.map((b) => b.reason), type: 'text' },
            { values: blocks.map((b) => b.features), type: 'text' }])}
            as b(ip, first_blocked, last_blocked, block_count, confidence_sum, last_reason, last_features)
          on conflict (ip) do update set
            block_count = blocked_ips.block_count + excluded.block_count,
            confidence_sum = blocked_ips.confidence_sum + excluded.confidence_sum,
            last_blocked = case when excluded.last_blocked > blocked_ips.last_blocked then excluded.last_blocked else blocked_ips.last_blocked end,
            last_reason = case when excluded.last_reason = ${BLOCKLIST_REASON} and blocked_ips.last_reason <> ''
              and blocked_ips.state in (${'auto'}, ${'manual'}) then blocked_ips.last_reason else excluded.last_reason end,
            last_features = coalesce(excluded.last_features, blocked_ips.last_features),
            state = case when blocked_ips.state = ${'manual'} then ${'manual'} else ${'auto'} end,
            /* a manual block keeps the time it was made from the dashboard: re-application compares it with the start of a gateway */
            updated_at = case when blocked_ips.state = ${'manual'} then blocked_ips.updated_at else excluded.updated_at end
        )
        select ip, last_blocked, state, last_reason from prev`;
      await db.transaction().execute(async (trx) => {
        const found = await statement.execute(trx);
        const previous = new Map<string, PreviousBlock>();
        for (const f of found.rows) previous.set(f.ip, { last_blocked: Number(f.last_blocked), state: f.state, last_reason: f.last_reason });
        const alerts = alertsFor(previous);
        if (alerts.length) await trx.insertInto('alerts').values(alerts).execute();
      });
    },
  };
}
