#!/usr/bin/env python3
"""Neighbour purity of embeddings of a planted-partition graph (sgd_compare walks --random).

For a fixed sample of nodes (--sample, seeded), the k nearest other nodes by cosine similarity;
the score is the fraction of them in the sample node's own community (--labels file: "node
community" per line). Random vectors score ~1/communities; embeddings that learned the graph's
structure score near the fraction of each node's walk neighbourhood inside its community. A
quality figure without a link-prediction split, identical for any two embedding files of the same
nodes. Prints one JSON line.
"""

import argparse
import json

import numpy as np
import pandas as pd


def read_w2v(path):
    with open(path) as f:
        count, dim = (int(x) for x in f.readline().split())
    df = pd.read_csv(path, sep=" ", skiprows=1, header=None, dtype={0: str}, engine="c")
    keys = df.iloc[:, 0].astype(str).to_numpy()
    vecs = df.iloc[:, 1:dim + 1].to_numpy(dtype=np.float32)
    if len(keys) != count:
        raise SystemExit(f"{path}: header says {count} rows, file has {len(keys)}")
    return keys, vecs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("embeddings")
    ap.add_argument("--labels", required=True)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--sample", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    keys, x = read_w2v(a.embeddings)
    labels = dict(line.split() for line in open(a.labels))
    y = np.array([labels[k] for k in keys])
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    # Sample by key order, so two files with the same nodes score the same sample.
    order = np.argsort(keys.astype(np.int64)) if all(k.isdigit() for k in keys[:100]) else np.argsort(keys)
    rng = np.random.default_rng(a.seed)
    sample = order[rng.choice(len(keys), size=min(a.sample, len(keys)), replace=False)]
    hits = 0
    for lo in range(0, len(sample), 256):
        q = sample[lo:lo + 256]
        sim = x[q] @ x.T
        sim[np.arange(len(q)), q] = -np.inf  # not itself
        top = np.argpartition(-sim, a.k, axis=1)[:, :a.k]
        hits += int((y[top] == y[q][:, None]).sum())
    print(json.dumps({"embeddings": a.embeddings, "k": a.k, "sample": int(len(sample)),
                      "purity": round(hits / (len(sample) * a.k), 4)}))


if __name__ == "__main__":
    main()
