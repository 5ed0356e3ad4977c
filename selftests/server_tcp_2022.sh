#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The server role's Shadowsocks 2022 TCP relay (SIP022 section 3.1),
# against the independent SIP022 peer tools/ss2022.py (no code shared with
# the module; its codec is checked against known answers by
# host_ss2022.sh). Topology (selftests/topology.sh): client netns -> server
# netns (the module) -> target netns (echo on 9000).
#
#   - configuration: a 2022 server takes a base64 PSK of exactly the
#     method's length; UDP modes and 2022 client profiles are refused with
#     the reason (not implemented yet); the method shows in server show
#   - each 2022 method: 4 MiB echoed through the server from an IPv4 and
#     an IPv6 client address (the peer sends chunks of 0xFFFF bytes, which
#     the module opens in four 16 KiB pieces), SHA-256 compared; 32 MiB
#     for chacha20; the counters (connections, bytes each way, no error)
#   - bad data, each case on its own connection, each drained and closed
#     at the handshake timeout (the same reaction, SIP022 section 3.1.4),
#     each counted where it belongs: a replayed first write (replay; the
#     first copy answered), timestamps 40 s old and 40 s ahead
#     (stale_timestamp), a header with neither padding nor payload
#     (bad_header), the wrong PSK (auth_fail), random bytes (auth_fail), a
#     salt and half a fixed header (nothing counted); the draining gauge
#     back to 0; a valid request afterwards still works
#   - the salt pool at its limit (module reloaded with salt_pool_limit=3):
#     three sessions pass, the fourth is refused the same way and counted as
#     salt_pool_full; a limit of 0 is refused at load
#   - the end: rmmod, and no kernel warning

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topology.sh"

HS=3		# handshake timeout, seconds
MARGIN=3	# how late after it the close may come (TCG)
METHODS=(2022-blake3-aes-128-gcm 2022-blake3-aes-256-gcm 2022-blake3-chacha20-poly1305)
declare -A KLEN=([2022-blake3-aes-128-gcm]=16 [2022-blake3-aes-256-gcm]=32
	[2022-blake3-chacha20-poly1305]=32)
SS2022=$SS_TOOLS/ss2022.py

cleanup() {
	topo_del_objects
	topo_cleanup
}
trap cleanup EXIT

psk() { openssl rand -base64 "${KLEN[$1]}"; }

# client ARGS...: the peer's TCP client in the client netns
client() { in_c "$PY" "$SS2022" client tcp "$@"; }

# refused_in_time DESC ARGS...: the peer's --expect-refused probe, and the
# close comes at the handshake timeout (from connect), not earlier
refused_in_time() {
	local desc=$1 t0 out rc dt
	shift
	t0=$(date +%s.%N)
	out=$(client "$@" --expect-refused --wait $((HS + MARGIN)) 2>&1)
	rc=$?
	dt=$(echo "$(date +%s.%N) - $t0" | bc)
	if [ $rc -eq 0 ] && [ "$(echo "$dt >= $HS - 0.5" | bc)" = 1 ]; then
		ss_ok "$desc (closed after $(printf '%.1f' "$dt") s)"
	else
		ss_fail "$desc" "rc $rc after $dt s (want a close at ${HS} s): $out"
	fi
}

# counters NAME JQ: server NAME's counters satisfy JQ (waits for the drains)
counters() {
	local st
	wait_for 10 bash -c "[ \"\$(ip netns exec $NS_S ssctl server show $1 -j | jq '.[0].stats.draining')\" = 0 ]"
	st=$(stats_s "$1")
	if jq -e "$2" <<<"$st" >/dev/null; then
		ss_ok "$3"
	else
		ss_fail "$3" "stats $st; want $2"
	fi
}

topo_start kmsg
ss_test "the module loads" in_s ssctl server show

# ---- configuration ---------------------------------------------------------------

m=2022-blake3-aes-128-gcm
out=$(in_s ssctl server add bad port 8500 method $m key "$(psk $m)" mode tcp_and_udp 2>&1)
if [ $? -ne 0 ] && [[ $out == *"Shadowsocks 2022 servers relay TCP only (UDP is not implemented yet)"* ]]; then
	ss_ok "a 2022 server with UDP is refused, with the reason"
else
	ss_fail "a 2022 server with UDP is refused, with the reason" "$out"
fi
out=$(in_c ssctl client add bad server "$S4_C" port 8500 method $m key "$(psk $m)" 2>&1)
if [ $? -ne 0 ] && [[ $out == *"Shadowsocks 2022 client profiles are not implemented yet"* ]]; then
	ss_ok "a 2022 client profile is refused, with the reason"
else
	ss_fail "a 2022 client profile is refused, with the reason" "$out"
fi
out=$(in_s ssctl server add bad port 8500 method $m password hunter2 2>&1)
if [ $? -eq 2 ] && [[ $out == *"takes no password"* ]]; then
	ss_ok "a 2022 server with a password is refused, with the reason"
else
	ss_fail "a 2022 server with a password is refused, with the reason" "$out"
fi

# ---- every method ----------------------------------------------------------------

