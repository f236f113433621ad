import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../core/logger.js';
import type { Clock } from '../core/clock.js';
import { closeServer, listen } from '../core/listen.js';
import type { GatewayConfig } from '../config/schema.js';
import { createCidrMatcher, normalizeIp } from '../net/ip.js';
import { createClientAddressResolver } from '../net/client-address.js';
import { createBackendPool, type Backend, type BackendPool } from '../backends/pool.js';
import { createHealthChecker, type HealthChecker } from '../backends/health.js';
import { createBlocklist, type Blocklist } from '../blocking/blocklist.js';
import { createAllowlist, type Allowlist } from '../blocking/allowlist.js';
import { receivedUpstreamHead, upstreamRequestHeaders } from '../proxy/headers.js';
import { forward, limitBody, type ForwardResult } from '../proxy/forward.js';
import { createGatewayMetrics, type GatewayMetrics } from './metrics.js';
import { createUpstreamFailureLog } from './failure-log.js';
import { BLOCKED_MESSAGE, acceptsHtml, answerBody, createBlockAnswers, createHttpDate, createRefIds, rawAnswerText, rawShieldAnswer, writeShieldAnswer, type ShieldAnswer } from './respond.js';
import { serveBlockedConnection, type BlockedConnectionOptions, type BlockedRequest } from './blocked-connection.js';
import type { FastReply, RequestContext } from './context.js';
import { serveFastConnection, type FastClient, type FastConnection, type FastConnectionOptions } from './fast/connection.js';
import { fastForward, type FastExchangeRequest, type FastExchangeSettings } from './fast/exchange.js';
import type { FastHead } from './fast/request-head.js';
import { signalsOf } from '../detect/signals.js';
import { createUpstreamPool } from './fast/upstream-pool.js';
import { runStages, type Stage } from './stages.js';
import { createUpgradeHandler } from './upgrade.js';
import { createGatewayStats, type GatewayStats } from './stats.js';

/** A check that may answer a request instead of the backend (the detection engine plugs in here). */
export interface RequestGuard {
  readonly name: string;
  /** Returns an answer to send instead of proxying, or null to let the request pass. */
  inspect(ctx: RequestContext): ShieldAnswer | null;
  /** Called once the response is complete (also for answers of the gateway itself). */
  complete?(ctx: RequestContext): void;
}

/** Handles the gateway's own paths under /_shield/ (besides /_shield/health); true if handled. */
export type ShieldRoute = (ctx: RequestContext, req: IncomingMessage, res: ServerResponse) => boolean;

export interface GatewayDeps {
  logger: Logger;
  clock: Clock;
  metrics?: GatewayMetrics;
  /** Shared with the detection guard; created here when absent. */
  blocklist?: Blocklist;
  guards?: RequestGuard[];
  shieldRoutes?: ShieldRoute[];
  /** Called for every new client connection before any byte is read (slow-attack guards). */
  onConnection?: (socket: Socket) => void;
  /** Called for every finished request (event shipping to the dashboard). */
  onRequestDone?: (ctx: RequestContext) => void;
  /** Called for every request answered on a blocked client's connection before HTTP parsing. */
  onBlockedRequest?: (clientIp: string, r: BlockedRequest) => void;
}

export interface Gateway {
  readonly server: Server;
  readonly pool: BackendPool;
  readonly health: HealthChecker;
  readonly blocklist: Blocklist;
  readonly allowlist: Allowlist;
  readonly metrics: GatewayMetrics;
  readonly stats: GatewayStats;
  readonly config: GatewayConfig;
  readonly startedAt: number;
  /** Sends a response produced by the gateway itself, counted by action and reason. */
  answer(ctx: RequestContext, a: ShieldAnswer): void;
  listen(port?: number, host?: string): Promise<number>;
  /** Stops accepting, lets in-flight requests finish (up to shutdownGraceMs), then cuts the rest. */
  close(): Promise<void>;
}

const HEAD_TIMEOUT_MESSAGE = 'The request head did not arrive in time.';
/** Sends one request to a backend; `settled` gets the result once. */
type Send = (b: Backend, settled: (r: ForwardResult) => void) => void;
const noop = (): void => {};
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);
/** How long the rest of a refused request body is read and dropped before the connection is cut. */
const DISCARD_LINGER_MS = 5_000;

