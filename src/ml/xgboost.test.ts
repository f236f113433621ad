import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadXgboostModel, XgboostModelError } from './xgboost.js';

/** A tree in XGBoost's JSON layout; leaves carry their value in split_conditions. */
function tree(nodes: { l: number; r: number; f: number; c: number; d?: number }[]) {
  return {
    left_children: nodes.map((n) => n.l), right_children: nodes.map((n) => n.r), split_indices: nodes.map((n) => n.f),
    split_conditions: nodes.map((n) => n.c), default_left: nodes.map((n) => n.d ?? 0), split_type: nodes.map(() => 0),
  };
}

function model(objective: string, trees: ReturnType<typeof tree>[], treeInfo: number[], extra: Record<string, string> = {}) {
  return {
    learner: {
      objective: { name: objective },
      learner_model_param: { base_score: '5E-1', num_feature: '2', num_class: '0', ...extra },
      gradient_booster: { name: 'gbtree', model: { trees, tree_info: treeInfo } },
    },
  };
}

// x0 < 0.1 (float32) ? 1 : -1 ; missing goes right
const stump = tree([{ l: 1, r: 2, f: 0, c: 0.1, d: 0 }, { l: -1, r: -1, f: 0, c: 1 }, { l: -1, r: -1, f: 0, c: -1 }]);

test('compares in float32 like XGBoost: a double just below the float32 threshold goes right', () => {
  const m = loadXgboostModel(model('reg:squarederror', [stump], [0]));
  const t32 = Math.fround(0.1); // 0.100000001490116...
  const below = 0.1000000001; // < t32 as a double, but rounds to t32 in float32
  assert.ok(below < t32);
  assert.equal(Math.fround(below), t32);
  assert.equal(m.predict([below, 0]), Math.fround(0.5 - 1), 'equal in float32, so not less: right leaf');
  assert.equal(m.predict([0.05, 0]), Math.fround(0.5 + 1));
});

test('missing values follow default_left', () => {
  const left = tree([{ l: 1, r: 2, f: 1, c: 3, d: 1 }, { l: -1, r: -1, f: 0, c: 2 }, { l: -1, r: -1, f: 0, c: -2 }]);
  const right = tree([{ l: 1, r: 2, f: 1, c: 3, d: 0 }, { l: -1, r: -1, f: 0, c: 2 }, { l: -1, r: -1, f: 0, c: -2 }]);
  assert.equal(loadXgboostModel(model('reg:squarederror', [left], [0])).predict([0, NaN]), 2.5);
  assert.equal(loadXgboostModel(model('reg:squarederror', [right], [0])).predict([0, NaN]), -1.5);
});

test('binary:logistic adds leaves to logit(base_score) and applies the sigmoid', () => {
  const m = loadXgboostModel(model('binary:logistic', [stump, stump], [0, 0], { base_score: '2.5E-1' }));
  const margin = Math.log(0.25 / 0.75) + 2;
  assert.ok(Math.abs(m.predict([0, 0]) - 1 / (1 + Math.exp(-margin))) < 1e-6);
  const out = new Float64Array(1);
  assert.ok(Math.abs((m.predictMargin([0, 0], out)[0] as number) - margin) < 1e-6);
});

test('multi:softprob groups trees by tree_info and returns a softmax per class', () => {
  const c1 = tree([{ l: -1, r: -1, f: 0, c: 1.5 }]);
  const m = loadXgboostModel(model('multi:softprob', [stump, c1, stump], [0, 2, 0], { num_class: '3' }));
  assert.equal(m.numOutputs, 3);
  const p = m.predictInto([0, 0], new Float64Array(3));
  const margins = [0.5 + 2, 0.5, 0.5 + 1.5];
  const z = margins.reduce((a, v) => a + Math.exp(v), 0);
  margins.forEach((v, i) => assert.ok(Math.abs((p[i] as number) - Math.exp(v) / z) < 1e-6));
});

test('refuses models it cannot evaluate exactly', () => {
  assert.throws(() => loadXgboostModel(model('rank:pairwise', [stump], [0])), XgboostModelError);
  assert.throws(() => loadXgboostModel({ learner: {} }), XgboostModelError);
  const cat = { ...stump, split_type: [1, 0, 0] };
  assert.throws(() => loadXgboostModel(model('reg:squarederror', [cat], [0])), /categorical/);
  const badFeature = tree([{ l: 1, r: 2, f: 7, c: 0 }, { l: -1, r: -1, f: 0, c: 1 }, { l: -1, r: -1, f: 0, c: 1 }]);
  assert.throws(() => loadXgboostModel(model('reg:squarederror', [badFeature], [0])), /out of range/);
});
