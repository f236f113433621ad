import type { Kysely, Migration } from 'kysely';

/**
 * Alerts say where they come from: `source` is 'gateway' for the alerts the dashboard derives
 * from the gateways' events (every row before this migration) and 'ids' for those the flow IDS
 * posts; `details` keeps the poster's own figures (JSON object, null for gateway alerts).
 * The same statements on SQLite and PostgreSQL; one column per statement, as SQLite's ALTER TABLE
 * adds one at a time.
 */
export function alertSourceMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('alerts').addColumn('source', 'text', (c) => c.notNull().defaultTo('gateway')).execute();
      await db.schema.alterTable('alerts').addColumn('details', 'text').execute();
      await db.schema.createIndex('idx_alerts_source_ts').on('alerts').columns(['source', 'ts']).execute();
    },
  };
}
