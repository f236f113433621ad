import { z } from 'zod';
import { ACTIONS, PREDICTIONS } from '../gateway/events/types.js';

/** Validation schemas shared by the API handlers and the OpenAPI document. */

export const MAX_BATCH = 5000;
const MAX_TEXT = 2048;

export const requestEventSchema = z.object({
  timestamp: z.iso.datetime({ offset: true }),
  source_ip: z.union([z.ipv4(), z.ipv6()]),
  path: z.string().min(1).max(MAX_TEXT),
  method: z.string().min(1).max(16).regex(/^[A-Za-z]+$/, 'method must be letters only'),
  user_agent: z.string().max(MAX_TEXT),
  prediction: z.enum(PREDICTIONS),
  confidence: z.number().min(0).max(1),
  is_blocked: z.union([z.boolean(), z.literal(0), z.literal(1)]).transform((v) => v === true || v === 1),
  status: z.number().int().min(100).max(599),
  response_time_ms: z.number().min(0).max(3_600_000),
  size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  gateway_id: z.string().min(1).max(128),
  action: z.enum(ACTIONS),
  reason: z.string().max(512),
  features: z.record(z.string().max(64), z.number()).optional()
    .refine((f) => f === undefined || Object.keys(f).length <= 64, 'at most 64 features'),
}).strict();

export type ValidEvent = z.output<typeof requestEventSchema>;

export const heartbeatSchema = z.object({
  gateway_id: z.string().min(1).max(128),
  admin_url: z.url({ protocol: /^https?$/ }).max(512).optional(),
  public_url: z.string().max(512).optional(),
  version: z.string().max(64).optional(),
  uptime_seconds: z.number().min(0),
  requests_processed: z.number().int().min(0),
  /** Blocks only when the per-action counts below are sent; from older gateways, block + throttle + challenge. */
  blocked_count: z.number().int().min(0),
  throttled_count: z.number().int().min(0).optional(),
  challenged_count: z.number().int().min(0).optional(),
  error_count: z.number().int().min(0).optional(),
  avg_response_time_ms: z.number().min(0).optional(),
  backends: z.array(z.object({
    url: z.string().max(512),
    healthy: z.boolean(),
    avg_response_time_ms: z.number().min(0).optional(),
  }).strict()).max(64).optional(),
}).strict();

export const ipSchema = z.union([z.ipv4(), z.ipv6()]);

export const blockBodySchema = z.object({
  ip: ipSchema,
  duration_minutes: z.number().int().min(1).max(60 * 24 * 30).default(60),
  reason: z.string().max(512).default('blocked from the dashboard'),
}).strict();

export const unblockBodySchema = z.object({
  ip: ipSchema,
  allowlist: z.boolean().default(false),
}).strict();

export const loginBodySchema = z.object({
  username: z.string().min(1).max(128),
  password: z.string().min(1).max(1024),
}).strict();

export const userBodySchema = z.object({
  username: z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, 'letters, digits and . _ @ - only, at most 64'),
  password: z.string().min(12, 'at least 12 characters').max(1024),
  role: z.enum(['viewer', 'admin']),
}).strict();

export const tokenBodySchema = z.object({
  name: z.string().min(1).max(128),
  role: z.enum(['viewer', 'admin']),
}).strict();

const hoursSchema = z.coerce.number().min(0.01).max(24 * 30).default(24);
const intFlag = z.enum(['0', '1']).transform((v) => Number(v));

export const requestsQuerySchema = z.object({
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  hours: hoursSchema,
  is_blocked: intFlag.optional(),
  source_ip: z.string().max(64).optional(),
  prediction: z.enum(PREDICTIONS).optional(),
  action: z.enum(ACTIONS).optional(),
  status: z.coerce.number().int().min(100).max(599).optional(),
  gateway_id: z.string().max(128).optional(),
  search: z.string().max(256).optional(),
  after_id: z.coerce.number().int().min(0).optional(),
}).strict();
export type RequestsQuery = z.output<typeof requestsQuerySchema>;

export const hoursQuerySchema = z.object({ hours: hoursSchema }).strict();

export const ALERT_SOURCES = ['gateway', 'ids'] as const;

/**
 * One alert posted by the flow IDS (`POST /api/alerts`, what src/ids/alerts.ts sends): the
 * attack flows found in one scoring request. `details.client` is the address that submitted the
 * flows to the IDS, not an attacker.
 */
export const idsAlertSchema = z.object({
  source: z.literal('ids'),
  type: z.literal('flow_attack'),
  severity: z.enum(['medium', 'high']),
  message: z.string().trim().min(1).max(512),
  timestamp: z.iso.datetime({ offset: true }),
  details: z.object({
    flows: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    attacks: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    max_probability: z.number().min(0).max(1),
    families: z.record(z.string().min(1).max(64), z.number().int().min(1).max(Number.MAX_SAFE_INTEGER))
      .refine((f) => Object.keys(f).length <= 32, 'at most 32 families'),
    client: z.string().min(1).max(64).optional(),
  }).strict().refine((d) => d.attacks <= d.flows, { message: 'attacks must not exceed flows', path: ['attacks'] }),
}).strict();
export type IdsAlertInput = z.output<typeof idsAlertSchema>;

export const alertsQuerySchema = z.object({
  hours: hoursSchema,
  unacknowledged: intFlag.optional(),
  source: z.enum(ALERT_SOURCES).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
}).strict();

export const historyQuerySchema = z.object({ ip: ipSchema }).strict();

/** Formats zod issues as "path: message" strings. */
export function formatIssues(err: z.ZodError): string[] {
  return err.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
}
