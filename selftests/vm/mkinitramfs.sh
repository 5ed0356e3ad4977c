#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh KERNEL_ROOT KVER OUTPUT: a minimal initramfs (static
# busybox plus the modules needed to reach the host's root over virtio-9p and
# lay a tmpfs overlay on it) whose /init switches root to that overlay.
set -euo pipefail

kroot=$1 kv=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp/bin" "$tmp/modules"
cp "$(readlink -f /bin/busybox)" "$tmp/bin/busybox"
cp "$here/initramfs-init" "$tmp/init"
chmod +x "$tmp/init"

# load order with dependencies first; built-in ones are skipped
: >"$tmp/modules/order"
for m in virtio_pci 9pnet_virtio 9p overlay; do
	modprobe -d "$kroot" -S "$kv" --show-depends "$m" |
		awk '$1 == "insmod" { print $2 }'
done | awk '!seen[$0]++' | while read -r ko; do
	cp "$ko" "$tmp/modules/"
	basename "$ko" >>"$tmp/modules/order"
done

(cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
