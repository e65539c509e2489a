#!/usr/bin/env bash
# Create bench/.venv with the pinned Python benchmark dependencies (bench/requirements.txt).
# Idempotent: if the venv exists and already satisfies the pins (checked by a stamp holding
# the requirements' hash), it returns at once. Use --force to rebuild from scratch.
# Needs Python 3.11 (tensorflow-cpu 2.15.1 has no wheel for 3.12+); set PYTHON to override.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
req="$here/requirements.txt"
lock="$here/requirements-lock.txt"   # constraints: the full resolved set (pip freeze)
stamp="$venv/.requirements.sha256"
PYTHON="${PYTHON:-}"

if [[ "${1:-}" == "--force" ]]; then rm -rf "$venv"; fi

want="$(cat "$req" "$lock" 2>/dev/null | sha256sum | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "setup-venv: $venv is up to date"
  exit 0
fi

if [[ -z "$PYTHON" ]]; then
  for c in python3.11 python3; do
    if command -v "$c" >/dev/null 2>&1; then PYTHON="$c"; break; fi
  done
fi
ver="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if [[ "$ver" != "3.11" ]]; then
  echo "setup-venv: warning: $PYTHON is Python $ver; the pins target 3.11 (tensorflow-cpu 2.15.1)" >&2
fi

if [[ ! -x "$venv/bin/python" ]]; then
  echo "setup-venv: creating $venv with $PYTHON ($ver)"
  "$PYTHON" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip wheel
echo "setup-venv: installing $(grep -cv '^\s*\(#\|$\)' "$req") pinned packages (tensorflow is large; minutes on first run)"
cons=()
[[ -f "$lock" ]] && cons=(-c "$lock")
"$venv/bin/python" -m pip install --quiet --progress-bar off -r "$req" "${cons[@]}"
"$venv/bin/python" - <<'PY'
import tensorflow as tf, keras, numpy, pandas, networkx, sklearn, gensim, pecanpy
print("setup-venv: tensorflow", tf.__version__, "keras", keras.__version__, "numpy", numpy.__version__)
PY
echo "$want" > "$stamp"
echo "setup-venv: done"
