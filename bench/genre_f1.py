#!/usr/bin/env python3
"""Genre prediction F1 for movie embeddings (the node-classification quality check).

Input: an embeddings file in word2vec text format keyed by movieId (first line "count dim",
then "movieId v1 ... vd"), and MovieLens movies.csv. Each embedded movie's labels are its
'|'-separated genres, '(no genres listed)' dropped; movies left with no genre are dropped.

Protocol (DeepWalk / node2vec node classification): one-vs-rest logistic regression
(scikit-learn, liblinear by default, default C = 1.0) on the raw embedding vectors, trained on
a random 50 % of the movies and tested on the rest, over R repeats (default 10) whose splits
are fixed by seeds seed, seed+1, ... over the movies sorted by movieId, so two embedding
files with the same movie set are scored on identical splits.

Two decodings of the classifier's output are reported, each as micro-F1 and macro-F1
(mean and sample standard deviation over the repeats):
  top-k      each test movie gets its k highest-probability genres, k = its true genre
             count (DeepWalk's TopKRanker, used by the node2vec paper). THE HEADLINE: it
             is the protocol behind the published BlogCatalog/PPI/Wikipedia figures.
  threshold  each genre whose one-vs-rest probability is > 0.5 (sklearn's predict()).
Macro-F1 averages over the genres present in the evaluated movie set; a genre with no
positive in a test split and no prediction scores 0 (zero_division=0).

Prints one JSON object (and writes it with --json-out).
"""

import argparse
import json
import sys
import warnings

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import ShuffleSplit
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import MultiLabelBinarizer

NO_GENRE = "(no genres listed)"


def read_w2v(path):
    """Read a word2vec text file; return (keys as str list, float64 matrix)."""
    with open(path, encoding="utf-8") as f:
        header = f.readline().split()
        if len(header) != 2:
            raise ValueError(f"{path}: first line must be 'count dim', got {header!r}")
        count, dim = int(header[0]), int(header[1])
        keys, rows = [], []
        for lineno, line in enumerate(f, start=2):
            parts = line.rstrip("\n").split(" ")
            if not parts or parts == [""]:
                continue
            if len(parts) != dim + 1:
                raise ValueError(f"{path}:{lineno}: expected {dim + 1} fields, got {len(parts)}")
            keys.append(parts[0])
            rows.append([float(x) for x in parts[1:]])
    if len(keys) != count:
        raise ValueError(f"{path}: header says {count} rows, file has {len(keys)}")
    return keys, np.asarray(rows, dtype=np.float64).reshape(len(keys), dim)


def load_labelled(emb_path, movies_csv):
    keys, X = read_w2v(emb_path)
    movies = pd.read_csv(movies_csv)
    genres_by_id = dict(zip(movies["movieId"].astype(int), movies["genres"].astype(str)))
    ids, labels, rows, unknown, unlabelled = [], [], [], [], 0
    for i, k in enumerate(keys):
        k2 = k[len("movie_"):] if k.startswith("movie_") else k
        try:
            mid = int(k2)
        except ValueError:
            unknown.append(k)
            continue
        if mid not in genres_by_id:
            unknown.append(k)
            continue
        g = [x for x in genres_by_id[mid].split("|") if x and x != NO_GENRE]
        if not g:
            unlabelled += 1
            continue
        ids.append(mid)
        labels.append(g)
        rows.append(i)
    order = np.argsort(np.asarray(ids), kind="stable")
    ids = [ids[i] for i in order]
    labels = [labels[i] for i in order]
    X = X[np.asarray(rows, dtype=np.int64)[order]]
    return ids, labels, X, unknown, unlabelled


def topk_decode(proba, ks):
    pred = np.zeros_like(proba, dtype=np.int64)
    for i, k in enumerate(ks):
        top = np.argsort(-proba[i], kind="stable")[:k]
        pred[i, top] = 1
    return pred


