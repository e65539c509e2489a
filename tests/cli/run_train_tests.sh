#!/usr/bin/env bash
# End-to-end tests of `n2v train`, `n2v walk`, `n2v graph` and `n2v eval` on small graphs: flags and
# aliases, every input and output format, errors, reproducibility, interruption and resume.
# Usage: run_train_tests.sh <n2v binary> <source dir>. Ends with "N passed, N failed".
source "$(dirname "$0")/lib.sh" "$@"

# Two communities of 30 nodes (dense inside, a few bridges), ids as strings, comments, tabs.
python3 - "$TMP" <<'PY'
import random, sys, gzip
rnd = random.Random(7)
d = sys.argv[1]
edges = set()
for c in range(2):
    nodes = [f"n{c}_{i}" for i in range(30)]
    for i in range(30):
        edges.add((nodes[i], nodes[(i + 1) % 30]))
        for _ in range(3):
            j = rnd.randrange(30)
            if j != i: edges.add((nodes[i], nodes[j]))
for _ in range(3):
    edges.add((f"n0_{rnd.randrange(30)}", f"n1_{rnd.randrange(30)}"))
lines = ["# two communities", ""] + [f"{u}\t{v}" for u, v in sorted(edges)]
open(f"{d}/g.edges", "w").write("\n".join(lines) + "\n")
open(f"{d}/gw.edges", "w").write("\n".join(f"{u} {v} {rnd.uniform(0.5, 2):.3f}" for u, v in sorted(edges)) + "\n")
gzip.open(f"{d}/g.edges.gz", "wt").write("\n".join(f"{u} {v}" for u, v in sorted(edges)) + "\n")
with open(f"{d}/labels.txt", "w") as f:
    for c in range(2):
        for i in range(30):
            f.write(f"n{c}_{i} community{c}" + (" even" if i % 2 == 0 else "") + "\n")
PY
SMALL=(--dimensions 16 --walk-length 20 --num-walks 4 --window-size 5)

# --- help, aliases ---
expect_exit "train --help exits 0" 0 "$N2V" train --help
for flag in --input --output --format --weighted --directed --dimensions --walk-length --num-walks \
            --window-size --epochs --p --q --negative --threads --seed --optimizer \
            --checkpoint-every --resume; do
  expect_grep "train --help lists $flag" "$TMP/out" -- "$flag"
done
for alias in --dim --window --iter --workers; do
  expect_grep "train --help lists the alias $alias" "$TMP/out" -- "$alias"
done
expect_grep "train --help shows node2vec's defaults" "$TMP/out" "walk-length.*80"
expect_exit "walk --help exits 0" 0 "$N2V" walk --help
expect_exit "graph --help exits 0" 0 "$N2V" graph --help
expect_exit "eval --help exits 0" 0 "$N2V" eval --help

# --- train: the default output, the saved configuration, reproducibility ---
expect_exit "train runs" 0 "$N2V" train --input "$TMP/g.edges" --output "$TMP/e.w2v" "${SMALL[@]}" --threads 2
[ "$(head -1 "$TMP/e.w2v")" = "60 16" ] && ok "train writes word2vec text 'count dim'" || bad "train writes word2vec text 'count dim'" "$(head -1 "$TMP/e.w2v")"
[ "$(wc -l <"$TMP/e.w2v")" -eq 61 ] && ok "one line per node" || bad "one line per node"
expect_grep "node ids kept verbatim" "$TMP/e.w2v" "^n1_29 "
expect_grep "configuration printed at start" "$TMP/err" "^  dimensions=16"
[ -s "$TMP/e.w2v.config.toml" ] && ok "configuration saved beside the output" || bad "configuration saved beside the output"
expect_grep "saved configuration is TOML for [train]" "$TMP/e.w2v.config.toml" '^\[train\]$'
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['graph']['nodes']==60" "$TMP/e.w2v.run.json" \
  && ok "run.json beside the output" || bad "run.json beside the output"
