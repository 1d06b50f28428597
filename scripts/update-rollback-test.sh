#!/usr/bin/env bash
# The update helper (provisioning/deploy/terminal/update/legal-kiosk-update) with the real
# dpkg in throwaway Debian 12 roots, in two parts:
#
# 1. The real kiosk package (target/debian/legal-kiosk_*_amd64.deb, built with
#    `scripts/package-deb.sh --quick amd64` when missing), in a root with its Debian
#    dependencies: version N installed as an installer would; N+1 that confirms its health
#    is committed; N+2 that never confirms it is rolled back to N+1 by itself and reported
#    `rolled_back`; the centre's edits to the configuration and the kiosk's data survive
#    each step. N+1 and N+2 are the same build with the package version raised. With no
#    systemd in a chroot, "restart the kiosk" runs the installed binary to draw its home
#    screen (its libraries and fonts as installed) and then confirms its health for the
#    versions the test calls healthy, as the kiosk does once its UI is up, its devices
#    answered and the registry was reached (tests/ui_software_update.rs).
# 2. Stand-in packages for what the real one cannot be made to do: a postinst that fails
#    (rolled back), a release the helper's verification refuses (nothing changes), an
#    update a power cut interrupted (finished at boot).
#
#   scripts/update-rollback-test.sh
#
# Needs root (chroot, /proc mounted for the maintainer scripts). The Debian root is made
# once with debootstrap (about 1.5 min) and cached in $LEGAL_KIOSK_ROOTFS_CACHE (default
# /var/cache/legal-kiosk-test/bookworm-minbase), the kiosk's dependencies added once more
# beside it (about 1 min); each run works on copies. The signature check the helper runs as
# root (`legal-kiosk verify-release`) is replaced by true/false here; the verification
# itself has its own tests (provisioning::release, tests/verify_release_cli.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "update-rollback-test: run as root (chroot)" >&2; exit 2; }
scripts/install-deps.sh rootfs

