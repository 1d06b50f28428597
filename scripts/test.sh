#!/usr/bin/env bash
# Installs what is missing and runs the whole test suite: formatting, every crate's tests
# (headless UI, simulators over pseudo-terminals, the registry on 127.0.0.1) and clippy.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh test
cargo fmt --all -- --check
cargo test --workspace
cargo clippy --workspace --all-targets -- -D warnings
echo "All tests passed."
