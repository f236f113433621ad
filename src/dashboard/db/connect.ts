import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './schema.js';
import { initialMigration } from './migrations/2026-11-23-001-initial.js';
import { rollupFillfactorMigration } from './migrations/2026-12-01-002-rollup-fillfactor.js';
import { alertSourceMigration } from './migrations/2026-12-06-003-alert-source.js';
import { errorActionMigration } from './migrations/2026-12-06-004-error-action.js';
import { redactUrl } from '../../core/redact-url.js';

export type DialectName = 'sqlite' | 'postgres';

export interface DashboardDb {
  db: Kysely<Database>;
  dialect: DialectName;
  /** Human-readable location (file path or URL without password). */
  location: string;
  /** The SQLite handle (SQLite only), for statements prepared once and reused on the ingestion path. */
  sqlite?: BetterSqlite3.Database;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** postgres:// URL; when absent the SQLite file is used. */
  databaseUrl?: string;
  /** SQLite file (":memory:" allowed). */
  sqliteFile: string;
  /** Postgres pool size. */
  poolMax?: number;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/** Opens the database (SQLite in WAL mode, or a Postgres pool) and applies pending migrations. */
export async function openDashboardDb(opts: ConnectOptions): Promise<DashboardDb> {
  const out = opts.databaseUrl ? openPostgres(opts.databaseUrl, opts.poolMax ?? 10) : openSqlite(opts.sqliteFile);
  try {
    await migrate(out.db, out.dialect);
  } catch (err) {
    await out.close();
    throw err;
  }
  return out;
}

function openSqlite(file: string): DashboardDb {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new BetterSqlite3(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('cache_size = -65536'); // 64 MiB page cache
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, dialect: 'sqlite', location: file, sqlite, close: () => db.destroy() };
}

function openPostgres(url: string, max: number): DashboardDb {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    types: {
      getTypeParser: ((oid: number, format?: string) => {
        if (oid === INT8_OID || oid === NUMERIC_OID) return (v: string) => Number(v);
        return pg.types.getTypeParser(oid, format as 'text');
      }) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client whose connection the server ends must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', location: redactUrl(url, 'postgres'), close: () => db.destroy() };
}


/** The dashboard's migrations by name, in the order they apply. */
export function dashboardMigrations(dialect: DialectName): Record<string, Migration> {
  return {
    '2026-11-23-001-initial': initialMigration(dialect),
    '2026-12-01-002-rollup-fillfactor': rollupFillfactorMigration(dialect),
    '2026-12-06-003-alert-source': alertSourceMigration(),
    '2026-12-06-004-error-action': errorActionMigration(),
  };
}

async function migrate(db: Kysely<Database>, dialect: DialectName): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => dashboardMigrations(dialect) };
  const migrator = new Migrator({ db, provider, migrationTableName: 'dashboard_migrations', migrationLockTableName: 'dashboard_migrations_lock' });
  const { error } = await migrator.migrateToLatest();
  if (error) throw new Error(`database migration failed: ${(error as Error).message ?? String(error)}`, { cause: error });
}
