#!/usr/bin/env bash
# Installs the Debian 12 (or Raspberry Pi OS) packages legal-kiosk needs and are missing.
# Usage: scripts/install-deps.sh [build|run|test]...  (default: build)
# Idempotent: packages already installed are left alone; apt runs only when something is
# missing, through sudo when not root.
set -euo pipefail

build=(pkg-config gcc libc6-dev libfontconfig1-dev)
# The desktop window (winit) loads these at run time; Xvfb gives a display where there is none.
run=(libx11-6 libx11-xcb1 libxcursor1 libxi6 libxrandr2 libxkbcommon0 libxkbcommon-x11-0 xvfb xauth)
test=()

want=()
[ $# -eq 0 ] && set -- build
for group in "$@"; do
  case "$group" in
    build) want+=("${build[@]}") ;;
    run) want+=("${build[@]}" "${run[@]}") ;;
    test) want+=("${build[@]}" "${run[@]}" "${test[@]}") ;;
    *) echo "install-deps: unknown group $group (use build, run or test)" >&2; exit 2 ;;
  esac
done

missing=()
for pkg in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
echo "Installing Debian packages: ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
