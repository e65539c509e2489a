#!/usr/bin/env bash
# End-to-end tests of the n2v command line: flags, outputs, errors and exit codes.
# Usage: run_cli_tests.sh <n2v binary> <source dir>. Ends with "N passed, N failed".
source "$(dirname "$0")/lib.sh" "$@"

# --- help and version ---
expect_exit "help exits 0" 0 "$N2V" movielens --help
for flag in --data --out --min-rating --min-weight --p --q --num-walks --num-steps --window \
            --negatives --dim --epochs --batch --lr --l2 --k --query --threads --seed --device; do
  expect_grep "help lists $flag" "$TMP/out" "$flag"
done
expect_grep "help shows the seed's defaults" "$TMP/out" "num-steps.*10"
expect_exit "version exits 0" 0 "$N2V" --version
expect_grep "version names the build" "$TMP/out" "n2v [0-9]+\.[0-9]+\.[0-9]+ \(.*(CUDA|CPU)"
expect_exit "devices exits 0" 0 "$N2V" devices

# --- usage errors: exit 2, one line ---
expect_exit "unknown flag is a usage error" 2 "$N2V" movielens --no-such-flag
[ "$(wc -l <"$TMP/err")" -eq 1 ] && ok "usage errors are one line" || bad "usage errors are one line" "$(cat "$TMP/err")"
expect_grep "unknown flag is named" "$TMP/err" "^n2v: .*--no-such-flag"
expect_exit "no subcommand is a usage error" 2 "$N2V"
expect_exit "non-numeric --p is a usage error" 2 "$N2V" movielens --p abc --out "$TMP/x"
expect_exit "zero --p is a usage error" 2 "$N2V" movielens --p 0 --out "$TMP/x"
expect_grep "zero --p names the flag" "$TMP/err" "^n2v: --p: expected a positive number"
expect_exit "bad --device is a usage error" 2 "$N2V" movielens --device tpu --out "$TMP/x"
[ ! -e "$TMP/x" ] && ok "usage errors write nothing" || bad "usage errors write nothing"

# --- input errors name the file and line ---
mkdir -p "$TMP/baddata"
cp "$DATA/movies.csv" "$TMP/baddata/"
printf 'userId,movieId,rating,timestamp\r\n1,1,4.0,964982703\r\n1,x,5.0,964982931\r\n' >"$TMP/baddata/ratings.csv"
expect_exit "bad ratings row is an input error" 2 "$N2V" movielens --data "$TMP/baddata" --out "$TMP/y"
expect_grep "error names file and line" "$TMP/err" "ratings.csv:3"
[ ! -e "$TMP/y" ] && ok "input errors write nothing" || bad "input errors write nothing"
expect_exit "missing data dir is an input error" 2 "$N2V" movielens --data "$TMP/nowhere" --out "$TMP/y"
expect_grep "missing file is named" "$TMP/err" "nowhere/(ratings|movies)\.csv"

# --- an unknown query suggests titles, costs nothing, writes nothing ---
expect_exit "unknown title is an input error" 2 "$N2V" movielens --data "$DATA" --out "$TMP/z" --query "Matrix (1999)" --quiet
expect_grep "unknown title suggests the closest" "$TMP/err" "closest titles: .*Matrix, The \(1999\)"
[ ! -e "$TMP/z" ] && ok "query errors write nothing" || bad "query errors write nothing"

# --- the whole job ---
OUT="$TMP/ml"
expect_exit "movielens runs" 0 "$N2V" movielens --data "$DATA" --out "$OUT" --device cpu --threads 2
for f in embeddings.w2v.txt vectors.tsv metadata.tsv graph.csr loss.csv similar.txt run.json report.html loss.svg; do
  [ -s "$OUT/$f" ] && ok "writes $f" || bad "writes $f"
