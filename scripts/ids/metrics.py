"""Held-out metrics: binary (ROC-AUC, PR-AUC, FPR at fixed recall, per original label) and family."""
from __future__ import annotations

import math

import numpy as np
from sklearn.metrics import average_precision_score, classification_report, confusion_matrix, roc_auc_score


def r(v: float, nd: int = 5):
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else round(float(v), nd)


def fpr_at_recall(y: np.ndarray, p: np.ndarray, recall: float):
    pos = np.sort(p[y == 1])[::-1]
    neg = p[y == 0]
    if len(pos) == 0 or len(neg) == 0:
        return None
    k = max(1, math.ceil(recall * len(pos)))
    t = pos[k - 1]
    return float(np.mean(neg >= t))


def binary_metrics(y: np.ndarray, p: np.ndarray, labels: np.ndarray, threshold=0.5) -> dict:
    """`threshold` is a number or one threshold per row (thresholds tuned per fold)."""
    pred = (p >= threshold).astype(np.int32)
    both = len(np.unique(y)) == 2
    tp = int(np.sum((pred == 1) & (y == 1)))
    fp = int(np.sum((pred == 1) & (y == 0)))
    fn = int(np.sum((pred == 0) & (y == 1)))
    tn = int(np.sum((pred == 0) & (y == 0)))
    per_label = {}
    for lab in sorted(set(labels.tolist())):
        m = labels == lab
        per_label[lab] = {'n': int(m.sum()), 'flagged_as_attack': r(float(np.mean(pred[m])), 4)}
    return {
        'n': int(len(y)), 'attacks': int(y.sum()), 'benign': int(len(y) - y.sum()),
        'roc_auc': r(roc_auc_score(y, p)) if both else None,
        'pr_auc': r(average_precision_score(y, p)) if both else None,
        'fpr_at_recall_0.95': r(fpr_at_recall(y, p, 0.95)),
        'fpr_at_recall_0.99': r(fpr_at_recall(y, p, 0.99)),
        'threshold': float(threshold) if np.isscalar(threshold) else 'tuned per held-out day',
        'accuracy': r((tp + tn) / len(y), 4),
        'precision': r(tp / (tp + fp), 4) if tp + fp else None,
        'recall': r(tp / (tp + fn), 4) if tp + fn else None,
        'fpr': r(fp / (fp + tn), 4) if fp + tn else None,
        'per_label': per_label,
    }


def family_metrics(y_true: np.ndarray, y_pred: np.ndarray, classes: list[str]) -> dict:
    present = sorted(set(y_true.tolist()) | set(y_pred.tolist()))
    rep = classification_report(y_true, y_pred, labels=present, output_dict=True, zero_division=0)
    per = {c: {'precision': r(rep[c]['precision'], 4), 'recall': r(rep[c]['recall'], 4),
               'f1': r(rep[c]['f1-score'], 4), 'support': int(rep[c]['support'])} for c in present}
    cm = confusion_matrix(y_true, y_pred, labels=classes)
    return {'accuracy': r(float(np.mean(y_true == y_pred)), 4), 'macro_f1': r(rep['macro avg']['f1-score'], 4),
            'per_family': per, 'confusion': {'labels': classes, 'matrix': cm.tolist()}}


def per_family_auc(y: np.ndarray, p: np.ndarray, family: np.ndarray, threshold, unseen: np.ndarray) -> dict:
    """Per attack family: ROC-AUC of its flows against all benign flows, recall at the threshold(s), and how many
    of its flows belonged to a held-out day on which the family was absent from training."""
    benign = y == 0
    pred = p >= threshold
    out = {}
    for fam in sorted(set(family[y == 1].tolist())):
        m = (family == fam) & (y == 1)
        both = m | benign
        out[fam] = {'n': int(m.sum()), 'roc_auc': r(roc_auc_score(y[both], p[both])), 'recall': r(float(np.mean(pred[m])), 4),
                    'unseen_in_training': int((m & unseen).sum())}
    out['benign'] = {'n': int(benign.sum()), 'fpr': r(float(np.mean(pred[benign])), 4)}
    return out
