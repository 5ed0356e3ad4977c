#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 in the test VM after switch_root: a minimal system (no udev, no
# network device), then the selftests, the demo or the benchmarks, whose
# output goes to the second serial port. Reboots when done, which ends QEMU
# (-no-reboot): unlike a power-off, that needs no ACPI.

# shellcheck disable=SC1090
. "$1"
export PATH="$SS_BUILD/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
export HOME=/root TERM=dumb LANG=C.UTF-8

mount -t devpts devpts /dev/pts 2>/dev/null
# what udev would add: bash's process substitution opens /dev/fd/N
ln -sfn /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
# /tmp and /var/tmp stay as the overlay has them (writable, in memory): the
# tree under test may itself live under /tmp on the host. /run gets a fresh
# tmpfs so that nothing of the host's run state (netns names, pid files)
# leaks in.
mount -t tmpfs tmpfs /run
mkdir -p /run/netns /var/run
hostname ss-vm
ip link set lo up
echo 1 2>/dev/null >/proc/sys/kernel/sysrq
# kmemleak and fault injection live there (debug kernel)
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

# With no udev nothing loads the accelerated crypto drivers; without them
# gcm(aes) falls back to aes-generic. (The debug kernel has them built in.)
for m in aesni_intel ghash_clmulni_intel chacha_x86_64 poly1305_x86_64; do
	modprobe -q "$m" 2>/dev/null
done

exec >/dev/ttyS1 2>&1
echo "# guest: kernel $(uname -r), $(nproc) CPUs"
case "$SS_MODE" in
test) bash "$SS_REPO/selftests/run-guest.sh" ;;
demo) bash "$SS_REPO/selftests/demo.sh" ;;
bench) bash "$SS_REPO/selftests/bench.sh" ;;
guest)
	# relative paths in the command are the repository's
	cd "$SS_REPO" || exit 1
	if cmd=$(cat "$SS_BUILD/$SS_KVER/guest.cmd"); then
		eval "$cmd"
	else
		false
	fi
	;;
esac
rc=$?
echo "### guest done $rc"
sync
# busybox's: the host's reboot may want systemd
busybox reboot -f
sleep 10
