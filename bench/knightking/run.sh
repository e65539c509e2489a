#!/usr/bin/env bash
# Side by side: KnightKing's node2vec walker (MPI ranks) against `n2v walk` on one edge list, on
# this machine (issue 13 item 7). Prints a markdown table and writes it to --out.
#
# KnightKing is not part of this repository and this script does not build it: point
# KNIGHTKING_BUILD (or --kk-build) at a KnightKing build directory that has bin/node2vec, built
# outside the repository. See bench/knightking/README.md for what is measured and how the two
# tools' parameters line up.
#
# Usage: bench/knightking/run.sh -i EDGES [options]
#   -i, --input FILE     edge list, 'u v' or 'u v w' lines, '#' comments, plain or .gz (n2v's)
#   --weighted           the third column is the weight (both tools sample by weight)
#   --directed           arcs u -> v (default: undirected, as n2v's default)
#   --p P --q Q          return and in-out parameters (default 1 1)
#   -l, --length L       nodes per walk, the start included (n2v's meaning; default 80).
#                        KnightKing is given -l L-1, its count of steps (edges) per walk
#   -r, --num-walks R    walks per node (default 10)
#   --ranks "1 2"        rank counts to run (default "1 2")
#   --repeats N          runs per configuration; medians are reported (default 3)
#   --n2v BIN            the n2v binary (default build/n2v)
#   --n2v-flags "..."    extra flags for `n2v walk` (e.g. --partition)
#   --n2v-mpi            run n2v under `mpirun -np RANKS`; without it n2v runs as one process
#                        with --threads RANKS
#   --n2v-threads T      threads per n2v process (default: RANKS without --n2v-mpi; with it,
#                        KnightKing's own count per rank, max(1, cores - 1))
#   --kk-build DIR       KnightKing build directory (default $KNIGHTKING_BUILD, else
#                        /tmp/knightking-build); bin/node2vec is used
#   --kk-src DIR         KnightKing source or git directory, only to record its commit (default
#                        $KNIGHTKING_GIT)
#   --no-kk | --no-n2v   run one side only
#   --work DIR           scratch directory (default: a fresh one under /tmp, removed at exit)
#   --out FILE           also write the markdown table here
# Environment: MPIRUN_FLAGS, extra flags for every mpirun (default: --bind-to none).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

input="" weighted=0 directed=0 p=1 q=1 length=80 walks=10 ranks="1 2" repeats=3
n2v="$ROOT/build/n2v" n2v_flags="" n2v_mpi=0 n2v_threads=""
kk_build=${KNIGHTKING_BUILD:-/tmp/knightking-build} kk_src=${KNIGHTKING_GIT:-}
run_kk=1 run_n2v=1 work="" out=""
die() { echo "bench/knightking/run.sh: $*" >&2; exit 2; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    -i | --input) input=$2; shift ;;
    --weighted) weighted=1 ;;
    --directed) directed=1 ;;
    --p) p=$2; shift ;;
    --q) q=$2; shift ;;
    -l | --length) length=$2; shift ;;
    -r | --num-walks) walks=$2; shift ;;
    --ranks) ranks=$2; shift ;;
    --repeats) repeats=$2; shift ;;
    --n2v) n2v=$2; shift ;;
    --n2v-flags) n2v_flags=$2; shift ;;
    --n2v-mpi) n2v_mpi=1 ;;
    --n2v-threads) n2v_threads=$2; shift ;;
    --kk-build) kk_build=$2; shift ;;
    --kk-src) kk_src=$2; shift ;;
    --no-kk) run_kk=0 ;;
    --no-n2v) run_n2v=0 ;;
    --work) work=$2; shift ;;
    --out) out=$2; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1" ;;
  esac
  shift
done
[[ -n $input && -r $input ]] || die "-i EDGES is required and must be readable"
((length >= 2)) || die "--length counts nodes and must be at least 2"
kk_bin="$kk_build/bin/node2vec"
if ((run_kk)) && [[ ! -x $kk_bin ]]; then
  die "no KnightKing binary at $kk_bin: build KnightKing outside this repository and set" \
    "KNIGHTKING_BUILD (or --kk-build) to its build directory, or pass --no-kk"
fi
if ((run_n2v)) && [[ ! -x $n2v ]]; then die "no n2v binary at $n2v (--n2v BIN, or --no-n2v)"; fi
[[ -x /usr/bin/time ]] || die "/usr/bin/time is needed for peak RSS (Debian package 'time')"

if [[ -z $work ]]; then
  work=$(mktemp -d /tmp/kk-bench.XXXXXX)
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
read -ra mpi_flags <<<"${MPIRUN_FLAGS:---bind-to none}"
mpi_flags+=(--oversubscribe)
[[ $(id -u) == 0 ]] && mpi_flags+=(--allow-run-as-root)
cores=$(nproc)
kk_workers=$((cores > 1 ? cores - 1 : 1))  # KnightKing's own choice per rank, not settable

