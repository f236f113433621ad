import type { Clock } from '../core/clock.js';
import type { RequestContext } from './context.js';

export interface GatewayStatsSnapshot {
  total_requests: number;
  allowed_requests: number;
  blocked_requests: number;
  throttled_requests: number;
  challenged_requests: number;
  error_responses: number;
  client_closed: number;
  start_time: string;
  uptime_seconds: number;
}

/** Plain counters behind the admin /stats document (the seeds' shape). */
export interface GatewayStats {
  record(ctx: RequestContext): void;
  /** A request answered outside the HTTP pipeline (blocked connections). */
  recordAction(action: 'block'): void;
  snapshot(): GatewayStatsSnapshot;
}

export function createGatewayStats(clock: Clock): GatewayStats {
  const start = clock.now();
  let total = 0, allowed = 0, blocked = 0, throttled = 0, challenged = 0, errors = 0, closed = 0;
  return {
    record(ctx) {
      total++;
      switch (ctx.action) {
        case null: if (ctx.status === 499) closed++; else allowed++; break;
        case 'block': blocked++; break;
        case 'throttle': throttled++; break;
        case 'challenge': challenged++; break;
        case 'error': errors++; break;
      }
    },
    recordAction(action) {
      total++;
      if (action === 'block') blocked++;
    },
    snapshot() {
      const now = clock.now();
      return {
        total_requests: total, allowed_requests: allowed, blocked_requests: blocked, throttled_requests: throttled,
        challenged_requests: challenged, error_responses: errors, client_closed: closed,
        start_time: new Date(start).toISOString(), uptime_seconds: Math.round((now - start) / 1000),
      };
    },
  };
}
