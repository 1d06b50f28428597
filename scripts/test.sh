#!/usr/bin/env bash
# Installs what is missing and runs the whole test suite: formatting, every crate's tests
# (headless UI, simulators over pseudo-terminals, the registry on 127.0.0.1), clippy, and
# the terminal's Debian package (built, then its contents checked).
# `scripts/test.sh --arm64` also cross-builds the arm64 firmware (a full Slint build for
# arm64: too long for every CI run on a two-core machine; see scripts/cross-build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
# No incremental caches: a CI run builds once, and for ~60 test binaries that link Slint the
# caches are many gigabytes (a CI run once ran out of disk in clippy).
export CARGO_INCREMENTAL=0
# What the build takes on disk, after each stage: the first thing to read when a run fails
# with "No space left on device".
disk() { echo "test.sh: after $1: $(du -sh target 2>/dev/null | cut -f1) in target, $(df -h --output=avail . | tail -1 | tr -d ' ') free"; }
arm64=false
for arg in "$@"; do
  case "$arg" in
    --arm64) arm64=true ;;
    *) echo "test.sh: unknown argument $arg (use --arm64)" >&2; exit 2 ;;
  esac
done
scripts/install-deps.sh test
cargo fmt --all -- --check
cargo test --workspace
disk "cargo test"
# The registry's whole suite again on PostgreSQL 15 (a throwaway cluster on a Unix socket,
# one database per test): every guarantee must hold on both stores.
scripts/with-postgres.sh scripts/registry-tests.sh
# The queue pages in headless Chromium (ignored by a plain `cargo test`: they need
# Chromium and npm packages that `install-deps.sh test` brings). One test at a time: Chromium and the kiosk share two cores in CI.
# `--workspace`, as everywhere here: `-p legal-kiosk` alone unifies features differently and
# builds every dependency, Slint included, a second time (time and gigabytes).
cargo test --workspace --test queue_browser -- --ignored --test-threads=1
# The operations centre's console in headless Chromium against the registry and kiosk-sim
# terminals; screenshots land in target/screenshots/console/.
cargo test --workspace --test ops_browser -- --ignored --test-threads=1
disk "browser tests"
cargo clippy --workspace --all-targets -- -D warnings
disk clippy
# Every fuzz target for a few seconds (the corpora also replay in `cargo test` above);
# scripts/fuzz.sh runs the 10-minute campaigns.
(cd fuzz && cargo fmt -- --check)
scripts/fuzz.sh --smoke
scripts/package-deb.sh --quick amd64
scripts/check-deb.sh target/debian/legal-kiosk_*_amd64.deb amd64
disk "package build"
if $arm64; then
  scripts/cross-build.sh
fi
echo "All tests passed."