done
expect_grep "prints the seed's query" "$TMP/out" "^Star Wars: Episode IV - A New Hope \(1977\)$"
expect_grep "prints neighbours with scores" "$TMP/out" "^- .* \((0|1)\.[0-9]{3}\)$"
[ "$(head -1 "$OUT/embeddings.w2v.txt")" = "1405 50" ] && ok "w2v header is 'count dim'" || bad "w2v header is 'count dim'" "$(head -1 "$OUT/embeddings.w2v.txt")"
[ "$(wc -l <"$OUT/embeddings.w2v.txt")" -eq 1406 ] && ok "w2v has one line per node" || bad "w2v has one line per node"
[ "$(awk '{print NF}' "$OUT/embeddings.w2v.txt" | sort -u | tr '\n' ' ')" = "2 51 " ] && ok "w2v rows have key + 50 values" || bad "w2v rows have key + 50 values"
[ "$(wc -l <"$OUT/vectors.tsv")" -eq 1405 ] && ok "vectors.tsv has 1405 rows" || bad "vectors.tsv has 1405 rows"
[ "$(wc -l <"$OUT/metadata.tsv")" -eq 1406 ] && ok "metadata.tsv has a header + 1405 rows" || bad "metadata.tsv has a header + 1405 rows"
# Row alignment: the movieId in metadata row i equals the w2v key of row i, and the vectors agree.
paste <(tail -n +2 "$OUT/metadata.tsv" | cut -f2) <(tail -n +2 "$OUT/embeddings.w2v.txt" | cut -d' ' -f1) | awk '$1 != $2 {bad=1} END {exit bad}' \
  && ok "metadata rows align with embeddings" || bad "metadata rows align with embeddings"
diff <(tr '\t' ' ' <"$OUT/vectors.tsv") <(tail -n +2 "$OUT/embeddings.w2v.txt" | cut -d' ' -f2-) >/dev/null \
  && ok "vectors.tsv rows align with embeddings" || bad "vectors.tsv rows align with embeddings"
expect_grep "metadata header" "$OUT/metadata.tsv" "^title	movieId	genres$"
expect_grep "report has the loss curve" "$OUT/report.html" 'id="loss-curve"'
expect_grep "report lists the query movies" "$OUT/report.html" "Star Wars: Episode IV - A New Hope \(1977\)"
grep -q "https\?://[a-z]" <(grep -v "http://www.w3.org/2000/svg" "$OUT/report.html") && bad "report fetches nothing from the network" || ok "report fetches nothing from the network"
[ "$(wc -l <"$OUT/loss.csv")" -eq 11 ] && ok "loss.csv has 10 epochs" || bad "loss.csv has 10 epochs"
expect_grep "run.json has node count" "$OUT/run.json" '"nodes":1405'
expect_grep "run.json has edge count" "$OUT/run.json" '"edges":40043'
expect_grep "run.json has stage times" "$OUT/run.json" '"timings_ms":\{"load":[0-9.e+-]+,"graph"'
expect_grep "run.json has the config" "$OUT/run.json" '"config":\{"data":'
expect_grep "run.json has the final loss" "$OUT/run.json" '"final_loss":[0-9]'
if command -v python3 >/dev/null; then
  python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$OUT/run.json" && ok "run.json is valid JSON" || bad "run.json is valid JSON"
fi
ls "$OUT" | grep -q '\.tmp' && bad "no temporary files left" || ok "no temporary files left"

# --- same seed, one thread: identical embeddings; a failed later run keeps earlier outputs ---
expect_exit "one-thread run A" 0 "$N2V" movielens --data "$DATA" --out "$TMP/a" --device cpu --threads 1 --epochs 2 --quiet
expect_exit "one-thread run B" 0 "$N2V" movielens --data "$DATA" --out "$TMP/b" --device cpu --threads 1 --epochs 2 --quiet
cmp -s "$TMP/a/embeddings.w2v.txt" "$TMP/b/embeddings.w2v.txt" && ok "same seed, one thread: identical embeddings" || bad "same seed, one thread: identical embeddings"
cp -r "$TMP/a" "$TMP/a.before"
expect_exit "failing run into an existing dir" 2 "$N2V" movielens --data "$TMP/baddata" --out "$TMP/a" --quiet
diff -r "$TMP/a" "$TMP/a.before" >/dev/null && ok "earlier outputs intact after a failure" || bad "earlier outputs intact after a failure"

