#!/usr/bin/env python3
"""Side-by-side report of the Keras port and `n2v movielens` (called by bench/movielens.sh).

Reads a work folder laid out by movielens.sh:
  keras-<i>/keras_run.json, keras-<i>/embeddings.w2v.txt, keras-<i>/time.txt, keras-<i>/f1.json
  n2v-<i>/run.json,         n2v-<i>/embeddings.w2v.txt,   n2v-<i>/time.txt,   n2v-<i>/f1.json
  <run>/wall.txt (process wall seconds measured by the shell), <run>/status.txt (rc / reason)
and writes a Markdown report: median wall time per stage and end to end, the speed ratio,
peak RSS, genre micro/macro-F1 (both decodings) and the top-5 lists of both.

n2v's run.json is expected to hold per-stage times in milliseconds under "timings_ms"
(any stage names; the common ones are matched to the Keras port's stages by alias, others are
listed as they are). Top-5 lists are recomputed for both from the embedding files with the
same code, by the seed's rule (dot product; see keras_movielens.py) and by true cosine; if
n2v's run.json carries its own top-5 (a key containing "top5"), that is shown too.
"""

import argparse
import glob
import json
import os
import re
import statistics
import sys

import numpy as np
import pandas as pd

STAGES = ["load", "graph", "walks", "examples", "training", "similarity", "total"]
ALIASES = {
    "load": ["load", "read", "parse", "io", "load_csv", "read_csv", "loading"],
    "graph": ["graph", "build_graph", "pmi", "pmi_graph", "graph_build"],
    "walks": ["walks", "walk", "random_walks", "random_walk", "walking"],
    "examples": ["examples", "pairs", "skipgrams", "generate_examples", "sampling"],
    "training": ["training", "train", "sgns", "fit", "embedding"],
    "similarity": ["similarity", "topk", "top5", "query", "queries", "neighbours", "neighbors"],
    "total": ["total", "end_to_end", "all", "e2e", "wall"],
}
QUERY_MOVIES = [
    "Matrix, The (1999)",
    "Star Wars: Episode IV - A New Hope (1977)",
    "Lion King, The (1994)",
    "Terminator 2: Judgment Day (1991)",
    "Godfather, The (1972)",
]


def canon(name):
    n = name.lower().strip()
    for n_suffix in ("_ms", "_s"):
        if n.endswith(n_suffix):
            n = n[: -len(n_suffix)]
    for stage, names in ALIASES.items():
        if n in names:
            return stage
    return name


def read_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def read_text(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    except OSError:
        return None


def parse_time_v(path):
    """Peak RSS (MiB), elapsed wall (s), CPU user+sys (s) from a `/usr/bin/time -v -o` file."""
    txt = read_text(path)
    if not txt:
        return None, None, None
    rss = wall = cpu = None
    u = re.search(r"User time \(seconds\): ([\d.]+)", txt)
    k = re.search(r"System time \(seconds\): ([\d.]+)", txt)
    if u and k:
        cpu = float(u.group(1)) + float(k.group(1))
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", txt)
    if m:
        rss = int(m.group(1)) / 1024.0
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", txt)
    if m:
        parts = [float(x) for x in m.group(1).split(":")]
        wall = 0.0
        for x in parts:
            wall = wall * 60 + x
    return rss, wall, cpu


def read_w2v(path):
    with open(path, encoding="utf-8") as f:
        n, d = (int(x) for x in f.readline().split())
        keys, rows = [], []
        for line in f:
            parts = line.split()
            if len(parts) == d + 1:
                keys.append(parts[0][6:] if parts[0].startswith("movie_") else parts[0])
                rows.append([float(x) for x in parts[1:]])
    return keys, np.asarray(rows, dtype=np.float64)


def top5(emb_path, titles_by_id, id_by_title):
    """Top-5 per query by the seed's rule (dot product) and by cosine; [[id, title], ...]."""
    keys, X = read_w2v(emb_path)
    index = {k: i for i, k in enumerate(keys)}
    unit = X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)
    out = {"seed": {}, "cosine": {}}
    for title in QUERY_MOVIES:
        mid = str(id_by_title.get(title))
        if mid not in index:
            out["seed"][title] = out["cosine"][title] = None
            continue
        q = index[mid]
        for rule, scores in (("seed", X @ X[q]), ("cosine", unit @ unit[q])):
            order = np.argsort(-scores, kind="stable")[:5]
            out[rule][title] = [[int(keys[k]), titles_by_id.get(int(keys[k]), "?")]
                                for k in order]
    return out


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt_s(x):
    return "—" if x is None else (f"{x:.3f}" if x < 10 else f"{x:.2f}")