def evaluate(X, Y, repeats, seed, train_ratio, solver, C, max_iter):
    scores = {"topk": {"micro": [], "macro": []}, "threshold": {"micro": [], "macro": []}}
    for r in range(repeats):
        split = ShuffleSplit(n_splits=1, train_size=train_ratio, random_state=seed + r)
        tr, te = next(split.split(X))
        clf = OneVsRestClassifier(LogisticRegression(solver=solver, C=C, max_iter=max_iter))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", UserWarning)  # a genre absent from a train split
            clf.fit(X[tr], Y[tr])
            proba = clf.predict_proba(X[te])
        ks = Y[te].sum(axis=1)
        preds = {"topk": topk_decode(proba, ks), "threshold": (proba > 0.5).astype(np.int64)}
        for dec, pred in preds.items():
            for avg in ("micro", "macro"):
                scores[dec][avg].append(float(f1_score(Y[te], pred, average=avg,
                                                       zero_division=0)))
    out = {}
    for dec, d in scores.items():
        out[dec] = {}
        for avg, vals in d.items():
            a = np.asarray(vals)
            out[dec][avg] = {"mean": round(float(a.mean()), 4),
                             "sd": round(float(a.std(ddof=1)) if len(a) > 1 else 0.0, 4),
                             "values": [round(v, 4) for v in vals]}
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("embeddings", help="word2vec text file keyed by movieId")
    ap.add_argument("--movies", default=None,
                    help="movies.csv (default: data/ml-latest-small/movies.csv next to bench/)")
    ap.add_argument("--repeats", type=int, default=10, help="random 50/50 splits (default 10)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the first split (default 0)")
    ap.add_argument("--train-ratio", type=float, default=0.5)
    ap.add_argument("--solver", default="liblinear", choices=["liblinear", "lbfgs"])
    ap.add_argument("--C", type=float, default=1.0)
    ap.add_argument("--max-iter", type=int, default=1000)
    ap.add_argument("--baseline", action="store_true",
                    help="also score random Gaussian vectors of the same shape (chance level)")
    ap.add_argument("--json-out", default=None, help="also write the JSON here")
    args = ap.parse_args(argv)
    if args.movies is None:
        import os
        args.movies = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data",
                                   "ml-latest-small", "movies.csv")

    ids, labels, X, unknown, unlabelled = load_labelled(args.embeddings, args.movies)
    if len(ids) < 10:
        print(f"genre_f1: only {len(ids)} labelled movies in {args.embeddings}", file=sys.stderr)
        return 2
    mlb = MultiLabelBinarizer()
    Y = mlb.fit_transform(labels)
    res = {
        "embeddings": args.embeddings,
        "movies": len(ids),
        "dim": int(X.shape[1]),
        "skipped_unknown_keys": len(unknown),
        "skipped_no_genre": unlabelled,
        "genres": {g: int(c) for g, c in zip(mlb.classes_, Y.sum(axis=0))},
        "protocol": {"classifier": f"one-vs-rest LogisticRegression(solver={args.solver}, "
                                   f"C={args.C})", "train_ratio": args.train_ratio,
                     "repeats": args.repeats, "split_seeds": [args.seed, args.seed +
                                                               args.repeats - 1]},
        "headline": "topk",
        "headline_note": "top-k decoding (k = true genre count), the DeepWalk/node2vec protocol",
    }
    res.update(evaluate(X, Y, args.repeats, args.seed, args.train_ratio, args.solver, args.C,
                        args.max_iter))
    if args.baseline:
        rng = np.random.default_rng(12345)
        base = evaluate(rng.standard_normal(X.shape), Y, args.repeats, args.seed,
                        args.train_ratio, args.solver, args.C, args.max_iter)
        res["baseline_random"] = {d: {a: v[a]["mean"] for a in ("micro", "macro")}
                                  for d, v in base.items()}
    text = json.dumps(res, indent=2)
    print(text)
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
