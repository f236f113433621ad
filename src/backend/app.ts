import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { createSystemClock, type Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { createApi } from './api.js';
import { createAssetStore } from './assets.js';
import { createCatalogue } from './catalogue.js';
import { etagMatches, parseCookies, send, sendJsonError } from './http.js';
import { createBackendMetrics, statusClass } from './metrics.js';
import { createPages, SESSION_COOKIE } from './pages.js';
import { createRouter, type Handler, type Method, type RequestContext, type RouteDef } from './router.js';
import { createSessionStore, type Session } from './sessions.js';
import { createUserDirectory } from './users.js';

export interface DemoAppOptions {
  logger: Logger;
  clock?: Clock;
  /** Shown in pages and /health. */
  name?: string;
  /** Bounds of the in-memory session store. */
  maxSessions?: number;
  sessionTtlMs?: number;
}

export interface DemoApp {
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  registry: Registry;
}

export const DEFAULT_APP_NAME = 'City Library';

const METHOD_LABELS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);
const UNMATCHED_ROUTE = 'unmatched';

export function createDemoApp(opts: DemoAppOptions): DemoApp {
  const clock = opts.clock ?? createSystemClock();
  const appName = opts.name ?? DEFAULT_APP_NAME;
  const log = opts.logger.child({ component: 'backend' });
  const catalogue = createCatalogue();
  const assets = createAssetStore(catalogue);
  const users = createUserDirectory();
  let sessionCount = () => 0;
  const metrics = createBackendMetrics(() => sessionCount(), appName);
  const sessions = createSessionStore({
    clock,
    maxSessions: opts.maxSessions,
    ttlMs: opts.sessionTtlMs,
    onEvict: (reason) => metrics.sessionsEvicted.inc({ reason }),
  });
  sessionCount = () => sessions.size;
  const pages = createPages({ appName, clock, catalogue, sessions, users, metrics });
  const api = createApi({ appName, clock, startedAt: clock.now(), catalogue, sessions });

  const serveAsset: Handler = (ctx) => {
    const asset = assets.get(ctx.url.pathname);
    if (!asset) return pages.status(ctx, 404, 'Not found', 'There is no such file.');
    const headers = { etag: asset.etag, 'cache-control': asset.cacheControl };
    if (etagMatches(ctx.req.headers['if-none-match'], asset.etag)) {
      ctx.res.writeHead(304, headers);
      ctx.res.end();
      return;
    }
    send(ctx.res, 200, asset.contentType, asset.body, headers);
  };

  const metricsHandler: Handler = async (ctx) => {
    const text = await metrics.registry.metrics();
    send(ctx.res, 200, metrics.registry.contentType, text, { 'cache-control': 'no-store' });
  };

  const routes: RouteDef[] = [
    { path: '/', handlers: { GET: pages.home } },
    { path: '/books', handlers: { GET: pages.books } },
    { path: '/books/:id', handlers: { GET: pages.book } },
    { path: '/search', handlers: { GET: pages.search } },
    { path: '/login', handlers: { GET: pages.loginForm, POST: pages.login } },
    { path: '/logout', handlers: { GET: pages.logout, POST: pages.logout } },
    { path: '/account', handlers: { GET: pages.account } },
    { path: '/api/books', handlers: { GET: api.books } },
    { path: '/api/books/:id', handlers: { GET: api.book } },
    { path: '/api/stats', handlers: { GET: api.stats } },
    { path: '/health', handlers: { GET: api.health } },
    { path: '/metrics', handlers: { GET: metricsHandler } },
    { path: '/static/app.css', handlers: { GET: serveAsset } },
    { path: '/static/app.js', handlers: { GET: serveAsset } },
    { path: '/static/favicon.svg', handlers: { GET: serveAsset } },
    { path: '/static/covers/:id.svg', handlers: { GET: serveAsset } },
    { path: '/favicon.ico', handlers: { GET: serveAsset } },
    { path: '/robots.txt', handlers: { GET: serveAsset } },
  ];
  const router = createRouter(routes);

  const isApi = (pathname: string) => pathname.startsWith('/api/') || pathname === '/health';

  async function dispatch(req: IncomingMessage, res: ServerResponse, setRoute: (r: string) => void): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return send(res, 400, 'text/plain; charset=utf-8', 'Bad request target\n', { connection: 'close' });
    }
    let cached: Session | undefined | null = null;
    const ctx: RequestContext = {
      req, res, url, params: {},
      session() {
        if (cached === null) {
          const sid = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
          cached = sid ? sessions.get(sid) : undefined;
        }
        return cached;
      },
    };
    const match = router.match(url.pathname);
    if (!match) {
      if (isApi(url.pathname)) return sendJsonError(res, 404, 'not_found', `no route for ${url.pathname.slice(0, 200)}`);
      return pages.status(ctx, 404, 'Page not found', 'The page you asked for does not exist.');
    }
    setRoute(match.route);
    ctx.params = match.params;
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    if (method === 'OPTIONS') {
      res.writeHead(204, { allow: match.allow, 'content-length': '0' });
      res.end();
      return;
    }
    const handler = match.handlers[method as Method];
    if (!handler) {
      const headers = { allow: match.allow };
      if (isApi(url.pathname)) return sendJsonError(res, 405, 'method_not_allowed', `${req.method} is not allowed here; use ${match.allow}`, headers);
      return pages.status(ctx, 405, 'Method not allowed', `${req.method} is not allowed here.`, headers);
    }
    await handler(ctx);
  }

  function handler(req: IncomingMessage, res: ServerResponse): void {
    const start = clock.monotonic();
    let route = UNMATCHED_ROUTE;
    res.once('close', () => {
      const status = res.statusCode;
      const cls = res.writableFinished ? statusClass(status) : 'aborted';
      const method = METHOD_LABELS.has(req.method ?? '') ? (req.method as string) : 'OTHER';
      const seconds = Math.max(0, clock.monotonic() - start) / 1000;
      metrics.requests.inc({ route, method, status_class: cls });
      metrics.duration.observe({ route }, seconds);
      if (log.isLevelEnabled('debug')) {
        log.debug({
          method: req.method, url: req.url, route, status, status_class: cls,
          duration_ms: Math.round(seconds * 1e6) / 1000,
          remote: req.socket.remoteAddress, ua: req.headers['user-agent'],
        }, 'request');
      }
    });
    dispatch(req, res, (r) => { route = r; }).catch((err: unknown) => {
      log.error({ err, method: req.method, url: req.url }, 'request failed');
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'Internal server error\n', { connection: 'close' });
      else res.destroy();
    });
  }

  return { handler, registry: metrics.registry };
}
