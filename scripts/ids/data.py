"""Loading CICFlowMeter CSVs into the canonical feature schema (src/ids/feature-schema.json).

Preprocessing here must stay identical to src/ids/features.ts and src/ids/model.ts:
every value that is not a finite number (inf, -inf, NaN, empty) becomes NON_FINITE_VALUE, then the
features listed in LOWER_BOUNDS are raised to their bound (model.ts reads the bounds from the card).
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

SCHEMA_PATH = os.path.join(os.path.dirname(__file__), '..', '..', 'src', 'ids', 'feature-schema.json')
NON_FINITE_VALUE = -1.0
# Accepted by the API, not used by the model: Dst Port is absent from the cleaned CSE-CIC-IDS2018
# release (and port numbers are a shortcut that does not transfer); Protocol is absent from the
# CIC-IDS2017 MachineLearningCVE release.
UNUSED_FEATURES = ('dst_port', 'protocol')

# The two CICFlowMeter releases write "no window seen" (UDP, or no packet in that direction)
# differently: -1 in CSE-CIC-IDS2018, 0 in the improved CIC-IDS2017. Both are read as 0.
LOWER_BOUNDS = {'init_fwd_win_byts': 0.0, 'init_bwd_win_byts': 0.0}

# Columns whose meaning differs between the CICFlowMeter releases (checked on the data, see the model card):
# the original release (CSE-CIC-IDS2018) writes subflow counts equal to the flow totals, bulk features as 0,
# TCP flag counts as 0/1 and Pkt Len Mean as total bytes / (n + 1) packets, where the improved release writes
# per-subflow values, real bulk values, flag counts and bytes / n. Pkt Len Std / Var go with that mean;
# Pkt Size Avg (bytes / n in both) repeats the totals and goes with them.
EXTRACTOR_DEPENDENT = (
    'subflow_fwd_pkts', 'subflow_fwd_byts', 'subflow_bwd_pkts', 'subflow_bwd_byts',
    'fwd_byts_b_avg', 'fwd_pkts_b_avg', 'bwd_byts_b_avg', 'bwd_pkts_b_avg',
    'fin_flag_cnt', 'syn_flag_cnt', 'rst_flag_cnt', 'psh_flag_cnt', 'ack_flag_cnt', 'urg_flag_cnt', 'cwe_flag_count',
    'ece_flag_cnt', 'fwd_psh_flags', 'bwd_psh_flags', 'fwd_urg_flags', 'bwd_urg_flags',
    'pkt_len_mean', 'pkt_len_std', 'pkt_len_var', 'pkt_size_avg',
)

FAMILIES = ['benign', 'bruteforce', 'botnet', 'ddos', 'dos', 'exploit', 'portscan', 'web']


def normalize_name(name: str) -> str:
    return re.sub(r'[^a-z0-9]', '', name.lower())


def load_schema():
    with open(SCHEMA_PATH, encoding='utf-8') as f:
        feats = json.load(f)['features']
    lookup = {}
    for feat in feats:
        for spelling in [feat['id'], feat['name'], *feat['aliases']]:
            key = normalize_name(spelling)
            if lookup.get(key, feat['id']) != feat['id']:
                raise ValueError(f'spelling {spelling!r} maps to two features')
            lookup[key] = feat['id']
    return feats, lookup


def model_feature_ids() -> list[str]:
    feats, _ = load_schema()
    return [f['id'] for f in feats if f['id'] not in UNUSED_FEATURES]


def is_timing_feature(fid: str) -> bool:
    """Durations, inter-arrival times, rates, active/idle periods: they depend on the network's speed and load."""
    return ('iat' in fid or fid.endswith('_s') or 'duration' in fid or fid.startswith('active_')
            or fid.startswith('idle_') or 'blk_rate' in fid)


FEATURE_SETS = {
    'all': lambda ids: list(ids),
    'no-timing': lambda ids: [i for i in ids if not is_timing_feature(i)],
    'portable': lambda ids: [i for i in ids if not is_timing_feature(i) and i not in EXTRACTOR_DEPENDENT],
}


def apply_lower_bounds(x: np.ndarray, ids: list[str]) -> np.ndarray:
    """Raises the LOWER_BOUNDS columns of a cleaned matrix (columns in `ids` order) to their bound."""
    out = x.copy()
    for j, fid in enumerate(ids):
        if fid in LOWER_BOUNDS:
            out[:, j] = np.maximum(out[:, j], LOWER_BOUNDS[fid])
    return out


