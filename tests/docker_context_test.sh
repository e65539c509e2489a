#!/usr/bin/env bash
# The container recipe names the source folders it copies by hand: every folder the top-level
# CMakeLists.txt globs sources from (and cmake/, which it configures from) must be COPY'd by
# docker/Dockerfile, or a new folder would silently break the image's build.
# Usage: docker_context_test.sh SOURCE_DIR
set -euo pipefail
SRC=$1
mapfile -t dirs < <(grep -oE '\$\{PROJECT_SOURCE_DIR\}/[a-z_]+/' "$SRC/CMakeLists.txt" |
                    sed -E 's#.*\}/##; s#/$##' | sort -u)
dirs+=(cmake include)
missing=0
for d in "${dirs[@]}"; do
  [ -d "$SRC/$d" ] || continue
  if ! grep -qE "^COPY $d/ $d/" "$SRC/docker/Dockerfile"; then
    echo "docker/Dockerfile does not COPY $d/, which CMakeLists.txt builds from" >&2
    missing=1
  fi
done
[ $missing -eq 0 ] || exit 1
echo "docker context: ${#dirs[@]} folders checked; 1 passed, 0 failed"