cache=${LEGAL_KIOSK_ROOTFS_CACHE:-/var/cache/legal-kiosk-test/bookworm-minbase}
mirror=${LEGAL_KIOSK_DEBIAN_MIRROR:-http://deb.debian.org/debian}
if [ ! -x "$cache/usr/bin/dpkg" ]; then
  echo "update-rollback-test: making a Debian 12 root in $cache (once)"
  mkdir -p "$(dirname "$cache")"
  rm -rf "$cache.tmp"
  debootstrap --variant=minbase bookworm "$cache.tmp" "$mirror" > "$(dirname "$cache")/debootstrap.log"
  mv "$cache.tmp" "$cache"
fi

work=$(mktemp -d)
mounted=()
cleanup() {
  for m in "${mounted[@]}"; do umount "$m" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
shared=/var/lib/legal-kiosk/updates

failures=0
check() { # WHAT COMMAND...
  local what=$1
  shift
  if "$@"; then echo "ok    $what"; else echo "FAIL  $what"; failures=$((failures + 1)); fi
}

in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"; }

helper() { # VERIFY-COMMAND install|resume
  in_root LEGAL_KIOSK_VERIFY="$1" LEGAL_KIOSK_RESTART=/usr/bin/legal-kiosk-start \
    LEGAL_KIOSK_HEALTH_TIMEOUT=3 /usr/lib/legal-kiosk/legal-kiosk-update "$2" 2>> "$work/helper.log"
}

request() { # VERSION
  mkdir -p "$root$shared/request"
  cp "$work/legal-kiosk_$1.deb" "$root$shared/request/package.deb"
  echo '{"manifest":"…","signature":{}}' > "$root$shared/request/release.json"
  echo "$1" > "$root$shared/request/version"
}

installed() { in_root dpkg-query -W -f '${Version} ${db:Status-Abbrev}' legal-kiosk; }
result_is() { # STATE [DETAIL-PART]
  grep -qx "state=$1" "$root$shared/result" && grep -q "^detail=.*${2:-}" "$root$shared/result"
}

# --- 1. The real package --------------------------------------------------------------

deb=${LEGAL_KIOSK_DEB:-$(ls -t target/debian/legal-kiosk_*_amd64.deb 2>/dev/null | head -n 1 || true)}
if [ -z "$deb" ]; then
  scripts/package-deb.sh --quick amd64
  deb=$(ls -t target/debian/legal-kiosk_*_amd64.deb | head -n 1)
fi
real_version=$(dpkg-deb -f "$deb" Version)
echo "update-rollback-test: the real package $deb ($real_version)"

# A root with the kiosk's Debian dependencies, remade when the package's change.
depends=$(dpkg-deb -f "$deb" Depends)
deps_cache=$cache-kiosk-deps
if [ "$(cat "$deps_cache/.legal-kiosk-depends" 2>/dev/null || true)" != "$depends" ]; then
  echo "update-rollback-test: adding the kiosk's dependencies in $deps_cache (once)"
  rm -rf "$deps_cache" "$deps_cache.tmp"
  cp -a "$cache" "$deps_cache.tmp"
  cp /etc/resolv.conf "$deps_cache.tmp/etc/resolv.conf"
  # shellcheck disable=SC2046 # one word per package: the version constraints are dropped
  chroot "$deps_cache.tmp" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    sh -c "apt-get update -q && apt-get install -y -q --no-install-recommends $(sed 's/([^)]*)//g; s/,/ /g' <<<"$depends") && apt-get clean" \
    > "$(dirname "$cache")/kiosk-deps.log" 2>&1
  echo "$depends" > "$deps_cache.tmp/.legal-kiosk-depends"
  mv "$deps_cache.tmp" "$deps_cache"
fi

root=$work/real
cp -a "$deps_cache" "$root"
mount -t proc proc "$root/proc"
mounted+=("$root/proc")

# The same build as versions N, N+1 and N+2: only the package's version differs.
repack() { # VERSION
  local dir="$work/repack-$1"
  dpkg-deb -R "$deb" "$dir"
  sed -i "s/^Version: .*/Version: $1/" "$dir/DEBIAN/control"
  dpkg-deb --build --root-owner-group "$dir" "$work/legal-kiosk_$1.deb" > /dev/null
}
n=$real_version n1=$real_version+t1 n2=$real_version+t2
cp "$deb" "$work/legal-kiosk_$n.deb"
repack "$n1"
repack "$n2"

# "Restart the kiosk": the installed binary draws its home screen, then confirms its health
# if this version is one the test calls healthy.
cat > "$root/usr/bin/legal-kiosk-start" <<'START'
#!/bin/sh
set -e
v=$(dpkg-query -W -f '${Version}' legal-kiosk)
legal-kiosk screenshot --page home --lang zh_CN "/root/home-$v.png" > /dev/null
if grep -qxF "$v" /root/healthy-versions; then echo "$v" > /var/lib/legal-kiosk/updates/healthy; fi
START
chmod 0755 "$root/usr/bin/legal-kiosk-start"
echo "$n1" > "$root/root/healthy-versions"

cp "$work/legal-kiosk_$n.deb" "$root/root/"
in_root dpkg -i "/root/legal-kiosk_$n.deb" > "$work/install-n.log" 2>&1 || true
check "real N installed by dpkg" test "$(installed)" = "$n ii "
check "… its maintainer scripts found every command they run" \
  sh -c "! grep -E ': not found|error processing' '$work/install-n.log'"
check "… the kiosk's user and data folder exist" \
  test "$(in_root stat -c %U /var/lib/legal-kiosk)" = legal-kiosk
check "… the update helper is installed with it" test -x "$root/usr/lib/legal-kiosk/legal-kiosk-update"
install -D -m 0600 "$work/legal-kiosk_$n.deb" "$root/var/lib/legal-kiosk-update/packages/current.deb"
mkdir -p "$root$shared"
# The centre's edit to the configuration, and the kiosk's data.
echo '# centre: 长春市朝阳区公共法律服务中心' >> "$root/etc/legal-kiosk/config.toml"
echo 'tickets owed to the centre' > "$root/var/lib/legal-kiosk/kiosk.sqlite3"
kept() {
  grep -qF '长春市朝阳区' "$root/etc/legal-kiosk/config.toml" &&
    grep -qF 'owed' "$root/var/lib/legal-kiosk/kiosk.sqlite3"
}

request "$n1"
helper true install
check "real N+1 healthy: committed" test "$(installed)" = "$n1 ii "
check "… reported healthy" result_is healthy
check "… its binary drew its home screen after the install" test -s "$root/root/home-$n1.png"
check "… the configuration edit and the data survived" kept

request "$n2"
helper true install
check "real N+2 without health confirmation: back to N+1 by itself" test "$(installed)" = "$n1 ii "
check "… reported rolled_back with the reason" result_is rolled_back "did not confirm its health within 3 s"
check "… N+1 drew its home screen again after the rollback" \
  test "$root/root/home-$n1.png" -nt "$root/root/home-$n2.png"
check "… the configuration edit and the data survived" kept
umount "$root/proc"
mounted=()

# --- 2. Stand-in packages -------------------------------------------------------------

root=$work/root
cp -a "$cache" "$root"
install -D -m 0755 provisioning/deploy/terminal/update/legal-kiosk-update "$root/usr/lib/legal-kiosk/legal-kiosk-update"
mkdir -p "$root$shared"

# A stand-in kiosk package. HEALTH=yes: on start it confirms its health; no: it never does.
# POSTINST=fail: its postinst fails (dpkg leaves it half-configured).
make_pkg() { # VERSION HEALTH [POSTINST]
  local v=$1 health=$2 postinst=${3:-ok} dir="$work/pkg-$1"
  mkdir -p "$dir/DEBIAN" "$dir/usr/bin"
  printf 'Package: legal-kiosk\nVersion: %s\nArchitecture: all\nMaintainer: test <t@example.invalid>\nDescription: stand-in kiosk\n' "$v" > "$dir/DEBIAN/control"
  if [ "$health" = yes ]; then
    printf '#!/bin/sh\necho %s > %s/healthy\n' "$v" "$shared" > "$dir/usr/bin/legal-kiosk-start"
  else
    printf '#!/bin/sh\necho "starting %s, never healthy" >&2\n' "$v" > "$dir/usr/bin/legal-kiosk-start"
  fi
  chmod 0755 "$dir/usr/bin/legal-kiosk-start"
  if [ "$postinst" = fail ]; then
    printf '#!/bin/sh\necho "postinst: cannot migrate the data" >&2\nexit 1\n' > "$dir/DEBIAN/postinst"
    chmod 0755 "$dir/DEBIAN/postinst"
  fi
  dpkg-deb --build --root-owner-group "$dir" "$work/legal-kiosk_$v.deb" > /dev/null
}


make_pkg 1.0.0 yes
make_pkg 1.1.0 yes
make_pkg 1.2.0 no
make_pkg 1.3.0 yes fail
make_pkg 1.4.0 no

# The terminal as installed: version N, its package kept for a rollback.
cp "$work/legal-kiosk_1.0.0.deb" "$root/root/"
in_root dpkg -i /root/legal-kiosk_1.0.0.deb > /dev/null
install -D -m 0600 "$work/legal-kiosk_1.0.0.deb" "$root/var/lib/legal-kiosk-update/packages/current.deb"
check "N installed" test "$(installed)" = "1.0.0 ii "

request 1.1.0
helper true install
check "N+1 healthy: committed" test "$(installed)" = "1.1.0 ii "
check "N+1 reported healthy" result_is healthy
check "N+1 kept as the package to roll back to" \
  test "$(dpkg-deb -f "$root/var/lib/legal-kiosk-update/packages/current.deb" Version)" = 1.1.0
check "the request is consumed" test ! -e "$root$shared/request"

request 1.2.0
helper true install
check "N+2 without health confirmation: back to N+1" test "$(installed)" = "1.1.0 ii "
check "N+2 reported rolled_back with the reason" result_is rolled_back "did not confirm its health within 3 s"
check "N+2's package dropped" test ! -e "$root/var/lib/legal-kiosk-update/packages/legal-kiosk_1.2.0.deb"

request 1.3.0
helper true install
check "N+3 whose postinst fails: back to N+1, fully installed" test "$(installed)" = "1.1.0 ii "
check "N+3 reported rolled_back with dpkg's reason" result_is rolled_back "dpkg could not install 1.3.0"

request 1.4.0
helper false install
check "a release the helper's verification refuses: nothing changes" test "$(installed)" = "1.1.0 ii "
check "… reported failed" result_is failed "refused"

# A power cut after dpkg installed N+4 and before its health was confirmed: at boot the
# helper waits for the confirmation, which never comes, and rolls back.
cp "$work/legal-kiosk_1.4.0.deb" "$root/var/lib/legal-kiosk-update/packages/legal-kiosk_1.4.0.deb"
in_root dpkg -i /var/lib/legal-kiosk-update/packages/legal-kiosk_1.4.0.deb > /dev/null
echo 1.4.0 > "$root/var/lib/legal-kiosk-update/pending"
helper true resume
check "interrupted N+4 finished at boot: rolled back to N+1" test "$(installed)" = "1.1.0 ii "
check "… reported rolled_back" result_is rolled_back "1.4.0 did not confirm"
check "… nothing pending any more" test ! -e "$root/var/lib/legal-kiosk-update/pending"

if [ "$failures" -gt 0 ]; then
  echo "update-rollback-test: $failures failed; the helper said:" >&2
  cat "$work/helper.log" >&2
  exit 1
fi
echo "update-rollback-test: all passed"
