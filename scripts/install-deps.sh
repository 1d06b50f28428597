#!/usr/bin/env bash
# Installs the Debian 12 (or Raspberry Pi OS) packages legal-kiosk needs and are missing.
# Usage: scripts/install-deps.sh [build|run|test|kiosk|cross|package|fuzz]...  (default: build)
#   build    the desktop firmware and the tests' crates
#   run      build + what the desktop window loads at run time, and Xvfb
#   test     run + what scripts/test.sh needs (the terminal build and its .deb)
#   kiosk    build + the -dev packages of the terminal build (linuxkms + libinput)
#   cross    the arm64 cross toolchain and the :arm64 -dev packages (adds the arm64
#            architecture to dpkg), for scripts/cross-build.sh
#   package  what scripts/package-deb.sh needs besides cargo-deb (dpkg-shlibdeps)
#   fuzz     what scripts/fuzz.sh needs besides cargo-fuzz (a C++ compiler for libFuzzer)
#   rootfs   a throwaway Debian 12 root for scripts/update-rollback-test.sh (debootstrap)
# Idempotent: packages already installed are left alone; apt runs only when something is
# missing, through sudo when not root.
set -euo pipefail

host=(pkg-config gcc libc6-dev)
# Video calls (gstreamer-rs links these; -plugins-bad-dev provides gstreamer-webrtc-1.0.pc).
build=("${host[@]}" libfontconfig1-dev libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  libgstreamer-plugins-bad1.0-dev)
# The desktop window (winit) loads these at run time; Xvfb gives a display where there is none.
run=(libx11-6 libx11-xcb1 libxcursor1 libxi6 libxrandr2 libxkbcommon0 libxkbcommon-x11-0 xvfb xauth)
# The terminal: Slint's linuxkms backend links libinput, libudev and libxkbcommon.
kiosk=(libinput-dev libudev-dev libxkbcommon-dev)
# Debian's cross toolchain and the multiarch -dev packages of the terminal build; qemu-user
# runs the arm64 binary here for scripts/check-deb.sh.
cross=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
  libfontconfig1-dev:arm64 libinput-dev:arm64 libudev-dev:arm64 libxkbcommon-dev:arm64
  libgstreamer1.0-dev:arm64 libgstreamer-plugins-base1.0-dev:arm64
  libgstreamer-plugins-bad1.0-dev:arm64)
# cargo-deb computes the package's dependencies with dpkg-shlibdeps.
package=(dpkg-dev)
# libfuzzer-sys compiles libFuzzer's C++ sources.
fuzz=(g++)
# The update helper's install, upgrade and rollback with the real dpkg in a throwaway
# Debian 12 root (scripts/update-rollback-test.sh).
rootfs=(debootstrap dpkg-dev)
# Video calls at run time: webrtcbin, ICE (libnice), VP8/Opus, webrtcdsp, v4l2/pulse (good),
# ALSA (alsa).
run+=(gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-nice gstreamer1.0-alsa)
# Voice guidance: dynamic text (numbers, services) synthesised offline by espeak-ng (its
# cmn-latn-pinyin and ko voices) and played through GStreamer.
run+=(espeak-ng)
# The browser tests (the lawyer's console, the queue's counter, hall and ticket pages) in
# headless Chromium driven by playwright-core from npm (tests/browser);
# TURN through coturn, and loopback-only network namespaces for the video calls (unshare
# from util-linux, ip from iproute2). faketime: a terminal whose clock is days off
# (provisioning/registry/tests/terminal_safety.rs).
# The registry's suite runs a second time on a throwaway PostgreSQL 15 (postgresql-15 brings
# initdb and pg_ctl, run by scripts/with-postgres.sh as the package's `postgres` user;
# openssl makes its test CA and certificate for the TLS listener).
test=("${kiosk[@]}" "${package[@]}" "${fuzz[@]}" chromium coturn iproute2 faketime postgresql-15
  openssl)

want=()
[ $# -eq 0 ] && set -- build
for group in "$@"; do
  case "$group" in
    build) want+=("${build[@]}") ;;
    run) want+=("${build[@]}" "${run[@]}") ;;
    test) want+=("${build[@]}" "${run[@]}" "${test[@]}") ;;
    kiosk) want+=("${build[@]}" "${kiosk[@]}") ;;
    # Only the host's compilers: the native GStreamer -dev packages cannot be installed
    # beside their :arm64 twins.
    cross) want+=("${host[@]}" "${cross[@]}") ;;
    package) want+=("${package[@]}") ;;
    fuzz) want+=("${host[@]}" "${fuzz[@]}") ;;
    rootfs) want+=("${rootfs[@]}") ;;
    *) echo "install-deps: unknown group $group (use build, run, test, kiosk, cross, package, fuzz or rootfs)" >&2; exit 2 ;;
  esac
done

install_node_modules() {
  # playwright-core drives Debian's chromium; it downloads no browser of its own. One
  # browser suite (tests/browser) drives the lawyer's console and the queue pages.
  local root dir
  root="$(cd "$(dirname "$0")/.." && pwd)"
  for dir in "$root/tests/browser"; do
    if [ -f "$dir/package.json" ] && [ ! -d "$dir/node_modules/playwright-core" ]; then
      echo "Installing npm packages in ${dir#"$root"/}"
      (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent)
    fi
  done
}

# Installed for the architecture asked for (this machine's unless the name says :arm64), or
# for all. Debian 12's GStreamer plugins -dev packages are not co-installable across
# architectures: the cross group replaces the native ones with :arm64 and the build group
# puts the native ones back, so a bare name must not count an :arm64 copy as installed.
native=$(dpkg --print-architecture)
installed() {
  local name="${1%%:*}" arch="$native"
  [[ "$1" == *:* ]] && arch="${1##*:}"
  dpkg-query -W -f='${Status} ${Architecture}\n' "$name" 2>/dev/null \
    | grep -qE "^install ok installed ($arch|all)\$"
}
missing=()
for pkg in "${want[@]}"; do
  if ! installed "$pkg"; then
    missing+=("$pkg")
  fi
done
wants_test=false
for group in "$@"; do [ "$group" = test ] && wants_test=true; done
# Node.js may come from Debian (nodejs + npm) or be preinstalled with its own npm.
if $wants_test && ! command -v npm >/dev/null; then missing+=(nodejs npm); fi
if [ ${#missing[@]} -eq 0 ]; then
  if $wants_test; then install_node_modules; fi
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
# :arm64 packages need the architecture known to dpkg (multiarch).
if printf '%s\n' "${missing[@]}" | grep -q ':arm64$' && ! dpkg --print-foreign-architectures | grep -qx arm64; then
  echo "Adding the arm64 architecture to dpkg (multiarch) for the cross build"
  "${sudo[@]}" dpkg --add-architecture arm64
fi
echo "Installing Debian packages: ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
if $wants_test; then install_node_modules; fi
