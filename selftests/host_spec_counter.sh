#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host check of issue 13's "one source for each counter": in a copy of the
# tree, add a counter to the netlink spec's "stats" set and regenerate.
# Then nothing but the spec and the generated files may differ, the uapi
# enum must have grown at its end (numbers never change), ssctl's table and
# man page must list the counter, ssctl's tests (show-test walks the table)
# must pass with it, and ssctl and the module must build warning-free
# (W=1) against KDIR. The module needs no edit: it stores and reports
# counters by their SS_STATS_A_* number (kmod/stats.c).
#
# usage: selftests/host_spec_counter.sh KDIR    (YNL_DIR as for ynl-regen.sh)
# Prints TAP-free diagnostics; exits non-zero on the first failure.

set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 KDIR" >&2; exit 2; }
kdir=$1
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
	echo "host_spec_counter: $*" >&2
	exit 1
}

# the tree as it is (tracked and new files), without build products
mkdir "$work/orig" "$work/tree"
(cd "$repo" && git ls-files -z --cached --others --exclude-standard |
	tar --null -T - -cf -) | tar -C "$work/orig" -xf -
cp -a "$work/orig/." "$work/tree/"

spec=Documentation/netlink/specs/shadowsocks.yaml
/usr/bin/python3 - "$work/tree/$spec" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
# after the last attribute of the stats set (evicted or one after it), as
# a new counter would be, keeping the spec's own layout
marker = '        name: evicted\n'
start = text.index(marker)
end = text.index('\noperations:', start)
block = text[start:end].rstrip('\n')
text = text[:start] + block + '''
      -
        name: spec-test
        type: u64
        doc: A counter added by selftests/host_spec_counter.sh.
''' + text[end:]
open(path, 'w').write(text)
PY

bash "$work/tree/scripts/ynl-regen.sh" >"$work/regen.log" 2>&1 ||
	fail "regeneration failed: $(cat "$work/regen.log")"

changed=$(cd "$work" && { diff -rq orig tree || true; } | sed -n 's|^Files orig/\([^ ]*\) and .*|\1|p' | sort)
allowed=$(printf '%s\n' "$spec" uapi/linux/shadowsocks_genl.h \
	kmod/netlink-gen.c kmod/netlink-gen.h ssctl/counters-gen.h \
	ssctl/ssctl.8 | sort)
extra=$(comm -23 <(echo "$changed") <(echo "$allowed"))
[ -z "$extra" ] || fail "files changed besides the spec and the generated ones: $extra"
only=$(cd "$work" && diff -rq orig tree | grep -v '^Files ' || true)
[ -z "$only" ] || fail "files added or removed: $only"

# uapi: the new type right after the last one, nothing renumbered
enum=$(sed -n '/^enum ss_stats_attr {/,/^};/p' "$work/tree/uapi/linux/shadowsocks_genl.h")
last=$(sed -n '/^enum ss_stats_attr {/,/^};/p' "$work/orig/uapi/linux/shadowsocks_genl.h" |
	grep -o 'SS_STATS_A_[A-Z0-9_]*,' | tail -n 1 | tr -d ,)
grep -A1 "$last," <<<"$enum" | grep -q 'SS_STATS_A_SPEC_TEST,' ||
	fail "SS_STATS_A_SPEC_TEST is not right after $last: $enum"
diff <(sed -n "/^enum ss_stats_attr {/,/$last/p" \
	"$work/orig/uapi/linux/shadowsocks_genl.h") \
	<(sed -n "/^enum ss_stats_attr {/,/$last/p" \
	"$work/tree/uapi/linux/shadowsocks_genl.h") >/dev/null ||
	fail "the existing stats numbers changed"

grep -q '{ SS_STATS_A_SPEC_TEST, "spec_test",' "$work/tree/ssctl/counters-gen.h" ||
	fail "ssctl/counters-gen.h has no entry for the new counter"
grep -q '^\.B spec_test$' "$work/tree/ssctl/ssctl.8" ||
	fail "ssctl.8 does not list the new counter"

out=$(make -C "$work/tree/ssctl" --no-print-directory check 2>&1) ||
	fail "ssctl's tests fail with the new counter: $out"
grep -q 'ok [0-9]* - show: show -j reports spec_test' <<<"$out" ||
	fail "show-test did not check the new counter: $out"
! grep -q 'warning:' <<<"$out" || fail "ssctl warns: $out"

out=$(make -C "$kdir" M="$work/tree" W=1 modules 2>&1) ||
	fail "the module does not build with the new counter: $out"
! grep -q 'warning:' <<<"$out" || fail "the module warns: $out"
echo "host_spec_counter: ok (changed: $(echo $changed))"
