#!/usr/bin/env bash
# `n2v train` and `n2v eval` under mpirun on this machine (OpenMPI, --oversubscribe): one rank
# equals a plain run bit for bit, two and three ranks train to the quality of one process;
# `n2v walk --partition` on 1 to 4 ranks writes the walks of one process byte for byte; and
# the fault cases (a rank that cannot read its input, mismatched flags or graphs across ranks, a
# killed rank, a command that runs in one process) make every rank exit non-zero with one line
# naming the rank, and write nothing. Exits 77 (skipped) where mpirun is absent or n2v was built
# without MPI. Usage: run_mpi_tests.sh <n2v binary> <source dir>.
source "$(dirname "$0")/../cli/lib.sh" "$@"

command -v mpirun >/dev/null || { echo "skipped: no mpirun"; exit 77; }
if ! "$N2V" devices 2>/dev/null | grep -q "run under mpirun"; then
  echo "skipped: this n2v was built without MPI"; exit 77
fi
# CI runs as root; OpenMPI refuses root unless told.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Quiet OpenMPI's network probing in sandboxes without interfaces beyond loopback.
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none
MPI=(mpirun --oversubscribe --bind-to none)

"$N2V" synth graph --model plod --nodes 3000 --edges 30000 -o "$TMP/g.edges" --quiet
"$N2V" synth graph --model plod --nodes 3000 --edges 30000 --seed 2 -o "$TMP/other.edges" --quiet
# CPU ranks throughout (auto would take GPU ranks where there are GPUs: their section is below).
TRAIN=(train -i "$TMP/g.edges" --device cpu --threads 1 --epochs 1 --no-report --quiet)

# --- one rank under mpirun is a plain run ---------------------------------------------------------
"$N2V" "${TRAIN[@]}" -o "$TMP/plain.emb" >/dev/null 2>&1
expect_exit "one rank under mpirun: exit 0" 0 "${MPI[@]}" -np 1 "$N2V" "${TRAIN[@]}" -o "$TMP/one.emb"
if cmp -s "$TMP/plain.emb" "$TMP/one.emb"; then ok "one rank equals a plain run bit for bit"
else bad "one rank equals a plain run bit for bit"; fi

# --- two ranks ------------------------------------------------------------------------------------
expect_exit "two ranks: exit 0" 0 "${MPI[@]}" -np 2 "$N2V" "${TRAIN[@]}" -o "$TMP/two.emb"
expect_grep "two ranks: run.json records the ranks and syncs" "$TMP/two.emb.run.json" \
  '"ranks":\{"size":2,.*"syncs":[1-9]'
if [ "$(head -1 "$TMP/two.emb")" = "$(head -1 "$TMP/plain.emb")" ]; then ok "two ranks: same shape"
else bad "two ranks: same shape" "$(head -1 "$TMP/two.emb")"; fi
if cmp -s "$TMP/plain.emb" "$TMP/two.emb"; then bad "two ranks train other tables than one"
else ok "two ranks train other tables than one"; fi
"${MPI[@]}" -np 2 "$N2V" "${TRAIN[@]}" -o "$TMP/two-b.emb" >/dev/null 2>&1
if cmp -s "$TMP/two.emb" "$TMP/two-b.emb"; then ok "two ranks of one thread: the same tables twice"
else bad "two ranks of one thread: the same tables twice"; fi

# A sync interval too long for the ranks is trained, and said to cost quality.
expect_exit "two ranks, --sync-every 50: exit 0" 0 "${MPI[@]}" -np 2 "$N2V" train -i "$TMP/g.edges" \
  --device cpu --threads 1 --epochs 1 --no-report --sync-every 50 -o "$TMP/stale.emb"
expect_grep "  ... warns that the staleness is above 8" "$TMP/err" \
  "^n2v: warning: sync staleness [0-9.]+ is above 8"
expect_grep "  ... run.json records the staleness" "$TMP/stale.emb.run.json" '"staleness":[0-9]'
if python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))["ranks"]["staleness"] <= 4 else 1)' \
    "$TMP/two.emb.run.json"; then ok "  ... the auto interval of two ranks stays at or below 4"
else bad "  ... the auto interval of two ranks stays at or below 4" "$(cat "$TMP/two.emb.run.json")"; fi

