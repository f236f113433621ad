import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import { z } from 'zod';
import type { Logger } from '../core/logger.js';
import type { Clock } from '../core/clock.js';
import { closeServer, listen, urlHost } from '../core/listen.js';
import { parseIp } from '../net/ip.js';
import { networkOf } from '../blocking/allowlist.js';
import type { Gateway } from '../gateway/gateway.js';
import { HttpError, createJsonApiServer, nameListener, readJson, sendJson } from './http.js';

export const VERSION = '0.1.0';

const blockBody = z.strictObject({
  // whole minutes, checked against the configured maximum in the route (as the dashboard's API does)
  duration_minutes: z.unknown().optional(),
  reason: z.string().min(1).max(200).optional(),
}).optional();

const allowBody = z.strictObject({ cidr: z.string().min(1).max(64) });

/** Extra admin routes (e.g. the detector's GET /clients/{ip}); return true if handled. */
export type AdminRoute = (req: IncomingMessage, res: ServerResponse, path: string) => boolean | Promise<boolean>;

export interface AdminServer {
  readonly server: Server;
  listen(port?: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

function zodMessage(e: z.ZodError): string {
  return e.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
}

/**
 * The admin API (default 127.0.0.1:8081): read endpoints are open to whoever can reach the
 * listener; mutating ones need `Authorization: Bearer <token>` when a token is configured
 * (without a token the configuration only allows a loopback address).
 */
/**
 * `private`: the admin API of one worker of several, for the primary's admin API only: it binds
 * its own port (not the cluster's shared one) and says so in its log line.
 */
export function createAdminServer(gw: Gateway, deps: { logger: Logger; clock: Clock; routes?: AdminRoute[]; private?: boolean }): AdminServer {
  const { clock } = deps;
  const logger = deps.logger.child({ component: 'admin' });
  const cfg = gw.config;
  const tokenDigest = cfg.admin.token ? digest(cfg.admin.token) : null;
  // whole minutes only (as the dashboard's API): 1 up to blocking.maxDurationSec, rounded down to a minute
  const maxMinutes = Math.floor(cfg.blocking.maxDurationSec / 60);

  /** The block's duration in seconds: the default without `duration_minutes`, else whole minutes 1..maxMinutes (400 otherwise). */
  function blockSeconds(given: unknown): number {
    if (given === undefined) return cfg.blocking.defaultDurationSec;
    const rule = maxMinutes >= 1
      ? `a whole number of minutes from 1 to ${maxMinutes} (blocking.maxDurationSec = ${cfg.blocking.maxDurationSec} s)`
      : `left out: blocking.maxDurationSec (${cfg.blocking.maxDurationSec} s) is under a minute, so only the default duration applies`;
    if (typeof given !== 'number' || !Number.isInteger(given) || given < 1 || given > maxMinutes) {
      throw new HttpError(400, `duration_minutes must be ${rule}; got ${JSON.stringify(given)}`);
    }
    return given * 60;
  }

  function authorize(req: IncomingMessage): void {
    if (!tokenDigest) return;
    const h = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(h);
    if (!m || !timingSafeEqual(digest((m[1] as string).trim()), tokenDigest)) {
      throw new HttpError(401, 'missing or wrong bearer token (Authorization: Bearer <ADMIN_TOKEN>)');
    }
  }

  function ipParam(raw: string): string {
    const ip = parseIp(decodeURIComponent(raw));
    if (!ip) throw new HttpError(400, `"${decodeURIComponent(raw)}" is not a valid IPv4 or IPv6 address`);
    return ip;
  }

  function backendsView() {
    return gw.pool.backends.map((b) => ({
      url: b.url, weight: b.weight, healthy: b.healthy, requests: b.stats.requests, failures: b.stats.failures,
      consecutive_failures: b.consecutiveFailures, checks: b.stats.checks,
      last_check: b.stats.lastCheckAt ? new Date(b.stats.lastCheckAt).toISOString() : null,
      last_check_ok: b.stats.lastCheckOk, last_error: b.stats.lastError, since: new Date(b.stats.changedAt).toISOString(),
    }));
  }

  function blockedView() {
    const now = clock.now();
    return gw.blocklist.list().map((e) => ({
      ip: e.ip, blocked_at: new Date(e.blockedAt).toISOString(), expires_at: new Date(e.expiresAt).toISOString(),
      remaining_seconds: Math.max(0, Math.ceil((e.expiresAt - now) / 1000)), reason: e.reason, source: e.source,
    }));
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://admin');
    const path = url.pathname;
    const asked = req.method ?? 'GET';
    // HEAD is GET without the body (node:http leaves the body out of an answer to HEAD; the headers,
    // Content-Length included, stay those of GET), on every GET route, the extra ones too
    const method = asked === 'HEAD' ? 'GET' : asked;
    if (asked === 'HEAD') req.method = 'GET';
    const uptime = Math.round((clock.now() - gw.startedAt) / 1000);

    if (method === 'GET') {
      switch (path) {
        case '/':
          return sendJson(res, 200, {
            name: 'ddos-shield gateway', version: VERSION, gateway_id: cfg.gateway.id, uptime_seconds: uptime,
            endpoints: ['GET /health', 'GET /stats', 'GET /metrics', 'GET /backends', 'GET /blocked-ips', 'POST /block/{ip}',
              'POST /unblock/{ip}', 'GET /allowlist', 'POST /allowlist', 'DELETE /allowlist/{cidr}', 'GET /clients/{ip}'],
          });
        case '/health': {
          const up = gw.pool.healthyCount();
          const status = up === gw.pool.backends.length ? 'healthy' : up > 0 ? 'degraded' : 'unhealthy';
          return sendJson(res, up > 0 ? 200 : 503, {
            status, gateway: 'ddos-shield', gateway_id: cfg.gateway.id, version: VERSION,
            backend_targets: Object.fromEntries(gw.pool.backends.map((b) => [b.url, b.healthy])), uptime_seconds: uptime,
          });
        }
        case '/stats': {
          const s = gw.stats.snapshot();
          return sendJson(res, 200, {
            statistics: { ...s, blocked_ips: gw.blocklist.size() },
            backend_distribution: Object.fromEntries(gw.pool.backends.map((b) => [b.url, b.stats.requests])),
            backend_health: Object.fromEntries(gw.pool.backends.map((b) => [b.url, b.healthy])),
          });
        }
        case '/metrics': {
          const text = await gw.metrics.registry.metrics();
          res.writeHead(200, { 'content-type': gw.metrics.registry.contentType });
          res.end(text);
          return;
        }
        case '/backends':
          return sendJson(res, 200, { backends: backendsView() });
        case '/blocked-ips':
          return sendJson(res, 200, blockedView());
        case '/allowlist':
          return sendJson(res, 200, { allowlist: gw.allowlist.list() });
      }
    }

    if (method === 'POST' && path.startsWith('/block/')) {
      authorize(req);
      const ip = ipParam(path.slice('/block/'.length));
      const parsed = blockBody.safeParse(await readJson(req));
      if (!parsed.success) throw new HttpError(400, zodMessage(parsed.error));
      const durationSec = blockSeconds(parsed.data?.duration_minutes);
      const minutes = durationSec / 60;
      if (gw.allowlist.has(ip)) throw new HttpError(409, `${ip} is on the allowlist and cannot be blocked`);
      const e = gw.blocklist.block(ip, { durationSec, reason: parsed.data?.reason ?? 'manual', source: 'manual' });
      logger.info({ ip, minutes, reason: e.reason }, 'client blocked by hand');
      return sendJson(res, 200, { status: 'blocked', ip, reason: e.reason, blocked_at: new Date(e.blockedAt).toISOString(), expires_at: new Date(e.expiresAt).toISOString() });
    }
    if (method === 'POST' && path.startsWith('/unblock/')) {
      authorize(req);
      const ip = ipParam(path.slice('/unblock/'.length));
      const had = gw.blocklist.unblock(ip);
      logger.info({ ip, was_blocked: had }, 'client unblocked by hand');
      return sendJson(res, had ? 200 : 404, had ? { status: 'unblocked', ip } : { error: `${ip} is not blocked`, ip });
    }
    if (method === 'POST' && path === '/allowlist') {
      authorize(req);
      const parsed = allowBody.safeParse(await readJson(req));
      if (!parsed.success) throw new HttpError(400, zodMessage(parsed.error));
      // stored as its network: 10.1.2.3/8 is 10.0.0.0/8 (one entry, however it is written)
      let cidr: string;
      try { cidr = networkOf(parsed.data.cidr); } catch (e) { throw new HttpError(400, (e as Error).message); }
      const added = gw.allowlist.add(cidr);
      // an allowlisted address is never blocked: the blocks it now covers are lifted (every
      // replica or worker sharing the blocklist hears of it as of any unblock)
      const lifted = gw.blocklist.list().filter((e) => gw.allowlist.has(e.ip)).map((e) => e.ip);
      for (const ip of lifted) gw.blocklist.unblock(ip);
      const requested = parsed.data.cidr.trim();
      logger.info({ cidr, requested, added, unblocked: lifted }, added ? 'allowlist entry added' : 'allowlist entry already present');
      return sendJson(res, added ? 201 : 200, {
        status: added ? 'added' : 'already present', cidr,
        ...(requested !== cidr ? { requested, note: `stored as the network ${cidr}` } : {}),
        unblocked: lifted,
        ...(lifted.length > 0 ? { message: `${lifted.length} blocked address${lifted.length > 1 ? 'es are' : ' is'} now allowlisted and no longer blocked: ${lifted.join(', ')}` } : {}),
        allowlist: gw.allowlist.list(),
      });
    }
    if (method === 'DELETE' && path.startsWith('/allowlist/')) {
      authorize(req);
      const raw = decodeURIComponent(path.slice('/allowlist/'.length));
      let cidr: string;
      try { cidr = networkOf(raw); } catch (e) { throw new HttpError(400, (e as Error).message); }
      const removed = gw.allowlist.remove(cidr);
      return sendJson(res, removed ? 200 : 404, removed ? { status: 'removed', cidr } : { error: `${cidr} is not on the allowlist` });
    }
    for (const r of deps.routes ?? []) if (await r(req, res, path)) return;
    const known = ['/', '/health', '/stats', '/metrics', '/backends', '/blocked-ips', '/allowlist'];
    if (known.includes(path) || /^\/(block|unblock)\//.test(path)) throw new HttpError(405, `method ${asked} not allowed on ${path}`);
    throw new HttpError(404, `no admin endpoint ${asked} ${path}`);
  }

  const server = createJsonApiServer(route, { logger, unexpected: { status: 500, message: 'internal error' } });

  return {
    server,
    async listen(port = cfg.admin.port, host = cfg.admin.host) {
      const bound = await listen(server, port, host, { exclusive: deps.private === true })
        .catch((err: unknown) => { throw nameListener(err, deps.private ? 'worker admin API' : 'admin API'); });
      logger.info({ url: `http://${urlHost(host)}:${bound}`, token_required: tokenDigest !== null },
        deps.private ? 'worker admin API listening' : 'admin API listening');
      return bound;
    },
    close: () => closeServer(server),
  };
}
