// Dashboard benchmark: ingestion events/s (SQLite, PostgreSQL) and /api/stats?hours=24 latency with a day at 10 M requests.
// Usage: npm run bench:dashboard [-- --events 100000 --raw-sample 200000 --stats-runs 30]
// The HTTP load comes from a child process (undici, keep-alive); CPU time is that of the dashboard's own process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createSystemClock } from '../src/core/clock.js';
import { createLogger } from '../src/core/logger.js';
import { buildDashboardConfig, type DashboardConfig } from '../src/dashboard/config.js';
import { startDashboard, type DashboardHandle } from '../src/dashboard/server.js';
import { HOUR_MS, MINUTE_MS, pathKey } from '../src/dashboard/store/ingest.js';
import type { RequestEvent } from '../src/gateway/events/types.js';
import { validateEvent } from '../src/dashboard/validate-event.js';

const arg = (name: string, def: number) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : def; };
const EVENTS = arg('events', 100_000);
const BATCH = 500;
const CONCURRENCY = 4;
const STATS_RUNS = arg('stats-runs', 30);
const DAY_TOTAL = 10_000_000;
const IPS = 2000;
const PATHS = 200;
const RAW_SAMPLE = arg('raw-sample', 200_000);
const PG_URL = process.env.DASHBOARD_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const TOKEN = 'bench-ingest-token-0123456789';
const log = (s: string) => process.stderr.write(`${s}\n`);

async function withDb<T>(kind: 'sqlite' | 'postgres', fn: (o: Partial<DashboardConfig>) => Promise<T>): Promise<T | null> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'dash-bench-'));
    try { return await fn({ sqliteFile: join(dir, 'd.sqlite') }); } finally { rmSync(dir, { recursive: true, force: true }); }
  }
  const name = `ddos_shield_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  try { await admin.connect(); } catch (err) { log(`postgres unavailable (${(err as Error).message}); skipped`); return null; }
  await admin.query(`create database ${name}`);
  const u = new URL(PG_URL); u.pathname = `/${name}`;
  try { return await fn({ databaseUrl: u.toString() }); } finally {
    await admin.query(`drop database if exists ${name} with (force)`); await admin.end();
  }
}

async function start(o: Partial<DashboardConfig>): Promise<DashboardHandle> {
  return startDashboard(buildDashboardConfig({ port: 0, adminPassword: 'bench-password-1', ingestToken: TOKEN, ...o }),
    { clock: createSystemClock(), logger: createLogger({ level: 'silent' }) });
}

function event(i: number, now: number): RequestEvent {
  const attack = i % 10 === 0;
  return {
    timestamp: new Date(now - (i % 60_000)).toISOString(), source_ip: attack ? `203.0.113.${i % 200}` : `10.${(i >> 8) & 255}.${i & 255}.1`,
    path: attack ? '/login' : `/books/${i % 300}`, method: attack ? 'POST' : 'GET', user_agent: 'Mozilla/5.0 (X11; Linux x86_64) bench',
    prediction: attack ? 'DDoS' : 'NORMAL', confidence: attack ? 0.93 : 0.05, is_blocked: attack, status: attack ? 403 : 200,
    response_time_ms: 2.5, size: 1200, gateway_id: `gw-${i % 2}`, action: attack ? 'block' : 'allow', reason: attack ? 'rate_burst' : '',
    ...(attack ? { features: { rate_1s: 80, rate_10s: 600, ua_entropy: 0.1 } } : {}),
  };
}

interface LoadResult { seconds: number; batches: number; clientCpuMs: number }

/**
 * The load client, run in a child process so that it does not share the dashboard's CPU: posts
 * pre-serialised batches over keep-alive connections (undici Pool), CONCURRENCY in flight.
 */
async function loadClient(): Promise<void> {
  const { Pool } = await import('undici');
  const send = (m: unknown) => new Promise<void>((resolve) => process.send!(m, () => resolve()));
  const { url, now, events } = await new Promise<{ url: string; now: number; events: number }>((resolve) => process.once('message', resolve));
  const bodies = makeBodies(events, now);
  const pool = new Pool(url, { connections: CONCURRENCY, pipelining: 1 });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` };
  await send({ ready: true });
  await new Promise((resolve) => process.once('message', resolve));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const res = await pool.request({ path: '/api/logs', method: 'POST', headers, body });
      const r = await res.body.json() as { accepted: number };
      if (r.accepted !== BATCH) throw new Error(`batch not fully accepted: ${JSON.stringify(r)}`);
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await pool.close();
  await send({ seconds, batches: bodies.length, clientCpuMs: (cpu.user + cpu.system) / 1000 } satisfies LoadResult);
  process.disconnect();
}

