"""One node2vec run from Python, for bench/python_compare/compare.py (one process per run, so
that peak memory is the run's own).

    tool.py TOOL GRAPH.edges OUT.w2v P Q DIM WALK_LENGTH NUM_WALKS WINDOW WORKERS

TOOL: n2v | n2v-shared (n2v with shared_negatives=True) | pecanpy-sparseotf | pecanpy-precomp | node2vec | pyg. Each reads the same
unweighted, undirected edge list (tab-separated), runs walks + skip-gram with the same settings
(1 epoch, 5 negatives), and writes word2vec text keyed by the file's node ids. Prints one JSON
line: {"fit_s": seconds from reading the graph to embeddings in memory, "rss_mib": peak RSS}.
"""

import json
import resource
import sys
import time


def peak_rss_mib():
    """This process's peak resident memory. Not getrusage's ru_maxrss: Linux keeps that across
    fork and exec, so a child started by a large parent (compare.py, after its evaluations) reports
    the parent's peak. VmHWM belongs to the address space exec made."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def save_w2v(path, keys, emb):
    with open(path, "w") as f:
        f.write(f"{len(keys)} {emb.shape[1]}\n")
        for k, row in zip(keys, emb):
            f.write(str(k) + " " + " ".join(f"{x:.6g}" for x in row) + "\n")


def main():
    tool, graph, out = sys.argv[1:4]
    p, q = float(sys.argv[4]), float(sys.argv[5])
    dim, length, walks, window, workers = map(int, sys.argv[6:11])
    t0 = time.perf_counter()
    if tool in ("n2v", "n2v-shared"):
        import n2v

        m = n2v.Node2Vec(dimensions=dim, walk_length=length, num_walks=walks, window=window,
                         p=p, q=q, epochs=1, negative=5, workers=workers, device="cpu",
                         shared_negatives=tool == "n2v-shared")
        m.fit(graph)
        t1 = time.perf_counter()
        m.save(out)
    elif tool.startswith("pecanpy"):
        from pecanpy import pecanpy

        cls = pecanpy.SparseOTF if tool == "pecanpy-sparseotf" else pecanpy.PreComp
        g = cls(p=p, q=q, workers=workers, verbose=False)
        g.read_edg(graph, weighted=False, directed=False)
        if tool == "pecanpy-precomp":
            g.preprocess_transition_probs()
        emb = g.embed(dim=dim, num_walks=walks, walk_length=length, window_size=window, epochs=1)
        t1 = time.perf_counter()
        save_w2v(out, g.nodes, emb)
    elif tool == "node2vec":
        import networkx as nx
        from node2vec import Node2Vec

        G = nx.read_edgelist(graph, delimiter="\t", nodetype=str)
        n = Node2Vec(G, dimensions=dim, walk_length=length, num_walks=walks, p=p, q=q,
                     workers=workers, quiet=True)
        model = n.fit(window=window, min_count=1, negative=5, epochs=1, workers=workers)
        t1 = time.perf_counter()
        model.wv.save_word2vec_format(out)
    elif tool == "pyg":
        import numpy as np
        import torch
        from torch_geometric.nn import Node2Vec as PygNode2Vec

        torch.set_num_threads(workers)
        ids, index, edges = [], {}, []
        with open(graph) as f:
            for line in f:
                u, v = line.split()
                for x in (u, v):
                    if x not in index:
                        index[x] = len(ids)
                        ids.append(x)
                edges.append((index[u], index[v]))
        e = torch.tensor(edges, dtype=torch.long).t()
        e = torch.cat([e, e.flip(0)], dim=1)
        model = PygNode2Vec(e, embedding_dim=dim, walk_length=length, context_size=window,
                            walks_per_node=walks, p=p, q=q, num_negative_samples=5, sparse=True)
        loader = model.loader(batch_size=128, shuffle=True, num_workers=0)
        opt = torch.optim.SparseAdam(list(model.parameters()), lr=0.01)
        model.train()
        for pos, neg in loader:
            opt.zero_grad()
            loss = model.loss(pos, neg)
            loss.backward()
            opt.step()
        emb = model.embedding.weight.detach().numpy().astype(np.float32)
        t1 = time.perf_counter()
        save_w2v(out, ids, emb)
    else:
        sys.exit(f"tool.py: unknown tool {tool}")
    print(json.dumps({"fit_s": t1 - t0, "rss_mib": peak_rss_mib()}))


if __name__ == "__main__":
    main()
