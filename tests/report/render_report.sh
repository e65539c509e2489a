#!/usr/bin/env bash
# Renders a report.html in headless Chromium: a screenshot to look at, and a DOM dump that must
# hold the loss curve (id="loss-curve" with a non-empty points attribute) and the degree histogram.
# Usage: render_report.sh <report.html> <out.png>
# Exit 0: rendered and checked; 1: check failed; 2: usage; 77: Chromium unavailable (ctest SKIP).
set -u

if [[ $# -ne 2 ]]; then
  echo "usage: $0 <report.html> <out.png>" >&2
  exit 2
fi
html=$(realpath "$1")
png=$(realpath -m "$2")
[[ -f "$html" ]] || { echo "FAIL: $1: no such file" >&2; exit 1; }

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

dom=$(timeout 120 "$browser" "${flags[@]}" --dump-dom "$url" 2>/dev/null)
curve=$(grep -o '<polyline[^>]*id="loss-curve"[^>]*>' <<<"$dom" | head -n1)
if [[ -z "$curve" ]]; then
  echo "FAIL: the rendered DOM has no polyline id=\"loss-curve\"" >&2
  exit 1
fi
if ! grep -Eq ' points="[^"]*[0-9]' <<<"$curve"; then
  echo "FAIL: the loss curve has an empty points attribute: $curve" >&2
  exit 1
fi
if ! grep -q 'id="degree-histogram"' <<<"$dom"; then
  echo "FAIL: the rendered DOM has no id=\"degree-histogram\"" >&2
  exit 1
fi
echo "OK: rendered $html -> $png ($(stat -c %s "$png") bytes) with $browser"
