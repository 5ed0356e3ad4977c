#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shadowsocks 2022 TCP (SIP022 section 3.1) in both roles, against the
# independent SIP022 peer tools/ss2022.py (no code shared with the module;
# its codec is checked against known answers by host_ss2022.sh) and
# against each other. Topology (selftests/topology.sh): client netns
# (gateway: the local role, ss-socksd) -> server netns (the server role, or
# the peer's server) -> target netns (echo on 9000, HTTP on 8080).
#
# The server role:
#   - configuration: a 2022 server takes a base64 PSK of exactly the
#     method's length, not a password; the method shows in server show
#     (UDP: udp_2022.sh)
#   - each 2022 method: 64 MiB (SS_2022_BIG; 4 on the debug kernel, and
#     in the default run of selftests/vm/run 8 on the older stock kernel)
#     echoed through the server from an IPv4
#     client to an IPv4 target, 4 MiB from an IPv6 client to an IPv6 target
#     and 4 MiB to a domain target (target.test, resolved by the server)
#     (the peer sends chunks of 0xFFFF bytes, which the module opens in
#     four 16 KiB pieces), SHA-256 compared; the counters (connections,
#     bytes each way, no error)
#   - bad data, each case on its own connection, each drained and closed
#     at the handshake timeout (the same reaction, SIP022 section 3.1.4),
#     each counted where it belongs: a replayed first write (replay; the
#     first copy answered), timestamps 40 s old and 40 s ahead
#     (stale_timestamp), a header with neither padding nor payload
#     (bad_header), the wrong PSK (auth_fail), random bytes (auth_fail), a
#     salt and half a fixed header (nothing counted), the wrong PSK sent
#     one byte at a time (auth_fail); the draining gauge back to 0; a valid
#     request sent one byte at a time is answered, and one afterwards
#     still works; a session open through all the probes, a line echoed
#     after each, is undisturbed
#   - a request recorded, the server deleted and made again with the same
#     key: the copy is a replay to the new server (the salt pool outlives
#     its server for a minute)
#   - the salt pool at its limit (module reloaded with salt_pool_limit=3):
#     three sessions pass, the fourth is refused the same way and counted as
#     salt_pool_full; a server with the same key shares the full pool (its
#     session refused too), one with another key has its own (its session
#     passes); a limit of 0 is refused at load
# The local role (a client profile, ss-socksd --socks in front, curl):
#   - each method, against the module's own 2022 server: 4 MiB down from
#     an IPv4 target and up to an IPv6 one, SHA-256 compared; the profile's
#     counters (connections, bytes, no error)
#   - against the peer's server (each method, the profile from an ss://
#     link): 64 MiB (SS_2022_BIG) down from an IPv4
#     target and up to an IPv6 one, 4 MiB down from a domain target, so
#     both directions are checked by an independent codec
#   - against a peer server that quotes another request salt in its
#     response: the connection is closed with no data to the application,
#     counted as bad_header
#   (UDP: udp_2022.sh)
# The end: rmmod, and no kernel warning.

TOPO_RESOLVER=1	# the agent that resolves names in the server netns

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topology.sh"
source "$(dirname "$0")/peer2022.sh"

HS=3		# handshake timeout, seconds
MARGIN=3	# how late after it the close may come (TCG)
METHODS=(2022-blake3-aes-128-gcm 2022-blake3-aes-256-gcm 2022-blake3-chacha20-poly1305)
# SS_2022_METHODS: the methods the per-method runs cover (default: all
# three). The default run gives 6.1 aes-128 and chacha, the debug kernel
# aes-256 and chacha: the AES methods differ in nothing but the key and salt length
# given to the same gcm(aes) transform and BLAKE3 derivation. chacha's
# server always runs: the bad-data cases use it.
METHODS_ON=" ${SS_2022_METHODS:-${METHODS[*]}} 2022-blake3-chacha20-poly1305 "
method_on() { [[ $METHODS_ON == *" $1 "* ]]; }
SMALL=$((4 << 20))
BIG=${SS_2022_BIG:-$((64 << 20))}
# the debug kernel (KASAN) moves a MiB ten times slower
[ "${SS_DEBUG_KERNEL:-0}" = 1 ] && BIG=${SS_2022_BIG:-$((4 << 20))}

cleanup() {
	topo_del_objects
	topo_cleanup
}
trap cleanup EXIT

# client ARGS...: the peer's TCP client in the client netns
client() { in_c "$PY" "$SS2022" client tcp "$@"; }

