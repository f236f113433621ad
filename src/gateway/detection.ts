import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../core/logger.js';
import type { Clock } from '../core/clock.js';
import { normalizeIp, parseIp, type CidrMatcher } from '../net/ip.js';
import type { Blocklist } from '../blocking/blocklist.js';
import type { Detector, RequestObservation } from '../detect/types.js';
import { emptySignals, type HeaderSignals } from '../detect/signals.js';
import { clientKeyOf } from '../detect/client-key.js';
import type { Challenge } from '../detect/challenge/challenge.js';
import { CHALLENGE_PREFIX } from '../detect/challenge/challenge.js';
import type { ConnectionGuard } from '../detect/slow/guard.js';
import type { SharedCounts } from '../detect/shared-counts.js';
import type { RequestContext } from './context.js';
import type { FastHead } from './fast/request-head.js';
import type { RequestGuard, ShieldRoute } from './gateway.js';
import { acceptsHtml, type ShieldAnswer } from './respond.js';
import { sendJson } from '../admin/http.js';

const CHALLENGE_JSON_MESSAGE = 'This site checks that requests come from people before it lets them through. Open this address in a browser, '
  + 'or pass the check described in `challenge`: do its proof of work and get `verify_url` with `&n=` and the nonce, or get `wait_url` after `wait_seconds`; '
  + 'either answers with a cookie to send with the next requests.';
import type { AdminRoute } from '../admin/admin.js';

const NO_SIGNALS: HeaderSignals = Object.freeze(emptySignals());

export interface DetectionParts {
  detector: Detector;
  challenge: Challenge;
  connectionGuard: ConnectionGuard | null;
  ipv6Prefix: number;
  /** Replicas: each inspected request is counted for the others (cluster-wide rates). */
  sharedCounts?: SharedCounts | null;
  /** Put the features behind each decision other than allow on the request (ctx.features), for the dashboard's events. */
  explainDecisions?: boolean;
}

/**
 * The detection engine as the gateway sees it: a RequestGuard (observe → features → score →
 * decide, then act on the decision), the challenge routes under /_shield/challenge/, the
 * slow-attack connection hook and the admin explanation endpoint GET /clients/{ip}.
 */