# --- n2v similar on the embeddings the job wrote ---
EMB="$OUT/embeddings.w2v.txt"
expect_exit "similar by movieId" 0 "$N2V" similar --embeddings "$EMB" --query 260 --k 3
[ "$(grep -c '^- ' "$TMP/out")" -eq 3 ] && ok "similar prints k neighbours" || bad "similar prints k neighbours" "$(cat "$TMP/out")"
expect_exit "similar by title substring" 0 "$N2V" similar --embeddings "$EMB" --movies "$DATA/movies.csv" --query "lion king" --k 2 --json
expect_grep "similar --json names the resolved movie" "$TMP/out" '"key":"364"'
python3 -c "import json,sys; [json.loads(l) for l in open(sys.argv[1]) if l.strip()]" "$TMP/out" && ok "similar --json is JSON lines" || bad "similar --json is JSON lines"
expect_exit "ambiguous substring is a usage error" 2 "$N2V" similar --embeddings "$EMB" --movies "$DATA/movies.csv" --query "godfather"
expect_grep "ambiguous substring lists the candidates" "$TMP/err" "Godfather: Part II"
expect_exit "unknown key is a usage error" 2 "$N2V" similar --embeddings "$EMB" --query no-such-key
printf '260\n1\n' | "$N2V" similar --embeddings "$EMB" --k 2 >"$TMP/out" 2>"$TMP/err" && ok "similar reads queries from stdin" || bad "similar reads queries from stdin"
[ "$(grep -c '^- ' "$TMP/out")" -eq 4 ] && ok "stdin queries each answered" || bad "stdin queries each answered" "$(cat "$TMP/out")"
printf '3 2\n1 1.0\n' >"$TMP/short.txt"
expect_exit "truncated embeddings file is an input error" 2 "$N2V" similar --embeddings "$TMP/short.txt" --query 1
expect_grep "truncated embeddings error names the file" "$TMP/err" "short.txt"

# --- configuration files: --dump-config writes what --config reads; flags override the file ---
expect_exit "dump-config exits 0" 0 "$N2V" movielens --p 0.5 --epochs 2 --num-walks 2 --device cpu --dump-config
cp "$TMP/out" "$TMP/run.toml"
expect_grep "dump-config writes the flags" "$TMP/run.toml" "^movielens\.p=0\.5$|^p=0\.5$"
expect_exit "config file drives a run" 0 "$N2V" movielens --config "$TMP/run.toml" --q 2 --data "$DATA" --out "$TMP/cfg" --threads 2 --quiet
expect_grep "config values reach run.json" "$TMP/cfg/run.json" '"p":0.5,"q":2,"num_walks":2'
expect_grep "config epochs reach run.json" "$TMP/cfg/run.json" '"epochs":2'
[ "$(wc -l <"$TMP/cfg/loss.csv")" -eq 3 ] && ok "config epochs train 2 epochs" || bad "config epochs train 2 epochs"
expect_grep "default queries survive a dumped config" "$TMP/out" "^Godfather, The \(1972\)$"
printf '[movielens]\np = 0.25\nepochs = 1\nnum-walks = 1\n' >"$TMP/run.ini"
expect_exit "INI config with a section" 0 "$N2V" --config "$TMP/run.ini" movielens --data "$DATA" --out "$TMP/ini" --device cpu --quiet
expect_grep "INI values reach run.json" "$TMP/ini/run.json" '"p":0.25'
expect_exit "missing config file is a usage error" 2 "$N2V" movielens --config "$TMP/none.toml" --out "$TMP/cfg2"
expect_grep "missing config file is named" "$TMP/err" "none.toml"
printf 'movielens.bogus = 3\n' >"$TMP/bad.toml"
expect_exit "unknown config key is a usage error" 2 "$N2V" movielens --config "$TMP/bad.toml" --out "$TMP/cfg2"
[ ! -e "$TMP/cfg2" ] && ok "config errors write nothing" || bad "config errors write nothing"

finish
