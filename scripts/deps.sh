#!/bin/sh
# Installs the Debian packages Touchline needs to build, test and run the
# demo, but only those that are missing, so a second run costs nothing.
#   deps.sh          building, testing, the demo (make test, make demo)
#   deps.sh deb      also what building Debian packages needs (make deb)
#   deps.sh arm64    also the arm64 cross toolchain, the :arm64 libraries and
#                    qemu to run the cross-built tests (make deb-arm64)
set -eu
PKGS="build-essential dpkg-dev cmake pkg-config libmosquitto-dev mosquitto mosquitto-clients
libsqlite3-dev sqlite3 libcjson-dev libnfc-dev libssl-dev openssl libinih-dev
libcmocka-dev python3 python3-paho-mqtt clang libclang-rt-14-dev tzdata socat chromium"
DEB_PKGS="debhelper lintian fakeroot"
ARM64_LIBS="libmosquitto-dev libsqlite3-dev libcjson-dev libnfc-dev libssl-dev libinih-dev
libcmocka-dev"
case "${1:-}" in
"") ;;
deb) PKGS="$PKGS $DEB_PKGS" ;;
arm64)
	# libnfc-dev:arm64 needs libusb-dev:arm64, which cannot be installed
	# beside the native libusb-dev (it is not Multi-Arch: same): apt would
	# remove the native libnfc-dev and break every native build. Refuse.
	if dpkg-query -W -f='${Status}' "libnfc-dev:$(dpkg --print-architecture)" 2>/dev/null | grep -q "install ok installed"; then
		echo "deps: libnfc-dev:arm64 cannot be installed beside the native libnfc-dev (libusb-dev" >&2
		echo "deps: is not Multi-Arch: same); cross-build in an arm64 cross chroot or on a" >&2
		echo "deps: machine without the native -dev packages" >&2
		exit 1
	fi
	PKGS="$PKGS $DEB_PKGS crossbuild-essential-arm64 qemu-user-static"
	for p in $ARM64_LIBS; do PKGS="$PKGS $p:arm64"; done
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		[ "$(id -u)" -eq 0 ] || { echo "deps: run as root to add the arm64 architecture" >&2; exit 1; }
		echo "deps: adding the arm64 architecture (dpkg --add-architecture arm64)"
		dpkg --add-architecture arm64
	fi ;;
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
