#!/usr/bin/env python3
"""Recompute n2v's evaluation figures with scikit-learn and assert agreement.

Inputs are what bench/eval_crosscheck/eval_dump writes: node.json (labelled nodes, labels, the
train split of every repeat, n2v's micro/macro-F1 per repeat) with the embeddings file it names,
and link.json (training and test pairs, n2v's AUCs) with residual.w2v.txt beside it. scikit-learn
gets the same data and the same splits and does the rest itself:

  node  OneVsRestClassifier(LogisticRegression(solver='liblinear', C, tol)) fit on the train
        split, predict_proba on the rest, top-k decoding (k = the node's true label count, ties to
        the lower label index), f1_score(average='micro' / 'macro') on indicator matrices over
        all labels (MultiLabelBinarizer's columns), scikit-learn's default zero_division.
  link  roc_auc_score of cosine similarity, and of LogisticRegression(solver='liblinear')
        predict_proba on each edge operator's features (Hadamard, average, |u-v|, (u-v)^2).

Every figure must agree within --tol (default 0.01). Prints a side-by-side table; exit 1 on any
disagreement.
"""

import argparse
import json
import os
import sys
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, roc_auc_score
from sklearn.multiclass import OneVsRestClassifier


def read_w2v(path):
    with open(path, encoding="utf-8") as f:
        count, dim = (int(x) for x in f.readline().split())
        keys, rows = [], []
        for line in f:
            parts = line.split()
            if not parts:
                continue
            keys.append(parts[0])
            rows.append([float(x) for x in parts[1:]])
    X = np.asarray(rows, dtype=np.float64).reshape(len(keys), dim)
    assert len(keys) == count, f"{path}: header says {count} rows, file has {len(keys)}"
    return keys, X


def topk_decode(proba, ks):
    pred = np.zeros(proba.shape, dtype=np.int64)
    for i, k in enumerate(ks):
        pred[i, np.argsort(-proba[i], kind="stable")[:k]] = 1
    return pred


def node_figures(d):
    keys, X = read_w2v(d["embeddings"])
    row = {k: i for i, k in enumerate(keys)}
    X = X[[row[k] for k in d["nodes"]]]
    L = len(d["label_names"])
    Y = np.zeros((len(d["nodes"]), L), dtype=np.int64)
    for i, ls in enumerate(d["node_labels"]):
        Y[i, ls] = 1
    micro, macro = [], []
    for train in d["train_splits"]:
        train = np.asarray(train)
        test = np.setdiff1d(np.arange(len(X)), train)
        clf = OneVsRestClassifier(LogisticRegression(solver="liblinear", C=d["C"], tol=d["tol"]))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", UserWarning)  # a label absent from the train split
            clf.fit(X[train], Y[train])
            proba = clf.predict_proba(X[test])
            pred = topk_decode(proba, Y[test].sum(axis=1))
            micro.append(f1_score(Y[test], pred, average="micro"))
            macro.append(f1_score(Y[test], pred, average="macro"))
    return {"micro_f1": micro, "macro_f1": macro}


def link_figures(d, folder):
    _, X = read_w2v(os.path.join(folder, d["embeddings"]))  # row = node id
    P = {k: np.asarray(d[k], dtype=np.int64).reshape(-1, 2)
         for k in ("train_edges", "train_non_edges", "test_edges", "test_non_edges")}
    ops = {
        "hadamard": lambda a, b: a * b,
        "average": lambda a, b: (a + b) / 2,
        "l1": lambda a, b: np.abs(a - b),
        "l2": lambda a, b: (a - b) ** 2,
    }
    test = np.vstack([P["test_edges"], P["test_non_edges"]])
    y_test = np.r_[np.ones(len(P["test_edges"])), np.zeros(len(P["test_non_edges"]))]
    train = np.vstack([P["train_edges"], P["train_non_edges"]])
    y_train = np.r_[np.ones(len(P["train_edges"])), np.zeros(len(P["train_non_edges"]))]
    a, b = X[test[:, 0]], X[test[:, 1]]
    na, nb = np.linalg.norm(a, axis=1), np.linalg.norm(b, axis=1)
    cos = np.where((na > 0) & (nb > 0), (a * b).sum(axis=1) / np.maximum(na * nb, 1e-300), 0.0)
    out = {"cosine": roc_auc_score(y_test, cos)}
    for name, op in ops.items():
        clf = LogisticRegression(solver="liblinear")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(op(X[train[:, 0]], X[train[:, 1]]), y_train)
        out[name] = roc_auc_score(y_test, clf.predict_proba(op(a, b))[:, 1])
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--node", help="node.json from eval_dump node")
    ap.add_argument("--link", help="link.json from eval_dump link")
    ap.add_argument("--tol", type=float, default=0.01)
    ap.add_argument("--json-out", help="write the side-by-side figures here")
    args = ap.parse_args(argv)
    rows, bad = [], []

    def compare(name, ours, theirs):
        diff = abs(ours - theirs)
        rows.append((name, ours, theirs, diff))
        if not diff <= args.tol:
            bad.append(name)

    if args.node:
        with open(args.node, encoding="utf-8") as f:
            d = json.load(f)
        sk = node_figures(d)
        for r, (mi, ma) in enumerate(zip(d["n2v"]["micro_f1"], d["n2v"]["macro_f1"])):
            compare(f"node repeat {r} micro-F1", mi, sk["micro_f1"][r])
            compare(f"node repeat {r} macro-F1", ma, sk["macro_f1"][r])
        compare("node mean micro-F1", d["n2v"]["micro_mean"], float(np.mean(sk["micro_f1"])))
        compare("node mean macro-F1", d["n2v"]["macro_mean"], float(np.mean(sk["macro_f1"])))
    if args.link:
        with open(args.link, encoding="utf-8") as f:
            d = json.load(f)
        sk = link_figures(d, os.path.dirname(os.path.abspath(args.link)))
        for name in ("cosine", "hadamard", "average", "l1", "l2"):
            compare(f"link AUC {name}", d["n2v"][name], sk[name])
    if not rows:
        ap.error("give --node and/or --link")

    print(f"{'figure':28s} {'n2v':>8s} {'sklearn':>8s} {'|diff|':>9s}")
    for name, ours, theirs, diff in rows:
        print(f"{name:28s} {ours:8.4f} {theirs:8.4f} {diff:9.2e}")
    worst = max(r[3] for r in rows)
    print(f"max |diff| {worst:.2e} over {len(rows)} figures (tolerance {args.tol})")
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as f:
            json.dump([{"figure": n, "n2v": o, "sklearn": t, "diff": df} for n, o, t, df in rows],
                      f, indent=1)
    if bad:
        print("DISAGREE: " + ", ".join(bad), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
