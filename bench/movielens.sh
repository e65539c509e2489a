#!/usr/bin/env bash
# MovieLens benchmark: the Keras example (bench/keras_movielens.py, the faithful port) against
# `n2v movielens`, side by side: median wall time per stage and end to end, the speed ratio,
# peak RSS, genre micro/macro-F1 (bench/genre_f1.py) and the top-5 lists of both.
# Writes bench/results/movielens-<date>.md (and prints it).
#
# Usage: bench/movielens.sh [options]
#   --repeats N        Keras port runs (default 1; it takes ~80 s a run on 2 cores)
#   --n2v-repeats N    n2v runs (default 5)
#   --epochs E         epochs for the Keras port (default 10, the seed's)
#   --seed S           Keras seed of run 1 (run i uses S+i-1; default 42)
#   --n2v PATH         n2v binary (default build/n2v)
#   --n2v-args "..."   extra arguments for n2v movielens (default none)
#   --threads T        passed to n2v as --threads (default 2)
#   --data DIR         MovieLens folder for the Keras port and genre_f1 (default data/ml-latest-small)
#   --f1-repeats R     genre_f1 splits per embedding (default 10)
#   --work DIR         scratch folder (default bench/work/movielens-<stamp>)
#   --wait-idle S      before each run wait up to S seconds for the 1-minute load average to
#                      fall below 1.0 (default 0: don't wait); the machine is often shared
#   --out FILE         report path (default bench/results/movielens-<date>.md)
#   --skip-keras / --skip-n2v   leave one side out (e.g. while the n2v CLI is being written)
#
# What it expects of n2v (the CLI is still being written; this script tolerates its absence):
#   $N2V movielens --out DIR --threads T [n2v-args]
#   exit status 0, DIR/embeddings.w2v.txt (word2vec text: "count dim" then "movieId v1 .. vd",
#   keyed by the numeric movieId), DIR/run.json with per-stage times in milliseconds under
#   "timings_ms" (stage names such as load/graph/walks/examples/training/similarity/total are
#   matched to the Keras port's; other names are listed as they are). A missing binary, a
#   non-zero exit or missing files are reported in the results and the rest still runs.
#
# Each run goes under /usr/bin/time -v for peak RSS and process wall time (the `time`
# Debian package is installed if missing and we are root; otherwise only the wall time that
# this script measures is reported).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cmdline="bench/movielens.sh $*"

keras_repeats=1
n2v_repeats=5
epochs=10
seed=42
n2v="$root/build/n2v"
n2v_args=""
threads=2
data="$root/data/ml-latest-small"
f1_repeats=10
stamp="$(date +%Y%m%d-%H%M%S)"
work=""
out="$here/results/movielens-$(date +%Y-%m-%d).md"
skip_keras=0
skip_n2v=0
wait_idle=0

die() { echo "movielens.sh: $*" >&2; exit 2; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --repeats) keras_repeats="$2"; shift 2 ;;
    --n2v-repeats) n2v_repeats="$2"; shift 2 ;;
    --epochs) epochs="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --n2v) n2v="$2"; shift 2 ;;
    --n2v-args) n2v_args="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --f1-repeats) f1_repeats="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --skip-keras) skip_keras=1; shift ;;
    --skip-n2v) skip_n2v=1; shift ;;
    --wait-idle) wait_idle="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
[[ -z "$work" ]] && work="$here/work/movielens-$stamp"
[[ -f "$data/movies.csv" && -f "$data/ratings.csv" ]] || die "no movies.csv/ratings.csv in $data"
mkdir -p "$work"
work="$(cd "$work" && pwd)"

"$here/setup-venv.sh" || die "bench/setup-venv.sh failed"
py="$here/.venv/bin/python"

timev=""
if [[ -x /usr/bin/time ]]; then
  timev=/usr/bin/time
elif [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
  echo "movielens.sh: installing GNU time (apt package 'time') for peak RSS"
  (apt-get install -y -qq time >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq time; }) \
    >/dev/null 2>&1 && timev=/usr/bin/time
fi
[[ -z "$timev" ]] && echo "movielens.sh: /usr/bin/time unavailable; peak RSS will not be reported" >&2

wait_for_idle() {  # wait up to $wait_idle s for the 1-minute load average to drop below 1.0
  local waited=0
  while (( waited < wait_idle )); do
    awk '{exit !($1 < 1.0)}' /proc/loadavg 2>/dev/null && return 0
    (( waited == 0 )) && echo "movielens.sh: waiting (up to ${wait_idle}s) for load < 1.0: $(cut -d' ' -f1-3 /proc/loadavg)"
    sleep 10; waited=$((waited + 10))
  done
  (( wait_idle > 0 )) && echo "movielens.sh: still busy after ${wait_idle}s (load $(cut -d' ' -f1 /proc/loadavg)); running anyway"
  return 0
}

