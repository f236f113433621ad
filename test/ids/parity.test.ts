import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultModelDir, loadIdsModel } from '../../src/ids/model.js';
import { loadRandomForest } from '../../src/ml/random-forest.js';
import { loadXgboostModel } from '../../src/ml/xgboost.js';

// models/ids/parity-sample.json holds rows as the API builds them (`input_rows`), the same rows as fed
// to the models after the card's lower bounds (`rows`), and the predictions of scikit-learn
// (predict_proba) and XGBoost (Booster.predict) themselves on `rows`, written at training time.
const dir = defaultModelDir();
const read = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8'));
const sample = read('parity-sample.json') as {
  features: string[]; input_rows: number[][]; rows: number[][]; random_forest_proba: number[][]; xgb_binary: number[]; xgb_family: number[][];
  missing_rows: (number | null)[][]; missing_xgb_binary: number[]; missing_xgb_family: number[][];
};
const card = read('model_card.json') as { models: Record<string, string>; features: { model_features: string[]; lower_bounds?: Record<string, number> } };

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

test('the served model applies the lower bounds as training did and matches both frameworks', () => {
  const model = loadIdsModel(dir);
  const bounded = Object.keys(card.features.lower_bounds ?? {}).map((id) => card.features.model_features.indexOf(id)).filter((i) => i >= 0);
  const boundOf = (i: number) => (card.features.lower_bounds ?? {})[card.features.model_features[i] as string] as number;
  assert.ok(bounded.length > 0, 'the card bounds some model features');
  assert.ok(sample.input_rows.some((row) => bounded.some((i) => (row[i] as number) < boundOf(i))), 'the sample has values below a bound');
  let worst = 0;
  sample.input_rows.forEach((row, i) => {
    const s = model.score(Float64Array.from(row));
    worst = Math.max(worst, Math.abs(s.randomForest - (sample.random_forest_proba[i]?.[1] as number)), Math.abs(s.xgboost - (sample.xgb_binary[i] as number)));
    assert.equal(s.prediction, s.probability >= model.threshold ? 1 : 0);
  });
  assert.ok(worst <= 1e-6, `max difference ${worst}`);
});
