#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host check of the test peer's BLAKE3 (selftests/tools/blake3.py, written
# from the specification, sharing no code with the module): the BLAKE3
# team's test vectors in all three modes, random inputs against Debian's
# b3sum (plain, extended output, keyed, derive-key), and the SIP022 session
# subkey vectors. Runs on the host, not in the VM; needs b3sum (Debian
# package b3sum, installed by selftests/vm/setup.sh).
#
# usage: selftests/host_blake3.sh
# Prints TAP; exits non-zero if any check fails.

set -euo pipefail

[ $# -eq 0 ] || { echo "usage: $0" >&2; exit 2; }
tools=$(cd "$(dirname "$0")/tools" && pwd)

if ! command -v b3sum >/dev/null; then
	echo "not ok 1 - b3sum is missing: apt-get install b3sum" \
		"(selftests/vm/setup.sh installs it)"
	echo "1..1"
	exit 1
fi

# one run, so the TAP lines are numbered through and the plan comes last
/usr/bin/python3 "$tools/blake3.py" \
	--check "$tools/blake3_vectors.json" \
	--b3sum \
	--sip022 "$tools/sip022_vectors.json"
