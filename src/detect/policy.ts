import type { DetectionConfig } from './config.js';
import type { Action, Stage } from './types.js';
import { F, type FeatureName } from './features/names.js';

/** Stable reason codes. Score thresholds report `<stage>-<action>` (e.g. `stage2-block`); rules report their own id. */
export const REASONS = {
  ok: 'ok',
  challengePassed: 'challenge-passed',
  surgeNewClient: 'surge-new-client',
  challengeIgnored: 'challenge-ignored',
} as const;

const SEVERITY: Record<Action, number> = { allow: 0, challenge: 1, throttle: 2, block: 3 };

export interface Candidate { action: Action; reason: string; stage: Stage; shadow: boolean; score: number }

export interface PolicyInput {
  x: Float64Array;
  requests: number;
  score: number;
  scoreStage: 'stage1' | 'stage2';
  /** False when stage 1 only screened the client (stage 2 exists but was not needed): thresholds do not apply. */
  scored: boolean;
  surgeNewClient: boolean;
  unansweredChallenges: number;
  challengePassed: boolean;
}

/** Compiled once from the config: maps scores, rules and the surge state to the most severe action. */
export function compilePolicy(cfg: DetectionConfig) {
  const p = cfg.policy;
  const rules = p.rules.map((r) => ({ ...r, index: F[r.feature as FeatureName] }));
  const thresholds = p.thresholds; // sorted, highest first
  const allow: Candidate = { action: 'allow', reason: REASONS.ok, stage: 'stage1', shadow: false, score: 0 };

  return function decide(i: PolicyInput): Candidate {
    let best: Candidate = { ...allow, stage: i.scoreStage, score: i.score };
    const consider = (c: Candidate) => { if (SEVERITY[c.action] > SEVERITY[best.action]) best = c; };
    for (const r of rules) {
      if (i.requests >= r.minRequests && i.x[r.index]! > r.above) consider({ action: r.action, reason: r.id, stage: 'rules', shadow: r.shadow, score: 1 });
    }
    if (i.scored && i.requests >= cfg.minRequestsForScore) {
      for (const t of thresholds) {
        if (i.score >= t.minScore) { consider({ action: t.action, reason: `${i.scoreStage}-${t.action}`, stage: i.scoreStage, shadow: t.shadow, score: i.score }); break; }
      }
    }
    if (i.surgeNewClient) consider({ action: cfg.global.action, reason: REASONS.surgeNewClient, stage: 'global', shadow: cfg.global.shadow, score: i.score });
    if (!i.challengePassed && i.unansweredChallenges >= p.challenge.maxUnanswered) {
      consider({ action: 'block', reason: REASONS.challengeIgnored, stage: 'rules', shadow: false, score: 1 });
    }
    if (i.challengePassed && best.action === 'challenge') {
      best = { action: 'allow', reason: REASONS.challengePassed, stage: 'challenge-pass', shadow: false, score: best.score };
    }
    return best;
  };
}

/** Block duration for the n-th offence (n ≥ 1): base × multiplier^(n-1), capped. */
export function blockSeconds(cfg: DetectionConfig, offence: number): number {
  const b = cfg.policy.block;
  return Math.min(b.maxSec, Math.round(b.baseSec * Math.pow(b.multiplier, Math.max(0, offence - 1))));
}
