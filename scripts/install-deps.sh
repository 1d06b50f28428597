#!/usr/bin/env bash
# Installs the Debian 12 (or Raspberry Pi OS) packages legal-kiosk needs and are missing.
# Usage: scripts/install-deps.sh [build|run|test|browser]...  (default: build)
# Idempotent: packages already installed are left alone; apt runs only when something is
# missing, through sudo when not root.
set -euo pipefail

build=(pkg-config gcc libc6-dev libfontconfig1-dev)
# The desktop window (winit) loads these at run time; Xvfb gives a display where there is none.
run=(libx11-6 libx11-xcb1 libxcursor1 libxi6 libxrandr2 libxkbcommon0 libxkbcommon-x11-0 xvfb xauth)
test=()
# The queue's counter, hall and ticket pages in headless Chromium, driven by playwright-core
# from npm (tests/queue_browser/package.json; it downloads no browser of its own).
browser=(chromium)

want=()
[ $# -eq 0 ] && set -- build
for group in "$@"; do
  case "$group" in
    build) want+=("${build[@]}") ;;
    run) want+=("${build[@]}" "${run[@]}") ;;
    test) want+=("${build[@]}" "${run[@]}" "${test[@]}") ;;
    browser) want+=("${browser[@]}") ;;
    *) echo "install-deps: unknown group $group (use build, run, test or browser)" >&2; exit 2 ;;
  esac
done

wants_browser=false
for group in "$@"; do [ "$group" = browser ] && wants_browser=true; done

queue_browser_modules() {
  local dir
  dir="$(cd "$(dirname "$0")/.." && pwd)/tests/queue_browser"
  if [ ! -d "$dir/node_modules/playwright-core" ]; then
    echo "Installing npm packages in tests/queue_browser"
    (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent)
  fi
}

missing=()
# Node.js may come from Debian (nodejs + npm) or be preinstalled with its own npm.
if $wants_browser && ! command -v npm >/dev/null; then missing+=(nodejs npm); fi
for pkg in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  if $wants_browser; then queue_browser_modules; fi
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
echo "Installing Debian packages: ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
if $wants_browser; then queue_browser_modules; fi
