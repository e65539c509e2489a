#!/usr/bin/env python3
"""Embedding quality of the SGD regime's variants: --sample (word2vec's frequent-node
subsampling) and --shared-negatives (HogBatch), against the default.

Runs `n2v eval` for each variant (--variants, default: --sample 0, 1e-4 and 1e-3, word2vec's and
gensim's default) over several seeds on graphs whose node frequencies in walks are skewed
(subsampling only drops occurrences of nodes more frequent than `sample` of all positions, so on
graphs with near-uniform degrees it changes nothing):
  - rmat:   R-MAT, 20,000 nodes, 200,000 edges (`n2v synth graph --model rmat`): link prediction
            (ROC-AUC, 20 % of the edges held out);
  - dcsbm:  a degree-corrected planted partition (Chung-Lu weights ~ Pareto(1.5), 20 communities,
            80 % of the edges inside one), 10,000 nodes, 150,000 edges: node classification
            (macro-F1, 50 % of the nodes trained on) and link prediction;
  - movielens: the seed's PMI-weighted movie graph (`n2v graph` on ml-latest-small, weighted):
            link prediction.
Settings are n2v's defaults (dim 128, 10 x 80 walks, window 10, 5 negatives, 1 epoch), 2 threads.

    bench/sgd_quality.py --n2v build/n2v [--seeds 1,2,3] [--movielens DIR]
        [--variants "--sample 0;--sample 1e-4;--shared-negatives"] --out FILE.md
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

import numpy as np

VARIANTS = "--sample 0;--sample 1e-4;--sample 1e-3"


def dcsbm(path, labels_path, nodes=10000, edges=150000, communities=20, seed=1):
    rng = np.random.default_rng(seed)
    w = rng.pareto(1.5, nodes) + 1.0
    comm = np.arange(nodes) % communities
    members = [np.flatnonzero(comm == c) for c in range(communities)]
    cdf_all = np.cumsum(w) / w.sum()
    cdfs = [np.cumsum(w[m]) / w[m].sum() for m in members]
    seen = set()
    out = []
    while len(out) < edges:
        k = (edges - len(out)) * 2
        u = np.searchsorted(cdf_all, rng.random(k))
        intra = rng.random(k) < 0.8
        v_any = np.searchsorted(cdf_all, rng.random(k))
        r = rng.random(k)
        for a, b_any, i, x in zip(u.tolist(), v_any.tolist(), intra.tolist(), r.tolist()):
            if i:
                m = members[comm[a]]
                b = int(m[min(np.searchsorted(cdfs[comm[a]], x), len(m) - 1)])
            else:
                b = b_any
            if a == b:
                continue
            key = (a, b) if a < b else (b, a)
            if key in seen:
                continue
            seen.add(key)
            out.append(key)
            if len(out) == edges:
                break
    with open(path, "w") as f:
        f.writelines(f"{a} {b}\n" for a, b in out)
    with open(labels_path, "w") as f:
        f.writelines(f"{v} c{comm[v]}\n" for v in range(nodes))


def run_eval(n2v, graph, args, variant, seed, work):
    js = os.path.join(work, "r.json")
    cmd = [n2v, "eval", "-i", graph, *variant.split(), "--seed", str(seed),
           "--threads", "2", "--quiet", "--no-report", "--json", js] + args
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    with open(js) as f:
        return json.load(f)


def score(result, key):
    # `n2v eval --json`: one entry per (p, q) grid point; this bench uses one.
    return float(result["results"][0][key])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n2v", default="build/n2v")
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--movielens", default="", help="ml-latest-small directory (optional)")
    ap.add_argument("--variants", default=VARIANTS, help="';'-separated n2v flag sets")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    seeds = [int(s) for s in a.seeds.split(",")]
    work = tempfile.mkdtemp(prefix="n2v-sgd-quality-")
    rmat = os.path.join(work, "rmat.csr")
    subprocess.run([a.n2v, "synth", "graph", "--model", "rmat", "--nodes", "20000", "--edges",
                    "200000", "--seed", "3", "-o", rmat, "--quiet"], check=True)
    dc, dc_labels = os.path.join(work, "dcsbm.txt"), os.path.join(work, "dcsbm.labels")
    dcsbm(dc, dc_labels)
    link = ["--task", "link"]
    link_keys = [("link AUC (cosine)", "auc_cosine"), ("link AUC (hadamard)", "auc_hadamard"),
                 ("link AUC (l2)", "auc_l2")]
    tasks = [("rmat", rmat, link, link_keys),
             ("dcsbm", dc, ["--task", "node", "--labels", dc_labels, "--repeats", "5"],
              [("macro-F1", "macro_f1"), ("micro-F1", "micro_f1")]),
             ("dcsbm", dc, link, link_keys)]
    if a.movielens:
        ml = os.path.join(work, "movielens.csr")
        subprocess.run([a.n2v, "graph", "--movielens", a.movielens, "-o", ml, "--quiet"],
                       check=True)
        tasks.append(("movielens", ml, link, link_keys))
    rows = []
    for name, graph, args, keys in tasks:
        for variant in a.variants.split(";"):
            vals = {k: [] for _, k in keys}
            for seed in seeds:
                r = run_eval(a.n2v, graph, args, variant, seed, work)
                for _, k in keys:
                    vals[k].append(score(r, k))
                print(f"{name} {variant} seed={seed}: " +
                      ", ".join(f"{k} {vals[k][-1]:.4f}" for _, k in keys), file=sys.stderr,
                      flush=True)
            for metric, k in keys:
                rows.append((name, metric, variant, vals[k]))
    rows.sort(key=lambda r: (r[0], r[1]))  # stable: variants stay in the order given
    with open(a.out, "w") as f:
        f.write("| graph | metric | flags | mean | per seed |\n|---|---|---|---|---|\n")
        for name, metric, variant, vals in rows:
            f.write(f"| {name} | {metric} | `{variant}` | {statistics.mean(vals):.4f} | "
                    f"{', '.join(f'{v:.4f}' for v in vals)} |\n")
    print(open(a.out).read())


if __name__ == "__main__":
    main()
