import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import type { Logger } from '../core/logger.js';
import type { Clock } from '../core/clock.js';
import { closeServer, listen } from '../core/listen.js';
import type { DashboardConfig } from './config.js';
import { openDashboardDb, type DashboardDb } from './db/connect.js';
import { createDashboardMetrics } from './metrics.js';
import { createLiveHub } from './live.js';
import { createIngestor } from './store/ingest.js';
import { createAttemptLimiter } from './auth/rate-limit.js';
import { apiTokenPrincipal, ensureAdmin, sessionPrincipal, type Principal } from './auth/accounts.js';
import { newSecret, safeEqual } from './auth/password.js';
import { HttpError, sendJson, type Ctx, type Route } from './http/context.js';
import { createRouter } from './http/router.js';
import { serveStatic } from './http/static.js';
import { ingestRoutes } from './api/ingest.js';
import { queryRoutes } from './api/query.js';
import { actionRoutes } from './api/actions.js';
import { authRoutes, SESSION_COOKIE } from './api/auth.js';
import { buildOpenApi } from './openapi.js';
import { applyRetention } from './store/retention.js';
import { createReapplier } from './reapply.js';
import type { DashboardDeps } from './deps.js';

export const DASHBOARD_VERSION = '0.1.0';

export interface DashboardHandle {
  /** Bound port. */
  port: number;
  url: string;
  /** The effective ingestion token gateways must send. */
  ingestToken: string;
  /** Password of the admin user when it was generated at this start. */
  generatedAdminPassword?: string;
  /** File (mode 0600, beside the SQLite database) the generated password was written to as soon as it was created. */
  adminPasswordFile?: string;
  deps: DashboardDeps;
  /** Runs the retention job now. */
  runRetention(): Promise<void>;
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
};

function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim() || null;
  }
  return null;
}

/** Opens the database, creates the admin user when none exists, and starts the API + UI server. */
export async function startDashboard(config: Readonly<DashboardConfig>, base: { clock: Clock; logger: Logger }): Promise<DashboardHandle> {
  const logger = base.logger.child({ component: 'dashboard' });
  const store: DashboardDb = await openDashboardDb({ databaseUrl: config.databaseUrl || undefined, sqliteFile: config.sqliteFile });
  try {
    return await startOn(store, config, base.clock, logger);
  } catch (err) {
    await store.close();
    throw err;
  }
}

/** Where a generated admin password is kept for SQLite databases: beside the database file. */
export function adminPasswordFileFor(sqliteFile: string): string {
  return `${sqliteFile}.admin-password`;
}

/**
 * Makes the generated admin password reachable at once, whatever happens to this start next
 * (a port taken, a failing demo): written to a 0600 file beside the SQLite database (path logged),
 * or printed on stderr when there is no such file (PostgreSQL, or the file cannot be written).
 */
function keepGeneratedPassword(store: DashboardDb, username: string, password: string, logger: Logger): string | undefined {
  if (store.dialect === 'sqlite') {
    const file = adminPasswordFileFor(store.location);
    try {
      writeFileSync(file, `user: ${username}\npassword: ${password}\n`, { mode: 0o600 });
      chmodSync(file, 0o600); // an older file keeps its mode on write
      logger.warn({ file, user: username }, 'admin user created; its generated password is in this file (mode 0600): read it, then delete the file');
      return file;
    } catch (err) {
      logger.error({ err, file }, 'could not write the generated admin password to a file; printing it on stderr');
    }
  }
  process.stderr.write(`dashboard: created user "${username}" with password ${password} (shown once)\n`);
  return undefined;
}

