"""Writes MODEL_CARD.md from the model card dictionary (numbers never copied by hand)."""
from __future__ import annotations


def _f(v, nd=4):
    return '—' if v is None else f'{v:.{nd}f}'


def _binary_table(res: dict) -> list[str]:
    out = ['| model | ROC-AUC | PR-AUC | FPR @ recall 0.95 | FPR @ recall 0.99 | accuracy @ threshold | recall @ threshold | FPR @ threshold |',
           '|---|---|---|---|---|---|---|---|']
    for name, m in res.items():
        name = f'{name} (tuned threshold)' if name == 'ensemble_tuned' else f'{name} (0.5)'
        out.append(f"| {name} | {_f(m['roc_auc'])} | {_f(m['pr_auc'])} | {_f(m['fpr_at_recall_0.95'])} | "
                   f"{_f(m['fpr_at_recall_0.99'])} | {_f(m['accuracy'])} | {_f(m['recall'])} | {_f(m['fpr'])} |")
    return out


def _per_label(per: dict) -> list[str]:
    out = ['| label | flows | flagged as attack @ 0.5 |', '|---|---|---|']
    out += [f"| {k} | {v['n']} | {_f(v['flagged_as_attack'])} |" for k, v in per.items()]
    return out


def _tuned(m: dict) -> str:
    return f"{_f(m['recall'])} / {_f(m['fpr'])}"


def _summary(card: dict) -> list[str]:
    ev = card.get('evaluations', {})
    if not ev:
        return []
    thr = card['ensemble']['threshold']
    out = ['## Summary (served ensemble, held-out)', '',
           '| evaluation | ROC-AUC | PR-AUC | FPR @ recall 0.95 | recall / FPR @ tuned threshold | recall / FPR @ 0.5 |',
           '|---|---|---|---|---|---|']

    def row(name, m, tuned=None):
        out.append(f"| {name} | {_f(m['roc_auc'])} | {_f(m['pr_auc'])} | {_f(m['fpr_at_recall_0.95'])} | "
                   f"{_tuned(tuned) if tuned else '—'} | {_tuned(m)} |")
    if 'leave_one_day_out' in ev:
        lo = ev['leave_one_day_out']
        row('**unseen capture days (nested leave one day out, pooled)**', lo['pooled']['ensemble'], lo['pooled']['ensemble_tuned'])
        row('&nbsp;&nbsp;same, attack families absent from training left out', lo['pooled_seen_families_only']['ensemble'],
            lo['pooled_seen_families_only']['ensemble_tuned'])
        for d, v in lo['per_day'].items():
            e = v['binary']
            if e['ensemble']['roc_auc'] is not None:
                row(f"&nbsp;&nbsp;held-out day {d}" + (f" (unseen: {', '.join(v['unseen_families'])})" if v['unseen_families'] else ''),
                    e['ensemble'], e['ensemble_tuned'])
            else:
                out.append(f"| &nbsp;&nbsp;held-out day {d} (benign only) | — | — | — | — / {_f(e['ensemble_tuned']['fpr'])} | — / {_f(e['ensemble']['fpr'])} |")
    if 'temporal_2017' in ev:
        row('later flows of the same capture days (CIC-IDS2017 temporal split)', ev['temporal_2017']['binary']['ensemble'])
    if 'cross_dataset' in ev:
        for k, v in ev['cross_dataset']['results'].items():
            row(f'unseen dataset: CIC-IDS2017 improved → {k}', v['ensemble'], v.get('ensemble_tuned'))
    days = [v['binary']['ensemble']['roc_auc'] for v in ev.get('leave_one_day_out', {}).get('per_day', {}).values()]
    days = [d for d in days if d is not None]
    met = sum(1 for d in days if d >= 0.99)
    pooled = ev.get('leave_one_day_out', {}).get('pooled', {}).get('ensemble', {}).get('roc_auc')
    return out + ['', f"Goal ROC-AUC ≥ 0.99 across capture days: pooled {_f(pooled, 5)} ({'met' if pooled and pooled >= 0.99 else 'not met'}); "
                  f"met for {met} of the {len(days)} held-out attack days. The served decision threshold is {thr:g} "
                  f"({card['ensemble']['threshold_selection']}); in the nested protocol each held-out day uses a threshold "
                  'tuned the same way on its 6 training days only.', '']


