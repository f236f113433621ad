import { readFileSync } from 'node:fs';
import { FEATURE_COUNT, FEATURE_NAMES } from '../features/names.js';

/**
 * Stage 1: a logistic score over standardised log1p(features). Its weights, the scaling and
 * the stage-2 escalation threshold are fitted on the training set (scripts/train_http.py) and
 * stored in models/http/stage1.json; nothing here is hand-tuned.
 */
export interface Stage1Model {
  features: string[];
  mean: number[];
  scale: number[];
  weights: number[];
  bias: number;
  /** Stage-1 score from which stage 2 is evaluated (chosen for high recall on training attacks). */
  escalateAt: number;
  version: string;
}

export interface Stage1Scorer {
  readonly model: Stage1Model;
  /** Score in [0, 1]; when `contrib` is given, fills it with each feature's additive share of the log-odds. */
  score(x: Float64Array, contrib?: Float64Array): number;
}

export function loadStage1(path: string): Stage1Scorer {
  let m: Stage1Model;
  try { m = JSON.parse(readFileSync(path, 'utf8')) as Stage1Model; }
  catch (err) { throw new Error(`cannot load the stage-1 model ${path}: ${(err as Error).message}`, { cause: err }); }
  return createStage1(m, path);
}

export function createStage1(m: Stage1Model, source = 'stage1'): Stage1Scorer {
  const names = m.features ?? [];
  if (names.length !== FEATURE_COUNT || names.some((n, i) => n !== FEATURE_NAMES[i])) {
    throw new Error(`${source}: feature list does not match this build (expected ${FEATURE_NAMES.join(',')})`);
  }
  for (const k of ['mean', 'scale', 'weights'] as const) {
    if (!Array.isArray(m[k]) || m[k].length !== FEATURE_COUNT || m[k].some((v) => !Number.isFinite(v))) throw new Error(`${source}: ${k} must hold ${FEATURE_COUNT} finite numbers`);
  }
  const mean = Float64Array.from(m.mean);
  const inv = Float64Array.from(m.scale, (s) => (s > 0 ? 1 / s : 0));
  const w = Float64Array.from(m.weights);
  const bias = m.bias;
  return {
    model: m,
    score(x, contrib) {
      let z = bias;
      for (let i = 0; i < FEATURE_COUNT; i++) {
        const c = w[i]! * (Math.log1p(Math.max(0, x[i]!)) - mean[i]!) * inv[i]!;
        if (contrib) contrib[i] = c;
        z += c;
      }
      return 1 / (1 + Math.exp(-z));
    },
  };
}
