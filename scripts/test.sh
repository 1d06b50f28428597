#!/usr/bin/env bash
# Installs what is missing and runs the whole test suite: formatting, every crate's tests
# (headless UI, simulators over pseudo-terminals, the registry on 127.0.0.1) and clippy.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh test browser
cargo fmt --all -- --check
cargo test --workspace
# The queue pages in headless Chromium (ignored by a plain `cargo test`: they need the
# browser group). One test at a time: Chromium and the kiosk share two cores in CI.
cargo test -p legal-kiosk --test queue_browser -- --ignored --test-threads=1
cargo clippy --workspace --all-targets -- -D warnings
echo "All tests passed."