def _lodo(t: dict) -> list[str]:
    L = ['### Across capture days (nested leave one day out, both datasets)', '', t['description'], '',
         'Pooled over the 7 held-out days (`ensemble_tuned`: the ensemble at the threshold tuned for each held-out day on its training days):', '']
    L += _binary_table(t['pooled']) + ['', f"Without the {t['unseen_attack_rows']} attack flows whose family was absent from the "
                                       'training days of their held-out day:', ''] + _binary_table(t['pooled_seen_families_only'])
    L += ['', 'Each candidate alone (ensemble, leave one day out, pooled, threshold 0.5):', '']
    L += _binary_table(t['per_candidate_lodo'])
    L += ['', '| held-out day | dataset | labels | rows | attack families unseen in training | inner ROC-AUC per candidate | chosen | threshold | '
          'ROC-AUC | PR-AUC | FPR @ recall 0.95 | recall / FPR @ threshold | ROC-AUC without unseen families |',
          '|---|---|---|---|---|---|---|---|---|---|---|---|---|']
    for d, v in t['per_day'].items():
        e, tu = v['binary']['ensemble'], v['binary']['ensemble_tuned']
        seen = v.get('binary_seen_families_only', {}).get('ensemble', {}).get('roc_auc') if v['unseen_families'] else None
        inner = ', '.join(f'{k} {_f(a)}' for k, a in v['inner_roc_auc'].items())
        L.append(f"| {d} | {v['dataset']} | {', '.join(v['labels'])} | {v['rows']} | {', '.join(v['unseen_families']) or '—'} | {inner} | "
                 f"{v['chosen']} | {v['threshold']:.4f} | {_f(e['roc_auc'])} | {_f(e['pr_auc'])} | {_f(e['fpr_at_recall_0.95'])} | "
                 f"{_tuned(tu)} | {_f(seen)} |")
    L += ['', 'Per attack family (pooled held-out predictions; ROC-AUC of the family\'s flows against all benign flows; recall at the '
          'per-day tuned threshold; flows of a day on which the family was absent from training):', '',
          '| family | flows | ROC-AUC | recall @ tuned threshold | flows unseen in training |', '|---|---|---|---|---|']
    for k, v in t['per_family'].items():
        if k == 'benign':
            continue
        L.append(f"| {k} | {v['n']} | {_f(v['roc_auc'])} | {_f(v['recall'])} | {v['unseen_in_training']} |")
    b = t['per_family']['benign']
    L += ['', f"Benign flows: {b['n']}, false-positive rate at the tuned thresholds {_f(b['fpr'])}.", '',
          'Per original label (each predicted by the model that did not see its day):', '']
    tuned = t['pooled']['ensemble_tuned']['per_label']
    L += ['| label | flows | flagged as attack @ 0.5 | flagged @ tuned threshold |', '|---|---|---|---|']
    L += [f"| {k} | {v['n']} | {_f(v['flagged_as_attack'])} | {_f(tuned[k]['flagged_as_attack'])} |"
          for k, v in t['pooled']['ensemble']['per_label'].items()]
    return L + ['']


