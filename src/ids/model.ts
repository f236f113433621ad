import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRandomForest, type RandomForestModel } from '../ml/random-forest.js';
import { loadXgboostModel, type XgboostModel } from '../ml/xgboost.js';

/** The folder shipped with the package (models/ids), resolved from src/ids or dist/ids. */
export function defaultModelDir(): string {
  return fileURLToPath(new URL('../../models/ids/', import.meta.url));
}

export interface ModelCard {
  name: string;
  version: string;
  created_at: string;
  features: {
    model_features: string[]; count: number; accepted_not_used: string[]; non_finite_value: number; non_finite_policy: string;
    /** Features raised to a floor before scoring, after the non-finite policy (as training did). */
    lower_bounds?: Record<string, number>;
  };
  models: { rf_binary: string; xgb_binary: string; xgb_family: string };
  families: string[];
  ensemble: { threshold: number } & Record<string, unknown>;
  [key: string]: unknown;
}

export interface FlowScore {
  /** 1 = attack, 0 = benign (ensemble probability >= threshold). */
  prediction: 0 | 1;
  label: 'Attack' | 'Benign';
  /** Ensemble attack probability (mean of the two models). */
  probability: number;
  /** Probability of the predicted label. */
  confidence: number;
  randomForest: number;
  xgboost: number;
  /** Most likely attack family for an attack (XGBoost family model, benign class excluded); 'benign' with probability 0 for a benign flow. */
  family: string;
  familyProbability: number;
}

export interface IdsModel {
  readonly card: ModelCard;
  readonly featureIds: readonly string[];
  readonly threshold: number;
  readonly randomForest: RandomForestModel;
  readonly xgboost: XgboostModel;
  readonly familyModel: XgboostModel;
  /** Per model feature, the floor applied before scoring (-Infinity when none). */
  readonly lowerBounds: Float64Array;
  /** Scores one row in model feature order (see features.ts for the value policy; lower bounds are applied here). */
  score(row: ArrayLike<number>): FlowScore;
}

function readJson(dir: string, file: string): unknown {
  return JSON.parse(readFileSync(join(dir, file), 'utf8'));
}

export function loadIdsModel(dir: string = defaultModelDir()): IdsModel {
  const card = readJson(dir, 'model_card.json') as ModelCard;
  const featureIds = card.features?.model_features;
  if (!Array.isArray(featureIds) || featureIds.length === 0) throw new Error(`${dir}: model_card.json lists no features`);
  const randomForest = loadRandomForest(readJson(dir, card.models.rf_binary));
  const xgboost = loadXgboostModel(readJson(dir, card.models.xgb_binary));
  const familyModel = loadXgboostModel(readJson(dir, card.models.xgb_family));
  for (const [name, m] of [['rf_binary', randomForest], ['xgb_binary', xgboost], ['xgb_family', familyModel]] as const) {
    if (m.numFeatures !== featureIds.length) throw new Error(`${name} expects ${m.numFeatures} features, card lists ${featureIds.length}`);
  }
  if (familyModel.numOutputs !== card.families.length) throw new Error('family model outputs differ from the card families');
  const threshold = card.ensemble.threshold;
  if (typeof threshold !== 'number' || !(threshold > 0 && threshold < 1)) throw new Error(`${dir}: ensemble threshold ${String(threshold)} is not in (0, 1)`);
  const lowerBounds = new Float64Array(featureIds.length).fill(-Infinity);
  for (const [id, bound] of Object.entries(card.features.lower_bounds ?? {})) {
    const i = featureIds.indexOf(id);
    if (i === -1) continue; // a bound on a feature this model does not use
    if (typeof bound !== 'number' || !Number.isFinite(bound)) throw new Error(`${dir}: lower bound of ${id} is not a number`);
    lowerBounds[i] = bound;
  }
  const famOut = new Float64Array(familyModel.numOutputs);
  const rfOut = new Float64Array(randomForest.numClasses);
  const x32 = new Float32Array(featureIds.length); // one float32 copy shared by the three models
  const benignIndex = card.families.indexOf('benign');

  return {
    card, featureIds, threshold, randomForest, xgboost, familyModel, lowerBounds,
    score(row) {
      for (let i = 0; i < x32.length; i++) {
        const v = row[i] as number;
        const lo = lowerBounds[i] as number;
        x32[i] = v < lo ? lo : v; // NaN stays NaN (missing for XGBoost)
      }
      const rf = randomForest.predictProbaInto(x32, rfOut)[1] as number;
      const xg = xgboost.predict(x32);
      const p = (rf + xg) / 2;
      const prediction = p >= threshold ? 1 : 0;
      // The family is reported for attacks only, so benign flows skip the family model.
      // The family is the most likely attack class (the binary ensemble already said "attack").
      let best = -1;
      if (prediction) {
        familyModel.predictInto(x32, famOut);
        for (let i = 0; i < famOut.length; i++) {
          if (i !== benignIndex && (best === -1 || (famOut[i] as number) > (famOut[best] as number))) best = i;
        }
      }
      return {
        prediction, label: prediction ? 'Attack' : 'Benign', probability: p, confidence: prediction ? p : 1 - p,
        randomForest: rf, xgboost: xg, family: prediction ? (card.families[best] as string) : 'benign', familyProbability: prediction ? (famOut[best] as number) : 0,
      };
    },
  };
}
