#!/bin/sh
# build-deb-cross.sh OUTDIR JOBS ARCH - the reader's package (touchline-bridge)
# cross-built for ARCH (e.g. arm64) into OUTDIR, in a Debian 12 chroot.
#
# Why a chroot: the :ARCH -dev packages cannot all be installed beside the
# native ones (libnfc-dev:arm64 needs libusb-dev:arm64, which is not
# Multi-Arch: same), so they go into a throwaway Debian 12 chroot of this
# machine's architecture made with debootstrap, never onto the machine.
# The chroot is made once into build-ARCH/chroot and kept (the next run only
# installs what debian/control's Build-Depends added); delete that folder
# to start afresh (nothing is mounted in it between runs).
#
# Inside it: dpkg --add-architecture ARCH, crossbuild-essential-ARCH, the
# Build-Depends for ARCH (apt-get build-dep -a ARCH, from debian/control),
# then dpkg-buildpackage -a ARCH with the build profile pkg.touchline.reader
# (only touchline-bridge is built into a package) and lintian. The unit
# tests and the manual pages run under this machine's qemu-CPU-static,
# copied into the chroot; binfmt_misc is not needed. /proc is mounted in the
# chroot only while it is in use.
#
# Assumes root, debootstrap and qemu-user-static (scripts/deps.sh arm64).
# TL_MIRROR overrides the Debian mirror (default: this machine's, from
# /etc/apt/sources.list*, else deb.debian.org).
set -eu
out=$1
jobs=$2
arch=$3
suite=bookworm
here=$(cd "$(dirname "$0")/.." && pwd)
cache="$here/build-$arch"
root="$cache/chroot"
native=$(dpkg --print-architecture)
case $arch in
arm64) cpu=aarch64 ;;
armhf | armel) cpu=arm ;;
*) cpu=$arch ;;
esac
qemu=$(command -v "qemu-$cpu-static" || true)

[ "$(id -u)" -eq 0 ] || { echo "deb: the $arch chroot needs root (chroot, mount)" >&2; exit 1; }
[ -n "$qemu" ] || { echo "deb: qemu-$cpu-static missing (sh scripts/deps.sh $arch)" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "deb: debootstrap missing (sh scripts/deps.sh $arch)" >&2; exit 1; }

mkdir -p "$out" "$cache"
out=$(cd "$out" && pwd)

# One build at a time in the chroot.
exec 9>"$cache/lock"
flock 9

# This machine's Debian mirror: the first URIs (deb822) or deb line that is
# not the security archive.
host_mirror() {
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk '/^URIs:/ { print $2 } /^deb / { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; break } }' |
		grep '/debian/*$' | grep -v security | head -1
}
mirror=${TL_MIRROR:-$(host_mirror)}
mirror=${mirror:-http://deb.debian.org/debian}
security=$(echo "$mirror" | sed 's|/debian/*$|/debian-security|')

# Fails if anything is mounted at or under the chroot (before removing it).
nothing_mounted() {
	! awk '{ print $2 }' /proc/mounts | grep -q "^$root\(/\|$\)"
}

unmount() {
	if mountpoint -q "$root/proc"; then umount "$root/proc"; fi
}
trap unmount EXIT
trap 'exit 130' INT TERM

# In the chroot, with a clean environment.
inside() {
	chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

if [ ! -f "$root/.touchline-ready" ]; then
	nothing_mounted || { echo "deb: something is mounted under $root; unmount it first" >&2; exit 1; }
	rm -rf "$root"
	echo "deb: making the $suite $native chroot in $root from $mirror (once; a few minutes)"
	debootstrap --variant=buildd --arch="$native" "$suite" "$root" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
		{ tail -20 "$cache/debootstrap.log"; echo "deb: debootstrap failed (log: $cache/debootstrap.log)" >&2; exit 1; }
	cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security $suite-security main
EOF
	printf 'APT::Install-Recommends "false";\n' >"$root/etc/apt/apt.conf.d/90touchline"
	mount -t proc proc "$root/proc"
	inside dpkg --add-architecture "$arch"
	{ inside apt-get update -qq && inside apt-get install -y -qq "crossbuild-essential-$arch" lintian; } \
		>"$cache/setup.log" 2>&1 ||
		{ tail -20 "$cache/setup.log"; echo "deb: chroot setup failed (log: $cache/setup.log)" >&2; exit 1; }
	touch "$root/.touchline-ready"
else
	mount -t proc proc "$root/proc"
fi
cp "$qemu" "$root/usr/local/bin/"

# The tree (tracked and new files, no build folders) into the chroot.
rm -rf "$root/build"
mkdir -p "$root/build/touchline"
(cd "$here" && git ls-files -co --exclude-standard -z | grep -zv '^debian/\.debhelper\|^debian/tmp/' |
	xargs -0 tar -cf - --no-recursion) | tar -C "$root/build/touchline" -xf -
rm -f "$out"/*.deb "$out"/*.changes "$out"/*.buildinfo

# The Build-Depends for ARCH; if the package lists are stale (a version
# gone from the mirror), refresh them once.
builddep() {
	inside apt-get build-dep -y -qq -a "$arch" -P pkg.touchline.reader /build/touchline
}
builddep >"$cache/build-dep.log" 2>&1 || { inside apt-get update -qq && builddep; } >>"$cache/build-dep.log" 2>&1 ||
	{ tail -20 "$cache/build-dep.log"; echo "deb: installing the Build-Depends failed (log: $cache/build-dep.log)" >&2; exit 1; }

echo "deb: cross-building for $arch in $root/build/touchline"
inside env DEB_BUILD_OPTIONS=crossbuildcanrunhostbinaries \
	sh -c "cd /build/touchline && dpkg-buildpackage -b -us -uc -j$jobs -a$arch -Ppkg.touchline.reader" \
	>"$out/build.log" 2>&1 ||
	{ tail -50 "$out/build.log"; echo "deb: dpkg-buildpackage failed (log: $out/build.log)" >&2; exit 1; }
grep -E '^[0-9]+% tests passed|tests failed' "$out/build.log" | sed "s/^/deb: unit tests under qemu-$cpu-static: /"
echo "deb: lintian"
inside runuser -u nobody -- env HOME=/tmp sh -c 'lintian --fail-on error,warning /build/*.changes'
mv "$root"/build/*.deb "$root"/build/*.changes "$root"/build/*.buildinfo "$out"/
for deb in "$out"/*.deb; do
	a=$(dpkg-deb -f "$deb" Architecture)
	[ "$a" = "$arch" ] || { echo "deb: $deb is for $a, not $arch" >&2; exit 1; }
done
ls "$out"/*.deb
