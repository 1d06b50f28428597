#!/usr/bin/env bash
# Checks a built legal-kiosk .deb by listing and unpacking it: the binary for the right
# architecture (the terminal build, linking libinput; run natively or with qemu-user to
# print its version and render the home screen), the systemd unit (notify, watchdog,
# restart, dedicated user), the udev rules, the configuration as conffiles, the user and
# data folder the maintainer scripts create, and the declared Debian dependencies.
#   scripts/check-deb.sh target/debian/legal-kiosk_0.1.0_amd64.deb [amd64|arm64]
set -euo pipefail
deb="${1:?usage: check-deb.sh PACKAGE.deb [ARCH]}"
arch="${2:-$(basename "$deb" .deb | awk -F_ '{ print $NF }')}"
failures=0
ok() { echo "  ok: $1"; }
fail() { echo "  FAILED: $1" >&2; failures=$((failures + 1)); }
check() { local what="$1"; shift; if "$@" >/dev/null 2>&1; then ok "$what"; else fail "$what"; fi; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "Checking $deb ($arch)"
dpkg-deb -I "$deb" > "$work/info"
dpkg-deb -c "$deb" > "$work/contents"
dpkg-deb -x "$deb" "$work/root"
dpkg-deb -e "$deb" "$work/control"

field() { sed -n "s/^ $1: //p" "$work/info"; }
check "package name legal-kiosk" test "$(field Package)" = legal-kiosk
check "architecture $arch" test "$(field Architecture)" = "$arch"
depends=$(field Depends)
echo "  Depends: $depends"
for dep in libc6 libinput10 libudev1 libxkbcommon0 libfontconfig1 systemd udev; do
  check "depends on $dep" grep -qE "(^|, )$dep( |,|$)" <<<"$depends"
done

listed() { grep -qE "^$1 .* \./$2\$" "$work/contents"; }
check "binary /usr/bin/legal-kiosk, executable" listed '-rwxr-xr-x' usr/bin/legal-kiosk
check "systemd unit" listed '-rw-r--r--' usr/lib/systemd/system/legal-kiosk.service
check "update helper, executable" listed '-rwxr-xr-x' usr/lib/legal-kiosk/legal-kiosk-update
check "update helper's units" listed '-rw-r--r--' usr/lib/systemd/system/legal-kiosk-update.path
check "udev rules: roles" listed '-rw-r--r--' usr/lib/udev/rules.d/70-legal-kiosk-roles.rules
check "udev rules: names" listed '-rw-r--r--' usr/lib/udev/rules.d/80-legal-kiosk-names.rules
check "udev examples (local roles, touch calibration)" listed '-rw-r--r--' usr/share/doc/legal-kiosk/examples/71-legal-kiosk-touch.rules.example
check "default configuration, not world-readable" listed '-rw-r-----' etc/legal-kiosk/config.toml
check "environment file (rotation)" listed '-rw-r-----' etc/legal-kiosk/environment
check "sysusers.d (the user)" listed '-rw-r--r--' usr/lib/sysusers.d/legal-kiosk.conf
check "tmpfiles.d (the data folder)" listed '-rw-r--r--' usr/lib/tmpfiles.d/legal-kiosk.conf
check "no login prompt on consoles (logind drop-in)" listed '-rw-r--r--' usr/lib/systemd/logind.conf.d/legal-kiosk.conf
check "no SysRq (sysctl.d)" listed '-rw-r--r--' usr/lib/sysctl.d/60-legal-kiosk.conf
check "/etc/legal-kiosk/config.toml is a conffile" grep -qx /etc/legal-kiosk/config.toml "$work/control/conffiles"
check "/etc/legal-kiosk/environment is a conffile" grep -qx /etc/legal-kiosk/environment "$work/control/conffiles"

binary="$work/root/usr/bin/legal-kiosk"
case "$arch" in
  amd64) machine='X86-64' ;;
  arm64) machine='AArch64' ;;
  *) machine='?' ;;
esac
check "binary built for $arch" grep -q "Machine:.*$machine" <(readelf -h "$binary")
check "binary is the terminal build (links libinput)" grep -q 'libinput.so' <(readelf -d "$binary")

# Run it: natively, or an arm64 binary on x86-64 through qemu-user (install-deps.sh cross).
runner=()
case "$arch-$(uname -m)" in
  amd64-x86_64 | arm64-aarch64) ;;
  arm64-x86_64) runner=(qemu-aarch64) ;;
  *) runner=(none) ;;
