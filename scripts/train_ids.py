#!/usr/bin/python3
"""Trains and evaluates the flow IDS models (RandomForest + XGBoost) and exports them to JSON.

Usage: /usr/bin/python3 scripts/train_ids.py --data ../shared/data/flows --out models/ids [--quick] [--skip-eval]

Protocol (see models/ids/MODEL_CARD.md, written by this script):
  * identifier columns dropped (flow id, IPs, ports, timestamps), every dataset deduplicated on the
    model features before any split, feature vectors seen with two labels removed;
  * held-out evaluations: temporal split inside each CIC-IDS2017 capture day; nested leave-one-capture-day-out
    over the 7 capture days of both datasets (feature set and decision threshold chosen on the training days
    only, scripts/ids/evaluate.py); CIC-IDS2017 -> CSE-CIC-IDS2018 cross-dataset;
  * the shipped models are then fitted on all of CIC-IDS2017 (improved) and CSE-CIC-IDS2018, with the
    feature set and threshold chosen by the same rule on leave-one-day-out predictions of all 7 days.
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
from ids.data import (EXTRACTOR_DEPENDENT, FAMILIES, FEATURE_SETS, LOWER_BOUNDS, NON_FINITE_VALUE, UNUSED_FEATURES, Flows,  # noqa: E402
                      apply_lower_bounds, deduplicate, load_folder, model_feature_ids, subset, to_flows)
from ids.evaluate import nested_leave_one_day_out, report, tune_threshold  # noqa: E402
from ids.export import export_random_forest  # noqa: E402
from ids.metrics import binary_metrics, family_metrics  # noqa: E402
from ids.card import write_model_card  # noqa: E402

DATASETS = {
    'cic-ids2017-improved': 'CIC-IDS2017, improved re-extraction (Engelen et al. WTMC 2021; Liu et al. CNS 2022)',
    'cse-cic-ids2018': 'CSE-CIC-IDS2018, cleaned naming, two capture days (Sharafaldin et al. ICISSP 2018)',
    'cic-ids2017-mlcve': 'CIC-IDS2017, original MachineLearningCVE extraction (Sharafaldin et al. ICISSP 2018)',
}


# Candidates compared inside the nested protocol (feature set, RandomForest overrides), the first winning ties.
CANDIDATE_SPECS = {
    'portable': {'feature_set': 'portable', 'random_forest': {}},
    'portable-deep': {'feature_set': 'portable', 'random_forest': {'max_depth': None, 'min_samples_leaf': 1}},
    'no-timing': {'feature_set': 'no-timing', 'random_forest': {}},
}
CANDIDATES = list(CANDIDATE_SPECS)


def hyper(quick: bool) -> dict:
    return {
        'sample_weights': 'per capture day: benign flows and attack flows weigh half the day each (all of it for a day '
                          'without attacks); every day weighs the same',
        'random_forest': {'n_estimators': 12 if quick else 60, 'max_depth': 14, 'min_samples_leaf': 3,
                          'max_features': 'sqrt', 'random_state': 7},
        'xgboost_binary': {'n_estimators': 60 if quick else 200, 'max_depth': 4, 'learning_rate': 0.07,
                           'subsample': 0.8, 'colsample_bytree': 0.8, 'min_child_weight': 1,
                           'tree_method': 'hist', 'objective': 'binary:logistic', 'random_state': 7},
        'xgboost_family': {'n_estimators': 15 if quick else 30, 'max_depth': 5, 'learning_rate': 0.3,
                           'subsample': 0.8, 'colsample_bytree': 0.8, 'tree_method': 'hist',
                           'objective': 'multi:softprob', 'random_state': 7},
    }


def day_weights(f: Flows) -> np.ndarray:
    """Sample weights: each capture day weighs the same; inside a day, benign and attack flows weigh half each."""
    w = np.zeros(len(f.y))
    for d in sorted(set(f.day.tolist())):
        ben = (f.day == d) & (f.y == 0)
        att = (f.day == d) & (f.y == 1)
        share = 0.5 if ben.any() and att.any() else 1.0
        if ben.any():
            w[ben] = share / ben.sum()
        if att.any():
            w[att] = share / att.sum()
    return w * len(w) / w.sum()


class Trainer:
    """Fits the three model kinds on one feature set (columns of Flows.x, lower bounds applied)."""

    def __init__(self, hp: dict, all_ids: list[str], candidate: str):
        spec = CANDIDATE_SPECS[candidate]
        feature_set = spec['feature_set']
        self.hp = {**hp, 'random_forest': {**hp['random_forest'], **spec['random_forest']}}
        self.candidate = candidate
        self.feature_set = feature_set
        self.ids = FEATURE_SETS[feature_set](all_ids)
        self.cols = [all_ids.index(i) for i in self.ids]

    def X(self, f: Flows) -> np.ndarray:
        return apply_lower_bounds(f.x[:, self.cols], self.ids)

    def rf(self, f: Flows):
        m = RandomForestClassifier(n_jobs=2, **self.hp['random_forest'])
        m.fit(self.X(f), f.y, sample_weight=day_weights(f))
        m.n_jobs = 1  # deterministic summation order when predicting, as src/ml/random-forest.ts does
        return m

    def xgb_binary(self, f: Flows):
        m = xgb.XGBClassifier(n_jobs=2, **self.hp['xgboost_binary'])
        m.fit(self.X(f), f.y, sample_weight=day_weights(f))
        return m

    def xgb_family(self, f: Flows):
        y = np.array([FAMILIES.index(s) for s in f.family])
        m = xgb.XGBClassifier(n_jobs=2, **self.hp['xgboost_family'])
        m.fit(self.X(f), y, sample_weight=day_weights(f))
        return m

    def probs(self, train: Flows, test: Flows) -> dict:
        rf, xg = self.rf(train), self.xgb_binary(train)
        p_rf = rf.predict_proba(self.X(test))[:, 1]
        p_xg = xg.predict_proba(self.X(test))[:, 1].astype(np.float64)
        return {'random_forest': p_rf, 'xgboost': p_xg, 'ensemble': (p_rf + p_xg) / 2}

    def binary_eval(self, train: Flows, test: Flows, threshold: float = 0.5) -> dict:
        probs = self.probs(train, test)
        return {k: binary_metrics(test.y, v, test.label, threshold) for k, v in probs.items()}


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


T0 = time.time()


def log(msg: str) -> None:
    print(f'[train_ids {time.time() - T0:6.0f}s] {msg}', file=sys.stderr, flush=True)


def lodo_threshold(trainer: Trainer, data: Flows) -> tuple[float, np.ndarray]:
    """Threshold tuned on leave-one-day-out ensemble predictions over the days of `data`."""
    p = np.zeros(len(data.y))
    for d in sorted(set(data.day.tolist())):
        held = data.day == d
        p[held] = trainer.probs(subset(data, ~held), subset(data, held))['ensemble']
    return tune_threshold(data.y, p), p


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data', default='../shared/data/flows', help='folder holding the dataset folders')
    ap.add_argument('--out', default='models/ids', help='output folder for models and the model card')
    ap.add_argument('--quick', action='store_true', help='few trees, for a smoke run')
    ap.add_argument('--skip-eval', action='store_true', help='fit and export the shipped models only (feature set --feature-set, threshold 0.5)')
    ap.add_argument('--candidate', choices=CANDIDATES, default=None,
                    help='force the shipped candidate (default: the one chosen by leave-one-day-out among %s)' % ', '.join(CANDIDATES))
    args = ap.parse_args()
    hp = hyper(args.quick)
    all_ids = model_feature_ids()
    trainers = {c: Trainer(hp, all_ids, c) for c in CANDIDATES}
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
    both = concat(imp, c18)

    evaluations: dict = {}
    chosen = args.candidate or CANDIDATES[0]
    threshold, threshold_note = 0.5, 'not tuned (--skip-eval)'
    if not args.skip_eval:
        # 1. nested leave-one-day-out over both datasets (feature set and threshold chosen on training days only)
        log('nested leave-one-day-out: one fit per candidate and pair of days, then per candidate and day')
        res = nested_leave_one_day_out(both, CANDIDATES, lambda c, a, b: trainers[c].probs(a, b), log)
        rep = report(both, res)
        evaluations['leave_one_day_out'] = {
            'description': 'Each of the 7 capture days (5 of CIC-IDS2017 improved, 2 of CSE-CIC-IDS2018) held out in turn. On the 6 '
                           'other days only, an inner leave-one-day-out run compares the candidate feature sets '
                           f"({', '.join(CANDIDATES)}: feature set and RandomForest depth; inner pooled ROC-AUC) and tunes the decision threshold (Youden's J on the inner "
                           'predictions); the chosen set is fitted on the 6 days and scores the held-out day at that threshold. '
                           'Predictions of the 7 held-out days are pooled. The held-out day takes no part in fitting, feature choice '
                           'or threshold.',
            'candidates': CANDIDATES, **rep}
        pooled = rep['pooled']['ensemble']
        log(f"nested leave-one-day-out pooled: ROC-AUC {pooled['roc_auc']} PR-AUC {pooled['pr_auc']}; per candidate "
            f"{ {c: v['roc_auc'] for c, v in rep['per_candidate_lodo'].items()} }")
        # the shipped model: the same rule on all 7 days (their leave-one-day-out predictions are its validation)
        lodo_auc = {c: rep['per_candidate_lodo'][c]['roc_auc'] or 0.0 for c in CANDIDATES}
        if args.candidate is None:
            chosen = max(CANDIDATES, key=lambda c: (lodo_auc[c], -CANDIDATES.index(c)))
        threshold = tune_threshold(both.y, res['per_candidate'][chosen]['ensemble'])
        threshold_note = (f"Youden's J (recall - false-positive rate) on the leave-one-day-out ensemble predictions of the 7 "
                          f'training days with the `{chosen}` candidate')
        log(f'shipped candidate {chosen}, threshold {threshold:.4f}')
    trainer = trainers[chosen]
    feature_set = trainer.feature_set

    if not args.skip_eval:
        # 2. temporal split inside each capture day (CIC-IDS2017 improved carries timestamps)
        tr, te = temporal_split(imp)
        a, b = subset(imp, tr), subset(imp, te)
        res_t = trainer.binary_eval(a, b)
        fam = trainer.xgb_family(a)
        fam_pred = np.array(FAMILIES)[np.argmax(fam.predict_proba(trainer.X(b)), axis=1)]
        evaluations['temporal_2017'] = {
            'description': 'CIC-IDS2017 improved: per capture day and label, the earliest 70% of flows (by timestamp) train, the latest 30% test',
            'train_rows': int(len(a.y)), 'test_rows': int(len(b.y)), 'binary': res_t,
            'family_xgboost': family_metrics(b.family, fam_pred, FAMILIES)}
        log(f'temporal: {summary(res_t)["ensemble"]}')

        # 3. cross-dataset: CIC-IDS2017 improved -> CSE-CIC-IDS2018 (and the original 2017 extraction); threshold
        #    tuned on leave-one-day-out predictions over the 2017 days only
        cross, other = {}, {}
        thr17, _ = lodo_threshold(trainer, imp)
        log(f'cross-dataset threshold (2017 days only): {thr17:.4f}')
        targets = [('cse-cic-ids2018', c18)] + ([('cic-ids2017-mlcve', mlcve)] if mlcve is not None else [])
        for name, target in targets:
            probs = trainer.probs(imp, target)
            cross[name] = {k: binary_metrics(target.y, v, target.label) for k, v in probs.items()}
            cross[name]['ensemble_tuned'] = binary_metrics(target.y, probs['ensemble'], target.label, thr17)
            log(f'cross 2017 -> {name}: {summary(cross[name])["ensemble"]}')
        for c in CANDIDATES:
            if c != chosen:
                other[f'cse-cic-ids2018 ({c})'] = summary(trainers[c].binary_eval(imp, c18))
        evaluations['cross_dataset'] = {
            'candidate': chosen, 'threshold_2017_days': round(thr17, 6), 'other_feature_set': other,
            'description': 'Fitted on CIC-IDS2017 improved only; tested on CSE-CIC-IDS2018 (other network, other year, other '
                           'CICFlowMeter release) and on the original CIC-IDS2017 MachineLearningCVE extraction. `ensemble_tuned` '
                           'uses a threshold tuned on leave-one-day-out predictions over the CIC-IDS2017 days only',
            'results': cross}

    # shipped models: all of CIC-IDS2017 improved + CSE-CIC-IDS2018
    train = both
    log(f'fitting shipped models on {len(train.y)} flows ({len(trainer.ids)} features, {chosen})')
    t0 = time.time()
    rf, xb, xf = trainer.rf(train), trainer.xgb_binary(train), trainer.xgb_family(train)
    log(f'fitted in {time.time() - t0:.1f}s')
    with open(os.path.join(args.out, 'rf_binary.json'), 'w', encoding='utf-8') as f:
        json.dump(export_random_forest(rf), f, separators=(',', ':'))
    xb.get_booster().save_model(os.path.join(args.out, 'xgb_binary.json'))
    xf.get_booster().save_model(os.path.join(args.out, 'xgb_family.json'))
    write_parity_sample(os.path.join(args.out, 'parity-sample.json'), trainer, rf, xb, xf, concat(*flows.values()))

    bounds = {k: v for k, v in LOWER_BOUNDS.items() if k in trainer.ids}
    card = {
        'name': 'ddos-shield flow IDS', 'version': '1.1.0',
        'created_at': dt.datetime.now(dt.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
        'frameworks': {'scikit-learn': sklearn.__version__, 'xgboost': xgb.__version__, 'numpy': np.__version__},
        'data': {'sources': DATASETS, 'deduplication': dedup,
                 'training_rows': int(len(train.y)), 'training_attacks': int(train.y.sum()),
                 'training_labels': {k: int(v) for k, v in zip(*np.unique(train.label, return_counts=True))}},
        'features': {'feature_set': feature_set, 'model_features': trainer.ids, 'count': len(trainer.ids),
                     'accepted_not_used': list(UNUSED_FEATURES) + [i for i in all_ids if i not in trainer.ids],
                     'extractor_dependent': [i for i in EXTRACTOR_DEPENDENT if i not in trainer.ids],
                     'non_finite_value': NON_FINITE_VALUE,
                     'lower_bounds': bounds,
                     'non_finite_policy': f'inf, -inf, NaN, null and empty values are replaced by {NON_FINITE_VALUE:g} before scoring, in training and at run time'
                                          + (f"; then {', '.join(bounds)} below {min(bounds.values()):g} are raised to {min(bounds.values()):g} "
                                             '(one release writes -1, the other 0, for "no window seen")' if bounds else '')},
        'models': {'rf_binary': 'rf_binary.json', 'xgb_binary': 'xgb_binary.json', 'xgb_family': 'xgb_family.json'},
        'families': FAMILIES,
        'ensemble': {'binary': 'mean of random_forest and xgboost attack probabilities', 'candidate': chosen, 'threshold': round(threshold, 6),
                     'threshold_selection': threshold_note,
                     'family': 'xgboost multi:softprob, reported next to the binary decision'},
        'hyper_parameters': trainer.hp, 'candidates': CANDIDATE_SPECS, 'evaluations': evaluations,
        'transfer_work': TRANSFER_WORK,
        'seed_claims': {'random_forest': {'accuracy': 0.877, 'roc_auc': 0.955, 'inference_ms': 36.25},
                        'xgboost': {'accuracy': 0.876, 'roc_auc': 0.951, 'inference_ms': 6.97},
                        'ensemble': {'accuracy': 0.885, 'roc_auc': 0.960, 'inference_ms': 43},
                        'split': 'unknown'},
    }
    with open(os.path.join(args.out, 'model_card.json'), 'w', encoding='utf-8') as f:
        json.dump(card, f, indent=1)
    write_model_card(os.path.join(args.out, 'MODEL_CARD.md'), card)
    log('done')


TRANSFER_WORK = [
    'Timing features (durations, inter-arrival times, rates, active/idle periods, bulk rates) depend on the speed and load '
    'of the capture network; they are left out of every candidate feature set.',
    'Columns that the two CICFlowMeter releases compute differently were found by checking each release against its own '
    'definitions, without labels: in CSE-CIC-IDS2018 (original release) the subflow counts equal the flow totals, the bulk '
    'features are always 0, the TCP flag counts are 0/1 and Pkt Len Mean is the total bytes over n + 1 packets (in 82% of '
    'flows); the improved CIC-IDS2017 release writes per-subflow values, real bulk values, flag counts and bytes over n. The '
    '`portable` feature set leaves these columns out, with Pkt Len Std / Var, which go with that mean, and Pkt Size Avg '
    '(bytes over n in both releases, so only a repeat of the totals; adding the mean over n back: 0.986 vs 0.989).',
    'The initial window sizes are -1 in one release and 0 in the other when no window was seen (UDP, or no packet in that '
    'direction); both are read as 0 (lower bound 0, applied in training and at run time).',
    'Sample weights make every capture day weigh the same, benign and attack flows half of a day each, so the large '
    'CIC-IDS2017 attack days do not drown the two CSE-CIC-IDS2018 days.',
    'Tried on plain leave-one-day-out runs and not kept (pooled ensemble ROC-AUC, one seed): derived ratios (mean packet '
    'length from the totals, backward/forward packet and byte ratios, header bytes per packet; 0.982 vs 0.989), ExtraTrees '
    'instead of the RandomForest (0.984), shallower trees (RF depth 10, XGBoost depth 3: 0.980 vs 0.986), balancing attack '
    'families inside a day (0.972 vs 0.975), dropping the initial window sizes and header lengths (0.953 and 0.949 vs 0.972), '
    'more trees with a lower learning rate (RF 100 + XGBoost 300 at 0.05: 0.988 vs 0.988, three seeds). A log transform of '
    'heavy-tailed features only moves split points between two observed values (0.9713 vs 0.9716): tree splits are '
    'invariant to monotone transforms. Monotone constraints were not tried.',
    'How far to trust the figures: the candidate list, the sample weights and the hyper-parameters were settled during '
    'development on plain leave-one-day-out runs over these same 7 days; only the choice between the candidates (feature set; '
    'RandomForest depth 14 with 3 flows per leaf, or unlimited with 1) and the threshold are made inside the nested protocol. The pooled figure moves by about ±0.003 with the random seed '
    '(plain leave-one-day-out over three seeds: 0.9836 to 0.9906 for `portable`, 0.9868 to 0.9915 for `portable-deep`), '
    'so the goal of 0.99 is met by a margin of the size of that spread.',
]


def write_parity_sample(path: str, trainer: Trainer, rf, xb, xf, pool: Flows, n: int = 240, n_missing: int = 40) -> None:
    """Rows before and after the lower bounds, and the frameworks' own outputs on the bounded rows."""
    rng = np.random.default_rng(11)
    raw = pool.x[:, trainer.cols]
    idx = rng.choice(len(pool.y), size=n, replace=False)
    inputs = raw[idx]
    x = apply_lower_bounds(inputs, trainer.ids)
    xm = x[rng.choice(n, size=n_missing, replace=False)].copy()
    xm[rng.random(xm.shape) < 0.3] = np.nan  # exercises default_left; XGBoost only (sklearn 1.2 trees reject NaN)
    dm, dmm = xgb.DMatrix(x, missing=np.nan), xgb.DMatrix(xm, missing=np.nan)
    sample = {
        'description': '`input_rows`: rows after the non-finite policy, as the API builds them; `rows`: the same after the '
                       'lower bounds, as fed to the models; then the frameworks\' own outputs on `rows`',
        'features': trainer.ids,
        'input_rows': inputs.tolist(),
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
