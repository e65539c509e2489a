#!/usr/bin/env python3
"""Model of sharded (2-D block) against replicated (data-parallel) SGNS training for n2v.

A paper model, not a measurement: it computes, for each rank count, the memory per rank, the
bytes each rank sends per epoch and a predicted time per epoch, from the sizes of the graph and
tables and from stated throughput, network and disk figures. docs/SHARDED_TABLES.md explains the
scheme and every term. Python 3 standard library only; runs in well under a second.

    python3 bench/shard_sim.py                    # Friendster defaults, 8, 64 and 512 ranks
    python3 bench/shard_sim.py --ranks 4,16 --dim 64 --gpu-pairs-per-s 2e8

Units: GB = 10^9 bytes, GB/s = 10^9 bytes/s, s = seconds.
"""
import argparse
import math

GB = 1e9


def pairs_per_position(length, window):
    """Exact mean (centre, context) pairs per walk position under word2vec's shrunk window.

    A centre at position t of a walk of `length` nodes draws b uniform in {1..window} and pairs
    with the positions t-b..t+b that exist (n2v's core::ShrunkWindow; a walk end truncates the
    window). Away from the ends this is 2 * mean(b) = window + 1.
    """
    total = 0
    for b in range(1, window + 1):
        for t in range(length):
            total += min(b, t) + min(b, length - 1 - t)
    return total / (window * length)


def ring_allreduce_bytes(n_ranks, nbytes):
    """Bytes one rank sends in a ring all-reduce of `nbytes` (reduce-scatter + all-gather)."""
    return 2.0 * (n_ranks - 1) / n_ranks * nbytes


def fmt_gb(x):
    x /= GB
    if x >= 100:
        return f"{x:,.0f}"
    if x >= 10:
        return f"{x:.1f}"
    if x >= 0.1:
        return f"{x:.2f}"
    return f"{x:.3f}"


