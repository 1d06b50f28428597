#!/usr/bin/env bash
# Installs python-escpos into a virtualenv under the target folder, for the printer encoding
# benchmark's comparison (hardware/benches/printer_encode.rs). Needs python3 with venv
# (Debian: python3-venv). Prints the interpreter path.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv="${CARGO_TARGET_DIR:-$root/target}/python-escpos"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "python-escpos==3.1"
echo "$venv/bin/python"
