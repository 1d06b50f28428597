#!/usr/bin/env bash
# Counts repeated code in the product files (issue 13's measure): the tracked sources of the
# given revision (default: the working tree) without tests, fuzz targets and benchmarks,
# read by the `duplicates` tool (places sharing 6+ lines, the same or of the same shape).
# Usage: scripts/product-duplicates.sh [REV] [--most N]
set -euo pipefail
cd "$(dirname "$0")/.."
rev=""
most=200
while [ $# -gt 0 ]; do
  case "$1" in
    --most) most="$2"; shift 2 ;;
    *) rev="$1"; shift ;;
  esac
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -n "$rev" ]; then
  git archive "$rev" | tar -x -C "$tmp"
else
  git ls-files -z | xargs -0 -I{} cp --parents {} "$tmp" 2>/dev/null || true
fi
cd "$tmp"
find . -type f | grep -E '/(tests|fuzz|benches)/|tests\.rs$|_tests\.rs$|/fuzz\.rs$' | xargs -r rm -f
find . -type f ! -regex '.*\.\(rs\|slint\|mjs\|js\|sh\|html\|sql\)$' -delete
duplicates --repo . --most "$most" --seconds 180