# --- quality: link-prediction AUC of 1, 2, 3 and 4 ranks on the same held-out split -------------
# A planted partition (its links follow the communities, AUC ~0.85 in one process), where a loss
# from the ranks' stale, summed deltas shows; within 0.01 of one process, as the design promises.
# auc_within_0_01 ONE.json MANY.json LABEL: the best operator of one process (the one a user
# would pick) scores within 0.01 in MANY (n2v eval --json of the same split); prints the figures.
auc_within_0_01() {
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys
one = json.load(open(sys.argv[1]))["results"][0]
many = json.load(open(sys.argv[2]))["results"][0]
best = max((k for k in one if k.startswith("auc_")), key=lambda k: one[k])
d = many[best] - one[best]
print(f"{sys.argv[3]}: {best} {many[best]:.4f} vs one process {one[best]:.4f} ({d:+.4f})")
sys.exit(0 if d > -0.01 else 1)
PY
}
python3 "$SRC/tests/mpi/planted_partition.py" 3000 30000 10 1 "$TMP/pp.edges"
EVAL=(eval -i "$TMP/pp.edges" --task link --device cpu --threads 1 --quiet)
"$N2V" "${EVAL[@]}" --json "$TMP/e1.json" --no-report >/dev/null 2>&1
for np in 2 3 4; do
  "${MPI[@]}" -np $np "$N2V" "${EVAL[@]}" --json "$TMP/e$np.json" --no-report >/dev/null 2>"$TMP/err"
  auc_within_0_01 "$TMP/e1.json" "$TMP/e$np.json" "$np ranks" >"$TMP/out" 2>&1
  if [ $? -eq 0 ]; then ok "$(cat "$TMP/out")"; else bad "AUC with $np ranks" "$(cat "$TMP/out" "$TMP/err")"; fi
done
# A skewed graph (R-MAT: a hub holds ~1 % of the walks' positions), where syncing in whole chunks
# made four ranks diverge (loss 1e6): the auto interval holds the loss within 3 % of one process.
"$N2V" synth graph --model rmat --nodes 5000 --edges 50000 -o "$TMP/rmat.edges" --quiet
"$N2V" train -i "$TMP/rmat.edges" --device cpu --threads 1 --epochs 1 --no-report --quiet \
  -o "$TMP/r1.emb"
"${MPI[@]}" -np 4 "$N2V" train -i "$TMP/rmat.edges" --device cpu --threads 1 --epochs 1 --no-report --quiet \
  -o "$TMP/r4.emb" 2>"$TMP/err"
python3 - "$TMP/r1.emb.run.json" "$TMP/r4.emb.run.json" >"$TMP/out" 2>&1 <<'PY'
import json, sys
one, four = (json.load(open(p))["losses"][-1] for p in sys.argv[1:3])
print(f"4 ranks on an R-MAT: loss {four:.4f} vs one process {one:.4f} ({four / one - 1:+.1%})")
sys.exit(0 if four < 1.03 * one else 1)
PY
if [ $? -eq 0 ]; then ok "$(cat "$TMP/out")"; else bad "loss with 4 ranks on an R-MAT" "$(cat "$TMP/out" "$TMP/err")"; fi

# --- faults and bad input: every rank exits non-zero, one line names the rank, nothing written ----
expect_exit "a rank that cannot read its input: exit 2" 2 "${MPI[@]}" \
  -np 1 "$N2V" "${TRAIN[@]}" -o "$TMP/f1.emb" : -np 1 "$N2V" train -i "$TMP/missing.edges" \
  --device cpu --threads 1 --epochs 1 --no-report --quiet -o "$TMP/f1.emb"
expect_grep "  ... one line names rank 1 and the file" "$TMP/err" "^n2v: rank 1 of 2: .*missing.edges"
if [ "$(grep -c '^n2v:' "$TMP/err")" -eq 1 ]; then ok "  ... and only one line"; else bad "  ... and only one line" "$(cat "$TMP/err")"; fi
if [ -e "$TMP/f1.emb" ]; then bad "  ... no output written"; else ok "  ... no output written"; fi

expect_exit "mismatched flags across ranks: refused" 2 "${MPI[@]}" \
  -np 1 "$N2V" "${TRAIN[@]}" -o "$TMP/f2.emb" : -np 1 "$N2V" "${TRAIN[@]}" --seed 9 -o "$TMP/f2.emb"
expect_grep "  ... naming rank 1" "$TMP/err" "^n2v: rank 1 of 2 was given other settings or a graph"
if [ -e "$TMP/f2.emb" ]; then bad "  ... no output written"; else ok "  ... no output written"; fi

