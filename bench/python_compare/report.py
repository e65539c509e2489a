"""Markdown table of a bench/python_compare/compare.py JSON file: report.py RESULT.json"""

import json
import sys


def fmt(x, spec):
    return "–" if x is None else format(x, spec)


def main():
    r = json.load(open(sys.argv[1]))
    m, s = r["machine"], r["settings"]
    reps = r.get("repeats", {"n2v": 3, "peers": 1})
    peers = "one run" if reps["peers"] == 1 else f"median of {reps['peers']} runs"
    turns = "; the runs taken in turns, tool by tool" if "repeats" in r else ""
    print(f"Machine: {m['cpu']}, {m['cores']} cores; Python {m['python']}; n2v {m['n2v']}. "
          f"Every tool: dimension {s['dim']}, {s['num_walks']} walks x {s['walk_length']} nodes "
          f"per node, window {s['window']}, 1 epoch, 5 negatives, {s['workers']} workers; one "
          "process per run. Time: reading the graph to embeddings in memory (n2v and n2v-shared, "
          f"n2v with --shared-negatives: median of {reps['n2v']} runs; peers: {peers}"
          f"{turns}). Quality scored by "
          "n2v.evaluate on each tool's vectors: "
          "macro/micro-F1 of node classification (50 % train, 5 splits), ROC-AUC of link "
          "prediction (20 % of the edges held out, every tool trained on the same residual).\n")
    for name, g in r["graphs"].items():
        sp = g["spec"]
        walks = (f", {sp['num_walks']} walks x {sp['walk_length']} nodes per node"
                 if "num_walks" in sp else "")
        print(f"### {name}: {sp['nodes']:,} nodes, {sp['edges']:,} edges, "
              f"{sp['communities']} planted communities, p = {sp['p']}, q = {sp['q']}{walks}\n")
        print("| tool | time (s) | runs (s) | n2v is × faster | n2v-shared is × faster | "
              "peak RSS (MiB) | macro-F1 | micro-F1 | AUC (cosine) | AUC (hadamard) |")
        print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
        base = g["tools"].get("n2v", {}).get("fit_s")
        shared = g["tools"].get("n2v-shared", {}).get("fit_s")
        for tool, t in g["tools"].items():
            if "failed" in t:
                print(f"| {tool} | {t['failed']} | | | | | | | | |")
                continue
            ratio = t["fit_s"] / base if base else None
            ratio_shared = t["fit_s"] / shared if shared else None
            runs = ", ".join(f"{x:.2f}" for x in t.get("fit_s_all", []))
            print(f"| {tool} | {t['fit_s']:.2f} | {runs} | {fmt(ratio, '.1f')} | "
                  f"{fmt(ratio_shared, '.1f')} | {t['rss_mib']:.0f} | "
                  f"{t['macro_f1']:.4f} | {t['micro_f1']:.4f} | "
                  f"{fmt(t.get('auc_cosine'), '.4f')} | {fmt(t.get('auc_hadamard'), '.4f')} |")
        print()


if __name__ == "__main__":
    main()
