#!/usr/bin/python3
"""Trains and evaluates the flow IDS models (RandomForest + XGBoost) and exports them to JSON.

Usage: /usr/bin/python3 scripts/train_ids.py --data ../shared/data/flows --out models/ids [--quick]

Protocol (see models/ids/MODEL_CARD.md, written by this script):
  * identifier columns dropped (flow id, IPs, ports, timestamps), every dataset deduplicated on the
    model features before any split, feature vectors seen with two labels removed;
  * held-out evaluations: temporal split inside each CIC-IDS2017 capture day, leave-one-capture-day-out
    over the 7 capture days of both datasets, CIC-IDS2017 -> CSE-CIC-IDS2018 cross-dataset;
  * the shipped models are then fitted on all of CIC-IDS2017 (improved) and CSE-CIC-IDS2018.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time

import numpy as np
import sklearn
import xgboost as xgb
from sklearn.ensemble import RandomForestClassifier

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ids.data import FAMILIES, FEATURE_SETS, NON_FINITE_VALUE, UNUSED_FEATURES, Flows, deduplicate, load_folder, model_feature_ids, subset, to_flows  # noqa: E402
from ids.export import export_random_forest  # noqa: E402
from ids.metrics import binary_metrics, family_metrics  # noqa: E402
from ids.card import write_model_card  # noqa: E402

DATASETS = {
    'cic-ids2017-improved': 'CIC-IDS2017, improved re-extraction (Engelen et al. WTMC 2021; Liu et al. CNS 2022)',
    'cse-cic-ids2018': 'CSE-CIC-IDS2018, cleaned naming, two capture days (Sharafaldin et al. ICISSP 2018)',
    'cic-ids2017-mlcve': 'CIC-IDS2017, original MachineLearningCVE extraction (Sharafaldin et al. ICISSP 2018)',
}


def hyper(quick: bool) -> dict:
    return {
        'random_forest': {'n_estimators': 12 if quick else 40, 'max_depth': 14, 'min_samples_leaf': 3,
                          'max_features': 'sqrt', 'class_weight': 'balanced', 'random_state': 7},
        'xgboost_binary': {'n_estimators': 30 if quick else 100, 'max_depth': 6, 'learning_rate': 0.1,
                           'subsample': 0.8, 'colsample_bytree': 0.8, 'min_child_weight': 1,
                           'tree_method': 'hist', 'objective': 'binary:logistic', 'random_state': 7},
        'xgboost_family': {'n_estimators': 15 if quick else 30, 'max_depth': 5, 'learning_rate': 0.3,
                           'subsample': 0.8, 'colsample_bytree': 0.8, 'tree_method': 'hist',
                           'objective': 'multi:softprob', 'random_state': 7},
    }


class Trainer:
    """Fits the three model kinds on the columns `cols` of Flows.x (a feature set)."""

    def __init__(self, hp: dict, cols: list[int]):
        self.hp = hp
        self.cols = cols

    def with_cols(self, cols: list[int]) -> 'Trainer':
        return Trainer(self.hp, cols)

    def X(self, f: Flows) -> np.ndarray:
        return f.x[:, self.cols]

    def rf(self, f: Flows):
        m = RandomForestClassifier(n_jobs=2, **self.hp['random_forest'])
        m.fit(self.X(f), f.y)
        m.n_jobs = 1  # deterministic summation order when predicting, as src/ml/random-forest.ts does
        return m

    def xgb_binary(self, f: Flows):
        m = xgb.XGBClassifier(n_jobs=2, **self.hp['xgboost_binary'])
        m.fit(self.X(f), f.y)
        return m

    def xgb_family(self, f: Flows):
        y = np.array([FAMILIES.index(s) for s in f.family])
        m = xgb.XGBClassifier(n_jobs=2, **self.hp['xgboost_family'])
        m.fit(self.X(f), y)
        return m

    def binary_eval(self, train: Flows, test: Flows) -> tuple[dict, dict]:
        rf, xg = self.rf(train), self.xgb_binary(train)
        p_rf = rf.predict_proba(self.X(test))[:, 1]
        p_xg = xg.predict_proba(self.X(test))[:, 1].astype(np.float64)
        probs = {'random_forest': p_rf, 'xgboost': p_xg, 'ensemble': (p_rf + p_xg) / 2}
        return {k: binary_metrics(test.y, v, test.label) for k, v in probs.items()}, probs


def concat(*fs: Flows) -> Flows:
    return Flows(*(np.concatenate([getattr(f, k) for f in fs]) for k in ['x', 'label', 'family', 'y', 'dataset', 'day', 'ts']))


def temporal_split(f: Flows, frac: float = 0.7) -> tuple[np.ndarray, np.ndarray]:
    """Per (capture day, label): the earliest `frac` of flows by timestamp train, the rest test."""
    train = np.zeros(len(f.y), dtype=bool)
    for key in sorted(set(zip(f.day.tolist(), f.label.tolist()))):
        idx = np.where((f.day == key[0]) & (f.label == key[1]))[0]
        idx = idx[np.argsort(f.ts[idx], kind='stable')]
        train[idx[: int(round(frac * len(idx)))]] = True
    return train, ~train


def summary(res: dict) -> dict:
    return {k: {m: v.get(m) for m in ['roc_auc', 'pr_auc', 'fpr_at_recall_0.95', 'fpr_at_recall_0.99', 'accuracy', 'recall', 'fpr']}
            for k, v in res.items()}


def log(msg: str) -> None:
    print(f'[train_ids {time.strftime("%H:%M:%S")}] {msg}', file=sys.stderr, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data', default='../shared/data/flows', help='folder holding the dataset folders')
    ap.add_argument('--out', default='models/ids', help='output folder for models and the model card')
    ap.add_argument('--quick', action='store_true', help='few trees, for a smoke run')
    ap.add_argument('--skip-eval', action='store_true', help='fit and export the shipped models only')
    ap.add_argument('--feature-set', choices=sorted(FEATURE_SETS), default='no-timing',
                    help='features of the shipped models (default no-timing: transfers better across networks)')
    args = ap.parse_args()
    hp = hyper(args.quick)
    all_ids = model_feature_ids()
    ids = FEATURE_SETS[args.feature_set](all_ids)
    trainer = Trainer(hp, [all_ids.index(i) for i in ids])
    other_name = 'all' if args.feature_set != 'all' else 'no-timing'
    other = trainer.with_cols([all_ids.index(i) for i in FEATURE_SETS[other_name](all_ids)])
    os.makedirs(args.out, exist_ok=True)

    flows, dedup = {}, {}
    for name in DATASETS:
        folder = os.path.join(args.data, name)
        if not os.path.isdir(folder):
            log(f'skipping missing {folder}')
            continue
        df = load_folder(folder, name)
        df, dedup[name] = deduplicate(df, all_ids)
        flows[name] = to_flows(df, all_ids)
        log(f'{name}: {dedup[name]}')
    imp, c18 = flows['cic-ids2017-improved'], flows['cse-cic-ids2018']
    mlcve = flows.get('cic-ids2017-mlcve')

    evaluations: dict = {}
    if not args.skip_eval:
        # 1. temporal split inside each capture day (CIC-IDS2017 improved carries timestamps)
        tr, te = temporal_split(imp)
        a, b = subset(imp, tr), subset(imp, te)
        res, _ = trainer.binary_eval(a, b)
        fam = trainer.xgb_family(a)
        fam_pred = np.array(FAMILIES)[np.argmax(fam.predict_proba(trainer.X(b)), axis=1)]
        evaluations['temporal_2017'] = {
            'description': 'CIC-IDS2017 improved: per capture day and label, the earliest 70% of flows (by timestamp) train, the latest 30% test',
            'train_rows': int(len(a.y)), 'test_rows': int(len(b.y)), 'binary': res,
            'family_xgboost': family_metrics(b.family, fam_pred, FAMILIES)}
        log(f'temporal: {summary(res)}')
        res_o, _ = other.binary_eval(a, b)
        evaluations['temporal_2017']['binary_other_feature_set'] = {'feature_set': other_name, 'results': summary(res_o)}
        log(f'temporal ({other_name}): {summary(res_o)}')

        # 2. leave one capture day out over both datasets
        both = concat(imp, c18)
        days = sorted(set(both.day.tolist()))
        pooled_y, pooled_l, pooled_p, per_day = [], [], {'random_forest': [], 'xgboost': [], 'ensemble': []}, {}
        for d in days:
            held = both.day == d
            res, probs = trainer.binary_eval(subset(both, ~held), subset(both, held))
            h = subset(both, held)
            per_day[d] = {'dataset': str(h.dataset[0]), 'labels': sorted(set(h.label.tolist())), 'rows': int(held.sum()),
                          'binary': summary(res), 'per_label_ensemble': res['ensemble']['per_label']}
            pooled_y.append(h.y)
            pooled_l.append(h.label)
            for k in pooled_p:
                pooled_p[k].append(probs[k])
            log(f'day {d}: {summary(res)["ensemble"]}')
        y, labs = np.concatenate(pooled_y), np.concatenate(pooled_l)
        other_p = []
        for d in days:
            held = both.day == d
            _, probs = other.binary_eval(subset(both, ~held), subset(both, held))
            other_p.append(probs['ensemble'])
        other_pooled = summary({'ensemble': binary_metrics(y, np.concatenate(other_p), labs)})
        log(f'leave-one-day-out pooled ({other_name}): {other_pooled}')
        evaluations['leave_one_day_out'] = {
            'description': 'Each of the 7 capture days (5 of CIC-IDS2017 improved, 2 of CSE-CIC-IDS2018) held out in turn; '
                           'models fitted on the other 6 days of both datasets; predictions pooled. The attacks of a held-out day '
                           'are mostly of a kind never seen in training (e.g. Wednesday 2017 = all DoS tools).',
            'pooled': {k: binary_metrics(y, np.concatenate(v), labs) for k, v in pooled_p.items()},
            'pooled_other_feature_set': {'feature_set': other_name, 'results': other_pooled},
            'per_day': per_day}

        # 3. cross-dataset: CIC-IDS2017 improved -> CSE-CIC-IDS2018 (and the original 2017 extraction)
        cross = {}
        res, _ = trainer.binary_eval(imp, c18)
        cross['cse-cic-ids2018'] = res
        log(f'cross 2017->2018: {summary(res)}')
        if mlcve is not None:
            res, _ = trainer.binary_eval(imp, mlcve)
            cross['cic-ids2017-mlcve'] = res
            log(f'cross 2017 improved -> 2017 original extraction: {summary(res)}')
        variants = {}
        res_o, _ = other.binary_eval(imp, c18)
        variants[f'cse-cic-ids2018 ({other_name})'] = summary(res_o)
        log(f'cross 2017->2018 ({other_name}): {summary(res_o)}')
        evaluations['cross_dataset'] = {
            'other_feature_set': variants,
            'description': 'Fitted on CIC-IDS2017 improved only; tested on CSE-CIC-IDS2018 (other network, other year, other '
                           'CICFlowMeter version) and on the original CIC-IDS2017 MachineLearningCVE extraction',
            'results': cross}

    # shipped models: all of CIC-IDS2017 improved + CSE-CIC-IDS2018
    train = concat(imp, c18)
    log(f'fitting shipped models on {len(train.y)} flows')
    t0 = time.time()
    rf, xb, xf = trainer.rf(train), trainer.xgb_binary(train), trainer.xgb_family(train)
    log(f'fitted in {time.time() - t0:.1f}s')
    with open(os.path.join(args.out, 'rf_binary.json'), 'w', encoding='utf-8') as f:
        json.dump(export_random_forest(rf), f, separators=(',', ':'))
    xb.get_booster().save_model(os.path.join(args.out, 'xgb_binary.json'))
    xf.get_booster().save_model(os.path.join(args.out, 'xgb_family.json'))
    pool = concat(*flows.values())
    pool.x = trainer.X(pool)
    write_parity_sample(os.path.join(args.out, 'parity-sample.json'), ids, rf, xb, xf, pool)

    card = {
        'name': 'ddos-shield flow IDS', 'version': '1.0.0',
        'created_at': dt.datetime.now(dt.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
        'frameworks': {'scikit-learn': sklearn.__version__, 'xgboost': xgb.__version__, 'numpy': np.__version__},
        'data': {'sources': DATASETS, 'deduplication': dedup,
                 'training_rows': int(len(train.y)), 'training_attacks': int(train.y.sum()),
                 'training_labels': {k: int(v) for k, v in zip(*np.unique(train.label, return_counts=True))}},
        'features': {'feature_set': args.feature_set, 'model_features': ids, 'count': len(ids),
                     'accepted_not_used': list(UNUSED_FEATURES) + [i for i in all_ids if i not in ids],
                     'non_finite_value': NON_FINITE_VALUE,
                     'non_finite_policy': f'inf, -inf, NaN, null and empty values are replaced by {NON_FINITE_VALUE:g} before scoring, in training and at run time'},
        'models': {'rf_binary': 'rf_binary.json', 'xgb_binary': 'xgb_binary.json', 'xgb_family': 'xgb_family.json'},
        'families': FAMILIES,
        'ensemble': {'binary': 'mean of random_forest and xgboost attack probabilities', 'threshold': 0.5,
                     'family': 'xgboost multi:softprob, reported next to the binary decision'},
        'hyper_parameters': hp, 'evaluations': evaluations,
        'transfer_work': [
            'Timing features (durations, inter-arrival times, rates, active/idle periods, bulk rates) depend on the speed and load '
            'of the capture network. Leaving them out is the change that raised the CIC-IDS2017 -> CSE-CIC-IDS2018 figure most; '
            'the cross-dataset and within-dataset tables above show both feature sets side by side.',
            'Tried and not kept: dropping the features that best separate the benign flows of the two datasets (adversarial '
            'validation; top ones: Subflow Fwd Pkts, Fwd Byts/b Avg, FIN/SYN Flag Cnt, Flow Pkts/s). In an exploratory '
            'XGBoost-only run ROC-AUC moved from 0.72 to 0.75 (top 3 dropped) and 0.73 (top 6): noise-level gains.',
            'Deduplication and the non-finite policy are the same for every dataset; no per-dataset rescaling is needed by trees.',
        ],
        'seed_claims': {'random_forest': {'accuracy': 0.877, 'roc_auc': 0.955, 'inference_ms': 36.25},
                        'xgboost': {'accuracy': 0.876, 'roc_auc': 0.951, 'inference_ms': 6.97},
                        'ensemble': {'accuracy': 0.885, 'roc_auc': 0.960, 'inference_ms': 43},
                        'split': 'unknown'},
    }
    with open(os.path.join(args.out, 'model_card.json'), 'w', encoding='utf-8') as f:
        json.dump(card, f, indent=1)
    write_model_card(os.path.join(args.out, 'MODEL_CARD.md'), card)
    log('done')


def write_parity_sample(path: str, ids: list[str], rf, xb, xf, pool: Flows, n: int = 240, n_missing: int = 40) -> None:
    rng = np.random.default_rng(11)
    idx = rng.choice(len(pool.y), size=n, replace=False)
    x = pool.x[idx]
    xm = pool.x[rng.choice(len(pool.y), size=n_missing, replace=False)].copy()
    xm[rng.random(xm.shape) < 0.3] = np.nan  # exercises default_left; XGBoost only (sklearn 1.2 trees reject NaN)
    dm, dmm = xgb.DMatrix(x, missing=np.nan), xgb.DMatrix(xm, missing=np.nan)
    sample = {
        'description': 'Rows as fed to the models (after the non-finite policy) and the frameworks\' own outputs',
        'features': ids,
        'rows': x.tolist(),
        'random_forest_proba': rf.predict_proba(x).tolist(),
        'xgb_binary': [float(v) for v in xb.get_booster().predict(dm)],
        'xgb_family': [[float(v) for v in row] for row in xf.get_booster().predict(dm)],
        'missing_rows': [[None if np.isnan(v) else float(v) for v in row] for row in xm],
        'missing_xgb_binary': [float(v) for v in xb.get_booster().predict(dmm)],
        'missing_xgb_family': [[float(v) for v in row] for row in xf.get_booster().predict(dmm)],
    }
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(sample, f, separators=(',', ':'))


if __name__ == '__main__':
    main()