expect_exit "mismatched graphs across ranks: refused" 2 "${MPI[@]}" \
  -np 1 "$N2V" "${TRAIN[@]}" -o "$TMP/f3.emb" : -np 1 "$N2V" train -i "$TMP/other.edges" \
  --device cpu --threads 1 --epochs 1 --no-report --quiet -o "$TMP/f3.emb"
expect_grep "  ... naming rank 1" "$TMP/err" "rank 1 of 2 was given other settings or a graph"
if [ -e "$TMP/f3.emb" ]; then bad "  ... no output written"; else ok "  ... no output written"; fi

expect_exit "walk under two ranks without --partition: refused" 2 "${MPI[@]}" -np 2 "$N2V" walk \
  -i "$TMP/g.edges" -o "$TMP/w.txt" --no-report --quiet
expect_grep "  ... saying why" "$TMP/err" "needs --partition"
if [ -e "$TMP/w.txt" ]; then bad "  ... no output written"; else ok "  ... no output written"; fi

# --- walks on a partitioned graph: byte-identical to one process ----------------------------------
# CSR files (each rank reads its part) and edge lists (each reads all, keeps its part), weighted
# and not, directed and not, p/q that search (q != 1) and that never do, 1 to 4 ranks.
"$N2V" synth graph --model rmat --nodes 4000 --edges 40000 --weighted -o "$TMP/w.csr" --quiet
"$N2V" synth graph --model rmat --nodes 4000 --edges 40000 --weighted -o "$TMP/w.edges" --quiet
"$N2V" synth graph --model plod --nodes 3000 --edges 20000 --directed -o "$TMP/d.csr" --quiet
"$N2V" graph -i "$TMP/g.edges" -o "$TMP/g.csr" --quiet
part_case() {  # name, ranks, input, extra flags...
  local name=$1 np=$2 input=$3
  shift 3
  "$N2V" walk -i "$input" -o "$TMP/ref.txt" -l 12 -r 2 --no-report --quiet "$@" >/dev/null 2>&1
  if "${MPI[@]}" -np "$np" "$N2V" walk -i "$input" -o "$TMP/part.txt" -l 12 -r 2 --partition \
       --threads 1 --quiet "$@" >/dev/null 2>"$TMP/err" && cmp -s "$TMP/ref.txt" "$TMP/part.txt"; then
    ok "--partition, $np ranks, $name: byte-identical to one process"
  else
    bad "--partition, $np ranks, $name: byte-identical to one process" "$(head -c 400 "$TMP/err")"
  fi
  rm -f "$TMP/ref.txt" "$TMP/part.txt"
}
part_case "weighted R-MAT CSR, p 0.5 q 2" 1 "$TMP/w.csr" --p 0.5 --q 2
part_case "weighted R-MAT CSR, p 0.5 q 2" 2 "$TMP/w.csr" --p 0.5 --q 2
part_case "weighted R-MAT CSR, p 0.25 q 4" 3 "$TMP/w.csr" --p 0.25 --q 4
part_case "weighted R-MAT CSR, p 4 q 0.25" 4 "$TMP/w.csr" --p 4 --q 0.25
part_case "weighted R-MAT edge list, p 1 q 1" 3 "$TMP/w.edges" --weighted
part_case "unweighted PLOD CSR, p 2 q 0.5" 2 "$TMP/g.csr" --p 2 --q 0.5
part_case "unweighted PLOD edge list, p 0.5 q 2" 3 "$TMP/g.edges" --p 0.5 --q 2
part_case "directed PLOD CSR (dead ends), p 0.5 q 2" 3 "$TMP/d.csr" --p 0.5 --q 2
# Without mpirun, --partition is one part: the same walks.
"$N2V" walk -i "$TMP/w.csr" -o "$TMP/ref.txt" -l 12 -r 2 --p 0.5 --q 2 --no-report --quiet
"$N2V" walk -i "$TMP/w.csr" -o "$TMP/part.txt" -l 12 -r 2 --p 0.5 --q 2 --partition --quiet
if cmp -s "$TMP/ref.txt" "$TMP/part.txt"; then ok "--partition as one process: the same walks"
else bad "--partition as one process: the same walks"; fi
"${MPI[@]}" -np 3 "$N2V" walk -i "$TMP/w.csr" -o "$TMP/part.txt" -l 12 -r 2 --p 0.5 --q 2 \
  --partition --threads 1 >/dev/null 2>"$TMP/err"
expect_grep "--partition reports memory per rank and steps/s" "$TMP/err" \
  "over 3 rank.*steps/s.*supersteps.*per rank at most .* MB of graph"

