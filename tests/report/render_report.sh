#!/usr/bin/env bash
# Renders a report.html in headless Chromium: a screenshot to look at, and a DOM dump (taken after
# the page's script ran) that must hold what the checks name.
# Usage: render_report.sh <report.html> <out.png> [check ...]
#   --loss-curve   a polyline id="loss-curve" with a non-empty points attribute
#   --id ID        an element with id="ID"
#   --points N     the embedding map's canvas drew exactly N points (its data-points attribute)
#   --no-map       no embedding map canvas
#   --cells N      exactly N heat-map cells (class="heat-cell")
# No check given: --loss-curve --id degree-histogram (the MovieLens-like sample of report_test).
# Exit 0: rendered and checked; 1: check failed; 2: usage; 77: Chromium unavailable (ctest SKIP).
set -u

if [[ $# -lt 2 ]]; then
  echo "usage: $0 <report.html> <out.png> [--loss-curve] [--id ID] [--points N] [--no-map] [--cells N]" >&2
  exit 2
fi
html=$(realpath "$1")
png=$(realpath -m "$2")
shift 2
checks=("$@")
[[ ${#checks[@]} -gt 0 ]] || checks=(--loss-curve --id degree-histogram)
[[ -f "$html" ]] || { echo "FAIL: $html: no such file" >&2; exit 1; }

skip() { echo "SKIPPED: chromium not available ($1)"; exit 77; }

find_chromium() {
  for c in chromium chromium-browser google-chrome google-chrome-stable; do
    if command -v "$c" >/dev/null 2>&1; then command -v "$c"; return 0; fi
  done
  return 1
}

browser=$(find_chromium)
if [[ -z "$browser" ]]; then
  [[ $(id -u) -eq 0 ]] || skip "not installed, and not root to apt-get install it"
  command -v apt-get >/dev/null 2>&1 || skip "not installed, and no apt-get"
  echo "chromium not found; trying apt-get install -y chromium" >&2
  if ! DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y chromium >/dev/null 2>&1; then
    skip "not installed, and apt-get install -y chromium failed"
  fi
  browser=$(find_chromium) || skip "apt-get install -y chromium left no chromium binary"
fi

# --no-sandbox: CI containers run as root, where Chromium's sandbox refuses to start.
# --disable-dev-shm-usage: container /dev/shm is often 64 MiB, too small for the renderer.
# A private profile directory keeps runs independent of each other and of any user profile.
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars
       --no-first-run --user-data-dir="$profile" --window-size=1200,1800)
url="file://$html"

mkdir -p "$(dirname "$png")"
rm -f "$png"
timeout 120 "$browser" "${flags[@]}" --screenshot="$png" "$url" >/dev/null 2>&1
if [[ ! -s "$png" ]]; then
  echo "FAIL: no screenshot written to $png" >&2
  exit 1
fi

start=$(date +%s%N)
dom=$(timeout 120 "$browser" "${flags[@]}" --dump-dom "$url" 2>/dev/null)
wall_ms=$(( ($(date +%s%N) - start) / 1000000 ))
fail() { echo "FAIL: $html: $1" >&2; exit 1; }
canvas=$(grep -o '<canvas[^>]*id="embedding-map"[^>]*>' <<<"$dom" | head -n1)
i=0
while [[ $i -lt ${#checks[@]} ]]; do
  c=${checks[$i]}
  case "$c" in
    --loss-curve)
      curve=$(grep -o '<polyline[^>]*id="loss-curve"[^>]*>' <<<"$dom" | head -n1)
      [[ -n "$curve" ]] || fail "the rendered DOM has no polyline id=\"loss-curve\""
      grep -Eq ' points="[^"]*[0-9]' <<<"$curve" || fail "the loss curve has an empty points attribute: $curve"
      ;;
    --id)
      i=$((i + 1)); id=${checks[$i]}
      grep -q "id=\"$id\"" <<<"$dom" || fail "the rendered DOM has no id=\"$id\""
      ;;
    --points)
      i=$((i + 1)); want=${checks[$i]}
      [[ -n "$canvas" ]] || fail "the rendered DOM has no canvas id=\"embedding-map\""
      got=$(grep -o 'data-points="[0-9]*"' <<<"$canvas" | grep -o '[0-9]\+')
      [[ -n "$got" ]] || fail "the map's script did not run (no data-points on the canvas): $canvas"
      [[ "$got" == "$want" ]] || fail "the map drew $got points, expected $want"
      ;;
    --no-map)
      [[ -z "$canvas" ]] || fail "expected no embedding map, found $canvas"
      ;;
    --cells)
      i=$((i + 1)); want=${checks[$i]}
      got=$(grep -o 'class="heat-cell"' <<<"$dom" | wc -l)
      [[ "$got" == "$want" ]] || fail "the heat maps have $got cells, expected $want"
      ;;
    *) echo "usage: unknown check $c" >&2; exit 2 ;;
  esac
  i=$((i + 1))
done
render=$(grep -o 'data-render-ms="[0-9.]*"' <<<"$canvas" | grep -o '[0-9.]\+' || true)
echo "OK: rendered $html -> $png ($(stat -c %s "$png") bytes) with $browser;" \
     "page $(stat -c %s "$html") bytes, DOM dump ${wall_ms} ms${render:+, map drawn in $render ms}"
