#!/usr/bin/env bash
# Writes one report of each kind with the real command line, for render_report.sh to open in
# headless Chromium: train (its map sampled: 400 of 600 nodes), eval link prediction over a 3 x 2
# p/q grid, eval node classification over a 2 x 2 grid, walk on a directed graph (walks end early),
# and the MovieLens job on the embedded dataset.
# Usage: make_reports.sh N2V SOURCE_DIR OUT_DIR
set -euo pipefail
N2V=$1
SRC=$2
OUT=$3
rm -rf "$OUT"
mkdir -p "$OUT"
SMALL=(--dim 16 --walk-length 10 --num-walks 2 --threads 2 --quiet)

"$N2V" synth graph --model plod --nodes 600 --edges 3000 --seed 3 -o "$OUT/g.edges" --quiet
# Labels for node classification: the node's id mod 4, and a second label for every fifth node.
awk '{print $1; print $2}' "$OUT/g.edges" | sort -u |
  awk '{l = "group-" ($1 % 4); if ($1 % 5 == 0) l = l " fifth"; print $1, l}' > "$OUT/labels.txt"

"$N2V" train -i "$OUT/g.edges" -o "$OUT/train.w2v" "${SMALL[@]}" --epochs 2 \
  --report "$OUT/train.html" --report-points 400 --report-labels "$OUT/labels.txt"
"$N2V" eval -i "$OUT/g.edges" --p 0.5,1,2 --q 0.5,2 "${SMALL[@]}" --json "$OUT/link.json" \
  --report "$OUT/eval-link.html" >/dev/null
"$N2V" eval -i "$OUT/g.edges" --task node --labels "$OUT/labels.txt" --p 1,2 --q 1,2 \
  --repeats 2 "${SMALL[@]}" --report "$OUT/eval-node.html" >/dev/null
"$N2V" walk -i "$OUT/g.edges" --directed -o "$OUT/walks.txt" --walk-length 10 --num-walks 2 \
  --threads 2 --quiet --report "$OUT/walk.html"
"$N2V" movielens --data "$SRC/data/ml-latest-small" --out "$OUT/movielens" --threads 2 --quiet \
  >/dev/null
for f in train.html eval-link.html eval-node.html walk.html movielens/report.html; do
  [ -s "$OUT/$f" ] || { echo "FAIL: $OUT/$f was not written" >&2; exit 1; }
done
echo "reports written to $OUT: train.html eval-link.html eval-node.html walk.html movielens/report.html"
