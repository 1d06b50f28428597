#!/usr/bin/env bash
# Runs the registry's tests (its unit and integration test binaries) as the workspace's own
# build made them, from the registry's folder as `cargo test` does: `cargo test -p
# kiosk-registry` would build every dependency a second time with the registry's features
# alone. scripts/test.sh runs them again on PostgreSQL through scripts/with-postgres.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t bins < <(cargo test --workspace --no-run --message-format=json 2>/dev/null \
  | grep '"reason":"compiler-artifact"' | grep 'kiosk-registry@' \
  | grep '"profile":{[^}]*"test":true' \
  | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p')
if [ "${#bins[@]}" -eq 0 ]; then
  echo "registry-tests: no test binaries of kiosk-registry found" >&2
  exit 1
fi
cd provisioning/registry
failed=()
for bin in "${bins[@]}"; do
  echo "registry-tests: $(basename "$bin")"
  "$bin" || failed+=("$(basename "$bin")")
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "registry-tests: failed: ${failed[*]}" >&2
  exit 1
fi