function makeBodies(events: number, now: number): string[] {
  const bodies: string[] = [];
  for (let b = 0; b < events / BATCH; b++) bodies.push(JSON.stringify({ events: Array.from({ length: BATCH }, (_, k) => event(b * BATCH + k, now)) }));
  return bodies;
}

/** Runs the load client in a child process against `url`; returns its timing and this process's CPU time meanwhile. */
async function runLoad(url: string, now: number): Promise<LoadResult & { dashboardCpuMs: number }> {
  const child = fork(fileURLToPath(import.meta.url), ['--load-client'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = <T>() => new Promise<T>((resolve, reject) => {
    child.once('message', (m) => resolve(m as T));
    child.once('exit', (code) => reject(new Error(`load client exited with code ${code}`)));
  });
  try {
    const ready = next<{ ready: boolean }>();
    child.send({ url, now, events: EVENTS });
    await ready;
    const result = next<LoadResult>();
    const cpu0 = process.cpuUsage();
    child.send({ go: true });
    const r = await result;
    const cpu = process.cpuUsage(cpu0);
    return { ...r, dashboardCpuMs: (cpu.user + cpu.system) / 1000 };
  } finally {
    if (child.exitCode === null) child.kill();
  }
}

async function benchIngest(kind: 'sqlite' | 'postgres') {
  return withDb(kind, async (o) => {
    const h = await start(o);
    try {
      const now = Date.now();
      const r = await runLoad(h.url, now);
      const total = await h.deps.store.db.selectFrom('rollup_minute').select((eb) => eb.fn.sum<number>('total').as('n')).executeTakeFirst();
      if (Number(total?.n) !== EVENTS) throw new Error(`rollups count ${String(total?.n)} events, expected ${EVENTS}`);
      // The same work without HTTP: parse + validate + store, in this process alone.
      const bodies = makeBodies(EVENTS, now);
      const cpu0 = process.cpuUsage();
      const t1 = performance.now();
      for (const body of bodies) {
        const parsed = JSON.parse(body) as { events: unknown[] };
        const good = parsed.events.map((e) => { const v = validateEvent(e); if (!v.ok) throw new Error(v.issues.join()); return v.value; });
        await h.deps.ingestor.ingest(good);
      }
      const s2 = (performance.now() - t1) / 1000;
      const cpu2 = process.cpuUsage(cpu0);
      return {
        events: EVENTS, httpSeconds: r.seconds, httpPerSecond: EVENTS / r.seconds,
        dashboardCpuUsPerEvent: (r.dashboardCpuMs * 1000) / EVENTS, dashboardCpuShare: r.dashboardCpuMs / 1000 / r.seconds,
        loadClientCpuUsPerEvent: (r.clientCpuMs * 1000) / EVENTS,
        storeSeconds: s2, storePerSecond: EVENTS / s2, storeCpuUsPerEvent: ((cpu2.user + cpu2.system) / EVENTS),
      };
    } finally { await h.close(); }
  });
}

/** Fills rollups standing for DAY_TOTAL requests over 24 h (2 gateways, IPS clients, PATHS paths) plus a raw sample. */
async function fillDay(h: DashboardHandle, now: number): Promise<void> {
  const db = h.deps.store.db;
  const perMinute = Math.floor(DAY_TOTAL / 1440 / 2);
  const rows = [];
  for (let m = 0; m < 1440; m++) {
    const bucket = now - (now % MINUTE_MS) - m * MINUTE_MS;
    for (const gw of ['gw-0', 'gw-1']) {
      const blocked = Math.floor(perMinute * 0.1);
      rows.push({ bucket, gateway_id: gw, total: perMinute, blocked, act_allow: perMinute - blocked, act_challenge: 0, act_throttle: 0,
        act_block: blocked, act_error: 0, pred_normal: perMinute - blocked, pred_suspicious: 0, pred_ddos: blocked, pred_blocked: 0,
        confidence_sum: blocked * 0.93 + (perMinute - blocked) * 0.05, response_time_sum: perMinute * 2.5, bytes_sum: perMinute * 1200, status_4xx: blocked, status_5xx: 0 });
    }
  }
  for (let i = 0; i < rows.length; i += 500) await db.insertInto('rollup_minute').values(rows.slice(i, i + 500)).execute();
  const perHour = DAY_TOTAL / 24;
  const ipRows = [];
  const pathRows = [];
  for (let hr = 0; hr < 25; hr++) {
    const bucket = now - (now % HOUR_MS) - hr * HOUR_MS;
    for (let i = 0; i < IPS; i++) {
      const attacker = i < IPS / 10;
      const total = Math.floor(perHour / IPS);
      ipRows.push({ bucket, source_ip: attacker ? `203.0.${i >> 8}.${i & 255}` : `10.0.${i >> 8}.${i & 255}`, total, blocked: attacker ? total : 0, blocked_confidence_sum: attacker ? total * 0.93 : 0 });
    }
    for (let p = 0; p < PATHS; p++) pathRows.push({ bucket, path: pathKey(`/books/${p}`), total: Math.floor(perHour / PATHS), blocked: p === 0 ? Math.floor(perHour * 0.1) : 0 });
  }
  for (let i = 0; i < ipRows.length; i += 500) await db.insertInto('rollup_ip_hour').values(ipRows.slice(i, i + 500)).execute();
  for (let i = 0; i < pathRows.length; i += 500) await db.insertInto('rollup_path_hour').values(pathRows.slice(i, i + 500)).execute();
  const ev = (i: number) => event(i, now);
  for (let i = 0; i < RAW_SAMPLE; i += 1000) {
    await db.insertInto('requests').values(Array.from({ length: 1000 }, (_, k) => {
      const e = ev(i + k);
      return { ts: now - ((i + k) * 431) % (24 * HOUR_MS), source_ip: e.source_ip, path: e.path, method: e.method, user_agent: e.user_agent,
        prediction: e.prediction, confidence: e.confidence, is_blocked: e.is_blocked ? 1 : 0, status: e.status, response_time_ms: 2.5,
        size: 1200, gateway_id: e.gateway_id, action: e.action, reason: e.reason, features: null, weight: e.is_blocked ? 1 : 50 };
    })).execute();
    if ((i + 1000) % 50_000 === 0) log(`  raw sample ${i + 1000}/${RAW_SAMPLE}`);
  }
}

async function benchStats(kind: 'sqlite' | 'postgres') {
  return withDb(kind, async (o) => {
    const h = await start(o);
    try {
      const now = Date.now();
      log(`  ${kind}: filling a day of rollups (${DAY_TOTAL.toLocaleString()} requests) and ${RAW_SAMPLE.toLocaleString()} raw rows`);
      await fillDay(h, now);
      const login = await fetch(`${h.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'bench-password-1' }) });
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
      const times: number[] = [];
      let total = 0;
      for (let i = 0; i < STATS_RUNS + 3; i++) {
        const t0 = performance.now();
        const r = await fetch(`${h.url}/api/stats?hours=24`, { headers: { cookie } });
        const body = await r.json() as { total_requests: number };
        if (i >= 3) times.push(performance.now() - t0);
        total = body.total_requests;
      }
      times.sort((a, b) => a - b);
      return { totalRequests: total, medianMs: times[Math.floor(times.length / 2)]!, p95Ms: times[Math.floor(times.length * 0.95)]!, runs: times.length };
    } finally { await h.close(); }
  });
}

if (process.argv.includes('--load-client')) {
  await loadClient();
} else {
  const os = await import('node:os');
  const out: Record<string, unknown> = { events: EVENTS, batch: BATCH, concurrency: CONCURRENCY, cpus: os.cpus().length, loadavgBefore: os.loadavg() };
  for (const kind of ['sqlite', 'postgres'] as const) {
    log(`ingestion on ${kind}: ${EVENTS} events in batches of ${BATCH}, ${CONCURRENCY} concurrent requests from a separate process`);
    out[`ingest_${kind}`] = await benchIngest(kind);
    log(`stats latency on ${kind}`);
    out[`stats24h_${kind}`] = await benchStats(kind);
  }
  out.loadavgAfter = os.loadavg();
  console.log(JSON.stringify(out, null, 2));
}
