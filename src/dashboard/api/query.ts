import type { DashboardDeps } from '../deps.js';
import { HttpError, queryObject, sendJson, type Route } from '../http/context.js';
import { alertsQuerySchema, formatIssues, historyQuerySchema, hoursQuerySchema, requestsQuerySchema } from '../schemas.js';
import type { z } from 'zod';
import { CSV_COLUMNS, csvLine, iterateRequests, listRequests } from '../store/requests.js';
import { getStats, getTimeseries } from '../store/stats.js';
import { blockHistory, listBlockedIps, type GatewayBlockView, type LiveBlock } from '../store/blocked.js';
import { listAlerts } from '../store/alerts.js';
import { listGateways } from '../store/gateways.js';
import { fetchBlocklists, fetchStats, gatewayTargets } from '../gateway-admin.js';

export function parseQuery<S extends z.ZodType>(schema: S, url: URL): z.output<S> {
  const r = schema.safeParse(queryObject(url));
  if (!r.success) throw new HttpError(400, 'invalid query', formatIssues(r.error));
  return r.data;
}

/** Asks every known gateway for its blocklist: what is blocked now, and which gateways could not say. */
async function gatewayBlockView(d: DashboardDeps): Promise<GatewayBlockView> {
  const targets = await gatewayTargets(d);
  const answers = await fetchBlocklists(targets, d.config.gatewayAdminToken);
  // a gateway that started after a block made from the dashboard and lacks it lost it: it goes back (not awaited)
  const now = d.clock.now();
  const started = new Map((await listGateways(d.store.db, now, d.config.gatewayStaleMs))
    .map((g) => [g.id, Date.parse(g.last_seen) - g.uptime_seconds * 1000 + 1000] as const));
  d.reapplier.reconcile(targets, answers, started);
  const view: GatewayBlockView = { asked: answers.length, unreachable: [], blocks: new Map() };
  for (const a of answers) {
    if (!a.ok) { view.unreachable.push({ gateway_id: a.gateway_id, error: a.error }); continue; }
    for (const b of a.blocks) {
      const live: LiveBlock = { gateway_id: a.gateway_id, blocked_at: b.blocked_at, expires_at: b.expires_at, reason: b.reason, source: b.source };
      const list = view.blocks.get(b.ip);
      if (list) list.push(live); else view.blocks.set(b.ip, [live]);
    }
  }
  if (view.unreachable.length) d.logger.warn({ unreachable: view.unreachable }, 'gateway blocklists not readable; their clients\' status is unknown');
  return view;
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
      // blocked = the gateway's action `block` (throttled and challenged requests are refused, not blocked)
      const r = await listRequests(db, { ...q, is_blocked: 1, action: 'block' }, d.clock.now());
      sendJson(res, 200, { total_blocked: r.total, page: r.page, limit: r.limit, pages: r.pages, requests: r.requests });
    } },
    { method: 'GET', path: '/api/stats', access: 'viewer', async handler({ res, url }) {
      sendJson(res, 200, await getStats(db, parseQuery(hoursQuerySchema, url).hours, d.clock.now()));
    } },
    { method: 'GET', path: '/api/timeseries', access: 'viewer', async handler({ res, url }) {
      sendJson(res, 200, await getTimeseries(db, parseQuery(hoursQuerySchema, url).hours, d.clock.now()));
    } },
    { method: 'GET', path: '/api/blocked-ips', access: 'viewer', async handler({ res, url }) {
      const hours = parseQuery(hoursQuerySchema, url).hours;
      const view = await gatewayBlockView(d);
      sendJson(res, 200, await listBlockedIps(db, hours, d.clock.now(), view));
    } },
    { method: 'GET', path: '/api/block-history', access: 'viewer', async handler({ res, url }) {
      sendJson(res, 200, await blockHistory(db, parseQuery(historyQuerySchema, url).ip));
    } },
    { method: 'GET', path: '/api/alerts', access: 'viewer', async handler({ res, url }) {
      sendJson(res, 200, { alerts: await listAlerts(db, parseQuery(alertsQuerySchema, url), d.clock.now()) });
    } },
    { method: 'GET', path: '/api/gateway-status', access: 'viewer', async handler({ res }) {
      const gws = await listGateways(db, d.clock.now(), d.config.gatewayStaleMs);
      // the gateway's own /stats has every action's count now; the last heartbeat's counts
      // (heartbeat_actions; only the sum of refusals from older gateways) stand in when it cannot be asked
      const asked = gws.filter((g) => g.admin_url && g.status !== 'down');
      const stats = await fetchStats(asked.map((g) => ({ gateway_id: g.id, admin_url: g.admin_url! })), d.config.gatewayAdminToken);
      const byId = new Map(stats.map((s) => [s.gateway_id, s]));
      sendJson(res, 200, { gateways: gws.map((g) => {
        const s = byId.get(g.id);
        return { ...g, actions: s?.ok ? s.actions : null,
          actions_error: s ? (s.ok ? null : s.error) : g.admin_url ? 'gateway is down' : 'no admin URL announced' };
      }) });
    } },
    { method: 'GET', path: '/api/live', access: 'viewer', async handler({ res }) {
      d.hub.attach(res);
    } },
  ];
}
