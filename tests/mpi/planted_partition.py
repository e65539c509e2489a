#!/usr/bin/env python3
"""A planted-partition graph for the data-parallel quality test: n nodes in k communities
(node v in community v mod k), m distinct undirected edges, each drawn from a uniform node to a
node of its own community with probability 0.8, else to a uniform node. Its links are predictable
from the communities (one-process link AUC ~0.85 at n2v's defaults), so a quality loss from
training on several ranks shows, which a graph without structure (AUC ~0.55) would hide in noise.
Standard library only. Usage: planted_partition.py NODES EDGES COMMUNITIES SEED OUTPUT"""
import random
import sys

n, m, k, seed = (int(a) for a in sys.argv[1:5])
rng = random.Random(seed)
members = [list(range(c, n, k)) for c in range(k)]
seen = set()
with open(sys.argv[5], "w") as f:
    while len(seen) < m:
        a = rng.randrange(n)
        b = rng.choice(members[a % k]) if rng.random() < 0.8 else rng.randrange(n)
        if a == b:
            continue
        key = (min(a, b), max(a, b))
        if key not in seen:
            seen.add(key)
            f.write(f"{key[0]} {key[1]}\n")
