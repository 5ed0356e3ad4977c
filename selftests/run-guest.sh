#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the VM: each selftest file in order, each under a time limit.
# The host runner (selftests/vm/run) merges the per-file TAP streams using
# the "### test" and "### exit" markers.
#
# From the runner's guest.env: SS_TESTS, if set, runs only the files of
# TESTS it names (the debug kernel's subset); SS_SKIP_TESTS names files
# reported as skipped, SS_SKIP_WHY says why; SS_TEST_TIMEOUT is the limit
# per file in seconds (600; deb.sh at least 1200); SS_DEBUG_KERNEL=1 adds a kmemleak check of our
# module's allocations after the last file.

cd "$(dirname "$0")" || exit 1

# module_lifecycle.sh goes first: it checks that ssctl loads the module on
# demand, which only works while nothing else has loaded it yet.
TESTS=(
	module_lifecycle.sh
	ssctl_config.sh
	server_tcp.sh
	tcp_2022.sh
	bidir.sh
	server_udp.sh
	udp_2022.sh
	user_2022.sh
	resolver.sh
	local_tcp.sh
	plugin.sh
	local_udp.sh
	tproxy.sh
	acl.sh
	handoff.sh
	replay.sh
	ynl.sh
	monitor.sh
	hostile.sh
	deb.sh
)

KMEMLEAK=/sys/kernel/debug/kmemleak

# selected FILE: whether SS_TESTS (a list of names; empty: all) names FILE
selected() {
	[ -z "${SS_TESTS:-}" ] && return 0
	[[ " $SS_TESTS " == *" $1 "* ]]
}

# kmemleak_scan: one scan; kmemleak reports an object only once two scans
# found it unreferenced and unchanged, and it is at least 5 s old
kmemleak_scan() {
	echo scan >"$KMEMLEAK"
}

# kmemleak_check: TAP for the objects kmemleak finds unreferenced once the
# module is gone. Ours are those whose allocation backtrace has a frame in
# shadowsocks.ko: "ss_...+0x../0x.. [shadowsocks]" while it is loaded, a
# bare address in the module area (0xffffffffa0000000 up; every other module
# of the debug kernel is built in) once it is unloaded. A bare "ss_" would
# match the kernel's own ss_wakeup. Any other leak is the kernel's: shown,
# not counted.
kmemleak_check() {
	local report ours others sep=$'\001' re start

	echo "### test kmemleak"
	# unloading frees everything the module still holds: what it loses
	# then is a leak too
	grep -q '^shadowsocks ' /proc/modules && rmmod shadowsocks
	start=$SECONDS
	if ! { kmemleak_scan && sleep 6 && kmemleak_scan && report=$(cat "$KMEMLEAK"); }; then
		echo "not ok 1 - kmemleak: scan (is it enabled? see the console log)"
		echo "### exit kmemleak 1"
		return 1
	fi
	echo "# kmemleak: scan, 6 s, scan: $((SECONDS - start)) s"
	# one object a line, its lines joined by \001
	report=$(awk -v RS='unreferenced object ' 'NR > 1 {
		gsub(/\n/, "\001"); sub(/\001+$/, ""); print "unreferenced object " $0 }' <<<"$report")
	re="\\[shadowsocks\\]|$sep +0xffffffff[a-f][0-9a-f]{7}($sep|\$)"
	ours=$(grep -E "$re" <<<"$report")
	others=$(grep -v -E "$re" <<<"$report")
	if [ -n "$others" ]; then
		echo "# kmemleak: $(grep -c . <<<"$others") unreferenced objects of the kernel, not ours (the first 3):"
		head -n 3 <<<"$others" | tr '\001' '\n' | sed 's/^/#   /'
	fi
	if [ -n "$ours" ]; then
		echo "not ok 1 - kmemleak: $(grep -c . <<<"$ours") unreferenced objects allocated by shadowsocks"
		tr '\001' '\n' <<<"$ours" | sed 's/^/# /'
		echo "### exit kmemleak 1"
		return 1
	fi
	echo "ok 1 - kmemleak: no unreferenced object allocated by shadowsocks"
	echo "### exit kmemleak 0"
}

rc=0
for t in ${SS_TESTS:-}; do
	selected_known=0
	for k in "${TESTS[@]}"; do
		[ "$k" = "$t" ] && selected_known=1
	done
	if [ $selected_known -eq 0 ]; then
		echo "### test $t"
		echo "not ok 1 - $t is in run-guest.sh's TESTS (SS_TESTS names it)"
		echo "### exit $t 1"
		rc=1
	fi
done

if [ "${SS_DEBUG_KERNEL:-0}" = 1 ]; then
	# forget what the boot leaked (clear forgets what was reported, which
	# takes two scans): the report at the end is the tests'
	start=$SECONDS
	kmemleak_scan && kmemleak_scan && echo clear >"$KMEMLEAK"
	echo "# kmemleak: two scans and a clear before the tests: $((SECONDS - start)) s"
fi

for t in "${TESTS[@]}"; do
	selected "$t" || continue
	echo "### test $t"
	if [[ " ${SS_SKIP_TESTS:-} " == *" $t "* ]]; then
		echo "ok 1 - $t # SKIP ${SS_SKIP_WHY:-}"
		echo "### exit $t 0"
		continue
	fi
	start=$SECONDS
	limit=${SS_TEST_TIMEOUT:-600}
	# deb.sh: DKMS's build in the package's postinst alone takes 480-540 s
	# under TCG, and more while the debug guest shares the host's CPUs
	# (606 s in all, killed at 600, in stop 32's CI)
	[ "$t" = deb.sh ] && [ "$limit" -lt 1200 ] && limit=1200
	timeout -k 5 "$limit" bash "./$t"
	r=$?
	echo "# $t: $((SECONDS - start)) s"
	echo "### exit $t $r"
	[ $r -eq 0 ] || rc=1
done

if [ "${SS_DEBUG_KERNEL:-0}" = 1 ]; then
	kmemleak_check || rc=1
fi
exit $rc
