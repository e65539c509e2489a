#!/usr/bin/env bash
# ctest python_suite: the pytest suite, run in the environment scripts/setup-python made (the
# package installed there with `pip install .`), against this build's CLI.
# Usage: run_pytest.sh <venv> <n2v CLI> [pytest args...]
# Exit 77 (ctest SKIP) when the environment is missing (scripts/setup ran with N2V_PYTHON=0).
set -u
venv=$1
cli=$2
shift 2
if [[ ! -x "$venv/bin/python" ]]; then
  echo "SKIPPED: no Python environment $venv (scripts/setup-python makes it)"
  exit 77
fi
cd "$(dirname "$0")" || exit 1
N2V_CLI=$cli exec "$venv/bin/python" -m pytest -q -p no:cacheprovider "$@" .
