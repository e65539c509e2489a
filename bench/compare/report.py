"""Turns bench/compare/compare.py's JSON (and optionally bench/movielens.sh's report) into
bench/RESULTS.md on stdout. Usage: report.py COMPARE_JSON [MOVIELENS_MD]
A file beside the JSON named <stem>.notes.md (what the run's reader should know: load on the
machine, reruns, findings) goes in after the header."""
import json
import os
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
           f"{m.get('MemTotal', '?')} RAM; load average at start "
           f"{[round(x, 2) for x in m.get('load_at_start', [])]}. "
           f"n2v and the peers ran with {s['threads']} threads; medians of {s['repeats']} runs "
           f"(PecanPy and gensim: as `peer_repeats` per graph says). Walk length {s['walk_length']} "
           f"unless a row says otherwise.",
           "", "Reproduce: `bench/compare/run.sh` (this file is its output).", ""]
    notes = os.path.splitext(sys.argv[1])[0] + ".notes.md"
    if os.path.exists(notes):
        out += [open(notes).read().rstrip(), ""]
    for u in d.get("updates", []):
        out += [f"Rerun with `compare.py --update` (load average at its start "
                f"{[round(x, 2) for x in u['machine'].get('load_at_start', [])]}): graphs "
                f"'{u['settings'].get('graphs')}', scaling '{u['settings'].get('scaling')}', "
                f"big '{u['settings'].get('big')}'.", ""]
    out += ["## Walks (steps/s, walk stage only; peak RSS of the whole process)", "",
            "| graph | n2v | PecanPy SparseOTF | PecanPy PreComp | n2v / SparseOTF | RSS n2v / SparseOTF / PreComp (MiB) |",
            "|---|---:|---:|---:|---:|---|"]
    for name, g in d["graphs"].items():
        sp = g["spec"]
        n = med(g.get("n2v_walk"), "steps_per_s")
        o = med(g.get("pecanpy_SparseOTF"), "steps_per_s")
        pc = med(g.get("pecanpy_PreComp"), "steps_per_s")
        pcs = fmt(pc) if pc else (failed(g.get("pecanpy_PreComp")) or "—")
        os_ = fmt(o) if o else (failed(g.get("pecanpy_SparseOTF")) or "—")
        if sp.get("peer_starts"):
            os_ += f" ({sp['peer_starts']} random starts)"
        out.append(
            f"| {name} ({sp['nodes']} nodes, {sp['edges']} edges{', weighted' if sp['weighted'] else ''}, "
            f"p={sp['p']}, q={sp['q']}, {sp['num_walks']} × {sp.get('walk_length', s['walk_length'])} walks/node) | {fmt(n)} | {os_} | {pcs} | "
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
    def train_rows(rows):
        lines = ["| model | edges | nodes | walks × length | load s | alias s | walks + training s | "
                 "words/s | export s | wall s | peak RSS MiB | CSR MiB | alias MiB | tables MiB |",
                 "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in rows:
            if r.get("failed"):
                lines.append(f"| {r.get('model', '?')} | {r['edges']} | failed: {r['failed']} |")
                continue
            mm = list(r["memory_mib"].values())
            lines.append(
                f"| {r.get('model', '?')} | {r['edges']} | {r['nodes']} | {r.get('num_walks', '?')} × "
                f"{r.get('walk_length', s['walk_length'])} | {r['load_s']:.2f} | {r['alias_s']:.2f} | "
                f"{r['train_s']:.2f} | {fmt(r.get('words_per_s'))} | {r['export_s']:.2f} | "
                f"{r['wall_s']:.2f} | {fmt(r['rss_mib'], '.0f')} | {mm[0]:.0f} | {mm[1]:.0f} | "
                f"{mm[2]:.0f} |")
        return lines

    if d.get("scaling"):
        out += ["", "## How n2v train grows (R-MAT, nodes = edges / 10, defaults otherwise)", "",
                "Walks + training time is linear in walks per node; memory does not depend on it "
                "(the walks are streamed), so the table uses few walks per node to reach 10^7 "
                "edges in minutes.", ""]
        out += train_rows(d["scaling"])
        out += ["", "Memory: the CSR (8 bytes per node + 8 per edge slot, two slots per undirected "
                "edge), the alias tables (8 per slot) and the two embedding tables (2 · nodes · 128 · 4 "
                "bytes) are the large arrays; walks are streamed in per-thread chunks of a few walks "
                "and never held; the rest is the node-name table and the id map of the edge-list reader."]
    if d.get("big"):
        out += ["", "## Streaming: large graphs at several walk counts", "",
                "Peak RSS should stay flat as walks per node grow: no walk corpus is held. "
                "`nodes` counts the nodes with edges (R-MAT leaves about half of the requested "
                "nodes isolated; they are not in the edge list).", ""]
        out += train_rows(d["big"])
    if len(sys.argv) > 2:
        out += ["", "## The MovieLens job (bench/movielens.sh)", "", open(sys.argv[2]).read()]
    print("\n".join(out))


if __name__ == "__main__":
    main()
