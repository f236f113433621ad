/**
 * XGBoost model evaluator: reads the JSON written by XGBoost's own `Booster.save_model("m.json")`
 * (1.x and 2.x/3.x layouts, gbtree booster, numerical splits) into flat typed arrays and predicts
 * one row in microseconds, with no Python at run time.
 *
 *   const model = loadXgboostModel(JSON.parse(text));   // throws XgboostModelError on bad input
 *   model.numFeatures, model.numOutputs, model.objective
 *   model.predict(row)            // first output: probability (binary:logistic), value (reg:*)
 *   model.predictInto(row, out)   // all outputs (multi:softprob: one probability per class)
 *   model.predictMargin(row, out) // raw sums before the objective's transform
 *
 * `row` is any indexable array of numbers in the model's feature order (Float32Array is the
 * cheapest). NaN means "missing" and follows each split's default direction, as in XGBoost.
 * Exactness: XGBoost stores data and split conditions as float32 and goes left when
 * `fvalue < split_condition` in float32, adds leaf values in float32, tree by tree, onto the
 * base margin. This evaluator does the same (Math.fround on every step), so margins match
 * XGBoost bit for bit and probabilities to within float32 rounding of exp (< 1e-7).
 * base_score: binary:logistic / reg:logistic / binary:logitraw turn it into a margin with
 * logit(base_score); every other supported objective uses it as the margin itself.
 */

export class XgboostModelError extends Error {
  override name = 'XgboostModelError';
}

export type FeatureRow = ArrayLike<number>;

export interface XgboostModel {
  readonly objective: string;
  readonly numFeatures: number;
  /** 1 for binary and regression objectives, num_class for multi-class ones. */
  readonly numOutputs: number;
  readonly numTrees: number;
  readonly numNodes: number;
  readonly baseScore: number;
  predict(row: FeatureRow): number;
  predictInto(row: FeatureRow, out: Float64Array): Float64Array;
  predictMargin(row: FeatureRow, out: Float64Array): Float64Array;
}

const LOGISTIC = new Set(['binary:logistic', 'reg:logistic', 'binary:logitraw']);
const IDENTITY = new Set(['reg:squarederror', 'reg:linear', 'reg:pseudohubererror', 'reg:absoluteerror', 'binary:logitraw']);
const SOFTMAX = new Set(['multi:softprob', 'multi:softmax']);

type Json = Record<string, unknown>;

function obj(v: unknown, where: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new XgboostModelError(`${where}: expected an object`);
  return v as Json;
}

function arr(v: unknown, where: string): unknown[] {
  if (!Array.isArray(v)) throw new XgboostModelError(`${where}: expected an array`);
  return v;
}

/** XGBoost writes numbers as strings ("5E-1"), 3.x wraps base_score in brackets ("[5E-1]"). */
function num(v: unknown, where: string): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v.replace(/^\[|\]$/g, '')) : NaN;
  if (!Number.isFinite(n)) throw new XgboostModelError(`${where}: expected a number, got ${JSON.stringify(v)}`);
  return n;
}

