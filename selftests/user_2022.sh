#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# SIP023 multi-user Shadowsocks 2022 servers (ssctl user add/del/show),
# against the independent peer tools/ss2022.py (its identity headers are
# written from the spec; host_ss2022.sh checks its codec) and against the
# module's own local role. Topology (selftests/topology.sh): client netns
# -> server netns (the module's server) -> target netns (echo on 9000, UDP
# echo on 9002, HTTP on 8080).
#
#   - configuration: users only on 2022 servers of an AES method; a key of
#     the method's length, in base64, not a password; names and keys unique
#     per server; each refusal with its reason
#   - a server without users takes plain requests; its first user ends the
#     plain UDP session, and from then on it takes only users' requests
#     (the identity PSK alone, or an unknown user PSK, is an authentication
#     failure: drained, counted), even once its last user is removed
#   - aes-256 and aes-128: users alice and bob, TCP echo (1 MiB, SHA-256)
#     and UDP echo (50 datagrams) each; per-user counters in user show
#     (connections, bytes each way, UDP packets each way) and in ssctl
#     stats; the server's own counters add up
#   - the module's local role with key iPSK:uPSK through ss-socksd, curl
#     down and up
#   - user del ends the user's TCP connection and UDP session under way;
#     its next request is refused; added again with the same key, the
#     user's recorded datagram sent again is refused (udp_drop_window)
#     while the user going on with the session is answered
#   - 10,000 users added with ssctl -b; the first and the last added are
#     served; connection set-up time with 2 and with 10,001 users reported;
#     all removed with ssctl -b (the last one then refused), added again
#   - the server deleted with its users; the module unloads, no warning

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topology.sh"
source "$(dirname "$0")/peer2022.sh"

ECHO=9002
NUSERS=${SS_USERS_N:-10000}

cleanup() {
	topo_del_objects
	topo_cleanup
}
trap cleanup EXIT

# tcp ARGS...: the peer's TCP client in the client netns
tcp() { in_c "$PY" "$SS2022" client tcp "$@"; }

# refused DESC ARGS...: the peer's TCP client gets nothing (drained)
refused() {
	local desc=$1 out
	shift
	out=$(tcp "$@" --expect-refused --wait 6 2>&1)
	if jq -e .ok <<<"$(tail -n 1 <<<"$out")" >/dev/null 2>&1; then
		ss_ok "$desc"
	else
		ss_fail "$desc" "$out"
	fi
}

# user_stats SERVER USER: the user's counters (JSON object)
user_stats() { in_s ssctl user show "$1" "$2" -j | jq -c '.[0].stats'; }

# user_ok DESC SERVER USER JQ: the user's counters satisfy JQ
user_ok() {
	local st
	st=$(user_stats "$2" "$3")
	if jq -e "$4" <<<"$st" >/dev/null 2>&1; then
		ss_ok "$1"
	else
		ss_fail "$1" "user $3: $st; want $4"
	fi
}

# refusal DESC PATTERN CMD...: CMD fails with PATTERN in its output
refusal() {
	local desc=$1 pat=$2 out
	shift 2
	if out=$("$@" 2>&1); then
		ss_fail "$desc" "it succeeded: $out"
	elif [[ $out == *$pat* ]]; then
		ss_ok "$desc"
	else
		ss_fail "$desc" "want \"$pat\" in: $out"
	fi
}

topo_start kmsg
ss_test "the module loads" in_s ssctl server show

# ---- configuration ------------------------------------------------------------

m=2022-blake3-aes-256-gcm
IK=$(psk $m)
ss_test "a 2022 aes-256 server" in_s ssctl server add s0 port 8600 method $m key "$IK" \
	mode tcp_and_udp handshake-timeout 3
ss_test "a 2022 chacha20 server" in_s ssctl server add sc port 8601 \
	method 2022-blake3-chacha20-poly1305 key "$(psk 2022-blake3-chacha20-poly1305)"
