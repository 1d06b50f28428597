#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL 15: a cluster made with initdb in a temporary
# folder, listening on a Unix socket in that folder and, with TLS only, on a free port of
# 127.0.0.1, with fsync off (a test cluster is thrown away), stopped and deleted when the command ends.
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
# One port for the socket and the TCP listener: a free one, so that runs side by side do not collide.
port=
for candidate in $(shuf -i 20000-60000 -n 50); do
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
    port=$candidate
    break
  fi
done
[ -n "$port" ] || { echo "with-postgres: no free port on 127.0.0.1" >&2; exit 1; }
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
# TLS on 127.0.0.1 too, with a CA of its own, and only TLS there (hostssl): the registry's
# `sslmode=verify-full&sslrootcert=` connections are tested against it.
(
  cd "$dir"
  "${as_owner[@]}" openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -days 2 -subj "/CN=kiosk test database CA" -keyout ca.key -out ca.crt
  "${as_owner[@]}" openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -subj "/CN=127.0.0.1" -keyout server.key -out server.csr
  printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >ext.cnf
  "${as_owner[@]}" openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
    -days 2 -extfile ext.cnf -out server.crt
  chmod 0600 server.key
) >"$dir/openssl.log" 2>&1 || { cat "$dir/openssl.log" >&2; exit 1; }
printf 'local all all trust\nhostssl all all 127.0.0.1/32 trust\n' >"$dir/pg_hba.conf"
[ "${#as_owner[@]}" -eq 0 ] || chown postgres: "$dir/pg_hba.conf"
"${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o \
  "-k $dir -c listen_addresses=127.0.0.1 -p $port -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=500 -c ssl=on -c ssl_cert_file=$dir/server.crt -c ssl_key_file=$dir/server.key -c hba_file=$dir/pg_hba.conf" \
  start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
# The socket folder percent-encoded as the URL's host.
host=$(printf %s "$dir" | sed 's|/|%2F|g')
export KIOSK_TEST_PG="postgresql://postgres@$host:$port/postgres"
export KIOSK_TEST_STORE=postgres
# The same server over TLS on 127.0.0.1 (the CA in the socket folder).
export KIOSK_TEST_PG_TLS="postgresql://postgres@127.0.0.1:$port/postgres?sslmode=verify-full&sslrootcert=$dir/ca.crt"
echo "with-postgres: PostgreSQL 15 on $dir (socket) and 127.0.0.1 (TLS only), port $port" >&2
"$@"
