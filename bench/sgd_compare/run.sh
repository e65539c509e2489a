#!/usr/bin/env bash
# n2v's CPU word2vec (cpu::TrainSgd) against gensim's Word2Vec on the same walk files, same
# settings (skip-gram, negative sampling: sg=1 hs=0 negative=5 window=10 vector_size=128 sample=0
# min_count=0 epochs=1 alpha 0.025 → 0.0001, 2 threads / workers):
#   movielens  walks on the seed's PMI graph of ml-latest-small (1405 nodes), quality = genre
#              micro/macro-F1 (bench/genre_f1.py, top-k decoding, 10 splits)
#   random     walks on a planted-partition graph (default 100k nodes, ~1M edges, 1000
#              communities), quality = neighbour purity (community_nn.py: the share of each
#              sampled node's 10 cosine-nearest nodes in its own community)
# gensim runs in two modes. corpus_file (its fastest) is what the speed ratio is taken against;
# but with workers > 1 each worker decays alpha by its own progress over the whole corpus
# (gensim 4.3.3 word2vec_corpusfile.pyx: get_next_alpha(..., total_words / expected_words) while
# the worker reads expected_words / workers), so alpha only falls to about alpha / 2 and the run
# trains with a larger mean learning rate than asked. An iterable of sentences (--sentences-repeats
# runs) decays alpha as documented, to min_alpha: that is the same-settings quality reference.
# Prints the median words/s of each over its runs, the ratio, the quality of each first run's
# embeddings and the load average before and after (the machine is often shared: run it when
# `uptime` shows a load well under the core count).
#
# Usage: bench/sgd_compare/run.sh [options]
#   --build DIR            build folder holding bench/sgd_compare (default build; make it with
#                          `ninja -C DIR sgd_compare`)
#   --repeats N            n2v and gensim corpus_file runs per data set (default 3)
#   --sentences-repeats N  gensim runs from an iterable of sentences per data set (default 1)
#   --threads T            n2v threads and gensim workers (default 2)
#   --ml-walks W --ml-length L          MovieLens walks per node and length (default 10, 80)
#   --nodes N --edges M --communities C random graph (default 100000, 1000000, 1000)
#   --walks W --length L   random-graph walks per node and length (default 2, 40)
#   --only movielens|random
#   --work DIR             scratch folder (default bench/work/sgd-compare-<stamp>)
#   --n2v-flags "..."      extra flags for n2v's trainer, e.g. "--shared-negatives 1"; the
#                          n2v run then appears twice: as "n2v" (these flags) and, when
#                          --n2v-baseline is given, as "n2v default" (none)
#   --n2v-baseline         also run n2v without --n2v-flags, interleaved
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="$root/build"
repeats=3
sentences_repeats=1
threads=2
ml_walks=10
ml_length=80
nodes=100000
edges=1000000
communities=1000
walks=2
length=40
only=""
n2v_flags=""
n2v_baseline=0
work="$root/bench/work/sgd-compare-$(date +%Y%m%d-%H%M%S)"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build) build="$(cd "$2" && pwd)"; shift 2 ;;
    --repeats) repeats="$2"; shift 2 ;;
    --sentences-repeats) sentences_repeats="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --ml-walks) ml_walks="$2"; shift 2 ;;
    --ml-length) ml_length="$2"; shift 2 ;;
    --nodes) nodes="$2"; shift 2 ;;
    --edges) edges="$2"; shift 2 ;;
    --communities) communities="$2"; shift 2 ;;
    --walks) walks="$2"; shift 2 ;;
    --length) length="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --n2v-flags) n2v_flags="$2"; shift 2 ;;
    --n2v-baseline) n2v_baseline=1; shift ;;
    --work) work="$2"; shift 2 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
driver="$build/bench/sgd_compare"
[[ -x "$driver" ]] || { echo "run.sh: $driver missing: ninja -C $build sgd_compare" >&2; exit 2; }
"$root/bench/setup-venv.sh" >/dev/null
py="$root/bench/.venv/bin/python"
mkdir -p "$work"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "# n2v cpu::TrainSgd vs gensim $("$py" -c 'import gensim; print(gensim.__version__)')," \
     "$threads threads, $repeats runs each; $(nproc) cores; load average before: $load_before"
[[ -n "$n2v_flags" ]] && echo "# n2v trainer flags: $n2v_flags"

