# Shared set-up and checks of the end-to-end CLI scripts (run_cli_tests.sh, run_train_tests.sh).
# Sourced with the script's arguments: <n2v binary> <source dir>. Sets N2V, SRC, DATA and a
# scratch TMP removed at exit; the checks count into pass/fail, and `finish` prints
# "N passed, N failed" and returns non-zero on any failure.
set -u
N2V=$1
SRC=$2
DATA="$SRC/data/ml-latest-small"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && echo "     $2"; }
# expect_exit NAME CODE CMD... : runs CMD, checks its exit code; output in $TMP/out, $TMP/err.
expect_exit() {
  local name=$1 code=$2
  shift 2
  "$@" >"$TMP/out" 2>"$TMP/err"
  local rc=$?
  if [ "$rc" -eq "$code" ]; then ok "$name"; else bad "$name" "exit $rc, expected $code: $(head -c 400 "$TMP/err")"; fi
}
expect_grep() {  # expect_grep NAME FILE REGEX
  if grep -qE -- "$3" "$2"; then ok "$1"; else bad "$1" "no /$3/ in $(head -c 300 "$2")"; fi
}
no_tmp_files() {  # no_tmp_files NAME DIR: no AtomicFileWriter temporaries left in DIR
  if ls -a "$2" | grep -q '\.tmp\.'; then bad "$1" "$(ls -a "$2")"; else ok "$1"; fi
}
finish() {
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
