#!/usr/bin/env bash
# `cmake --install` of the build tree into a temporary prefix, then a consumer project configured
# with find_package(n2v), built and run on a small weighted graph: a broken install (a header or
# library left out, a dependency the package config does not find) fails here.
# Usage: run_install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
BUILD=$1
SRC=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cmake --install "$BUILD" --prefix "$TMP/prefix" >/dev/null
for f in include/n2v/n2v.hpp include/n2v/options.hpp include/n2v/core/walk.hpp \
         lib/cmake/n2v/n2vConfig.cmake bin/n2v; do
  [ -e "$TMP/prefix/$f" ] || { echo "install: $f missing" >&2; exit 1; }
done
GEN=()
command -v ninja >/dev/null && GEN=(-G Ninja)
cmake -S "$SRC/tests/install/consumer" -B "$TMP/consumer" "${GEN[@]}" \
      -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$TMP/prefix" >"$TMP/configure.log" 2>&1 ||
  { cat "$TMP/configure.log" >&2; exit 1; }
cmake --build "$TMP/consumer" >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log" >&2; exit 1; }
python3 - "$TMP/g.edges" <<'PY'
import random, sys
rnd = random.Random(1)
with open(sys.argv[1], "w") as f:
    for u in range(200):
        for _ in range(4):
            f.write(f"n{u} n{rnd.randrange(200)} {rnd.uniform(0.5, 2):.3f}\n")
PY
out=$("$TMP/consumer/consumer" "$TMP/g.edges")
nodes=$(cut -d' ' -f1,2 "$TMP/g.edges" | tr ' ' '\n' | sort -u | wc -l)
[ "$out" = "$nodes 64 $nodes" ] || { echo "consumer printed '$out', expected '$nodes 64 $nodes'" >&2; exit 1; }
# A bad input is the library's error, through the consumer, exit 2.
set +e
err=$("$TMP/consumer/consumer" "$TMP/missing.edges" 2>&1)
rc=$?
set -e
[ $rc -eq 2 ] && [[ $err == *missing.edges* ]] || { echo "bad input: exit $rc, '$err'" >&2; exit 1; }
echo "install test: 1 passed (consumer printed '$out')"