def family_of(label: str) -> str:
    s = label.lower()
    if 'benign' in s:
        return 'benign'
    if 'web' in s:
        return 'web'
    if 'portscan' in s:
        return 'portscan'
    if 'ddos' in s:
        return 'ddos'
    if 'dos' in s:
        return 'dos'
    if 'patator' in s or 'bruteforce' in s or 'brute force' in s:
        return 'bruteforce'
    if 'bot' in s:
        return 'botnet'
    if 'infiltration' in s or 'heartbleed' in s:
        return 'exploit'
    raise ValueError(f'unknown label {label!r}')


def to_canonical(df: pd.DataFrame) -> pd.DataFrame:
    """Renames known spellings to canonical ids, keeps Label, drops every other column."""
    _, lookup = load_schema()
    rename, keep = {}, []
    for col in df.columns:
        key = normalize_name(col)
        if key == 'label':
            rename[col] = 'label'
            keep.append(col)
        elif key in lookup and lookup[key] not in rename.values():
            rename[col] = lookup[key]
            keep.append(col)
    out = df[keep].rename(columns=rename)
    return out


def clean_features(df: pd.DataFrame, ids: list[str]) -> np.ndarray:
    x = np.empty((len(df), len(ids)), dtype=np.float64)
    for j, fid in enumerate(ids):
        col = pd.to_numeric(df[fid], errors='coerce').to_numpy(dtype=np.float64) if fid in df else np.full(len(df), np.nan)
        col = np.where(np.isfinite(col), col, NON_FINITE_VALUE)
        x[:, j] = col
    return x


@dataclass
class Flows:
    x: np.ndarray          # float64, model features, cleaned
    label: np.ndarray      # original label strings
    family: np.ndarray     # family strings
    y: np.ndarray          # 1 = attack
    dataset: np.ndarray    # dataset folder name
    day: np.ndarray        # capture day (yyyy-mm-dd) or ''
    ts: np.ndarray         # float seconds since epoch, NaN when unknown


DAY_RE = re.compile(r'(\d{2})-(\d{2})-(\d{4})')


def load_folder(folder: str, dataset: str) -> pd.DataFrame:
    frames = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith('.csv'):
            continue
        raw = pd.read_csv(os.path.join(folder, name), low_memory=False)
        ts = pd.to_datetime(raw['Timestamp'], errors='coerce') if 'Timestamp' in raw else None
        df = to_canonical(raw)
        df['label'] = df['label'].astype(str).str.strip()
        df['dataset'] = dataset
        if ts is not None:
            df['day'] = ts.dt.strftime('%Y-%m-%d').fillna('')
            df['ts'] = ts.astype('int64') / 1e9
        else:
            m = DAY_RE.search(name)
            df['day'] = f'{m.group(3)}-{m.group(2)}-{m.group(1)}' if m else ''
            df['ts'] = np.nan
        df['source_file'] = name
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


def to_flows(df: pd.DataFrame, ids: list[str]) -> Flows:
    labels = df['label'].to_numpy(dtype=object)
    fam = np.array([family_of(s) for s in labels], dtype=object)
    return Flows(
        x=clean_features(df, ids), label=labels, family=fam, y=(fam != 'benign').astype(np.int32),
        dataset=df['dataset'].to_numpy(dtype=object), day=df['day'].to_numpy(dtype=object),
        ts=df['ts'].to_numpy(dtype=np.float64),
    )


def deduplicate(df: pd.DataFrame, ids: list[str]) -> tuple[pd.DataFrame, dict]:
    """Drops exact duplicates of (model features, label) and feature vectors seen with two labels."""
    x = pd.DataFrame(clean_features(df, ids), columns=ids)
    x['label'] = df['label'].to_numpy()
    n0 = len(x)
    dup = x.duplicated(keep='first')
    x1 = x[~dup]
    conflicted = x1.duplicated(subset=ids, keep=False)
    kept_index = x1.index[~conflicted.to_numpy()]
    stats = {'rows_in': int(n0), 'exact_duplicates': int(dup.sum()),
             'conflicting_label_rows': int(conflicted.sum()), 'rows_out': int(len(kept_index))}
    return df.loc[kept_index].reset_index(drop=True), stats


def subset(f: Flows, mask: np.ndarray) -> Flows:
    return Flows(f.x[mask], f.label[mask], f.family[mask], f.y[mask], f.dataset[mask], f.day[mask], f.ts[mask])
