/**
 * Random-forest evaluator for scikit-learn forests exported by scripts/ids/export.py
 * (`format: "sklearn-random-forest"`): per tree, arrays `feature` (-1 at a leaf), `threshold`,
 * `left`, `right` and `value` (n_classes leaf probabilities per node).
 *
 *   const forest = loadRandomForest(JSON.parse(text));
 *   forest.predictProbaInto(row, out)  // class probabilities, as sklearn's predict_proba
 *   forest.predict(row)                // probability of the last class (binary: positive class)
 *
 * Exactness: sklearn casts inputs to float32 and goes left when `x <= threshold` (threshold in
 * float64); leaf probabilities are summed tree by tree in float64 and divided by the tree count.
 * This evaluator does the same, so results match predict_proba to the last bits (n_jobs=1 order).
 * NaN compares false and goes right (sklearn 1.2 rejects NaN; callers replace it before).
 */

export class RandomForestModelError extends Error {
  override name = 'RandomForestModelError';
}

export interface RandomForestModel {
  readonly numFeatures: number;
  readonly numClasses: number;
  readonly numTrees: number;
  readonly numNodes: number;
  readonly classes: readonly (string | number)[];
  predict(row: ArrayLike<number>): number;
  predictProbaInto(row: ArrayLike<number>, out: Float64Array): Float64Array;
}

type Json = Record<string, unknown>;

function numbers(v: unknown, where: string): number[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new RandomForestModelError(`${where}: expected an array of finite numbers`);
  }
  return v as number[];
}

export function loadRandomForest(json: unknown): RandomForestModel {
  if (typeof json !== 'object' || json === null) throw new RandomForestModelError('model: expected an object');
  const m = json as Json;
  if (m.format !== 'sklearn-random-forest') throw new RandomForestModelError(`unknown format ${String(m.format)}`);
  const numFeatures = Number(m.n_features);
  const numClasses = Number(m.n_classes);
  if (!Number.isInteger(numFeatures) || numFeatures <= 0 || !Number.isInteger(numClasses) || numClasses < 2) {
    throw new RandomForestModelError('n_features / n_classes invalid');
  }
  if (!Array.isArray(m.trees) || m.trees.length === 0) throw new RandomForestModelError('trees: expected a non-empty array');
  const trees = m.trees as Json[];
  let numNodes = 0;
  for (const t of trees) numNodes += numbers(t.left, 'left').length;

  const feature = new Int32Array(numNodes);
  const threshold = new Float64Array(numNodes);
  const left = new Int32Array(numNodes);
  const right = new Int32Array(numNodes);
  const value = new Float64Array(numNodes * numClasses);
  const roots = new Int32Array(trees.length);
  let offset = 0;
  trees.forEach((t, ti) => {
    const f = numbers(t.feature, 'feature');
    const th = numbers(t.threshold, 'threshold');
    const l = numbers(t.left, 'left');
    const r = numbers(t.right, 'right');
    const v = numbers(t.value, 'value');
    const n = l.length;
    if (f.length !== n || th.length !== n || r.length !== n || v.length !== n * numClasses) {
      throw new RandomForestModelError(`trees[${ti}]: node arrays differ in length`);
    }
    roots[ti] = offset;
    for (let i = 0; i < n; i++) {
      const k = offset + i;
      const fi = f[i] as number;
      if (fi === -1) {
        left[k] = -1;
        right[k] = -1;
        feature[k] = -1;
      } else {
        const li = l[i] as number;
        const ri = r[i] as number;
        if (fi < 0 || fi >= numFeatures) throw new RandomForestModelError(`trees[${ti}]: feature ${fi} out of range`);
        if (li <= i || li >= n || ri <= i || ri >= n) throw new RandomForestModelError(`trees[${ti}]: child index out of range`);
        feature[k] = fi;
        left[k] = offset + li;
        right[k] = offset + ri;
        threshold[k] = th[i] as number;
      }
      for (let c = 0; c < numClasses; c++) value[k * numClasses + c] = v[i * numClasses + c] as number;
    }
    offset += n;
  });

  const nTrees = trees.length;
  // Rows are copied once into float32 (what sklearn sees), so traversal reads one array type.
  const x32 = new Float32Array(numFeatures);
  function predictProbaInto(row: ArrayLike<number>, out: Float64Array): Float64Array {
    let x: Float32Array = x32;
    if (row instanceof Float32Array && row.length >= numFeatures) x = row;
    else for (let i = 0; i < numFeatures; i++) x32[i] = i < row.length ? (row[i] as number) : NaN;
    out.fill(0, 0, numClasses);
    for (let t = 0; t < nTrees; t++) {
      let n = roots[t] as number;
      let fi = feature[n] as number;
      while (fi !== -1) {
        n = (x[fi] as number) <= (threshold[n] as number) ? (left[n] as number) : (right[n] as number);
        fi = feature[n] as number;
      }
      const base = n * numClasses;
      for (let c = 0; c < numClasses; c++) out[c] = (out[c] as number) + (value[base + c] as number);
    }
    for (let c = 0; c < numClasses; c++) out[c] = (out[c] as number) / nTrees;
    return out;
  }

  const scratch = new Float64Array(numClasses);
  const classes = Array.isArray(m.classes) ? (m.classes as (string | number)[]) : [...Array(numClasses).keys()];
  return {
    numFeatures, numClasses, numTrees: nTrees, numNodes, classes,
    predict: (row) => predictProbaInto(row, scratch)[numClasses - 1] as number,
    predictProbaInto,
  };
}