def fmt_med(xs):
    """'median' for one value, 'median (min m)' for several: min is the least disturbed."""
    xs = [x for x in xs if x is not None]
    if not xs:
        return "—"
    if len(xs) == 1:
        return fmt_s(xs[0])
    return f"{fmt_s(statistics.median(xs))} (min {fmt_s(min(xs))})"


def fmt_ratio(a, b):
    if a is None or b is None or b <= 0:
        return "—"
    return f"{a / b:.1f}×"


def collect(work, kind):
    runs = []
    for d in sorted(glob.glob(os.path.join(work, f"{kind}-*")),
                    key=lambda p: int(p.rsplit("-", 1)[1]) if p.rsplit("-", 1)[1].isdigit() else 0):
        r = {"dir": d, "status": read_text(os.path.join(d, "status.txt")) or "?"}
        rss, wall, cpu = parse_time_v(os.path.join(d, "time.txt"))
        r["cpu_s"] = cpu
        shell_wall = read_text(os.path.join(d, "wall.txt"))
        r["rss_mib"] = rss
        r["wall_s"] = wall if wall is not None else (float(shell_wall) if shell_wall else None)
        r["f1"] = read_json(os.path.join(d, "f1.json"))
        load = (read_text(os.path.join(d, "load.txt")) or "").splitlines()
        r["load"] = [float(x.split()[0]) for x in load if x.strip()]
        emb = os.path.join(d, "embeddings.w2v.txt")
        r["emb"] = emb if os.path.exists(emb) else None
        stages = {}
        r["stage_cpu"] = {}
        if kind == "keras":
            j = read_json(os.path.join(d, "keras_run.json"))
            r["json"] = j
            if j:
                stages = dict(j.get("timings_s", {}))
                r["stage_cpu"] = dict(j.get("cpu_s", {}))
        else:
            j = read_json(os.path.join(d, "run.json"))
            r["json"] = j
            if j and isinstance(j.get("timings_ms"), dict):
                for k, v in j["timings_ms"].items():
                    if isinstance(v, (int, float)):
                        c = canon(k)
                        stages[c] = stages.get(c, 0.0) + v / 1000.0
        r["stages"] = stages
        runs.append(r)
    return runs


