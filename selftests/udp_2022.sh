#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shadowsocks 2022 UDP (SIP022 sections 3.2 and 4.1) in the server role,
# against the independent SIP022 peer tools/ss2022.py (no code shared with
# the module). Topology (selftests/topology.sh): client netns (the peer's
# UDP client) -> server netns (the module's server) -> target netns (UDP
# echo on 9002, dnsmasq).
#
# First: an AEAD-2017 association made before the module's first 2022
# session is found after it (the tables share one hash seed).
# For each 2022 method (modes tcp_and_udp, and udp_only for one):
#   - datagrams of 1 to 1400 bytes to an IPv4 target over IPv4, an IPv6
#     target over IPv6, and a domain target (target.test, resolved by the
#     server): each echoed, and each reply checked by the peer: separate
#     header or nonce, the server's own session ID (never the client's),
#     its packet IDs through a sliding window, type 1, a timestamp within
#     30 s, our client session ID quoted, the replying host's address;
#     then 1,000 datagrams with up to 32 in flight (SS_UDP2022_BULK: 10,000 by
#     hand; 300 on the debug kernel, 500 on the older stock kernel in
#     the default run)
#   - three client sessions over one socket that moves to a new source
#     port every 5 packets: every datagram answered, each session by one
#     server session, and the server holds exactly three more sessions
#     (it routes by session ID and follows the client's last address)
#   - bad packets, none answered, each counted where it belongs: a forged
#     tag (udp_drop_auth), a type-1 body and a padding length past the end
#     and a truncated packet (udp_drop_bad), a timestamp 40 s old
#     (stale_timestamp), a packet ID the session has had (udp_drop_window);
#     a replayed datagram answered once (udp_drop_window); another PSK
#     (udp_drop_auth); every valid datagram still answered after
#   - the counters: packets and bytes in and out
#   - 2000 datagrams of random bytes (two methods): none answered, each
#     counted, no session made
# The local role (a client profile, ss-socksd in front: SOCKS5 UDP
# ASSOCIATE with tools/socks5_udp.py, and a UDP tunnel), each method,
# against the module's server and the peer's server: datagrams to IPv4,
# IPv6 and domain targets, each reply checked (to the peer's server, also
# SS_UDP2022_BULK through SOCKS5 with up to 32 in flight); the
# profile's counters; no packet the server found fault with; a server
# restarted under a live association (its new session followed), then
# again within a minute (the third session refused). SIP023: a
# profile with an identity key (iPSK:uPSK) through the peer's multi-user
# server; an unknown user gets no answer.
# A session outlives the server's timeout when that is under 60 s (SIP022
# section 3.2.4: at least 60 s). TCP still works on the same port. A
# session's first packet sent again after its server was deleted and made
# again with its key is refused, and its client goes on. Two live servers
# with one key: a session's first packet sent to the other while the
# session lives on the first is refused, and again once the first is
# deleted, while the client moves its session to the other. The end:
# servers deleted, rmmod, and no kernel warning.

TOPO_RESOLVER=1	# the agent that resolves names in the server netns

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topology.sh"
source "$(dirname "$0")/peer2022.sh"

METHODS=(2022-blake3-aes-128-gcm 2022-blake3-aes-256-gcm 2022-blake3-chacha20-poly1305)
N=${SS_UDP2022_N:-150}
# (60 on the debug kernel: the same sizes, 1 to 1400 bytes, fewer of them)
[ "${SS_DEBUG_KERNEL:-0}" = 1 ] && N=${SS_UDP2022_N:-60}
# the bulk runs, up to 32 datagrams in flight: each costs about 7 ms of
# the guest's one host CPU (the peer is Python), so the default run sends
# 1,000 per method and role (500 on the older stock kernel, 300 on the
# debug kernel, where a datagram costs ten times more); 10,000 by hand.
# A datagram not answered is sent again on a timer that follows the round
# trip, and a resend halves how many may be in flight (tools/windowed.py):
# a fixed 2 s timer with 32 queued behind a slow peer sent every one again
# and lost some for good (a debug-kernel CI run lost 21 of 300).
BULK=${SS_UDP2022_BULK:-1000}
[ "${SS_DEBUG_KERNEL:-0}" = 1 ] && BULK=${SS_UDP2022_BULK:-300}
ECHO=9002