export function createDetectionGuard(parts: DetectionParts, deps: { blocklist: Blocklist; clock: Clock; logger: Logger; trusted: CidrMatcher }) {
  const { detector, challenge, connectionGuard: slow, ipv6Prefix } = parts;
  const shared = parts.sharedCounts ?? null;
  const explain = parts.explainDecisions === true;
  const { blocklist } = deps;

  // One observation and one inspect context, filled for each request: the detector reads them
  // during inspect() and keeps none of them (strings it records are its own references).
  const obs: RequestObservation = { clientKey: '', ip: '', timestampMs: 0, method: 'GET', path: '/', query: '', httpVersion: '1.1', signals: NO_SIGNALS, headerCount: 0, contentLength: 0 };
  const inspectCtx = { challengePassed: false };
  function observation(ctx: RequestContext): RequestObservation {
    const req = ctx.req;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    // the fast path carries no body
    const cl = ctx.fast ? undefined : req.headers['content-length'];
    obs.clientKey = ctx.clientKey;
    obs.ip = ctx.clientIp;
    obs.timestampMs = ctx.receivedAt;
    obs.method = req.method ?? 'GET';
    obs.path = q < 0 ? url : url.slice(0, q);
    obs.query = q < 0 ? '' : url.slice(q + 1);
    obs.httpVersion = req.httpVersion;
    obs.signals = ctx.signals;
    // the fast path counts the fields without building its raw list
    obs.headerCount = ctx.fast ? (req as FastHead).fieldCount : req.rawHeaders.length >> 1;
    obs.contentLength = cl === undefined ? 0 : Number(cl) || 0;
    return obs;
  }

  // consecutive requests mostly come from one client (keep-alive, floods): its key is kept
  let lastIp = '';
  let lastKey = '';
  const keyOf = (ip: string): string => {
    if (ip !== lastIp) { lastKey = clientKeyOf(ip, ipv6Prefix); lastIp = ip; }
    return lastKey;
  };

  const guard: RequestGuard = {
    name: 'detector',
    inspect(ctx): ShieldAnswer | null {
      ctx.clientKey = keyOf(ctx.clientIp);
      shared?.count(ctx.clientKey);
      if (slow) {
        if (ctx.res) slow.onRequest(ctx.req as IncomingMessage, ctx.res);
        else slow.onExchange(ctx.req.socket, 'response');
      }
      const cookie = ctx.signals.cookie;
      const passed = cookie !== undefined && challenge.isPassed(cookie, ctx.clientKey);
      inspectCtx.challengePassed = passed;
      const d = detector.inspect(observation(ctx), inspectCtx);
      obs.signals = NO_SIGNALS; // the request's fields are not kept alive by the next one's wait
      ctx.score = d.score;
      if (d.action === 'allow') return null;
      if (explain) ctx.features = detector.lastFeatures();
      if (!d.enforced) {
        ctx.shadowAction = d.action;
        ctx.reason = d.reason;
        return null;
      }
      switch (d.action) {
        case 'block': {
          const e = blocklist.block(ctx.clientIp, { durationSec: d.blockSeconds ?? 600, reason: d.reason, source: 'detector' });
          return { status: 403, action: 'block', reason: d.reason, message: 'Your requests look like an attack on this site, so they are blocked for a while.', until: e.expiresAt };
        }
        case 'throttle':
          return { status: 429, action: 'throttle', reason: d.reason, message: 'You are sending requests too fast. Please slow down.', retryAfterSec: d.retryAfterSec ?? 10 };
        case 'challenge': {
          if (!acceptsHtml(ctx.signals.accept)) {
            // an API client gets the challenge as data: it can do the work, or wait, and keep the cookie
            return {
              status: 403, action: 'challenge', reason: d.reason, message: CHALLENGE_JSON_MESSAGE,
              details: { challenge: challenge.terms(ctx.clientKey, ctx.req.url ?? '/') },
            };
          }
          const p = challenge.page(ctx.req, ctx.clientKey, ctx.req.url ?? '/');
          return { status: p.status, action: 'challenge', reason: d.reason, message: 'Checking your browser.', page: { headers: p.headers, body: p.body } };
        }
      }
    },
    complete(ctx) {
      if (slow && ctx.fast) slow.onExchange(ctx.req.socket, 'idle');
      // only exchanges with the backend: the gateway's own answers must not raise the client's error ratio
      if (ctx.clientKey && ctx.backend !== null && ctx.action === null) {
        detector.complete(ctx.clientKey, ctx.status, ctx.bytes, deps.clock.monotonic() - ctx.startedAt);
      }
    },
  };

  const challengeRoute: ShieldRoute = (ctx, req, res) => {
    if (!(req.url ?? '').startsWith(CHALLENGE_PREFIX)) return false;
    return challenge.handle(req, res, clientKeyOf(ctx.clientIp, ipv6Prefix));
  };

  const onConnection = slow
    ? (socket: Socket) => {
      const ip = normalizeIp(socket.remoteAddress ?? '0.0.0.0');
      // behind a trusted proxy many clients share its connections: no per-address cap there
      if (!deps.trusted.has(ip)) slow.onConnection(socket, ip);
    }
    : undefined;

  const explainRoute: AdminRoute = (req: IncomingMessage, res: ServerResponse, path: string) => {
    if (!path.startsWith('/clients/')) return false;
    if (req.method !== 'GET') { sendJson(res, 405, { error: `method ${req.method} not allowed on ${path}` }); return true; }
    const raw = decodeURIComponent(path.slice('/clients/'.length));
    const ip = parseIp(raw);
    if (!ip) { sendJson(res, 400, { error: `"${raw}" is not a valid IPv4 or IPv6 address` }); return true; }
    const key = clientKeyOf(ip, ipv6Prefix);
    const ex = detector.explain(key);
    const blocked = blocklist.get(ip);
    if (!ex && !blocked) { sendJson(res, 404, { error: `no recent requests from ${ip}`, ip }); return true; }
    sendJson(res, 200, {
      ip, client_key: key,
      blocked: blocked ? { reason: blocked.reason, source: blocked.source, blocked_at: new Date(blocked.blockedAt).toISOString(), expires_at: new Date(blocked.expiresAt).toISOString() } : null,
      ...(ex ? { explanation: ex } : {}),
    });
    return true;
  };

  return { guard, challengeRoute, onConnection, explainRoute };
}