def fmt_s(x):
    if x >= 100:
        return f"{x:,.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def parse_networks(text):
    """'name:GB/s:latency_us,...' -> [(name, bytes/s, seconds)]."""
    out = []
    for item in text.split(","):
        name, bw, lat = item.split(":")
        out.append((name, float(bw) * GB, float(lat) * 1e-6))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    g = ap.add_argument_group("graph and model")
    g.add_argument("--nodes", type=int, default=65_608_366, help="Friendster (SNAP com-Friendster)")
    g.add_argument("--edges", type=int, default=1_806_067_135, help="undirected edges")
    g.add_argument("--dim", type=int, default=128)
    g.add_argument("--float-bytes", type=int, default=4, help="float32")
    g.add_argument("--walks-per-node", type=int, default=10)
    g.add_argument("--walk-length", type=int, default=80)
    g.add_argument("--window", type=int, default=10)
    g.add_argument("--negatives", type=int, default=5)
    g.add_argument("--slot-bytes", type=float, default=16.0,
                   help="graph bytes per edge slot (two slots per undirected edge): 4 neighbour "
                        "id + 4 weight + 8 alias slot, n2v's host CSR + alias tables")
    g.add_argument("--device-slot-bytes", type=float, default=12.0,
                   help="graph bytes per slot on a GPU (cuda::DeviceGraphBytes: 12 per slot)")
    s = ap.add_argument_group("2-D block scheme")
    s.add_argument("--ranks", default="8,64,512")
    s.add_argument("--pair-bytes", type=int, default=16,
                   help="a routed pair: input row id (4), output row id (4), pair id (8)")
    s.add_argument("--local-pair-fraction", type=float, default=0.5,
                   help="share of pairs emitted on their input row's owner (the walker's "
                        "current node is the context, the centre earlier in the walk)")
    s.add_argument("--walker-bytes", type=int, default=0,
                   help="a migrating walker's state; 0: 16 + 4 * window (walk id, step, "
                        "previous node, current node and the last `window` node ids)")
    s.add_argument("--buffer-kib", type=int, default=256,
                   help="one routing or bucket-file buffer")
    s.add_argument("--imbalance", type=float, default=1.0,
                   help="slowest rank's pairs in a round over the mean (1.0: perfectly even)")
    s.add_argument("--disk-gbps", type=float, default=2.0,
                   help="per-rank local NVMe bandwidth for bucket spill files (assumed)")
    s.add_argument("--pool-fraction", type=float, default=0.5,
                   help="share of host memory left for an in-memory pair pool")
    d = ap.add_argument_group("data-parallel scheme")
    d.add_argument("--chunk-positions", type=int, default=1 << 20,
                   help="walk positions per chunk (n2v's DefaultWalkChunk: ~2^20)")
    d.add_argument("--sync-every", type=int, default=64, help="K: chunks per rank between syncs")
    h = ap.add_argument_group("machines")
    h.add_argument("--networks", default="IB-EDR-100Gb/s:12.5:2,25GbE:3.125:20",
                   help="name:GB/s:latency_us per link, comma-separated")
    h.add_argument("--cpu-words-per-s", type=float, default=3.28e5,
                   help="measured: bench/RESULTS.md, 'Training on the same walks', "
                        "blogcatalog-sized, 2 threads, walk length 80, window 10, 5 negatives")
    h.add_argument("--gpu-pairs-per-s", type=float, default=6e8,
                   help="ASSUMED per-GPU target, not measured")
    h.add_argument("--host-memory-gb", type=float, default=256.0)
    h.add_argument("--gpu-memory-gb", type=float, default=80.0)
    a = ap.parse_args()

    ranks = [int(x) for x in a.ranks.split(",")]
    nets = parse_networks(a.networks)
    n, dim, fb = a.nodes, a.dim, a.float_bytes
    row = dim * fb
    table = n * row                       # one table (input or output)
    slots = 2 * a.edges
    graph_host = 8 * (n + 1) + a.slot_bytes * slots
    graph_dev = 8 * (n + 1) + a.device_slot_bytes * slots
    neg_tables = 8 * n                    # keep (4) + alias (4) per row, all partitions
    ppp = pairs_per_position(a.walk_length, a.window)
    positions = n * a.walks_per_node * a.walk_length
    pairs = positions * ppp
    walker_bytes = a.walker_bytes or 16 + 4 * a.window
    cpu_pps = a.cpu_words_per_s * pairs_per_position(80, 10)  # the measured run's walks
    thr = [("CPU", cpu_pps), ("GPU", a.gpu_pairs_per_s)]
    buf = a.buffer_kib * 1024
    host_mem = a.host_memory_gb * GB
    gpu_mem = a.gpu_memory_gb * GB
    disk = a.disk_gbps * GB

    print("**n2v sharded tables: model predictions, not measurements**\n")
    print("### Assumptions\n")
    asm = [
        f"graph: {n:,} nodes, {a.edges:,} undirected edges ({slots:,} edge slots); "
        f"host graph {a.slot_bytes:g} B/slot + 8 B/node = {fmt_gb(graph_host)} GB, "
        f"on a GPU {a.device_slot_bytes:g} B/slot = {fmt_gb(graph_dev)} GB",
        f"tables: dim {dim}, {fb}-byte floats: one table {fmt_gb(table)} GB, input + output "
        f"{fmt_gb(2 * table)} GB; negatives alias tables 8 B/node = {fmt_gb(neg_tables)} GB",
        f"walks: {a.walks_per_node} × {a.walk_length} per node = {positions:.3e} positions per epoch",
        f"pairs: window {a.window} shrunk uniformly to 1..{a.window}: {a.window + 1} pairs per "
        f"interior centre, {ppp:.4f} per position with walk ends truncating "
        f"= {pairs:.3e} pairs per epoch, each with {a.negatives} negatives",
        f"CPU rank: {cpu_pps:.3e} pairs/s, MEASURED: {a.cpu_words_per_s:.3g} words/s "
        f"(bench/RESULTS.md, 'Training on the same walks', 2 threads, 10k-node graph whose "
        f"tables fit in cache) × {pairs_per_position(80, 10):.2f} pairs per word; a rank is "
        f"2 cores of that machine",
        f"GPU rank: {a.gpu_pairs_per_s:.3g} pairs/s, ASSUMED (a target, never measured)",
        "networks: " + "; ".join(f"{nm} {bw / GB:g} GB/s per rank each way, {lat * 1e6:g} µs"
                                 for nm, bw, lat in nets),
        f"2-D scheme: hashed partition, P = N or 2N parts, every rank sends what it receives "
        f"(full duplex); routed pair {a.pair_bytes} B, {a.local_pair_fraction:g} of pairs born "
        f"on their input row's owner; migrating walker {walker_bytes} B per step; "
        f"{a.buffer_kib} KiB buffers; imbalance {a.imbalance:g}; "
        f"bucket spill files on local NVMe at {a.disk_gbps:g} GB/s (assumed), written and read once",
        f"pool variant: the pairs kept in host memory instead, in E episodes (E cycles of "
        f"rotation per epoch), E the least that fits a double-buffered pool in "
        f"{a.pool_fraction:g} × {a.host_memory_gb:g} GB",
        f"data-parallel scheme: full graph and tables on every rank plus a snapshot of both "
        f"tables for the deltas; dense ring all-reduce of the deltas of both tables every "
        f"K = {a.sync_every} chunks of {a.chunk_positions:,} positions per rank",
        f"capacities: host {a.host_memory_gb:g} GB, GPU {a.gpu_memory_gb:g} GB per rank",
        "time = max(compute, network, disk) + rounds × latency, where the scheme lets them "
        "overlap (see the notes under the table); walk sampling and table initialisation left out",
    ]
    for x in asm:
        print(f"- {x}")

    # ------------------------------------------------------------------ memory
    print("\n### Memory per rank (GB)\n")
    print("2-D blocks: input part + output blocks (resident, in flight) + graph partition + "
          "negatives tables + pair buffers. Data-parallel (DP): both tables + their snapshot + "
          "the whole graph + negatives tables.\n")
    print("| N | P | input part | output blocks | graph part | neg. tables | pair buffers | "
          "total (host, CPU rank) | on GPU (GPU rank) | spill per rank per epoch | "
          "DP total (CPU rank) | DP on GPU |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    mem = {}
    for N in ranks:
        for ppr in (1, 2):
            P = ppr * N
            inp = table / N
            block = math.ceil(n / P) * row
            # P = N: the resident block and the one being received (sent from the resident
            # buffer, then swapped). P = 2N: the block in training, the one arriving and the
            # one leaving.
            blocks = (2 if ppr == 1 else 3) * block
            gpart = graph_host / N
            gpart_dev = graph_dev / N
            bufs = (N + ppr * P + 2) * buf  # routing per rank, bucket files, two read buffers
            total = inp + blocks + gpart + neg_tables + bufs
            on_gpu = inp + blocks + gpart_dev + neg_tables
            spill = pairs / N * a.pair_bytes
            dp_total = 2 * table + 2 * table + graph_host + neg_tables
            dp_gpu = 2 * table + 2 * table + graph_dev + neg_tables
            mem[(N, ppr)] = dict(total=total, on_gpu=on_gpu, spill=spill, block=block)
            mark = lambda x, cap: fmt_gb(x) + ("" if x <= cap else " (too big)")
            print(f"| {N} | {P} | {fmt_gb(inp)} | {fmt_gb(blocks)} | {fmt_gb(gpart)} | "
                  f"{fmt_gb(neg_tables)} | {fmt_gb(bufs)} | {mark(total, host_mem)} | "
                  f"{mark(on_gpu, gpu_mem)} | {fmt_gb(spill)} | {mark(dp_total, host_mem)} | "
                  f"{mark(dp_gpu, gpu_mem)} |")
    print("\n'on GPU' for the 2-D scheme: input part, blocks, graph partition in the device "
          "form and negatives tables; routing buffers and spill files stay on the host. "
          "'DP on GPU': both tables and their snapshot and the device graph.")

    # ------------------------------------------------------------------ traffic
    print("\n### Bytes each rank sends per epoch (GB)\n")
    print("| N | 2-D: block rotation | 2-D: pair routing | 2-D: walker migration | 2-D total | "
          "DP: syncs per epoch | DP: positions between syncs (all ranks) | DP: GB per sync | "
          "DP total |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    traffic = {}
    for N in ranks:
        frac = (N - 1) / N
        rot = {ppr: ppr * N * mem[(N, ppr)]["block"] for ppr in (1, 2)}
        # A walker at step t knows the nodes before it, so it emits at home the pairs whose
        # input row (the context, word2vec.c's convention) is its current node and whose centre
        # came earlier; the pairs whose centre is later leave with (N-1)/N probability.
        pair_b = pairs / N * a.pair_bytes * (1 - a.local_pair_fraction) * frac
        walk_b = positions / N * walker_bytes * frac
        chunks = math.ceil(positions / N / a.chunk_positions)
        syncs = math.ceil(chunks / a.sync_every)
        per_sync = ring_allreduce_bytes(N, 2 * table)
        traffic[N] = dict(rot=rot, pair=pair_b, walk=walk_b, syncs=syncs, per_sync=per_sync)
        print(f"| {N} | {fmt_gb(rot[2])} | {fmt_gb(pair_b)} | {fmt_gb(walk_b)} | "
              f"{fmt_gb(rot[2] + pair_b + walk_b)} | {syncs} | "
              f"{N * a.sync_every * a.chunk_positions:.2e} | {fmt_gb(per_sync)} | "
              f"{fmt_gb(syncs * per_sync)} |")
    print("\nBlock rotation: P sends of one block per cycle = one output table per epoch, "
          "whatever N (P = N and P = 2N alike). Pair routing: the pairs not born on their input "
          "row's owner, (N-1)/N of which leave the rank under a hashed partition; walker "
          "migration: (N-1)/N of the steps move the walker.")

    # ------------------------------------------------------------------ time
    print("\n### Predicted time per epoch (s)\n")
    print("| N | network | rank | compute | 2-D P=2N, spill | 2-D P=N, spill | "
          "2-D P=2N, pool (E) | DP | DP break-even syncs |")
    print("|---:|---|---|---:|---:|---:|---:|---:|---:|")
    for N in ranks:
        t = traffic[N]
        for nm, bw, lat in nets:
            for tn, pps in thr:
                comp = pairs / N / pps * a.imbalance
                stream = (t["pair"] + t["walk"]) / bw
                disk_s = 2 * mem[(N, 2)]["spill"] / disk
                res = {}
                for ppr in (1, 2):
                    rounds = ppr * N
                    rot_s = t["rot"][ppr] / bw
                    sync = rounds * lat * (1 + math.ceil(math.log2(N)))
                    if ppr == 2:   # the next block arrives while this one trains
                        terms = [(comp, "compute"), (rot_s + stream, "net"), (disk_s, "disk")]
                    else:          # every block is in use: a round trains, then hands over
                        terms = [(comp + rot_s, "compute + hand-over"), (rot_s + stream, "net"),
                                 (disk_s, "disk")]
                    core, tag = max(terms)
                    res[ppr] = (core + sync, tag)
                # in-memory pool: E episodes, each a full rotation cycle, no disk
                other = mem[(N, 2)]["total"]
                room = max(a.pool_fraction * host_mem - other, 1.0)
                E = max(1, math.ceil(2 * mem[(N, 2)]["spill"] / room))
                rot_pool = E * t["rot"][2] / bw
                core, pool_tag = max((comp, "compute"), (rot_pool + stream, "net"))
                pool = core + E * 2 * N * lat * (1 + math.ceil(math.log2(N)))
                # data parallel: all-reduce overlapped with the next interval's training
                ar = t["syncs"] * (t["per_sync"] / bw + 2 * (N - 1) * lat)
                dp = max(comp, ar)
                dp_tag = "net" if ar > comp else "compute"
                be = comp / (t["per_sync"] / bw + 2 * (N - 1) * lat)
                print(f"| {N} | {nm} | {tn} | {fmt_s(comp)} | {fmt_s(res[2][0])} ({res[2][1]}) | "
                      f"{fmt_s(res[1][0])} ({res[1][1]}) | {fmt_s(pool)} (E={E}, {pool_tag}) | "
                      f"{fmt_s(dp)} ({dp_tag}) | {be:,.1f} |")
    print("\nCompute: pairs / N / (pairs/s per rank) × imbalance. 2-D P=2N: blocks travel "
          "while the previous block trains, so max(compute, network, disk); P=N: a block can "
          "only move once trained, so each round adds its transfer. Per-round latency: "
          "(1 + ceil(log2 N)) × link latency (hand-off plus a barrier). Spill: pairs written "
          "to and read back from per-bucket files. Pool: no disk, E rotation cycles. DP: "
          "all-reduce overlapped with the next interval's training; break-even = the syncs "
          "per epoch at which the all-reduce time equals compute. The word in brackets is the "
          "bottleneck.")


if __name__ == "__main__":
    main()
