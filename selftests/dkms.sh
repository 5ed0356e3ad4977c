#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms.sh KVER: what a gateway box does with the source tree: dkms add, dkms
# build and dkms install against KVER's headers, then remove it all again.
set -euo pipefail

kv=$1
repo=$(cd "$(dirname "$0")/.." && pwd)
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$repo/dkms.conf")
src=/usr/src/shadowsocks-$ver

cleanup() {
	dkms remove -m shadowsocks -v "$ver" --all >/dev/null 2>&1 || true
	rm -rf "$src"
}
trap cleanup EXIT
cleanup

# A tree with the build's own outputs left out, as a release tarball would be.
mkdir -p "$src"
cp -a "$repo/Kbuild" "$repo/Makefile" "$repo/dkms.conf" "$repo/kmod" "$repo/uapi" "$src/"
find "$src" \( -name '*.o' -o -name '*.ko' -o -name '*.mod*' -o -name '.*.cmd' \) -delete

dkms add "$src"
dkms build -m shadowsocks -v "$ver" -k "$kv"
dkms install -m shadowsocks -v "$ver" -k "$kv" --force
modinfo -F name "/lib/modules/$kv/updates/dkms/shadowsocks.ko"* | grep -qx shadowsocks
dkms status -m shadowsocks -v "$ver" -k "$kv" | grep -q installed
