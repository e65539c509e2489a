#!/usr/bin/env bash
# Cross-check n2v's evaluation library against scikit-learn on MovieLens (ml-latest-small):
#   node classification  embeddings of `n2v movielens` (the seed's PMI graph), genres from
#                        movies.csv as multi-labels, 10 seeded 50/50 splits;
#   link prediction      the same PMI graph split 80/20 by n2v, the seed's model trained on the
#                        residual graph, cosine and four edge-operator classifiers.
# eval_dump (this folder) runs n2v's evaluation and dumps splits and pairs; crosscheck.py redoes
# every figure with scikit-learn on the same data and fails on any difference above 0.01.
#
# usage: bench/eval_crosscheck/run.sh [BUILD_DIR (default build)] [WORK_DIR]
# Needs BUILD_DIR/libn2v_{engine,cpu,frontend}.a and BUILD_DIR/n2v (built here with ninja when they are missing or
# stale) and bench/.venv with scikit-learn (bench/setup-venv.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/bench/eval_crosscheck"
build="$(cd "${1:-$root/build}" && pwd)"
work="${2:-$root/bench/work/eval_crosscheck}"
py="$root/bench/.venv/bin/python"
data="$root/data/ml-latest-small"
mkdir -p "$work"

[[ -x "$py" ]] || { echo "run.sh: $py missing: run bench/setup-venv.sh" >&2; exit 2; }
"$py" -c 'import sklearn' 2>/dev/null || { echo "run.sh: scikit-learn missing in bench/.venv" >&2; exit 2; }
if [[ -f "$build/build.ninja" ]]; then ninja -C "$build" n2v_engine n2v >/dev/null; fi

echo "== building eval_dump against the n2v libraries in $build"
# shellcheck disable=SC2046
g++ -std=c++20 -O2 -fopenmp -I"$root/include" -I"$root" "$here/eval_dump.cpp" \
  "$build/libn2v_engine.a" "$build/libn2v_cpu.a" "$build/libn2v_frontend.a" \
  $(pkg-config --libs absl_status absl_statusor absl_strings absl_str_format absl_flat_hash_map absl_hash) \
  -llinear -lz -lpthread -o "$work/eval_dump"

echo "== n2v movielens (the seed's job, CPU) -> $work/movielens"
"$build/n2v" movielens --data "$data" --out "$work/movielens" --device cpu --quiet >/dev/null

echo "== genres as labels: $work/genres.txt"
"$py" - "$data/movies.csv" "$work/genres.txt" <<'PY'
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8") as f, open(sys.argv[2], "w", encoding="utf-8") as out:
    out.write("# movieId genre [genre ...]  (from movies.csv; '(no genres listed)' dropped)\n")
    for r in csv.DictReader(f):
        g = [x for x in r["genres"].split("|") if x and x != "(no genres listed)"]
        if g:
            out.write(r["movieId"] + " " + " ".join(g) + "\n")
PY

echo "== n2v: node classification"
# movies.csv lists every movie; the PMI graph keeps only movies with a strong co-rating edge, so
# the rest are skipped (and counted).
"$work/eval_dump" node "$work/movielens/embeddings.w2v.txt" "$work/genres.txt" "$work/node.json" \
  10 0.5 42 1.0 1
echo "== n2v: link prediction"
"$work/eval_dump" link "$data" "$work" 0.2 42 10

echo "== scikit-learn on the same splits"
"$py" "$here/crosscheck.py" --node "$work/node.json" --link "$work/link.json" \
  --json-out "$work/crosscheck.json"
