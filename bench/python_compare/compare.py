"""n2v.Node2Vec against the Python node2vec tools, side by side, in one run on this machine.

Graphs: planted-partition graphs (node v in community v mod C, 80 % of the edges inside a
community), one BlogCatalog-sized (10,312 nodes, 333,983 edges, 39 communities, as BlogCatalog's
39 labels) and one of 100,000 nodes. Every tool reads the same edge list and trains with the same
settings (dimension 128, walks 10 x 80 unless the graph says otherwise, window 10, 1 epoch,
5 negatives, 2 workers) in its own
process (bench/python_compare/tool.py). Quality is scored the same way for every tool, by
n2v.evaluate on the tool's saved vectors: node classification (macro/micro-F1, 50 % of the nodes
trained on, 5 repeats) and, on the BlogCatalog-sized graph, link prediction (ROC-AUC on 20 % of
the edges held out; every tool trains on the same residual graph).

    compare.py [--graphs blogcatalog-sized,100k] [--repeats 3] [--timeout 900] --json OUT
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

import n2v

HERE = os.path.dirname(os.path.abspath(__file__))
GRAPHS = {
    # Seconds: checks the plumbing (--graphs smoke).
    "smoke": dict(nodes=2000, edges=20000, communities=10, p=0.5, q=2.0, link=True),
    "blogcatalog-sized": dict(nodes=10312, edges=333983, communities=39, p=0.25, q=0.25,
                              link=True),
    # 2 walks of 40 per node (8M walk positions, as many as the BlogCatalog-sized run's 10 x 80):
    # at 10 x 80 the peers' runs would take the better part of an hour each on 2 cores.
    "100k": dict(nodes=100000, edges=1000000, communities=100, p=0.5, q=2.0, link=False,
                 num_walks=2, walk_length=40),
}
TOOLS = ["n2v", "n2v-shared", "pecanpy-sparseotf", "pecanpy-precomp", "node2vec", "pyg"]
SETTINGS = dict(dim=128, walk_length=80, num_walks=10, window=10, workers=2)


def planted_partition(path, labels_path, nodes, edges, communities, seed=1):
    """Distinct undirected edges, no self-loops, ids written as strings; 80 % intra-community."""
    if os.path.exists(path) and os.path.exists(labels_path):
        return
    rng = np.random.default_rng(seed)
    seen = set()
    out = []
    while len(out) < edges:
        k = (edges - len(out)) * 2
        u = rng.integers(0, nodes, size=k)
        intra = rng.random(k) < 0.8
        # Intra: a random member of u's community; inter: any node.
        members = nodes // communities
        v_intra = (rng.integers(0, members, size=k) * communities + u % communities) % nodes
        v = np.where(intra, v_intra, rng.integers(0, nodes, size=k))
        for a, b in zip(u.tolist(), v.tolist()):
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
        f.writelines(f"{a}\t{b}\n" for a, b in out)
    with open(labels_path, "w") as f:
        f.writelines(f"{v} c{v % communities}\n" for v in range(nodes))


def to_tab(src, dst):
    with open(src) as f, open(dst, "w") as g:
        for line in f:
            if line.strip() and not line.startswith("#"):
                a, b = line.split()[:2]
                g.write(f"{a}\t{b}\n")


def run_tool(tool, graph, out, spec, timeout):
    s = dict(SETTINGS, **{k: spec[k] for k in ("num_walks", "walk_length") if k in spec})
    cmd = [sys.executable, os.path.join(HERE, "tool.py"), tool, graph, out, str(spec["p"]),
           str(spec["q"]), str(s["dim"]), str(s["walk_length"]), str(s["num_walks"]),
           str(s["window"]), str(s["workers"])]
    t = time.perf_counter()
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"failed": f"timed out after {timeout} s"}
    wall = time.perf_counter() - t
    if r.returncode != 0:
        tail = (r.stderr or r.stdout).strip().splitlines()
        return {"failed": tail[-1][:300] if tail else f"exit {r.returncode}"}
    res = json.loads(r.stdout.strip().splitlines()[-1])
    res["wall_s"] = wall
    return res


def available(tool):
    mod = {"n2v": "n2v", "n2v-shared": "n2v", "pecanpy-sparseotf": "pecanpy",
           "pecanpy-precomp": "pecanpy",
           "node2vec": "node2vec", "pyg": "torch_geometric"}[tool]
    r = subprocess.run([sys.executable, "-c", f"import {mod}" + (
        "; import pyg_lib" if tool == "pyg" else "")], capture_output=True, text=True)
    return None if r.returncode == 0 else (r.stderr.strip().splitlines() or ["?"])[-1]


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "n2v": n2v.__version__}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--graphs", default=",".join(g for g in GRAPHS if g != "smoke"))
    ap.add_argument("--tools", default=",".join(TOOLS))
    ap.add_argument("--repeats", type=int, default=3, help="n2v runs (median)")
    ap.add_argument("--peer-repeats", type=int, default=1,
                    help="runs of each peer (median); a PecanPy run on the BlogCatalog-sized "
                         "graph takes ~1 min on 2 cores")
    ap.add_argument("--timeout", type=int, default=900)
    ap.add_argument("--work", default=os.path.join(HERE, "..", "work", "python_compare"))
    ap.add_argument("--json", required=True)
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    report = {"machine": machine(), "settings": SETTINGS, "graphs": {},
              "repeats": {"n2v": a.repeats, "peers": a.peer_repeats}}
    tools = a.tools.split(",")
    missing = {t: available(t) for t in tools}
    for name in a.graphs.split(","):
        spec = GRAPHS[name]
        g = os.path.join(a.work, f"{name}.edges")
        labels = os.path.join(a.work, f"{name}.labels")
        planted_partition(g, labels, spec["nodes"], spec["edges"], spec["communities"])
        res = {"spec": spec, "tools": {}}
        residual = None
        if spec["link"]:
            r_path = os.path.join(a.work, f"{name}.residual")
            # Writes the split's residual graph (the same split for every tool: same seed).
            n2v.evaluate(g, task="link", residual_out=r_path, dimensions=16, walk_length=5,
                         num_walks=1, workers=2)
            residual = r_path + ".tab"
            to_tab(r_path, residual)
        # The timed runs go round the tools in turn (n2v, n2v-shared, a peer, n2v, ...), so a
        # slow or fast spell of a shared machine falls on every tool alike, not on one of them.
        live = [t for t in tools if not missing[t]]
        all_runs = {t: [] for t in live}
        for i in range(max(a.repeats, a.peer_repeats)):
            for tool in live:
                want = a.repeats if tool.startswith("n2v") else a.peer_repeats
                done = all_runs[tool]
                if i >= want or (done and "failed" in done[-1]):
                    continue
                out = os.path.join(a.work, f"{name}.{tool}.w2v")
                done.append(run_tool(tool, g, out, spec, a.timeout))
        for tool in tools:
            if missing[tool]:
                res["tools"][tool] = {"failed": f"not installed: {missing[tool]}"}
                print(f"{name} {tool}: not installed", flush=True)
                continue
            out = os.path.join(a.work, f"{name}.{tool}.w2v")  # the last run's vectors
            runs = all_runs[tool]
            if "failed" in runs[-1]:
                res["tools"][tool] = runs[-1]
                print(f"{name} {tool}: {runs[-1]['failed']}", flush=True)
                continue
            row = {"fit_s": statistics.median(r["fit_s"] for r in runs),
                   "wall_s": statistics.median(r["wall_s"] for r in runs),
                   "rss_mib": max(r["rss_mib"] for r in runs),
                   "fit_s_all": [r["fit_s"] for r in runs]}
            node = n2v.evaluate(g, task="node", labels=labels, embeddings=out, repeats=5,
                                workers=2)["points"][0]
            row["macro_f1"], row["micro_f1"] = node["macro_f1"], node["micro_f1"]
            if residual:
                r_out = os.path.join(a.work, f"{name}.{tool}.residual.w2v")
                rr = run_tool(tool, residual, r_out, spec, a.timeout)
                if "failed" in rr:
                    row["auc_failed"] = rr["failed"]
                else:
                    link = n2v.evaluate(g, task="link", embeddings=r_out, workers=2)["points"][0]
                    row["auc_cosine"] = link["cosine_auc"]
                    row["auc_hadamard"] = link["operator_auc"]["hadamard"]
            res["tools"][tool] = row
            print(f"{name} {tool}: {json.dumps(row)}", flush=True)
        report["graphs"][name] = res
    with open(a.json, "w") as f:
        json.dump(report, f, indent=1)
    print(f"wrote {a.json}")


if __name__ == "__main__":
    main()