# refused_in_time DESC ARGS...: the peer's --expect-refused probe: no data,
# and the close (FIN, not a reset) comes at the handshake timeout, counted
# from the connect, which is just before the request is written
refused_in_time() {
	local desc=$1 out dt
	shift
	out=$(client "$@" --expect-refused --wait $((HS + MARGIN)) 2>&1)
	dt=$(jq -r '.closed_after // empty' <<<"$(tail -n 1 <<<"$out")" 2>/dev/null)
	if [ -n "$dt" ] && [ "$(echo "$dt >= $HS - 0.5 && $dt <= $HS + $MARGIN" | bc)" = 1 ] &&
		jq -e .ok <<<"$(tail -n 1 <<<"$out")" >/dev/null 2>&1; then
		ss_ok "$desc (closed after $dt s)"
	else
		ss_fail "$desc" "want no data and a close after ${HS} s: $out"
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
blob_sha_bg "$SMALL"
[ "$BIG" != "$SMALL" ] && blob_sha_bg "$BIG"

# ---- configuration ---------------------------------------------------------------

m=2022-blake3-aes-128-gcm
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
	method_on "$m" || continue
	if ! out=$(in_s ssctl server add "s$i" port "$port" method "$m" key "${KEY[$m]}" \
		handshake-timeout $HS 2>&1); then
		ss_fail "$m: server starts on port $port" "$out"
		continue
	fi
	wait_for 10 listening "$NS_S" "$port"
	ok_if "$m: server show gives the method and mode" \
		".[0].method == \"$m\" and .[0].mode == \"tcp_only\"" \
		"$(in_s ssctl server show "s$i" -j)"
	# (server address, target, bytes): IPv4, IPv6 and a domain target
	for run in "$S4_C $T4:9000 $BIG" "[$S6_C] [$T6]:9000 $SMALL" \
		"$S4_C $DOMAIN:9000 $SMALL"; do
		read -r saddr target n <<<"$run"
		ss_test "$m: $((n >> 20)) MiB echoed through $saddr:$port from $target, SHA-256 equal" \
			client --server "$saddr:$port" --method "$m" --key "${KEY[$m]}" \
			--target "$target" --echo-check "$n" --wait 120
	done
	counters "s$i" ".conn_active == 0 and .conn_total == 3 and
		.bytes_in == $((BIG + 2 * SMALL)) and .bytes_out == $((BIG + 2 * SMALL)) and
		.auth_fail == 0 and .replay == 0 and .bad_header == 0 and
		.stale_timestamp == 0 and .salt_pool_full == 0" \
		"$m: counters: 3 connections, $((BIG + 2 * SMALL)) bytes each way, no error"
done

# ---- bad data: one reaction, each counted -----------------------------------------

m=2022-blake3-chacha20-poly1305
port=8502
cl=(--server "$S4_C:$port" --method "$m" --key "${KEY[$m]}" --target "$T4:9000")

# A bystander: a session open through all the probes, a line echoed at each
# (the peer's client, stdin to the target's echo), which none may disturb.
mkfifo "$TOPO_DIR/bystander.in"
client "${cl[@]}" <"$TOPO_DIR/bystander.in" >"$TOPO_DIR/bystander.out" 2>&1 &
BYSTANDER=$!
exec 7>"$TOPO_DIR/bystander.in"
BY_LINES=0
bystander() { BY_LINES=$((BY_LINES + 1)); printf 'line %d\n' $BY_LINES >&7; }
bystander

ss_test "$m: a replayed first write: the first answered, the copy refused" \
	client "${cl[@]}" --replay --wait $((HS + MARGIN))
bystander
counters s2 '.replay == 1 and .auth_fail == 0 and .conn_total == 6' \
	"$m: the replay is counted"
refused_in_time "$m: a timestamp 40 s old is drained, closed at the handshake timeout" \
	"${cl[@]}" --timestamp-offset -40
bystander
refused_in_time "$m: a timestamp 40 s ahead is drained, closed at the handshake timeout" \
	"${cl[@]}" --timestamp-offset 40
bystander
counters s2 '.stale_timestamp == 2 and .replay == 1' \
	"$m: both timestamps counted as stale_timestamp"
refused_in_time "$m: a header with neither padding nor payload is drained, closed at the handshake timeout" \
	"${cl[@]}" --no-padding-no-payload
bystander
counters s2 '.bad_header == 1' "$m: it is counted as bad_header"
refused_in_time "$m: the wrong PSK is drained, closed at the handshake timeout" \
	--server "$S4_C:$port" --method "$m" --key "$(psk $m)" --target "$T4:9000"
bystander
counters s2 '.auth_fail == 1' "$m: it is counted as auth_fail"

# raw N|FILE: N random bytes, or FILE's, in one write; prints the seconds
# until the server's close (FIN, no data)
raw() {
	in_c "$PY" - "$S4_C" "$port" "$1" $((HS + MARGIN)) <<'EOF'
import os, socket, sys, time
host, port, what, wait = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
data = os.urandom(int(what)) if what.isdigit() else open(what, "rb").read()
s = socket.create_connection((host, port))
t0 = time.monotonic()
s.sendall(data)
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
bystander
counters s2 '.auth_fail == 2 and .draining == 0' \
	"$m: the random bytes are counted as one auth_fail (the short ones as nothing)"
# a prober sending one byte at a time, to find where the server reacts:
# the wrong PSK gets the same reaction, and a valid request is answered
refused_in_time "$m: the wrong PSK sent one byte every 10 ms is drained, closed at the handshake timeout" \
	--server "$S4_C:$port" --method "$m" --key "$(psk $m)" --target "$T4:9000" \
	--byte-delay 0.01
bystander
counters s2 '.auth_fail == 3' "$m: it is counted as auth_fail"
ss_test "$m: a valid request sent one byte every 10 ms is answered" \
	client "${cl[@]}" --echo-check 16 --byte-delay 0.01 --wait 30
ss_test "$m: a valid request still works after the bad ones" \
	client "${cl[@]}" --echo-check 100000 --wait 30
bystander
exec 7>&-
want=$(for i in $(seq "$BY_LINES"); do printf 'line %d\n' "$i"; done)
if wait_for 30 bash -c "! kill -0 $BYSTANDER 2>/dev/null" && wait "$BYSTANDER" &&
	[ "$(cat "$TOPO_DIR/bystander.out")" = "$want" ]; then
	ss_ok "$m: a session open through all the probes was undisturbed ($BY_LINES lines echoed)"
else
	ss_fail "$m: a session open through all the probes was undisturbed" \
		"want $BY_LINES lines; got: $(head -c 600 "$TOPO_DIR/bystander.out")"
fi

# A request recorded, the server deleted and made again with the same key
# within the minute: the new server takes the old one's salt pool back, so
# the copy is a replay still.
ss_test "$m: a request answered, its first write recorded" \
	client "${cl[@]}" --echo-check 1000 --save-first "$TOPO_DIR/first.bin" --wait 30
if in_s ssctl server del s2 && in_s ssctl server add s2 port "$port" method "$m" \
	key "${KEY[$m]}" handshake-timeout $HS && wait_for 10 listening "$NS_S" "$port" &&
	dt=$(raw "$TOPO_DIR/first.bin" 2>&1) && [ "$(echo "$dt >= $HS - 0.5" | bc)" = 1 ]; then
	ss_ok "$m: the server deleted and made again with its key: the recorded request is drained, closed at the handshake timeout ($dt s)"
else
	ss_fail "$m: the server deleted and made again with its key: the recorded request is refused" "${dt:-}"
fi
counters s2 '.replay == 1 and .conn_total == 1' \
	"$m: the server made again counts it as a replay (the salt pool outlived the server)"

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
other=$(psk "$m")
# made before the sessions: the pool holds their salts for 62 s
# (SS_SALT_POOL_SECS), which all that follows must fit in
ss_test "$m: a second server with the same key, a third with another" \
	bash -c "ip netns exec $NS_S ssctl server add pool-same port $((port + 1)) method $m key '${KEY[$m]}' handshake-timeout $HS &&
		ip netns exec $NS_S ssctl server add pool-other port $((port + 2)) method $m key '$other' handshake-timeout $HS"
wait_for 10 listening "$NS_S" $((port + 2))
cl=(--server "$S4_C:$port" --method "$m" --key "${KEY[$m]}" --target "$T4:9000")
t0=$SECONDS
for k in 1 2 3; do
	ss_test "$m: session $k of 3 passes" client "${cl[@]}" --echo-check 1000 --wait 30
done
refused_in_time "$m: session 4 is refused while the pool is full, closed at the handshake timeout" \
	"${cl[@]}"
counters pool '.salt_pool_full == 1 and .conn_total == 4 and .replay == 0' \
	"$m: it is counted as salt_pool_full"
if [ $((SECONDS - t0)) -lt 55 ]; then
	refused_in_time "$m: the server with the same key shares the full pool: its session is refused" \
		--server "$S4_C:$((port + 1))" --method "$m" --key "${KEY[$m]}" --target "$T4:9000"
	counters pool-same '.salt_pool_full == 1' "$m: counted as salt_pool_full there"
else
	# the first session's salt may have expired by the time of the probe
	ss_skip "$m: the server with the same key shares the full pool" \
		"$((SECONDS - t0)) s since the first session, too near the pool's 62 s: this guest is too slow to judge it"
fi
ss_test "$m: the server with another key has a pool of its own: its session passes" \
	client --server "$S4_C:$((port + 2))" --method "$m" --key "$other" --target "$T4:9000" \
	--echo-check 1000 --wait 30

# ---- the local role ---------------------------------------------------------------------

# profile_socks NAME SERVER_ADDR PORT METHOD KEY SOCKS_PORT: a client profile
# and ss-socksd --socks 127.0.0.1:SOCKS_PORT in front of it; with
# PROFILE_LINK=1 the profile comes from an ss:// link (SIP002's plain form
# for 2022: method and key percent-encoded)
profile_socks() {
	if [ "${PROFILE_LINK:-0}" = 1 ]; then
		in_c ssctl client add "$1" url "ss://$4:$(jq -rn --arg k "$5" '$k|@uri')@$2:$3#$1" \
			handshake-timeout 10 || return 1
	else
		in_c ssctl client add "$1" server "$2" port "$3" method "$4" key "$5" \
			handshake-timeout 10 || return 1
	fi
	topo_bg "socksd-$1" "$NS_C" ss-socksd -v --client "$1" --socks "127.0.0.1:$6"
	wait_for 10 listening "$NS_C" "$6"
}

# through DESC SOCKS_PORT [N]: N bytes (default 4 MiB) down from an IPv4
# target and up to an IPv6 one; with N, also 4 MiB down from a domain
# target, the name passed to the server (curl --socks5-hostname)
through() {
	local n=${3:-$SMALL}
	ss_test "$1: $((n >> 20)) MiB down from $T4 through the local role, SHA-256 equal" \
		get --socks5 "127.0.0.1:$2" -- "http://$T4:8080/blob?n=$n" "$n"
	ss_test "$1: $((n >> 20)) MiB up to [$T6] through the local role, SHA-256 equal" \
		put --socks5 "127.0.0.1:$2" -- "http://[$T6]:8080/sink" "$n"
	[ -z "${3:-}" ] && return
	ss_test "$1: $((SMALL >> 20)) MiB down from $DOMAIN through the local role, SHA-256 equal" \
		get --socks5-hostname "127.0.0.1:$2" -- "http://$DOMAIN:8080/blob?n=$SMALL" "$SMALL"
}

# profile_counters NAME DESC [RELAYS DOWN UP]: RELAYS relays (default 2)
# carrying DOWN and UP bytes (default 4 MiB each) in all, plus HTTP (at
# most 1 KiB a relay), no error
profile_counters() {
	local st relays=${3:-2} down=${4:-$SMALL} up=${5:-$SMALL}
	wait_for 15 bash -c "[ \"\$(ip netns exec $NS_C ssctl client show $1 -j | jq '.[0].stats.conn_active')\" = 0 ]"
	st=$(stats_c "$1")
	ok_if "$2" ".conn_active == 0 and .conn_total == $relays and
		.bytes_in >= $down and .bytes_in <= $down + 1024 * $relays and
		.bytes_out >= $up and .bytes_out <= $up + 1024 * $relays and
		.auth_fail == 0 and .bad_header == 0 and .connect_fail == 0" "$st"
}

# the pool of 3 is full for a minute: back to the default limit
topo_del_objects
rmmod shadowsocks
ss_test "module loaded again with the default salt_pool_limit" modprobe shadowsocks
for i in "${!METHODS[@]}"; do
	m=${METHODS[$i]}
	method_on "$m" || continue
	port=$((8520 + i)) sport=$((10920 + i))
	if ! in_s ssctl server add "k$i" port "$port" method "$m" key "${KEY[$m]}" \
		>"$TOPO_DIR/err" 2>&1 ||
		! profile_socks "c$i" "$S4_C" "$port" "$m" "${KEY[$m]}" "$sport" \
		>"$TOPO_DIR/err" 2>&1; then
		ss_fail "$m: a 2022 server, a client profile to it, ss-socksd in front" \
			"$(cat "$TOPO_DIR/err")"
		continue
	fi
	wait_for 10 listening "$NS_S" "$port"
	ok_if "$m: client show gives the method" ".[0].method == \"$m\"" \
		"$(in_c ssctl client show "c$i" -j)"
	through "$m, module to module" "$sport"
	profile_counters "c$i" "$m: the profile's counters: 2 relays, 4 MiB each way, no error"
	counters "k$i" ".conn_total == 2 and .auth_fail == 0 and .replay == 0 and
		.bad_header == 0 and .stale_timestamp == 0 and .salt_pool_full == 0" \
		"$m: the server's counters: 2 connections, no error"
done

for j in "${!METHODS[@]}"; do
	m=${METHODS[$j]}
	method_on "$m" || continue
	i=$((${#METHODS[@]} + j))
	port=$((8520 + i)) sport=$((10920 + i))
	k=$(psk "$m")
	if ! peer_server "peer$i" "$port" --method "$m" --key "$k" ||
		! PROFILE_LINK=1 profile_socks "c$i" "$S4_C" "$port" "$m" "$k" "$sport" \
		>"$TOPO_DIR/err" 2>&1; then
		ss_fail "$m: the peer's server, a client profile to it from an ss:// link, ss-socksd in front" \
			"$(cat "$TOPO_DIR/err") $(logtail "peer$i")"
		continue
	fi
	through "$m, module (profile from an ss:// link) to the peer" "$sport" "$BIG"
	profile_counters "c$i" \
		"$m: the profile's counters: 3 relays, $(((BIG + SMALL) >> 20)) MiB down and $((BIG >> 20)) MiB up, no error" \
		3 $((BIG + SMALL)) "$BIG"
done

# SIP023: a profile with key iPSK:uPSK to the peer's multi-user server
m=2022-blake3-aes-256-gcm
port=8540 sport=10940
ik=$(psk "$m") uk=$(psk "$m")
printf '{"alice": "%s", "bob": "%s"}' "$(psk "$m")" "$uk" >"$TOPO_DIR/users.json"
if peer_server users "$port" --method "$m" --key "$ik" --users "$TOPO_DIR/users.json" \
	--stats "$TOPO_DIR/users.stats" &&
	PROFILE_LINK=1 profile_socks cu "$S4_C" "$port" "$m" "$ik:$uk" "$sport" >"$TOPO_DIR/err" 2>&1; then
	through "$m, SIP023 user bob (iPSK:uPSK in an ss:// link) to the peer's multi-user server" "$sport"
	profile_counters cu "$m: the SIP023 profile's counters: 2 relays, 4 MiB each way, no error"
	# a user the server does not know: refused, nothing relayed
	profile_socks cx "$S4_C" "$port" "$m" "$ik:$(psk "$m")" $((sport + 1)) >"$TOPO_DIR/err" 2>&1
	n=$(in_c curl -s --max-time 15 --socks5 "127.0.0.1:$((sport + 1))" "http://$T4:8080/blob?n=1000" | wc -c)
	if [ "$n" = 0 ] && jq -e '.bytes_in == 0' <<<"$(stats_c cx)" >/dev/null; then
		ss_ok "$m: a uPSK the multi-user server does not know gets nothing"
	else
		ss_fail "$m: a uPSK the multi-user server does not know gets nothing" \
			"curl got $n bytes; $(stats_c cx); $(cat "$TOPO_DIR/users.stats")"
	fi
else
	ss_fail "$m: the peer's SIP023 server, a profile with iPSK:uPSK, ss-socksd" \
		"$(cat "$TOPO_DIR/err") $(logtail users)"
fi

m=2022-blake3-aes-256-gcm
port=8530 sport=10930
k=$(psk "$m")
desc="$m: a response quoting another salt is refused: no data to the application, counted as bad_header"
if peer_server bad "$port" --method "$m" --key "$k" --bad-response-salt &&
	profile_socks cbad "$S4_C" "$port" "$m" "$k" "$sport" >"$TOPO_DIR/err" 2>&1; then
	n=$(in_c curl -s --max-time 20 --socks5 "127.0.0.1:$sport" "http://$T4:8080/blob?n=1000" | wc -c)
	wait_for 10 bash -c "[ \"\$(ip netns exec $NS_C ssctl client show cbad -j | jq '.[0].stats.bad_header')\" = 1 ]"
	st=$(stats_c cbad)
	if [ "$n" = 0 ] && jq -e '.bad_header == 1 and .bytes_in == 0' <<<"$st" >/dev/null; then
		ss_ok "$desc"
	else
		ss_fail "$desc" "curl got $n bytes; stats $st"
	fi
else
	ss_fail "$desc" "$(cat "$TOPO_DIR/err") $(logtail bad)"
fi

# ---- the end ------------------------------------------------------------------------

topo_del_objects
ss_test "rmmod shadowsocks" rmmod shadowsocks
sleep 1
topo_kmsg_stop
kmsg_clean
elapsed "all done"
ss_done