no_tmp_files "no temporary files after train" "$TMP"
# Byte-for-byte comparisons run on the CPU: GPU training is Hogwild across warps, not bit-reproducible.
expect_exit "train one thread A" 0 "$N2V" train -i "$TMP/g.edges" -o "$TMP/a.w2v" "${SMALL[@]}" --workers 1 --device cpu --quiet
expect_exit "train one thread B (from the saved config)" 0 "$N2V" train --config "$TMP/a.w2v.config.toml" --output "$TMP/b.w2v" --quiet
cmp -s "$TMP/a.w2v" "$TMP/b.w2v" && ok "same seed, one thread: identical embeddings" || bad "same seed, one thread: identical embeddings"
[ ! -s "$TMP/out" ] && [ ! -s "$TMP/err" ] && ok "--quiet prints nothing" || bad "--quiet prints nothing" "$(cat "$TMP/err")"

# --- formats ---
expect_exit "train --format w2v-binary" 0 "$N2V" train -i "$TMP/g.edges" -o "$TMP/e.bin" "${SMALL[@]}" --quiet
expect_exit "similar reads the binary file" 0 "$N2V" similar --embeddings "$TMP/e.bin" --query n0_0 --k 3
[ "$(grep -c '^- ' "$TMP/out")" -eq 3 ] && ok "binary answers k neighbours" || bad "binary answers k neighbours" "$(cat "$TMP/out")"
expect_exit "train --format npy" 0 "$N2V" train -i "$TMP/g.edges" -o "$TMP/e.npy" "${SMALL[@]}" --quiet
[ "$(wc -l <"$TMP/e.ids.txt")" -eq 60 ] && ok ".npy comes with its ids file" || bad ".npy comes with its ids file"
expect_exit "similar reads the .npy" 0 "$N2V" similar --embeddings "$TMP/e.npy" --query n1_3 --k 2
expect_exit "train --format tsv" 0 "$N2V" train -i "$TMP/g.edges" -o "$TMP/proj.tsv" --format tsv "${SMALL[@]}" --quiet
[ "$(wc -l <"$TMP/proj.tsv")" -eq 60 ] && [ "$(wc -l <"$TMP/proj.metadata.tsv")" -eq 60 ] \
  && ok "projector vectors + metadata" || bad "projector vectors + metadata"
expect_exit "gzip edge list" 0 "$N2V" train -i "$TMP/g.edges.gz" -o "$TMP/gz.w2v" "${SMALL[@]}" --quiet
expect_exit "weighted edge list" 0 "$N2V" train -i "$TMP/gw.edges" --weighted -o "$TMP/w.w2v" "${SMALL[@]}" --quiet
expect_exit "directed edge list" 0 "$N2V" train -i "$TMP/g.edges" --directed -o "$TMP/d.w2v" "${SMALL[@]}" --quiet
expect_exit "adam optimizer" 0 "$N2V" train -i "$TMP/g.edges" -o "$TMP/adam.w2v" "${SMALL[@]}" --optimizer adam --batch 64 --epochs 2 --quiet

