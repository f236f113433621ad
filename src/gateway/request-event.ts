import type { RequestContext } from './context.js';
import type { Prediction, RequestEvent, GatewayAction, GatewayHeartbeat } from '../gateway/events/types.js';
import type { ShieldAction } from './metrics.js';
import type { GatewayStatsSnapshot } from './stats.js';

const MAX_TEXT = 2048;

/** What the dashboard is told about one finished request, however the gateway answered it. */
export interface RequestFacts {
  receivedAt: number;
  clientIp: string;
  url: string;
  method: string;
  userAgent: string | undefined;
  status: number;
  bytes: number;
  elapsedMs: number;
  action: ShieldAction | null;
  reason: string | null;
  score: number | null;
  shadowAction: string | null;
  /** The client's features behind a decision other than allow. */
  features?: Record<string, number> | null;
}

function prediction(f: RequestFacts): Prediction {
  if (f.action === 'block' && f.reason === 'blocklist') return 'BLOCKED';
  const s = f.score ?? 0;
  if (f.action === 'block' || f.action === 'throttle' || s >= 0.9) return 'DDoS';
  if (f.action === 'challenge' || f.shadowAction !== null || s >= 0.7) return 'SUSPICIOUS';
  return 'NORMAL';
}

/** The dashboard's view of one finished request (the seeds' log format plus action and reason). */
export function buildRequestEvent(f: RequestFacts, gatewayId: string): RequestEvent {
  const q = f.url.indexOf('?');
  const path = (q < 0 ? f.url : f.url.slice(0, q)).slice(0, MAX_TEXT) || '/';
  const action: GatewayAction = f.action ?? 'allow';
  const blockedByList = f.action === 'block' && f.reason === 'blocklist';
  return {
    timestamp: new Date(f.receivedAt).toISOString(),
    source_ip: f.clientIp,
    path,
    method: /^[A-Za-z]{1,16}$/.test(f.method) ? f.method : 'OTHER',
    user_agent: (f.userAgent ?? '').slice(0, MAX_TEXT),
    prediction: prediction(f),
    confidence: Math.min(1, Math.max(0, f.score ?? (blockedByList ? 1 : 0))),
    // refused by the shield; a gateway error is no refusal (see RequestEvent.is_blocked)
    is_blocked: action === 'block' || action === 'throttle' || action === 'challenge',
    status: f.status >= 100 && f.status <= 599 ? f.status : 499,
    response_time_ms: Math.max(0, Math.round(f.elapsedMs * 1000) / 1000),
    size: f.bytes,
    gateway_id: gatewayId,
    action,
    reason: (f.shadowAction ? `shadow:${f.shadowAction}:${f.reason ?? ''}` : f.reason ?? '').slice(0, 512),
    ...(f.features ? { features: f.features } : {}),
  };
}

/** The dashboard event of a request that went through the HTTP pipeline. */
export function requestEvent(ctx: RequestContext, gatewayId: string, nowMonotonic: number): RequestEvent {
  const req = ctx.req;
  return buildRequestEvent({
    receivedAt: ctx.receivedAt, clientIp: ctx.clientIp, url: req.url ?? '/', method: req.method ?? '',
    userAgent: ctx.signals.userAgent, status: ctx.status, bytes: ctx.bytes, elapsedMs: nowMonotonic - ctx.startedAt,
    action: ctx.action, reason: ctx.reason, score: ctx.score, shadowAction: ctx.shadowAction, features: ctx.features,
  }, gatewayId);
}

/** The heartbeat's counts: each action apart (`blocked_count` is blocks only since the other counts exist). */
export function heartbeatCounts(st: GatewayStatsSnapshot): Pick<GatewayHeartbeat,
  'uptime_seconds' | 'requests_processed' | 'blocked_count' | 'throttled_count' | 'challenged_count' | 'error_count'> {
  return {
    uptime_seconds: st.uptime_seconds, requests_processed: st.total_requests, blocked_count: st.blocked_requests,
    throttled_count: st.throttled_requests, challenged_count: st.challenged_requests, error_count: st.error_responses,
  };
}
