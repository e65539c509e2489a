#!/usr/bin/env python3
"""Link prediction from n2v's vectors as written and with their mean removed ("centred").

The default vectors (input + output tables) put most of their squared norm on one direction
shared by every node, along which a node's position follows its frequency in the walks; cosine
similarity then ranks pairs partly by degree. This script measures how much of each table lies
on the mean direction and what subtracting the mean does to link prediction, for word2vec's
per-pair negatives and for --shared-negatives:

  1. one split of the graph's edges (n2v.evaluate's, 20 % held out) writes the residual graph;
  2. `n2v train` on the residual, once per mode (both tables summed, n2v's default output), and
     once more with --embedding input to separate the two tables;
  3. n2v.evaluate scores the vectors as written and centred: ROC-AUC of cosine similarity and
     of the Hadamard operator's logistic regression.

    bench/centred_cosine.py --n2v build/n2v --graph G [--weighted] [--num-walks 10]
        [--walk-length 80] [--threads 2]

Needs the n2v Python package (scripts/setup-python) and numpy.
"""

import argparse
import os
import subprocess
import tempfile

import numpy as np

import n2v


def write_w2v(path, keys, table):
    with open(path, "w") as f:
        f.write(f"{len(keys)} {table.shape[1]}\n")
        for k, row in zip(keys, table):
            f.write(k + " " + " ".join(f"{x:.7g}" for x in row) + "\n")


def mean_share(x):
    """Fraction of the rows' squared norm on the direction of their mean."""
    mu = x.mean(0)
    mu = mu / np.linalg.norm(mu)
    return float(((x @ mu) ** 2).mean() / (x ** 2).sum(1).mean())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n2v", required=True)
    ap.add_argument("--graph", required=True)
    ap.add_argument("--weighted", action="store_true")
    ap.add_argument("--num-walks", type=int, default=10)
    ap.add_argument("--walk-length", type=int, default=80)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        residual = os.path.join(tmp, "residual")
        n2v.evaluate(a.graph, task="link", residual_out=residual, weighted=a.weighted or None,
                     dimensions=16, walk_length=5, num_walks=1, workers=a.threads)
        # The residual is written weighted ('u v w') when the graph is; a CSR file records that.
        with open(residual) as f:
            weighted = len(f.readline().split()) == 3
        print("| mode | mean-direction share of w / c / w + c | vectors | cosine AUC | "
              "Hadamard AUC |")
        print("|---|---|---|---:|---:|")
        for mode, flags in [("per-pair negatives", []), ("--shared-negatives",
                                                         ["--shared-negatives"])]:
            tables = {}
            for emb in ("input+output", "input"):
                out = os.path.join(tmp, f"{len(flags)}-{emb}.w2v")
                subprocess.run([a.n2v, "train", "-i", residual, "-o", out, "--embedding", emb,
                                "--num-walks", str(a.num_walks), "--walk-length",
                                str(a.walk_length), "--threads", str(a.threads), "--no-report",
                                "--quiet", "--device", "cpu"] + (["--weighted"] if weighted
                                                                 else []) + flags, check=True)
                tables[emb] = (out,) + n2v.read_embeddings(out)
            path, both, keys = tables["input+output"]
            w = tables["input"][1]
            shares = (f"{mean_share(w):.2f} / {mean_share(both - w):.2f} / "
                      f"{mean_share(both):.2f}")
            centred = path + ".centred.w2v"
            write_w2v(centred, keys, both - both.mean(0))
            for name, p in (("as written", path), ("centred", centred)):
                pt = n2v.evaluate(a.graph, task="link", embeddings=p, weighted=a.weighted or None,
                                  workers=a.threads)["points"][0]
                print(f"| {mode} | {shares} | {name} | {pt['cosine_auc']:.4f} | "
                      f"{pt['operator_auc']['hadamard']:.4f} |", flush=True)


if __name__ == "__main__":
    main()