cleanup() {
	topo_del_objects
	topo_cleanup
}
trap cleanup EXIT

# delta NAME BEFORE JQ DESC: server NAME's counters now, less BEFORE (a
# stats object), satisfy JQ
delta() {
	local now
	now=$(stats_s "$1")
	if jq -e -n --argjson a "$2" --argjson b "$now" \
		"\$b as \$now | (\$a | to_entries | map({key, value: (\$now[.key] - .value)}) | from_entries) | $3" \
		>/dev/null; then
		ss_ok "$4"
	else
		ss_fail "$4" "before $2; now $now; want the difference to satisfy $3"
	fi
}

# rs_start PORT: a UDP client in the client netns, on one source port
# throughout, to 127.0.0.1:PORT (a tunnel); rs WORD sends WORD and puts the
# answer in $RS_OUT (echo, wrong or none; not in a $(...): a subshell has
# no coprocess file descriptors); rs_stop ends it
RS_PROG='
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.connect(("127.0.0.1", int(sys.argv[1])))
while True:
    line = sys.stdin.readline()
    if not line:
        break
    s.send(line.strip().encode())
    try:
        print("echo" if s.recv(100) == line.strip().encode() else "wrong")
    except socket.timeout:
        print("none")
'
rs_start() { coproc RS { in_c "$PY" -u -c "$RS_PROG" "$1"; }; }
rs() { RS_OUT=; echo "$1" >&"${RS[1]}" && read -r -t 15 RS_OUT <&"${RS[0]}"; }
rs_stop() { eval "exec ${RS[1]}>&-"; wait "$RS_PID" 2>/dev/null; }

topo_start kmsg
ss_test "the module loads" in_s ssctl server show

# ---- one hash seed for both kinds of association table ---------------------------
# An AEAD-2017 association (keyed by address) made before the module's
# first 2022 session (keyed by session ID) is still found after it: both
# tables hash with one seed, drawn once.
m=2022-blake3-aes-128-gcm
k=$(psk $m)
if in_s ssctl server add old port 8620 method aes-256-gcm password pw mode tcp_and_udp &&
	in_s ssctl server add seed port 8621 method $m key "$k" mode udp_only &&
	in_c ssctl client add old server "$S4_C" port 8620 method aes-256-gcm password pw; then
	topo_bg socksd-old "$NS_C" ss-socksd -v --client old --tunnel "127.0.0.1:10980=$T4:$ECHO,udp"
	wait_for 10 udp_listening "$NS_C" 10980
	rs_start 10980
	rs one; a=$RS_OUT
	in_c "$PY" "$SS2022" client udp --server "$S4_C:8621" --method $m --key "$k" \
		--target "$T4:$ECHO" --count 1 >/dev/null 2>&1
	rs two; b=$RS_OUT
	rs_stop
	ok_if "AEAD-2017 associations made before the first 2022 session are found after it (one hash seed)" \
		"\"$a $b\" == \"echo echo\" and .c == 1 and .s == 1" \
		"{\"c\": $(stats_c old | jq .udp_assoc_active), \"s\": $(stats_s old | jq .udp_assoc_active)}"
	topo_kill "$(pgrep -f 'ss-socksd -v --client old')"
	in_c ssctl client del old; in_s ssctl server del old; in_s ssctl server del seed
else
	ss_fail "an AEAD-2017 server and profile, and a 2022 server" "ssctl failed"
fi

