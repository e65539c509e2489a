#!/usr/bin/env bash
# n2v.Node2Vec against PecanPy (SparseOTF, PreComp), the node2vec package and PyTorch Geometric's
# Node2Vec (CPU), from Python, in one run on this machine. Sets up bench/.venv-py (the pinned
# peers of requirements.txt, PyTorch + PyG + pyg-lib with --pyg, and n2v by `pip install .`), then
# writes bench/results/python-compare-<date>.json and .md (compare.py, report.py).
# Usage: bench/python_compare/run.sh [--pyg] [-- compare.py args]
set -euo pipefail
cd "$(dirname "$0")/../.."
pyg=0
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --pyg) pyg=1 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "bench/python_compare/run.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
venv=bench/.venv-py
[[ -x $venv/bin/python ]] || python3 -m venv "$venv"
pip=("$venv/bin/python" -m pip --disable-pip-version-check -q)
"${pip[@]}" install -r bench/python_compare/requirements.txt
if ((pyg)); then
  # PyG 2.8's Node2Vec needs pyg-lib (>= 0.6), which is published on data.pyg.org only, not on
  # PyPI: give its wheel index in PYG_INDEX (e.g. https://data.pyg.org/whl/torch-2.8.0+cpu.html).
  "${pip[@]}" install torch torch-geometric
  "${pip[@]}" install pyg-lib ${PYG_INDEX:+-f "$PYG_INDEX"} ||
    echo "run.sh: pyg-lib not installable here; PyG's Node2Vec is reported as not installed" >&2
fi
"${pip[@]}" install scikit-build-core nanobind
"${pip[@]}" install --no-build-isolation --no-deps -Cbuild-dir=build/py-build .  # shares scripts/setup-python's build tree
stamp=$(date +%Y-%m-%d)
json=bench/results/python-compare-$stamp.json
"$venv/bin/python" bench/python_compare/compare.py --json "$json" "${extra[@]}"
"$venv/bin/python" bench/python_compare/report.py "$json" > "${json%.json}.md"
echo "bench/python_compare: wrote $json and ${json%.json}.md"
