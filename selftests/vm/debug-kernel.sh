#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh: build, once, the VM runner's debug kernel (KASAN,
# kmemleak, lockdep, UBSAN, debug objects, fault injection; see
# debug-kernel.config) from Debian's linux-source-6.12 and cache it like the
# stock kernels: $CACHE/KVER/root/boot/vmlinuz-KVER, the modules and their
# indexes in $CACHE/KVER/root/lib/modules/KVER, a .complete marker, plus
# $CACHE/KVER/build, the built tree that out-of-tree modules build against.
#
# $CACHE/KVER is a link to $CACHE/debug-kernel/KEY, KEY being the source
# package's version and a hash of the fragment: an unchanged fragment is
# never rebuilt, a changed one is built beside the old one.
#
# Prints the kernel version on success; the build's log stays in
# $CACHE/debug-kernel/KEY/build.log, its duration in build-seconds there.
set -euo pipefail

CACHE=${SS_VM_CACHE:-/var/cache/shadowsocks-vm}
here=$(cd "$(dirname "$0")" && pwd)
frag=$here/debug-kernel.config

pkgver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
tarball=$(ls /usr/src/linux-source-6.12.tar.* | head -n 1)
key=$(tr -c 'A-Za-z0-9.+\n-' _ <<<"$pkgver")-$(sha256sum "$frag" | cut -c 1-16)
top=$CACHE/debug-kernel
dir=$top/$key
tree=$dir/linux
log=$dir/build.log

# check_config CONFIG: every CONFIG_X=y of the fragment is =y in CONFIG,
# every CONFIG_X=n is unset; prints the ones that are not
check_config() {
	local line sym want got
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=y | CONFIG_*=n) ;;
		*) continue ;;
		esac
		sym=${line%%=*} want=${line#*=}
		got=$(sed -n "s/^$sym=//p" "$1" | tail -n 1)
		[ "$got" = n ] && got=""
		if [ "$want" = y ] && [ "$got" != y ]; then
			echo "$sym=${got:-unset} (want y)"
		elif [ "$want" = n ] && [ -n "$got" ]; then
			echo "$sym=$got (want unset)"
		fi
	done <"$frag"
}

mkdir -p "$top"
# two runs at once wait for each other instead of building twice
exec 9>"$top/.lock"
flock 9

if [ ! -f "$dir/.complete" ]; then
	# what a failed or interrupted build left (a tree is 1.5 GB or more)
	for d in "$top"/*/; do
		[ -f "$d/.complete" ] || rm -rf "$d"
	done
	rm -rf "$dir"
	mkdir -p "$tree"
	start=$SECONDS
	echo "debug kernel: building $key in $dir (about 18 minutes on 2 cores)" >&2
	# not "if ! ( ... )": errexit is off in a condition, subshells included
	set +e
	(
		set -e
		tar -xf "$tarball" -C "$tree" --strip-components=1
		cd "$tree"
		make tinyconfig
		scripts/kconfig/merge_config.sh -m .config "$frag"
		make olddefconfig
		if bad=$(check_config .config) && [ -n "$bad" ]; then
			echo "debug-kernel.config: options that did not end up as asked (missing dependencies?):"
			echo "$bad"
			exit 1
		fi
		# modules too: modules.builtin, modules.order and Module.symvers,
		# which depmod, modprobe and out-of-tree builds read
		nice make -j"$(nproc)" bzImage modules
		kv=$(make -s kernelrelease)
		make modules_install INSTALL_MOD_PATH="$dir/root" INSTALL_MOD_STRIP=1
		rm -f "$dir/root/lib/modules/$kv/build" "$dir/root/lib/modules/$kv/source"
		mkdir -p "$dir/root/boot"
		cp arch/x86/boot/bzImage "$dir/root/boot/vmlinuz-$kv"
		cp System.map "$dir/root/boot/System.map-$kv"
		depmod -b "$dir/root" "$kv"
		echo "$kv" >"$dir/kernelrelease"
	) >"$log" 2>&1
	rc=$?
	set -e
	if [ $rc -ne 0 ]; then
		echo "debug kernel: build failed, log in $log:" >&2
		tail -n 40 "$log" >&2
		exit 1
	fi
	echo $((SECONDS - start)) >"$dir/build-seconds"
	ln -sfn linux "$dir/build"
	touch "$dir/.complete"
	echo "debug kernel: built in $((SECONDS - start)) s" >&2
fi

# the fragment may have been tightened since the build: check again
if bad=$(check_config "$tree/.config") && [ -n "$bad" ]; then
	echo "debug kernel: $dir/linux/.config differs from debug-kernel.config:" >&2
	echo "$bad" >&2
	exit 1
fi
kv=$(cat "$dir/kernelrelease")
ln -sfn "debug-kernel/$key" "$CACHE/$kv.tmp"
mv -T "$CACHE/$kv.tmp" "$CACHE/$kv"
echo "$kv"