esac
if [ "${runner[0]:-}" = none ] || { [ ${#runner[@]} -gt 0 ] && ! command -v "${runner[0]}" >/dev/null; }; then
  echo "  (skipped running the $arch binary: no way to run it on this machine)"
else
  # Exactly the package's version: the kiosk confirms an update's health with its own
  # version and the update helper waits for the package's (a Debian revision would make
  # every update roll back).
  version=$(field Version)
  check "the binary runs and reports the package's version $version" \
    grep -qxF "legal-kiosk $version" <("${runner[@]}" "$binary" --version)
  check "the binary renders the home screen (software renderer, embedded CJK fonts)" \
    "${runner[@]}" "$binary" screenshot --page home --lang zh_CN "$work/home.png"
fi

unit="$work/root/usr/lib/systemd/system/legal-kiosk.service"
for line in 'Type=notify' 'WatchdogSec=30' 'Restart=on-failure' 'User=legal-kiosk' \
    'NoNewPrivileges=yes' 'ProtectSystem=strict' 'DevicePolicy=closed' 'DeviceAllow=char-drm rw' \
    'DeviceAllow=char-input rw' 'DeviceAllow=char-ttyUSB rw' 'DeviceAllow=char-usb rw' \
    'DeviceAllow=char-gpiochip rw' 'DeviceAllow=char-video4linux rw' 'DeviceAllow=char-alsa rw' \
    'Conflicts=getty@tty1.service'; do
  check "unit: $line" grep -qxF "$line" "$unit"
done
if command -v systemd-analyze >/dev/null; then
  # Every directive must parse: systemd only warns (and ignores the line) otherwise. The
  # unit is checked with ExecStart pointing at the unpacked binary.
  sed "s|/usr/bin/legal-kiosk|$binary|" "$unit" > "$work/legal-kiosk.service"
  if systemd-analyze verify --man=no "$work/legal-kiosk.service" >"$work/verify" 2>&1 && ! [ -s "$work/verify" ]; then
    ok "systemd-analyze verify: no warnings"
  else
    cat "$work/verify" >&2; fail "systemd-analyze verify"
  fi
fi

check "postinst creates the user (systemd-sysusers)" grep -qE 'systemd-sysusers .*legal-kiosk\.conf' "$work/control/postinst"
check "postinst creates the data folder (systemd-tmpfiles)" grep -qE 'systemd-tmpfiles .*--create legal-kiosk\.conf' "$work/control/postinst"
check "postinst enables the unit" grep -q 'deb-systemd-helper.*enable.*legal-kiosk.service' "$work/control/postinst"
check "postrm deletes the data only on purge" grep -q 'rm -rf "$DPKG_ROOT/var/lib/legal-kiosk"' "$work/control/postrm"
# Every sysusers.d/tmpfiles.d file a maintainer script names must be in the package (a
# missing one makes postinst fail on the terminal).
for name in $(grep -ohE 'systemd-(sysusers|tmpfiles) [^;|&]*' "$work/control/postinst" | grep -oE '[A-Za-z0-9_.-]+\.conf' | sort -u); do
  check "postinst's $name is in the package" test -e "$work/root/usr/lib/sysusers.d/$name" -o -e "$work/root/usr/lib/tmpfiles.d/$name"
done

# The user and the data folder for real: postinst's systemd-sysusers and systemd-tmpfiles
# lines, run against a scratch root (DPKG_ROOT) holding the package's files.
if command -v systemd-sysusers >/dev/null && [ "$(id -u)" -eq 0 ]; then
  sysroot="$work/sysroot"
  mkdir -p "$sysroot/etc" "$sysroot/usr/lib"
  cp -r "$work/root/usr/lib/sysusers.d" "$work/root/usr/lib/tmpfiles.d" "$sysroot/usr/lib/"
  # The groups a Debian system already has.
  for group in video render input dialout lp audio; do
    echo "$group:x:$((900 + ${#group})):" >> "$sysroot/etc/group"
  done
  grep -E '^\s*systemd-(sysusers|tmpfiles) .*DPKG_ROOT' "$work/control/postinst" > "$work/create.sh"
  DPKG_ROOT="$sysroot" sh -e "$work/create.sh" >/dev/null 2>&1 || fail "postinst's user and folder commands"
  entry=$(grep '^legal-kiosk:' "$sysroot/etc/passwd" 2>/dev/null || true)
  echo "  passwd: $entry"
  check "user legal-kiosk, home /var/lib/legal-kiosk, no login" grep -qE '^legal-kiosk:x:[0-9]+:[0-9]+:.*:/var/lib/legal-kiosk:/usr/sbin/nologin$' <<<"$entry"
  for group in video render input dialout lp gpio audio; do
    check "user in group $group" grep -qE "^$group:.*[:,]legal-kiosk(,|$)" "$sysroot/etc/group"
  done
  uid=$(cut -d: -f3 <<<"$entry")
  check "/var/lib/legal-kiosk owned by legal-kiosk, mode 750" test "$(stat -c '%u %a' "$sysroot/var/lib/legal-kiosk" 2>/dev/null)" = "$uid 750"
else
  echo "  (skipped creating the user in a scratch root: needs root and systemd-sysusers)"
fi

if [ "$failures" -ne 0 ]; then
  echo "check-deb: $failures check(s) failed for $deb" >&2
  exit 1
fi
echo "check-deb: $deb is complete."
