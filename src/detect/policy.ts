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

/**
 * How severe an action is. A switch and a two-way choice below instead of lookups by action or
 * stage name: V8 makes a lookup by a changing property name a megamorphic load, on every request.
 */
function severity(a: Action): number {
  switch (a) {
    case 'allow': return 0;
    case 'challenge': return 1;
    case 'throttle': return 2;
    default: return 3;
  }
}
const of = <T>(o: { readonly stage1: T; readonly stage2: T }, stage: 'stage1' | 'stage2'): T => (stage === 'stage1' ? o.stage1 : o.stage2);

export interface Candidate { readonly action: Action; readonly reason: string; readonly stage: Stage; readonly shadow: boolean }

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

/**
 * Compiled once from the config: maps scores, rules and the surge state to the most severe
 * action. Every possible outcome is built here, so deciding allocates nothing.
 */
export function compilePolicy(cfg: DetectionConfig) {
  const p = cfg.policy;
  const rules = p.rules.map((r) => ({ index: F[r.feature as FeatureName], above: r.above, minRequests: r.minRequests, c: { action: r.action, reason: r.id, stage: 'rules', shadow: r.shadow } as Candidate }));
  const byStage = (stage: 'stage1' | 'stage2') => p.thresholds.map((t) => ({ minScore: t.minScore, c: { action: t.action, reason: `${stage}-${t.action}`, stage, shadow: t.shadow } as Candidate }));
  const thresholds = { stage1: byStage('stage1'), stage2: byStage('stage2') }; // sorted, highest first
  const allow = { stage1: { action: 'allow', reason: REASONS.ok, stage: 'stage1', shadow: false } as Candidate, stage2: { action: 'allow', reason: REASONS.ok, stage: 'stage2', shadow: false } as Candidate };
  const surge: Candidate = { action: cfg.global.action, reason: REASONS.surgeNewClient, stage: 'global', shadow: cfg.global.shadow };
  const ignored: Candidate = { action: 'block', reason: REASONS.challengeIgnored, stage: 'rules', shadow: false };
  const passed: Candidate = { action: 'allow', reason: REASONS.challengePassed, stage: 'challenge-pass', shadow: false };

  const challengeOf = { stage1: { action: 'challenge', reason: 'stage1-challenge', stage: 'stage1', shadow: false } as Candidate, stage2: { action: 'challenge', reason: 'stage2-challenge', stage: 'stage2', shadow: false } as Candidate };
  const throttleOf = { stage1: { action: 'throttle', reason: 'stage1-throttle', stage: 'stage1', shadow: false } as Candidate, stage2: { action: 'throttle', reason: 'stage2-throttle', stage: 'stage2', shadow: false } as Candidate };
  const sessionEntropy = F.session_entropy;

  /**
   * A score-based throttle or block is graded: a client that never had a challenge gets one
   * first (bots ignore it and are then throttled or blocked; people pass), and an address that
   * carries several cookie sessions (people behind one NAT) is only ever challenged on scores.
   * A request carrying a pass is let through a challenge or throttle and at most throttled
   * (a shared address: let through) on a block. Rules are not graded.
   */
  function grade(c: Candidate, i: PolicyInput, shared: boolean): Candidate {
    if (c.action !== 'block' && c.action !== 'throttle' && c.action !== 'challenge') return c;
    const st = i.scoreStage;
    if (i.challengePassed) {
      if (c.action === 'block' && !shared) return { ...of(throttleOf, st), shadow: c.shadow };
      return passed;
    }
    if (c.action === 'challenge') return c;
    if (shared || (p.challengeFirst && i.unansweredChallenges === 0)) return { ...of(challengeOf, st), shadow: c.shadow };
    return c;
  }

  /**
   * Whether a rule alone already gives the most severe action (block): then no score can change
   * the decision, and the detector skips stage 2 (a flood over a hard limit costs no tree walk).
   */
  const blockedByRule = (x: Float64Array, requests: number): boolean => {
    for (const r of rules) if (r.c.action === 'block' && requests >= r.minRequests && x[r.index]! > r.above) return true;
    return false;
  };

  return Object.assign(function decide(i: PolicyInput): Candidate {
    let best = of(allow, i.scoreStage);
    for (const r of rules) {
      if (i.requests >= r.minRequests && i.x[r.index]! > r.above && severity(r.c.action) > severity(best.action)) best = r.c;
    }
    if (i.scored && i.requests >= cfg.minRequestsForScore) {
      for (const t of of(thresholds, i.scoreStage)) {
        if (i.score >= t.minScore) {
          const g = grade(t.c, i, i.x[sessionEntropy]! >= p.sharedAddressSessionEntropy);
          if (severity(g.action) > severity(best.action)) best = g;
          break;
        }
      }
    }
    if (i.surgeNewClient && severity(surge.action) > severity(best.action)) best = surge;
    if (!i.challengePassed && i.unansweredChallenges >= p.challenge.maxUnanswered && severity('block') > severity(best.action)) best = ignored;
    if (i.challengePassed && best.action === 'challenge') best = passed;
    return best;
  }, { blockedByRule });
}

/** Block duration for the n-th offence (n ≥ 1): base × multiplier^(n-1), capped. */
export function blockSeconds(cfg: DetectionConfig, offence: number): number {
  const b = cfg.policy.block;
  return Math.min(b.maxSec, Math.round(b.baseSec * Math.pow(b.multiplier, Math.max(0, offence - 1))));
}