ss_test "an AEAD-2017 server" in_s ssctl server add s17 port 8602 method aes-256-gcm password pw
wait_for 10 listening "$NS_S" 8600
ok_if "server show: a 2022 AES server has 0 users" '.[0].users == 0' \
	"$(in_s ssctl server show s0 -j)"
refusal "users on a chacha20 server are refused: SIP023 is for AES methods" "AES" \
	in_s ssctl user add sc alice key "$(psk $m)"
refusal "users on an AEAD-2017 server are refused" "AES" \
	in_s ssctl user add s17 alice key "$(psk $m)"
refusal "a user key of the wrong length is refused" "length" \
	in_s ssctl user add s0 alice key "$(openssl rand -base64 16)"
refusal "a user with a password is refused" "password" \
	in_s ssctl user add s0 alice password hunter2
refusal "a user of no server is refused" "no server" \
	in_s ssctl user add nosuch alice key "$(psk $m)"
refusal "an invalid user name is refused" "name" \
	in_s ssctl user add s0 'a/b' key "$(psk $m)"

# ---- before users: plain requests --------------------------------------------------

ss_test "$m: without users the server takes the identity PSK alone" \
	tcp --server "$S4_C:8600" --method $m --key "$IK" --target "$T4:9000" \
	--echo-check 1000 --wait 30
udp "$m: without users, a UDP session under the identity PSK alone" ".ok == 5" \
	--server "$S4_C:8600" --method $m --key "$IK" --target "$T4:$ECHO" --count 5
ok_if "the plain UDP session is there" '.udp_assoc_active == 1' "$(stats_s s0)"

# ---- users on aes-256 and aes-128 --------------------------------------------------

declare -A UK
UK[alice]=$(psk $m)
UK[bob]=$(psk $m)
ss_test "user add s0 alice" in_s ssctl user add s0 alice key "${UK[alice]}"
ok_if "the first user ends the UDP session made under the identity PSK alone" \
	'.udp_assoc_active == 0' "$(stats_s s0)"
ss_test "user add s0 bob (from a password-file)" bash -c \
	"echo '${UK[bob]}' >'$TOPO_DIR/bob.key' && ip netns exec $NS_S ssctl user add s0 bob password-file '$TOPO_DIR/bob.key'"
refusal "a second user named alice is refused" "user of that name" \
	in_s ssctl user add s0 alice key "$(psk $m)"
refusal "a second user with alice's key is refused" "key" \
	in_s ssctl user add s0 carol key "${UK[alice]}"
ok_if "server show: s0 has 2 users" '.[0].users == 2' "$(in_s ssctl server show s0 -j)"
out=$(in_s ssctl user show s0 -j)
ok_if "user show -j lists alice and bob, no key" \
	'length == 2 and (map(.user) | sort) == ["alice", "bob"] and
	 all(.[]; .server == "s0" and (has("key") | not))' "$out"
if in_s ssctl user show s0 | grep -q "${UK[alice]}"; then
	ss_fail "user show never shows a key" "alice's key is in its output"
else
	ss_ok "user show never shows a key"
fi

N=$((1 << 20))
s0=$(stats_s s0)
for u in alice bob; do
	ss_test "$m: user $u, TCP: 1 MiB echoed, SHA-256 equal" \
		tcp --server "$S4_C:8600" --method $m --key "$IK:${UK[$u]}" \
		--target "$T4:9000" --echo-check $N --wait 60
	udp "$m: user $u, UDP: 50 datagrams echoed" ".ok == 50 and .bad == 0" \
		--server "$S4_C:8600" --method $m --key "$IK:${UK[$u]}" \
		--target "$T4:$ECHO" --count 50 --min 1 --max 1200
done
wait_for 10 bash -c "[ \"\$(ip netns exec $NS_S ssctl user show s0 alice -j | jq '.[0].stats.conn_active')\" = 0 ]"
for u in alice bob; do
	user_ok "$m: user $u's counters: 1 connection, 1 MiB each way, 50 datagrams each way, no failure" \
		s0 $u ".conn_total == 1 and .conn_active == 0 and .bytes_in == $N and
		 .bytes_out == $N and .udp_pkts_in == 50 and .udp_pkts_out == 50 and
		 .udp_bytes_in == .udp_bytes_out and .udp_bytes_in >= 50 and
		 .auth_fail == 0 and .udp_assoc_active == 1"
