"""n2v side by side with the tools node2vec users would otherwise pick, on the same graphs and
settings (bench/compare runs this inside bench/.venv). For each graph:

  walks     n2v walk            vs PecanPy SparseOTF and PreComp (p, q as given)
  training  n2v on a walks file vs gensim Word2Vec on the same file (skip-gram, negative 5,
            window 10, dim 128, sample 0, workers = threads)
  end to end  n2v train         vs PecanPy walks + gensim (what `pecanpy --mode ...` does)
  quality   link-prediction ROC-AUC from `n2v eval` (20% of edges held out, the same split for
            both: PecanPy + gensim train on `n2v eval --residual-out`)

Every run goes under /usr/bin/time -v (peak RSS). Medians over --repeats runs. Writes a JSON
file of every measurement and prints a table; bench/compare turns it into bench/RESULTS.md.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PY = sys.executable


def timed(cmd, timeout=None, env=None):
    """Runs cmd under /usr/bin/time -v; returns dict(rc, wall_s, rss_mib, out, err)."""
    t0 = time.perf_counter()
    try:
        p = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True,
                           timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"rc": "timeout", "wall_s": time.perf_counter() - t0, "rss_mib": None, "out": "",
                "err": f"timed out after {timeout} s"}
    wall = time.perf_counter() - t0
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    rss = int(m.group(1)) / 1024 if m else None
    return {"rc": p.returncode, "wall_s": wall, "rss_mib": rss, "out": p.stdout, "err": p.stderr}


def last_json(text):
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError(f"no JSON line in: {text[-500:]}")


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


class Bench:
    def __init__(self, a):
        self.a = a
        self.n2v = os.path.abspath(a.n2v)
        self.work = os.path.abspath(a.work)
        os.makedirs(self.work, exist_ok=True)
        self.results = {"machine": machine(), "settings": vars(a), "graphs": {}}
        if a.update and os.path.exists(a.json):
            # Rerun part of the benchmark: keep the file's other sections and runs.
            old = json.load(open(a.json))
            old.setdefault("updates", []).append({"machine": self.results["machine"],
                                                  "settings": vars(a)})
            self.results = old

    def log(self, *msg):
        print(*msg, file=sys.stderr, flush=True)

    def repeat(self, fn, n):
        runs = []
        for i in range(n):
            r = fn(i)
            runs.append(r)
            if r.get("failed"):
                break
        return runs

    # --- graphs ----------------------------------------------------------------------------------
    def make_graph(self, name, model, nodes, edges, weighted):
        path = os.path.join(self.work, f"{name}.edges")
        if not os.path.exists(path):
            cmd = [self.n2v, "synth", "graph", "--model", model, "--nodes", str(nodes), "--edges",
                   str(edges), "--seed", "1", "--output", path, "--quiet"]
            if weighted:
                cmd.append("--weighted")
            subprocess.run(cmd, check=True)
        return path

    # --- walks -----------------------------------------------------------------------------------
    def n2v_walks(self, g, spec, out):
        cmd = [self.n2v, "walk", "-i", g, "-o", out, "--p", str(spec["p"]), "--q", str(spec["q"]),
               "--walk-length", str(spec["walk_length"]), "--num-walks", str(spec["num_walks"]),
               "--threads", str(self.a.threads)]
        if spec["weighted"]:
            cmd.append("--weighted")
        r = timed(cmd)
        if r["rc"] != 0:
            return {"failed": r["err"][-300:]}
        m = re.search(r"sampling ([0-9.]+) s = ([0-9.e+]+) steps/s", r["err"])
        return {"wall_s": r["wall_s"], "rss_mib": r["rss_mib"], "walk_s": float(m.group(1)),
                "steps_per_s": float(m.group(2))}

    def pecanpy_walks(self, mode, g, spec, out=None, starts=None):
        cmd = [PY, os.path.join(HERE, "pecanpy_walks.py"), mode, g, str(spec["p"]), str(spec["q"]),
               str(spec["num_walks"]), str(spec["walk_length"]), str(self.a.threads),
               "1" if spec["weighted"] else "0"] + ([out] if out else [])
        if starts:
            cmd += ["--starts", str(starts)]
        env = dict(os.environ, NUMBA_NUM_THREADS=str(self.a.threads))
        r = timed(cmd, timeout=spec.get("peer_timeout", self.a.peer_timeout), env=env)
        if r["rc"] != 0:
            why = "timeout" if r["rc"] == "timeout" else (
                "out of memory" if r["rc"] in (-9, 137) else r["err"][-300:])
            return {"failed": why, "rss_mib": r["rss_mib"]}
        j = last_json(r["out"])
        j.update(wall_s=r["wall_s"], rss_mib=r["rss_mib"])
        return j

    # --- training on the same walks --------------------------------------------------------------
    def gensim_train(self, walks, out, epochs=1, mode="corpus_file"):
        cmd = [PY, os.path.join(HERE, "gensim_train.py"), walks, out, "128", "10", "5", str(epochs),
               str(self.a.threads), "0", mode]
        r = timed(cmd, timeout=self.a.peer_timeout)
        if r["rc"] != 0:
            return {"failed": r["err"][-300:]}
        j = last_json(r["out"])
        j.update(wall_s=r["wall_s"], rss_mib=r["rss_mib"])
        return j

    def n2v_train_walks(self, walks, out, epochs=1):
        """n2v's CPU word2vec on the same walk file (bench/sgd_compare's driver; its node
        counting pass and table set-up are timed, as gensim's vocabulary scan is)."""
        driver = os.path.join(ROOT, self.a.build, "bench", "sgd_compare")
        cmd = [driver, "train", "--walks", walks, "--out", out, "--dim", "128", "--window", "10",
               "--negatives", "5", "--epochs", str(epochs), "--threads", str(self.a.threads)]
        r = timed(cmd)
        if r["rc"] != 0:
            return {"failed": r["err"][-300:]}
        j = last_json(r["out"])
        j.update(wall_s=r["wall_s"], rss_mib=r["rss_mib"], train_s=j.get("seconds"))
        return j

    # --- end to end + quality --------------------------------------------------------------------
    def n2v_eval(self, g, spec, embeddings=None, residual_out=None):
        js = os.path.join(self.work, "eval.json")
        cmd = [self.n2v, "eval", "-i", g, "--task", "link", "--test-fraction", "0.2", "--seed", "7",
               "--threads", str(self.a.threads), "--json", js, "--quiet",
               "--p", str(spec["p"]), "--q", str(spec["q"]), "--num-walks", str(spec["num_walks"]),
               "--walk-length", str(spec["walk_length"])]
        if spec["weighted"]:
            cmd.append("--weighted")
        if embeddings:
            cmd += ["--embeddings", embeddings]
        if residual_out:
            cmd += ["--residual-out", residual_out]
        r = timed(cmd)
        if r["rc"] != 0:
            return {"failed": r["err"][-300:]}
        res = json.load(open(js))["results"][0]
        return {"auc_cosine": res["auc_cosine"], "auc_hadamard": res["auc_hadamard"],
                "wall_s": r["wall_s"], "rss_mib": r["rss_mib"]}

    def n2v_train(self, g, spec, out):
        cmd = [self.n2v, "train", "-i", g, "-o", out, "--p", str(spec["p"]), "--q", str(spec["q"]),
               "--num-walks", str(spec["num_walks"]), "--walk-length", str(spec["walk_length"]),
               "--threads", str(self.a.threads), "--quiet"]
        if spec["weighted"]:
            cmd.append("--weighted")
        r = timed(cmd)
        if r["rc"] != 0:
            return {"failed": r["err"][-300:]}
        return {"wall_s": r["wall_s"], "rss_mib": r["rss_mib"]}

    def run_graph(self, spec):
        name = spec["name"]
        self.log(f"== {name}: {spec['model']} {spec['nodes']} nodes, {spec['edges']} edges"
                 f"{' weighted' if spec['weighted'] else ''}, p={spec['p']} q={spec['q']}")
        g = self.make_graph(name, spec["model"], spec["nodes"], spec["edges"], spec["weighted"])
        res = {"spec": spec}
        n = spec.get("repeats", self.a.repeats)
        walks_txt = os.path.join(self.work, f"{name}.walks")
        res["n2v_walk"] = self.repeat(lambda i: self.n2v_walks(g, spec, walks_txt), n)
        self.log("   n2v walk", summarize(res["n2v_walk"], "steps_per_s"))
        sq = degree_square_sum(g)
        res["sum_degree_squared"] = sq
        for mode in spec.get("pecanpy", ["SparseOTF", "PreComp"]):
            if mode == "PreComp" and 8 * sq > 0.75 * mem_total_bytes():
                # PreComp stores an alias table (uint32 + float32) for every (previous, current,
                # next) triple: 8 bytes × Σ deg², allocated up front.
                res[f"pecanpy_{mode}"] = [{"failed": f"not run: needs 8 B × Σdeg² = "
                                           f"{8 * sq / 2**30:.0f} GiB of RAM"}]
                self.log(f"   pecanpy {mode}: {res[f'pecanpy_{mode}'][0]['failed']}")
                continue
            res[f"pecanpy_{mode}"] = self.repeat(
                lambda i: self.pecanpy_walks(mode, g, spec, starts=spec.get("peer_starts")),
                spec.get("peer_repeats", n))
            self.log(f"   pecanpy {mode}", summarize(res[f"pecanpy_{mode}"], "steps_per_s"))
        if spec.get("train", True):
            emb = os.path.join(self.work, f"{name}.n2v-walks.w2v")
            res["n2v_train_walks"] = self.repeat(lambda i: self.n2v_train_walks(walks_txt, emb), n)
            self.log("   n2v train on walks", summarize(res["n2v_train_walks"], "words_per_s"))
            gemb = os.path.join(self.work, f"{name}.gensim.w2v")
            res["gensim_corpus_file"] = self.repeat(
                lambda i: self.gensim_train(walks_txt, gemb), spec.get("peer_repeats", n))
            self.log("   gensim", summarize(res["gensim_corpus_file"], "words_per_s"))
        if spec.get("quality", True):
            resid = os.path.join(self.work, f"{name}.residual.edges")
            res["n2v_eval"] = self.n2v_eval(g, spec, residual_out=resid)
            self.log("   n2v eval", res["n2v_eval"])
            # PecanPy SparseOTF walks + gensim on the residual graph, scored on the same split.
            pw = os.path.join(self.work, f"{name}.residual.pecanpy.walks")
            pe = os.path.join(self.work, f"{name}.residual.pecanpy.w2v")
            w = self.pecanpy_walks("SparseOTF", resid, spec, out=pw)
            t = self.gensim_train(pw, pe, mode="sentences") if not w.get("failed") else w
            res["peer_eval"] = (self.n2v_eval(g, spec, embeddings=pe)
                                if not t.get("failed") else {"failed": t["failed"]})
            res["peer_eval"]["pipeline_s"] = (w.get("load_s", 0) + w.get("preprocess_s", 0) +
                                              w.get("walk_s", 0) + t.get("train_s", 0))
            self.log("   pecanpy+gensim eval", res["peer_eval"])
        if spec.get("end_to_end", False):
            out = os.path.join(self.work, f"{name}.n2v.w2v")
            res["n2v_train"] = self.repeat(lambda i: self.n2v_train(g, spec, out), n)
            self.log("   n2v train end to end", summarize(res["n2v_train"], "wall_s"))
        self.results["graphs"][name] = res
        self.save()

    def train_row(self, name, model, n, e, num_walks):
        """One n2v train run (streamed walks + SGD, defaults otherwise) on a synthetic graph:
        time per stage, peak RSS, and the memory the main arrays account for."""
        g = self.make_graph(name, model, n, e, False)
        out = os.path.join(self.work, f"{name}.w2v")
        r = timed([self.n2v, "train", "-i", g, "-o", out, "--threads", str(self.a.threads),
                   "--walk-length", str(self.a.walk_length), "--num-walks", str(num_walks),
                   "--quiet"])
        if r["rc"] != 0:
            return {"edges": e, "failed": r["err"][-300:]}
        run = json.load(open(out + ".run.json"))
        t = run["timings_ms"]
        n = run["graph"]["nodes"]
        slots = 2 * e
        mib = 1 / 2**20
        words = n * num_walks * self.a.walk_length
        return {
            "model": model, "edges": e, "nodes": n, "num_walks": num_walks,
            "walk_length": self.a.walk_length, "words": words, "wall_s": r["wall_s"],
            "rss_mib": r["rss_mib"], "load_s": t["load"] / 1e3, "alias_s": t["alias"] / 1e3,
            "train_s": t["train"] / 1e3, "export_s": t["export"] / 1e3,
            "words_per_s": words / (t["train"] / 1e3),
            "memory_mib": {
                "csr (offsets 8(n+1) + ids 4·slots + weights 4·slots)":
                    (8 * (n + 1) + 8 * slots) * mib,
                "alias tables (8·slots)": 8 * slots * mib,
                "input + output tables (2·n·dim·4)": 2 * n * 128 * 4 * mib,
                "node names and id map": None,
            },
        }

    def scaling(self, sizes, num_walks):
        """n2v train on R-MAT graphs of E edges and E/10 nodes."""
        rows = []
        for e in sizes:
            rows.append(self.train_row(f"scale-{e}", "rmat", max(10, e // 10), e, num_walks))
            self.log(f"   scale {e}: {rows[-1]}")
        self.results["scaling"] = rows
        self.save()

    def big(self, model, nodes, edges, walk_counts):
        """The streaming check: n2v train on one large graph at several walk counts; walks are
        streamed, so peak memory should not grow with the walk count. Rows are appended to
        those already in the results (--update), replacing one of the same graph and count."""
        rows = self.results.setdefault("big", [])
        for w in walk_counts:
            row = self.train_row(f"big-{model}-{nodes}-{edges}", model, nodes, edges, w)
            rows[:] = [r for r in rows if (r.get("model"), r.get("nodes_requested"), r["edges"],
                                           r.get("num_walks")) != (model, nodes, edges, w)]
            row["nodes_requested"] = nodes
            rows.append(row)
            self.log(f"   big {model} {w} walks/node: {row}")
            self.save()

    def save(self):
        with open(self.a.json, "w") as f:
            json.dump(self.results, f, indent=1)


def degree_square_sum(path):
    """Σ over nodes of degree² for an undirected edge list (the size of PecanPy PreComp's
    second-order tables)."""
    deg = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) < 2 or parts[0].startswith("#"):
                continue
            for v in parts[:2]:
                deg[v] = deg.get(v, 0) + 1
    return sum(d * d for d in deg.values())


def mem_total_bytes():
    return int(re.search(r"MemTotal:\s*(\d+)", open("/proc/meminfo").read()).group(1)) * 1024


def summarize(runs, key):
    vals = [r.get(key) for r in runs if not r.get("failed")]
    if not vals:
        return f"FAILED: {runs[-1].get('failed')}"
    return f"median {key} {med(vals):.4g} (runs {', '.join(f'{v:.4g}' for v in vals)}); " \
           f"peak RSS {med([r.get('rss_mib') for r in runs]) or 0:.0f} MiB"


def machine():
    info = {}
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for k in ("Model name", "CPU(s)", "Thread(s) per core"):
            m = re.search(rf"^{re.escape(k)}:\s*(.+)$", out, re.M)
            if m:
                info[k] = m.group(1).strip()
        mem = open("/proc/meminfo").read()
        info["MemTotal"] = re.search(r"MemTotal:\s*(\d+)", mem).group(1) + " kB"
    except Exception as e:  # noqa: BLE001 - description only
        info["error"] = str(e)
    info["load_at_start"] = os.getloadavg()
    return info


GRAPHS = {
    # A few seconds end to end: checks the plumbing (--graphs smoke --scaling '').
    "smoke": dict(model="rmat", nodes=2000, edges=20000, weighted=True, p=0.5, q=2, num_walks=2,
                  end_to_end=True, peer_repeats=1),
    # BlogCatalog's size (10,312 nodes, 333,983 edges), unweighted, the paper's p = q = 0.25.
    # PecanPy's walk timing uses 20,000 random start nodes (its O(degree) step makes a full pass
    # minutes long on 2 cores); its quality pipeline below walks the full 10 per node.
    "blogcatalog-sized": dict(model="rmat", nodes=10312, edges=333983, weighted=False, p=0.25,
                              q=0.25, num_walks=10, end_to_end=True, peer_starts=20000),
    # The walk target of issue 5: 100k nodes, 5M weighted edges, p = 0.5, q = 2. PecanPy walks
    # from 10,000 random start nodes: a full pass (8M steps per walk per node) at its measured
    # ~10^4 steps/s would take hours.
    "100k-5M-weighted": dict(model="rmat", nodes=100000, edges=5000000, weighted=True, p=0.5, q=2,
                             num_walks=2, train=False, quality=False, peer_repeats=1,
                             peer_starts=10000),
    # A 1M-node graph: walks against both PecanPy modes, training against gensim. One walk of 20
    # nodes per node (20M steps and words) so that gensim's run fits the session on 2 cores;
    # PecanPy walks from 20,000 random start nodes.
    "1M-10M": dict(model="rmat", nodes=1000000, edges=10000000, weighted=False, p=1, q=1,
                   num_walks=1, walk_length=20, quality=False, repeats=1, peer_repeats=1,
                   peer_starts=20000, peer_timeout=900),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n2v", default=os.path.join(ROOT, "build", "n2v"))
    ap.add_argument("--build", default="build")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--walk-length", type=int, default=80)
    ap.add_argument("--graphs", default=",".join(g for g in GRAPHS if g != "smoke"))
    ap.add_argument("--num-walks", type=int, default=None,
                    help="override every graph's walks per node (e.g. 2 for a quick run)")
    ap.add_argument("--scaling", default="100000,1000000,10000000",
                    help="edge counts of the n2v scaling table ('' to skip)")
    ap.add_argument("--scaling-walks", type=int, default=1,
                    help="walks per node in the scaling table (time is linear in it; memory is not)")
    ap.add_argument("--big", default="er,1000000,50000000,1,2",
                    help="MODEL,NODES,EDGES,WALKS[,WALKS...][;MODEL,...]: n2v train on large "
                         "graphs at each walk count ('' to skip). ER gives every node edges; "
                         "R-MAT leaves about half of the nodes isolated (absent from the file)")
    ap.add_argument("--update", action="store_true",
                    help="keep the other sections of an existing --json file (rerun a part)")
    ap.add_argument("--peer-timeout", type=int, default=1800)
    ap.add_argument("--work", default=os.path.join(ROOT, "bench", "work", "compare"))
    ap.add_argument("--json", default=os.path.join(ROOT, "bench", "results", "compare.json"))
    a = ap.parse_args()
    b = Bench(a)
    for name in filter(None, a.graphs.split(",")):
        spec = dict(GRAPHS[name], name=name)
        spec.setdefault("walk_length", a.walk_length)
        if a.num_walks:
            spec["num_walks"] = a.num_walks
        b.run_graph(spec)
    if a.scaling:
        b.scaling([int(x) for x in a.scaling.split(",")], a.scaling_walks)
    for spec in filter(None, a.big.split(";")):
        model, nodes, edges, *walks = spec.split(",")
        b.big(model, int(nodes), int(edges), [int(w) for w in walks])
    b.save()


if __name__ == "__main__":
    main()
