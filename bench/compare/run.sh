#!/usr/bin/env bash
# Side-by-side benchmark of n2v against the peers node2vec users would otherwise pick, on this
# machine, in one run: sets up bench/.venv (PecanPy, gensim, TensorFlow for the Keras example;
# bench/setup-venv.sh), builds n2v, then
#   1. the MovieLens job: n2v movielens against the Keras example itself (bench/movielens.sh);
#   2. synthetic graphs (bench/compare/compare.py): walks against PecanPy SparseOTF and PreComp,
#      training against gensim on the same walks, link-prediction AUC of both pipelines on the
#      same split, peak memory; and n2v's scaling from 10^5 to 10^7 edges.
# Writes bench/results/compare-<date>.json and bench/RESULTS.md (bench/compare/report.py).
#
# Usage: bench/compare/run.sh [--quick] [--repeats N] [--skip-movielens] [-- compare.py args]
#   --quick   2 walks per node on the synthetic graphs, 1 Keras run, scaling up to 10^6 edges,
#            no large-graph streaming check
set -euo pipefail
cd "$(dirname "$0")/../.."
repeats=3
quick=0
movielens=1
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1 ;;
    --repeats) repeats=$2; shift ;;
    --skip-movielens) movielens=0 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "bench/compare/run.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
bash bench/setup-venv.sh
scripts/setup n2v sgd_compare
[[ -x /usr/bin/time ]] || { apt-get install -y -qq time >/dev/null 2>&1 || true; }
stamp=$(date +%Y-%m-%d)
json=bench/results/compare-$stamp.json
args=(--repeats "$repeats" --json "$json")
if ((quick)); then args+=(--num-walks 2 --scaling 100000,1000000 --big ""); fi
if ((movielens)); then
  bash bench/movielens.sh --repeats $((quick ? 1 : repeats)) --n2v-repeats 5 \
    --out "bench/results/movielens-$stamp.md"
fi
bench/.venv/bin/python bench/compare/compare.py "${args[@]}" "${extra[@]}"
ml_report=()
((movielens)) && ml_report=("bench/results/movielens-$stamp.md")
bench/.venv/bin/python bench/compare/report.py "$json" "${ml_report[@]}" > bench/RESULTS.md
echo "bench/compare: wrote $json and bench/RESULTS.md"