# --- bad input: exit 2, one line naming file and line, nothing written ---
expect_exit "unweighted file read as weighted" 2 "$N2V" train -i "$TMP/g.edges" --weighted -o "$TMP/bad1.w2v"
expect_grep "error names file and line" "$TMP/err" "g.edges:3"
[ "$(wc -l <"$TMP/err")" -eq 1 ] && ok "input errors are one line" || bad "input errors are one line" "$(cat "$TMP/err")"
[ ! -e "$TMP/bad1.w2v" ] && ok "input errors write nothing" || bad "input errors write nothing"
printf 'a b 1\nb c nan\n' >"$TMP/nan.edges"
expect_exit "NaN weight" 2 "$N2V" train -i "$TMP/nan.edges" --weighted -o "$TMP/bad2.w2v"
expect_grep "NaN weight names line 2" "$TMP/err" "nan.edges:2"
: >"$TMP/empty.edges"
expect_exit "empty edge list" 2 "$N2V" train -i "$TMP/empty.edges" -o "$TMP/bad3.w2v"
expect_exit "missing input" 2 "$N2V" train -i "$TMP/none.edges" -o "$TMP/bad4.w2v"
expect_grep "missing input is named" "$TMP/err" "none.edges"
expect_exit "output into a missing directory" 2 "$N2V" train -i "$TMP/g.edges" -o "$TMP/no/dir/e.w2v"
expect_exit "dimensions 0" 2 "$N2V" train -i "$TMP/g.edges" -o "$TMP/bad5.w2v" --dim 0
expect_exit "unknown format" 2 "$N2V" train -i "$TMP/g.edges" -o "$TMP/bad6.w2v" --format hdf5
expect_exit "no --input" 2 "$N2V" train -o "$TMP/bad7.w2v"
printf '[train]\nbogus = 1\n' >"$TMP/bad.toml"
expect_exit "unknown config key" 2 "$N2V" train --config "$TMP/bad.toml" -i "$TMP/g.edges" -o "$TMP/bad8.w2v"
printf '[train]\ndimensions = "many"\n' >"$TMP/badtype.toml"
expect_exit "config value of the wrong type" 2 "$N2V" train --config "$TMP/badtype.toml" -i "$TMP/g.edges" -o "$TMP/bad9.w2v"
expect_grep "wrong-type config names the file" "$TMP/err" "badtype.toml|dimensions"
printf '[train\ndimensions = 8\n' >"$TMP/badsyntax.toml"
expect_exit "malformed config section" 2 "$N2V" train --config "$TMP/badsyntax.toml" -i "$TMP/g.edges" -o "$TMP/bad10.w2v"
printf '\xff\xfe[train]\n' >"$TMP/binary.toml"
expect_exit "binary config file" 2 "$N2V" train --config "$TMP/binary.toml" -i "$TMP/g.edges" -o "$TMP/bad11.w2v"
: >"$TMP/empty.toml"
expect_exit "empty config file is no configuration" 0 "$N2V" train --config "$TMP/empty.toml" -i "$TMP/g.edges" -o "$TMP/emptycfg.w2v" "${SMALL[@]}" --quiet
ls "$TMP"/bad*.w2v >/dev/null 2>&1 && bad "failed runs write no output" "$(ls "$TMP"/bad*.w2v)" || ok "failed runs write no output"

# --- walk ---
expect_exit "walk runs" 0 "$N2V" walk -i "$TMP/g.edges" -o "$TMP/walks1.txt" --walk-length 7 --num-walks 3 --threads 1 --device cpu
[ "$(wc -l <"$TMP/walks1.txt")" -eq 180 ] && ok "one line per walk (nodes x num-walks)" || bad "one line per walk" "$(wc -l <"$TMP/walks1.txt")"
[ "$(awk '{print NF}' "$TMP/walks1.txt" | sort -u)" = "7" ] && ok "walk-length ids per line" || bad "walk-length ids per line"
awk 'NR==FNR {if (!/^#/ && NF) {seen[$1]=1; seen[$2]=1}; next} {for (i=1;i<=NF;i++) if (!($i in seen)) exit 1}' "$TMP/g.edges" "$TMP/walks1.txt" \
  && ok "walks hold the file's node ids" || bad "walks hold the file's node ids"
expect_exit "walk on two threads" 0 "$N2V" walk -i "$TMP/g.edges" -o "$TMP/walks2.txt" --walk-length 7 --num-walks 3 --threads 2 --device cpu
cmp -s "$TMP/walks1.txt" "$TMP/walks2.txt" && ok "walks identical for any thread count" || bad "walks identical for any thread count"

# --- graph: build the CSR once, train from it ---
expect_exit "graph from an edge list" 0 "$N2V" graph -i "$TMP/g.edges" -o "$TMP/g.csr"
expect_exit "train from the CSR file" 0 "$N2V" train -i "$TMP/g.csr" -o "$TMP/fromcsr.w2v" "${SMALL[@]}" --workers 1 --device cpu --quiet
cmp -s "$TMP/a.w2v" "$TMP/fromcsr.w2v" && ok "CSR and edge list train identically" || bad "CSR and edge list train identically"
expect_exit "graph from MovieLens ratings" 0 "$N2V" graph --movielens "$DATA" -o "$TMP/ml.csr"
expect_grep "the PMI graph has the seed's size" "$TMP/err" "1405 nodes, 40043 undirected edges"
expect_exit "graph needs exactly one source" 2 "$N2V" graph -o "$TMP/x.csr"