/**
 * Reads and drops the rest of a request body that the gateway refused, so that its answer
 * reaches the client: closing a socket with unread input resets the connection, and the client
 * loses the answer it has not read yet. Once the body is over the connection stays usable; a body
 * still going on after DISCARD_LINGER_MS gets the connection cut.
 */
function discardBody(req: IncomingMessage, res: ServerResponse): void {
  req.unpipe();
  req.resume();
  if (req.complete) return;
  // Node destroys a connection that is not kept alive as soon as the answer is written
  const closeAfter = !res.shouldKeepAlive;
  res.shouldKeepAlive = true;
  const socket = req.socket;
  const t = setTimeout(() => socket.destroy(), DISCARD_LINGER_MS);
  t.unref();
  req.once('end', () => {
    clearTimeout(t);
    if (closeAfter) socket.end();
  });
}

export function createGateway(config: GatewayConfig, deps: GatewayDeps): Gateway {
  const { clock } = deps;
  const logger = deps.logger.child({ component: 'gateway', gateway: config.gateway.id });
  const metrics = deps.metrics ?? createGatewayMetrics();
  const stats = createGatewayStats(clock);
  const nextRef = createRefIds();
  const logFailure = createUpstreamFailureLog(logger, clock);
  const g = config.gateway;

  const trusted = createCidrMatcher(g.trustedProxies);
  const resolveClient = createClientAddressResolver(trusted);
  const pool = createBackendPool({
    targets: config.backends.targets, upstream: config.backends.upstream,
    failureThreshold: config.backends.failureThreshold, clock, logger,
  });
  for (const b of pool.backends) metrics.backendUp.labels(b.id).set(1);
  // label children bound once per backend: no label hashing on the hot path
  const perBackend = new Map(pool.backends.map((b) => [b, {
    requests: metrics.backendRequests.child({ backend: b.id }),
    latency: metrics.upstreamDuration.child({ backend: b.id }),
  }]));
  pool.onHealthChange((b, up) => metrics.backendUp.labels(b.id).set(up ? 1 : 0));
  const health = createHealthChecker(pool, { ...config.backends.healthCheck, clock, logger });
  const blocklist = deps.blocklist ?? createBlocklist({ clock, maxEntries: config.blocking.maxEntries, onChange: (n) => metrics.blocklistSize.set(n) });
  const allowlist = createAllowlist(config.blocking.allowlist, (n) => metrics.allowlistSize.set(n));
  metrics.allowlistSize.set(allowlist.list().length);

  const guards = deps.guards ?? [];
  const completers = guards.filter((x) => x.complete);
  const shieldRoutes = deps.shieldRoutes ?? [];
  let draining = false;
  // the fast path speaks plain HTTP/1.1 to the backends itself
  const fastPath = g.fastPath && pool.backends.every((b) => b.url.startsWith('http:'));

  const httpDate = createHttpDate();

  function answer(ctx: RequestContext, a: ShieldAnswer): void {
    ctx.action = a.action;
    ctx.reason = a.reason;
    ctx.status = a.status;
    metrics.decisions.labels(a.action, a.reason).inc();
    const ref = nextRef();
    const now = clock.now();
    if (ctx.res) {
      if (draining) ctx.res.shouldKeepAlive = false;
      ctx.bytes = writeShieldAnswer(ctx.req as IncomingMessage, ctx.res, a, ref, now);
    } else {
      const f = ctx.fast!;
      if (draining) f.close = true;
      const b = answerBody(a, ref, now, acceptsHtml(ctx.signals.accept));
      f.socket.write(rawAnswerText(a.status, b, httpDate(now), ctx.req.method ?? 'GET', f.close));
      ctx.bytes = ctx.req.method === 'HEAD' ? 0 : Buffer.byteLength(b.body);
    }
    done(ctx);
  }

  function done(ctx: RequestContext): void {
    metrics.responseOf(ctx.status).inc();
    metrics.inflightRequests.dec();
    stats.record(ctx);
    for (const x of completers) x.complete!(ctx);
    if (g.accessLog) {
      logger.info({ client: ctx.clientIp, method: ctx.req.method, url: ctx.req.url, status: ctx.status, bytes: ctx.bytes,
        ms: Math.round((clock.monotonic() - ctx.startedAt) * 100) / 100, backend: ctx.backend?.id, action: ctx.action, reason: ctx.reason }, 'request');
    }
    deps.onRequestDone?.(ctx);
  }

  // --- stages -------------------------------------------------------------------------------

  const identify: Stage = (ctx) => {
    // the fast path knows its connection's peer already
    const peer = ctx.peerIp || normalizeIp(ctx.req.socket.remoteAddress ?? '0.0.0.0');
    ctx.peerIp = peer;
    ctx.peerTrusted = trusted.entries.length > 0 && trusted.has(peer);
    ctx.clientIp = ctx.peerTrusted ? resolveClient(peer, ctx.req.headers['x-forwarded-for']) : peer;
    return false;
  };

  const bodyTooLarge = (): ShieldAnswer => ({ status: 413, action: 'error', reason: 'body_too_large', message: `The request body is larger than ${g.limits.maxBodyBytes} bytes.` });

  const gate: Stage = (ctx) => {
    ctx.allowlisted = allowlist.has(ctx.clientIp);
    if (!ctx.allowlisted) {
      const entry = blocklist.get(ctx.clientIp);
      if (entry) {
        answer(ctx, { status: 403, action: 'block', reason: 'blocklist', message: BLOCKED_MESSAGE, until: entry.expiresAt });
        return true;
      }
    }
    // the fast path takes only heads within the limits and without a body
    if (!ctx.res) return false;
    const req = ctx.req as IncomingMessage;
    if (req.rawHeaders.length > g.limits.maxHeaders * 2) {
      metrics.rejected.labels('too_many_headers').inc();
      discardBody(req, ctx.res);
      answer(ctx, { status: 431, action: 'error', reason: 'too_many_headers', message: `The request has more than ${g.limits.maxHeaders} header fields.` });
      return true;
    }
    const cl = req.headers['content-length'];
    if (cl !== undefined && Number(cl) > g.limits.maxBodyBytes) {
      metrics.rejected.labels('body_too_large').inc();
      discardBody(req, ctx.res);
      answer(ctx, bodyTooLarge());
      return true;
    }
    return false;
  };

  const ownRoutes: Stage = (ctx) => {
    const url = ctx.req.url ?? '/';
    const res = ctx.res;
    if (!url.startsWith('/_shield/') || !res) return false;
    if (url === '/_shield/health' || url.startsWith('/_shield/health?')) {
      const up = pool.healthyCount();
      const body = JSON.stringify({ status: up > 0 && !draining ? 'ok' : 'unavailable', healthy_backends: up, draining });
      ctx.status = up > 0 && !draining ? 200 : 503;
      res.writeHead(ctx.status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      ctx.bytes = body.length;
      done(ctx);
      return true;
    }
    for (const r of shieldRoutes) {
      if (r(ctx, ctx.req as IncomingMessage, res)) {
        ctx.status = res.statusCode;
        done(ctx);
        return true;
      }
    }
    answer(ctx, { status: 404, action: 'error', reason: 'unknown_shield_path', message: 'There is nothing at this address of the gateway.' });
    return true;
  };

  const guardStage: Stage = (ctx) => {
    if (ctx.allowlisted) return false;
    for (const guard of guards) {
      const a = guard.inspect(ctx);
      if (a) { answer(ctx, a); return true; }
    }
    return false;
  };

  const withGuards = guards.length > 0 ? [guardStage] : [];
  const stages: Stage[] = [identify, gate, ownRoutes, ...withGuards];
  const fastStages: Stage[] = [identify, gate, ...withGuards];

  // --- proxy --------------------------------------------------------------------------------

  const noBackend = (): ShieldAnswer => ({ status: 503, action: 'error', reason: 'no_healthy_backend', message: 'No backend is available right now.', retryAfterSec: Math.ceil(config.backends.healthCheck.unhealthyIntervalMs / 1000) + 1 });

  /**
   * Sends the request to a backend with `send`, retrying a retryable request once on the same
   * backend after a dead keep-alive socket and once on another after a refused connection (a
   * backend that died with the request in flight gives the one, then the other), and answers
   * the failures. `refuseBody` reads and drops the rest of a request body the gateway answers.
   * `finished` is called once at the end, with the error when something threw on the way.
   */
  function proxyWith(ctx: RequestContext, send: Send, retryable: boolean, refuseBody: () => void, finished: (err?: unknown) => void): void {
    let backend = pool.pick();
    if (!backend) {
      metrics.rejected.labels('no_healthy_backend').inc();
      answer(ctx, noBackend());
      finished();
      return;
    }
    let attempt = 0;
    let retriedSame = false;
    let retriedOther = false;
    let bm = perBackend.get(backend)!;
    const start = (b: Backend): void => {
      ctx.backend = b;
      b.stats.requests++;
      bm = perBackend.get(b)!;
      bm.requests.inc();
      send(b, settled);
    };
    const settled = (result: ForwardResult): void => {
      try {
        const b = backend!;
        const f = result.failure;
        if (!f) {
          pool.reportSuccess(b);
          if (result.upstreamMs !== undefined) bm.latency.observe(result.upstreamMs / 1000);
        } else {
          metrics.upstreamErrors.labels(b.id, f.kind).inc();
          if (f.kind === 'connect') pool.reportConnectFailure(b, f.error);
          if (retryable && attempt < 2 && (f.kind === 'connect' || f.kind === 'stale_socket')) {
            let next: Backend | undefined;
            if (f.kind === 'stale_socket' && !retriedSame) { retriedSame = true; next = b; }
            else if (!retriedOther) { retriedOther = true; next = pool.pick(b); }
            if (next) {
              metrics.upstreamRetries.inc();
              logger.debug({ backend: b.id, next: next.id, error: f.error.message }, 'retrying idempotent request');
              backend = next;
              attempt++;
              start(next);
              return;
            }
          }
        }
        settle(ctx, result, refuseBody);
      } catch (err) {
        finished(err);
        return;
      }
      finished();
    };
    try {
      start(backend);
    } catch (err) {
      finished(err);
    }
  }

  /** Answers what the last attempt gave: the response went through, or a failure to answer. */
  function settle(ctx: RequestContext, r: ForwardResult, refuseBody: () => void): void {
    ctx.bytes = r.bytes;
    if (r.upstreamMs !== undefined) ctx.upstreamMs = r.upstreamMs;
    const f = r.failure;
    if (!f) {
      ctx.status = r.status ?? 0;
      if (r.aborted) metrics.rejected.labels('response_aborted').inc();
      done(ctx);
      return;
    }
    switch (f.kind) {
      case 'client_closed':
        metrics.rejected.labels('client_closed').inc();
        ctx.status = 499;
        metrics.inflightRequests.dec();
        stats.record(ctx);
        return;
      case 'body_too_large':
        metrics.rejected.labels('body_too_large').inc();
        refuseBody();
        answer(ctx, bodyTooLarge());
        return;
      case 'timeout':
        logFailure(ctx.backend?.id ?? '', f.kind, 504, f.error);
        answer(ctx, { status: 504, action: 'error', reason: 'upstream_timeout', message: 'The site took too long to answer.' });
        return;
      default: {
        const noneUp = pool.healthyCount() === 0;
        logFailure(ctx.backend?.id ?? '', f.kind, noneUp ? 503 : 502, f.error);
        if (noneUp) {
          answer(ctx, noBackend());
        } else {
          refuseBody();
          answer(ctx, { status: 502, action: 'error', reason: `upstream_${f.kind}`, message: 'The site could not be reached.' });
        }
      }
    }
  }

  /** node:http path: any request, bodies streamed through undici. */
  function proxy(ctx: RequestContext, req: IncomingMessage, res: ServerResponse, finished: (err?: unknown) => void): void {
    const method = req.method ?? 'GET';
    const hasBody = req.headers['content-length'] !== undefined ? req.headers['content-length'] !== '0' : req.headers['transfer-encoding'] !== undefined;
    const body = !hasBody ? null : req.headers['content-length'] !== undefined ? req : limitBody(req, g.limits.maxBodyBytes);
    const headers = upstreamRequestHeaders(req, { clientIp: ctx.clientIp, peerIp: ctx.peerIp, peerTrusted: ctx.peerTrusted, proto: 'http' });
    const retryable = config.backends.retryIdempotent && !hasBody && IDEMPOTENT.has(method);
    if (draining) res.shouldKeepAlive = false;
    const opts = { headers, body, nowMs: () => clock.monotonic() };
    proxyWith(ctx, (b, cb) => forward(b.dispatcher, req, res, opts, cb), retryable, () => { if (hasBody) discardBody(req, res); }, finished);
  }

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    metrics.requests.inc();
    metrics.inflightRequests.inc();
    const ctx: RequestContext = {
      req, signals: signalsOf(req.headers), res, fast: null, startedAt: clock.monotonic(), receivedAt: clock.now(),
      peerIp: '', peerTrusted: false, clientIp: '', clientKey: '', allowlisted: false, score: null, shadowAction: null, features: null, action: null, reason: null,
      backend: null, status: 0, bytes: 0, upstreamMs: null,
    };
    if (runStages(stages, ctx)) return;
    const failed = (err?: unknown): void => {
      if (err === undefined) return;
      logger.error({ err }, 'proxy failure');
      metrics.rejected.labels('internal').inc();
      if (!res.headersSent) answer(ctx, { status: 502, action: 'error', reason: 'internal', message: 'The gateway failed to forward the request.' });
      else res.destroy();
    };
    try {
      proxy(ctx, req, res, failed);
    } catch (err) {
      failed(err);
    }
  }

  // --- fast path ----------------------------------------------------------------------------

  const upstreamPools = fastPath
    ? new Map(pool.backends.map((b) => {
      const u = new URL(b.url);
      return [b, createUpstreamPool({
        host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 80), maxConnections: config.backends.upstream.connections,
        maxConnecting: config.backends.upstream.maxConnecting,
        keepAliveTimeoutMs: config.backends.upstream.keepAliveTimeoutMs, connectTimeoutMs: config.backends.upstream.connectTimeoutMs,
        socketTimeoutMs: config.backends.upstream.headersTimeoutMs, clock,
      })] as const;
    }))
    : null;

  const fastExchange: FastExchangeSettings = {
    draining: () => draining, nowMs: () => clock.monotonic(),
    headersTimeoutMs: config.backends.upstream.headersTimeoutMs, bodyTimeoutMs: config.backends.upstream.bodyTimeoutMs,
  };

  /**
   * Fast path: a body-less HTTP/1.1 request from serveFastConnection; tells the connection (at
   * once when the gateway answered itself) whether it stays open.
   */
  function onFastRequest(head: FastHead, client: FastClient): void {
    metrics.requests.inc();
    metrics.fastRequests.inc();
    metrics.inflightRequests.inc();
    const socket = client.socket;
    const fast: FastReply = { socket, close: head.close || draining };
    const ctx: RequestContext = {
      req: head, signals: head.signals, res: null, fast, startedAt: clock.monotonic(), receivedAt: clock.now(),
      peerIp: client.peer, peerTrusted: false, clientIp: '', clientKey: '', allowlisted: false, score: null, shadowAction: null, features: null, action: null, reason: null,
      backend: null, status: 0, bytes: 0, upstreamMs: null,
    };
    if (runStages(fastStages, ctx)) { client.done(!fast.close); return; }
    const rq: FastExchangeRequest = {
      method: head.method, reply: fast, control: client,
      head: receivedUpstreamHead(head, { clientIp: ctx.clientIp, peerIp: ctx.peerIp, peerTrusted: ctx.peerTrusted, proto: 'http' }, client.forwarded),
    };
    proxyWith(ctx, (b, cb) => fastForward(upstreamPools!.get(b)!, socket, fastExchange, rq, cb), config.backends.retryIdempotent, noop, (err) => {
      if (err !== undefined) { fastFailure(err); socket.destroy(); client.done(false); return; }
      client.done(!fast.close && !socket.destroyed);
    });
  }

  function fastFailure(err: unknown): void {
    logger.error({ err }, 'proxy failure');
    metrics.rejected.labels('internal').inc();
  }

  // --- server -------------------------------------------------------------------------------

  const server = createServer({
    headersTimeout: g.timeouts.headersMs,
    requestTimeout: g.timeouts.requestMs,
    keepAliveTimeout: g.timeouts.idleMs,
    connectionsCheckingInterval: g.timeouts.checkIntervalMs,
    maxHeaderSize: g.limits.maxHeaderBytes,
    // Nagle is switched off per admitted connection below: a refused one is answered with one write
    // and closed, and spares the system call
    noDelay: false,
  }, onRequest);
  // one more than the limit, so that "too many" is seen instead of silently truncated
  server.maxHeadersCount = g.limits.maxHeaders + 1;
  server.timeout = g.timeouts.socketIdleMs;
  server.on('timeout', (socket: Socket) => { metrics.rejected.labels('socket_idle').inc(); socket.destroy(); });
  // Admission before HTTP: a connection from a blocked address (the peer itself, not behind a
  // trusted proxy) is answered by the raw block responder and never reaches the HTTP parser.
  // The HTTP server's own connection handler is taken out and called for the connections admitted.
  const [httpConnection] = server.listeners('connection') as ((socket: Socket) => void)[];
  if (!httpConnection) throw new Error('node:http server without a connection handler');
  server.removeAllListeners('connection');
  const rawBlocked = new Set<Socket>();
  const fastConns = new Map<Socket, FastConnection>();
  const blockAnswers = createBlockAnswers({ status: 403, message: BLOCKED_MESSAGE, nextRef, httpDate: createHttpDate() });
  // bound once: labels() would join and look up the label values on every answer
  const blockedDecisions = metrics.decisions.labels('block', 'blocklist');
  const fastOptions: FastConnectionOptions = {
    maxHeaderBytes: g.limits.maxHeaderBytes, maxHeaders: g.limits.maxHeaders,
    idleMs: g.timeouts.idleMs, headersMs: g.timeouts.headersMs,
    request: onFastRequest,
    onFailure: fastFailure,
    handOver: (s, reason) => {
      metrics.fastHandovers.labels(reason).inc();
      fastConns.delete(s);
      httpConnection.call(server, s);
    },
    closing: () => draining,
    onTimeout: (kind) => {
      metrics.rejected.labels(kind).inc();
      if (kind === 'request_timeout') { metrics.decisions.labels('error', kind).inc(); metrics.responseByClass['4xx'].inc(); }
    },
    timeoutAnswer: () => rawShieldAnswer(408, 'Request Timeout', 'error', 'request_timeout', nextRef(), HEAD_TIMEOUT_MESSAGE),
  };
  const blockedOptions: BlockedConnectionOptions = {
    clock, maxHeaderBytes: g.limits.maxHeaderBytes, idleMs: g.timeouts.idleMs, lingerMs: DISCARD_LINGER_MS, status: 403,
    answer: blockAnswers,
    closing: () => draining,
    onAnswered: (peer, r) => {
      metrics.requests.inc();
      blockedDecisions.inc();
      metrics.responseByClass['4xx'].inc();
      stats.recordAction('block');
      if (r.upgrade) metrics.websocketUpgrades.labels('blocklist').inc();
      deps.onBlockedRequest?.(peer, r);
    },
    onRefused: (reason) => {
      metrics.rejected.labels(reason).inc();
      metrics.decisions.labels('error', reason).inc();
      metrics.responseByClass['4xx'].inc();
    },
  };
  // one listener function per kind of connection, shared (EventEmitter passes the socket as `this`)
  function onAdmittedClose(this: Socket): void {
    metrics.activeConnections.dec();
    fastConns.delete(this);
  }
  function onBlockedClose(this: Socket): void {
    metrics.activeConnections.dec();
    rawBlocked.delete(this);
  }
  server.on('connection', (socket: Socket) => {
    metrics.activeConnections.inc();
    const peer = normalizeIp(socket.remoteAddress ?? '0.0.0.0');
    const entry = (trusted.entries.length === 0 || !trusted.has(peer)) && !allowlist.has(peer) ? blocklist.get(peer) : undefined;
    if (entry) {
      rawBlocked.add(socket);
      socket.on('close', onBlockedClose);
      serveBlockedConnection(socket, blockedOptions, peer, entry);
      return;
    }
    socket.setNoDelay(true);
    socket.on('close', onAdmittedClose);
    if (fastPath) fastConns.set(socket, serveFastConnection(socket, fastOptions, peer));
    else httpConnection.call(server, socket);
    deps.onConnection?.(socket);
  });
  server.on('clientError', (err: Error & { code?: string }, socket: Socket) => {
    const code = err.code ?? '';
    let status = 400; let text = 'Bad Request'; let reason = 'bad_request'; let message = 'The request is not valid HTTP/1.1.';
    if (code === 'HPE_HEADER_OVERFLOW') {
      status = 431; text = 'Request Header Fields Too Large'; reason = 'headers_too_large';
      message = `The request line and header fields are larger than ${g.limits.maxHeaderBytes} bytes.`;
    } else if (code === 'ERR_HTTP_REQUEST_TIMEOUT' || code === 'ERR_HTTP_HEADERS_TIMEOUT') {
      status = 408; text = 'Request Timeout'; reason = 'request_timeout'; message = HEAD_TIMEOUT_MESSAGE;
    }
    else if (code === 'ECONNRESET' || code === 'EPIPE') reason = 'client_reset';
    metrics.rejected.labels(reason).inc();
    if (reason === 'client_reset' || !socket.writable) { socket.destroy(); return; }
    metrics.decisions.labels('error', reason).inc();
    metrics.responseOf(status).inc();
    socket.end(rawShieldAnswer(status, text, 'error', reason, nextRef(), message));
  });
  // upgraded (WebSocket) connections leave the HTTP server's books: closeAllConnections does not
  // see them, so they are tracked here to be cut at the end of the shutdown grace period
  const upgraded = new Set<Duplex>();
  server.on('upgrade', (_req: IncomingMessage, socket: Duplex) => {
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
  });
  server.on('upgrade', createUpgradeHandler({
    pool, metrics, logger, nextRef, blocklist, allowlist,
    clientOf: (req) => {
      const peer = normalizeIp(req.socket.remoteAddress ?? '0.0.0.0');
      const peerTrusted = trusted.entries.length > 0 && trusted.has(peer);
      return { peerIp: peer, peerTrusted, clientIp: peerTrusted ? resolveClient(peer, req.headers['x-forwarded-for']) : peer };
    },
  }));

  const sweeper = setInterval(() => blocklist.sweep(), 10_000);
  sweeper.unref();
  const startedAt = clock.now();

  return {
    server, pool, health, blocklist, allowlist, metrics, stats, config, startedAt,
    answer,
    async listen(port = g.port, host = g.host) {
      health.start();
      const bound = await listen(server, port, host);
      logger.info({ url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`, backends: pool.backends.map((b) => b.url) }, 'gateway listening');
      return bound;
    },
    async close() {
      draining = true;
      clearInterval(sweeper);
      health.stop();
      const closed = closeServer(server);
      const grace = setTimeout(() => {
        server.closeAllConnections();
        for (const s of upgraded) s.destroy();
        for (const s of rawBlocked) s.destroy();
        for (const s of fastConns.keys()) s.destroy();
      }, g.shutdownGraceMs);
      grace.unref();
      // raw-answered connections are idle between requests: end them now
      for (const s of rawBlocked) s.end();
      const idle = setInterval(() => {
        server.closeIdleConnections();
        for (const fc of fastConns.values()) fc.endIfIdle();
      }, 200);
      for (const fc of fastConns.values()) fc.endIfIdle();
      idle.unref();
      await closed;
      clearTimeout(grace);
      clearInterval(idle);
      for (const u of upstreamPools?.values() ?? []) u.close();
      await pool.close();
      logger.info('gateway closed');
    },
  };
}
