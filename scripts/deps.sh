#!/bin/sh
# Installs the Debian packages Touchline needs to build, test and run the
# demo, but only those that are missing, so a second run costs nothing.
#   deps.sh          building, testing, the demo (make test, make demo)
#   deps.sh deb      also what building Debian packages needs (make deb)
#   deps.sh arm64    only debootstrap and qemu-user-static, what make deb-arm64
#                    needs on this machine (the rest goes into its chroot)
set -eu
PKGS="build-essential dpkg-dev cmake pkg-config libmosquitto-dev mosquitto mosquitto-clients
libsqlite3-dev sqlite3 libcjson-dev libnfc-dev libssl-dev openssl libinih-dev
libcmocka-dev libsystemd-dev libgpiod-dev python3 python3-paho-mqtt clang libclang-rt-14-dev tzdata socat chromium"
DEB_PKGS="debhelper lintian fakeroot"
case "${1:-}" in
"") ;;
deb) PKGS="$PKGS $DEB_PKGS" ;;
arm64)
	# Only what this machine needs: the cross toolchain and the :arm64 -dev
	# packages go into a Debian 12 chroot (scripts/build-deb-cross.sh),
	# never onto this machine (libnfc-dev:arm64 would replace the native
	# libnfc-dev, since libusb-dev is not Multi-Arch: same).
	PKGS="debootstrap qemu-user-static" ;;
*) echo "usage: deps.sh [deb|arm64]" >&2; exit 2 ;;
esac
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages and not root; run as root or install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