done
st=$(stats_s s0)
ok_if "$m: the server's counters add up its users' and the plain requests before them" \
	".conn_total == 3 and .bytes_in == $((2 * N + 1000)) and .udp_pkts_in == 105 and
	 .udp_assoc_active == 2 and .auth_fail == 0" "$st"

refused "$m: with users, the identity PSK alone is refused (drained)" \
	--server "$S4_C:8600" --method $m --key "$IK" --target "$T4:9000"
refused "$m: with users, an unknown user PSK is refused (drained)" \
	--server "$S4_C:8600" --method $m --key "$IK:$(psk $m)" --target "$T4:9000"
udp "$m: UDP of an unknown user PSK is not answered" ".ok == 0" \
	--server "$S4_C:8600" --method $m --key "$IK:$(psk $m)" \
	--target "$T4:$ECHO" --count 3 --expect-none --retries 0 --wait 1
wait_for 10 bash -c "[ \"\$(ip netns exec $NS_S ssctl server show s0 -j | jq '.[0].stats.draining')\" = 0 ]"
ok_if "$m: counted as auth_fail (2) and udp_drop_auth (3); the users' counters unmoved" \
	".auth_fail == 2 and .udp_drop_auth == 3" "$(stats_s s0)"
user_ok "$m: alice's auth_fail stays 0 (the failures named no user)" s0 alice '.auth_fail == 0'

# a Prometheus parser reads it, and alice's series carry both labels
PROM_USERS='
import sys
from prometheus_client.parser import text_string_to_metric_families
n = 0
for fam in text_string_to_metric_families(sys.stdin.read()):
    for s in fam.samples:
        if s.labels.get("user") == "alice" and s.labels.get("server") == "s0":
            n += 1
sys.exit(0 if n >= 8 else "%d samples of alice" % n)
'
out=$(in_s ssctl stats)
if "$PY" -c "$PROM_USERS" <<<"$out" 2>"$TOPO_DIR/prom.err"; then
	ss_ok "ssctl stats: per-user series with server and user labels, valid Prometheus text"
else
	ss_fail "ssctl stats: per-user series with server and user labels, valid Prometheus text" \
		"$(grep -m3 user= <<<"$out"); $(cat "$TOPO_DIR/prom.err")"
fi

m2=2022-blake3-aes-128-gcm
IK2=$(psk $m2) U2=$(psk $m2)
if in_s ssctl server add s1 port 8603 method $m2 key "$IK2" mode tcp_and_udp &&
	in_s ssctl user add s1 dave key "$U2"; then
	wait_for 10 listening "$NS_S" 8603
	ss_test "$m2: user dave, TCP: 1 MiB echoed over IPv6, SHA-256 equal" \
		tcp --server "[$S6_C]:8603" --method $m2 --key "$IK2:$U2" \
		--target "$T4:9000" --echo-check $N --wait 60
	udp "$m2: user dave, UDP: 50 datagrams echoed" ".ok == 50 and .bad == 0" \
		--server "$S4_C:8603" --method $m2 --key "$IK2:$U2" \
		--target "$T4:$ECHO" --count 50
	refusal "$m2: a 32-byte user key is refused" "length" \
		in_s ssctl user add s1 erin key "$(psk $m)"
else
	ss_fail "$m2: a server with a user" "ssctl failed"
fi

# ---- the module's local role -------------------------------------------------------

