#!/usr/bin/env bash
# The update helper (provisioning/deploy/terminal/update/legal-kiosk-update) with the real
# dpkg in a throwaway Debian 12 root: version N installed; N+1 that confirms its health is
# committed; N+2 that never confirms it, and N+3 whose postinst fails, are rolled back to
# N+1 by themselves and reported `rolled_back`; a release the helper's verification refuses
# changes nothing (`failed`); an update a power cut interrupted is finished at boot.
#
#   scripts/update-rollback-test.sh
#
# Needs root (chroot). The Debian root is made once with debootstrap (about 1.5 min) and
# cached in $LEGAL_KIOSK_ROOTFS_CACHE (default /var/cache/legal-kiosk-test/bookworm-minbase);
# each run works on a copy (a few seconds). The packages are stand-ins named legal-kiosk
# (the real one needs the display and GStreamer libraries that a minimal root lacks): what
# is tested is dpkg's install, upgrade and downgrade and the helper's decisions. The
# signature check the helper runs as root (`legal-kiosk verify-release`) is replaced by
# true/false here; the verification itself has its own tests (provisioning::release).
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
trap 'rm -rf "$work"' EXIT
root=$work/root
cp -a "$cache" "$root"
install -D -m 0755 provisioning/deploy/terminal/update/legal-kiosk-update "$root/usr/lib/legal-kiosk/legal-kiosk-update"
shared=/var/lib/legal-kiosk/updates
mkdir -p "$root$shared"

failures=0
check() { # WHAT COMMAND...
  local what=$1
  shift
  if "$@"; then echo "ok    $what"; else echo "FAIL  $what"; failures=$((failures + 1)); fi
}

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

in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }

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
