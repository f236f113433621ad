import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import { dashboardMigrations } from '../../src/dashboard/db/connect.js';
import { startGatewayService, type GatewayService } from '../../src/gateway/service.js';
import { silent, testConfig } from '../gateway/helpers.js';
import { createLogger } from '../../src/core/logger.js';
import type { Clock } from '../../src/core/clock.js';
import { buildDashboardConfig, type DashboardConfig } from '../../src/dashboard/config.js';
import { startDashboard, type DashboardHandle } from '../../src/dashboard/server.js';
import type { RequestEvent } from '../../src/gateway/events/types.js';

export const PG_ADMIN_URL = process.env.DASHBOARD_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const ADMIN_PASSWORD = 'correct-horse-battery';
export const INGEST_TOKEN = 'test-ingest-token-0123456789';

/** Whether the local PostgreSQL answers; a reason string when it does not. */
export async function postgresUnavailable(): Promise<string | null> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('select 1');
    return null;
  } catch (err) {
    return `PostgreSQL not reachable at ${PG_ADMIN_URL}: ${(err as Error).message}`;
  } finally {
    await c.end().catch(() => {});
  }
}

/** Skip reason for tests needing something missing; throws instead when CI is set. */
export function skipOrFail(reason: string | null): string | false {
  if (!reason) return false;
  if (process.env.CI) throw new Error(`required for CI: ${reason}`);
  return reason;
}

/** A throwaway database: a fresh Postgres database or SQLite file, removed by cleanup(). */
export async function throwawayDb(kind: 'sqlite' | 'postgres'): Promise<{ overrides: Partial<DashboardConfig>; cleanup(): Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'dash-test-'));
    return { overrides: { sqliteFile: join(dir, 'dashboard.sqlite') }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `ddos_shield_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return {
    overrides: { databaseUrl: u.toString() },
    async cleanup() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export interface TestDashboard {
  h: DashboardHandle;
  base: string;
  cookie: string;
  close(): Promise<void>;
}

export async function startTestDashboard(kind: 'sqlite' | 'postgres', clock: Clock, overrides: Partial<DashboardConfig> = {}): Promise<TestDashboard> {
  const tdb = await throwawayDb(kind);
  let h: DashboardHandle;
  try {
    h = await startDashboard(buildDashboardConfig({
      port: 0, adminPassword: ADMIN_PASSWORD, ingestToken: INGEST_TOKEN, ...tdb.overrides, ...overrides,
    }), { clock, logger: createLogger({ level: 'silent' }) });
  } catch (err) {
    await tdb.cleanup();
    throw err;
  }
  const base = h.url;
  const login = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
  const setCookie = login.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0]!;
  return { h, base, cookie, async close() { await h.close(); await tdb.cleanup(); } };
}

export function makeEvent(over: Partial<RequestEvent> & { at?: number } = {}): RequestEvent {
  const { at, ...rest } = over;
  return {
    timestamp: new Date(at ?? Date.now()).toISOString(), source_ip: '192.0.2.10', path: '/books', method: 'GET',
    user_agent: 'Mozilla/5.0 test', prediction: 'NORMAL', confidence: 0.1, is_blocked: false, status: 200,
    response_time_ms: 3.5, size: 512, gateway_id: 'gw-1', action: 'allow', reason: '', ...rest,
  };
}

export async function postLogs(base: string, body: unknown, token = INGEST_TOKEN): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}/api/logs`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
}

export async function getJson<T = Record<string, unknown>>(base: string, path: string, cookie: string): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = cookie.startsWith('Bearer ') ? { authorization: cookie } : { cookie };
  const res = await fetch(`${base}${path}`, { headers });
  return { status: res.status, body: await res.json() as T };
}

export async function postJson<T = Record<string, unknown>>(base: string, path: string, cookie: string, body: unknown): Promise<{ status: number; body: T }> {
  const auth: Record<string, string> = cookie.startsWith('Bearer ') ? { authorization: cookie } : { cookie };
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() as T };
}

/** Polls until fn returns a truthy value or the timeout passes. */
export async function waitFor<T>(fn: () => Promise<T> | T, what: string, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Opens the database of `throwawayDb` overrides, applies the first `upTo` migrations of the
 * dashboard only (a database as an older dashboard left it), lets `seed` write into it, closes it.
 */
export async function databaseMigratedTo(
  kind: 'sqlite' | 'postgres', o: { sqliteFile?: string; databaseUrl?: string }, upTo: number,
  seed: (db: Kysely<any>) => Promise<void>, // eslint-disable-line @typescript-eslint/no-explicit-any -- the tables of an older schema
): Promise<void> {
  const db = kind === 'sqlite'
    ? new Kysely<any>({ dialect: new SqliteDialect({ database: new BetterSqlite3(o.sqliteFile!) }) }) // eslint-disable-line @typescript-eslint/no-explicit-any
    : new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: o.databaseUrl, max: 1 }) }) }); // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    const all = dashboardMigrations(kind);
    const names = Object.keys(all).sort().slice(0, upTo);
    const migrator = new Migrator({
      db, migrationTableName: 'dashboard_migrations', migrationLockTableName: 'dashboard_migrations_lock',
      provider: { getMigrations: async () => Object.fromEntries(names.map((n) => [n, all[n]!])) },
    });
    const { error } = await migrator.migrateToLatest();
    if (error) throw error;
    await seed(db);
  } finally {
    await db.destroy();
  }
}

/**
 * A dashboard (SQLite unless `kind` says otherwise) that knows one real gateway (in this process,
 * real sockets, its admin API behind `adminToken`) from a heartbeat sent as `gatewayId`; the
 * gateway's backend is a dead port.
 */
export async function startDashboardWithGateway(clock: Clock, adminToken: string, gatewayId: string, kind: 'sqlite' | 'postgres' = 'sqlite'): Promise<{ t: TestDashboard; gw: GatewayService; admin: string; close(): Promise<void> }> {
  const t = await startTestDashboard(kind, clock, { gatewayAdminToken: adminToken });
  const gw = await startGatewayService(
    testConfig({ admin: { token: adminToken }, backends: { targets: [{ url: 'http://127.0.0.1:9' }] }, detection: { enabled: false } }),
    { logger: silent, clock },
  );
  const admin = `http://127.0.0.1:${gw.adminPort}`;
  const hb = await postJson(t.base, '/api/heartbeat', `Bearer ${INGEST_TOKEN}`, {
    gateway_id: gatewayId, admin_url: admin, uptime_seconds: 5, requests_processed: 100, blocked_count: 0,
  });
  if (hb.status !== 200) throw new Error(`heartbeat refused: ${hb.status}`);
  return {
    t, gw, admin,
    async close() {
      await gw.close().catch(() => {});
      await t.close();
    },
  };
}
