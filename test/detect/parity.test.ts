import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MODEL_DIR } from '../../src/detect/config.js';
import { loadStage1 } from '../../src/detect/score/stage1.js';
import { loadStage2 } from '../../src/detect/score/stage2.js';
import { FEATURE_NAMES } from '../../src/detect/features/names.js';

// models/http/parity.json: held-out rows with scikit-learn's and XGBoost's own predictions (scripts/train_http.py).
const sample = JSON.parse(readFileSync(join(DEFAULT_MODEL_DIR, 'parity.json'), 'utf8')) as { features: string[]; rows: number[][]; stage1: number[]; stage2: number[] };

test('the parity sample uses the feature order of this build', () => {
  assert.deepEqual(sample.features, [...FEATURE_NAMES]);
  assert.ok(sample.rows.length >= 100);
});

test('stage 1 matches scikit-learn on the committed sample to 1e-6', () => {
  const s1 = loadStage1(join(DEFAULT_MODEL_DIR, 'stage1.json'));
  let worst = 0;
  sample.rows.forEach((row, i) => { worst = Math.max(worst, Math.abs(s1.score(Float64Array.from(row)) - sample.stage1[i]!)); });
  assert.ok(worst <= 1e-6, `largest difference ${worst}`);
});

test('stage 2 matches XGBoost on the committed sample to 1e-6', () => {
  const s2 = loadStage2(join(DEFAULT_MODEL_DIR, 'model.json'));
  let worst = 0;
  sample.rows.forEach((row, i) => { worst = Math.max(worst, Math.abs(s2.score(Float64Array.from(row)) - sample.stage2[i]!)); });
  assert.ok(worst <= 1e-6, `largest difference ${worst}`);
  const spread = Math.max(...sample.stage2) - Math.min(...sample.stage2);
  assert.ok(spread > 0.5, 'the sample covers both benign and attack scores');
});

test('stage-2 contributions explain the margin of an attack row', () => {
  const s2 = loadStage2(join(DEFAULT_MODEL_DIR, 'model.json'));
  const i = sample.stage2.findIndex((p) => p > 0.99);
  assert.ok(i >= 0);
  const out = new Float64Array(FEATURE_NAMES.length);
  s2.contributions(Float64Array.from(sample.rows[i]!), out);
  assert.ok(out.some((c) => c > 0), 'some feature pushes the score up');
});
