import type { DashboardDeps } from '../deps.js';
import { HttpError, readJson, sendJson, type Route } from '../http/context.js';
import { blockBodySchema, formatIssues, tokenBodySchema, unblockBodySchema, userBodySchema } from '../schemas.js';
import type { z } from 'zod';
import { recordBlockAction, type GatewayResult } from '../store/blocked.js';
import { acknowledgeAlert } from '../store/alerts.js';
import { callGateways, gatewayTargets, isNotBlockedAnswer } from '../gateway-admin.js';
import { createApiToken, createUser, listUsers } from '../auth/accounts.js';

async function body<S extends z.ZodType>(d: DashboardDeps, schema: S, req: Parameters<Route['handler']>[0]['req']): Promise<z.output<S>> {
  const r = schema.safeParse(await readJson(req, 64 * 1024));
  if (!r.success) throw new HttpError(400, 'invalid body', formatIssues(r.error));
  return r.data;
}

/** A gateway's unblock answer as a result: "not blocked" there is done, not failed. */
function unblockResult(r: GatewayResult): GatewayResult {
  return isNotBlockedAnswer(r) ? { gateway_id: r.gateway_id, ok: true, status: r.status, note: 'not blocked' } : r;
}

/** "n of m gateways" */
const ofGateways = (n: number, m: number) => `${n} of ${m} gateways`;

/** 200 when every gateway did it, 502 when none did, 200 `partial` in between. */
function outcome(results: GatewayResult[]): { code: number; status: 'success' | 'partial' | 'failed' } {
  const failed = results.filter((r) => !r.ok).length;
  if (!failed) return { code: 200, status: 'success' };
  return failed === results.length ? { code: 502, status: 'failed' } : { code: 200, status: 'partial' };
}

/** " (gw-1: reason; ...)" for the gateways that failed, "" when none did. */
function failures(results: GatewayResult[]): string {
  const f = results.filter((r) => !r.ok);
  return f.length ? ` (failed: ${f.map((r) => `${r.gateway_id}: ${r.error ?? `HTTP ${r.status ?? '?'}`}`).join('; ')})` : '';
}

/** Admin actions: block/unblock applied on every gateway, alert acknowledgement, API tokens, operators. */
export function actionRoutes(d: DashboardDeps): Route[] {
  const applyOnGateways = async (action: 'block' | 'unblock' | 'allowlist', ip: string, payload: unknown) => {
    const path = action === 'allowlist' ? 'allowlist' : `${action}/${ip}`;
    const raw = await callGateways(await gatewayTargets(d), d.config.gatewayAdminToken, path, payload);
    const results = action === 'unblock' ? raw.map(unblockResult) : raw;
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
      const o = outcome(results);
      const done = results.filter((r) => r.ok).length;
      sendJson(res, o.code, {
        status: o.status,
        message: results.length === 0 ? 'No gateway to block on: none has announced an admin URL and none is configured'
          : `IP blocked for ${b.duration_minutes} minutes on ${ofGateways(done, results.length)}${failures(results)}`,
        gateways: results,
      });
    } },
    { method: 'POST', path: '/api/unblock-ip', access: 'admin', async handler({ req, res, principal }) {
      const b = await body(d, unblockBodySchema, req);
      const unblocked = await applyOnGateways('unblock', b.ip, {});
      // with `allowlist`, the gateways also put the address on their allowlist, so that they never block it again
      const allowed = b.allowlist ? await applyOnGateways('allowlist', b.ip, { cidr: b.ip }) : null;
      // one result per gateway: done when it lifted the block (or did not block the address) and, if asked, allowlisted it
      const results: GatewayResult[] = unblocked.map((u) => {
        const a = allowed?.find((x) => x.gateway_id === u.gateway_id);
        if (!allowed) return u;
        if (!a) return { ...u, ok: false, error: 'allowlist: no answer' };
        const errors = [u.ok ? null : `unblock: ${u.error ?? u.status}`, a.ok ? null : `allowlist: ${a.error ?? a.status}`].filter(Boolean);
        return { gateway_id: u.gateway_id, ok: u.ok && a.ok, ...(a.status !== undefined ? { status: a.status } : {}),
          ...(errors.length ? { error: errors.join('; ') } : {}), ...(u.note ? { note: u.note } : {}) };
      });
      await recordBlockAction(d.store.db, { ip: b.ip, action: b.allowlist ? 'allowlist' : 'unblock', actor: principal!.name,
        durationMinutes: null, reason: b.allowlist ? 'allowlisted from the dashboard' : 'unblocked from the dashboard', results, now: d.clock.now() });
      d.logger.info({ ip: b.ip, actor: principal!.name, results }, 'unblock applied');
      d.hub.notify('blocks', { ip: b.ip, action: b.allowlist ? 'allowlist' : 'unblock' });
      const n = results.length;
      const lifted = unblocked.filter((r) => r.ok && !r.note).length;
      const notBlocked = unblocked.filter((r) => r.note === 'not blocked').length;
      const unblockPart = `IP unblocked on ${ofGateways(lifted, n)}${notBlocked ? ` (not blocked on ${notBlocked})` : ''}`;
      let message: string;
      if (n === 0) message = `No gateway to ${b.allowlist ? 'allowlist' : 'unblock'} on: none has announced an admin URL and none is configured`;
      else if (allowed) {
        const listed = allowed.filter((r) => r.ok).length;
        const unblockFailed = unblocked.filter((r) => !r.ok).length;
        const blockPart = notBlocked === n ? 'it was not blocked on any'
          : `unblocked on ${lifted}${notBlocked ? `, not blocked on ${notBlocked}` : ''}${unblockFailed ? `, unblock failed on ${unblockFailed}` : ''}`;
        message = `IP allowlisted on ${ofGateways(listed, n)}; ${blockPart}${failures(results)}`;
      } else if (notBlocked === n) message = `IP was not blocked on any of the ${n} gateways; nothing to unblock`;
      else message = `${unblockPart}${failures(results)}`;
      const o = outcome(results);
      sendJson(res, o.code, { status: o.status, message, gateways: results });
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