declare -A KEY
for i in "${!METHODS[@]}"; do
	m=${METHODS[$i]}
	port=$((8600 + i))
	KEY[$m]=$(psk "$m")
	mode=tcp_and_udp
	[ "$i" = 1 ] && mode=udp_only
	if ! out=$(in_s ssctl server add "u$i" port "$port" method "$m" key "${KEY[$m]}" \
		mode $mode 2>&1); then
		ss_fail "$m: $mode server starts on port $port" "$out"
		continue
	fi
	wait_for 10 udp_listening "$NS_S" "$port"
	ok_if "$m: server show gives the method and mode $mode" \
		".[0].method == \"$m\" and .[0].mode == \"$mode\"" \
		"$(in_s ssctl server show "u$i" -j)"
	c=(--server "$S4_C:$port" --method "$m" --key "${KEY[$m]}")
	c6=(--server "[$S6_C]:$port" --method "$m" --key "${KEY[$m]}")

	# first, on the new server: no session of its own can end meanwhile
	s0=$(stats_s "u$i")
	udp "$m: three sessions over one socket that changes port every 5 packets: all answered, one server session each" \
		".ok == 60 and .bad == 0 and .sessions == 3 and .server_sessions == 1" \
		"${c[@]}" --target "$T4:$ECHO" --count 60 --sessions 3 --rebind-every 5
	delta "u$i" "$s0" ".udp_assoc_active == 3 and .udp_drop_limit == 0" \
		"$m: the server routes by session ID: three sessions, not one per source port"

	s0=$(stats_s "u$i")
	udp "$m: $N datagrams of 1-1400 bytes to $T4:$ECHO, each reply checked" \
		".ok == $N and .bad == 0 and .server_sessions == 1" \
		"${c[@]}" --target "$T4:$ECHO" --count "$N" --min 1 --max 1400
	udp "$m: $N datagrams over IPv6 to [$T6]:$ECHO" \
		".ok == $N and .bad == 0" \
		"${c6[@]}" --target "[$T6]:$ECHO" --count "$N" --min 1 --max 1400
	udp "$m: 50 datagrams to $DOMAIN:$ECHO, resolved by the server" \
		".ok == 50 and .bad == 0" \
		"${c[@]}" --target "$DOMAIN:$ECHO" --count 50 --min 1 --max 1400
	udp "$m: $BULK datagrams of 4-1400 bytes to $T4:$ECHO, up to 32 in flight, each reply checked" \
		".ok == $BULK and .bad == 0 and .server_sessions == 1" \
		"${c[@]}" --target "$T4:$ECHO" --count "$BULK" --min 4 --max 1400 --window 32
	delta "u$i" "$s0" \
		".udp_pkts_in >= $((2 * N + 50 + BULK)) and .udp_pkts_out == .udp_pkts_in and
		 .udp_bytes_in > $((2 * N + 50 + BULK)) and .udp_bytes_out == .udp_bytes_in and
		 .udp_drop_auth == 0 and .udp_drop_bad == 0 and .udp_drop_window == 0 and
		 .stale_timestamp == 0 and .udp_drop_target == 0 and .udp_assoc_active <= 4" \
		"$m: counters: packets and bytes each way, at most four more sessions (older ones may end), no drop"

done

# ---- bad packets (two methods) --------------------------------------------------

for i in 0 2; do
	m=${METHODS[$i]}
	port=$((8600 + i))
	c=(--server "$S4_C:$port" --method "$m" --key "${KEY[$m]}")
	s0=$(stats_s "u$i")
	udp "$m: malformed packets, none answered; the session still works after" \
		".bad_answered == 0 and .ok == 20" \
		"${c[@]}" --target "$T4:$ECHO" --count 20 --bad-packets
	delta "u$i" "$s0" \
		".udp_drop_auth == 1 and .udp_drop_bad == 3 and .stale_timestamp == 1 and
		 .udp_drop_window == 1 and .udp_pkts_in == 22" \
		"$m: each malformed packet counted where it belongs (the probe and the fence answered)"
	s0=$(stats_s "u$i")
	udp "$m: a datagram sent twice is answered once" ".ok" \
		"${c[@]}" --target "$T4:$ECHO" --replay
	udp "$m: packets 40 s old are not answered" ".ok == 0" \
		"${c[@]}" --target "$T4:$ECHO" --count 3 --timestamp-offset -40 --expect-none --retries 0 --wait 1
	udp "$m: packets under another PSK are not answered" ".ok == 0" \
		--server "$S4_C:$port" --method "$m" --key "$(psk "$m")" \
		--target "$T4:$ECHO" --count 3 --expect-none --retries 0 --wait 1
	delta "u$i" "$s0" \
		".udp_drop_window == 1 and .stale_timestamp == 3 and .udp_drop_auth == 3 and
		 .udp_pkts_in == 1" \
		"$m: counted as udp_drop_window, stale_timestamp and udp_drop_auth"
done

# ---- garbage --------------------------------------------------------------------