async function startOn(store: DashboardDb, config: Readonly<DashboardConfig>, clock: Clock, logger: Logger): Promise<DashboardHandle> {
  const admin = await ensureAdmin(store.db, config.adminUser, config.adminPassword || undefined, clock.now());
  const adminPasswordFile = admin.generatedPassword ? keepGeneratedPassword(store, config.adminUser, admin.generatedPassword, logger) : undefined;
  if (admin.passwordReset) {
    logger.warn({ user: config.adminUser }, 'admin password set from the configuration (DASHBOARD_ADMIN_PASSWORD / --admin-password); its sessions ended');
  }
  if (config.adminPassword && store.dialect === 'sqlite') {
    // a generated password written earlier no longer applies once the configured one is in force
    rmSync(adminPasswordFileFor(store.location), { force: true });
  }
  const metrics = createDashboardMetrics();
  const hub = createLiveHub(metrics);
  const base = { config, store, clock, logger, metrics, hub };
  const deps: DashboardDeps = {
    ...base, reapplier: createReapplier(base),
    ingestor: createIngestor(store, {
      sampling: { allowedRate: config.sampleAllowedRate, keepAllBelowPerSecond: config.sampleAllowedAbovePerSecond },
      blockActiveMs: config.blockActiveMs, alertBlockedPerMinute: config.alertBlockedPerMinute,
    }, clock),
    loginLimiter: createAttemptLimiter({ max: config.loginMaxAttempts, windowMs: config.loginWindowMs, now: () => clock.now() }),
    ingestToken: config.ingestToken || `dsi_${newSecret()}`,
  };
  const routes: Route[] = [...authRoutes(deps), ...ingestRoutes(deps), ...queryRoutes(deps), ...actionRoutes(deps)];
  const openapi = JSON.stringify(buildOpenApi(routes, DASHBOARD_VERSION));
  const router = createRouter(routes);

  async function authenticate(req: IncomingMessage): Promise<{ principal: Principal | null; sessionToken: string | null }> {
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) {
      const token = auth.slice(7).trim();
      if (token && safeEqual(token, deps.ingestToken)) return { principal: { kind: 'ingest', name: 'gateway', role: 'ingest' }, sessionToken: null };
      return { principal: token ? await apiTokenPrincipal(store.db, token) : null, sessionToken: null };
    }
    const sessionToken = cookieValue(req.headers.cookie, SESSION_COOKIE);
    return { principal: sessionToken ? await sessionPrincipal(store.db, sessionToken, clock.now()) : null, sessionToken };
  }

  function applyCors(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    if (!origin || !config.corsOrigins.includes(origin)) return false;
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-allow-credentials', 'true');
    res.setHeader('vary', 'Origin');
    return true;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<string> {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    const method = req.method ?? 'GET';
    const cors = applyCors(req, res);
    if (method === 'OPTIONS') {
      if (cors) {
        res.setHeader('access-control-allow-methods', 'GET, POST');
        res.setHeader('access-control-allow-headers', 'content-type, authorization');
        res.writeHead(204).end();
      } else sendJson(res, 403, { error: 'CORS is not enabled for this origin' });
      return 'preflight';
    }
    if (url.pathname === '/metrics' && method === 'GET') {
      const text = await metrics.registry.metrics();
      res.writeHead(200, { 'content-type': metrics.registry.contentType });
      res.end(text);
      return '/metrics';
    }
    if (url.pathname === '/api/health') { sendJson(res, 200, { status: 'ok', database: store.dialect }); return '/api/health'; }
    if ((url.pathname === '/api/docs' || url.pathname === '/api/openapi.json') && method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(openapi);
      return '/api/docs';
    }
    const m = router.match(method, url.pathname);
    if (!m) {
      if (!url.pathname.startsWith('/api/') && (method === 'GET' || method === 'HEAD') && await serveStatic(config.webDir, url.pathname, res, method === 'HEAD')) return 'static';
      throw new HttpError(404, 'not found');
    }
    if ('allowed' in m) {
      res.setHeader('allow', m.allowed.join(', '));
      throw new HttpError(405, `method ${method} not allowed`);
    }
    const { principal, sessionToken } = await authenticate(req);
    const access = m.route.access;
    if (access !== 'public') {
      if (!principal) throw new HttpError(401, 'authentication required');
      if (access === 'ingest' && principal.role !== 'ingest') throw new HttpError(403, 'the ingestion token is required');
      if (access !== 'ingest' && principal.role === 'ingest') throw new HttpError(403, 'the ingestion token only allows ingestion');
      if (access === 'admin' && principal.role !== 'admin') throw new HttpError(403, 'admin role required');
    }
    const ctx: Ctx = { req, res, url, params: m.params, principal, clientIp: req.socket.remoteAddress ?? '', sessionToken };
    await m.route.handler(ctx);
    return m.route.path;
  }

  const server = createServer({ requestTimeout: 60_000, headersTimeout: 15_000 }, (req, res) => {
    handle(req, res).then((route) => {
      metrics.httpRequests.inc({ route, status: String(res.statusCode) });
    }, (err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      if (status >= 500) logger.error({ err, url: req.url }, 'request failed');
      if (!res.headersSent) {
        const body: Record<string, unknown> = { error: err instanceof HttpError ? err.message : 'internal error' };
        if (err instanceof HttpError && err.details !== undefined) body.details = err.details;
        sendJson(res, status, body);
      } else res.destroy();
      metrics.httpRequests.inc({ route: 'error', status: String(status) });
    });
  });

  const port = await listen(server, config.port, config.host);
  hub.start();

  const runRetention = async () => {
    const r = await applyRetention(store.db, { requestsMs: config.retentionRequestsMs, rollupsMs: config.retentionRollupsMs }, clock.now());
    for (const [kind, n] of Object.entries(r)) if (n) metrics.retentionDeleted.inc({ kind }, n);
    logger.info(r, 'retention job done');
  };
  const retentionTimer = setInterval(() => { runRetention().catch((err: unknown) => logger.error({ err }, 'retention job failed')); }, config.retentionIntervalMs);
  retentionTimer.unref();
  runRetention().catch((err: unknown) => logger.error({ err }, 'retention job failed'));

  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  logger.info({ port, host: config.host, database: store.dialect, location: store.location, ui: Boolean(config.webDir) }, 'dashboard listening');
  return {
    port, url: `http://${hostForUrl}:${port}`, ingestToken: deps.ingestToken, deps, runRetention,
    ...(admin.generatedPassword ? { generatedAdminPassword: admin.generatedPassword } : {}),
    ...(adminPasswordFile ? { adminPasswordFile } : {}),
    async close() {
      clearInterval(retentionTimer);
      hub.close();
      server.closeAllConnections();
      await closeServer(server);
      await store.close();
    },
  };
}