def f1_cell(runs, dec, avg):
    vals = [r["f1"][dec][avg]["mean"] for r in runs if r["f1"] and dec in r["f1"]]
    sds = [r["f1"][dec][avg]["sd"] for r in runs if r["f1"] and dec in r["f1"]]
    if not vals:
        return "—"
    if len(vals) == 1:
        return f"{vals[0]:.4f} ± {sds[0]:.4f}"
    return f"{statistics.median(vals):.4f} (median of {len(vals)} runs; " \
           f"range {min(vals):.4f}–{max(vals):.4f})"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", required=True)
    ap.add_argument("--movies", required=True)
    ap.add_argument("--out", required=True, help="Markdown file to write")
    ap.add_argument("--command", default="", help="the command line, recorded in the report")
    ap.add_argument("--machine", default="", help="a line describing the machine")
    args = ap.parse_args(argv)

    movies = pd.read_csv(args.movies)
    titles_by_id = dict(zip(movies.movieId.astype(int), movies.title))
    id_by_title = {}
    for mid, t in zip(movies.movieId.astype(int), movies.title):
        id_by_title.setdefault(t, mid)

    keras_runs = collect(args.work, "keras")
    n2v_runs = collect(args.work, "n2v")
    k_ok = [r for r in keras_runs if r["json"]]
    n_ok = [r for r in n2v_runs if r["json"] or r["emb"]]

    L = []
    L.append("# MovieLens (ml-latest-small): the Keras example vs n2v\n")
    if args.command:
        L.append(f"Command: `{args.command}`  ")
    if args.machine:
        L.append(f"Machine: {args.machine}  ")
    kj = k_ok[0]["json"] if k_ok else None
    if kj:
        v = kj.get("versions", {})
        L.append(f"Keras port: bench/keras_movielens.py, TensorFlow {v.get('tensorflow')}, "
                 f"Keras {v.get('keras')}, Python {v.get('python')}; "
                 f"{kj['counts']['nodes']} nodes, {kj['counts']['edges']} edges, "
                 f"{kj['counts']['examples']} examples, {kj['params']['num_epochs']} epochs.  ")
    L.append(f"Runs: Keras {len(k_ok)}/{len(keras_runs)} succeeded, "
             f"n2v {len(n_ok)}/{len(n2v_runs)} produced output.\n")
    for r in keras_runs + n2v_runs:
        if r["status"] != "ok":
            L.append(f"- `{os.path.basename(r['dir'])}`: {r['status']}")
    L.append("")

    # ---- times
    L.append("## Wall time per stage (seconds: median over runs, and the minimum when there "
             "are several)\n")
    L.append("| stage | Keras port | n2v | speed-up (Keras / n2v) | Keras CPU s (all threads) |")
    L.append("|---|---:|---:|---:|---:|")
    extra = []
    for r in n_ok:
        for k in r["stages"]:
            if k not in STAGES and k not in extra:
                extra.append(k)
    for st in STAGES + extra:
        kv = [r["stages"].get(st) for r in k_ok]
        nv = [r["stages"].get(st) for r in n_ok]
        km, nm = median(kv), median(nv)
        if km is None and nm is None:
            continue
        label = st if st in STAGES else f"{st} (n2v only)"
        kc = median([r["stage_cpu"].get(st) for r in k_ok])
        L.append(f"| {label} | {fmt_med(kv)} | {fmt_med(nv)} | {fmt_ratio(km, nm)} | "
                 f"{fmt_s(kc)} |")
    kv = [r["wall_s"] for r in k_ok]
    nv = [r["wall_s"] for r in n_ok]
    L.append(f"| **process end to end** (incl. start-up{', TF import' if k_ok else ''}) | "
             f"{fmt_med(kv)} | {fmt_med(nv)} | {fmt_ratio(median(kv), median(nv))} | |")
    kv = [r["cpu_s"] for r in k_ok]
    nv = [r["cpu_s"] for r in n_ok]
    L.append(f"| process CPU time, user+sys | {fmt_med(kv)} | {fmt_med(nv)} | "
             f"{fmt_ratio(median(kv), median(nv))} | |")
    kr = median([r["rss_mib"] for r in k_ok])
    nr = median([r["rss_mib"] for r in n_ok])
    L.append(f"| peak RSS (MiB) | {'—' if kr is None else f'{kr:.0f}'} | "
             f"{'—' if nr is None else f'{nr:.0f}'} | | |")
    L.append("")
    if kj:
        L.append(f"Keras stage 'total' = load … similarity inside the process (TensorFlow import "
                 f"{kj.get('import_s', 0):.1f} s not included). Keras loss per epoch (run 1): "
                 + ", ".join(f"{x:.4f}" for x in kj.get("loss_per_epoch", [])) + ".\n")
    if n_ok and not any(r["stages"] for r in n_ok):
        L.append("n2v's run.json had no usable \"timings_ms\"; only process wall time is shown.\n")
    for name, runs in (("Keras", k_ok), ("n2v", n_ok)):
        if runs:
            L.append(f"{name} per-run process wall (s): "
                     + ", ".join(fmt_s(r["wall_s"]) for r in runs) + "  ")
    L.append("")
    loads = [x for r in k_ok + n_ok for x in r["load"]]
    if loads:
        L.append(f"1-minute load average before/after the runs: {min(loads):.2f}–{max(loads):.2f} "
                 f"on {os.cpu_count()} cores"
                 + (" — **the machine was busy with other work; times are inflated and noisy**"
                    if max(loads) > (os.cpu_count() or 1) + 1.0 else "") + ".\n")

    # ---- quality
    L.append("## Genre prediction F1 (bench/genre_f1.py: one-vs-rest logistic regression, "
             "50/50 splits)\n")
    f1 = next((r["f1"] for r in k_ok + n_ok if r["f1"]), None)
    if f1:
        L.append(f"{f1['movies']} movies, {len(f1['genres'])} genres, "
                 f"{f1['protocol']['repeats']} splits per run. Headline: top-k decoding "
                 f"(k = the movie's true genre count, the DeepWalk/node2vec protocol); "
                 f"threshold = probability > 0.5. Cells: mean ± sd over the splits (one run) "
                 f"or the median of the runs' means.\n")
    L.append("| metric | Keras port | n2v |")
    L.append("|---|---|---|")
    for dec, dname in (("topk", "top-k (headline)"), ("threshold", "threshold 0.5")):
        for avg in ("micro", "macro"):
            L.append(f"| {dname} {avg}-F1 | {f1_cell(k_ok, dec, avg)} | {f1_cell(n_ok, dec, avg)} |")
    base = next((r["f1"].get("baseline_random") for r in k_ok + n_ok
                 if r["f1"] and r["f1"].get("baseline_random")), None)
    if base:
        L.append(f"| chance (random vectors) top-k micro/macro | "
                 f"{base['topk']['micro']:.4f} / {base['topk']['macro']:.4f} | |")
    L.append("")

    # ---- top-5
    k_tops = [top5(r["emb"], titles_by_id, id_by_title) for r in k_ok if r["emb"]]
    n_tops = [top5(r["emb"], titles_by_id, id_by_title) for r in n_ok if r["emb"]]
    k_top = k_tops[0] if k_tops else None
    n_top = n_tops[0] if n_tops else None

    def overlap(a, b, rule):
        vals = []
        for title in QUERY_MOVIES:
            la, lb = a[rule].get(title), b[rule].get(title)
            if la and lb:
                vals.append(len({x for x, _ in la} & {x for x, _ in lb}))
        return sum(vals) / len(vals) if vals else None

    def mean_overlap(xs, ys, rule, same):
        vals = [overlap(a, b, rule) for i, a in enumerate(xs) for j, b in enumerate(ys)
                if (i < j if same else True)]
        vals = [v for v in vals if v is not None]
        return f"{sum(vals) / len(vals):.2f}/5 ({len(vals)} pairs)" if vals else "—"

    if len(k_tops) > 1 or (k_tops and n_tops):
        L.append("## Top-5 agreement (mean shared titles per query, over pairs of runs)\n")
        L.append("Keras runs with different seeds already disagree; n2v vs Keras should be read "
                 "against Keras vs Keras.\n")
        L.append("| pairs | seed's rule | cosine |")
        L.append("|---|---|---|")
        L.append(f"| Keras vs Keras | {mean_overlap(k_tops, k_tops, 'seed', True)} | "
                 f"{mean_overlap(k_tops, k_tops, 'cosine', True)} |")
        if n_tops:
            L.append(f"| n2v vs n2v | {mean_overlap(n_tops, n_tops, 'seed', True)} | "
                     f"{mean_overlap(n_tops, n_tops, 'cosine', True)} |")
            L.append(f"| n2v vs Keras | {mean_overlap(n_tops, k_tops, 'seed', False)} | "
                     f"{mean_overlap(n_tops, k_tops, 'cosine', False)} |")
        L.append("")
    for rule, rname in (("seed", "the seed's rule (tf.math.l2_normalize without axis = "
                                 "dot-product ranking)"),
                        ("cosine", "true cosine similarity")):
        L.append(f"## Top-5 by {rname} (first run of each)\n")
        for title in QUERY_MOVIES:
            kl = (k_top or {}).get(rule, {}).get(title)
            nl = (n_top or {}).get(rule, {}).get(title)
            overlap = ""
            if kl and nl:
                overlap = f" — overlap {len({a for a, _ in kl} & {a for a, _ in nl})}/5"
            L.append(f"**{title}**{overlap}\n")
            L.append("| # | Keras port | n2v |")
            L.append("|---|---|---|")
            for i in range(5):
                a = kl[i][1] if kl else "—"
                b = nl[i][1] if nl else "—"
                L.append(f"| {i + 1} | {a} | {b} |")
            L.append("")
    if n_ok and n_ok[0]["json"]:
        own = {k: v for k, v in n_ok[0]["json"].items() if "top5" in k.lower()}
        if own:
            L.append("n2v's own top-5 from its run.json:\n")
            L.append("```json\n" + json.dumps(own, indent=1, ensure_ascii=False)[:6000] + "\n```\n")

    text = "\n".join(L) + "\n"
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
