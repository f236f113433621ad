import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectName } from '../connect.js';

const ROLLUPS = ['rollup_minute', 'rollup_ip_hour', 'rollup_path_hour', 'blocked_ips'] as const;

/**
 * PostgreSQL: rollup rows are updated in place by every batch; with half of each page left free
 * the updates stay on the page (HOT) and add no index entries. SQLite has no such setting.
 */
export function rollupFillfactorMigration(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect !== 'postgres') return;
      for (const table of ROLLUPS) await sql`alter table ${sql.table(table)} set (fillfactor = 50)`.execute(db);
    },
  };
}
