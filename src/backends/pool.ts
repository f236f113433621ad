import { Pool } from 'undici';
import type { Logger } from '../core/logger.js';
import type { Clock } from '../core/clock.js';

export interface BackendStats {
  requests: number;
  failures: number;
  checks: number;
  lastCheckAt: number | null;
  lastCheckOk: boolean | null;
  lastError: string | null;
  /** Time of the last change of health, ms since epoch. */
  changedAt: number;
}

export interface Backend {
  readonly id: string;
  readonly url: string;
  readonly weight: number;
  readonly dispatcher: Pool;
  healthy: boolean;
  consecutiveFailures: number;
  readonly stats: BackendStats;
  /** Smooth weighted round-robin state. */
  current: number;
}

export interface UpstreamOptions {
  connections: number;
  keepAliveTimeoutMs: number;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
}

export interface BackendPool {
  readonly backends: readonly Backend[];
  /** Next healthy backend by smooth weighted round robin, skipping `exclude`; undefined if none. */
  pick(exclude?: Backend): Backend | undefined;
  /** A completed exchange: resets the passive failure count. */
  reportSuccess(b: Backend): void;
  /** A connection-level failure; marks the backend down after `failureThreshold` in a row. */
  reportConnectFailure(b: Backend, err: Error): void;
  setHealth(b: Backend, healthy: boolean, reason: string): void;
  onHealthChange(fn: (b: Backend, healthy: boolean) => void): void;
  healthyCount(): number;
  close(): Promise<void>;
}

export function createBackendPool(opts: {
  targets: readonly { url: string; weight: number }[];
  upstream: UpstreamOptions;
  failureThreshold: number;
  clock: Clock;
  logger: Logger;
}): BackendPool {
  const { upstream, clock, logger } = opts;
  const listeners: ((b: Backend, healthy: boolean) => void)[] = [];
  const backends: Backend[] = opts.targets.map((t) => ({
    id: t.url,
    url: t.url,
    weight: t.weight,
    dispatcher: new Pool(t.url, {
      connections: upstream.connections,
      pipelining: 1,
      keepAliveTimeout: upstream.keepAliveTimeoutMs,
      keepAliveMaxTimeout: upstream.keepAliveTimeoutMs,
      keepAliveTimeoutThreshold: 1_000,
      connectTimeout: upstream.connectTimeoutMs,
      headersTimeout: upstream.headersTimeoutMs,
      bodyTimeout: upstream.bodyTimeoutMs,
    }),
    healthy: true,
    consecutiveFailures: 0,
    stats: { requests: 0, failures: 0, checks: 0, lastCheckAt: null, lastCheckOk: null, lastError: null, changedAt: clock.now() },
    current: 0,
  }));

  const pool: BackendPool = {
    backends,
    pick(exclude) {
      let best: Backend | undefined;
      let total = 0;
      for (const b of backends) {
        if (!b.healthy || b === exclude) continue;
        b.current += b.weight;
        total += b.weight;
        if (best === undefined || b.current > best.current) best = b;
      }
      if (best) best.current -= total;
      return best;
    },
    reportSuccess(b) {
      b.consecutiveFailures = 0;
    },
    reportConnectFailure(b, err) {
      b.stats.failures++;
      b.stats.lastError = err.message;
      b.consecutiveFailures++;
      if (b.healthy && b.consecutiveFailures >= opts.failureThreshold) {
        pool.setHealth(b, false, `${b.consecutiveFailures} consecutive connection failures: ${err.message}`);
      }
    },
    setHealth(b, healthy, reason) {
      if (b.healthy === healthy) return;
      b.healthy = healthy;
      b.stats.changedAt = clock.now();
      if (healthy) b.consecutiveFailures = 0;
      b.current = 0;
      logger.warn({ backend: b.id, healthy, reason }, healthy ? 'backend is up' : 'backend is down');
      for (const fn of listeners) fn(b, healthy);
    },
    onHealthChange(fn) {
      listeners.push(fn);
    },
    healthyCount() {
      let n = 0;
      for (const b of backends) if (b.healthy) n++;
      return n;
    },
    async close() {
      await Promise.all(backends.map((b) => b.dispatcher.close().catch(() => b.dispatcher.destroy())));
    },
  };
  return pool;
}

/** Errors that mean the request never reached the backend application (safe to count as connection failures). */
export function isConnectError(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === 'ECONNREFUSED' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'EHOSTUNREACH' ||
    code === 'ENETUNREACH' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ECONNRESET_BEFORE_SEND';
}
