#!/usr/bin/env bash
# The container's build context holds everything the binary is built from. docker/Dockerfile
# names the folders it copies by hand and .dockerignore keeps the rest out, so a new source
# folder would silently break the image's build. Three checks, without a Docker engine:
#  1. every folder the top-level CMakeLists.txt globs sources from (and cmake/, include/) has a
#     `COPY d/ d/` line in the Dockerfile's build stage;
#  2. the context the build stage sees (its COPY sources, less what .dockerignore excludes) holds
#     every source file this build compiled for the n2v binary and every project header those
#     objects included (the compile database and ninja's dependency log of BUILD_DIR);
#  3. CMake configures from that context alone with the image's options (no tests, no benches).
# Usage: docker_context_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
SRC=$(realpath "$1")
BUILD=$(realpath "$2")
passed=0
failed=0
check() {  # check NAME STATUS [DETAIL]
  if [ "$2" -eq 0 ]; then passed=$((passed + 1)); echo "ok   $1"; else failed=$((failed + 1)); echo "FAIL $1"; [ -n "${3:-}" ] && echo "$3"; fi
}

# 1. the folders CMakeLists.txt builds from, against the COPY lines
mapfile -t dirs < <(grep -oE '\$\{PROJECT_SOURCE_DIR\}/[a-z_]+/' "$SRC/CMakeLists.txt" |
                    sed -E 's#.*\}/##; s#/$##' | sort -u)
dirs+=(cmake include)
missing=""
for d in "${dirs[@]}"; do
  [ -d "$SRC/$d" ] || continue
  grep -qE "^COPY $d/ $d/" "$SRC/docker/Dockerfile" || missing+=" $d/"
done
check "the Dockerfile copies every folder CMakeLists.txt builds from (${dirs[*]})" \
      "$([ -z "$missing" ]; echo $?)" "     docker/Dockerfile does not COPY:$missing"

# 2. the build stage's context: COPY sources (before the runtime stage) less .dockerignore
CTX=$(mktemp -d)
trap 'rm -rf "$CTX"' EXIT
python3 - "$SRC" "$CTX" <<'PY'
import fnmatch, os, shutil, sys
src, ctx = sys.argv[1], sys.argv[2]
patterns = []
ignore = os.path.join(src, ".dockerignore")
if os.path.exists(ignore):
    for line in open(ignore):
        line = line.strip()
        if line and not line.startswith("#"):
            patterns.append((line.startswith("!"), line.lstrip("!").rstrip("/")))

def excluded(rel):
    # Docker's rule: the last pattern matching the path or one of its parent folders decides.
    parts = rel.split("/")
    out = False
    for negate, pat in patterns:
        if any(fnmatch.fnmatchcase("/".join(parts[:i]), pat) for i in range(1, len(parts) + 1)):
            out = not negate
    return out

stage = 0
for line in open(os.path.join(src, "docker", "Dockerfile")):
    words = line.split()
    if not words:
        continue
    if words[0] == "FROM":
        stage += 1
    if stage != 1 or words[0] != "COPY" or any(w.startswith("--from") for w in words):
        continue
    for s in words[1:-1]:
        s = s.rstrip("/") if s not in ("./", ".") else "."
        root = os.path.join(src, s)
        paths = [root] if os.path.isfile(root) else [os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs]
        for p in paths:
            rel = os.path.relpath(p, src)
            if excluded(rel):
                continue
            os.makedirs(os.path.dirname(os.path.join(ctx, rel)), exist_ok=True)
            shutil.copy2(p, os.path.join(ctx, rel))
PY
# The binary's objects: its own and those of the libraries it links (not tests, not benches).
objects_re='CMakeFiles/(n2v|n2v_frontend|n2v_cpu|n2v_engine|n2v_cuda)\.dir/'
files=$(python3 - "$BUILD/compile_commands.json" "$objects_re" <<'PY'
import json, re, sys
for e in json.load(open(sys.argv[1])):
    if re.search(sys.argv[2], e.get("output", "") + " " + e["command"]):
        print(e["file"])
PY
)
if command -v ninja >/dev/null 2>&1 && [ -f "$BUILD/build.ninja" ]; then
  files+=$'\n'$(ninja -C "$BUILD" -t deps 2>/dev/null | awk -v re="$objects_re" '
    /^[^ ]/ { keep = ($1 ~ re) } /^    / && keep { print $1 }')
fi
absent=""
count=0
while IFS= read -r f; do
  [ -n "$f" ] || continue
  case "$f" in /*) ;; *) f=$BUILD/$f ;; esac  # ninja writes paths relative to the build tree
  f=$(realpath -m "$f")
  case "$f" in "$SRC"/*) ;; *) continue ;; esac
  case "$f" in "$BUILD"/*) continue ;; esac  # generated in the build tree
  count=$((count + 1))
  rel=${f#"$SRC"/}
  [ -e "$CTX/$rel" ] || absent+=$'\n'"     $rel"
done < <(sort -u <<<"$files")
[ "$count" -gt 0 ] || { echo "FAIL no compiled sources found in $BUILD (is it a built tree?)"; exit 1; }
check "the image's context holds the $count project sources and headers the binary is built from" \
      "$([ -z "$absent" ]; echo $?)" "     missing from the build context (docker/Dockerfile COPY, .dockerignore):$absent"

# 3. CMake configures from the context alone, as the image's build stage does (CUDA off: the
# compile check above covers cuda/ when this build has it).
if cmake -S "$CTX" -B "$CTX/.build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DN2V_NATIVE=OFF \
     -DN2V_CUDA=OFF -DN2V_BUILD_TESTS=OFF -DN2V_BUILD_BENCH=OFF >"$CTX/configure.log" 2>&1; then
  check "CMake configures from the image's context alone" 0
else
  check "CMake configures from the image's context alone" 1 "$(tail -n 15 "$CTX/configure.log")"
fi
echo "docker context: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