# --- eval ---
expect_exit "eval link prediction" 0 "$N2V" eval -i "$TMP/g.edges" "${SMALL[@]}" --json "$TMP/eval.json" --threads 2
expect_grep "eval prints an AUC table" "$TMP/out" "cosine +hadamard"
python3 -c "
import json,sys; d=json.load(open(sys.argv[1])); r=d['results'][0]
assert 0.5 < r['auc_cosine'] <= 1, r" "$TMP/eval.json" && ok "eval AUC beats chance on two communities" || bad "eval AUC beats chance on two communities" "$(cat "$TMP/eval.json")"
expect_exit "eval p/q grid" 0 "$N2V" eval -i "$TMP/g.edges" "${SMALL[@]}" --p 0.5,2 --q 1,4 --threads 2
[ "$(grep -cE '^ +(0\.5|2) +(1|4) ' "$TMP/out")" -eq 4 ] && ok "grid prints one row per (p, q)" || bad "grid prints one row per (p, q)" "$(cat "$TMP/out")"
expect_exit "eval node classification" 0 "$N2V" eval -i "$TMP/g.edges" --task node --labels "$TMP/labels.txt" "${SMALL[@]}" --repeats 3 --json "$TMP/node.json"
python3 -c "
import json,sys; r=json.load(open(sys.argv[1]))['results'][0]
assert r['micro_f1'] > 0.6, r" "$TMP/node.json" && ok "communities are classified" || bad "communities are classified" "$(cat "$TMP/node.json")"
expect_exit "eval writes the residual graph" 0 "$N2V" eval -i "$TMP/g.edges" "${SMALL[@]}" --residual-out "$TMP/res.edges" --seed 5 --quiet
expect_exit "train on the residual" 0 "$N2V" train -i "$TMP/res.edges" -o "$TMP/res.w2v" "${SMALL[@]}" --quiet
expect_exit "eval an embeddings file" 0 "$N2V" eval -i "$TMP/g.edges" --embeddings "$TMP/res.w2v" --seed 5 --quiet
expect_grep "external embeddings get a row" "$TMP/out" "^ +- +- +0\.[0-9]+"
expect_exit "labels naming unknown nodes" 2 "$N2V" eval -i "$TMP/g.edges" --task node --labels <(printf 'zz a\n') "${SMALL[@]}"
expect_exit "node task without labels" 2 "$N2V" eval -i "$TMP/g.edges" --task node

# --- interruption: Ctrl-C / SIGTERM leave earlier outputs intact and no temporary files ---
python3 - "$TMP" <<'PY'
import random, sys
rnd = random.Random(3)
n = 20000
with open(f"{sys.argv[1]}/big.edges", "w") as f:
    for u in range(n):
        for _ in range(5):
            f.write(f"{u} {rnd.randrange(n)}\n")
PY
mkdir -p "$TMP/intr"
cp "$TMP/a.w2v" "$TMP/intr/e.w2v"
for sig in INT TERM; do
  "$N2V" train -i "$TMP/big.edges" -o "$TMP/intr/e.w2v" --epochs 50 --threads 2 >/dev/null 2>&1 &
  pid=$!
  sleep 2
  t0=$(date +%s%N)
  kill -s $sig $pid
  wait $pid
  rc=$?
  # The signal is a cancellation the training loop polls every few milliseconds: the process must
  # be gone within a second (1.5 s of slack for a loaded or sanitizer-instrumented machine).
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  [ $ms -le 1500 ] && ok "SIG$sig stops training within a second (${ms} ms)" || bad "SIG$sig stops training within a second" "${ms} ms"
  [ $rc -eq $((128 + $(kill -l $sig))) ] && ok "SIG$sig ends the run ($rc)" || bad "SIG$sig ends the run" "exit $rc"
  cmp -s "$TMP/a.w2v" "$TMP/intr/e.w2v" && ok "SIG$sig keeps the earlier output" || bad "SIG$sig keeps the earlier output"
  no_tmp_files "SIG$sig leaves no temporary files" "$TMP/intr"
