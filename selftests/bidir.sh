#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Both directions of a connection at once. Relaying, each direction runs
# in a work of its own beside the control work, which alone closes
# (kmod/conn.c): the close must wait for a running direction and cancel a
# queued one. Topology (selftests/topology.sh): client netns (ss-socksd
# --socks, the local role) -> server netns (the server role) -> target
# netns (echo on 9000), module to module.
#
# For an AEAD-2017 method and a 2022 one (whose local role's reading
# direction checks that the response quotes the salt its sending direction
# chose), or the 2022 one alone on the debug kernel:
#   - 32 MiB (2 on the debug kernel) sent and echoed at once on each of 2
#     connections, intact; the profile's and the server's counters: 2
#     connections, every byte each way, no error, none left
#   - bulk both ways on 2 connections (tools/clients.py bulk: a random MiB
#     sent over and over while the echo is read and checked), cut in the
#     middle (once the server has relayed 2 MiB more each way, 1 on the
#     debug kernel): the
#     application killed (SIGKILL: its sockets reset): both relays let go;
#     the client profile deleted: the application's connections end, the
#     echo intact up to there, the server lets go; the server deleted: the
#     same, the profile lets go
# The end: every object deleted, rmmod, and no kernel warning (KASAN,
# lockdep and kmemleak on the debug kernel). The default run of
# selftests/vm/run gives it to the debug kernel only.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topology.sh"

METHODS=(chacha20-ietf-poly1305 2022-blake3-chacha20-poly1305)
BIDIR=$((32 << 20))
MOVED=$((2 << 20))	# relayed each way before a cut
if [ "${SS_DEBUG_KERNEL:-0}" = 1 ]; then
	# KASAN moves a MiB ten times slower; the split is the same for every
	# method, and 2022's local role adds the salt hand-off
	METHODS=(2022-blake3-chacha20-poly1305)
	BIDIR=$((2 << 20)) MOVED=$((1 << 20))
fi

cleanup() {
	topo_del_objects
	topo_cleanup
}
trap cleanup EXIT

# keyargs METHOD: ssctl's key or password arguments for METHOD
declare -A KEYARGS
keyargs() {
	if [[ $1 == 2022-* ]]; then
		KEYARGS[$1]="key $(openssl rand -base64 32)"
	else
		KEYARGS[$1]="password $(openssl rand -hex 12)"
	fi
}

# pair I METHOD: server s$I on port 8600+I, client profiles c$I and d$I
# to it, ss-socksd --socks on 127.0.0.1:10600+I and 10700+I in front
pair() {
	local i=$1 m=$2 p
	# shellcheck disable=SC2086 # KEYARGS holds two words
	in_s ssctl server add "s$i" port $((8600 + i)) method "$m" ${KEYARGS[$m]} || return 1
	for p in c d; do
		# shellcheck disable=SC2086
		in_c ssctl client add "$p$i" server "$S4_C" port $((8600 + i)) method "$m" \
			${KEYARGS[$m]} handshake-timeout 10 || return 1
	done
	topo_bg "socksd-c$i" "$NS_C" ss-socksd -v --client "c$i" --socks "127.0.0.1:$((10600 + i))"
	topo_bg "socksd-d$i" "$NS_C" ss-socksd -v --client "d$i" --socks "127.0.0.1:$((10700 + i))"
	wait_for 10 listening "$NS_S" $((8600 + i)) &&
		wait_for 10 listening "$NS_C" $((10600 + i)) &&
		wait_for 10 listening "$NS_C" $((10700 + i))
}

# clients SOCKS_PORT ARGS...: tools/clients.py through ss-socksd on
# SOCKS_PORT to the echo service
clients() {
	in_c "$PY" "$SS_TOOLS/clients.py" --socks "127.0.0.1:$1" --target "$T4:9000" \
		--timeout 300 "${@:2}"
}

# moving SERVER IN OUT: SERVER has relayed MOVED bytes more each way than
# IN and OUT bytes
moving() {
	jq -e ".bytes_in >= $2 + $MOVED and .bytes_out >= $3 + $MOVED" \
		<<<"$(stats_s "$1")" >/dev/null
}

active_c() { [ "$(stats_c "$1" | jq .conn_active)" = 0 ]; }
active_s() { [ "$(stats_s "$1" | jq .conn_active)" = 0 ]; }

