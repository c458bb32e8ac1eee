#!/bin/sh
# build-deb.sh OUTDIR [JOBS] [ARCH] - Touchline's Debian packages into OUTDIR.
#
# Builds from a copy of the tree (its tracked and new files, no build
# folders) in OUTDIR/src, so the packages land in OUTDIR and not beside
# the checkout, then checks them with lintian: any error or warning fails.
# ARCH (e.g. arm64) cross-builds the reader side only, in a Debian 12
# chroot, its unit tests run under qemu-user: see build-deb-cross.sh.
set -eu
out=$1
jobs=${2:-2}
arch=${3:-}
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "$arch" ]; then
	exec sh "$here/scripts/build-deb-cross.sh" "$out" "$jobs" "$arch"
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
src="$out/src/touchline"

rm -rf "$out/src"
mkdir -p "$src"
(cd "$here" && git ls-files -co --exclude-standard -z | grep -zv '^debian/\.debhelper\|^debian/tmp/' |
	xargs -0 tar -cf - --no-recursion) | tar -C "$src" -xf -
rm -f "$out"/*.deb "$out"/*.changes "$out"/*.buildinfo

set -- -b -us -uc "-j$jobs"
echo "deb: building in $src"
(cd "$src" && dpkg-buildpackage "$@" >"$out/build.log" 2>&1) ||
	{ tail -50 "$out/build.log"; echo "deb: dpkg-buildpackage failed (log: $out/build.log)" >&2; exit 1; }
mv "$out"/src/*.deb "$out"/src/*.changes "$out"/src/*.buildinfo "$out"/
changes=$(ls "$out"/*.changes)
echo "deb: lintian"
lintian --fail-on error,warning "$changes"
ls "$out"/*.deb
