import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultModelDir } from '../../src/ids/model.js';
import { loadRandomForest } from '../../src/ml/random-forest.js';
import { loadXgboostModel } from '../../src/ml/xgboost.js';

// models/ids/parity-sample.json holds rows as fed to the models and the predictions of
// scikit-learn (predict_proba) and XGBoost (Booster.predict) themselves, written at training time.
const dir = defaultModelDir();
const read = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8'));
const sample = read('parity-sample.json') as {
  features: string[]; rows: number[][]; random_forest_proba: number[][]; xgb_binary: number[]; xgb_family: number[][];
  missing_rows: (number | null)[][]; missing_xgb_binary: number[]; missing_xgb_family: number[][];
};
const card = read('model_card.json') as { models: Record<string, string>; features: { model_features: string[] } };

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

test('the parity sample uses the model card feature order', () => {
  assert.deepEqual(sample.features, card.features.model_features);
  assert.ok(sample.rows.length >= 200);
});

test('random forest matches scikit-learn predict_proba to 1e-9', () => {
  const rf = loadRandomForest(read(card.models.rf_binary as string));
  const out = new Float64Array(rf.numClasses);
  let worst = 0;
  sample.rows.forEach((row, i) => { worst = Math.max(worst, maxDiff(rf.predictProbaInto(row, out), sample.random_forest_proba[i] as number[])); });
  assert.ok(worst <= 1e-9, `max difference ${worst}`);
});

test('XGBoost binary and multi-class models match XGBoost to 1e-6, with and without missing values', () => {
  const xb = loadXgboostModel(read(card.models.xgb_binary as string));
  const xf = loadXgboostModel(read(card.models.xgb_family as string));
  const out = new Float64Array(xf.numOutputs);
  let worst = 0;
  sample.rows.forEach((row, i) => {
    worst = Math.max(worst, Math.abs(xb.predict(row) - (sample.xgb_binary[i] as number)));
    worst = Math.max(worst, maxDiff(xf.predictInto(row, out), sample.xgb_family[i] as number[]));
  });
  sample.missing_rows.forEach((raw, i) => {
    const row = raw.map((v) => (v === null ? NaN : v));
    worst = Math.max(worst, Math.abs(xb.predict(row) - (sample.missing_xgb_binary[i] as number)));
    worst = Math.max(worst, maxDiff(xf.predictInto(row, out), sample.missing_xgb_family[i] as number[]));
  });
  assert.ok(worst <= 1e-6, `max difference ${worst}`);
  assert.ok(sample.missing_rows.some((r) => r.includes(null)), 'the sample exercises missing values');
});

test('predictions agree when rows are given as Float32Array', () => {
  const xb = loadXgboostModel(read(card.models.xgb_binary as string));
  for (const [i, row] of sample.rows.slice(0, 50).entries()) {
    assert.ok(Math.abs(xb.predict(Float32Array.from(row)) - (sample.xgb_binary[i] as number)) <= 1e-6);
  }
});
