import { z } from 'zod';

/** Every dashboard option with its default; units beside each value. */
export const DASHBOARD_DEFAULTS = {
  host: '127.0.0.1',
  port: 8001,
  /** postgres://... ; when empty the SQLite file below is used. */
  databaseUrl: '',
  sqliteFile: './data/dashboard.sqlite',
  /** Bearer token gateways use for POST /api/logs and /api/heartbeat; generated at start when empty. */
  ingestToken: '',
  adminUser: 'admin',
  /** Password of the admin user created at first start; generated and printed once when empty. */
  adminPassword: '',
  /** Bearer token sent to every gateway's admin API for block/unblock. */
  gatewayAdminToken: '',
  /** Gateway admin URLs used in addition to those announced in heartbeats. */
  gatewayAdminUrls: [] as string[],
  sessionTtlMs: 12 * 3600_000, // 12 h
  retentionRequestsMs: 24 * 3600_000, // 24 h of raw request rows (the seed's policy)
  retentionRollupsMs: 31 * 24 * 3600_000, // 31 days of rollups, alerts and history
  retentionIntervalMs: 3600_000, // cleanup job every hour
  /** Share of allowed requests kept as raw rows under load (1 = all). Totals stay exact in rollups. */
  sampleAllowedRate: 1,
  /** Allowed requests per second always stored in full before sampling starts. */
  sampleAllowedAbovePerSecond: 500,
  /**
   * Only decides when a gateway's block raises a new DDoS_Detected alert: a client seen blocked
   * again within 10 min of its last block raises none (unless the dashboard
   * unblocked it since). Whether a client is blocked now comes from
   * the gateways' blocklists (GET /api/blocked-ips), not from this.
   */
  blockActiveMs: 10 * 60_000,
  gatewayStaleMs: 30_000, // a gateway is healthy when heard from within 30 s
  alertBlockedPerMinute: 1000, // Threshold_Exceeded when more refused requests (block + throttle + challenge) arrive within a minute
  /** Allowed CORS origins; empty = CORS off (same-origin only). */
  corsOrigins: [] as string[],
  loginMaxAttempts: 10, // per client address and window
  loginWindowMs: 15 * 60_000, // 15 min
  maxBodyBytes: 16 * 1024 * 1024, // 16 MiB per request body
  /** Directory of the built web UI; empty = UI not served. */
  webDir: '',
  /** Mark the session cookie Secure (set when served over HTTPS). */
  secureCookies: false,
};

export type DashboardConfig = typeof DASHBOARD_DEFAULTS;

const schema = z.object({
  host: z.string().min(1),
  port: z.number().int().min(0).max(65535),
  databaseUrl: z.string().refine((s) => s === '' || /^postgres(ql)?:\/\//.test(s), 'must be a postgres:// URL'),
  sqliteFile: z.string().min(1),
  ingestToken: z.string().refine((s) => s === '' || s.length >= 16, 'must be at least 16 characters'),
  adminUser: z.string().min(1).max(128),
  adminPassword: z.string().refine((s) => s === '' || s.length >= 8, 'must be at least 8 characters'),
  gatewayAdminToken: z.string(),
  gatewayAdminUrls: z.array(z.url({ protocol: /^https?$/ })),
  sessionTtlMs: z.number().int().positive(),
  retentionRequestsMs: z.number().int().positive(),
  retentionRollupsMs: z.number().int().positive(),
  retentionIntervalMs: z.number().int().positive(),
  sampleAllowedRate: z.number().gt(0).max(1),
  sampleAllowedAbovePerSecond: z.number().int().min(0),
  blockActiveMs: z.number().int().positive(),
  gatewayStaleMs: z.number().int().positive(),
  alertBlockedPerMinute: z.number().int().min(0),
  corsOrigins: z.array(z.string().regex(/^https?:\/\/[^/]+$/, 'must be an origin like https://host:port')),
  loginMaxAttempts: z.number().int().positive(),
  loginWindowMs: z.number().int().positive(),
  maxBodyBytes: z.number().int().positive(),
  webDir: z.string(),
  secureCookies: z.boolean(),
}).strict();

/** Merges overrides over the defaults, validates every field at once, and freezes the result. */
export function buildDashboardConfig(overrides: Partial<DashboardConfig>): Readonly<DashboardConfig> {
  const merged = { ...DASHBOARD_DEFAULTS, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
  const res = schema.safeParse(merged);
  if (!res.success) {
    const problems = res.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid dashboard configuration:\n  ${problems.join('\n  ')}`);
  }
  return Object.freeze(res.data);
}