# A corrupt part on one rank: the checksum of the whole body fails there.
cp "$TMP/w.csr" "$TMP/bad.csr"
printf '\x7f' | dd of="$TMP/bad.csr" bs=1 seek=200 conv=notrunc status=none
"${MPI[@]}" -np 1 "$N2V" walk -i "$TMP/w.csr" -o "$TMP/pf.txt" --partition --quiet : \
  -np 1 "$N2V" walk -i "$TMP/bad.csr" -o "$TMP/pf.txt" --partition --quiet >/dev/null 2>"$TMP/err"
if [ $? -ne 0 ]; then ok "--partition, a rank whose CSR file is corrupt: exit non-zero"
else bad "--partition, a rank whose CSR file is corrupt: exit non-zero"; fi
expect_grep "  ... one line names rank 1, the file and the checksum" "$TMP/err" \
  "^n2v: rank 1 of 2: .*bad.csr: checksum mismatch"
if [ "$(grep -c '^n2v:' "$TMP/err")" -eq 1 ]; then ok "  ... and only one line"; else bad "  ... and only one line" "$(cat "$TMP/err")"; fi
if [ -e "$TMP/pf.txt" ]; then bad "  ... no output written"; else ok "  ... no output written"; fi
expect_exit "--partition, mismatched graphs across ranks: refused" 2 "${MPI[@]}" \
  -np 1 "$N2V" walk -i "$TMP/w.csr" -o "$TMP/pf.txt" --partition --quiet : \
  -np 1 "$N2V" walk -i "$TMP/g.csr" -o "$TMP/pf.txt" --partition --quiet
expect_grep "  ... naming rank 1" "$TMP/err" "rank 1 of 2 was given other walk flags or graphs"
expect_exit "--partition, mismatched walk flags across ranks: refused" 2 "${MPI[@]}" \
  -np 1 "$N2V" walk -i "$TMP/w.csr" -o "$TMP/pf.txt" --partition --quiet : \
  -np 1 "$N2V" walk -i "$TMP/w.csr" -o "$TMP/pf.txt" --partition --quiet --q 3
expect_grep "  ... naming rank 1" "$TMP/err" "rank 1 of 2 was given other walk flags or graphs"
if [ -e "$TMP/pf.txt" ]; then bad "  ... no output written"; else ok "  ... no output written"; fi
expect_exit "--partition with --device cuda: refused on every rank" 2 "${MPI[@]}" -np 2 "$N2V" \
  walk -i "$TMP/w.csr" -o "$TMP/pf.txt" --partition --device cuda --quiet
expect_grep "  ... saying why, once" "$TMP/err" "^n2v: rank 0 of 2: --partition: walks on a partitioned graph run on the CPU"
expect_exit "--output /dev/null: refused (it would be replaced)" 2 "$N2V" walk -i "$TMP/w.csr" \
  -o /dev/null --quiet --no-report
if [ -c /dev/null ]; then ok "  ... /dev/null is still a device"; else bad "  ... /dev/null is still a device"; fi

# --- GPU ranks: one GPU per rank by local rank, the deltas summed over NCCL or through host memory --
if "$N2V" devices 2>/dev/null | grep -q "^cuda:0 "; then
  # Two ranks on this machine's GPUs (both on the one GPU where there is one), staged through host
  # memory: the AUC of one CPU process on the same split, within 0.01.
  "${MPI[@]}" -np 2 "$N2V" eval -i "$TMP/pp.edges" --task link --device cuda --gpu-transport host \
    --threads 1 --quiet --json "$TMP/eg.json" --no-report >/dev/null 2>"$TMP/err"
  auc_within_0_01 "$TMP/e1.json" "$TMP/eg.json" "2 GPU ranks (host-staged)" >"$TMP/out" 2>&1
  if [ $? -eq 0 ]; then ok "$(cat "$TMP/out")"; else bad "AUC of 2 GPU ranks" "$(cat "$TMP/out" "$TMP/err")"; fi
  expect_exit "2 GPU ranks, --gpu-transport auto: exit 0" 0 "${MPI[@]}" -np 2 "$N2V" train \
    -i "$TMP/g.edges" --device cuda --epochs 1 --no-report -o "$TMP/gpu.emb"
  expect_grep "  ... the log says how the tables were summed" "$TMP/err" \
    "Table syncs: .*, (NCCL .* on cuda:[0-9]|staged through host memory from cuda:[0-9])"
  expect_grep "  ... and run.json" "$TMP/gpu.emb.run.json" '"tables_summed":"(NCCL|staged)'
  "${MPI[@]}" -np 2 "$N2V" devices >"$TMP/out" 2>&1
  expect_grep "n2v devices under mpirun names each rank's GPU and sum" "$TMP/out" \
    "^rank 1 of 2 on .*--device cuda: cuda:[0-9]+ .*, summing (with NCCL|through host memory)"
