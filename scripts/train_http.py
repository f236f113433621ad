#!/usr/bin/python3
"""Trains the HTTP detector's two stages from the dataset built by scripts/http/build-dataset.ts.

Stage 1: logistic regression on standardised log1p(features) -> models/http/stage1.json.
Stage 2: XGBoost (binary:logistic) on the raw features -> models/http/model.json (XGBoost JSON).
Writes models/http/MODEL_CARD.md (data, features, hyper-parameters, held-out metrics by scenario)
and models/http/parity.json (a held-out sample with XGBoost's and scikit-learn's own predictions).

Usage: /usr/bin/python3 scripts/train_http.py [--data data/train-http/dataset.csv] [--out models/http]
"""
import argparse
import datetime
import json
import os
import sys

import numpy as np
import pandas as pd
import sklearn
import xgboost as xgb
from sklearn.linear_model import LogisticRegression

ap = argparse.ArgumentParser()
ap.add_argument('--data', default='data/train-http/dataset.csv')
ap.add_argument('--out', default='models/http')
ap.add_argument('--min-requests', type=int, default=8, help='scores are acted on from this request on (config minRequestsForScore)')
ap.add_argument('--seed', type=int, default=7)
args = ap.parse_args()

df = pd.read_csv(args.data)
meta = ['label', 'scenario', 'split', 'source', 'client', 'n']
features = [c for c in df.columns if c not in meta]
print(f'{len(df)} rows, {len(features)} features', file=sys.stderr)
train = df[df.split == 'train'].reset_index(drop=True)
test = df[df.split == 'test'].reset_index(drop=True)

# Every scenario carries the same total weight (the WorldCup log would otherwise dominate),
# and benign and attack halves weigh the same.
def weights(d):
    w = np.ones(len(d))
    per = d.groupby('scenario').size()
    for s, n in per.items():
        w[(d.scenario == s).values] = 1.0 / n
    for lab in (0, 1):
        m = (d.label == lab).values
        w[m] *= 0.5 / w[m].sum()
    return w * len(d)

wtr = weights(train)
Xtr = train[features].values.astype(np.float64)
ytr = train.label.values
Xte = test[features].values.astype(np.float64)
yte = test.label.values

# ---- stage 1
Ltr = np.log1p(np.maximum(Xtr, 0))
mean = Ltr.mean(axis=0)
scale = Ltr.std(axis=0)
scale[scale == 0] = 1
lr = LogisticRegression(C=1.0, max_iter=2000)
lr.fit((Ltr - mean) / scale, ytr, sample_weight=wtr)
def stage1(X):
    return lr.predict_proba((np.log1p(np.maximum(X, 0)) - mean) / scale)[:, 1]
s1tr = stage1(Xtr)
att = (ytr == 1) & (train.n.values >= args.min_requests)
# Escalate to stage 2 from the stage-1 score that keeps 99.5% of the training attack rows.
escalate = float(np.quantile(s1tr[att], 0.005))

# ---- stage 2
params = dict(objective='binary:logistic', max_depth=5, learning_rate=0.1, subsample=0.8,
              colsample_bytree=0.8, min_child_weight=5, reg_lambda=1.0, tree_method='hist', eval_metric='logloss', seed=args.seed)
# More of these never makes a client look less like an attack (keeps the trees sane beyond the training range).
MONOTONE_UP = {'rate_1s', 'rate_10s', 'rate_60s', 'burst_ratio', 'peak_10s', 'error_ratio', 'not_found_ratio', 'query_unique_ratio'}
params['monotone_constraints'] = '(' + ','.join('1' if f in MONOTONE_UP else '0' for f in features) + ')'
rounds = 200
dtr = xgb.DMatrix(Xtr, label=ytr, weight=wtr, feature_names=features)
booster = xgb.train(params, dtr, num_boost_round=rounds)
def stage2(X):
    return booster.predict(xgb.DMatrix(X, feature_names=features))

