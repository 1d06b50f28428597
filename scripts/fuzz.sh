#!/usr/bin/env bash
# Fuzzes every parser that takes bytes from outside (the targets in fuzz/; cargo-fuzz with
# libFuzzer, on stable Rust without sanitizers: `-s none`).
#
# Usage: scripts/fuzz.sh [--seconds N] [--smoke] [--kiosk] [TARGET...]
#   (no target)    every target, one after another, 600 s each
#   --seconds N    N seconds per target (or FUZZ_SECONDS=N)
#   --smoke        5 s per target: what scripts/test.sh runs in CI
#   --kiosk        include the targets in the firmware crate itself (queue API, legal-aid
#                  answers); they build all of Slint and GStreamer instrumented, which takes
#                  too long for CI (see fuzz/README.md)
# Prints executions and crashes per target and exits non-zero if any target crashed; a
# crashing input is left in fuzz/artifacts/<target>/ (copy it to fuzz/regressions/<target>/
# with the fix, so that `cargo test` replays it). New inputs the fuzzer finds go to
# fuzz/target/corpus/<target>/, not to the committed corpus in fuzz/corpus/<target>/.
# The fuzzer runs under `nice -n 15` (FUZZ_NICE): the machine is shared.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

seconds="${FUZZ_SECONDS:-600}"
kiosk=false
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift ;;
    --smoke) seconds=5 ;;
    --kiosk) kiosk=true ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1") ;;
  esac
  shift
done

scripts/install-deps.sh fuzz
# cargo-fuzz from crates.io into target/tools, pinned.
tools="$root/target/tools"
cargo_fuzz_version=0.13.2
if ! "$tools/bin/cargo-fuzz" --version 2>/dev/null | grep -qF "$cargo_fuzz_version"; then
  echo "Installing cargo-fuzz $cargo_fuzz_version from crates.io into $tools"
  cargo install cargo-fuzz --version "$cargo_fuzz_version" --locked --root "$tools"
fi
export PATH="$tools/bin:$PATH"

# Targets that need the firmware crate (`required-features = ["kiosk"]` in fuzz/Cargo.toml).
kiosk_targets=$(awk '/^\[\[bin\]\]/ {name=""} /^name = / {gsub(/"/, "", $3); name=$3}
  /^required-features = .*kiosk/ {print name}' fuzz/Cargo.toml)
is_kiosk() { grep -qx "$1" <<<"$kiosk_targets"; }

if [ ${#targets[@]} -eq 0 ]; then
  while read -r t; do
    if $kiosk || ! is_kiosk "$t"; then targets+=("$t"); fi
  done < <(cd fuzz && cargo fuzz list)
fi
features=()
for t in "${targets[@]}"; do
  if is_kiosk "$t"; then kiosk=true; fi
done
# The firmware's targets build in a folder of their own: the feature changes the features of
# shared dependencies, and one folder for both would rebuild them at every switch.
if $kiosk; then features=(--features kiosk --target-dir target/kiosk); fi

cd fuzz
echo "Building the fuzz targets (instrumented, release with debug assertions)"
start=$(date +%s)
nice -n "${FUZZ_NICE:-15}" cargo fuzz build -s none -O "${features[@]}"
echo "Built in $(( $(date +%s) - start )) s"

report=()
failed=0
for t in "${targets[@]}"; do
  mkdir -p "target/corpus/$t" "corpus/$t" "artifacts/$t"
  before=$(find "artifacts/$t" -type f | wc -l)
  log="target/fuzz-$t.log"
  echo "Fuzzing $t for $seconds s"
  status=0
  nice -n "${FUZZ_NICE:-15}" cargo fuzz run -s none -O "${features[@]}" "$t" \
    "target/corpus/$t" "corpus/$t" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    >"$log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  crashes=$(( $(find "artifacts/$t" -type f | wc -l) - before ))
  if [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ]; then crashes=1; fi
  if [ "$crashes" -ne 0 ]; then
    failed=1
    tail -40 "$log" >&2
  fi
  report+=("$(printf '%-20s %8s s %14s executions %10s/s %3s crashes' "$t" "$seconds" \
    "${execs:-?}" "$(( ${execs:-0} / (seconds > 0 ? seconds : 1) ))" "$crashes")")
done

echo
echo "Fuzzing report ($(nproc) cores, $(uname -m)):"
printf '%s\n' "${report[@]}"
if [ "$failed" -ne 0 ]; then
  echo "A fuzz target crashed: see fuzz/artifacts/ and the logs in fuzz/target/." >&2
  exit 1
fi
