import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { FEATURE_NAMES } from './features/names.js';

/** The committed model directory, resolved from this file: src/detect/ and dist/detect/ both sit two levels below the package root. */
export const DEFAULT_MODEL_DIR = fileURLToPath(new URL('../../models/http/', import.meta.url));

const action = z.enum(['allow', 'challenge', 'throttle', 'block']);

const threshold = z.strictObject({
  minScore: z.number().min(0).max(1),
  action,
  /** Record this rule's decisions without enforcing them. */
  shadow: z.boolean().default(false),
});

const rule = z.strictObject({
  /** Stable reason code reported for this rule. */
  id: z.string().regex(/^[a-z0-9-]+$/),
  feature: z.enum(FEATURE_NAMES),
  above: z.number(),
  /** The rule only applies once the client has sent this many requests. */
  minRequests: z.number().int().min(1).default(1),
  action,
  shadow: z.boolean().default(false),
});

export const detectionConfigSchema = z.strictObject({
  /** Record decisions without enforcing any of them (also SHADOW_MODE=true / --shadow). */
  shadow: z.boolean().default(false),
  /** Clients tracked at once; the least recently seen is forgotten beyond this (~220 B each). */
  clientTableSize: z.number().int().min(16).max(50_000_000).default(200_000),
  /** IPv6 clients are aggregated to this prefix length (bits). */
  ipv6Prefix: z.number().int().min(16).max(128).default(64),
  /** Directory holding stage1.json and model.json (XGBoost JSON); defaults to the committed model. */
  modelDir: z.string().min(1).default(DEFAULT_MODEL_DIR),
  /** Score clients with the stage-2 tree model when their stage-1 score reaches the model's calibrated escalation threshold. */
  stage2: z.boolean().default(true),
  /** Scores are not acted on before a client has sent this many requests (rules and the surge still apply). */
  minRequestsForScore: z.number().int().min(1).default(8),
  /** Distinct client explanations kept for the admin API (decision history of flagged clients). */
  explainHistory: z.number().int().min(0).default(10_000),
  policy: z.strictObject({
    /** Score thresholds, highest first wins. The score is stage 2's when evaluated, otherwise stage 1's. */
    thresholds: z.array(threshold).default([
      { minScore: 0.98, action: 'block', shadow: false },
      { minScore: 0.9, action: 'throttle', shadow: false },
      { minScore: 0.7, action: 'challenge', shadow: false },
    ]),
    /** Hard rules on single features, checked before the scores. */
    rules: z.array(rule).default([
      { id: 'rate-hard-limit', feature: 'rate_10s', above: 50, minRequests: 50, action: 'block', shadow: false },
    ]),
    /** A score-based throttle or block is preceded by one challenge (people pass it, bots come back without). */
    challengeFirst: z.boolean().default(true),
    /** An address whose recent requests carry cookie sessions at least this diverse (normalised entropy 0..1) is treated as shared (NAT): scores only challenge it. */
    sharedAddressSessionEntropy: z.number().min(0).max(1).default(0.5),
    /** Retry-After for throttled clients (s). */
    throttleRetryAfterSec: z.number().int().min(1).max(3600).default(10),
    block: z.strictObject({
      /** First block (s); the seeds' 10 minutes. */
      baseSec: z.number().int().min(1).default(600),
      /** Each repeat offence multiplies the duration by this... */
      multiplier: z.number().min(1).max(10).default(2),
      /** ...up to this cap (s): 24 h. */
      maxSec: z.number().int().min(1).default(86_400),
      /** Offences older than this are forgiven (s): 24 h. */
      forgetAfterSec: z.number().int().min(1).default(86_400),
    }).prefault({}),
    challenge: z.strictObject({
      /** A client that keeps sending after this many challenges without passing one is blocked. */
      maxUnanswered: z.number().int().min(1).max(250).default(10),
    }).prefault({}),
  }).prefault({}),
  global: z.strictObject({
    /** Time constant of the site's baseline rate (ms): 15 min. */
    baselineTauMs: z.number().int().min(1000).default(900_000),
    /** No surge before this much history (ms): 2 s; the baseline starts from the mean rate of this period (raise it when a restart brings a reconnect storm). */
    warmupMs: z.number().int().min(0).default(2_000),
    /** The baseline never counts as less than this (req/s). */
    minBaselineRps: z.number().min(0.1).default(5),
    /** A surge needs at least this site rate (req/s, 2 s time constant). */
    minSurgeRps: z.number().min(1).default(50),
    /** Enter a surge at this multiple of the baseline... */
    enterRatio: z.number().min(1).default(4),
    /** ...leave it below this multiple. */
    exitRatio: z.number().min(1).default(2),
    /** During a surge, clients first seen after it began, or less than this long before (s), and without a challenge pass are challenged. */
    newClientWindowSec: z.number().int().min(0).default(2),
    /** When one path draws at least this share of the site's recent requests (the flood's target), only new clients asking for such a path are challenged. */
    hotPathShare: z.number().min(0).max(1).default(0.2),
    /** Action for those clients during a surge. */
    action: action.default('challenge'),
    shadow: z.boolean().default(false),
  }).prefault({}),
});

export type DetectionConfig = z.output<typeof detectionConfigSchema>;
export type DetectionConfigInput = z.input<typeof detectionConfigSchema>;

/** Parses and freezes a detection config; throws a ZodError listing every problem. */
export function parseDetectionConfig(input: unknown): DetectionConfig {
  const c = detectionConfigSchema.parse(input ?? {});
  c.policy.thresholds.sort((a, b) => b.minScore - a.minScore);
  return deepFreeze(c);
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
