import { z } from 'zod';
import type { Route } from './http/context.js';
import {
  alertsQuerySchema, blockBodySchema, heartbeatSchema, historyQuerySchema, hoursQuerySchema, idsAlertSchema, loginBodySchema,
  requestEventSchema, requestsQuerySchema, tokenBodySchema, unblockBodySchema, userBodySchema,
} from './schemas.js';

const SUMMARIES: Record<string, string> = {
  'POST /api/logs': 'Ingest request events (an array, {"events": [...]}, or one event); bad events are reported, good ones kept',
  'POST /api/heartbeat': 'Gateway heartbeat (feeds /api/gateway-status)',
  'POST /api/alerts': 'Ingest one flow-IDS alert (stored with source "ids", alert_type Flow_Attack); a bad alert is a 400 with the reasons and nothing is stored',
  'GET /api/requests': 'Request log page, newest first, with filters and search',
  'GET /api/requests.csv': 'Request log as CSV (same filters)',
  'GET /api/blocked': 'Blocked requests only',
  'GET /api/stats': 'Totals, rates, top attacking IPs and paths, by hour, by prediction (from rollups)',
  'GET /api/timeseries': 'Requests and blocked per step for rate charts',
  'GET /api/blocked-ips': 'Blocked clients with counts, confidence and status',
  'GET /api/block-history': 'Block history and explanation for one client',
  'GET /api/alerts': 'Alerts, newest first: derived from the gateways\' events (source "gateway") or posted by the flow IDS (source "ids")',
  'GET /api/gateway-status': 'Gateways from their heartbeats',
  'GET /api/live': 'Server-Sent Events: "tick" every second with new events',
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
      responses: { 200: { description: 'OK' }, 400: { description: 'Invalid input (nothing changed)' }, 401: { description: 'Not authenticated' }, 403: { description: 'Role not allowed' } },
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
