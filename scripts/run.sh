#!/usr/bin/env bash
# Installs what is missing, builds the kiosk and runs it in a desktop window with a simulated
# printer. Extra arguments go to legal-kiosk (e.g. --config config/example.toml).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh run
cargo build --release --bin legal-kiosk
# The UI is laid out for a 1080×1920 kiosk panel; half size fits a desktop screen.
export SLINT_SCALE_FACTOR="${SLINT_SCALE_FACTOR:-0.5}"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No display here: running the kiosk on a virtual X display (Xvfb). Tickets still print"
  echo "to this console; use 'target/release/legal-kiosk screenshot' to see the screens."
  exec xvfb-run -a -s "-screen 0 1280x1024x24" target/release/legal-kiosk "$@"
fi
exec target/release/legal-kiosk "$@"
