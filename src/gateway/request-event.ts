import type { RequestContext } from './context.js';
import type { Prediction, RequestEvent, GatewayAction } from '../gateway/events/types.js';

const MAX_TEXT = 2048;

function prediction(ctx: RequestContext): Prediction {
  if (ctx.action === 'block' && ctx.reason === 'blocklist') return 'BLOCKED';
  const s = ctx.score ?? 0;
  if (ctx.action === 'block' || ctx.action === 'throttle' || s >= 0.9) return 'DDoS';
  if (ctx.action === 'challenge' || ctx.shadowAction !== null || s >= 0.7) return 'SUSPICIOUS';
  return 'NORMAL';
}

/** The dashboard's view of one finished request (the seeds' log format plus action and reason). */
export function requestEvent(ctx: RequestContext, gatewayId: string, nowMonotonic: number): RequestEvent {
  const req = ctx.req;
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = (q < 0 ? url : url.slice(0, q)).slice(0, MAX_TEXT) || '/';
  const ua = req.headers['user-agent'];
  const action: GatewayAction = ctx.action === null || ctx.action === 'error' ? 'allow' : ctx.action;
  const blockedByList = ctx.action === 'block' && ctx.reason === 'blocklist';
  return {
    timestamp: new Date(ctx.receivedAt).toISOString(),
    source_ip: ctx.clientIp,
    path,
    method: /^[A-Za-z]{1,16}$/.test(req.method ?? '') ? (req.method as string) : 'OTHER',
    user_agent: (ua ?? '').slice(0, MAX_TEXT),
    prediction: prediction(ctx),
    confidence: Math.min(1, Math.max(0, ctx.score ?? (blockedByList ? 1 : 0))),
    is_blocked: action !== 'allow',
    status: ctx.status >= 100 && ctx.status <= 599 ? ctx.status : 499,
    response_time_ms: Math.max(0, Math.round((nowMonotonic - ctx.startedAt) * 1000) / 1000),
    size: ctx.bytes,
    gateway_id: gatewayId,
    action,
    reason: (ctx.shadowAction ? `shadow:${ctx.shadowAction}:${ctx.reason ?? ''}` : ctx.reason ?? '').slice(0, 512),
  };
}
