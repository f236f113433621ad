"""Exports a fitted sklearn RandomForestClassifier to the compact JSON read by src/ml/random-forest.ts.

Format (all arrays per tree, indexed by node id; a leaf has feature -1):
  {"format": "sklearn-random-forest", "version": 1, "n_features": F, "n_classes": C, "classes": [...],
   "trees": [{"feature": [...], "threshold": [...], "left": [...], "right": [...],
              "value": [C numbers per node, leaf class probabilities; internal nodes 0]}]}
Leaf values are normalised exactly as DecisionTreeClassifier.predict_proba does (value / sum), so
the forest probability is the in-order sum over trees divided by the tree count, as in sklearn.
"""
from __future__ import annotations

import numpy as np


def _num(v: float):
    f = float(v)
    return int(f) if f.is_integer() and abs(f) < 2**53 else f


def export_random_forest(rf) -> dict:
    trees = []
    for est in rf.estimators_:
        t = est.tree_
        leaf = t.children_left == -1
        values = t.value[:, 0, :].astype(np.float64)
        sums = values.sum(axis=1, keepdims=True)
        sums[sums == 0.0] = 1.0
        probs = values / sums
        probs[~leaf] = 0.0
        trees.append({
            'feature': [int(f) if not lf else -1 for f, lf in zip(t.feature, leaf)],
            'threshold': [_num(th) if not lf else 0 for th, lf in zip(t.threshold, leaf)],
            'left': [int(c) for c in t.children_left],
            'right': [int(c) for c in t.children_right],
            'value': [_num(v) for v in probs.reshape(-1)],
        })
    return {'format': 'sklearn-random-forest', 'version': 1, 'n_features': int(rf.n_features_in_),
            'n_classes': int(rf.n_classes_), 'classes': [c.item() if hasattr(c, 'item') else c for c in rf.classes_],
            'trees': trees}
