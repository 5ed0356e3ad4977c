#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms.sh DEB OUTDIR KVER...: the shadowsocks-kernel-dkms package DEB
# installed on this host with dpkg, as a gateway box gets it: its postinst
# registers the sources with DKMS and has DKMS build and install the module
# for every kernel with headers (autoinstall_all_kernels: this host's own
# kernel is not one of them); each KVER's build is checked and kept in
# OUTDIR as DKMS's binaries-only archive (dkms mktarball,
# shadowsocks-KVER.dkms.tar.gz), which selftests/deb.sh loads in the guest
# instead of building the same sources again under TCG; then the package
# is purged and nothing of it may be left. Refuses to run where the
# package is already installed (it would be purged).
set -euo pipefail

[ $# -ge 3 ] || { echo "usage: $0 DEB OUTDIR KVER..." >&2; exit 2; }
deb=$1 outdir=$2
shift 2
pkg=shadowsocks-kernel-dkms
ver=$(dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards './usr/src/shadowsocks-*/dkms.conf' |
	sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p')
[ -n "$ver" ] || { echo "$deb has no /usr/src/shadowsocks-*/dkms.conf with a PACKAGE_VERSION" >&2; exit 1; }
src=/usr/src/shadowsocks-$ver

if dpkg -s "$pkg" >/dev/null 2>&1; then
	echo "$pkg is installed on this host: the test installs and purges it; remove it first (dpkg --purge $pkg)" >&2
	exit 1
fi
cleanup() {
	DEBIAN_FRONTEND=noninteractive dpkg --purge "$pkg" >/dev/null 2>&1 || true
	dkms remove -m shadowsocks -v "$ver" --all >/dev/null 2>&1 || true
	rm -rf "$src"
}
trap cleanup EXIT
# what an earlier run that was killed may have left
cleanup

out=$(autoinstall_all_kernels=1 DEBIAN_FRONTEND=noninteractive dpkg -i "$deb" 2>&1) || {
	printf '%s\n' "$out" >&2
	echo "dpkg -i $deb failed" >&2
	exit 1
}
for kv in "$@"; do
	if ! dkms status -m shadowsocks -v "$ver" -k "$kv" | grep -q ': installed'; then
		printf '%s\n' "$out" >&2
		echo "the postinst did not have DKMS build and install the module for $kv: $(dkms status -m shadowsocks)" >&2
		exit 1
	fi
	modinfo -F name "/lib/modules/$kv/updates/dkms/shadowsocks.ko"* | grep -qx shadowsocks
	tarball=$outdir/shadowsocks-$kv.dkms.tar.gz
	rm -f "$tarball"
	dkms mktarball -m shadowsocks -v "$ver" -k "$kv" --binaries-only \
		--archive "$tarball" >/dev/null
	# DKMS compresses the module as this host's /lib/modules/KVER has
	# them, and looks for it on the loading box as that box has them (the
	# guests' trees hold uncompressed modules): an uncompressed module is
	# found on both
	tmp=$(mktemp -d)
	tar -xzf "$tarball" -C "$tmp"
	find "$tmp" -name '*.ko.xz' -exec xz -d {} +
	find "$tmp" -name '*.ko.gz' -exec gzip -d {} +
	find "$tmp" -name '*.ko.zst' -exec zstd -q -d --rm {} +
	tar -C "$tmp" -czf "$tarball" .
	rm -rf "$tmp"
	tar -tzf "$tarball" | grep -q "dkms_main_tree/$kv/x86_64/module/shadowsocks.ko$"
	echo "$kv: built and installed by the postinst, kept as $tarball"
done

DEBIAN_FRONTEND=noninteractive dpkg --purge "$pkg" >/dev/null
if [ -n "$(dkms status -m shadowsocks)" ] || [ -e "$src" ]; then
	echo "after dpkg --purge: $(dkms status -m shadowsocks) $(ls -d "$src" 2>&1)" >&2
	exit 1
fi
for kv in "$@"; do
	if ls "/lib/modules/$kv/updates/dkms/shadowsocks.ko"* >/dev/null 2>&1; then
		echo "after dpkg --purge: the module is still in /lib/modules/$kv/updates/dkms" >&2
		exit 1
	fi
done
echo "purged: no DKMS entry, source or module left"