os.makedirs(args.out, exist_ok=True)
booster.save_model(os.path.join(args.out, 'model.json'))
version = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%MZ')
with open(os.path.join(args.out, 'stage1.json'), 'w') as f:
    json.dump({'features': features, 'mean': mean.tolist(), 'scale': scale.tolist(), 'weights': lr.coef_[0].tolist(),
               'bias': float(lr.intercept_[0]), 'escalateAt': escalate, 'version': f'stage1-{version}'}, f, indent=1)

# ---- held-out evaluation (the policy's default thresholds)
TH = {'challenge': 0.7, 'throttle': 0.9, 'block': 0.98}
s1te = stage1(Xte)
s2te = stage2(Xte)
final = np.where(s1te >= escalate, s2te, 0.0)  # below escalateAt stage 1 only screens: no action
acted = test.n.values >= args.min_requests
test = test.assign(score=np.where(acted, final, 0.0))

def scenario_table(d):
    lines = ['| scenario | label | clients | rows | rows ≥ challenge | rows ≥ block | clients challenged+ | clients blocked | median request # at first flag |', '|---|---|---|---|---|---|---|---|---|']
    for s, g in d.groupby('scenario'):
        flagged = g[g.score >= TH['challenge']]
        blocked = g[g.score >= TH['block']]
        first = flagged.groupby('client').n.min()
        nclients = g.client.nunique()
        lines.append(f"| {s} | {'attack' if g.label.iloc[0] == 1 else 'benign'} | {nclients} | {len(g)} | {100 * len(flagged) / len(g):.2f}% | {100 * len(blocked) / len(g):.2f}% | "
                     f"{100 * flagged.client.nunique() / nclients:.1f}% | {100 * blocked.client.nunique() / nclients:.1f}% | {first.median() if len(first) else '-'} |")
    return '\n'.join(lines)

from sklearn.metrics import roc_auc_score, average_precision_score
auc2 = roc_auc_score(yte, s2te)
auc1 = roc_auc_score(yte, s1te)
ap2 = average_precision_score(yte, s2te)
benign_escalated = float(np.mean(s1te[yte == 0] >= escalate))
table = scenario_table(test)
print(table, file=sys.stderr)
print(f'AUC stage1 {auc1:.4f} stage2 {auc2:.4f}; escalateAt {escalate:.4f}; benign rows escalated {benign_escalated:.3%}', file=sys.stderr)

# ---- parity sample: our TypeScript must reproduce these to 1e-6
rng = np.random.default_rng(args.seed)
idx = rng.choice(len(Xte), size=400, replace=False)
with open(os.path.join(args.out, 'parity.json'), 'w') as f:
    json.dump({'features': features, 'rows': Xte[idx].tolist(), 'stage1': stage1(Xte[idx]).tolist(),
               'stage2': stage2(Xte[idx]).astype(float).tolist(),
               'stage2Margin': booster.predict(xgb.DMatrix(Xte[idx], feature_names=features), output_margin=True).astype(float).tolist()}, f)

imp = booster.get_score(importance_type='gain')
top = sorted(imp.items(), key=lambda kv: -kv[1])[:12]
coef = sorted(zip(features, lr.coef_[0]), key=lambda kv: -abs(kv[1]))
counts = df.groupby(['split', 'scenario']).agg(rows=('label', 'size'), clients=('client', 'nunique')).reset_index()