# run_one DIR CMD...: run CMD with stdout/stderr logs in DIR, time.txt (time -v), wall.txt.
run_one() {
  local dir="$1"; shift
  mkdir -p "$dir"
  wait_for_idle
  local t0 t1 rc
  # Other work on the machine skews the times: keep the load average before and after.
  cat /proc/loadavg >"$dir/load.txt" 2>/dev/null
  t0="$(date +%s.%N)"
  if [[ -n "$timev" ]]; then
    "$timev" -v -o "$dir/time.txt" "$@" >"$dir/stdout.log" 2>"$dir/stderr.log"; rc=$?
  else
    "$@" >"$dir/stdout.log" 2>"$dir/stderr.log"; rc=$?
  fi
  t1="$(date +%s.%N)"
  cat /proc/loadavg >>"$dir/load.txt" 2>/dev/null
  echo "$t1 - $t0" | bc -l 2>/dev/null >"$dir/wall.txt" || \
    python3 -c "print($t1 - $t0)" >"$dir/wall.txt"
  return $rc
}

f1_for() {  # f1_for DIR [--baseline]: genre F1 of DIR/embeddings.w2v.txt into DIR/f1.json
  local dir="$1"; shift
  [[ -s "$dir/embeddings.w2v.txt" ]] || return 1
  "$py" "$here/genre_f1.py" "$dir/embeddings.w2v.txt" --movies "$data/movies.csv" \
    --repeats "$f1_repeats" --json-out "$dir/f1.json" "$@" >"$dir/f1.log" 2>&1 \
    || { echo "movielens.sh: genre_f1 failed for $dir (see $dir/f1.log)" >&2; return 1; }
}

if [[ $skip_keras == 0 ]]; then
  for ((i = 1; i <= keras_repeats; i++)); do
    d="$work/keras-$i"
    echo "movielens.sh: Keras port run $i/$keras_repeats -> $d"
    if run_one "$d" "$py" "$here/keras_movielens.py" --data "$data" --out "$d" \
         --epochs "$epochs" --seed "$((seed + i - 1))" --quiet; then
      echo "ok" >"$d/status.txt"
      grep -A8 '^Stage wall times' "$d/stdout.log" | sed 's/^/    /'
    else
      echo "failed: exit $? (see $d/stderr.log)" >"$d/status.txt"
      echo "movielens.sh: Keras run $i failed; last lines of $d/stderr.log:" >&2
      tail -5 "$d/stderr.log" >&2
    fi
  done
fi

if [[ $skip_n2v == 0 ]]; then
  if [[ ! -x "$n2v" ]]; then
    echo "movielens.sh: n2v binary $n2v not found or not executable; build it first" \
         "(cmake --build build). Skipping the n2v side." >&2
    mkdir -p "$work/n2v-1"
    echo "not run: $n2v not found (build it: cmake --build build)" >"$work/n2v-1/status.txt"
  else
    for ((i = 1; i <= n2v_repeats; i++)); do
      d="$work/n2v-$i"
      echo "movielens.sh: n2v movielens run $i/$n2v_repeats -> $d"
      # shellcheck disable=SC2086
      run_one "$d" "$n2v" movielens --out "$d" --threads "$threads" $n2v_args
      rc=$?
      missing=""
      [[ -s "$d/embeddings.w2v.txt" ]] || missing+=" embeddings.w2v.txt"
      [[ -s "$d/run.json" ]] || missing+=" run.json"
      if [[ $rc -ne 0 ]]; then
        echo "failed: exit $rc (see $d/stderr.log)" >"$d/status.txt"
        echo "movielens.sh: n2v run $i exited $rc; expected: $n2v movielens --out DIR --threads N" \
             "writing DIR/embeddings.w2v.txt and DIR/run.json. Last lines of stderr:" >&2
        tail -5 "$d/stderr.log" >&2
        break   # the same failure would repeat
      elif [[ -n "$missing" ]]; then
        echo "ok but missing:$missing (expected: n2v movielens --out DIR writes DIR/embeddings.w2v.txt and DIR/run.json)" >"$d/status.txt"
        echo "movielens.sh: n2v run $i exited 0 but did not write:$missing in $d;" \
             "expected: $n2v movielens --out DIR --threads N writing DIR/embeddings.w2v.txt" \
             "and DIR/run.json. Not repeating." >&2
        break
      else
        echo "ok" >"$d/status.txt"
      fi
    done
  fi
fi

echo "movielens.sh: genre F1 ($f1_repeats splits each)"
base=(--baseline)   # chance level (random vectors), computed once
for d in "$work"/keras-* "$work"/n2v-*; do
  if [[ -d "$d" ]] && f1_for "$d" "${base[@]}"; then base=(); fi
done

machine="$(nproc) cores, $(free -g | awk '/^Mem:/{print $2}') GiB, $(. /etc/os-release 2>/dev/null; echo "${PRETTY_NAME:-?}"), $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)"
"$py" "$here/movielens_report.py" --work "$work" --movies "$data/movies.csv" --out "$out" \
  --command "$cmdline" --machine "$machine" || die "report failed"
echo "movielens.sh: report written to $out (raw runs in $work)"
