#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# setup.sh [--no-debug-kernel | --packages-only]
#
# Install everything the build, the VM runner and the tests need on a fresh
# Debian 12 machine, and fetch the two supported kernel lines (bookworm's 6.1
# and 6.12) for the VM: headers through apt, images unpacked into a cache.
# Then build the debug kernel (debug-kernel.sh: about 18 minutes the first
# time, nothing once cached) unless told not to. --packages-only installs
# the packages and stops (the VM runner then starts the debug kernel's
# build, which needs only linux-source, before the kernels are fetched).
#
# Prints nothing on stdout on success but the kernel versions it settled on.
set -euo pipefail

DEBUG_KERNEL=1
PACKAGES_ONLY=0
case "${1:-}" in
--no-debug-kernel) DEBUG_KERNEL=0 ;;
--packages-only) PACKAGES_ONLY=1 ;;
"") ;;
*) echo "usage: $0 [--no-debug-kernel | --packages-only]" >&2; exit 2 ;;
esac

CACHE=${SS_VM_CACHE:-/var/cache/shadowsocks-vm}
export DEBIAN_FRONTEND=noninteractive

PKGS=(
	build-essential pkg-config bc kmod cpio xz-utils zstd dkms sparse
	clang libclang-rt-dev
	libnl-3-dev libnl-genl-3-dev libssl-dev libjson-c-dev libqrencode-dev zbar-tools
	qemu-system-x86 busybox-static
	iproute2 iputils-ping procps psmisc jq python3 python3-cryptography curl iperf3 dnsmasq-base
	shadowsocks-libev keyutils libcap2-bin util-linux linux-source-6.12 nftables bind9-dnsutils
	flex bison libelf-dev
	python3-yaml python3-jsonschema b3sum python3-prometheus-client
	simple-obfs shadowsocks-v2ray-plugin
	debhelper dh-dkms lintian
	linux-perf
)

need_install() {
	local p
	for p in "${PKGS[@]}"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q 'install ok installed' || return 0
	done
	return 1
}

# newest 6.1.0-N and 6.12.N+deb12 flavours whose headers and image both exist
pick_kernel() {
	apt-cache search --names-only "^linux-headers-$1-amd64\$" |
		awk '{print $1}' | sed -e 's/^linux-headers-//' -e 's/-amd64$//' |
		sort -V | tail -n 1
}

if need_install; then
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${PKGS[@]}" >/dev/null
fi
[ "$PACKAGES_ONLY" -eq 0 ] || exit 0

KVERS=()
for pat in '6\.1\.0-[0-9]+' '6\.12\.[0-9]+\+deb12'; do
	v=$(pick_kernel "$pat")
	if [ -z "$v" ]; then
		apt-get update -qq
		v=$(pick_kernel "$pat")
	fi
	[ -n "$v" ] || { echo "setup: no kernel matching $pat in the archive" >&2; exit 1; }
	KVERS+=("$v-amd64")
done

mkdir -p "$CACHE"
for kv in "${KVERS[@]}"; do
	if [ ! -d "/usr/src/linux-headers-$kv" ]; then
		apt-get install -y -qq --no-install-recommends "linux-headers-$kv" >/dev/null
	fi
	dir="$CACHE/$kv"
	if [ ! -f "$dir/.complete" ]; then
		rm -rf "$dir"
		mkdir -p "$dir/deb"
		(cd "$dir/deb" && apt-get download -qq "linux-image-$kv" >/dev/null 2>&1 ||
			apt-get download -qq "linux-image-$kv-unsigned" >/dev/null)
		dpkg-deb -x "$dir"/deb/*.deb "$dir/root"
		rm -rf "$dir/deb"
		# busybox cannot read .ko.xz: keep every module uncompressed
		find "$dir/root/lib/modules" -name '*.ko.xz' -exec xz -d {} +
		find "$dir/root/lib/modules" -name '*.ko.zst' -exec zstd -q -d --rm {} +
		depmod -b "$dir/root" "$kv"
		touch "$dir/.complete"
	fi
	echo "$kv"
done

# checkpatch.pl and its data files from the 6.12 source tarball
cp_dir=$CACHE/checkpatch
if [ ! -x "$cp_dir/scripts/checkpatch.pl" ]; then
	tarball=$(ls /usr/src/linux-source-6.12.tar.* | head -n 1)
	mkdir -p "$cp_dir"
	tar -xf "$tarball" -C "$cp_dir" --strip-components=1 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
fi

# the kernel's ynl tools (tools/net/ynl) and the netlink spec schemas
# (Documentation/netlink): scripts/ynl-regen.sh generates from our spec with
# them, and selftests/ynl.sh drives the module with their CLI
ynl_dir=$CACHE/ynl
if [ ! -f "$ynl_dir/.complete" ]; then
	tarball=$(ls /usr/src/linux-source-6.12.tar.* | head -n 1)
	rm -rf "$ynl_dir"
	mkdir -p "$ynl_dir"
	tar -xf "$tarball" -C "$ynl_dir" --strip-components=1 --wildcards \
		'*/tools/net/ynl/*' '*/Documentation/netlink/*'
	touch "$ynl_dir/.complete"
fi

# the sanitizer kernel, built from linux-source-6.12
if [ "$DEBUG_KERNEL" -eq 1 ]; then
	bash "$(dirname "$0")/debug-kernel.sh"
fi
