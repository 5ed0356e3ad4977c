#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deb.sh [OUTDIR]: build the Debian packages (make deb) from the files git
# knows of in this tree (tracked, or new and not ignored), in a private
# copy so that the tree's own build outputs never reach a package, then
# check them with lintian. The .debs, .buildinfo and .changes end up in
# OUTDIR (default build/deb); lintian's report in OUTDIR/lintian.log.
# Exits non-zero if the build fails or lintian reports an error.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$repo/build/deb}")
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$repo/dkms.conf")

for tool in dpkg-buildpackage dh dh_dkms lintian; do
	command -v "$tool" >/dev/null || {
		echo "deb.sh: no $tool: apt-get install build-essential debhelper dh-dkms lintian" >&2
		exit 1
	}
done

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
src=$stage/shadowsocks-kernel-$ver
mkdir -p "$src"
if git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git -C "$repo" ls-files -z --cached --others --exclude-standard |
		(cd "$repo" && xargs -0 cp -a --parents -t "$src" --)
else
	# a release tarball: it holds no build outputs
	cp -a "$repo/." "$src/"
	rm -rf "$src/build"
fi
[ -d "$src/debian" ] || { echo "deb.sh: no debian/ in $repo" >&2; exit 1; }

(cd "$src" && dpkg-buildpackage -us -uc -b) >"$stage/build.log" 2>&1 || {
	tail -n 40 "$stage/build.log" >&2
	echo "deb.sh: dpkg-buildpackage failed" >&2
	exit 1
}
rm -rf "$out"
mkdir -p "$out"
mv "$stage"/*.deb "$stage"/*.buildinfo "$stage"/*.changes "$out/"
cp "$stage/build.log" "$out/build.log"

changes=$(ls "$out"/*.changes)
set +e
lintian --fail-on error --info --display-level '>=pedantic' "$changes" >"$out/lintian.log" 2>&1
rc=$?
set -e
cat "$out/lintian.log"
ls -1 "$out"/*.deb
[ "$rc" -eq 0 ] || { echo "deb.sh: lintian reports errors" >&2; exit 1; }
