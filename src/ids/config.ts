import { z } from 'zod';
import { LOG_LEVELS } from '../core/logger.js';

/** Defaults of the IDS API, with units. */
export const IDS_DEFAULTS = {
  host: '127.0.0.1',
  port: 5000,
  logLevel: 'info',
  maxBatch: 10_000, // flows per /predict/batch request
  maxBodyBytes: 32 * 1024 * 1024, // 32 MiB: 10,000 flows of ~80 features fit
  rateLimitPerSecond: 100, // requests per second per client, sustained
  rateLimitBurst: 200, // requests per client at once
  rateLimitClients: 10_000, // clients tracked (LRU)
  alertQueueSize: 1000, // alerts waiting for the dashboard
  alertTimeoutMs: 2000, // per alert POST
} as const;

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();

export const idsConfigSchema = z.object({
  host: z.string().min(1).default(IDS_DEFAULTS.host),
  port: port.default(IDS_DEFAULTS.port),
  apiKey: z.string().min(1).optional(),
  logLevel: z.enum(LOG_LEVELS).default(IDS_DEFAULTS.logLevel),
  modelDir: z.string().min(1).optional(),
  maxBatch: positiveInt.default(IDS_DEFAULTS.maxBatch),
  maxBodyBytes: positiveInt.default(IDS_DEFAULTS.maxBodyBytes),
  rateLimitPerSecond: z.coerce.number().positive().default(IDS_DEFAULTS.rateLimitPerSecond),
  rateLimitBurst: positiveInt.default(IDS_DEFAULTS.rateLimitBurst),
  rateLimitClients: positiveInt.default(IDS_DEFAULTS.rateLimitClients),
  dashboardUrl: z.url({ protocol: /^https?$/ }).optional(),
  dashboardToken: z.string().min(1).optional(),
  alertQueueSize: positiveInt.default(IDS_DEFAULTS.alertQueueSize),
  alertTimeoutMs: positiveInt.default(IDS_DEFAULTS.alertTimeoutMs),
}).strict();

export type IdsConfig = Readonly<z.output<typeof idsConfigSchema>>;
export type IdsConfigInput = z.input<typeof idsConfigSchema>;

/** Environment variables read by the IDS API (flags win over them). */
export const IDS_ENV: Record<string, keyof IdsConfigInput> = {
  IDS_HOST: 'host',
  IDS_PORT: 'port',
  IDS_API_KEY: 'apiKey',
  LOG_LEVEL: 'logLevel',
  IDS_MODEL_DIR: 'modelDir',
  IDS_MAX_BATCH: 'maxBatch',
  IDS_RATE_LIMIT: 'rateLimitPerSecond',
  IDS_RATE_BURST: 'rateLimitBurst',
  DASHBOARD_URL: 'dashboardUrl',
  DASHBOARD_TOKEN: 'dashboardToken',
};

/** Builds the configuration: flags > environment > defaults; throws with every problem listed. */
export function compileIdsConfig(flags: Partial<IdsConfigInput>, env: NodeJS.ProcessEnv = {}): IdsConfig {
  const merged: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(IDS_ENV)) {
    const v = env[name];
    if (v !== undefined && v !== '') merged[key] = v;
  }
  for (const [k, v] of Object.entries(flags)) if (v !== undefined) merged[k] = v;
  const res = idsConfigSchema.safeParse(merged);
  if (!res.success) {
    const lines = res.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`invalid IDS configuration:\n${lines.join('\n')}`);
  }
  return Object.freeze(res.data);
}
