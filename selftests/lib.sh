# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the guest-side selftests (sourced, bash). Each test file is a
# plain script run by selftests/run-guest.sh inside the VM; it prints one
# TAP 13 stream of its own (the runner renumbers and merges them).
#
#   ss_test "description" command args...   run it; ok if it exits 0
#   ss_ok "description" / ss_fail "description" "why"
#   ss_skip "description" "why"
#   ss_done                                  print the plan, exit 0/1
#   ok_if "description" JQ_FILTER JSON       ok if the filter holds on it
#   elapsed "message"                        "# [N s] message", N since start
#   ss_methods METHOD...                     those SS_METHODS names (all if unset)
#   ss_ynl_ready / ss_ynl NS ARGS...         the kernel's ynl CLI on our spec,
#                                            run in netns NS (JSON output)
#   ss_stats_match NS DIR                    ssctl stats agrees with show -j
#
# Output of failing commands is shown as TAP diagnostics ("# ...").

SS_T_NUM=0
SS_T_FAILED=0
SS_T_SKIPPED=0
echo "TAP version 13"

ss_ok() {
	SS_T_NUM=$((SS_T_NUM + 1))
	echo "ok $SS_T_NUM - $1"
}

ss_fail() {
	SS_T_NUM=$((SS_T_NUM + 1))
	SS_T_FAILED=$((SS_T_FAILED + 1))
	echo "not ok $SS_T_NUM - $1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/# /'
	return 0
}

ss_skip() {
	SS_T_NUM=$((SS_T_NUM + 1))
	SS_T_SKIPPED=$((SS_T_SKIPPED + 1))
	echo "ok $SS_T_NUM - $1 # SKIP ${2:-}"
}

ss_test() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		ss_ok "$desc"
	else
		ss_fail "$desc" "$out"
	fi
}

# wait_for TIMEOUT_SECONDS command args...: poll until it succeeds
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.1
	done
}

# ok_if DESC JQ_FILTER JSON: ok if the filter holds on the JSON
ok_if() {
	if jq -e "$2" <<<"$3" >/dev/null 2>&1; then ss_ok "$1"; else ss_fail "$1" "$3"; fi
}

# tap_json OUTPUT PREFIX: one TAP line per {"case": ..., "ok": ...} line a
# tool printed (tools/takeover.py, tools/nlfuzz.py); other lines are ignored
tap_json() {
	local line
	while IFS= read -r line; do
		case "$line" in
		'{"case"'*)
			if [ "$(jq -r '.ok' <<<"$line")" = true ]; then
				ss_ok "$2$(jq -r '.case' <<<"$line")"
			else
				ss_fail "$2$(jq -r '.case' <<<"$line")" "$line"
			fi
			;;
		esac
	done <<<"$1"
}

# elapsed MSG: where the file is in time, for reading a slow run's log
T_START=$SECONDS
elapsed() { echo "# [$((SECONDS - T_START)) s] $*"; }

# cpu_ticks: "user system" jiffies of the whole guest so far
cpu_ticks() {
	awk '/^cpu / { print $2 + $3, $4 + $7 + $8 }' /proc/stat
}

# median of the arguments (the lower of the middle two for an even count)
median() {
	printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)] }'
}

# ksym_defined NAME: the running kernel (or a loaded module) has symbol NAME
ksym_defined() {
	awk -v f="$1" '$3 == f { x = 1; exit } END { exit !x }' /proc/kallsyms
}

# ss_methods METHOD...: the methods a file loops over, those of them that
# SS_METHODS names if the runner set it (the default run gives the older
# stock kernel one method per transform: aes-256-gcm stands for the AES
# key lengths there, which share every line of kernel API with it)
ss_methods() {
	local m
	for m in "$@"; do
		if [ -z "${SS_METHODS:-}" ] || [[ " $SS_METHODS " == *" $m "* ]]; then
			echo "$m"
		fi
	done
}

ss_done() {
	echo "1..$SS_T_NUM"
	[ "$SS_T_FAILED" -eq 0 ]
}

# The kernel's ynl CLI (tools/net/ynl of linux-source-6.12, extracted by
# selftests/vm/setup.sh), run with Debian's python3 (it has PyYAML and
# jsonschema) on the module's spec.
SS_YNL_DIR=${SS_YNL_DIR:-/var/cache/shadowsocks-vm/ynl}
SS_YNL_CLI=$SS_YNL_DIR/tools/net/ynl/cli.py
SS_YNL_SCHEMA=$SS_YNL_DIR/Documentation/netlink/genetlink-legacy.yaml
SS_SPEC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/Documentation/netlink/specs/shadowsocks.yaml

ss_ynl_ready() { [ -f "$SS_YNL_CLI" ] && [ -f "$SS_YNL_SCHEMA" ]; }

ss_ynl() {
	local ns=$1

	shift
	ip netns exec "$ns" /usr/bin/python3 "$SS_YNL_CLI" --spec "$SS_SPEC" \
		--schema "$SS_YNL_SCHEMA" --output-json "$@"
}

# ss_stats_match NETNS DIR: `ssctl stats -o` in NETNS holds every counter
# of every object as `ssctl -j show` reads them just before and after
# (selftests/tools/prom_check.py, with prometheus_client's parser); DIR
# gets the files
ss_stats_match() {
	local ns=$1 d=$2 k
	mkdir -p "$d"
	for k in server client; do
		ip netns exec "$ns" ssctl -j $k show >"$d/before-$k" || return 1
	done
	ip netns exec "$ns" ssctl stats -o "$d/ss.prom" || return 1
	for k in server client; do
		ip netns exec "$ns" ssctl -j $k show >"$d/after-$k" || return 1
	done
	/usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/tools/prom_check.py" \
		"$d/ss.prom" "$d/before-server" "$d/before-client" \
		"$d/after-server" "$d/after-client"
}
