#!/usr/bin/env bash
# Longer power-loss runs than `cargo test` does: the kiosk's ticket path and the registry's
# event ingest on a file system that keeps only what was fsynced (tests/lazyfs, FUSE; needs
# root and /dev/fuse), with many cuts at random moments.
# Usage: scripts/power-loss.sh [CUTS]   (default 200 cuts for each)
# A failure prints its seed; LEGAL_KIOSK_POWER_SEED / KIOSK_REGISTRY_POWER_SEED repeat it.
set -euo pipefail
cd "$(dirname "$0")/.."
cuts="${1:-200}"
LEGAL_KIOSK_POWER_CUTS="$cuts" nice -n 10 \
  cargo test -p legal-kiosk --test power_loss -- --nocapture
KIOSK_REGISTRY_POWER_CUTS="$cuts" nice -n 10 \
  cargo test -p kiosk-registry --test power_loss -- --nocapture
