#!/usr/bin/env bash
# PMI graph at ml-25m's scale: writes 25M synthetic ratings (WriteSynthRatings: 162,541 users,
# 62,423 movies, ml-25m's shape), then times ReadRatings + BuildPmiGraph for each min_rating under
# /usr/bin/time -v (peak RSS), with the load average before and after each run (the machine is
# shared: a figure means little without it). Prints one summary line per run; full logs go to
# the work directory.
#
# usage: bench/pmi_scale/run.sh [--threads N] [--min-ratings "5 3"] [--min-weight W] [--seed S]
#                               [--work DIR] [--build DIR] [--regenerate]
# Needs: cmake, ninja, g++, /usr/bin/time. Disk: ~0.7 GB for ratings.csv. Memory: ~1.3 GB at
# min_rating 5, ~7.6 GB at min_rating 3 (the graph alone is 6.6 GB there).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
THREADS=2
MIN_RATINGS="5 3"
MIN_WEIGHT=10
SEED=1
WORK="$ROOT/bench/work/pmi_scale"
BUILD="$ROOT/build-pmi-scale"
REGENERATE=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads) THREADS=$2; shift 2 ;;
    --min-ratings) MIN_RATINGS=$2; shift 2 ;;
    --min-weight) MIN_WEIGHT=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    --regenerate) REGENERATE=1; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done

load() { cut -d' ' -f1-3 /proc/loadavg; }

cmake -S "$ROOT/bench/pmi_scale" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C "$BUILD" pmi_scale >/dev/null
DRIVER="$BUILD/pmi_scale"

DATA="$WORK/ml25m-synth-seed$SEED"
mkdir -p "$DATA"
if [[ $REGENERATE == 1 || ! -s "$DATA/ratings.csv" ]]; then
  echo "== generating 25M ratings into $DATA (load $(load))"
  /usr/bin/time -v "$DRIVER" ratings "$DATA" 162541 62423 25000095 "$SEED" "$THREADS" \
    2> "$DATA/generate.time"
  grep -E "Elapsed|Maximum resident" "$DATA/generate.time" | sed 's/^\s*/   /'
fi

for r in $MIN_RATINGS; do
  log="$WORK/pmi-min$r-t$THREADS.log"
  before=$(load)
  /usr/bin/time -v "$DRIVER" pmi "$DATA" "$r" "$MIN_WEIGHT" "$THREADS" > "$log" 2> "$log.time"
  after=$(load)
  rss_kb=$(awk -F: '/Maximum resident/ {gsub(/ /, "", $2); print $2}' "$log.time")
  wall=$(awk '/Elapsed \(wall clock\)/ {print $NF}' "$log.time")
  user=$(awk -F: '/User time/ {gsub(/ /, "", $2); print $2}' "$log.time")
  echo "== min_rating $r, $THREADS threads: $(cat "$log")"
  echo "   process wall $wall, user ${user} s, peak RSS $((rss_kb / 1024)) MiB;" \
       "load before $before, after $after"
done
