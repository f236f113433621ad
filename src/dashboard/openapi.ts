import { z } from 'zod';
import type { Route } from './http/context.js';
import {
  alertsQuerySchema, blockBodySchema, heartbeatSchema, historyQuerySchema, hoursQuerySchema, idsAlertSchema, loginBodySchema,
  requestEventSchema, requestsQuerySchema, tokenBodySchema, unblockBodySchema, userBodySchema,
} from './schemas.js';

const SUMMARIES: Record<string, string> = {
  'POST /api/logs': 'Ingest request events (an array, {"events": [...]}, or one event); bad events are reported, good ones kept. action: allow (forwarded), block, throttle, challenge (refused by the shield, is_blocked true) or error (an error answer of the gateway itself, is_blocked false; older gateways sent those as allow)',
  'POST /api/heartbeat': 'Gateway heartbeat (feeds /api/gateway-status). blocked_count counts blocks only when throttled_count, challenged_count and error_count are sent; older gateways send only blocked_count, the sum of block + throttle + challenge',
  'POST /api/alerts': 'Ingest one flow-IDS alert (stored with source "ids", alert_type Flow_Attack); a bad alert is a 400 with the reasons and nothing is stored',
  'GET /api/requests': 'Request log page, newest first, with filters and search',
  'GET /api/requests.csv': 'Request log as CSV (same filters)',
  'GET /api/blocked': 'Blocked requests only: action block (not throttle, challenge or error), request-log filters as /api/requests',
  'GET /api/stats': 'Totals, rates, top attacking IPs and paths, by hour, by prediction and by action (from rollups)',
  'GET /api/timeseries': 'Requests, blocked, refused and gateway errors per step for rate charts',
  'GET /api/blocked-ips': 'Blocked clients with counts, confidence and their status on the gateways now',
  'GET /api/block-history': 'Block history and explanation for one client',
  'GET /api/alerts': 'Alerts, newest first: derived from the gateways\' events (source "gateway") or posted by the flow IDS (source "ids")',
  'GET /api/gateway-status': 'Gateways from their heartbeats, with their own per-action counts when their admin API answers',
  'GET /api/live': 'Server-Sent Events: "tick" every second with the counts and newest events of that second',
  'POST /api/block-ip': 'Block a client on every gateway (admin)',
  'POST /api/unblock-ip': 'Unblock (or allowlist) a client on every gateway (admin)',
  'POST /api/alerts/:id/acknowledge': 'Acknowledge an alert',
  'POST /api/tokens': 'Create an API token (admin)',
  'GET /api/users': 'Operators and their roles (admin)',
  'POST /api/users': 'Add an operator who logs in with a password, as viewer or admin (admin)',
  'POST /api/login': 'Operator login; sets the HttpOnly session cookie',
  'POST /api/logout': 'End the session',
  'GET /api/me': 'The authenticated principal',
  'GET /api/session': 'Whether the caller is logged in (never 401)',
};