done

# Walks too: the sampler stops at its next chunk, the walks file is not written, no temporaries.
"$N2V" walk -i "$TMP/big.edges" -o "$TMP/intr/walks.txt" --num-walks 400 --threads 2 --device cpu >/dev/null 2>&1 &
pid=$!
sleep 1
kill -s INT $pid
wait $pid
rc=$?
[ $rc -eq 130 ] && ok "SIGINT ends a walk run (130)" || bad "SIGINT ends a walk run" "exit $rc"
[ ! -e "$TMP/intr/walks.txt" ] && ok "an interrupted walk run writes no walks file" || bad "an interrupted walk run writes no walks file"
no_tmp_files "an interrupted walk run leaves no temporary files" "$TMP/intr"

# --- checkpoints: a resumed one-thread run equals an uninterrupted one, bit for bit ---
CK=(-i "$TMP/g.edges" "${SMALL[@]}" --epochs 3 --workers 1 --device cpu --quiet)
expect_exit "train with checkpoints" 0 "$N2V" train "${CK[@]}" -o "$TMP/full.w2v" --checkpoint-every 1 --checkpoint-dir "$TMP/ck"
[ -s "$TMP/ck/epoch-1.ckpt" ] && [ -s "$TMP/ck/epoch-3.ckpt" ] && ok "a checkpoint per epoch" || bad "a checkpoint per epoch" "$(ls "$TMP/ck")"
expect_exit "resume from epoch 1" 0 "$N2V" train "${CK[@]}" -o "$TMP/resumed.w2v" --resume "$TMP/ck/epoch-1.ckpt"
cmp -s "$TMP/full.w2v" "$TMP/resumed.w2v" && ok "resumed run equals the uninterrupted one" || bad "resumed run equals the uninterrupted one"
expect_exit "resume with other settings is refused" 2 "$N2V" train -i "$TMP/g.edges" "${SMALL[@]}" --epochs 3 --workers 1 --device cpu --dim 8 -o "$TMP/x.w2v" --resume "$TMP/ck/epoch-1.ckpt"
expect_grep "refusal names the setting" "$TMP/err" "dimensions"
expect_exit "resume from a missing checkpoint" 2 "$N2V" train "${CK[@]}" -o "$TMP/x.w2v" --resume "$TMP/nock"