# udp_mib NS: the netns' UDP datagrams dropped before any socket read them
udp_mib() {
	ip netns exec "$1" cat /proc/net/snmp /proc/net/snmp6 2>/dev/null | awk '
		/^Udp: InDatagrams/ { split($0, h) ; next }
		/^Udp: / { for (i = 2; i <= NF; i++) if (h[i] == "RcvbufErrors" || h[i] == "InCsumErrors") s += $i; next }
		/^Udp6(RcvbufErrors|InCsumErrors) / { s += $2 }
		END { print s + 0 }'
}
# settled NAME: server NAME's counters stay still for a second
settled() { local a; a=$(stats_s "$1"); sleep 1; [ "$a" = "$(stats_s "$1")" ]; }
for i in 0 2; do
	m=${METHODS[$i]}
	port=$((8600 + i))
	s0=$(stats_s "u$i")
	mib0=$(udp_mib "$NS_S")
	res=$(in_c "$PY" "$SS_TOOLS/udpjunk.py" --to "$S4_C:$port" --to "[$S6_C]:$port" \
		--count 2000 --seed $((4242 + i)) --wait 2 2>&1)
	wait_for 30 settled "u$i"	# the relay reads its socket in a work item
	# (no session made: the gauge may only fall, as earlier sessions end)
	mib=$(( $(udp_mib "$NS_S") - mib0 ))
	ok_if "$m: 2000 garbage datagrams over IPv4 and IPv6: none answered" '.answers == 0' "$res"
	delta "u$i" "$s0" ".udp_drop_auth + .udp_drop_bad + $mib == 2000 and .udp_pkts_in == 0 and
		 .udp_pkts_out == 0 and .udp_assoc_active <= 0 and .udp_drop_window == 0" \
		"$m: each garbage datagram counted (udp_drop_auth, udp_drop_bad, or $mib by the socket buffer), no session"
done

# ---- the local role: SOCKS5 UDP ASSOCIATE and a UDP tunnel through ss-socksd ---

# local_relay NAME SERVER PORT METHOD KEY SPORT TPORT: a client profile,
# ss-socksd in front: SOCKS5 on SPORT, a UDP tunnel to the echo on TPORT
local_relay() {
	in_c ssctl client add "$1" server "$2" port "$3" method "$4" key "$5" || return 1
	topo_bg "socksd-$1" "$NS_C" ss-socksd -v --client "$1" --socks "127.0.0.1:$6" \
		--tunnel "127.0.0.1:$7=$T4:$ECHO,udp"
	# (generous: the debug kernel under TCG beside another guest is slow)
	wait_for 30 listening "$NS_C" "$6" || { echo "ss-socksd: no SOCKS5 listener"; return 1; }
	wait_for 30 udp_listening "$NS_C" "$7" || { echo "ss-socksd: no UDP tunnel"; return 1; }
}

# s5udp DESC JQ ARGS...: tools/socks5_udp.py in the client netns
s5udp() {
	local desc=$1 want=$2 out
	shift 2
	out=$(in_c "$PY" "$SS_TOOLS/socks5_udp.py" "$@" 2>&1)
	if jq -e "$want" <<<"$(tail -n 1 <<<"$out")" >/dev/null 2>&1; then
		ss_ok "$desc"
	else
		ss_fail "$desc" "$(tail -n 5 <<<"$out")"
	fi
}

# through_local M SPORT TPORT DESC [bulk]: SOCKS5 datagrams to IPv4, IPv6
# and a name; plain datagrams through the tunnel; with bulk, $BULK more
# through SOCKS5, up to 32 in flight
through_local() {
	local m=$1 sport=$2 tport=$3
	[ "${5:-}" = bulk ] &&
		s5udp "$m, $4: $BULK datagrams through SOCKS5 to $T4:$ECHO, up to 32 in flight, each reply checked" \
			".ok == true" --proxy "127.0.0.1:$sport" echo --target "$T4:$ECHO" \
			--count "$BULK" --min 4 --window 32
	s5udp "$m, $4: $N datagrams through SOCKS5 UDP ASSOCIATE to $T4:$ECHO, each reply checked" \
		".ok == true" --proxy "127.0.0.1:$sport" echo --target "$T4:$ECHO" --count "$N"
	s5udp "$m, $4: $N datagrams through SOCKS5 to [$T6]:$ECHO" \
		".ok == true" --proxy "127.0.0.1:$sport" echo --target "[$T6]:$ECHO" --count "$N"
	s5udp "$m, $4: 50 datagrams through SOCKS5 to $DOMAIN:$ECHO" \
		".ok == true" --proxy "127.0.0.1:$sport" echo --target "$DOMAIN:$ECHO" --count 50
	ss_test "$m, $4: 50 datagrams through the UDP tunnel, each echoed" \
		in_c "$PY" "$SS_TOOLS/ss_udp.py" plain --to "127.0.0.1:$tport" --count 50
}