/** What a 200 answer holds, where the summary does not say it (read from store/stats.ts, store/blocked.ts, store/gateways.ts, live.ts). */
const ANSWERS: Record<string, string> = {
  'GET /api/stats': 'Counts follow the gateways\' actions. total_requests; blocked_requests (action block only, by the detector or the blocklist); '
    + 'refused_requests (refused by the shield: block + throttle + challenge); error_requests (the gateways\' own error answers, action error: '
    + '502/503/504/408/413/431..., neither allowed nor refused); normal_requests (action allow: total - refused - errors); '
    + 'blocking_rate, refusal_rate, error_rate (shares of total, 0..1); avg_confidence, avg_response_time_ms, bytes_sent, requests_per_second; '
    + 'top_attacking_ips[] {ip, count and refused (refused requests of the client), requests, avg_confidence (of its refused requests)}, '
    + 'the 10 clients with most refused requests; top_targeted_paths[] {path, count (all requests), refused}, the 10 most requested paths; '
    + 'by_hour[] {hour, requests, blocked, refused, errors}; by_prediction {NORMAL, SUSPICIOUS, DDoS, BLOCKED: {count, percentage}}; '
    + 'by_action {allow, challenge, throttle, block, error}. Minutes reported by gateways older than the error action count their errors as allow.',
  'GET /api/timeseries': '{step_seconds (60 up to 6 h, 600 up to 48 h, else 3600), points[] {t, requests, blocked (action block), '
    + 'refused (block + throttle + challenge), errors (action error)}}, one point per step, zeros included.',
  'GET /api/blocked-ips': 'Array, most blocks first, of {ip, first_seen, last_blocked, block_count and avg_confidence (every block the dashboard has seen '
    + 'of the client), status, recorded_state (the dashboard\'s own record: auto = seen blocked, manual, unblocked, allowlisted; none for a client '
    + 'blocked on a gateway the dashboard never saw blocked), reason (what the gateways blocking it now say, else the reason of the '
    + 'first decision of the block as recorded: a later refusal by the blocklist never replaces it), source (who blocked it on the gateway: '
    + 'detector, manual, ...; null when no gateway blocks it), features, manual_until, blocked_on (gateways that block it now), '
    + 'expires_at (the latest expiry among those blocks; null when none has one), unreachable_gateways (gateways that could not be asked)}. '
    + 'status comes from the gateways\' blocklists, asked at each call: active (at least one gateway blocks it), unblocked / allowlisted '
    + '(no gateway blocks it and the dashboard\'s last action was an unblock / allowlist), expired (no gateway blocks it any longer), '
    + 'unknown (none of the answering gateways blocks it, but some gateway could not be asked, or none is known). Lists the clients '
    + 'seen blocked or acted on from the dashboard within `hours`, blocked by hand and not yet expired, or blocked on a gateway now (at most 1000).',
  'GET /api/blocked': '{total_blocked, page, limit, pages, requests[]}: the request-log rows of action block.',
  'GET /api/gateway-status': '{gateways[] {id, admin_url, ip, version, status (healthy / stale / down by the last heartbeat\'s age), uptime_seconds, '
    + 'requests_processed, blocked_count (as the heartbeat sent it), refused_count (block + throttle + challenge), heartbeat_actions '
    + '({block, throttle, challenge, error} of the last heartbeat; null for older gateways, whose blocked_count is the sum of refusals), '
    + 'actions ({total, allow, block, throttle, challenge, error, client_closed} from the gateway\'s admin /stats, null when it cannot be asked), '
    + 'actions_error, avg_response_time_ms, last_seen, backends[]}}',
  'GET /api/live': 'text/event-stream. event "tick", every second: {t, total, blocked (action block), refused (block + throttle + challenge), '
    + 'errors (action error), events[] (up to 50 of the newest: timestamp, source_ip, path, method, status, prediction, action, is_blocked, '
    + 'confidence, gateway_id)}; event "alerts" {count} when alerts were raised.',
  'GET /api/alerts': '{alerts[] {id, timestamp, alert_type, source (gateway / ids), source_ip, message, severity, is_acknowledged, '
    + 'acknowledged_by, acknowledged_at, details (the IDS\'s figures: flows, attacks, max_probability, families, client; null for gateway alerts)}}',
};

const BODIES: Record<string, z.ZodType> = {
  'POST /api/logs': z.union([z.array(requestEventSchema), z.object({ events: z.array(requestEventSchema) }), requestEventSchema]),
  'POST /api/heartbeat': heartbeatSchema,
  'POST /api/alerts': idsAlertSchema,
  'POST /api/block-ip': blockBodySchema,
  'POST /api/unblock-ip': unblockBodySchema,
  'POST /api/login': loginBodySchema,
  'POST /api/tokens': tokenBodySchema,
  'POST /api/users': userBodySchema,
};

const QUERIES: Record<string, z.ZodObject> = {
  'GET /api/requests': requestsQuerySchema, 'GET /api/requests.csv': requestsQuerySchema, 'GET /api/blocked': requestsQuerySchema,
  'GET /api/stats': hoursQuerySchema, 'GET /api/timeseries': hoursQuerySchema, 'GET /api/blocked-ips': hoursQuerySchema,
  'GET /api/alerts': alertsQuerySchema, 'GET /api/block-history': historyQuerySchema,
};

/** OpenAPI 3.1 document built from the route table and the same zod schemas that validate input. */
export function buildOpenApi(routes: Route[], version: string): unknown {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const key = `${r.method} ${r.path}`;
    const oaPath = r.path.replace(/:(\w+)/g, '{$1}');
    const params: unknown[] = [...r.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const q = QUERIES[key];
    if (q) {
      const js = z.toJSONSchema(q, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(js.properties ?? {})) {
        params.push({ name, in: 'query', required: (js.required ?? []).includes(name), schema });
      }
    }
    const b = BODIES[key];
    paths[oaPath] ??= {};
    paths[oaPath][r.method.toLowerCase()] = {
      summary: SUMMARIES[key] ?? key,
      security: r.access === 'public' ? [] : r.access === 'ingest' ? [{ ingestToken: [] }] : [{ session: [] }, { apiToken: [] }],
      'x-required-role': r.access,
      parameters: params,
      ...(b ? { requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(b, { io: 'input', unrepresentable: 'any' }) } } } } : {}),
      responses: { 200: { description: ANSWERS[key] ?? 'OK' }, 400: { description: 'Invalid input (nothing changed)' }, 401: { description: 'Not authenticated' }, 403: { description: 'Role not allowed' } },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'ddos-shield dashboard API', version },
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'dsid' },
        apiToken: { type: 'http', scheme: 'bearer' },
        ingestToken: { type: 'http', scheme: 'bearer', description: 'The ingestion token given to gateways' },
      },
    },
    paths,
  };
}
