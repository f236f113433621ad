import { z } from 'zod';
import { parseCidr, parseIp } from '../net/ip.js';
import { detectionConfigSchema } from '../detect/config.js';

const KiB = 1024;
const MiB = 1024 * KiB;

const cidr = z.string().superRefine((s, ctx) => {
  try { parseCidr(s); } catch (e) { ctx.addIssue({ code: 'custom', message: (e as Error).message }); }
});

/** The value as a message shows it: a string quoted, anything else as written. */
export function shown(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v);
}

/** The message for a value that is not a whole number in [min, max] (the same for a file value, a flag and an environment variable). */
export function wholeNumberMessage(min: number, max: number, got: unknown): string {
  return `must be a whole number from ${min} to ${max}, got ${shown(got)}`;
}

/** An integer in [min, max]; every way to miss (not a number, a fraction, out of range) gets the one message. */
function wholeNumber(min: number, max: number) {
  const error = (iss: { input?: unknown }) => wholeNumberMessage(min, max, iss.input);
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

export const PORT_RANGE = { min: 0, max: 65535 } as const;
export const WORKERS_RANGE = { min: 1, max: 64 } as const;

const port = wholeNumber(PORT_RANGE.min, PORT_RANGE.max);
const ms = z.number().int().min(1);

export const backendTargetSchema = z.strictObject({
  url: z.string().refine((u) => {
    try { const p = new URL(u); return (p.protocol === 'http:' || p.protocol === 'https:') && p.pathname === '/' && !p.search; } catch { return false; }
  }, 'must be an http(s) origin such as http://127.0.0.1:9000 (no path)'),
  weight: z.number().int().min(1).max(1000).default(1),
});

export const gatewayConfigSchema = z.strictObject({
  gateway: z.strictObject({
    host: z.string().min(1).default('0.0.0.0'),
    port: port.default(8000),
    /** CIDRs whose X-Forwarded-For is believed (right-most untrusted hop). */
    trustedProxies: z.array(cidr).default([]),
    /** Id of this replica in logs, events and metrics. */
    id: z.string().min(1).max(64).default('gateway-1'),
    timeouts: z.strictObject({
      headersMs: ms.default(10_000),        // 10 s to send the request head (408 after)
      requestMs: ms.default(60_000),        // 60 s for the whole request incl. body (408 after)
      idleMs: ms.default(5_000),            // 5 s keep-alive idle between requests
      socketIdleMs: ms.default(120_000),    // 120 s without any byte in either direction
      checkIntervalMs: ms.default(1_000),   // how often Node enforces the two above
    }).prefault({}),
    limits: z.strictObject({
      maxBodyBytes: z.number().int().min(0).default(10 * MiB), // 10 MiB request body (413 above)
      maxHeaderBytes: z.number().int().min(1 * KiB).max(1 * MiB).default(16 * KiB), // 16 KiB head (431 above)
      maxHeaders: z.number().int().min(8).max(10_000).default(100), // header lines (431 above)
    }).prefault({}),
    /** Time given to in-flight requests at shutdown before sockets are cut. */
    shutdownGraceMs: ms.default(10_000),
    /** One structured log line per proxied request (costly under load). */
    accessLog: z.boolean().default(false),
    /** Serve body-less HTTP/1.1 requests without node:http, over raw keep-alive upstream connections. */
    fastPath: z.boolean().default(true),
    /** V8's allocation-site pretenuring; off by default (see src/core/v8-flags.ts). */
    v8Pretenuring: z.boolean().default(false),
    /** V8's memory reducer; off by default (see src/core/v8-flags.ts). */
    v8MemoryReducer: z.boolean().default(false),
    /** Worker processes sharing the public port (node:cluster); above 1 the admin API runs in the primary process. */
    workers: wholeNumber(WORKERS_RANGE.min, WORKERS_RANGE.max).default(1),
  }).prefault({}),

  admin: z.strictObject({
    host: z.string().min(1).default('127.0.0.1'),
    port: port.default(8081),
    /** Bearer token for mutating endpoints; without one the admin API binds only to loopback. */
    token: z.string().default(''),
  }).prefault({}),

  backends: z.strictObject({
    targets: z.array(backendTargetSchema).default([{ url: 'http://127.0.0.1:9000', weight: 1 }]),
    healthCheck: z.strictObject({
      path: z.string().startsWith('/').default('/health'),
      intervalMs: ms.default(30_000),          // 30 s between checks of a healthy backend
      unhealthyIntervalMs: ms.default(2_000),  // 2 s between re-checks of a backend marked down
      timeoutMs: ms.default(2_000),
      atStart: z.boolean().default(true),      // check every backend once at start, so that one down is known before traffic finds it
    }).prefault({}),
    /** Consecutive connection failures that mark a backend down. */
    failureThreshold: z.number().int().min(1).max(100).default(3),
    /** Retry an idempotent request without a body once on another backend if the connection was refused. */
    retryIdempotent: z.boolean().default(true),
    upstream: z.strictObject({
      connections: z.number().int().min(1).max(10_000).default(256),   // per backend
      maxConnecting: z.number().int().min(1).max(1_000).default(8),     // connection attempts in flight per backend
      keepAliveTimeoutMs: ms.default(4_000),  // below Node's 5 s server default: no reuse of a socket the backend is closing
      connectTimeoutMs: ms.default(5_000),
      headersTimeoutMs: ms.default(30_000),   // 504 when the backend does not answer in time
      bodyTimeoutMs: ms.default(30_000),      // idle time between response body chunks
    }).prefault({}),
  }).prefault({}),

  blocking: z.strictObject({
    defaultDurationSec: z.number().int().min(1).default(600),        // 10 min, as in the seeds
    maxDurationSec: z.number().int().min(1).default(30 * 24 * 3600), // 30 days
    maxEntries: z.number().int().min(1).default(1_000_000),
    /** CIDRs never blocked. */
    allowlist: z.array(cidr).default([]),
  }).prefault({}),

  /** The detection engine (see src/detect/config.ts for every option). */
  detection: z.strictObject({
    /** Run the detection pipeline at all (with `shadow: true` it runs but enforces nothing). */
    enabled: z.boolean().default(true),
  }).extend(detectionConfigSchema.shape).prefault({}),

  /** Proof-of-work interstitial for challenged clients. */
  challenge: z.strictObject({
    /** HMAC key for pass cookies (CHALLENGE_SECRET); random at each start when empty. Replicas must share it. */
    secret: z.string().default(''),
    difficulty: z.number().int().min(0).max(32).default(16),  // leading zero bits: ~65,000 hashes, well under a second in a browser
    ttlSec: z.number().int().min(1).default(3600),            // a pass is valid for 1 hour
    noJsDelaySec: z.number().int().min(0).default(15),        // without JavaScript a visitor waits this long instead
  }).prefault({}),

  /** Slow-attack guard (slowloris, slow POST, slow read) on the public port. */
  slowGuard: z.strictObject({
    enabled: z.boolean().default(true),
    maxConnsPerClient: z.number().int().min(1).default(64),       // open connections per client address
    headerMinBytesPerSec: z.number().min(0).default(64),          // request heads slower than this are cut (after 5 s)
    bodyMinBytesPerSec: z.number().min(0).default(256),           // request bodies slower than this are cut (after 5 s)
    stalledReadTimeoutMs: z.number().int().min(1000).default(20_000), // a client that stops reading a response
  }).prefault({}),

  /** State shared by gateway replicas; without a URL each gateway keeps its state in memory alone. */
  redis: z.strictObject({
    url: z.string().regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL').or(z.literal('')).default(''),
    keyPrefix: z.string().min(1).max(64).default('ddos-shield:'),
  }).prefault({}),

  dashboard: z.strictObject({
    url: z.string().url().or(z.literal('')).default(''),
    token: z.string().default(''),
  }).prefault({}),

  logging: z.strictObject({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  }).prefault({}),
  // Cross-field rules. They run even when other values are invalid (`when`), so that one run lists
  // every problem; each rule looks only at values that have the right type.
}).superRefine((c, ctx) => {
  const admin = section(c, 'admin');
  if (typeof admin.host === 'string' && admin.host !== '' && (admin.token === undefined || admin.token === '') && !isLoopback(admin.host)) {
    ctx.addIssue({ code: 'custom', path: ['admin', 'host'], message: `no admin token is set (ADMIN_TOKEN): the admin API may only bind a loopback address, not "${admin.host}"` });
  }
  const backends = section(c, 'backends');
  if (Array.isArray(backends.targets) && backends.targets.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['backends', 'targets'], message: 'at least one backend is required' });
  }
  const challenge = section(c, 'challenge');
  if (typeof challenge.secret === 'string' && challenge.secret && Buffer.byteLength(challenge.secret) < 16) {
    ctx.addIssue({ code: 'custom', path: ['challenge', 'secret'], message: 'must be at least 16 bytes' });
  }
  const blocking = section(c, 'blocking');
  if (typeof blocking.defaultDurationSec === 'number' && typeof blocking.maxDurationSec === 'number' && blocking.defaultDurationSec > blocking.maxDurationSec) {
    ctx.addIssue({ code: 'custom', path: ['blocking', 'defaultDurationSec'], message: 'must not exceed maxDurationSec' });
  }
}, { when: (payload) => typeof payload.value === 'object' && payload.value !== null });

/** A section of a configuration that may be partly invalid (the cross-field rules run on it anyway). */
function section(c: unknown, key: string): Record<string, unknown> {
  const v = (c as Record<string, unknown>)[key];
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export type GatewayConfigInput = z.input<typeof gatewayConfigSchema>;
export type GatewayConfig = z.output<typeof gatewayConfigSchema>;

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  const ip = parseIp(host);
  return ip !== undefined && (ip.startsWith('127.') || ip === '::1');
}
