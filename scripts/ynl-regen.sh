#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Generate, from Documentation/netlink/specs/shadowsocks.yaml, with the
# kernel's ynl-gen-c.py (linux-source-6.12, tools/net/ynl):
#
#   uapi/linux/shadowsocks_genl.h   the enums, the family's name and version
#   kmod/netlink-gen.h, .c          per-operation policies and the ops table
#
# and, with scripts/counters-gen.py, from the spec's "stats" attribute set:
#
#   ssctl/counters-gen.h            ssctl's table of counters
#   ssctl/ssctl.8                   its list of counters (between markers)
#
# Usage: scripts/ynl-regen.sh [--check]
#   --check   generate into a scratch directory and fail, with a diff, if a
#             file in the tree differs from what the spec generates
#
# YNL_DIR is a directory holding tools/net/ynl and Documentation/netlink of
# linux-source-6.12 (default: selftests/vm/setup.sh's cache).

set -euo pipefail

usage() {
	echo "usage: $0 [--check]" >&2
	exit 2
}

check=0
case "${1-}" in
--check) check=1 ;;
'') ;;
*) usage ;;
esac
[ $# -le 1 ] || usage

repo=$(cd "$(dirname "$0")/.." && pwd)
ynl=${YNL_DIR:-/var/cache/shadowsocks-vm/ynl}
gen=$ynl/tools/net/ynl/ynl-gen-c.py
if [ ! -f "$gen" ]; then
	echo "$0: no $gen: run selftests/vm/setup.sh, or set YNL_DIR" >&2
	exit 1
fi

# ynl-gen-c.py finds the schema beside the spec's directory and names the
# spec by its path below a directory holding MAINTAINERS (a kernel tree):
# give it one, so the files record Documentation/netlink/specs/...
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tree/Documentation/netlink/specs" "$work/out/uapi/linux" \
	"$work/out/kmod" "$work/out/ssctl"
touch "$work/tree/MAINTAINERS"
cp "$ynl/Documentation/netlink/genetlink-legacy.yaml" \
	"$work/tree/Documentation/netlink/"
spec=$work/tree/Documentation/netlink/specs/shadowsocks.yaml
cp "$repo/Documentation/netlink/specs/shadowsocks.yaml" "$spec"

python3 "$gen" --mode uapi --header --spec "$spec" \
	-o "$work/out/uapi/linux/shadowsocks_genl.h"
python3 "$gen" --mode kernel --header --spec "$spec" \
	-o "$work/out/kmod/netlink-gen.h"
python3 "$gen" --mode kernel --source --spec "$spec" \
	-o "$work/out/kmod/netlink-gen.c"
python3 "$repo/scripts/counters-gen.py" "$spec" \
	"$work/out/ssctl/counters-gen.h" "$repo/ssctl/ssctl.8" \
	"$work/out/ssctl/ssctl.8"

files=(uapi/linux/shadowsocks_genl.h kmod/netlink-gen.h kmod/netlink-gen.c
	ssctl/counters-gen.h ssctl/ssctl.8)
if [ "$check" -eq 1 ]; then
	status=0
	for f in "${files[@]}"; do
		if ! diff -u "$repo/$f" "$work/out/$f"; then
			echo "$f is not what the spec generates: run scripts/ynl-regen.sh" >&2
			status=1
		fi
	done
	exit "$status"
fi
for f in "${files[@]}"; do
	cp "$work/out/$f" "$repo/$f"
done