# --- reports: beside the output by default, --report FILE, --no-report; a bad path writes nothing ---
expect_exit "train writes a report beside the output" 0 "$N2V" train -i "$TMP/g.edges" -o "$TMP/rep.w2v" "${SMALL[@]}" --quiet
expect_grep "the train report maps every node" "$TMP/rep.w2v.report.html" 'id="embedding-map" data-expected="60"'
expect_grep "the train report has the loss trace" "$TMP/rep.w2v.report.html" 'id="trace-loss-time"'
expect_grep "run.json times the report" "$TMP/rep.w2v.run.json" '"report":[0-9.]+'
expect_exit "train --report FILE and labels" 0 "$N2V" train -i "$TMP/g.edges" -o "$TMP/rep2.w2v" "${SMALL[@]}" --quiet --report "$TMP/mine.html" --report-labels "$TMP/labels.txt" --report-points 25
expect_grep "--report-labels colours by label" "$TMP/mine.html" 'coloured by label'
expect_grep "--report-points samples the map" "$TMP/mine.html" '25 of the 60 nodes are drawn'
[ ! -e "$TMP/rep2.w2v.report.html" ] && ok "--report replaces the default file" || bad "--report replaces the default file"
expect_exit "train --no-report" 0 "$N2V" train -i "$TMP/g.edges" -o "$TMP/norep.w2v" "${SMALL[@]}" --quiet --no-report
[ -s "$TMP/norep.w2v" ] && [ ! -e "$TMP/norep.w2v.report.html" ] && ok "--no-report writes no report" || bad "--no-report writes no report"
expect_exit "report in a missing directory" 2 "$N2V" train -i "$TMP/g.edges" -o "$TMP/badr1.w2v" "${SMALL[@]}" --report "$TMP/nodir/r.html"
expect_grep "the report error names the file and what was expected" "$TMP/err" "--report $TMP/nodir/r.html: expected a file in an existing directory"
[ "$(wc -l <"$TMP/err")" -eq 1 ] && ok "the report error is one line" || bad "the report error is one line" "$(cat "$TMP/err")"
expect_exit "report path is the output" 2 "$N2V" train -i "$TMP/g.edges" -o "$TMP/badr6.w2v" "${SMALL[@]}" --report "$TMP/./badr6.w2v"
expect_grep "the same-file error says so" "$TMP/err" "expected a file other than --output"
expect_exit "report path is a directory" 2 "$N2V" train -i "$TMP/g.edges" -o "$TMP/badr2.w2v" "${SMALL[@]}" --report "$TMP"
expect_exit "report labels file missing" 2 "$N2V" train -i "$TMP/g.edges" -o "$TMP/badr3.w2v" "${SMALL[@]}" --report-labels "$TMP/nolabels.txt"
expect_grep "the labels error names the file" "$TMP/err" "nolabels.txt"
expect_exit "walk report in a missing directory" 2 "$N2V" walk -i "$TMP/g.edges" -o "$TMP/badr4.txt" --report "$TMP/nodir/w.html"
expect_exit "eval report in a missing directory" 2 "$N2V" eval -i "$TMP/g.edges" "${SMALL[@]}" --json "$TMP/badr5.json" --report "$TMP/nodir/e.html"
ls "$TMP"/badr* >/dev/null 2>&1 && bad "a bad report path writes nothing" "$(ls "$TMP"/badr*)" || ok "a bad report path writes nothing"
expect_exit "walk writes a report" 0 "$N2V" walk -i "$TMP/g.edges" -o "$TMP/rw.txt" --walk-length 5 --num-walks 2 --quiet
expect_grep "the walk report counts the walks" "$TMP/rw.txt.report.html" '0 of 120 walks \(0.00%\) ended early'
expect_exit "eval writes a report beside --json" 0 "$N2V" eval -i "$TMP/g.edges" "${SMALL[@]}" --p 1,2 --q 1 --json "$TMP/re.json" --quiet
[ "$(grep -o 'class="heat-cell"' "$TMP/re.json.report.html" | wc -l)" -eq 10 ] && ok "the eval report has 5 metrics x 2 x 1 cells" || bad "the eval report has 5 metrics x 2 x 1 cells"
expect_exit "eval without --json writes no report" 0 "$N2V" eval -i "$TMP/g.edges" "${SMALL[@]}" --quiet
no_tmp_files "reports leave no temporary files" "$TMP"

# --- more bad inputs: every command fails in one line naming the file and leaves no output ---
printf 'a b 1\nb c nan\n' >"$TMP/nan.edges"
expect_exit "walk on a NaN weight" 2 "$N2V" walk -i "$TMP/nan.edges" --weighted -o "$TMP/badw.txt"
expect_grep "walk error names file and line" "$TMP/err" "nan.edges:2"
expect_exit "graph on a NaN weight" 2 "$N2V" graph -i "$TMP/nan.edges" --weighted -o "$TMP/badg.csr"
expect_exit "eval on a NaN weight" 2 "$N2V" eval -i "$TMP/nan.edges" --weighted --json "$TMP/bade.json" --residual-out "$TMP/bade.edges"
[ "$(wc -l <"$TMP/err")" -eq 1 ] && ok "eval input error is one line" || bad "eval input error is one line" "$(cat "$TMP/err")"
ls "$TMP"/badw.txt "$TMP"/badg.csr "$TMP"/bade.json "$TMP"/bade.edges >/dev/null 2>&1 \
  && bad "failed walk/graph/eval write nothing" "$(ls "$TMP"/bad[wge]*)" || ok "failed walk/graph/eval write nothing"