# cut HOW DESC PROFILE SERVER SOCKS_PORT: bulk both ways through PROFILE on
# two connections, then HOW: kill (the application, SIGKILL), profile
# (deleted) or server (deleted); the relays still there let go of every
# connection, and unless killed, the application's connections end before
# their 90 s with every byte echoed intact up to there
cut() {
	local how=$1 desc=$2 prof=$3 srv=$4 st pid rc out
	st=$(stats_s "$srv")
	# not through the function: $! must be python's own PID (ip execs it)
	ip netns exec "$NS_C" "$PY" "$SS_TOOLS/clients.py" --socks "127.0.0.1:$5" \
		--target "$T4:9000" bulk --n 2 --seconds 90 >"$TOPO_DIR/cut.out" 2>&1 &
	pid=$!
	if ! wait_for 60 moving "$srv" "$(jq .bytes_in <<<"$st")" "$(jq .bytes_out <<<"$st")"; then
		kill -9 "$pid" 2>/dev/null
		wait "$pid"
		ss_fail "$desc" "no bulk both ways: server $(stats_s "$srv"); $(cat "$TOPO_DIR/cut.out")"
		return
	fi
	case $how in
	kill) kill -9 "$pid" ;;
	profile) in_c ssctl client del "$prof" ;;
	server) in_s ssctl server del "$srv" ;;
	esac
	{ wait "$pid"; } 2>/dev/null	# (no "Killed" line from bash)
	rc=$?
	out=$(cat "$TOPO_DIR/cut.out")
	case $how in
	kill)
		[ $rc = 137 ] && wait_for 30 active_c "$prof" && wait_for 30 active_s "$srv" ;;
	profile)
		[ $rc = 0 ] && jq -e '[.conns[].end] | all(. != "timeout")' <<<"$out" >/dev/null &&
			wait_for 30 active_s "$srv" ;;
	server)
		[ $rc = 0 ] && jq -e '[.conns[].end] | all(. != "timeout")' <<<"$out" >/dev/null &&
			wait_for 30 active_c "$prof" ;;
	esac
	if [ $? = 0 ]; then
		ss_ok "$desc"
	else
		ss_fail "$desc" "exit $rc: $out
profile: $(stats_c "$prof" 2>&1)
server: $(stats_s "$srv" 2>&1)"
	fi
}

topo_start kmsg
ss_test "the module loads" in_s ssctl server show

for i in "${!METHODS[@]}"; do
	m=${METHODS[$i]}
	keyargs "$m"
	if ! pair "$i" "$m" >"$TOPO_DIR/err" 2>&1; then
		ss_fail "$m: a server, two client profiles to it, ss-socksd in front of each" \
			"$(cat "$TOPO_DIR/err")"
		continue
	fi
	out=$(clients $((10600 + i)) concurrent --n 2 --size "$BIDIR" 2>&1)
	ok_if "$m: $((BIDIR >> 20)) MiB sent and echoed at once on each of 2 connections, intact" \
		'.ok == 2' "$out"
	wait_for 30 active_c "c$i"
	wait_for 30 active_s "s$i"
	want=".conn_active == 0 and .conn_total == 2 and
		.bytes_in >= $((2 * BIDIR)) and .bytes_in <= $((2 * BIDIR + 2048)) and
		.bytes_out >= $((2 * BIDIR)) and .bytes_out <= $((2 * BIDIR + 2048)) and
		.auth_fail == 0 and .bad_header == 0"
	ok_if "$m: the profile counted 2 connections, $((2 * BIDIR >> 20)) MiB each way, no error, none left" \
		"$want" "$(stats_c "c$i")"
	ok_if "$m: the server counted 2 connections, $((2 * BIDIR >> 20)) MiB each way, no error, none left" \
		"$want" "$(stats_s "s$i")"

	cut kill "$m: the application killed in the middle of bulk both ways: both relays let go" \
		"c$i" "s$i" $((10600 + i))
	cut profile "$m: the profile deleted in the middle of bulk both ways: the application's connections end, intact, the server lets go" \
		"c$i" "s$i" $((10600 + i))
	cut server "$m: the server deleted in the middle of bulk both ways: the application's connections end, intact, the profile lets go" \
		"d$i" "s$i" $((10700 + i))
	elapsed "$m done"
done

topo_del_objects
ss_test "rmmod shadowsocks" rmmod shadowsocks
sleep 1
topo_kmsg_stop
kmsg_clean
ss_done