export function loadXgboostModel(json: unknown): XgboostModel {
  const learner = obj(obj(json, 'model').learner, 'learner');
  const param = obj(learner.learner_model_param, 'learner_model_param');
  const objective = String(obj(learner.objective, 'objective').name);
  if (!LOGISTIC.has(objective) && !IDENTITY.has(objective) && !SOFTMAX.has(objective)) {
    throw new XgboostModelError(`unsupported objective ${objective}`);
  }
  const booster = obj(learner.gradient_booster, 'gradient_booster');
  if (booster.name !== 'gbtree') throw new XgboostModelError(`unsupported booster ${String(booster.name)} (gbtree only)`);
  const model = obj(booster.model, 'gradient_booster.model');
  const trees = arr(model.trees, 'trees');
  const treeInfo = arr(model.tree_info, 'tree_info').map((v, i) => num(v, `tree_info[${i}]`));
  const numFeatures = num(param.num_feature, 'num_feature');
  const numClass = num(param.num_class ?? 0, 'num_class');
  const numOutputs = SOFTMAX.has(objective) ? Math.max(1, numClass) : 1;
  const baseScore = num(param.base_score, 'base_score');
  if (treeInfo.length !== trees.length) throw new XgboostModelError('tree_info and trees differ in length');

  let numNodes = 0;
  for (const t of trees) numNodes += arr(obj(t, 'tree').left_children, 'left_children').length;
  // One record of 16 bytes per node, so that a step down a tree touches one cache line:
  // int32 [4k] left child record index (-1 at a leaf), [4k+1] right child, [4k+2] feature,
  // float32 [4k+3] split condition (the leaf value at a leaf). default_left apart: read only for NaN.
  const buffer = new ArrayBuffer(numNodes * 16);
  const ints = new Int32Array(buffer);
  const floats = new Float32Array(buffer);
  const defaultLeft = new Uint8Array(numNodes);
  const roots = new Int32Array(trees.length);
  const groups = new Int32Array(trees.length);

  let offset = 0;
  trees.forEach((raw, ti) => {
    const t = obj(raw, `trees[${ti}]`);
    const l = arr(t.left_children, 'left_children');
    const r = arr(t.right_children, 'right_children');
    const f = arr(t.split_indices, 'split_indices');
    const c = arr(t.split_conditions, 'split_conditions');
    const d = arr(t.default_left, 'default_left');
    const st = t.split_type === undefined ? [] : arr(t.split_type, 'split_type');
    const n = l.length;
    if (r.length !== n || f.length !== n || c.length !== n || d.length !== n) {
      throw new XgboostModelError(`trees[${ti}]: node arrays differ in length`);
    }
    const group = treeInfo[ti] ?? 0;
    if (group < 0 || group >= numOutputs) throw new XgboostModelError(`trees[${ti}]: output group ${group} out of range`);
    roots[ti] = offset;
    groups[ti] = group;
    for (let i = 0; i < n; i++) {
      const li = num(l[i], 'left_children');
      const k = offset + i;
      if (li === -1) {
        ints[4 * k] = -1;
        ints[4 * k + 1] = -1;
        floats[4 * k + 3] = num(c[i], 'split_conditions');
        continue;
      }
      if (num(st[i] ?? 0, 'split_type') !== 0) throw new XgboostModelError(`trees[${ti}]: categorical splits are not supported`);
      const ri = num(r[i], 'right_children');
      const fi = num(f[i], 'split_indices');
      if (li <= 0 || li >= n || ri <= 0 || ri >= n) throw new XgboostModelError(`trees[${ti}]: child index out of range`);
      if (fi < 0 || fi >= numFeatures) throw new XgboostModelError(`trees[${ti}]: feature index ${fi} out of range`);
      ints[4 * k] = offset + li;
      ints[4 * k + 1] = offset + ri;
      ints[4 * k + 2] = fi;
      floats[4 * k + 3] = num(c[i], 'split_conditions');
      defaultLeft[k] = num(d[i], 'default_left') ? 1 : 0;
    }
    offset += n;
  });

  const logistic = LOGISTIC.has(objective);
  const baseMargin = Math.fround(logistic ? -Math.log(Math.fround(1 / Math.fround(baseScore)) - 1) : baseScore);
  const transform: 'sigmoid' | 'softmax' | 'identity' =
    objective === 'binary:logitraw' || IDENTITY.has(objective) ? 'identity' : logistic ? 'sigmoid' : 'softmax';
  const nTrees = trees.length;

  // Rows are copied once into float32 (what XGBoost sees), so traversal reads one array type.
  const x32 = new Float32Array(numFeatures);
  function toFloat32(row: FeatureRow): Float32Array {
    if (row instanceof Float32Array && row.length >= numFeatures) return row;
    for (let i = 0; i < numFeatures; i++) x32[i] = i < row.length ? (row[i] as number) : NaN;
    return x32;
  }

  function leaf(root: number, x: Float32Array): number {
    let k = root << 2;
    let l = ints[k] as number;
    while (l !== -1) {
      const v = x[ints[k + 2] as number] as number;
      let n: number;
      if (v < (floats[k + 3] as number)) n = l;
      else if (v !== v && defaultLeft[k >> 2]) n = l; // missing value, default direction left
      else n = ints[k + 1] as number;
      k = n << 2;
      l = ints[k] as number;
    }
    return floats[k + 3] as number;
  }

  function predictMargin(row: FeatureRow, out: Float64Array): Float64Array {
    const x = toFloat32(row);
    out.fill(baseMargin, 0, numOutputs);
    for (let t = 0; t < nTrees; t++) {
      const g = groups[t] as number;
      out[g] = Math.fround((out[g] as number) + leaf(roots[t] as number, x));
    }
    return out;
  }

  function predictInto(row: FeatureRow, out: Float64Array): Float64Array {
    predictMargin(row, out);
    if (transform === 'sigmoid') {
      out[0] = Math.fround(1 / (1 + Math.exp(-(out[0] as number))));
    } else if (transform === 'softmax') {
      let max = -Infinity;
      for (let i = 0; i < numOutputs; i++) max = Math.max(max, out[i] as number);
      let sum = 0;
      for (let i = 0; i < numOutputs; i++) {
        const e = Math.exp((out[i] as number) - max);
        out[i] = e;
        sum += e;
      }
      for (let i = 0; i < numOutputs; i++) out[i] = Math.fround((out[i] as number) / sum);
    }
    return out;
  }

  const scratch = new Float64Array(numOutputs);
  return {
    objective, numFeatures, numOutputs, numTrees: nTrees, numNodes, baseScore,
    predict: (row) => predictInto(row, scratch)[0] as number,
    predictInto,
    predictMargin,
  };
}
