import type { Logger } from '../core/logger.js';
import type { Clock } from '../core/clock.js';
import type { DashboardConfig } from './config.js';
import type { DashboardDb } from './db/connect.js';
import type { DashboardMetrics } from './metrics.js';
import type { LiveHub } from './live.js';
import type { Ingestor } from './store/ingest.js';
import type { createAttemptLimiter } from './auth/rate-limit.js';
import type { Reapplier } from './reapply.js';

/** What every API handler may use. */
export interface DashboardDeps {
  config: Readonly<DashboardConfig>;
  store: DashboardDb;
  clock: Clock;
  logger: Logger;
  metrics: DashboardMetrics;
  hub: LiveHub;
  ingestor: Ingestor;
  loginLimiter: ReturnType<typeof createAttemptLimiter>;
  /** The effective ingestion token (configured or generated). */
  ingestToken: string;
  /** Puts the dashboard's blocks back on gateways that lost them (restarted). */
  reapplier: Reapplier;
}