for i in "${!METHODS[@]}"; do
	m=${METHODS[$i]}
	port=$((8600 + i)) sport=$((10960 + i)) tport=$((10970 + i))
	if ! local_relay "l$i" "$S4_C" "$port" "$m" "${KEY[$m]}" "$sport" "$tport" \
		>"$TOPO_DIR/err" 2>&1; then
		ss_fail "$m: a client profile to the module's server, ss-socksd in front" \
			"$(cat "$TOPO_DIR/err") $(logtail "socksd-l$i")"
		continue
	fi
	s0=$(stats_s "u$i")
	through_local "$m" "$sport" "$tport" "module to module"
	st=$(stats_c "l$i")
	ok_if "$m: the profile's counters: packets and bytes each way, no drop" \
		".udp_pkts_out >= $((2 * N + 100)) and .udp_pkts_in == .udp_pkts_out and
		 .udp_bytes_in == .udp_bytes_out and .udp_drop_auth == 0 and .udp_drop_bad == 0 and
		 .udp_drop_window == 0 and .stale_timestamp == 0 and .udp_drop_target == 0" "$st"
	delta "u$i" "$s0" ".udp_drop_auth == 0 and .udp_drop_bad == 0 and .udp_drop_window == 0" \
		"$m: the server dropped none of the local role's packets"
done

# A server restarted under a live association: the local role takes the
# new server session (and keeps the old one); restarted again within a
# minute, the third session is refused (SIP022 section 3.2.4), counted as
# udp_drop_window. One source port throughout (one association).
m=${METHODS[0]}
restart_u0() {
	in_s ssctl server del u0 &&
		in_s ssctl server add u0 port 8600 method "$m" key "${KEY[$m]}" mode tcp_and_udp &&
		wait_for 10 udp_listening "$NS_S" 8600
}
rs_start 10970
w0=$(stats_c l0 | jq .udp_drop_window)
rs one; a=$RS_OUT
restart_u0 >"$TOPO_DIR/err" 2>&1 || echo "# restart: $(cat "$TOPO_DIR/err")"
rs two; b=$RS_OUT
restart_u0 >"$TOPO_DIR/err" 2>&1 || echo "# restart: $(cat "$TOPO_DIR/err")"
rs three; c=$RS_OUT
rs_stop
w1=$(stats_c l0 | jq .udp_drop_window)
if [ "$a $b $c" = "echo echo none" ] && [ $((w1 - w0)) -ge 1 ]; then
	ss_ok "$m: the local role follows a restarted server's new session; a third within a minute is refused (udp_drop_window)"
else
	ss_fail "$m: the local role follows a restarted server's new session; a third within a minute is refused" \
		"replies: $a $b $c; udp_drop_window $w0 -> $w1"
fi

# each method against the peer's server (aes-128 on 8606: 8605 is SIP023's)
for m in 2022-blake3-chacha20-poly1305 2022-blake3-aes-256-gcm 2022-blake3-aes-128-gcm; do
	i=3
	[ $m = 2022-blake3-aes-256-gcm ] && i=4
	[ $m = 2022-blake3-aes-128-gcm ] && i=6
	port=$((8600 + i)) sport=$((10960 + i)) tport=$((10970 + i))
	k=$(psk "$m")
	if ! peer_server "peer$i" "$port" --method "$m" --key "$k" \
		--stats "$TOPO_DIR/peer$i.stats" >"$TOPO_DIR/err" 2>&1 ||
		! local_relay "l$i" "$S4_C" "$port" "$m" "$k" "$sport" "$tport" \
		>"$TOPO_DIR/err" 2>&1; then
		ss_fail "$m: the peer's server, a client profile to it, ss-socksd in front" \
			"$(cat "$TOPO_DIR/err") $(logtail "peer$i")"
		continue
	fi
	through_local "$m" "$sport" "$tport" "module to the peer" bulk
	ok_if "$m: the peer's server found no fault in the local role's packets" \
		'[to_entries[] | select(.key | test("^udp_bad|^udp_replay")) | .value] | all(. == 0)' \
		"$(cat "$TOPO_DIR/peer$i.stats" 2>/dev/null || echo '{}')"
