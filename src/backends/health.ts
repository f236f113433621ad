import type { Logger } from '../core/logger.js';
import type { Clock } from '../core/clock.js';
import type { Backend, BackendPool } from './pool.js';

export interface HealthCheckOptions {
  path: string;
  intervalMs: number;
  unhealthyIntervalMs: number;
  timeoutMs: number;
  /** Check every backend once at start (then on the interval). */
  atStart?: boolean;
}

export interface HealthChecker {
  start(): void;
  /** Checks one backend now and applies the result. */
  check(b: Backend): Promise<boolean>;
  checkAll(): Promise<void>;
  stop(): void;
}

/**
 * Active health checks: GET `path` on every backend (once at start with `atStart`), then every `intervalMs`; a backend marked down
 * (by a check or by passive failures) is re-checked every `unhealthyIntervalMs` until it answers 2xx.
 */
export function createHealthChecker(pool: BackendPool, opts: HealthCheckOptions & { clock: Clock; logger: Logger }): HealthChecker {
  const timers = new Map<Backend, NodeJS.Timeout>();
  let running = false;

  async function check(b: Backend): Promise<boolean> {
    let ok = false;
    let error: string | null = null;
    try {
      const res = await b.dispatcher.request({
        path: opts.path,
        method: 'GET',
        headers: { 'user-agent': 'ddos-shield-health-check', connection: 'keep-alive' },
        headersTimeout: opts.timeoutMs,
        bodyTimeout: opts.timeoutMs,
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
      await res.body.dump();
      ok = res.statusCode >= 200 && res.statusCode < 300;
      if (!ok) error = `health check answered ${res.statusCode}`;
    } catch (e) {
      error = (e as Error).message || String(e);
    }
    b.stats.checks++;
    b.stats.lastCheckAt = opts.clock.now();
    b.stats.lastCheckOk = ok;
    if (error) b.stats.lastError = error;
    pool.setHealth(b, ok, ok ? 'health check passed' : (error ?? 'health check failed'));
    return ok;
  }

  function schedule(b: Backend): void {
    if (!running) return;
    clearTimeout(timers.get(b));
    const delay = b.healthy ? opts.intervalMs : opts.unhealthyIntervalMs;
    const t = setTimeout(() => { void check(b).finally(() => schedule(b)); }, delay);
    t.unref();
    timers.set(b, t);
  }

  pool.onHealthChange((b) => schedule(b));

  return {
    start() {
      running = true;
      for (const b of pool.backends) {
        if (opts.atStart) void check(b).finally(() => schedule(b));
        else schedule(b);
      }
    },
    check,
    async checkAll() {
      await Promise.all(pool.backends.map((b) => check(b)));
    },
    stop() {
      running = false;
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    },
  };
}
