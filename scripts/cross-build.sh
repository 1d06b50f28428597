#!/usr/bin/env bash
# Builds the terminal firmware (Slint linuxkms + libinput, the `kiosk` feature) for arm64
# (aarch64-unknown-linux-gnu: Raspberry Pi 4/5 with a 64-bit OS) on an x86-64 Debian 12
# machine, with Debian's cross toolchain and multiarch :arm64 -dev packages.
#
# Usage: scripts/cross-build.sh [--release]
# The binary lands in target/aarch64-unknown-linux-gnu/{debug,release}/legal-kiosk; for a
# .deb use scripts/package-deb.sh arm64. A clean build compiles all of Slint for arm64:
# several minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
target=aarch64-unknown-linux-gnu

scripts/install-deps.sh cross
if ! rustup target list --installed | grep -qx "$target"; then
  # Rust's standard library for the target, from static.rust-lang.org.
  rustup target add "$target"
fi
# shellcheck source=scripts/cross-env.sh
. scripts/cross-env.sh

profile=debug
args=()
for arg in "$@"; do
  case "$arg" in
    --release) profile=release; args+=(--release) ;;
    *) echo "cross-build: unknown argument $arg (use --release)" >&2; exit 2 ;;
  esac
done

start=$(date +%s)
cargo build -p legal-kiosk --bin legal-kiosk --target "$target" \
  --no-default-features --features kiosk "${args[@]}"
binary="target/$target/$profile/legal-kiosk"
echo "built $binary in $(( $(date +%s) - start )) s:"
file "$binary" 2>/dev/null || true
# The shared libraries it needs on the terminal.
aarch64-linux-gnu-readelf -d "$binary" | awk '/NEEDED/ { print "  needs", $NF }'
