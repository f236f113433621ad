"""Held-out protocols of the flow IDS: nested leave-one-capture-day-out, threshold tuning, unseen families.

Nested leave-one-day-out: each capture day is held out in turn. On the other days only, an inner
leave-one-day-out run scores every candidate feature set; the best one (inner pooled ROC-AUC) is
fitted on those days and scores the held-out day, at a threshold tuned on the same inner run. The
held-out day takes no part in fitting, in the choice of features or in the threshold.
A model fitted on all days but {a, b} serves both as inner fold b of outer day a and as inner fold a
of outer day b, so the whole protocol needs one fit per pair of days and one per day and candidate.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
from sklearn.metrics import roc_auc_score, roc_curve

from .data import Flows, subset
from .metrics import binary_metrics, per_family_auc, r

Probs = dict[str, np.ndarray]


def tune_threshold(y: np.ndarray, p: np.ndarray) -> float:
    """The threshold that maximises recall - false-positive rate (Youden's J) on validation predictions."""
    if len(np.unique(y)) < 2:
        return 0.5
    fpr, tpr, thr = roc_curve(y, p)
    best = int(np.argmax(tpr - fpr))
    t = float(thr[best])
    return float(min(max(t, 1e-6), 1 - 1e-6))


def pooled_auc(y: np.ndarray, p: np.ndarray):
    return r(roc_auc_score(y, p)) if len(np.unique(y)) == 2 else None


class DayFits:
    """Caches binary fits keyed by (candidate, held-out days); `fit_predict(name, train, test)` returns probabilities."""

    def __init__(self, data: Flows, fit_predict: Callable[[str, Flows, Flows], Probs], log: Callable[[str], None]):
        self.data = data
        self.fit_predict = fit_predict
        self.log = log
        self.cache: dict[tuple[str, frozenset], Probs] = {}
        self.done = 0
        self.total = 0

    def held_out(self, name: str, held: frozenset) -> Probs:
        """Probabilities for the rows of the days in `held`, by a model fitted on every other day."""
        key = (name, held)
        if key not in self.cache:
            mask = np.isin(self.data.day, list(held))
            self.cache[key] = self.fit_predict(name, subset(self.data, ~mask), subset(self.data, mask))
            self.done += 1
            self.log(f'fit {self.done}/{self.total}: {name}, days held out {", ".join(sorted(held))}')
        return self.cache[key]

    def rows_of(self, held: frozenset, day: str) -> np.ndarray:
        """Positions of `day`'s rows inside the prediction arrays of a fit that held out `held`."""
        days = self.data.day[np.isin(self.data.day, list(held))]
        return np.where(days == day)[0]


def nested_leave_one_day_out(data: Flows, candidates: list[str], fit_predict, log) -> dict:
    days = sorted(set(data.day.tolist()))
    fits = DayFits(data, fit_predict, log)
    fits.total = len(candidates) * (len(days) + len(days) * (len(days) - 1) // 2)
    outer_probs = {c: {k: np.zeros(len(data.y)) for k in ('random_forest', 'xgboost', 'ensemble')} for c in candidates}
    per_day, chosen, thresholds = {}, {}, {}
    for d in days:
        inner_days = [e for e in days if e != d]
        inner = {}
        for c in candidates:
            ys, ps = [], []
            for e in inner_days:
                pair = frozenset((d, e))
                probs = fits.held_out(c, pair)
                idx = fits.rows_of(pair, e)
                ys.append(data.y[data.day == e])
                ps.append(probs['ensemble'][idx])
            y_in, p_in = np.concatenate(ys), np.concatenate(ps)
            inner[c] = {'roc_auc': pooled_auc(y_in, p_in), 'threshold': tune_threshold(y_in, p_in), 'y': y_in, 'p': p_in}
        best = max(candidates, key=lambda c: (inner[c]['roc_auc'] or 0.0, -candidates.index(c)))
        chosen[d], thresholds[d] = best, inner[best]['threshold']
        held = data.day == d
        for c in candidates:
            probs = fits.held_out(c, frozenset((d,)))
            for k in outer_probs[c]:
                outer_probs[c][k][held] = probs[k]
        per_day[d] = {'inner_roc_auc': {c: inner[c]['roc_auc'] for c in candidates}, 'chosen': best,
                      'threshold': r(thresholds[d], 6)}
        log(f'outer day {d}: inner ROC-AUC {per_day[d]["inner_roc_auc"]}, chosen {best}, threshold {thresholds[d]:.4f}')
    # pooled nested predictions: each day scored by the candidate chosen without it
    nested = {k: np.zeros(len(data.y)) for k in ('random_forest', 'xgboost', 'ensemble')}
    thr_rows = np.zeros(len(data.y))
    for d in days:
        held = data.day == d
        for k in nested:
            nested[k][held] = outer_probs[chosen[d]][k][held]
        thr_rows[held] = thresholds[d]
    return {'days': days, 'chosen': chosen, 'thresholds': thresholds, 'per_day': per_day,
            'nested': nested, 'threshold_rows': thr_rows, 'per_candidate': outer_probs}


def unseen_families(data: Flows, days: list[str]) -> dict[str, list[str]]:
    """Per day, the attack families present that day and absent from every other day."""
    out = {}
    for d in days:
        held = data.day == d
        seen = set(data.family[~held & (data.y == 1)].tolist())
        out[d] = sorted(set(data.family[held & (data.y == 1)].tolist()) - seen)
    return out


def report(data: Flows, res: dict) -> dict:
    """Per day and pooled metrics of the nested predictions, with and without attack families unseen in training."""
    days = res['days']
    unseen = unseen_families(data, days)
    unseen_row = np.zeros(len(data.y), dtype=bool)
    for d in days:
        unseen_row |= (data.day == d) & np.isin(data.family, unseen[d])
    ens, thr = res['nested']['ensemble'], res['threshold_rows']

    def block(mask: np.ndarray) -> dict:
        y, labels = data.y[mask], data.label[mask]
        out = {}
        for k, p in res['nested'].items():
            out[k] = binary_metrics(y, p[mask], labels, threshold=0.5)
        out['ensemble_tuned'] = binary_metrics(y, ens[mask], labels, threshold=thr[mask])
        return out

    per_day = {}
    for d in days:
        held = data.day == d
        h = subset(data, held)
        entry = dict(res['per_day'][d])
        entry.update({'dataset': str(h.dataset[0]), 'labels': sorted(set(h.label.tolist())), 'rows': int(held.sum()),
                      'unseen_families': unseen[d], 'binary': block(held)})
        if unseen[d]:
            entry['binary_seen_families_only'] = block(held & ~unseen_row)
        per_day[d] = entry
    everything = np.ones(len(data.y), dtype=bool)
    candidates = {c: binary_metrics(data.y, v['ensemble'], data.label) for c, v in res['per_candidate'].items()}
    return {
        'pooled': block(everything),
        'pooled_seen_families_only': block(~unseen_row),
        'unseen_attack_rows': int(unseen_row.sum()),
        'per_family': per_family_auc(data.y, ens, data.family, thr, unseen_row),
        'per_day': per_day,
        'per_candidate_lodo': candidates,
    }
