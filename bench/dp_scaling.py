#!/usr/bin/env python3
"""Data-parallel training (`mpirun -np N n2v train`): the table syncs measured on this machine,
and a scaling model built from them.

Measures: for each N in --ranks, `n2v train` on --graph (N = 1 a plain run, else under mpirun,
one thread per rank), and from its run.json the training time, the syncs, the bytes each rank
contributes per sync, rank 0's non-overlapped wait and merge time per sync, the positions per
sync and the staleness the auto interval chose (docs/DISTRIBUTED.md, "Staleness").

Models: time per epoch on N ranks = rounds x (max(compute of a round, its all-reduce) + merge),
with the auto interval's positions per sync P(N) = 4 n / (N (N - 1) sqrt(f n)) (at least one
walk), a ring all-reduce of both tables (2 (N - 1) / N x bytes / bus bandwidth + 2 (N - 1) x
latency; the sum overlaps the next round's training, as n2v's does) and a merge pass over four
copies of the tables at memory bandwidth. Per-rank rates: the CPU rank's measured here, the GPU
rank's the H200 SGD figure measured by scripts/gpu-check (4.0e8 pairs/s, README). Links, memory
bandwidths and the target graphs are assumptions, printed with the results.

    python3 bench/dp_scaling.py --n2v build/n2v --graph G.edges [--weighted] [--ranks 1,2,3,4]
        [--out FILE.md]
"""

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

MPI_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
           "OMPI_MCA_btl": "self,vader", "OMPI_MCA_btl_vader_single_copy_mechanism": "none"}


def measure(a, n, work):
    out = os.path.join(work, f"r{n}.emb")
    cmd = [a.n2v, "train", "-i", a.graph, "--threads", "1", "--epochs", str(a.epochs),
           "--dimensions", str(a.dim), "--walk-length", str(a.walk_length), "--num-walks",
           str(a.num_walks), "--no-report", "--quiet", "-o", out] + (["--weighted"] if a.weighted else [])
    if n > 1:
        cmd = ["mpirun", "--oversubscribe", "--bind-to", "none", "-np", str(n)] + cmd
    subprocess.run(cmd, check=True, env={**os.environ, **MPI_ENV})
    with open(out + ".run.json") as f:
        return json.load(f)


def allreduce_s(nranks, nbytes, bw, lat):
    if nranks <= 1:
        return 0.0
    return 2 * (nranks - 1) / nranks * nbytes / bw + 2 * (nranks - 1) * lat


