#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL 15: a cluster made with initdb in a temporary
# folder, listening only on a Unix socket in that folder (no TCP port to collide with), with
# fsync off (a test cluster is thrown away), stopped and deleted when the command ends.
# The command finds it in KIOSK_TEST_PG (a postgres:// URL to the `postgres` database; the
# registry's tests make one database per test beside it) and KIOSK_TEST_STORE=postgres.
#   scripts/with-postgres.sh scripts/registry-tests.sh
# initdb and postgres refuse to run as root: as root the cluster belongs to the `postgres`
# user of Debian's package (scripts/install-deps.sh test installs it).
set -euo pipefail
bin=/usr/lib/postgresql/15/bin
if [ ! -x "$bin/initdb" ]; then
  echo "with-postgres: $bin/initdb missing; run scripts/install-deps.sh test" >&2
  exit 2
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/kiosk-pg.XXXXXX")
port=5432
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$dir"
  chmod 0755 "$dir"
  as_owner=(runuser -u postgres --)
fi
stop() {
  "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
"${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 \
  --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
"${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o \
  "-k $dir -c listen_addresses='' -p $port -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=500" \
  start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
# The socket folder percent-encoded as the URL's host.
host=$(printf %s "$dir" | sed 's|/|%2F|g')
export KIOSK_TEST_PG="postgresql://postgres@$host:$port/postgres"
export KIOSK_TEST_STORE=postgres
echo "with-postgres: PostgreSQL 15 on $dir (socket), port $port" >&2
"$@"