def write_model_card(path: str, card: dict) -> None:
    """Also runnable alone: python3 scripts/ids/card.py models/ids/model_card.json models/ids/MODEL_CARD.md"""
    ev = card['evaluations']
    L = [f"# Model card — {card['name']} {card['version']}", '',
         f"Generated by `npm run train:ids` (scripts/train_ids.py) on {card['created_at']} with "
         + ', '.join(f'{k} {v}' for k, v in card['frameworks'].items()) + '. The same content is served as JSON by `GET /model/info`.', '',
         '## What it does', '',
         'Scores one network flow described by CICFlowMeter features: probability that the flow is an attack '
         f"(mean of a RandomForest and an XGBoost model; attack when ≥ {card['ensemble']['threshold']:g}) and the most likely attack family "
         f"(XGBoost multi-class over {', '.join(card['families'])}). Inference runs in TypeScript from the JSON files "
         'in this folder (src/ml/), checked against the frameworks\' own predictions by a parity test.', '',
         ]
    L += _summary(card)
    L += ['## Data', '']
    for k, v in card['data']['sources'].items():
        d = card['data']['deduplication'].get(k, {})
        L.append(f"- `{k}` — {v}. Rows {d.get('rows_in')}, exact duplicates removed {d.get('exact_duplicates')}, "
                 f"rows whose features appear with two labels removed {d.get('conflicting_label_rows')}, kept {d.get('rows_out')}.")
    L += ['', f"Shipped models are fitted on CIC-IDS2017 improved + CSE-CIC-IDS2018 after deduplication: "
          f"{card['data']['training_rows']} flows, {card['data']['training_attacks']} attacks. The MachineLearningCVE sample is used for testing only.", '',
          'Identifier columns (`id`, `Flow ID`, `Src IP`, `Src Port`, `Dst IP`, `Timestamp`) and columns outside the '
          'canonical schema are dropped. Deduplication runs on the model features before any split.', '',
          '## Features', '',
          f"{card['features']['count']} model features, feature set `{card['features'].get('feature_set', 'all')}`: "
          f"{', '.join(card['features']['model_features'])} (src/ids/feature-schema.json gives the CSE-CIC-IDS2018 spelling and aliases of each). "
          f"The other schema features are accepted and ignored. "
          f"`Dst Port` and `Protocol` are accepted but not used: Dst Port is absent from the cleaned CSE-CIC-IDS2018 release and "
          f"port numbers are a shortcut that does not transfer; Protocol is absent from the MachineLearningCVE release. "
          "Timing features (durations, inter-arrival times, rates, active/idle periods) are left out because they depend on the "
          "capture network's speed and load. "
          + (f"Left out because the two CICFlowMeter releases compute them differently (see below): {', '.join(card['features']['extractor_dependent'])}. "
             if card['features'].get('extractor_dependent') else '')
          + f"{card['features']['non_finite_policy']}.", '',
          '## Hyper-parameters', '', '```json']
    import json
    L += [json.dumps(card['hyper_parameters'], indent=1), '```', '']
    if card.get('candidates'):
        L += [f"Shipped candidate: `{card['ensemble'].get('candidate')}`. Candidates compared by the nested protocol (feature set, "
              'RandomForest settings that differ from the above):', '']
        L += [f"- `{k}`: feature set `{v['feature_set']}`, RandomForest {json.dumps(v['random_forest']) if v['random_forest'] else 'as above'}"
              for k, v in card['candidates'].items()]
        L += ['']
    L += ['## Held-out results', '']
    if 'temporal_2017' in ev:
        t = ev['temporal_2017']
        L += ['### Temporal split inside each capture day (CIC-IDS2017 improved)', '', t['description'] + f" ({t['train_rows']} train / {t['test_rows']} test).", '']
        L += _binary_table(t['binary']) + ['']
        if 'binary_other_feature_set' in t:
            o = t['binary_other_feature_set']
            L += [f"Same split with the `{o['feature_set']}` feature set, for comparison:", ''] + _binary_table(o['results']) + ['']
        L += ['Per original label (ensemble):', ''] + _per_label(t['binary']['ensemble']['per_label']) + ['']
        fm = t['family_xgboost']
        L += [f"Attack family (XGBoost): accuracy {_f(fm['accuracy'])}, macro F1 {_f(fm['macro_f1'])}.", '',
              '| family | precision | recall | F1 | support |', '|---|---|---|---|---|']
        L += [f"| {k} | {_f(v['precision'])} | {_f(v['recall'])} | {_f(v['f1'])} | {v['support']} |" for k, v in fm['per_family'].items()]
        L += ['']
    if 'leave_one_day_out' in ev:
        L += _lodo(ev['leave_one_day_out'])
    if 'cross_dataset' in ev:
        t = ev['cross_dataset']
        L += ['### Across datasets', '', t['description'] + '.', '']
        for k, v in t['results'].items():
            L += [f'Tested on `{k}`:', ''] + _binary_table(v) + [''] + _per_label(v['ensemble']['per_label']) + ['']
        for k, v in t.get('other_feature_set', {}).items():
            L += [f'Tested on `{k}`:', ''] + _binary_table(v) + ['']
    if card.get('transfer_work'):
        L += ['### What was done to raise the across-day and cross-dataset figures', ''] + [f'- {x}' for x in card['transfer_work']] + ['']
    s = card['seed_claims']
    L += ['## Seed claims vs measured', '',
          f"The prototype's notes claimed accuracy {s['random_forest']['accuracy']} / ROC-AUC {s['random_forest']['roc_auc']} (RandomForest), "
          f"{s['xgboost']['accuracy']} / {s['xgboost']['roc_auc']} (XGBoost), ~{s['ensemble']['roc_auc']} for the ensemble, with "
          f"{s['random_forest']['inference_ms']} ms and {s['xgboost']['inference_ms']} ms per prediction, on an unknown split of unknown data. "
          'Those numbers cannot be reproduced or compared directly. The figures above are measured on the held-out splits described; '
          'inference time is in docs/BENCHMARKS.md (`npm run bench:ids`).', '',
          '## Limits', '',
          '- Two public lab datasets only; real networks differ. The cross-dataset rows show how much a model fitted on one lab loses on another.',
          '- Attacks of a kind never seen in training are detected only insofar as they look unlike the benign traffic seen.',
          '- The family model can only name families present in training (listed above).',
          '- Flows that carry no behaviour (e.g. two forward packets, no payload, no answer, as half of the LOIC-HTTP flows of '
          '2018-02-20) look like benign flows of the same shape; without timing or per-host context no flow model separates them.',
          f"- The threshold ({card['ensemble']['threshold']:g}) is tuned on the training days (see above), not per deployment; the "
          'FPR-at-recall columns show the trade-off. A deployment with its own labelled traffic should tune its own.', '']
    with open(path, 'w', encoding='utf-8') as f:
        f.write('\n'.join(L))


if __name__ == '__main__':
    import json
    import sys
    with open(sys.argv[1], encoding='utf-8') as f:
        write_model_card(sys.argv[2], json.load(f))
