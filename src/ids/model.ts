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
  features: { model_features: string[]; count: number; accepted_not_used: string[]; non_finite_value: number; non_finite_policy: string };
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
  /** Scores one row in model feature order (see features.ts for the value policy). */
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
  const famOut = new Float64Array(familyModel.numOutputs);
  const rfOut = new Float64Array(randomForest.numClasses);
  const x32 = new Float32Array(featureIds.length); // one float32 copy shared by the three models
  const benignIndex = card.families.indexOf('benign');

  return {
    card, featureIds, threshold, randomForest, xgboost, familyModel,
    score(row) {
      for (let i = 0; i < x32.length; i++) x32[i] = row[i] as number;
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
