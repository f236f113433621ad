import type { Kysely, Migration } from 'kysely';

/**
 * The gateway's own error answers (502/503/504/408/413/431, action `error`) are counted apart:
 * `rollup_minute.act_error` (0 for the minutes before this migration, when older gateways sent
 * those requests as `allow`). The heartbeat's per-action counts: `gateways.throttled_count`,
 * `challenged_count`, `error_count`, null while a gateway sends only `blocked_count` (then the
 * sum of its refusals: block + throttle + challenge). The same statements on SQLite and
 * PostgreSQL, one column per statement.
 */
export function errorActionMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('rollup_minute').addColumn('act_error', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
      for (const col of ['throttled_count', 'challenged_count', 'error_count']) {
        await db.schema.alterTable('gateways').addColumn(col, 'bigint').execute();
      }
    },
  };
}
