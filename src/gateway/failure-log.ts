import type { Logger } from '../core/logger.js';
import type { Clock } from '../core/clock.js';

/**
 * Logs failed upstream exchanges (after retries) at warn without flooding: the first failure of a
 * backend and kind at once, then at most one line per `windowMs` for that pair, with the number of
 * failures since the previous line (`failures`). Every failure is counted in the metrics anyway.
 */
export function createUpstreamFailureLog(logger: Logger, clock: Clock, windowMs = 10_000) {
  const last = new Map<string, { at: number; since: number }>();
  return (backend: string, kind: string, status: number, error: Error): void => {
    const key = `${backend} ${kind}`;
    const now = clock.monotonic();
    const s = last.get(key);
    if (s && now - s.at < windowMs) { s.since++; return; }
    const failures = (s?.since ?? 0) + 1;
    last.set(key, { at: now, since: 0 });
    logger.warn({ backend, kind, status, error: error.message, failures, window_s: s ? Math.round((now - s.at) / 1000) : 0 }, 'upstream request failed');
  };
}