done

# SIP023: a profile with key iPSK:uPSK to the peer's multi-user server
m=2022-blake3-aes-256-gcm
port=8605 sport=10965 tport=10975
ik=$(psk "$m") uk=$(psk "$m")
printf '{"alice": "%s", "bob": "%s"}' "$(psk "$m")" "$uk" >"$TOPO_DIR/users.json"
if peer_server users "$port" --method "$m" --key "$ik" --users "$TOPO_DIR/users.json" \
	--stats "$TOPO_DIR/users.stats" >"$TOPO_DIR/err" 2>&1 &&
	local_relay l5 "$S4_C" "$port" "$m" "$ik:$uk" "$sport" "$tport" >>"$TOPO_DIR/err" 2>&1; then
	through_local "$m" "$sport" "$tport" "SIP023 user bob (key iPSK:uPSK) to the peer's multi-user server"
	ok_if "$m: the multi-user server found no fault, and knew the user" \
		'([to_entries[] | select(.key | test("^udp_bad|^udp_replay|unknown_user")) | .value] | all(. == 0)) and .udp_packets > 0' \
		"$(cat "$TOPO_DIR/users.stats" 2>/dev/null || echo '{}')"
	# a user the server does not know: nothing comes back
	if local_relay lx "$S4_C" "$port" "$m" "$ik:$(psk "$m")" $((sport + 10)) $((tport + 10)) \
		>"$TOPO_DIR/err" 2>&1; then
		s5udp "$m: a uPSK the multi-user server does not know gets no answer" \
			".ok == false" --proxy "127.0.0.1:$((sport + 10))" echo --target "$T4:$ECHO" \
			--count 1 --retries 0 --wait 2
	else
		ss_fail "$m: a second SIP023 profile with an unknown user" "$(cat "$TOPO_DIR/err")"
	fi
else
	ss_fail "$m: the peer's SIP023 server, a profile with iPSK:uPSK, ss-socksd" \
		"$(cat "$TOPO_DIR/err") $(logtail users) $(logtail socksd-l5)"
fi

# ---- sessions are kept at least 60 s; TCP beside UDP -------------------------------

m=2022-blake3-aes-128-gcm
port=8610
k=$(psk $m)
if out=$(in_s ssctl server add short port $port method $m key "$k" mode tcp_and_udp \
	timeout 3 2>&1); then
	wait_for 10 udp_listening "$NS_S" "$port"
	udp "$m: a session on a server with timeout 3" ".ok == 5" \
		--server "$S4_C:$port" --method $m --key "$k" --target "$T4:$ECHO" --count 5
	sleep 8
	ok_if "$m: the session outlives the 3 s timeout (kept at least 60 s)" \
		'.udp_assoc_active == 1' "$(stats_s short)"
	ss_test "$m: TCP on the same port still works (1 MiB echoed)" \
		in_c "$PY" "$SS2022" client tcp --server "$S4_C:$port" --method $m --key "$k" \
		--target "$T4:9000" --echo-check $((1 << 20)) --wait 60
else
	ss_fail "$m: a server with timeout 3 starts" "$out"
fi

# ---- a session ended by its server's deletion -------------------------------------
# The server deleted under a live session and made again with its key within
# the minute: its salt pool keeps how far the session's packet IDs went, so
# the session's first packet, recorded and sent again from elsewhere while
# its timestamp is in time, is refused (udp_drop_window) where a new server
# would have taken it, while the client, going on, is answered.

