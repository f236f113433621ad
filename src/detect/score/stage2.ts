import { readFileSync } from 'node:fs';
import { loadXgboostModel } from '../../ml/xgboost.js';
import { FEATURE_COUNT, FEATURE_NAMES } from '../features/names.js';
import type { Stage2Scorer } from './stage2-types.js';

/**
 * Stage 2: the XGBoost model (XGBoost's own JSON, evaluated by src/ml/xgboost.ts). Per-feature
 * contributions, for explanations only, are the change of the margin when that feature is
 * treated as missing (each split then takes XGBoost's learnt default direction).
 */
export function loadStage2(path: string): Stage2Scorer {
  let json: { learner?: { feature_names?: string[]; attributes?: Record<string, string> } };
  try { json = JSON.parse(readFileSync(path, 'utf8')) as typeof json; }
  catch (err) { throw new Error(`cannot load the stage-2 model ${path}: ${(err as Error).message}`, { cause: err }); }
  const names = json.learner?.feature_names;
  if (!names || names.length !== FEATURE_COUNT || names.some((n, i) => n !== FEATURE_NAMES[i])) {
    throw new Error(`${path}: feature names do not match this build (expected ${FEATURE_NAMES.join(',')})`);
  }
  const model = loadXgboostModel(json);
  if (model.numFeatures !== FEATURE_COUNT || model.numOutputs !== 1) throw new Error(`${path}: expected a binary model over ${FEATURE_COUNT} features`);
  const margin = new Float64Array(1);
  const row = new Float64Array(FEATURE_COUNT);
  return {
    version: `xgboost-${model.numTrees}trees`,
    score: (x) => model.predict(x),
    contributions(x, out) {
      row.set(x);
      const full = model.predictMargin(row, margin)[0]!;
      for (let i = 0; i < FEATURE_COUNT; i++) {
        row[i] = NaN;
        out[i] = full - model.predictMargin(row, margin)[0]!;
        row[i] = x[i]!;
      }
    },
  };
}
