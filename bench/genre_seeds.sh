#!/usr/bin/env bash
# Genre micro/macro-F1 (bench/genre_f1.py, top-k decoding) of `n2v movielens` over several seeds,
# to read n2v's quality against the Keras port's seed-to-seed spread rather than one run.
# Usage: bench/genre_seeds.sh [n2v binary] [seeds...]   (default: build/n2v, seeds 1..6 and 42)
set -euo pipefail
cd "$(dirname "$0")/.."
N2V=${1:-build/n2v}
shift || true
SEEDS=("$@")
((${#SEEDS[@]})) || SEEDS=(1 2 3 4 5 6 42)
bench/setup-venv.sh >/dev/null
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
echo "seed micro_f1 macro_f1"
for s in "${SEEDS[@]}"; do
  "$N2V" movielens --device cpu --threads 2 --seed "$s" --out "$WORK/s$s" --quiet >/dev/null
  bench/.venv/bin/python bench/genre_f1.py "$WORK/s$s/embeddings.w2v.txt" |
    python3 -c "import json,sys; d=json.load(sys.stdin); print($s, d['topk']['micro']['mean'], d['topk']['macro']['mean'])"
done