counts_md = '| split | scenario | rows | clients |\n|---|---|---|---|\n' + '\n'.join(f'| {r.split} | {r.scenario} | {r.rows} | {r.clients} |' for r in counts.itertuples())
card = f"""# HTTP detector model card

Trained {version} by `npm run train:http` (scripts/http/build-dataset.ts, then scripts/train_http.py),
XGBoost {xgb.__version__}, scikit-learn {sklearn.__version__}.

## What it scores

One row per request of a client: the {len(features)} behaviour features of src/detect/features/names.ts,
computed by the detector's own feature code on the stream's own clock (no train/serve skew).
Label 1 when the client belongs to an attack scenario, for every one of its requests.
Scores are acted on from a client's request #{args.min_requests} on; the evaluation below does the same.

## Data

- **Real benign traffic**: NASA Kennedy Space Center web log, 1 Aug 1995 (30,969 requests,
  2,365 hosts) and a 200,000-request sample of one FIFA World Cup 1998 day (17,506 clients),
  from the Internet Traffic Archive. These logs record time, method, URL, status and size but no
  request headers nor protocol version: each host is given one browser's headers (a fixed real
  User-Agent per host, Accept, Accept-Encoding, Accept-Language, Sec-Fetch-Mode, Connection; no
  cookie, no referer) and HTTP/1.1 (src/detect/replay/observation.ts, the same code `replay` uses). Hosts are split 80/20
  train/test by a hash of the host. The WorldCup sample is a random sample of the day, so
  per-client rates in it are lower than the real ones.
- **Synthetic streams** (scripts/http/scenarios.ts), generated in-process, *not* captured
  from a network: browser sessions (pages with up to 30 assets within 200 ms, think times,
  session cookies, referers), sixty people behind one office NAT address, polite crawlers, an API
  poller, mobile-app API clients (bursts of 3-15 calls at 4-20/s, few headers), people fetching
  5-40 pages with curl or python-requests at 1-8/s; attacks: single-source flood (30-400 req/s), distributed flood (400 sources at 1-5 req/s
  each, mostly full browser headers), cache busting with random queries and rotating agents,
  404 scanning, login brute force, low-and-slow (0.3-2 req/s per source, regular timing), on-off
  bursts. Header profiles are either script-like or copied browser headers. Train and test use
  different random seeds (different sources, rates, paths, timing).
- Rows per client are sampled (every request up to #20, then every 5th to #100, every 25th to #2000).

{counts_md}

## Stage 1 (models/http/stage1.json)

Logistic regression (scikit-learn, C=1, class and scenario balanced weights) on standardised
log1p(features); score = sigmoid(bias + sum of weight x standardised value); each term is the
feature's contribution. Escalation to stage 2 at stage-1 score >= {escalate:.4f}, the value that keeps
99.5% of the training attack rows; {benign_escalated:.2%} of held-out benign rows reach stage 2.
Largest weights: {', '.join(f'{n} {w:+.2f}' for n, w in coef[:10])}.

## Stage 2 (models/http/model.json)

XGBoost `binary:logistic`, {rounds} rounds, {json.dumps({k: v for k, v in params.items() if k not in ('objective', 'eval_metric', 'monotone_constraints')})},
same weights; monotone (never lowering the score as they grow): {', '.join(sorted(MONOTONE_UP))}. Top features by gain: {', '.join(f'{n} {g:.1f}' for n, g in top)}.

## Held-out metrics (test split), default policy thresholds

A client is scored by stage 2 when its stage-1 score reaches escalateAt; below it, stage 1 has screened it out and no threshold applies. ROC-AUC stage 1 {auc1:.4f},
stage 2 {auc2:.4f}; PR-AUC stage 2 {ap2:.4f}. Thresholds: challenge >= {TH['challenge']}, throttle >= {TH['throttle']}, block >= {TH['block']}.

{table}

The test split comes from the same generators with another seed and from hosts of the same
logs: these figures show that the model learnt the scenarios, not that it generalises to other
attacks or sites; the traffic lab (docs/BENCHMARKS.md) measures that end to end.

Not covered by these figures: the site-wide surge rule (global features) that catches distributed
floods whose sources look individually benign; the challenge; real attack tools on a real network
(the traffic lab measures those end to end).

## Limits

- TLS fingerprints and geolocation are not features: the gateway does not terminate TLS and ships no geo database.
- Benign header features come from synthetic sessions and an assumed browser profile for log hosts, not from captured headers.
- The model has seen no traffic from the site it protects: run `ddos-shield replay` on your own logs in shadow mode first.

Parity: models/http/parity.json holds {len(idx)} held-out rows with XGBoost's and scikit-learn's predictions;
test/detect/parity.test.ts checks the TypeScript scores against them to 1e-6.
"""
with open(os.path.join(args.out, 'MODEL_CARD.md'), 'w') as f:
    f.write(card)
print(f'wrote {args.out}/model.json, stage1.json, parity.json, MODEL_CARD.md', file=sys.stderr)