else
  expect_exit "--device cuda under mpirun without a GPU: refused on every rank" 2 "${MPI[@]}" \
    -np 2 "$N2V" train -i "$TMP/g.edges" --device cuda --epochs 1 --no-report --quiet \
    -o "$TMP/gpu.emb"
  expect_grep "  ... one line naming rank 0 and the device" "$TMP/err" "^n2v: rank 0 of 2: --device cuda:0: "
  if [ "$(grep -c '^n2v:' "$TMP/err")" -eq 1 ]; then ok "  ... and only one line"; else bad "  ... and only one line" "$(cat "$TMP/err")"; fi
  if [ -e "$TMP/gpu.emb" ]; then bad "  ... no output written"; else ok "  ... no output written"; fi
  "${MPI[@]}" -np 2 "$N2V" devices >"$TMP/out" 2>&1
  expect_grep "n2v devices under mpirun says a rank has no GPU" "$TMP/out" \
    "^rank 1 of 2 on .*--device cuda: no GPU; MPI"
fi

# A rank that runs out of memory: rank 1's address space is capped (ulimit -v) below what its
# tables and their three sync copies need (30,000 nodes x dim 1024: 8 x 123 MB), so an allocation
# fails there; it prints one line naming itself and the cause and ends the job (MPI_Abort).
"$N2V" synth graph --model plod --nodes 30000 --edges 60000 -o "$TMP/big.edges" --quiet
OOM=(train -i "$TMP/big.edges" --device cpu --threads 1 --dim 1024 --epochs 1 --num-walks 1
     --walk-length 10 --no-report --quiet -o "$TMP/oom.emb")
start=$(date +%s)
"${MPI[@]}" -np 1 "$N2V" "${OOM[@]}" : -np 1 bash -c 'ulimit -v 600000; exec "$0" "$@"' "$N2V" \
  "${OOM[@]}" >"$TMP/out" 2>"$TMP/err"
rc=$?
took=$(($(date +%s) - start))
if [ "$rc" -ne 0 ] && [ "$took" -le 30 ]; then
  ok "a rank out of memory ends the job non-zero in ${took} s (bound 30 s)"
else
  bad "a rank out of memory ends the job" "rc $rc after ${took} s: $(head -c 300 "$TMP/err")"
fi
expect_grep "  ... one line names rank 1 and the cause" "$TMP/err" \
  "^n2v: rank 1 of 2: out of memory \(std::bad_alloc\)"
if [ "$(grep -c '^n2v:' "$TMP/err")" -eq 1 ]; then ok "  ... and only one line"; else bad "  ... and only one line" "$(cat "$TMP/err")"; fi
if [ -e "$TMP/oom.emb" ]; then bad "  ... no output written"; else ok "  ... no output written"; fi

# A killed rank: mpirun ends the others; the bound is mpirun's (it sees the child die at once).
"${MPI[@]}" -np 2 "$N2V" train -i "$TMP/g.edges" --device cpu --threads 1 --epochs 50 --no-report --quiet \
  -o "$TMP/killed.emb" >"$TMP/out" 2>"$TMP/err" &
job=$!
victim=""
for _ in $(seq 100); do
  victim=$(pgrep -f "killed.emb" | grep -v "^$job\$" | while read -r p; do
    [ "$(cat /proc/$p/comm 2>/dev/null)" = n2v ] && echo "$p"; done | tail -1)
  [ -n "$victim" ] && break
  sleep 0.1
done
sleep 1
start=$(date +%s)
[ -n "$victim" ] && kill -9 "$victim"
wait "$job"
rc=$?
took=$(($(date +%s) - start))
if [ -n "$victim" ] && [ "$rc" -ne 0 ] && [ "$took" -le 30 ]; then
  ok "a killed rank ends the job non-zero in ${took} s (bound 30 s)"
else
  bad "a killed rank ends the job" "victim '$victim' rc $rc after ${took} s: $(head -c 300 "$TMP/err")"
fi
if [ -e "$TMP/killed.emb" ]; then bad "  ... no output written"; else ok "  ... no output written"; fi
no_tmp_files "  ... no temporary files left" "$TMP"

finish
