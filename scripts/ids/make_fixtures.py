#!/usr/bin/python3
"""Cuts the small test fixtures under test/ids/fixtures/ from the public flow datasets.

Usage: /usr/bin/python3 scripts/ids/make_fixtures.py --data ../shared/data/flows --out test/ids/fixtures
Rows are copied verbatim (original headers and values), a few per file, chosen deterministically.
"""
import argparse
import csv
import os

PICKS = {
    'cse-cic-ids2018-sample.csv': [
        ('cse-cic-ids2018/DDoS1-Tuesday-20-02-2018_TrafficForML_CICFlowMeter.csv', 12),
        ('cse-cic-ids2018/Bruteforce-Wednesday-14-02-2018_TrafficForML_CICFlowMeter.csv', 12),
    ],
    'cic-ids2017-improved-sample.csv': [
        ('cic-ids2017-improved/BENIGN_5000.csv', 8), ('cic-ids2017-improved/DoS_Hulk_5000.csv', 4),
        ('cic-ids2017-improved/Portscan_5000.csv', 4), ('cic-ids2017-improved/SSH-Patator_2961.csv', 4),
    ],
    'cic-ids2017-mlcve-sample.csv': [('cic-ids2017-mlcve/ids2017_sample.csv', 24)],
}


def take(path, n):
    """The header, then n rows spread evenly over the file, plus up to two rows with a non-finite value."""
    with open(path, newline='', encoding='utf-8') as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    step = max(1, len(body) // n)
    picked = body[::step][:n]
    extra = [r for r in body[:2000] if any(v.strip().lower() in ('infinity', 'inf', 'nan', '') for v in r)][:2]
    return header, picked + [r for r in extra if r not in picked]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default='../shared/data/flows')
    ap.add_argument('--out', default='test/ids/fixtures')
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name, sources in PICKS.items():
        header, rows = None, []
        for src, n in sources:
            h, r = take(os.path.join(args.data, src), n)
            header = header or h
            if h != header:
                raise SystemExit(f'{src}: header differs from the first file')
            rows += r
        with open(os.path.join(args.out, name), 'w', newline='', encoding='utf-8') as f:
            w = csv.writer(f, lineterminator='\n')
            w.writerow(header)
            w.writerows(rows)
        print(name, len(rows))


if __name__ == '__main__':
    main()
