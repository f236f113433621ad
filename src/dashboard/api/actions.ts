import type { DashboardDeps } from '../deps.js';
import { HttpError, readJson, sendJson, type Route } from '../http/context.js';
import { blockBodySchema, formatIssues, tokenBodySchema, unblockBodySchema, userBodySchema } from '../schemas.js';
import type { z } from 'zod';
import { recordBlockAction } from '../store/blocked.js';
import { acknowledgeAlert } from '../store/alerts.js';
import { listGateways } from '../store/gateways.js';
import { callGateways, type GatewayTarget } from '../gateway-admin.js';
import { createApiToken, createUser, listUsers } from '../auth/accounts.js';

async function body<S extends z.ZodType>(d: DashboardDeps, schema: S, req: Parameters<Route['handler']>[0]['req']): Promise<z.output<S>> {
  const r = schema.safeParse(await readJson(req, 64 * 1024));
  if (!r.success) throw new HttpError(400, 'invalid body', formatIssues(r.error));
  return r.data;
}

/** Gateways to act on: those announcing an admin URL (not down) plus the configured ones. */
async function targets(d: DashboardDeps): Promise<GatewayTarget[]> {
  const gws = await listGateways(d.store.db, d.clock.now(), d.config.gatewayStaleMs);
  const out = new Map<string, GatewayTarget>();
  for (const g of gws) if (g.admin_url && g.status !== 'down') out.set(g.admin_url, { gateway_id: g.id, admin_url: g.admin_url });
  for (const u of d.config.gatewayAdminUrls) if (!out.has(u)) out.set(u, { gateway_id: u, admin_url: u });
  return [...out.values()];
}

/** Admin actions: block/unblock applied on every gateway, alert acknowledgement, API tokens, operators. */
export function actionRoutes(d: DashboardDeps): Route[] {
  const applyOnGateways = async (action: 'block' | 'unblock' | 'allowlist', ip: string, payload: unknown) => {
    const path = action === 'allowlist' ? 'allowlist' : `${action}/${ip}`;
    const results = await callGateways(await targets(d), d.config.gatewayAdminToken, path, payload);
    for (const r of results) d.metrics.gatewayActions.inc({ action, result: r.ok ? 'ok' : 'error' });
    return results;
  };
  return [
    { method: 'POST', path: '/api/block-ip', access: 'admin', async handler({ req, res, principal }) {
      const b = await body(d, blockBodySchema, req);
      const results = await applyOnGateways('block', b.ip, { duration_minutes: b.duration_minutes, reason: b.reason });
      await recordBlockAction(d.store.db, { ip: b.ip, action: 'block', actor: principal!.name, durationMinutes: b.duration_minutes,
        reason: b.reason, results, now: d.clock.now() });
      d.logger.info({ ip: b.ip, actor: principal!.name, results }, 'block applied');
      d.hub.notify('blocks', { ip: b.ip, action: 'block' });
      const failed = results.filter((r) => !r.ok).length;
      sendJson(res, failed && failed === results.length ? 502 : 200, {
        status: failed ? (failed === results.length ? 'failed' : 'partial') : 'success',
        message: `IP blocked for ${b.duration_minutes} minutes on ${results.length - failed} of ${results.length} gateways`, gateways: results,
      });
    } },
    { method: 'POST', path: '/api/unblock-ip', access: 'admin', async handler({ req, res, principal }) {
      const b = await body(d, unblockBodySchema, req);
      let results = await applyOnGateways('unblock', b.ip, {});
      if (b.allowlist) {
        // the gateways also put the address on their allowlist, so that they never block it again
        const allowed = await applyOnGateways('allowlist', b.ip, { cidr: b.ip });
        results = results.map((r) => {
          const a = allowed.find((x) => x.gateway_id === r.gateway_id);
          return a && !a.ok ? { ...a, error: `allowlist: ${a.error ?? a.status}` } : r;
        });
      }
      await recordBlockAction(d.store.db, { ip: b.ip, action: b.allowlist ? 'allowlist' : 'unblock', actor: principal!.name,
        durationMinutes: null, reason: b.allowlist ? 'allowlisted from the dashboard' : 'unblocked from the dashboard', results, now: d.clock.now() });
      d.logger.info({ ip: b.ip, actor: principal!.name, results }, 'unblock applied');
      d.hub.notify('blocks', { ip: b.ip, action: 'unblock' });
      const failed = results.filter((r) => !r.ok).length;
      sendJson(res, failed && failed === results.length ? 502 : 200, {
        status: failed ? (failed === results.length ? 'failed' : 'partial') : 'success',
        message: `IP unblocked on ${results.length - failed} of ${results.length} gateways`, gateways: results,
      });
    } },
    { method: 'POST', path: '/api/alerts/:id/acknowledge', access: 'viewer', async handler({ res, params, principal }) {
      const id = Number(params.id);
      if (!Number.isSafeInteger(id) || id < 1) throw new HttpError(400, 'alert id must be a positive integer');
      if (!(await acknowledgeAlert(d.store.db, id, principal!.name, d.clock.now()))) throw new HttpError(404, 'no such alert');
      sendJson(res, 200, { status: 'success' });
    } },
    { method: 'POST', path: '/api/tokens', access: 'admin', async handler({ req, res }) {
      const b = await body(d, tokenBodySchema, req);
      const token = await createApiToken(d.store.db, b.name, b.role, d.clock.now());
      sendJson(res, 201, { name: b.name, role: b.role, token });
    } },
    { method: 'GET', path: '/api/users', access: 'admin', async handler({ res }) {
      sendJson(res, 200, { users: await listUsers(d.store.db) });
    } },
    { method: 'POST', path: '/api/users', access: 'admin', async handler({ req, res }) {
      const b = await body(d, userBodySchema, req);
      if (!(await createUser(d.store.db, b.username, b.password, b.role, d.clock.now()))) throw new HttpError(409, `user "${b.username}" already exists`);
      sendJson(res, 201, { username: b.username, role: b.role });
    } },
  ];
}
