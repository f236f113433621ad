import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { createSystemClock, type Clock } from '../core/clock.js';
import { closeServer, listen } from '../core/listen.js';
import type { Logger } from '../core/logger.js';
import { buildAlert, createAlertSink, type AlertSink } from './alerts.js';
import type { IdsConfig } from './config.js';
import { IDS_ERRORS, IdsHttpError } from './errors.js';
import { createFeatureMapper, type FeatureProblem } from './features.js';
import { createIdsMetrics, type IdsMetrics } from './metrics.js';
import type { FlowScore, IdsModel } from './model.js';
import { buildOpenApi } from './openapi.js';
import { createRateLimiter } from './rate-limit.js';

export interface IdsServerDeps {
  model: IdsModel;
  /** The base logger: the server logs through its own `component: "ids"` child of it. */
  logger: Logger;
  clock?: Clock;
}

export interface IdsServer {
  readonly server: Server;
  readonly metrics: IdsMetrics;
  readonly alerts: AlertSink | null;
  /** Binds config.host:config.port (0 = any free port); resolves with the bound port. */
  listen(): Promise<number>;
  close(): Promise<void>;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The common, valid /predict envelope: an object whose only key is `features`. Anything else goes through zod for its message. */
function isPredictEnvelope(v: unknown): v is { features: unknown } {
  if (!isPlainObject(v)) return false;
  let keys = 0;
  for (const k in v) {
    if (k !== 'features' || ++keys > 1) return false;
  }
  return keys === 1;
}

/** What a JSON value is, in words, for an error message. */
function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.length === 0 ? 'an empty array' : 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the text ${JSON.stringify(v.slice(0, 40))}`;
  return `${typeof v} ${JSON.stringify(v)}`;
}

const quoted = (keys: readonly string[], max = 10) =>
  keys.slice(0, max).map((k) => JSON.stringify(k)).join(', ') + (keys.length > max ? ` and ${keys.length - max} more` : '');

/**
 * Checks the envelope of a request body, an object whose only key is `key` (`features` or `flows`);
 * throws INVALID_REQUEST saying in plain words what is wrong (a missing key and the spelling given
 * instead, unknown keys by name), with one detail per problem.
 */
function envelope(body: unknown, key: 'features' | 'flows', shape: string): unknown {
  if (!isPlainObject(body)) {
    throw new IdsHttpError('INVALID_REQUEST', `the body must be a JSON object ${shape}; got ${kindOf(body)}`, [{ path: '', message: `expected an object, got ${kindOf(body)}` }]);
  }
  const keys = Object.keys(body);
  const problems: { path: string; message: string }[] = [];
  // a near spelling ("Features", "feature") is named with the missing key, not again as unknown
  const near = Object.hasOwn(body, key) ? [] : keys.filter((k) => k.trim().toLowerCase() === key || k.trim().toLowerCase() === key.slice(0, -1));
  const unknown = keys.filter((k) => k !== key && !near.includes(k));
  if (!Object.hasOwn(body, key)) {
    const got = near.length ? ` (got ${quoted(near)})` : keys.length ? ` (the body has ${quoted(keys)})` : ' (the body is empty)';
    problems.push({ path: key, message: `"${key}" is required${got}` });
  }
  if (unknown.length) problems.push({ path: '', message: `unknown key${unknown.length > 1 ? 's' : ''} ${quoted(unknown)}: the body holds only "${key}"` });
  if (problems.length) {
    throw new IdsHttpError('INVALID_REQUEST', `${problems.map((p) => p.message).join('; ')}; expected ${shape}`, problems);
  }
  return body[key];
}

type Route = (req: IncomingMessage, client: string) => Promise<unknown> | unknown;

function round(v: number, digits = 6): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

function keyDigest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

export function createIdsServer(config: IdsConfig, deps: IdsServerDeps): IdsServer {
  const clock = deps.clock ?? createSystemClock();
  const log = deps.logger.child({ component: 'ids' });
  const { model } = deps;
  const metrics = createIdsMetrics();
  metrics.modelInfo.set({ version: model.card.version, created_at: model.card.created_at }, 1);
  const mapper = createFeatureMapper(model.featureIds);
  const limiter = createRateLimiter(
    { ratePerSecond: config.rateLimitPerSecond, burst: config.rateLimitBurst, maxClients: config.rateLimitClients }, clock);
  const apiKey = config.apiKey ? keyDigest(config.apiKey) : null;
  const alerts = config.dashboardUrl
    ? createAlertSink({ dashboardUrl: config.dashboardUrl, token: config.dashboardToken, queueSize: config.alertQueueSize, timeoutMs: config.alertTimeoutMs },
      { logger: log, metrics, clock })
    : null;
  const openapi = buildOpenApi({ version: model.card.version, maxBatch: config.maxBatch, features: model.card.features.model_features, threshold: model.threshold });

  function checkKey(req: IncomingMessage): void {
    if (!apiKey) return;
    const given = req.headers['x-api-key'];
    if (typeof given !== 'string' || !timingSafeEqual(keyDigest(given), apiKey)) throw new IdsHttpError('UNAUTHORIZED');
  }

  function checkRate(client: string): void {
    const wait = limiter.take(client);
    if (wait > 0) throw new IdsHttpError('RATE_LIMITED', `too many requests; retry in ${wait} s`, undefined, { 'retry-after': String(wait) });
  }

  async function readJson(req: IncomingMessage): Promise<unknown> {
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/json\b/i.test(type)) throw new IdsHttpError('UNSUPPORTED_MEDIA_TYPE');
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > config.maxBodyBytes) throw new IdsHttpError('BODY_TOO_LARGE', `request body over ${config.maxBodyBytes} bytes`);
    const body = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > config.maxBodyBytes) {
          req.removeAllListeners('data');
          reject(new IdsHttpError('BODY_TOO_LARGE', `request body over ${config.maxBodyBytes} bytes`));
        } else chunks.push(chunk);
      });
      req.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
      req.once('error', reject);
    });
    try {
      return JSON.parse(body.toString('utf8'));
    } catch {
      throw new IdsHttpError('BAD_JSON');
    }
  }

  function problemMessage(problems: FeatureProblem[]): string {
    const missing = problems.filter((p) => p.problem === 'missing').map((p) => p.feature);
    const bad = problems.filter((p) => p.problem !== 'missing').map((p) => p.feature);
    const parts = [];
    if (missing.length) parts.push(`missing features: ${missing.join(', ')}`);
    if (bad.length) parts.push(`malformed features: ${bad.join(', ')}`);
    return parts.join('; ');
  }

  // Labelled metric children are looked up once per label set, not hashed on every request.
  const scoredChildren = new Map<string, ReturnType<typeof metrics.flowsScored.labels>>();
  function scoredChild(s: FlowScore) {
    const family = s.prediction ? s.family : 'benign';
    const key = `${s.prediction}|${family}`;
    let c = scoredChildren.get(key);
    if (!c) {
      c = metrics.flowsScored.labels({ prediction: s.label.toLowerCase(), family });
      scoredChildren.set(key, c);
    }
    return c;
  }
  const requestChildren = new Map<string, { count: ReturnType<typeof metrics.requests.labels>; duration: ReturnType<typeof metrics.requestDuration.labels> }>();
  function requestChild(route: string, status: number) {
    const key = `${route} ${status}`;
    let c = requestChildren.get(key);
    if (!c) {
      c = { count: metrics.requests.labels({ route, status: String(status) }), duration: metrics.requestDuration.labels({ route }) };
      requestChildren.set(key, c);
    }
    return c;
  }

  function record(scores: FlowScore[], client: string, elapsedMs: number): void {
    const attacks: FlowScore[] = [];
    for (const s of scores) {
      scoredChild(s).inc();
      if (s.prediction) attacks.push(s);
    }
    metrics.flowInference.observe(elapsedMs / 1000 / scores.length);
    if (alerts && attacks.length) alerts.offer(buildAlert(clock, scores.length, attacks, client));
  }

  function present(s: FlowScore) {
    return {
      prediction: s.prediction,
      prediction_label: s.label,
      confidence: round(s.confidence),
      attack_probability: round(s.probability),
      model_probabilities: { random_forest: round(s.randomForest), xgboost: round(s.xgboost) },
      attack_family: s.prediction ? s.family : null,
      family_probability: s.prediction ? round(s.familyProbability) : null,
    };
  }

  const routes = new Map<string, Map<string, { auth: boolean; limited: boolean; run: Route }>>();
  function route(method: string, path: string, auth: boolean, limited: boolean, run: Route): void {
    if (!routes.has(path)) routes.set(path, new Map());
    routes.get(path)?.set(method, { auth, limited, run });
  }

  route('GET', '/', false, true, () => ({
    name: 'ddos-shield flow IDS', version: model.card.version,
    endpoints: ['GET /health', 'POST /predict', 'POST /predict/batch', 'GET /model/info', 'GET /metrics', 'GET /openapi.json'],
    auth: apiKey ? 'X-API-Key required on /predict, /predict/batch, /model/info' : 'none',
  }));
  route('GET', '/health', false, false, () => ({
    status: 'healthy',
    models_loaded: { random_forest: true, xgboost: true, xgboost_family: true },
    features_count: model.featureIds.length,
    decision_threshold: model.threshold,
    version: model.card.version,
  }));
  route('GET', '/openapi.json', false, true, () => openapi);
  route('GET', '/model/info', true, true, () => model.card);
  route('POST', '/predict', true, true, async (req, client) => {
    const body = await readJson(req);
    const features = isPredictEnvelope(body) ? body.features : envelope(body, 'features', '{"features": {...}}');
    if (!isPlainObject(features)) {
      throw new IdsHttpError('INVALID_REQUEST', `"features" must be an object of feature values (name: number); got ${kindOf(features)}`,
        [{ path: 'features', message: `expected an object, got ${kindOf(features)}` }]);
    }
    const parsed = mapper.parse(features);
    if (!parsed.ok) throw new IdsHttpError('INVALID_FEATURES', problemMessage(parsed.problems), parsed.problems);
    metrics.nonFinite.inc(parsed.nonFinite);
    const t0 = performance.now();
    const s = model.score(parsed.row);
    const ms = performance.now() - t0;
    record([s], client, ms);
    return { ...present(s), non_finite_values: parsed.nonFinite, inference_time_ms: round(ms, 4), timestamp: clock.now() / 1000 };
  });
  route('POST', '/predict/batch', true, true, async (req, client) => {
    const body = await readJson(req);
    const n = (body as { flows?: unknown })?.flows;
    if (Array.isArray(n) && n.length > config.maxBatch) {
      throw new IdsHttpError('BATCH_TOO_LARGE', `batch of ${n.length} flows exceeds the maximum of ${config.maxBatch}`);
    }
    const given = envelope(body, 'flows', '{"flows": [{...}, ...]}');
    const flows: unknown[] = Array.isArray(given) ? given : [];
    if (flows.length === 0) {
      throw new IdsHttpError('INVALID_REQUEST', `"flows" must be a non-empty array of flows (objects of feature values); got ${kindOf(given)}`,
        [{ path: 'flows', message: `expected a non-empty array, got ${kindOf(given)}` }]);
    }
    const rows: Float64Array[] = [];
    const errors: { index: number; message: string; problems: FeatureProblem[] }[] = [];
    let nonFinite = 0;
    flows.forEach((f, index) => {
      if (!isPlainObject(f)) {
        if (errors.length < 20) errors.push({ index, message: 'a flow must be an object of feature values', problems: [] });
        return;
      }
      const p = mapper.parse(f);
      if (p.ok) {
        rows.push(p.row);
        nonFinite += p.nonFinite;
      } else if (errors.length < 20) errors.push({ index, message: problemMessage(p.problems), problems: p.problems });
    });
    if (rows.length !== flows.length) {
      const first = errors[0];  // errors holds the first 20 rejected flows
      throw new IdsHttpError('INVALID_FEATURES', `${flows.length - rows.length} flow(s) rejected; first at index ${first?.index}: ${first?.message}`, errors);
    }
    metrics.nonFinite.inc(nonFinite);
    const t0 = performance.now();
    const scores = rows.map((r) => model.score(r));
    const ms = performance.now() - t0;
    record(scores, client, ms);
    const attacks = scores.reduce((a, s) => a + s.prediction, 0);
    return {
      predictions: scores.map((s) => s.prediction),
      probabilities: scores.map((s) => round(s.probability)),
      families: scores.map((s) => (s.prediction ? s.family : null)),
      count: scores.length,
      attack_count: attacks,
      benign_count: scores.length - attacks,
      non_finite_values: nonFinite,
      inference_time_ms: round(ms, 4),
      avg_time_per_flow_ms: round(ms / scores.length, 6),
    };
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const byMethod = routes.get(path);
    // HEAD is GET without the body (node:http leaves the body out of an answer to HEAD, headers kept)
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
    const entry = byMethod?.get(method);
    const routeLabel = byMethod || path === '/metrics' ? path : 'other';
    let status = 200;
    try {
      if (path === '/metrics' && method === 'GET') {
        const text = await metrics.registry.metrics();
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(text);
        return;
      }
      if (!byMethod) throw new IdsHttpError('NOT_FOUND', `no endpoint ${path}`);
      if (!entry) throw new IdsHttpError('METHOD_NOT_ALLOWED', undefined, undefined, { allow: allowOf(byMethod.keys()) });
      const client = req.socket.remoteAddress ?? 'unknown';
      if (entry.auth) checkKey(req);
      if (entry.limited) checkRate(client);
      const body = JSON.stringify(await entry.run(req, client));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    } catch (err) {
      const e = err instanceof IdsHttpError ? err : null;
      status = e?.status ?? 500;
      if (!e) log.error({ err }, 'request failed');
      metrics.rejected.inc({ reason: rejectReason(e) });
      const body = JSON.stringify({ error: e?.code ?? 'INTERNAL', message: e?.message ?? 'internal error', ...(e?.details ? { details: e.details } : {}) });
      const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(e?.headers ?? {}) };
      if (e?.code === 'BODY_TOO_LARGE') headers.connection = 'close';
      if (!res.headersSent) res.writeHead(status, headers);
      res.end(body);
    } finally {
      const c = requestChild(routeLabel, status);
      c.count.inc();
      c.duration.observe((performance.now() - started) / 1000);
      if (status >= 400) log.debug({ path, status }, 'request refused');
    }
  }

  const server = createServer({ keepAliveTimeout: 5000 }, (req, res) => void handle(req, res));
  return {
    server, metrics, alerts,
    async listen() {
      const port = await listen(server, config.port, config.host);
      log.info({ host: config.host, port, model: model.card.version, auth: Boolean(apiKey), alerts: Boolean(alerts) }, 'ids listening');
      if (config.dashboardUrl && !config.dashboardToken) {
        log.warn({ dashboard_url: config.dashboardUrl },
          'alerts go to the dashboard without a token (DASHBOARD_TOKEN is not set): a dashboard that requires one refuses every alert with 401');
      }
      return port;
    },
    async close() {
      await closeServer(server);
      await alerts?.close();
    },
  };
}

/** The Allow header of a route: its methods, and HEAD wherever GET is. */
function allowOf(methods: Iterable<string>): string {
  const list = [...methods];
  if (list.includes('GET')) list.push('HEAD');
  return list.join(', ');
}

function rejectReason(e: IdsHttpError | null): string {
  if (!e) return 'internal';
  switch (e.code) {
    case 'UNAUTHORIZED': return 'auth';
    case 'RATE_LIMITED': return 'rate_limit';
    case 'BODY_TOO_LARGE':
    case 'BATCH_TOO_LARGE': return 'too_large';
    case 'NOT_FOUND':
    case 'METHOD_NOT_ALLOWED': return 'not_found';
    default: return 'invalid';
  }
}

export { IDS_ERRORS };
