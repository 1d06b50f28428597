#!/usr/bin/env bash
# Builds the terminal's Debian package for each architecture given (default: amd64):
#   scripts/package-deb.sh [--quick] [amd64] [arm64]
# --quick builds with the unoptimised `package-check` profile (the test suite's check of the
# package's contents); without it, the release build that goes on terminals.
# -> target/debian/legal-kiosk_<version>_<arch>.deb, checked with scripts/check-deb.sh.
# The package holds the kiosk build (`kiosk` feature, release), its systemd unit, udev
# rules, default configuration and user; see [package.metadata.deb] in Cargo.toml and
# provisioning/deploy/terminal/. cargo-deb comes from crates.io into target/tools.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo_deb_version=3.8.0
tools="$PWD/target/tools"

profile=(--profile release)
if [ "${1:-}" = --quick ]; then
  profile=(--profile package-check)
  shift
fi
[ $# -eq 0 ] && set -- amd64
scripts/install-deps.sh package kiosk
if ! "$tools/bin/cargo-deb" --version 2>/dev/null | grep -qF "$cargo_deb_version"; then
  echo "Installing cargo-deb $cargo_deb_version from crates.io into $tools"
  cargo install cargo-deb --version "$cargo_deb_version" --locked --root "$tools"
fi
export PATH="$tools/bin:$PATH"
mkdir -p target/debian

for arch in "$@"; do
  rm -f target/debian/legal-kiosk_*_"$arch".deb
  start=$(date +%s)
  case "$arch" in
    amd64)
      # This machine's own architecture: the usual target/release build; cargo-deb strips.
      cargo deb -p legal-kiosk "${profile[@]}" --output target/debian/
      ;;
    arm64)
      scripts/install-deps.sh cross
      rustup target list --installed | grep -qx aarch64-unknown-linux-gnu \
        || rustup target add aarch64-unknown-linux-gnu
      # The cross environment strips while linking: the host's strip cannot read arm64.
      (
        # shellcheck source=scripts/cross-env.sh
        . scripts/cross-env.sh
        cargo deb -p legal-kiosk "${profile[@]}" --target aarch64-unknown-linux-gnu --no-strip --output target/debian/
      )
      ;;
    *) echo "package-deb: unknown architecture $arch (use amd64 or arm64)" >&2; exit 2 ;;
  esac
  echo "package-deb: $arch built in $(( $(date +%s) - start )) s"
done
ls -l target/debian/*.deb