def model(nodes, sqrt_fn, dim, length, positions, rate, bw, lat, mem_bw, nranks):
    """Seconds per epoch on `nranks` ranks, and the positions per sync."""
    if nranks == 1:
        return positions / rate, positions
    p = max(length, 4 * nodes / (nranks * (nranks - 1) * sqrt_fn))
    table_bytes = 2 * nodes * dim * 4
    rounds = positions / nranks / p
    round_s = max(p / rate, allreduce_s(nranks, table_bytes, bw, lat)) + 4 * table_bytes / mem_bw
    return rounds * round_s, p


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n2v", required=True)
    ap.add_argument("--graph", required=True)
    ap.add_argument("--weighted", action="store_true")
    ap.add_argument("--ranks", default="1,2,3,4")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--walk-length", type=int, default=80)
    ap.add_argument("--num-walks", type=int, default=10)
    ap.add_argument("--gpu-pairs-per-s", type=float, default=4.0e8,
                    help="one GPU rank's SGD rate (measured on an H200 by scripts/gpu-check)")
    ap.add_argument("--nvlink-gb-s", type=float, default=350.0,
                    help="all-reduce bus bandwidth between 8 GPUs of one node (assumed)")
    ap.add_argument("--ib-gb-s", type=float, default=45.0,
                    help="all-reduce bus bandwidth between nodes, 400 Gb/s InfiniBand (assumed)")
    ap.add_argument("--gpu-mem-gb-s", type=float, default=4000.0, help="GPU memory (assumed)")
    ap.add_argument("--cpu-mem-gb-s", type=float, default=10.0,
                    help="a CPU rank's memory bandwidth for the merge (assumed)")
    ap.add_argument("--out")
    a = ap.parse_args()
    ranks = [int(x) for x in a.ranks.split(",")]
    lines = []
    say = lines.append
    with tempfile.TemporaryDirectory() as work:
        runs = {n: measure(a, n, work) for n in ranks}
    one = runs[ranks[0]]
    nodes, dim, length, walks = one["graph"]["nodes"], a.dim, a.walk_length, a.num_walks
    positions = nodes * walks * length * a.epochs
    pairs_per_position = one["pairs"] / positions
    train_s = {n: r["timings_ms"]["train"] / 1000 for n, r in runs.items()}
    cpu_rate = positions / train_s[1] if 1 in train_s else None

    say(f"## Data-parallel syncs, measured ({os.path.basename(a.graph)}: {nodes} nodes, dim {dim}, "
        f"{walks} x {length} walks, {a.epochs} epoch(s), 1 thread per rank)\n")
    say("| ranks | train s | speed-up | syncs | MB per sync | positions per sync | staleness "
        "| rank 0 wait per sync ms | merge per sync ms | final loss |")
    say("|---|---|---|---|---|---|---|---|---|---|")
    sqrt_fn = None
    for n, r in runs.items():
        k = r.get("ranks", {})
        syncs = k.get("syncs", 0)
        if n > 1 and k.get("positions_per_sync"):
            sqrt_fn = k["staleness"] * nodes / (n * (n - 1) * k["positions_per_sync"])
        per = (lambda key: f"{k[key] / syncs:.2f}" if syncs else "—")
        say(f"| {n} | {train_s[n]:.2f} | {train_s[ranks[0]] / train_s[n]:.2f} | {syncs} | "
            f"{k.get('bytes_per_sync', 0) / 1e6:.2f} | {k.get('positions_per_sync', '—')} | "
            f"{k.get('staleness', 0):.2f} | {per('rank0_wait_ms')} | {per('rank0_merge_ms')} | "
            f"{r['losses'][-1]:.4f} |")
    say(f"\nPairs per position {pairs_per_position:.2f}; sqrt(f n) of this graph "
        f"{sqrt_fn if sqrt_fn else float('nan'):.2f} (from the staleness run.json reports).")
    if cpu_rate:
        say(f"One CPU rank trains {cpu_rate:.3g} positions/s here.")

    gpu_rate = a.gpu_pairs_per_s / pairs_per_position
    say("\n## Scaling model: predictions, not measurements\n")
    say(f"GPU rank {a.gpu_pairs_per_s:.2g} pairs/s = {gpu_rate:.3g} positions/s (measured H200 "
        f"figure); links: {a.nvlink_gb_s:g} GB/s within a node (8 GPUs, NVLink), {a.ib_gb_s:g} "
        f"GB/s between nodes (one GPU per node); latency 5 us per ring step in a node, 10 us "
        f"between nodes; merge at {a.gpu_mem_gb_s:g} GB/s (GPU), {a.cpu_mem_gb_s:g} GB/s (CPU). "
        f"Positions per sync from the auto rule, 4 n / (N (N - 1) sqrt(f n)).\n")
    targets = [(f"this graph ({nodes} nodes)", nodes, sqrt_fn or 1.4),
               ("YouTube-sized, even degrees (1.1M nodes, sqrt(f n) 1.4)", 1_100_000, 1.4),
               ("YouTube-sized, its skew (1.1M nodes, sqrt(f n) 73: hub of 28,754 of 6M slots)",
                1_100_000, 73.0)]
    setups = [("CPU ranks, 10 Gb/s Ethernet", cpu_rate, 1.0e9, 20e-6, a.cpu_mem_gb_s * 1e9),
              ("GPUs in one node (NVLink)", gpu_rate, a.nvlink_gb_s * 1e9, 5e-6,
               a.gpu_mem_gb_s * 1e9),
              ("GPUs on separate nodes (InfiniBand)", gpu_rate, a.ib_gb_s * 1e9, 10e-6,
               a.gpu_mem_gb_s * 1e9)]
    ns = [1, 2, 4, 8, 16, 64]
    for name, n_nodes, sfn in targets:
        pos = n_nodes * walks * length
        say(f"### {name}, dim {dim}, {walks} x {length} walks: predicted speed-up over one rank\n")
        say("| ranks | " + " | ".join(s[0] for s in setups) + " |")
        say("|---|" + "---|" * len(setups))
        for n in ns:
            cells = []
            for _, rate, bw, lat, mem in setups:
                if not rate:
                    cells.append("—")
                    continue
                t1, _ = model(n_nodes, sfn, dim, length, pos, rate, bw, lat, mem, 1)
                tn, p = model(n_nodes, sfn, dim, length, pos, rate, bw, lat, mem, n)
                cells.append(f"{t1 / tn:.2f}x (P {p:,.0f})")
            say(f"| {n} | " + " | ".join(cells) + " |")
        say("")
    text = "\n".join(lines)
    print(text)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    sys.exit(main())
