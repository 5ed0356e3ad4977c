#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The monitor group's events, as `ssctl -j monitor` (and `ssctl monitor`'s
# text) and the kernel's ynl CLI (`--subscribe monitor`) see them:
#   - created / deleted (userspace) for servers and client profiles, in a
#     namespace of its own, and nothing of another namespace
#   - auth-fail: a burst of connections failing authentication gives at
#     least one event and at most one a second, while the counter counts
#     every connection; replay likewise for a replayed UDP packet
#   - refused: a server at max-conns with authenticated connections
#   - deleted (netns-exit): heard by a monitor in the initial namespace
#   - deleted (module-unload) before the monitor exits with status 1
# Ends with the module unloaded (the next file loads it on demand).

source "$(dirname "$0")/lib.sh"

TOOLS=$(cd "$(dirname "$0")" && pwd)/tools
PY=/usr/bin/python3
NS=ssmon-$$
NS2=ssmon2-$$
NS3=ssmon3-$$
TMP=$(mktemp -d)
PW="monitor test password $$"
PIDS=()

cleanup() {
	[ ${#PIDS[@]} -gt 0 ] && kill "${PIDS[@]}" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	ip netns del "$NS2" 2>/dev/null
	ip netns del "$NS3" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

in_ns() { ip netns exec "$NS" "$@"; }

# events FILE JQ: the events of FILE (one JSON object a line) that JQ keeps
events() { jq -c "select($2)" "$1" 2>/dev/null; }
count() { events "$1" "$2" | wc -l; }
# has_event FILE JQ: an event that JQ keeps has arrived
has_event() { [ "$(count "$1" "$2")" -ge 1 ]; }

ip netns add "$NS" && in_ns ip link set lo up
ss_test "the module loads (ssctl, on demand)" in_ns ssctl server show

in_ns ssctl -j monitor >"$TMP/mon.json" 2>"$TMP/mon.err" &
MON=$!
PIDS+=("$MON")
in_ns ssctl monitor >"$TMP/mon.txt" 2>&1 &
PIDS+=("$!")
ssctl -j monitor >"$TMP/root.json" 2>"$TMP/root.err" &	# initial namespace
ROOT_MON=$!
PIDS+=("$ROOT_MON")
have_ynl=0
if ss_ynl_ready; then
	have_ynl=1
	ss_ynl "$NS" --subscribe monitor --sleep 10 >"$TMP/ynl.json" \
		2>"$TMP/ynl.err" &
	YNL=$!
	PIDS+=("$YNL")
fi
# Wait until the three subscribers of $NS are in (ynl's start, Python
# reading the spec and its schema, is slow under TCG): /proc/net/netlink
# shows each socket's first 32 groups.
GRP=$(in_ns "$PY" -c "import sys; sys.path.insert(0, '$TOOLS')
from genl import Genl; print(Genl().groups['monitor'])")
monitors_in() {
	in_ns cat /proc/net/netlink | {
		n=0
		while read -r _ eth _ groups _; do
			[ "$eth" = 16 ] || continue
			(((0x$groups >> (GRP - 1)) & 1)) && n=$((n + 1))
		done
		[ $n -ge "$1" ]
	}
}
if [ -n "$GRP" ] && [ "$GRP" -le 32 ]; then
	wait_for 30 monitors_in $((2 + have_ynl))
else
	sleep 10	# a group beyond what /proc/net/netlink shows: give time
fi
sleep 0.5

# ---- created and deleted ------------------------------------------------------

in_ns ssctl server add m0 address 127.0.0.1 port 8820 method aes-256-gcm \
	password "$PW" >/dev/null
in_ns ssctl client add c0 server 127.0.0.1 port 8820 method aes-256-gcm \
	password "$PW" >/dev/null
in_ns ssctl server del m0
in_ns ssctl client del c0
ss_test "ssctl -j monitor: server m0 and client c0 created, then deleted (userspace)" \
	wait_for 5 has_event "$TMP/mon.json" \
	'.event == "deleted" and .object == "client" and .name == "c0" and .reason == "userspace"'
want='{"event":"created","object":"server","name":"m0"}
{"event":"created","object":"client","name":"c0"}
{"event":"deleted","object":"server","name":"m0","reason":"userspace"}
{"event":"deleted","object":"client","name":"c0","reason":"userspace"}'
got=$(head -n 4 "$TMP/mon.json")
if [ "$got" = "$want" ]; then
	ss_ok "ssctl -j monitor: the four events, in order, exactly"
else
	ss_fail "ssctl -j monitor: the four events, in order, exactly" "$got"
fi
want='server m0: created
client c0: created
server m0: deleted
client c0: deleted'
got=$(head -n 4 "$TMP/mon.txt")
if [ "$got" = "$want" ]; then
	ss_ok "ssctl monitor: the same events as text lines"
else
	ss_fail "ssctl monitor: the same events as text lines" "$got"
fi
if [ $have_ynl = 1 ]; then
	wait "$YNL"
	json=$(cat "$TMP/ynl.json" "$TMP/ynl.err")
	ok_if "ynl --subscribe monitor: object-new-ntf and object-del-ntf, decoded by the spec" \
		'[.[] | [.name, .msg.object, .msg.name, .msg.reason]] ==
		 [["object-new-ntf", "server", "m0", null],
		  ["object-new-ntf", "client", "c0", null],
		  ["object-del-ntf", "server", "m0", "userspace"],
		  ["object-del-ntf", "client", "c0", "userspace"]]' "$json"
else
	ss_fail "ynl --subscribe monitor: the ynl CLI is at $SS_YNL_DIR (selftests/vm/setup.sh)"
fi
ss_test "the initial namespace's monitor heard nothing of another namespace" \
	test ! -s "$TMP/root.json"

# ---- auth-fail and replay: the first of each second -----------------------------

in_ns ssctl server add m1 address 127.0.0.1 port 8821 method aes-256-gcm \
	password "$PW" mode tcp_and_udp handshake-timeout 2 >/dev/null
held=$(in_ns "$PY" "$TOOLS/hold.py" --server 127.0.0.1:8821 --n 40 \
	--case random --method aes-256-gcm --password "$PW" --timeout 1)
secs=$(jq '.seconds' <<<"$held" 2>/dev/null)
auth_counted() {
	[ "$(in_ns ssctl server show m1 -j | jq '.[0].stats.auth_fail')" -ge 40 ]
}
wait_for 10 auth_counted
n=$(count "$TMP/mon.json" '.event == "auth-fail" and .name == "m1"')
max=$(awk -v s="${secs:-0}" 'BEGIN { print int(s) + 2 }')
counted=$(in_ns ssctl server show m1 -j | jq '.[0].stats.auth_fail')
if [ "$n" -ge 1 ] && [ "$n" -le "$max" ] && [ "$counted" -ge 40 ]; then
	ss_ok "auth-fail: 40 connections failing authentication in ${secs} s: $n event(s) (at most one a second), $counted counted"
else
	ss_fail "auth-fail: 40 connections failing authentication in ${secs} s: $n event(s) (at most one a second), $counted counted" \
		"$(cat "$TMP/mon.json")"
fi
sleep 1.2	# the limiter's second is over
out=$(in_ns "$PY" "$TOOLS/ss_udp.py" replay --server 127.0.0.1:8821 \
	--method aes-256-gcm --password "$PW" --target 127.0.0.1:9 2>&1)
replay_seen() {
	has_event "$TMP/mon.json" '.event == "replay" and .object == "server" and .name == "m1"'
}
ss_test "replay: a UDP packet sent twice gives a replay event for server m1" \
	wait_for 5 replay_seen
ss_test "ssctl monitor: the text line of a replay" \
	grep -qx "server m1: replayed salt refused (the first this second)" "$TMP/mon.txt"
# the same counters through ssctl stats, as a Prometheus parser reads them
ss_test "ssctl stats: server m1's counters (auth_fail $counted and more) as show -j has them" \
	ss_stats_match "$NS" "$TMP/stats"

# ---- refused at max-conns ----------------------------------------------------------

in_ns ssctl server add m2 address 127.0.0.1 port 8822 method aes-256-gcm \
	password "$PW" max-conns 2 handshake-timeout 30 >/dev/null
# two connections that authenticated (a salt and a sealed length) fill it;
# a third is refused at once
mkdir "$TMP/hold"
in_ns "$PY" "$TOOLS/hold.py" --server 127.0.0.1:8822 --n 2 --case len \
	--method aes-256-gcm --password "$PW" --dir "$TMP/hold" --timeout 20 \
	>"$TMP/hold.json" 2>&1 &
HOLD=$!
PIDS+=("$HOLD")
two_active() {
	[ "$(in_ns ssctl server show m2 -j | jq '.[0].stats.conn_active')" = 2 ]
}
wait_for 20 two_active
sleep 1		# their lengths are opened: authenticated
in_ns "$PY" "$TOOLS/hold.py" --server 127.0.0.1:8822 --n 1 --case idle \
	--timeout 1 >/dev/null 2>&1
touch "$TMP/hold/go"
wait "$HOLD"
refused_seen() {
	has_event "$TMP/mon.json" '.event == "refused" and .object == "server" and .name == "m2"'
}
ss_test "refused: a server at max-conns 2 with authenticated connections: a refused event" \
	wait_for 5 refused_seen
ss_test "refused: the text line" \
	grep -qx "server m2: refused a connection at max-conns" "$TMP/mon.txt"

# ---- a namespace that ends: heard in the initial namespace ----------------------------

ip netns add "$NS2" && ip netns exec "$NS2" ip link set lo up
ip netns exec "$NS2" ssctl server add gone address 127.0.0.1 port 8823 \
	method aes-256-gcm password "$PW" >/dev/null
ip netns exec "$NS2" ssctl client add gone-c server 127.0.0.1 port 8823 \
	method aes-256-gcm password "$PW" >/dev/null
ip netns del "$NS2"
netns_gone() {
	has_event "$TMP/root.json" '.event == "deleted" and .name == "gone-c" and .reason == "netns-exit"'
}
ss_test "netns-exit: the initial namespace's monitor hears both objects deleted, reason netns-exit" \
	wait_for 20 netns_gone
ok_if "netns-exit: exactly the two deletions, nothing else of that namespace" \
	'[inputs] | length == 2 and .[0].name == "gone" and .[0].object == "server"' \
	"$(cat <(echo null) "$TMP/root.json")"
if count "$TMP/mon.json" '.name == "gone" or .name == "gone-c"' | grep -qx 0; then
	ss_ok "netns-exit: the other namespace's monitor heard nothing of it"
else
	ss_fail "netns-exit: the other namespace's monitor heard nothing of it" "$(cat "$TMP/mon.json")"
fi

# ---- permission --------------------------------------------------------------------

ip netns add "$NS3"
out=$(ip netns exec "$NS3" setpriv --reuid=65534 --regid=65534 --clear-groups \
	ssctl monitor 2>&1)
rc=$?
if [ $rc = 1 ] && [[ $out == *"permission denied (CAP_NET_ADMIN is required)"* ]]; then
	ss_ok "monitor as nobody: refused, 'permission denied', status 1"
else
	ss_fail "monitor as nobody: refused, 'permission denied', status 1" "rc=$rc $out"
fi

# ---- module unload ----------------------------------------------------------------

# m1 and m2 are still there: rmmod deletes them, the monitor hears why
# before the family goes, then exits with status 1.
if rmmod shadowsocks 2>"$TMP/rmmod.err"; then
	ss_ok "rmmod shadowsocks with servers and monitors live"
else
	ss_fail "rmmod shadowsocks with servers and monitors live" "$(cat "$TMP/rmmod.err")"
fi
mon_exited() { ! kill -0 "$MON" 2>/dev/null; }
wait_for 10 mon_exited
wait "$MON"
rc=$?
ok_if "module-unload: servers m1 and m2 deleted, reason module-unload" \
	'[inputs | select(.event == "deleted" and .reason == "module-unload") | .name] | sort == ["m1", "m2"]' \
	"$(cat <(echo null) "$TMP/mon.json")"
if [ $rc = 1 ] && grep -q "the shadowsocks kernel module was unloaded: exiting" "$TMP/mon.err"; then
	ss_ok "module-unload: ssctl monitor exits with status 1, saying why"
else
	ss_fail "module-unload: ssctl monitor exits with status 1, saying why" "rc=$rc $(cat "$TMP/mon.err")"
fi
ss_done
