import { z } from 'zod';
import { ACTIONS, PREDICTIONS } from '../gateway/events/types.js';
import { formatIssues, requestEventSchema, type ValidEvent } from './schemas.js';

/**
 * Validation of one ingested event. A hand-written check accepts the well-formed events — a
 * strict subset of what `requestEventSchema` accepts, with the same output — at a fraction of
 * the cost; anything it does not accept goes through the zod schema, which gives the answer and
 * the per-field reasons. The schema stays the single definition (and the OpenAPI document).
 */

export type EventCheck = { ok: true; value: ValidEvent } | { ok: false; issues: string[] };

const DATETIME = z.regexes.datetime({ offset: true, local: false });
const IPV4 = z.regexes.ipv4;
const ipv6 = z.ipv6();
const METHOD = /^[A-Za-z]+$/;
const PREDICTION_SET: ReadonlySet<unknown> = new Set(PREDICTIONS);
const ACTION_SET: ReadonlySet<unknown> = new Set(ACTIONS);
const MAX_TEXT = 2048;
const REQUIRED_FIELDS = 14;
const MAX_FEATURES = 64;
const MAX_FEATURE_NAME = 64;

export function validateEvent(raw: unknown): EventCheck {
  const value = fastCheck(raw);
  if (value) return { ok: true, value };
  const r = requestEventSchema.safeParse(raw);
  return r.success ? { ok: true, value: r.data } : { ok: false, issues: formatIssues(r.error) };
}

const isText = (v: unknown, min: number, max: number): v is string => typeof v === 'string' && v.length >= min && v.length <= max;
const isNum = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;
const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max;

function isIp(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  return IPV4.test(v) || (v.includes(':') && ipv6.safeParse(v).success);
}

function isFeatures(v: unknown): v is Record<string, number> {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.getPrototypeOf(v) !== Object.prototype) return false;
  let n = 0;
  for (const k of Object.keys(v)) {
    if (++n > MAX_FEATURES || k.length > MAX_FEATURE_NAME || k === '__proto__') return false;
    const x = (v as Record<string, unknown>)[k];
    if (typeof x !== 'number' || !Number.isFinite(x)) return false;
  }
  return true;
}

/** The event when it is well-formed, null when it needs the full schema (to be rejected with reasons, or not). */
function fastCheck(raw: unknown): ValidEvent | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const e = raw as Record<string, unknown>;
  const { timestamp, source_ip, path, method, user_agent, prediction, confidence, is_blocked, status, response_time_ms,
    size, gateway_id, action, reason, features } = e;
  if (!(typeof timestamp === 'string' && DATETIME.test(timestamp) && isIp(source_ip) && isText(path, 1, MAX_TEXT)
    && isText(method, 1, 16) && METHOD.test(method) && isText(user_agent, 0, MAX_TEXT) && PREDICTION_SET.has(prediction)
    && isNum(confidence, 0, 1) && (is_blocked === true || is_blocked === false || is_blocked === 0 || is_blocked === 1)
    && isInt(status, 100, 599) && isNum(response_time_ms, 0, 3_600_000) && isInt(size, 0, Number.MAX_SAFE_INTEGER)
    && isText(gateway_id, 1, 128) && ACTION_SET.has(action) && isText(reason, 0, 512))) return null;
  const hasFeatures = 'features' in e;
  if (hasFeatures && features !== undefined && !isFeatures(features)) return null;
  if (Object.keys(e).length !== REQUIRED_FIELDS + (hasFeatures ? 1 : 0)) return null;
  const out: ValidEvent = {
    timestamp, source_ip, path, method, user_agent, prediction: prediction as ValidEvent['prediction'], confidence,
    is_blocked: is_blocked === true || is_blocked === 1, status, response_time_ms, size, gateway_id,
    action: action as ValidEvent['action'], reason,
  };
  if (hasFeatures) out.features = features === undefined ? undefined : { ...features };
  return out;
}
