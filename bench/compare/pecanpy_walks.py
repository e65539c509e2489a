"""Times PecanPy's walks on an edge list, as its users run them (bench/compare helper).

Usage: pecanpy_walks.py MODE EDGES P Q NUM_WALKS WALK_LENGTH WORKERS WEIGHTED [WALKS_OUT]
                         [--starts K]
MODE is SparseOTF or PreComp. Prints one JSON line: load, preprocess, walk seconds and the
steps taken (transitions: a walk of L nodes takes L - 1). The numba kernels are compiled by a
warm-up run on a 3-node graph first, so the walk time is the walks' own (PecanPy caches its
compiled kernels only per process). With WALKS_OUT the walks are also written, one per line.

--starts K walks from K start nodes drawn uniformly at random (with replacement) instead of
NUM_WALKS from every node, through the same kernel simulate_walks runs (_random_walks, then the
id mapping): on graphs where PecanPy takes hours for a full pass this measures its steps/s from
the same distribution of start nodes. NUM_WALKS is then ignored.
"""
import json
import os
import sys
import tempfile
import time

import numpy as np
from numba_progress import ProgressBar
from pecanpy import pecanpy as node2vec


def main():
    args = sys.argv[1:]
    starts = None
    if "--starts" in args:
        i = args.index("--starts")
        starts = int(args[i + 1])
        del args[i:i + 2]
    mode, edges, p, q, num_walks, length, workers, weighted = args[:8]
    walks_out = args[8] if len(args) > 8 else None
    p, q = float(p), float(q)
    num_walks, length, workers = int(num_walks), int(length), int(workers)
    weighted = weighted == "1"
    cls = getattr(node2vec, mode)
    # Warm-up: compile the numba kernels on a tiny graph.
    with tempfile.NamedTemporaryFile("w", suffix=".edg", delete=False) as f:
        f.write("a b 1\nb c 1\nc a 1\n" if weighted else "a b\nb c\nc a\n")
        tiny = f.name
    g = cls(p=p, q=q, workers=workers, verbose=False, random_state=1)
    g.read_edg(tiny, weighted=weighted, directed=False, delimiter=" ")
    g.preprocess_transition_probs()
    g.simulate_walks(num_walks=1, walk_length=5)
    os.unlink(tiny)

    t0 = time.perf_counter()
    g = cls(p=p, q=q, workers=workers, verbose=False, random_state=1)
    g.read_edg(edges, weighted=weighted, directed=False, delimiter=" ")
    t1 = time.perf_counter()
    g.preprocess_transition_probs()
    t2 = time.perf_counter()
    if starts is None:
        walks = g.simulate_walks(num_walks=num_walks, walk_length=length)
    else:
        start_idx = np.random.default_rng(1).integers(0, g.num_nodes, starts).astype(np.uint32)
        with ProgressBar(total=starts, disable=True) as progress:
            mat = g._random_walks(starts, length, 1, start_idx, g.get_has_nbrs(),
                                  g.get_move_forward(), progress)
        walks = [g._map_walk(w) for w in mat]
    t3 = time.perf_counter()
    steps = sum(len(w) - 1 for w in walks)
    if walks_out:
        with open(walks_out, "w") as f:
            for w in walks:
                f.write(" ".join(w) + "\n")
    print(json.dumps({"tool": f"pecanpy-{mode}", "load_s": t1 - t0, "preprocess_s": t2 - t1,
                      "walk_s": t3 - t2, "steps": steps, "walks": len(walks), "starts": starts,
                      "steps_per_s": steps / (t3 - t2) if t3 > t2 else None}))


if __name__ == "__main__":
    main()
