import type { DashboardDeps } from '../deps.js';
import { HttpError, queryObject, sendJson, type Route } from '../http/context.js';
import { alertsQuerySchema, formatIssues, historyQuerySchema, hoursQuerySchema, requestsQuerySchema } from '../schemas.js';
import type { z } from 'zod';
import { CSV_COLUMNS, csvLine, iterateRequests, listRequests } from '../store/requests.js';
import { getStats, getTimeseries } from '../store/stats.js';
import { blockHistory, listBlockedIps } from '../store/blocked.js';
import { listAlerts } from '../store/alerts.js';
import { listGateways } from '../store/gateways.js';

export function parseQuery<S extends z.ZodType>(schema: S, url: URL): z.output<S> {
  const r = schema.safeParse(queryObject(url));
  if (!r.success) throw new HttpError(400, 'invalid query', formatIssues(r.error));
  return r.data;
}

/** Read-only endpoints (viewer or admin). */
export function queryRoutes(d: DashboardDeps): Route[] {
  const db = d.store.db;
  return [
    { method: 'GET', path: '/api/requests', access: 'viewer', async handler({ res, url }) {
      sendJson(res, 200, await listRequests(db, parseQuery(requestsQuerySchema, url), d.clock.now()));
    } },
    { method: 'GET', path: '/api/requests.csv', access: 'viewer', async handler({ res, url }) {
      const q = parseQuery(requestsQuerySchema, url);
      const now = d.clock.now();
      res.writeHead(200, {
        'content-type': 'text/csv; charset=utf-8', 'cache-control': 'no-store',
        'content-disposition': `attachment; filename="requests-${new Date(now).toISOString().slice(0, 19).replace(/:/g, '')}.csv"`,
      });
      res.write(`${CSV_COLUMNS.join(',')}\r\n`);
      for await (const page of iterateRequests(db, q, now)) {
        if (res.destroyed) return;
        if (!res.write(page.map(csvLine).join(''))) await new Promise((r) => res.once('drain', r));
      }
      res.end();
    } },
    { method: 'GET', path: '/api/blocked', access: 'viewer', async handler({ res, url }) {
      const q = parseQuery(requestsQuerySchema, url);
      const r = await listRequests(db, { ...q, is_blocked: 1 }, d.clock.now());
      sendJson(res, 200, { total_blocked: r.total, page: r.page, limit: r.limit, pages: r.pages, requests: r.requests });
    } },
    { method: 'GET', path: '/api/stats', access: 'viewer', async handler({ res, url }) {
      sendJson(res, 200, await getStats(db, parseQuery(hoursQuerySchema, url).hours, d.clock.now()));
    } },
    { method: 'GET', path: '/api/timeseries', access: 'viewer', async handler({ res, url }) {
      sendJson(res, 200, await getTimeseries(db, parseQuery(hoursQuerySchema, url).hours, d.clock.now()));
    } },
    { method: 'GET', path: '/api/blocked-ips', access: 'viewer', async handler({ res, url }) {
      sendJson(res, 200, await listBlockedIps(db, parseQuery(hoursQuerySchema, url).hours, d.clock.now(), d.config.blockActiveMs));
    } },
    { method: 'GET', path: '/api/block-history', access: 'viewer', async handler({ res, url }) {
      sendJson(res, 200, await blockHistory(db, parseQuery(historyQuerySchema, url).ip));
    } },
    { method: 'GET', path: '/api/alerts', access: 'viewer', async handler({ res, url }) {
      sendJson(res, 200, { alerts: await listAlerts(db, parseQuery(alertsQuerySchema, url), d.clock.now()) });
    } },
    { method: 'GET', path: '/api/gateway-status', access: 'viewer', async handler({ res }) {
      sendJson(res, 200, { gateways: await listGateways(db, d.clock.now(), d.config.gatewayStaleMs) });
    } },
    { method: 'GET', path: '/api/live', access: 'viewer', async handler({ res }) {
      d.hub.attach(res);
    } },
  ];
}
