#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the VM: each selftest file in order, each under a time limit.
# The host runner (selftests/vm/run) merges the per-file TAP streams using
# the "### test" and "### exit" markers.

cd "$(dirname "$0")" || exit 1

# module_lifecycle.sh goes first: it checks that ssctl loads the module on
# demand, which only works while nothing else has loaded it yet.
TESTS=(
	module_lifecycle.sh
	ssctl_config.sh
	server_tcp.sh
	server_udp.sh
	local_tcp.sh
	local_udp.sh
	handoff.sh
	replay.sh
)

rc=0
for t in "${TESTS[@]}"; do
	echo "### test $t"
	timeout -k 5 600 bash "./$t"
	r=$?
	echo "### exit $t $r"
	[ $r -eq 0 ] || rc=1
done
exit $rc