# run_set NAME WALKFILE QUALITY-COMMAND-PREFIX...: trains both tools $repeats times, interleaved.
run_set() {
  local name="$1" walkfile="$2"
  : > "$work/$name.jsonl"
  for r in $(seq "$repeats"); do
    # shellcheck disable=SC2086  # n2v_flags is a list of flags
    "$driver" train --walks "$walkfile" --threads "$threads" --out "$work/$name-n2v-$r.w2v.txt" \
      $n2v_flags >> "$work/$name.jsonl"
    if ((n2v_baseline)); then
      "$driver" train --walks "$walkfile" --threads "$threads" \
        --out "$work/$name-n2v_default-$r.w2v.txt" | sed 's/"tool": "n2v"/"tool": "n2v_default"/' \
        >> "$work/$name.jsonl"
    fi
    "$py" "$here/gensim_train.py" "$walkfile" --workers "$threads" \
      --out "$work/$name-gensim-$r.w2v.txt" >> "$work/$name.jsonl"
  done
  for r in $(seq "$sentences_repeats"); do
    "$py" "$here/gensim_train.py" "$walkfile" --workers "$threads" --mode sentences \
      --out "$work/$name-gensim_sentences-$r.w2v.txt" >> "$work/$name.jsonl"
  done
}

if [[ -z "$only" || "$only" == movielens ]]; then
  "$driver" walks --movielens "$root/data/ml-latest-small" --walks-per-node "$ml_walks" \
    --length "$ml_length" --out "$work/movielens.walks.txt" 2>> "$work/log.txt"
  run_set movielens "$work/movielens.walks.txt"
  for tool in n2v gensim gensim_sentences $( ((n2v_baseline)) && echo n2v_default); do
    "$py" "$root/bench/genre_f1.py" "$work/movielens-$tool-1.w2v.txt" \
      --movies "$root/data/ml-latest-small/movies.csv" > "$work/movielens-$tool.quality.json"
  done
fi
if [[ -z "$only" || "$only" == random ]]; then
  "$driver" walks --random "$nodes" --edges "$edges" --communities "$communities" \
    --walks-per-node "$walks" --length "$length" --labels "$work/random.labels.txt" \
    --out "$work/random.walks.txt" 2>> "$work/log.txt"
  run_set random "$work/random.walks.txt"
  for tool in n2v gensim gensim_sentences $( ((n2v_baseline)) && echo n2v_default); do
    "$py" "$here/community_nn.py" "$work/random-$tool-1.w2v.txt" \
      --labels "$work/random.labels.txt" > "$work/random-$tool.quality.json"
  done
fi

load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
"$py" - "$work" "$load_after" <<'PY'
import json, os, statistics, sys
work, load_after = sys.argv[1], sys.argv[2]
tools = (("n2v", "n2v"), ("n2v_default", "n2v default"), ("gensim", "gensim corpus_file"),
         ("gensim_sentences", "gensim sentences"))
print("| data | words | tool | words/s (median) | runs | n2v / this | quality (first run) |")
print("|---|---|---|---|---|---|---|")
for name in ("movielens", "random"):
    path = os.path.join(work, name + ".jsonl")
    if not os.path.exists(path):
        continue
    runs = [json.loads(l) for l in open(path)]
    def key(r):
        return "gensim_sentences" if r.get("mode") == "sentences" else r["tool"]
    rates = {t: [r["words_per_s"] for r in runs if key(r) == t] for t, _ in tools}
    med = {t: statistics.median(v) for t, v in rates.items() if v}
    for t, label in tools:
        if t not in med:
            continue
        d = json.load(open(os.path.join(work, f"{name}-{t}.quality.json")))
        q = (f"genre F1 micro {d['topk']['micro']['mean']:.4f} macro {d['topk']['macro']['mean']:.4f}"
             if name == "movielens" else f"purity@{d['k']} {d['purity']:.4f}")
        ratio = "" if t == "n2v" else f"{med['n2v'] / med[t]:.2f}x"
        print(f"| {name} | {runs[0]['words']} | {label} | {med[t]:,.0f} | "
              f"{[round(x) for x in rates[t]]} | {ratio} | {q} |")
    print(f"| {name} | | n2v loss per run | | {[r['loss'][0] for r in runs if r['tool'] == 'n2v']} | | |")
print("\nn2v's time includes its node-count pass and table set-up; gensim's is model.train() alone"
      " (its vocabulary scan excluded).")
print(f"load average after: {load_after}; files in {work}")
PY