declare -A KEY
for i in "${!METHODS[@]}"; do
	m=${METHODS[$i]}
	port=$((8500 + i))
	KEY[$m]=$(psk "$m")
	if ! out=$(in_s ssctl server add "s$i" port "$port" method "$m" key "${KEY[$m]}" \
		handshake-timeout $HS 2>&1); then
		ss_fail "$m: server starts on port $port" "$out"
		continue
	fi
	wait_for 10 listening "$NS_S" "$port"
	ok_if "$m: server show gives the method and mode" \
		".[0].method == \"$m\" and .[0].mode == \"tcp_only\"" \
		"$(in_s ssctl server show "s$i" -j)"
	n=$((4 << 20))
	[ "$m" = 2022-blake3-chacha20-poly1305 ] && n=$((32 << 20))
	for saddr in "$S4_C" "[$S6_C]"; do
		ss_test "$m: $((n >> 20)) MiB echoed through $saddr:$port, SHA-256 equal" \
			client --server "$saddr:$port" --method "$m" --key "${KEY[$m]}" \
			--target "$T4:9000" --echo-check "$n" --wait 120
	done
	counters "s$i" ".conn_active == 0 and .conn_total == 2 and
		.bytes_in == $((2 * n)) and .bytes_out == $((2 * n)) and
		.auth_fail == 0 and .replay == 0 and .bad_header == 0 and
		.stale_timestamp == 0 and .salt_pool_full == 0" \
		"$m: counters: 2 connections, $((2 * n)) bytes each way, no error"
done

# ---- bad data: one reaction, each counted -----------------------------------------

m=2022-blake3-chacha20-poly1305
port=8502
cl=(--server "$S4_C:$port" --method "$m" --key "${KEY[$m]}" --target "$T4:9000")
ss_test "$m: a replayed first write: the first answered, the copy refused" \
	client "${cl[@]}" --replay --wait $((HS + MARGIN))
counters s2 '.replay == 1 and .auth_fail == 0 and .conn_total == 4' \
	"$m: the replay is counted"
refused_in_time "$m: a timestamp 40 s old is drained, closed at the handshake timeout" \
	"${cl[@]}" --timestamp-offset -40
refused_in_time "$m: a timestamp 40 s ahead is drained, closed at the handshake timeout" \
	"${cl[@]}" --timestamp-offset 40
counters s2 '.stale_timestamp == 2 and .replay == 1' \
	"$m: both timestamps counted as stale_timestamp"
refused_in_time "$m: a header with neither padding nor payload is drained, closed at the handshake timeout" \
	"${cl[@]}" --no-padding-no-payload
counters s2 '.bad_header == 1' "$m: it is counted as bad_header"
refused_in_time "$m: the wrong PSK is drained, closed at the handshake timeout" \
	--server "$S4_C:$port" --method "$m" --key "$(psk $m)" --target "$T4:9000"
counters s2 '.auth_fail == 1' "$m: it is counted as auth_fail"

# raw bytes: random, and a salt with half a fixed header
raw() {
	in_c "$PY" - "$S4_C" "$port" "$1" $((HS + MARGIN)) <<'EOF'
import os, socket, sys, time
host, port, n, wait = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
s = socket.create_connection((host, port))
t0 = time.monotonic()
s.sendall(os.urandom(n))
s.settimeout(wait)
try:
    d = s.recv(100)
except socket.timeout:
    sys.exit("no close within %g s" % wait)
except ConnectionResetError:
    sys.exit("reset")
if d:
    sys.exit("got %d bytes" % len(d))
print("%.1f" % (time.monotonic() - t0))
EOF
}
for n in 1000 $((32 + 13)); do
	if dt=$(raw $n 2>&1) && [ "$(echo "$dt >= $HS - 0.5" | bc)" = 1 ]; then
		ss_ok "$m: $n random bytes are drained, closed at the handshake timeout ($dt s)"
	else
		ss_fail "$m: $n random bytes are drained, closed at the handshake timeout" "$dt"
	fi
done
counters s2 '.auth_fail == 2 and .draining == 0' \
	"$m: the random bytes are counted as one auth_fail (the short ones as nothing)"
ss_test "$m: a valid request still works after the bad ones" \
	client "${cl[@]}" --echo-check 100000 --wait 30

# ---- the salt pool at its limit ------------------------------------------------------

topo_del_objects
ss_test "rmmod shadowsocks" rmmod shadowsocks
out=$(modprobe shadowsocks salt_pool_limit=0 2>&1)
if [ $? -ne 0 ] && dmesg | grep -q "salt_pool_limit must be 1 to"; then
	ss_ok "salt_pool_limit=0 is refused at load, with the reason in the log"
else
	ss_fail "salt_pool_limit=0 is refused at load, with the reason in the log" "$out"
fi
ss_test "module loaded with salt_pool_limit=3" modprobe shadowsocks salt_pool_limit=3
m=2022-blake3-aes-256-gcm
port=8510
ss_test "$m: server with a pool of 3" \
	in_s ssctl server add pool port $port method $m key "${KEY[$m]}" handshake-timeout $HS
wait_for 10 listening "$NS_S" "$port"
cl=(--server "$S4_C:$port" --method "$m" --key "${KEY[$m]}" --target "$T4:9000")
for k in 1 2 3; do
	ss_test "$m: session $k of 3 passes" client "${cl[@]}" --echo-check 1000 --wait 30
done
refused_in_time "$m: session 4 is refused while the pool is full, closed at the handshake timeout" \
	"${cl[@]}"
counters pool '.salt_pool_full == 1 and .conn_total == 4 and .replay == 0' \
	"$m: it is counted as salt_pool_full"

# ---- the end ------------------------------------------------------------------------

topo_del_objects
ss_test "rmmod shadowsocks" rmmod shadowsocks
sleep 1
topo_kmsg_stop
kmsg_clean
elapsed "all done"
ss_done
