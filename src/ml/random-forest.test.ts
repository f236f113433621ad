import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRandomForest, RandomForestModelError } from './random-forest.js';

const forest = {
  format: 'sklearn-random-forest', version: 1, n_features: 2, n_classes: 2, classes: [0, 1],
  trees: [
    // x0 <= 0.1 ? [0.9, 0.1] : [0.2, 0.8]
    { feature: [0, -1, -1], threshold: [0.1, 0, 0], left: [1, -1, -1], right: [2, -1, -1], value: [0, 0, 0.9, 0.1, 0.2, 0.8] },
    // x1 <= 5 ? [1, 0] : [0, 1]
    { feature: [1, -1, -1], threshold: [5, 0, 0], left: [1, -1, -1], right: [2, -1, -1], value: [0, 0, 1, 0, 0, 1] },
  ],
};

test('averages leaf probabilities over trees like predict_proba', () => {
  const m = loadRandomForest(forest);
  assert.deepEqual([...m.predictProbaInto([0, 9], new Float64Array(2))], [(0.9 + 0) / 2, (0.1 + 1) / 2]);
  assert.equal(m.predict([1, 0]), (0.8 + 0) / 2);
});

test('casts the input to float32 and goes left on <= threshold (float64)', () => {
  const m = loadRandomForest(forest);
  // 0.1000000001 rounds to float32 0.10000000149 > 0.1, so it goes right although it is <= 0.1 + 1e-9
  assert.equal(m.predict([0.1000000001, 0]), 0.4);
  assert.equal(m.predict([0.09, 0]), 0.05);
});

test('rejects malformed forests', () => {
  assert.throws(() => loadRandomForest({ ...forest, format: 'other' }), RandomForestModelError);
  const bad = structuredClone(forest);
  bad.trees[0]!.value = [0, 0];
  assert.throws(() => loadRandomForest(bad), /differ in length/);
});