m=2022-blake3-aes-256-gcm
port=8612
k=$(psk $m)
rm -f "$TOPO_DIR/resume" "$TOPO_DIR/udp-first.bin"
if in_s ssctl server add ended port $port method $m key "$k" mode udp_only &&
	wait_for 10 udp_listening "$NS_S" "$port"; then
	in_c "$PY" -u "$SS2022" client udp --server "$S4_C:$port" --method $m --key "$k" \
		--target "$T4:$ECHO" --count 5 --save-sent "$TOPO_DIR/udp-first.bin" \
		--resume-after "$TOPO_DIR/resume" >"$TOPO_DIR/resume.out" 2>&1 &
	pid=$!
	wait_for 60 grep -q '"paused": 5' "$TOPO_DIR/resume.out"
	if in_s ssctl server del ended &&
		in_s ssctl server add ended port $port method $m key "$k" mode udp_only &&
		wait_for 10 udp_listening "$NS_S" "$port"; then
		r=$(dgram_again "$TOPO_DIR/udp-first.bin" "$S4_C:$port")
		ok_if "$m: a session's first packet sent again after its server was deleted and made again: not answered" \
			'. == "none"' "\"$r\""
	else
		ss_fail "$m: the server deleted and made again" "ssctl failed"
	fi
	touch "$TOPO_DIR/resume"
	wait "$pid"
	ok_if "$m: the client going on with the session is answered by the server made again" \
		'.ok == 5 and .ok_after == 5 and .bad == 0' "$(tail -n 1 "$TOPO_DIR/resume.out")"
	ok_if "$m: the server made again counts the copy as udp_drop_window and takes the client's 5" \
		'.udp_drop_window == 1 and .udp_pkts_in == 5 and .udp_pkts_out == 5' "$(stats_s ended)"
	in_s ssctl server del ended
else
	ss_fail "$m: a udp_only server starts on port $port" "ssctl failed"
fi

# ---- two live servers with one key --------------------------------------------------
# Servers with one method and key share a salt pool, and in it the claims of
# their live UDP sessions: a client session lives on one of them at a time.
# Its first packet, recorded and sent to the other while it lives, is
# refused there (udp_drop_window, no session made: the first server's
# window has it); once the first server is deleted, the copy is refused by
# the session's record, while the client, moving to the other server with
# the same session, goes on there.

m=2022-blake3-chacha20-poly1305
k=$(psk $m)
pa=8613
pb=8614
rm -f "$TOPO_DIR/twin-resume" "$TOPO_DIR/twin-first.bin"
if in_s ssctl server add twin-a port $pa method $m key "$k" mode udp_only &&
	in_s ssctl server add twin-b port $pb method $m key "$k" mode udp_only &&
	wait_for 10 udp_listening "$NS_S" "$pa" &&
	wait_for 10 udp_listening "$NS_S" "$pb"; then
	in_c "$PY" -u "$SS2022" client udp --server "$S4_C:$pa" --method $m --key "$k" \
		--target "$T4:$ECHO" --count 5 --save-sent "$TOPO_DIR/twin-first.bin" \
		--resume-after "$TOPO_DIR/twin-resume" --resume-server "$S4_C:$pb" \
		>"$TOPO_DIR/twin.out" 2>&1 &
	pid=$!
	wait_for 60 grep -q '"paused": 5' "$TOPO_DIR/twin.out"
	r=$(dgram_again "$TOPO_DIR/twin-first.bin" "$S4_C:$pb")
	ok_if "$m: a live session's first packet sent to another server with its key: not answered" \
		'. == "none"' "\"$r\""
	ok_if "$m: that server counts it as udp_drop_window and makes no session" \
		'.udp_drop_window == 1 and .udp_assoc_active == 0 and .udp_pkts_in == 0' \
		"$(stats_s twin-b)"
	if in_s ssctl server del twin-a; then
		r=$(dgram_again "$TOPO_DIR/twin-first.bin" "$S4_C:$pb")
		ok_if "$m: sent again there once the session's server is deleted: not answered" \
			'. == "none"' "\"$r\""
	else
		ss_fail "$m: the session's server deleted" "ssctl failed"
	fi
	touch "$TOPO_DIR/twin-resume"
	wait "$pid"
	ok_if "$m: the client moving its session to the other server goes on there" \
		'.ok == 5 and .ok_after == 5 and .bad == 0' "$(tail -n 1 "$TOPO_DIR/twin.out")"
	ok_if "$m: the other server refused both copies and took the client's 5, in one session" \
		'.udp_drop_window == 2 and .udp_pkts_in == 5 and .udp_pkts_out == 5 and .udp_assoc_active == 1' \
		"$(stats_s twin-b)"
	in_s ssctl server del twin-b
else
	ss_fail "$m: two udp_only servers with one key start on ports $pa and $pb" "ssctl failed"
fi

# ---- the end ------------------------------------------------------------------------

topo_del_objects
ss_test "rmmod shadowsocks" rmmod shadowsocks
sleep 1
topo_kmsg_stop
kmsg_clean
elapsed "all done"
ss_done
