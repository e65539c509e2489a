#!/usr/bin/env bash
# A/B of two n2v binaries on this machine, interleaved run by run (so load drifts hit both): the
# MovieLens job (whole process), `n2v train` on a synthetic graph (words/s, i.e. walk positions
# trained per second, from run.json) and `n2v walk` (steps/s as the binary reports it). Prints
# medians and the ratio B/A. For "no regression" checks of a change: A = the build before it.
# Usage: bench/ab.sh A_N2V B_N2V [repeats (5)] [threads (2)]
set -euo pipefail
A=$1
B=$2
REPS=${3:-5}
THREADS=${4:-2}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
"$B" synth graph --model rmat --nodes 100000 --edges 1000000 --seed 3 -o "$TMP/g.csr" --quiet

med() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
for ((r = 1; r <= REPS; r++)); do
  for side in A B; do
    bin=${!side}
    t0=$(date +%s.%N)
    "$bin" movielens --data "$ROOT/data/ml-latest-small" --out "$TMP/ml-$side" --device cpu \
      --threads "$THREADS" --quiet >/dev/null
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc >>"$TMP/ml.$side"
    "$bin" train -i "$TMP/g.csr" -o "$TMP/e-$side.w2v" --num-walks 1 --walk-length 40 --dim 128 \
      --device cpu --threads "$THREADS" --quiet
    python3 - "$TMP/e-$side.w2v.run.json" >>"$TMP/train.$side" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
# walk positions per second of training: nodes x walks x length / train time
print(100000 * 1 * 40 / (d["timings_ms"]["train"] / 1000))
PY
    "$bin" walk -i "$TMP/g.csr" -o "$TMP/w-$side.txt" --num-walks 4 --walk-length 80 --p 0.5 --q 2 \
      --device cpu --threads "$THREADS" 2>"$TMP/walk.err"
    grep -oE '= [0-9.e+]+ steps/s' "$TMP/walk.err" | grep -oE '[0-9.e+]+' >>"$TMP/walk.$side"
  done
done
printf '%-34s %14s %14s %8s\n' "figure (median of $REPS)" "A" "B" "B/A"
for f in ml train walk; do
  a=$(med <"$TMP/$f.A")
  b=$(med <"$TMP/$f.B")
  case $f in
    ml) name="movielens job, wall s (lower=better)" ;;
    train) name="train, positions/s" ;;
    walk) name="walk, steps/s" ;;
  esac
  printf '%-34s %14.4g %14.4g %8.3f\n' "$name" "$a" "$b" "$(echo "$b / $a" | bc -l)"
done
