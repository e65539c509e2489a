"""Turns bench/compare/compare.py's JSON (and optionally bench/movielens.sh's report) into
bench/RESULTS.md on stdout. Usage: report.py COMPARE_JSON [MOVIELENS_MD]"""
import json
import statistics
import sys


def med(runs, key):
    vals = [r.get(key) for r in runs or [] if isinstance(r, dict) and not r.get("failed")
            and r.get(key) is not None]
    return statistics.median(vals) if vals else None


def fmt(x, spec=".3g"):
    return "—" if x is None else format(x, spec)


def failed(runs):
    for r in runs or []:
        if isinstance(r, dict) and r.get("failed"):
            return r["failed"]
    return None


def main():
    d = json.load(open(sys.argv[1]))
    m = d["machine"]
    s = d["settings"]
    out = ["# n2v against its peers — results", "",
           f"Machine: {m.get('Model name', '?')}, {m.get('CPU(s)', '?')} CPUs, "
           f"{m.get('MemTotal', '?')} RAM; load average at start {m.get('load_at_start')}. "
           f"n2v and the peers ran with {s['threads']} threads; medians of {s['repeats']} runs "
           f"(PecanPy and gensim: as `peer_repeats` per graph says). Walk length {s['walk_length']}.",
           "", "Reproduce: `bench/compare/run.sh` (this file is its output).", ""]
    out += ["## Walks (steps/s, walk stage only; peak RSS of the whole process)", "",
            "| graph | n2v | PecanPy SparseOTF | PecanPy PreComp | n2v / SparseOTF | RSS n2v / SparseOTF / PreComp (MiB) |",
            "|---|---:|---:|---:|---:|---|"]
    for name, g in d["graphs"].items():
        sp = g["spec"]
        n = med(g.get("n2v_walk"), "steps_per_s")
        o = med(g.get("pecanpy_SparseOTF"), "steps_per_s")
        pc = med(g.get("pecanpy_PreComp"), "steps_per_s")
        pcs = fmt(pc) if pc else (failed(g.get("pecanpy_PreComp")) or "—")
        out.append(
            f"| {name} ({sp['nodes']} nodes, {sp['edges']} edges{', weighted' if sp['weighted'] else ''}, "
            f"p={sp['p']}, q={sp['q']}, {sp['num_walks']} walks/node) | {fmt(n)} | {fmt(o)} | {pcs} | "
            f"{fmt(n / o if n and o else None, '.1f')}× | {fmt(med(g.get('n2v_walk'), 'rss_mib'), '.0f')} / "
            f"{fmt(med(g.get('pecanpy_SparseOTF'), 'rss_mib'), '.0f')} / "
            f"{fmt(med(g.get('pecanpy_PreComp'), 'rss_mib'), '.0f')} |")
    out += ["", "## Training on the same walks (words/s; skip-gram, negative 5, window 10, dim 128, "
            "sample 0, 1 epoch)", "",
            "| graph | n2v | gensim (corpus_file) | n2v / gensim | RSS n2v / gensim (MiB) |",
            "|---|---:|---:|---:|---|"]
    for name, g in d["graphs"].items():
        if "n2v_train_walks" not in g:
            continue
        n = med(g["n2v_train_walks"], "words_per_s")
        o = med(g.get("gensim_corpus_file"), "words_per_s")
        out.append(f"| {name} | {fmt(n)} | {fmt(o)} | {fmt(n / o if n and o else None, '.2f')}× | "
                   f"{fmt(med(g['n2v_train_walks'], 'rss_mib'), '.0f')} / "
                   f"{fmt(med(g.get('gensim_corpus_file'), 'rss_mib'), '.0f')} |")
    out += ["", "## Quality: link prediction, 20% of edges held out (same split for both)", "",
            "| graph | n2v train (defaults) cosine / Hadamard-LR AUC | PecanPy + gensim cosine / Hadamard-LR AUC | peer pipeline s |",
            "|---|---|---|---:|"]
    for name, g in d["graphs"].items():
        if "n2v_eval" not in g:
            continue
        a, b = g["n2v_eval"], g.get("peer_eval", {})
        out.append(f"| {name} | {fmt(a.get('auc_cosine'), '.4f')} / {fmt(a.get('auc_hadamard'), '.4f')} | "
                   f"{fmt(b.get('auc_cosine'), '.4f')} / {fmt(b.get('auc_hadamard'), '.4f')} | "
                   f"{fmt(b.get('pipeline_s'), '.1f')} |")
    e2e = [(n, g) for n, g in d["graphs"].items() if "n2v_train" in g]
    if e2e:
        out += ["", "## n2v train end to end (read, walks streamed, training, export)", "",
                "| graph | wall s | peak RSS MiB |", "|---|---:|---:|"]
        for name, g in e2e:
            out.append(f"| {name} | {fmt(med(g['n2v_train'], 'wall_s'), '.2f')} | "
                       f"{fmt(med(g['n2v_train'], 'rss_mib'), '.0f')} |")
    if d.get("scaling"):
        out += ["", "## How n2v train grows (R-MAT, nodes = edges / 10, defaults)", "",
                "| edges | nodes | load s | alias s | walks + training s | export s | wall s | peak RSS MiB | CSR MiB | alias MiB | tables MiB |",
                "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in d["scaling"]:
            if r.get("failed"):
                out.append(f"| {r['edges']} | failed: {r['failed']} |")
                continue
            mm = list(r["memory_mib"].values())
            out.append(f"| {r['edges']} | {r['nodes']} | {r['load_s']:.2f} | {r['alias_s']:.2f} | "
                       f"{r['train_s']:.2f} | {r['export_s']:.2f} | {r['wall_s']:.2f} | "
                       f"{fmt(r['rss_mib'], '.0f')} | {mm[0]:.0f} | {mm[1]:.0f} | {mm[2]:.0f} |")
        out += ["", "Memory: the CSR (8 bytes per node + 8 per edge slot, two slots per undirected "
                "edge), the alias tables (8 per slot) and the two embedding tables (2 · nodes · 128 · 4 "
                "bytes) are the large arrays; walks are streamed in per-thread chunks of a few walks "
                "and never held; the rest is the node-name table and the id map of the edge-list reader."]
    if len(sys.argv) > 2:
        out += ["", "## The MovieLens job (bench/movielens.sh)", "", open(sys.argv[2]).read()]
    print("\n".join(out))


if __name__ == "__main__":
    main()