# The edge list in KnightKing's binary form: packed little-endian records of uint32 src, uint32
# dst (and float32 weight when weighted), one per edge as given; --make-undirected adds the reverse
# at load time. Labels are renumbered 0..n-1 in order of first appearance, so that both tools see
# the same n nodes (n2v counts only labels that occur) and KnightKing's walker w, which starts at
# node w mod n, has a node with edges to start from.
python3 - "$input" "$work/graph.kk" "$weighted" "$directed" >"$work/graph.info" <<'PY'
import gzip, sys
from array import array
src_path, dst_path, weighted, directed = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4] == "1"
ids, out = {}, array("I")
wts = array("f")
m = 0
outdeg = {}
with (gzip.open(src_path, "rt") if src_path.endswith(".gz") else open(src_path)) as f:
    for line in f:
        t = line.split()
        if not t or t[0].startswith("#"):
            continue
        if len(t) < (3 if weighted else 2):
            sys.exit(f"line with too few columns: {line.strip()!r}")
        u = ids.setdefault(t[0], len(ids))
        v = ids.setdefault(t[1], len(ids))
        out.append(u); out.append(v)
        if weighted:
            wts.append(float(t[2]))
        outdeg[u] = 1
        if not directed:
            outdeg[v] = 1
        m += 1
if weighted:  # 12-byte records: src, dst, the weight's float32 bits
    rec = array("I", bytes(12 * m))
    rec[0::3] = out[0::2]
    rec[1::3] = out[1::2]
    rec[2::3] = array("I", wts.tobytes())
    out = rec
if sys.byteorder != "little":
    out.byteswap()
with open(dst_path, "wb") as g:
    out.tofile(g)
print(len(ids), m, len(outdeg))
PY
read -r n m n_out <"$work/graph.info"
((n * walks < 4294967296)) || die "n x walks must fit KnightKing's 32-bit walker ids"
steps=$((n_out * walks * (length - 1)))  # transitions, exact when every node has an out-edge
kk_static=$([[ $weighted == 1 ]] && echo weighted || echo unweighted)
kk_undir=()
((directed)) || kk_undir=(--make-undirected)
read -ra n2v_extra <<<"$n2v_flags"
n2v_graph=()
((weighted)) && n2v_graph+=(--weighted)
((directed)) && n2v_graph+=(--directed)
kk_commit=unknown
if [[ -n $kk_src ]]; then
  kk_commit=$(git -C "$kk_src" rev-parse HEAD 2>/dev/null || git --git-dir="$kk_src" rev-parse HEAD 2>/dev/null || echo unknown)
fi

med() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "nan"; else print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
now() { date +%s.%N; }
# Runs "$@" with every rank (or the one process) under /usr/bin/time, peak RSS to $work/rss.*.
# shellcheck disable=SC2016  # expanded by the wrapping shell, per rank
rss_wrap=(sh -c 'exec /usr/bin/time -f %M -o "$0.${OMPI_COMM_WORLD_RANK:-0}" "$@"')

rows=() notes=()
add_row() {  # tool ranks threads wall_file engine_file rss_file
  local wall engine rss
  wall=$(med <"$4")
  engine=$(med <"$5")
  rss=$(sort -g "$6" | tail -1)
  rows+=("$(awk -v t="$1" -v r="$2" -v th="$3" -v w="$wall" -v e="$engine" -v s="$steps" -v k="$rss" 'BEGIN {
    printf "| %s | %s | %s | %.4g | %.4g | %.3g | %.3g | %.1f |", t, r, th, w, e, s / e, s / w, k / 1024 }')")
}