if in_c ssctl client add cu server "$S4_C" port 8600 method $m key "$IK:${UK[alice]}" \
	handshake-timeout 10 >"$TOPO_DIR/err" 2>&1; then
	topo_bg socksd-cu "$NS_C" ss-socksd -v --client cu --socks 127.0.0.1:10960 \
		--tunnel "127.0.0.1:10961=$T4:$ECHO,udp"
	wait_for 10 listening "$NS_C" 10960
	a0=$(user_stats s0 alice)
	ss_test "$m, module to module as alice: 1 MiB down through ss-socksd, SHA-256 equal" \
		get --socks5 127.0.0.1:10960 -- "http://$T4:8080/blob?n=$N" "$N"
	ss_test "$m, module to module as alice: 1 MiB up, SHA-256 equal" \
		put --socks5 127.0.0.1:10960 -- "http://[$T6]:8080/sink" "$N"
	out=$(in_c "$PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
ok = 0
for i in range(20):
    s.sendto(b"user-%d" % i, ("127.0.0.1", 10961))
    try:
        ok += s.recv(100) == b"user-%d" % i
    except socket.timeout:
        pass
print(ok)' 2>&1)
	if [ "$out" -ge 18 ] 2>/dev/null; then
		ss_ok "$m, module to module as alice: UDP tunnel, $out of 20 datagrams echoed"
	else
		ss_fail "$m, module to module as alice: UDP tunnel" "$out; $(logtail socksd-cu)"
	fi
	wait_for 10 bash -c "[ \"\$(ip netns exec $NS_S ssctl user show s0 alice -j | jq '.[0].stats.conn_active')\" = 0 ]"
	b0=$(user_stats s0 alice)
	if jq -e -n --argjson a "$a0" --argjson b "$b0" \
		"(\$b.conn_total - \$a.conn_total) == 2 and (\$b.bytes_out - \$a.bytes_out) >= $N and
		 (\$b.bytes_in - \$a.bytes_in) >= $N and (\$b.udp_pkts_in - \$a.udp_pkts_in) >= 18" >/dev/null; then
		ss_ok "$m: the module's local role counted as alice on the server"
	else
		ss_fail "$m: the module's local role counted as alice on the server" "before $a0; after $b0"
	fi
else
	ss_fail "$m: a client profile with key iPSK:uPSK" "$(cat "$TOPO_DIR/err")"
fi

# ---- user del ends its relays ------------------------------------------------------

# a TCP connection of bob's that stays open (curl reading slowly through the
# module's local role), and a UDP session of his (the peer's)
big=$((32 << 20))	# more than the socket buffers on the way hold
if in_c ssctl client add cb server "$S4_C" port 8600 method $m key "$IK:${UK[bob]}" \
	handshake-timeout 10 >"$TOPO_DIR/err" 2>&1; then
	topo_bg socksd-cb "$NS_C" ss-socksd -v --client cb --socks 127.0.0.1:10962
	wait_for 10 listening "$NS_C" 10962
else
	ss_fail "$m: a client profile for bob" "$(cat "$TOPO_DIR/err")"
fi
( in_c curl -s --max-time 90 --limit-rate 32k --socks5 127.0.0.1:10962 \
	"http://$T4:8080/blob?n=$big" -o /dev/null -w '%{size_download}\n' \
	>"$TOPO_DIR/slow.out" 2>&1; echo "rc=$?" >>"$TOPO_DIR/slow.out" ) &
slow=$!
# bob's UDP session: 5 datagrams, the first recorded; it goes on after bob
# is added again (below)
rm -f "$TOPO_DIR/bob-resume"
in_c "$PY" -u "$SS2022" client udp --server "$S4_C:8600" --method $m \
	--key "$IK:${UK[bob]}" --target "$T4:$ECHO" --count 5 \
	--save-sent "$TOPO_DIR/bob-first.bin" --resume-after "$TOPO_DIR/bob-resume" \
	>"$TOPO_DIR/bob-udp.out" 2>&1 &
bob_udp=$!
if wait_for 60 grep -q '"paused": 5' "$TOPO_DIR/bob-udp.out"; then
	ss_ok "$m: bob's UDP session"
else
	ss_fail "$m: bob's UDP session" "$(cat "$TOPO_DIR/bob-udp.out")"
fi
wait_for 20 bash -c "[ \"\$(ip netns exec $NS_S ssctl user show s0 bob -j | jq '.[0].stats.conn_active')\" = 1 ]"
ua=$(stats_s s0 | jq .udp_assoc_active)
ok_if "bob has a connection and a UDP session under way" \
	'.conn_active == 1 and .udp_assoc_active >= 1' "$(user_stats s0 bob)"
ss_test "user del s0 bob" in_s ssctl user del s0 bob
wait_for 20 bash -c "[ \"\$(ip netns exec $NS_S ssctl server show s0 -j | jq '.[0].stats.conn_active')\" = 0 ]"
ok_if "bob's connection is ended, and his UDP sessions" \
	".conn_active == 0 and .udp_assoc_active < $ua" "$(stats_s s0)"

# bob added again with his key: his UDP session's first datagram, sent
# again from elsewhere while in time (within 30 s of bob's first), is
# refused (the server kept how far the session had got); bob going on with
# it is answered. Then bob is removed again.
s0=$(stats_s s0)
ss_test "user add s0 bob again, with his key" in_s ssctl user add s0 bob key "${UK[bob]}"
ok_if "$m: bob's recorded datagram sent again is not answered" '. == "none"' \
	"\"$(dgram_again "$TOPO_DIR/bob-first.bin" "$S4_C:8600")\""
touch "$TOPO_DIR/bob-resume"
wait "$bob_udp"
ok_if "$m: bob going on with his UDP session is answered" \
	'.ok == 5 and .ok_after == 5 and .bad == 0' "$(tail -n 1 "$TOPO_DIR/bob-udp.out")"
ok_if "$m: the copy counted as udp_drop_window, bob's 5 taken" \
	"(.udp_drop_window - $(jq .udp_drop_window <<<"$s0")) == 1 and
	 (.udp_pkts_in - $(jq .udp_pkts_in <<<"$s0")) == 5" "$(stats_s s0)"
ss_test "user del s0 bob, again" in_s ssctl user del s0 bob
wait "$slow"
got=$(head -n 1 "$TOPO_DIR/slow.out")
if grep -q '^rc=0$' "$TOPO_DIR/slow.out" || [ "${got:-0}" -ge "$big" ] 2>/dev/null; then
	ss_fail "bob's download under way ends when bob is deleted" "$(cat "$TOPO_DIR/slow.out")"
else
	ss_ok "bob's download under way ends when bob is deleted ($got of $big bytes)"
fi
refusal "user show s0 bob: no such user" "no user" in_s ssctl user show s0 bob
refused "$m: bob's next request is refused (drained)" \
	--server "$S4_C:8600" --method $m --key "$IK:${UK[bob]}" --target "$T4:9000"
refusal "user del of a user that is gone is refused" "no user" \
	in_s ssctl user del s0 bob
ss_test "$m: alice is still served" \
	tcp --server "$S4_C:8600" --method $m --key "$IK:${UK[alice]}" \
	--target "$T4:9000" --echo-check 1000 --wait 30

# ---- 10,000 users ------------------------------------------------------------------

# setup_time KEY: seconds for SETUP_N requests of 1000 bytes echoed, one
# after the other (each a new connection: salt, identity header, lookup;
# most of the time is the peer's start, a Python process each)
SETUP_N=8
setup_time() {
	local t0=$SECONDS i
	for i in $(seq $SETUP_N); do
		tcp --server "$S4_C:8600" --method $m --key "$IK:$1" \
			--target "$T4:9000" --echo-check 1000 --wait 30 >/dev/null 2>&1 ||
			return 1
	done
	echo $((SECONDS - t0))
}
t_few=$(setup_time "${UK[alice]}")
"$PY" -c '
import base64, os, sys
n, out, keys = int(sys.argv[1]), sys.argv[2], sys.argv[3]
with open(out, "w") as f, open(keys, "w") as k:
    for i in range(n):
        key = base64.b64encode(os.urandom(32)).decode()
        f.write("user add s0 u%d key %s\n" % (i, key))
        if i in (0, n - 1):
            k.write(key + "\n")
' "$NUSERS" "$TOPO_DIR/users.batch" "$TOPO_DIR/users.keys"
t0=$(date +%s.%N)
if out=$(in_s ssctl -b "$TOPO_DIR/users.batch" 2>&1); then
	t1=$(date +%s.%N)
	ss_ok "$NUSERS users added with ssctl -b ($(echo "$t1 - $t0" | bc | cut -c1-5) s)"
else
	ss_fail "$NUSERS users added with ssctl -b" "$(tail -n 3 <<<"$out")"
fi
ok_if "server show: s0 has $((NUSERS + 1)) users" ".[0].users == $((NUSERS + 1))" \
	"$(in_s ssctl server show s0 -j)"
ok_if "user show s0 -j lists all $((NUSERS + 1)) (a dump in many parts)" \
	"length == $((NUSERS + 1))" "$(in_s ssctl user show s0 -j)"
ok_if "user show -j of every server lists s0's and s1's" \
	"length == $((NUSERS + 2))" "$(in_s ssctl user show -j)"
first=$(sed -n 1p "$TOPO_DIR/users.keys") last=$(sed -n 2p "$TOPO_DIR/users.keys")
ss_test "$m: the first of $NUSERS users is served" \
	tcp --server "$S4_C:8600" --method $m --key "$IK:$first" \
	--target "$T4:9000" --echo-check 1000 --wait 30
ss_test "$m: the last of $NUSERS users is served" \
	tcp --server "$S4_C:8600" --method $m --key "$IK:$last" \
	--target "$T4:9000" --echo-check 1000 --wait 30
udp "$m: UDP of the last of $NUSERS users" ".ok == 10" \
	--server "$S4_C:8600" --method $m --key "$IK:$last" --target "$T4:$ECHO" --count 10
t_many=$(setup_time "$last")
if [ -n "$t_few" ] && [ -n "$t_many" ]; then
	ss_ok "$SETUP_N connections one after another: $t_few s with 2 users, $t_many s with $((NUSERS + 1)) (reported, not asserted)"
else
	ss_fail "$SETUP_N connections one after another, with few and many users" "$t_few / $t_many"
fi
user_ok "the last user's counters: $((SETUP_N + 1)) connections" s0 "u$((NUSERS - 1))" \
	".conn_total == $((SETUP_N + 1)) and .udp_pkts_in == 10"

seq 0 $((NUSERS - 1)) | sed 's/^/user del s0 u/' >"$TOPO_DIR/users.del"
t0=$(date +%s.%N)
if out=$(in_s ssctl -b "$TOPO_DIR/users.del" 2>&1); then
	t1=$(date +%s.%N)
	ss_ok "$NUSERS users removed with ssctl -b ($(echo "$t1 - $t0" | bc | cut -c1-5) s)"
else
	ss_fail "$NUSERS users removed with ssctl -b" "$(tail -n 3 <<<"$out")"
fi
ok_if "server show: s0 has 1 user left" '.[0].users == 1' "$(in_s ssctl server show s0 -j)"
refused "$m: the last of the removed users is refused (drained)" \
	--server "$S4_C:8600" --method $m --key "$IK:$last" --target "$T4:9000"
ss_test "$m: alice is still served" \
	tcp --server "$S4_C:8600" --method $m --key "$IK:${UK[alice]}" \
	--target "$T4:9000" --echo-check 1000 --wait 30
ss_test "user del s0 alice, the last user" in_s ssctl user del s0 alice
ok_if "server show: s0 has no user" '.[0].users == 0' "$(in_s ssctl server show s0 -j)"
refused "$m: with its last user removed, the identity PSK alone is still refused" \
	--server "$S4_C:8600" --method $m --key "$IK" --target "$T4:9000"
in_s ssctl -b "$TOPO_DIR/users.batch" >/dev/null 2>&1
ok_if "$NUSERS users added again" ".[0].users == $NUSERS" \
	"$(in_s ssctl server show s0 -j)"
ss_test "the server with $NUSERS users is deleted" in_s ssctl server del s0

# ---- the end ------------------------------------------------------------------------

topo_del_objects
ss_test "rmmod shadowsocks" rmmod shadowsocks
sleep 1
topo_kmsg_stop
kmsg_clean
elapsed "all done"
ss_done
