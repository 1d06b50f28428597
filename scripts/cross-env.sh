# Environment for building the terminal firmware for arm64 on an x86-64 Debian 12 machine
# with Debian's cross toolchain (gcc-aarch64-linux-gnu) and multiarch :arm64 libraries.
# Sourced by scripts/cross-build.sh and scripts/package-deb.sh; the packages come from
# `scripts/install-deps.sh cross`.

# Link with the cross gcc (it searches the multiarch /usr/lib/aarch64-linux-gnu).
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
# C code built by crates (SQLite for rusqlite) for the target.
export CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc
export AR_aarch64_unknown_linux_gnu=aarch64-linux-gnu-ar
# pkg-config for the target's libraries (fontconfig, libudev): Debian's cross wrapper.
export PKG_CONFIG_aarch64_unknown_linux_gnu=aarch64-linux-gnu-pkg-config
# Strip while linking, with the target's linker: the host's strip cannot read arm64 files.
export CARGO_PROFILE_RELEASE_STRIP=symbols