for R in $ranks; do
  if ((run_kk)); then
    : >"$work/kk.wall"; : >"$work/kk.engine"; : >"$work/kk.rss"
    for ((i = 1; i <= repeats; i++)); do
      rm -f "$work"/rss.kk.*
      t0=$(now)
      mpirun "${mpi_flags[@]}" -np "$R" "${rss_wrap[@]}" "$work/rss.kk" "$kk_bin" \
        -g "$work/graph.kk" -v "$n" -w $((n * walks)) -s "$kk_static" "${kk_undir[@]}" \
        -l $((length - 1)) -p "$p" -q "$q" >"$work/kk.log" 2>&1 || { cat "$work/kk.log" >&2; die "KnightKing failed (ranks $R)"; }
      t1=$(now)
      echo "$t1 - $t0" | bc >>"$work/kk.wall"
      # every rank prints 'total time Xs' (walk engine, after loading); the slowest rank counts
      grep -oE 'total time [0-9.]+' "$work/kk.log" | awk '{print $3}' | sort -g | tail -1 >>"$work/kk.engine"
      cat "$work"/rss.kk.* | sort -g | tail -1 >>"$work/kk.rss"
    done
    add_row KnightKing "$R" "$kk_workers" "$work/kk.wall" "$work/kk.engine" "$work/kk.rss"
  fi
  if ((run_n2v)); then
    : >"$work/n2v.wall"; : >"$work/n2v.engine"; : >"$work/n2v.rss"
    if ((n2v_mpi)); then th=${n2v_threads:-$kk_workers}; label="n2v (mpirun)"; else th=${n2v_threads:-$R}; label="n2v"; fi
    failed=0
    for ((i = 1; i <= repeats; i++)); do
      rm -f "$work"/rss.n2v.* "$work/walks.txt"
      # the walks go to a scratch file (never /dev/null: n2v replaces its output by a rename)
      cmd=("$n2v" walk -i "$input" -o "$work/walks.txt" "${n2v_graph[@]}" --p "$p" --q "$q"
        -l "$length" -r "$walks" --threads "$th" --device cpu --no-report "${n2v_extra[@]}")
      t0=$(now)
      if ((n2v_mpi)); then
        if ! mpirun "${mpi_flags[@]}" -np "$R" "${rss_wrap[@]}" "$work/rss.n2v" "${cmd[@]}" >"$work/n2v.log" 2>&1; then
          # e.g. a command that n2v does not yet run under several ranks: a row says so, the rest runs
          echo "n2v under mpirun -np $R failed:" >&2
          grep -m1 '^n2v:' "$work/n2v.log" >&2 || tail -5 "$work/n2v.log" >&2
          failed=1
          break
        fi
      else
        "${rss_wrap[@]}" "$work/rss.n2v" "${cmd[@]}" >"$work/n2v.log" 2>&1 || { cat "$work/n2v.log" >&2; die "n2v failed"; }
      fi
      t1=$(now)
      echo "$t1 - $t0" | bc >>"$work/n2v.wall"
      # 'sampling S s = X steps/s': S is printed to 10 ms, so the engine time is steps / X,
      # with n2v's own step count (transitions taken) from 'Wrote W walks (T nodes)'
      awk '/^Wrote [0-9]+ walks/ {
             w = $2; t = $4; sub(/^\(/, "", t); r = $0; sub(/.*= /, "", r); sub(/ steps\/s.*/, "", r)
             if (r > 0) print (t - w) / r }' "$work/n2v.log" | sort -g | tail -1 >>"$work/n2v.engine"
      awk '/^Wrote [0-9]+ walks/ {t = $4; sub(/^\(/, "", t); print t - $2}' "$work/n2v.log" | head -1 >"$work/n2v.steps"
      cat "$work"/rss.n2v.* | sort -g | tail -1 >>"$work/n2v.rss"
    done
    if ((failed)); then
      rows+=("| $label | $R | $th | failed: $(grep -m1 -oE '^n2v: .{0,100}' "$work/n2v.log" | tr -d '|' || echo 'see stderr') | | | | |")
      continue
    fi
    n2v_steps=$(cat "$work/n2v.steps")
    if [[ -n $n2v_steps && $n2v_steps != "$steps" ]]; then
      notes+=("n2v took $n2v_steps transitions at $R ranks, not the nominal $steps: walks end early at nodes without out-edges, so steps/s overstate both tools alike.")
    fi
    add_row "$label" "$R" "$th" "$work/n2v.wall" "$work/n2v.engine" "$work/n2v.rss"
  fi
done

{
  echo "KnightKing node2vec against n2v walk: $(basename "$input"), $n nodes, $m $([[ $directed == 1 ]] && echo arcs || echo 'undirected edges')$([[ $weighted == 1 ]] && echo ', weighted'),"
  echo "p = $p, q = $q, $walks walks per node of $length nodes ($((length - 1)) steps); median of $repeats runs;"
  echo "$cores cores; KnightKing commit $kk_commit; $("$n2v" --version 2>/dev/null | head -1 | cut -d' ' -f1-2 || echo n2v) (repo HEAD $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'))$([[ -n $n2v_flags ]] && echo ", n2v flags: $n2v_flags")."
  echo "Steps = nodes with out-edges x walks x (length - 1) = $steps transitions, the same for both; engine s: KnightKing's"
  echo "'total time' (slowest rank, after loading), n2v's sampling time (no loading; no writing in one process, but with --partition it includes rank 0 formatting and writing the walks); wall s: the whole launch."
  echo
  echo "| tool | ranks | threads/rank | wall s | engine s | steps/s (engine) | steps/s (wall) | peak RSS/rank MiB |"
  echo "|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  ((${#notes[@]} == 0)) || { echo; printf '%s\n' "${notes[@]}" | sort -u; }
} | tee ${out:+"$out"}