no_tmp_files "failed runs leave no temporary files" "$TMP"
expect_exit "MovieLens with no liked rating left" 2 "$N2V" graph --movielens "$DATA" --min-rating 6 -o "$TMP/badml.csr"
expect_grep "no-edge error says why" "$TMP/err" "no rating >= 6|no movie pair"
[ "$(wc -l <"$TMP/err")" -eq 1 ] && ok "no-edge error is one line" || bad "no-edge error is one line" "$(cat "$TMP/err")"
[ ! -e "$TMP/badml.csr" ] && ok "no-edge graph writes nothing" || bad "no-edge graph writes nothing"
# A single node (a self-loop): walks stay on it, training gives its one row.
printf 'solo solo\n' >"$TMP/solo.edges"
expect_exit "a single node trains" 0 "$N2V" train -i "$TMP/solo.edges" -o "$TMP/solo.w2v" "${SMALL[@]}" --quiet
[ "$(head -1 "$TMP/solo.w2v")" = "1 16" ] && [ "$(awk 'NR==2 {print $1, NF}' "$TMP/solo.w2v")" = "solo 17" ] \
  && ok "a single node gives one row" || bad "a single node gives one row" "$(head -c 200 "$TMP/solo.w2v")"
expect_exit "a single node walks" 0 "$N2V" walk -i "$TMP/solo.edges" -o "$TMP/solo.walks" --walk-length 5 --num-walks 2
[ "$(sort -u "$TMP/solo.walks")" = "solo solo solo solo solo" ] && ok "single-node walks stay on it" || bad "single-node walks stay on it" "$(head -2 "$TMP/solo.walks")"
# A CSR file with nodes but no edges (written here in the documented layout, csr_io.hpp).
python3 - "$TMP/edgeless.csr" <<'PY'
import struct, sys, zlib
names = b"abc"
body = struct.pack("<4q", 0, 0, 0, 0) + struct.pack("<4Q", 0, 1, 2, 3) + names
head = b"N2VCSR\0\1" + struct.pack("<IIQQQI", 1, 2, 3, 0, len(names), zlib.crc32(body))
open(sys.argv[1], "wb").write(head.ljust(64, b"\0") + body)
PY
expect_exit "a graph with no edges is refused" 2 "$N2V" train -i "$TMP/edgeless.csr" -o "$TMP/bade1.w2v"
expect_grep "no-edge graph error says why" "$TMP/err" "edgeless.csr: the graph has 3 nodes but no edges"
expect_exit "walk on a graph with no edges is refused" 2 "$N2V" walk -i "$TMP/edgeless.csr" -o "$TMP/bade2.txt"
ls "$TMP"/bade1.w2v "$TMP"/bade2.txt >/dev/null 2>&1 && bad "no-edge runs write nothing" || ok "no-edge runs write nothing"
# Config files: a bad value or bad syntax is one line that names the file.
printf '[train]\np = 0\n' >"$TMP/p0.toml"
expect_exit "config p = 0" 2 "$N2V" train --config "$TMP/p0.toml" -i "$TMP/g.edges" -o "$TMP/badc1.w2v"
expect_grep "config p = 0 names p" "$TMP/err" "--p"
for f in badtype badsyntax binary; do
  expect_exit "config $f fails" 2 "$N2V" train --config "$TMP/$f.toml" -i "$TMP/g.edges" -o "$TMP/badc2.w2v"
  { [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "$f.toml" "$TMP/err"; } && ok "config $f: one line naming the file" \
    || bad "config $f: one line naming the file" "$(cat "$TMP/err")"
done
printf '[movielens]\np = "x"\n' >"$TMP/mlbad.toml"
expect_exit "movielens config of the wrong type" 2 "$N2V" movielens --config "$TMP/mlbad.toml" --out "$TMP/badml"
expect_grep "movielens config error names the file" "$TMP/err" "mlbad.toml"
printf '[train]\nout = """a\nb"""\n' >"$TMP/multi.toml"
expect_exit "config with a multi-line string" 2 "$N2V" train --config "$TMP/multi.toml" -i "$TMP/g.edges" -o "$TMP/badc3.w2v"
[ "$(wc -l <"$TMP/err")" -eq 1 ] && ok "multi-line config value: error stays one line" || bad "multi-line config value: error stays one line" "$(cat "$TMP/err")"
ls "$TMP"/badc*.w2v "$TMP/badml" >/dev/null 2>&1 && bad "failed config runs write nothing" || ok "failed config runs write nothing"

finish
