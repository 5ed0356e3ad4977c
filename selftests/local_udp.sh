#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The local role's UDP relay (SS_CMD_UDP_RELAY_NEW), end to end (kernel
# module only). Topology (selftests/topology.sh, TOPO_LAN=1):
#
#   [lan] dig, tools/socks5_udp.py, tools/ss_udp.py plain
#     -> [gateway = client netns] ss-socksd: SOCKS5 front ends (UDP
#        ASSOCIATE) and UDP tunnels (--tunnel ...,udp), handed to the kernel
#     -> [server] the module's server role (mode tcp_and_udp), or
#        shadowsocks-libev's ss-server -u
#     -> [target] UDP echo on 9002 (tools/servers.py), dnsmasq on 53
#
#   - UDP tunnels: dig through a tunnel to the target's dnsmasq (A, AAAA);
#     plain datagrams of 1..1400 bytes echoed through an IPv4 and an IPv6
#     tunnel front end
#   - SOCKS5 UDP ASSOCIATE (tools/socks5_udp.py): 10,000 datagrams of
#     1..1400 bytes to an IPv4, an IPv6 and a domain target, each reply
#     checked (00 00 00, the target's address, the payload); over an IPv6
#     control connection too; the profile's and the server's counters
#   - RSV != 0 (the two reserved bytes): dropped, counted as
#     udp_drop_bad, nothing answered;
#   - FRAG != 0: dropped, counted as udp_drop_bad, nothing answered; a
#     source other than the one announced: dropped and counted; a hostile
#     server's bad replies (random, runt, wrong key, bad addresses) dropped
#     and counted, only its good reply relayed
#   - SS_CMD_UDP_RELAY_NEW by hand (tools/udp_relay_nl.py): every refusal
#     with its errno; a tunnel and a SOCKS5 relay made without ss-socksd
#     (the kernel writes SS_A_REPLY; -EBUSY for a socket relayed already;
#     the relay ends with its control socket)
#   - the control connection closed: the association and its UDP socket
#     end; ss-socksd restarted: a SOCKS5 association lives on, and the UDP
#     tunnels are handed over again (the old ones ended with ss-socksd)
#   - the profile's idle timeout ends associations; max-conns caps UDP
#     relays (the next ASSOCIATE gets 05 01, counted as refused) and a
#     relay's associations (a third source is dropped, udp_drop_limit)
#   - interop, every method: the kernel's local role to shadowsocks-libev's
#     ss-server -u, and libev's ss-local -u (SOCKS5 UDP) to the kernel's
#     server; DNS and a domain target through ss-server -u
#   - teardown: a profile deleted under a live association (the control
#     connection is closed by the kernel), a netns deleted with a live UDP
#     relay, rmmod with live relays; every relay and association the debug
#     log shows created was destroyed; no kernel warning

TOPO_LAN=1
TOPO_RESOLVER=1	# the server role resolves through an agent in its netns

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topology.sh"

PW="local udp test password $$"
M=chacha20-ietf-poly1305
SRV_PORT=8600
LIBEV_PORT=8610
ECHO=9002
METHODS=(aes-128-gcm aes-192-gcm aes-256-gcm chacha20-ietf-poly1305 xchacha20-ietf-poly1305)
mapfile -t METHODS < <(ss_methods "${METHODS[@]}")
# datagrams per big SOCKS5 run: 4000 to an IPv4 target, 4000 to an IPv6
# one, 2000 to a domain: 10,000 of 1..1400 bytes (1400: the largest
# payload that crosses the 1500-byte MTU unfragmented with the Shadowsocks
# overhead of an IPv6 target: salt 32, address 19, tag 16, IP and UDP 28)
N=${SS_LUDP_N:-4000}
N_SMALL=${SS_LUDP_N_SMALL:-300}
N_INTEROP=${SS_LUDP_N_INTEROP:-100}

NS_X=ssx-$TOPO_ID

cleanup() {
	topo_kill "${TOPO_PIDS[@]}"
	topo_del_objects
	ip netns del "$NS_X" 2>/dev/null
	topo_cleanup
}
trap cleanup EXIT

stat_c() { stats_c "$1" | jq ".$2"; }

# t DESC FUNC...: ss_test in this shell (FUNC may start background
# processes that cleanup must know of, or set variables)
t() {
	local desc=$1
	shift
	if "$@" >"$TOPO_DIR/err" 2>&1; then
		ss_ok "$desc"
	else
		ss_fail "$desc" "$(cat "$TOPO_DIR/err")"
	fi
}

# exited PID: our child PID has exited (a zombie until waited for)
exited() { [ ! -e "/proc/$1" ] || [ "$(awk '{print $3}' "/proc/$1/stat")" = Z ]; }

# assocs_are PROFILE N: the profile has N associations now
assocs_are() { [ "$(stat_c "$1" udp_assoc_active)" = "$2" ]; }

s5udp() { in_l "$PY" "$SS_TOOLS/socks5_udp.py" "$@"; }
plain() { in_l "$PY" "$SS_TOOLS/ss_udp.py" plain "$@"; }

# socksd LOGNAME PROFILE ARGS...: ss-socksd in the gateway; pid in SOCKSD_PID
socksd() {
	local log=$1 prof=$2
	shift 2
	topo_bg "$log" "$NS_C" ss-socksd -v --client "$prof" "$@"
	SOCKSD_PID=$TOPO_LAST_PID
}

# the gateway's front ends for profile "main"
S4=$C4_L:1080 S6=[$C6_L]:1080
DNS_T=$C4_L:5353 ECHO_T4=$C4_L:9102 ECHO_T6=[$C6_L]:9106
FRONTS=(--socks "$S4" --socks "$S6"
	--tunnel "$DNS_T=$T4:53,udp"
	--tunnel "$ECHO_T4=$T4:$ECHO,udp"
	--tunnel "$ECHO_T6=[$T6]:$ECHO,udp")
fronts_up() {
	wait_for 10 listening "$NS_C" 1080 && wait_for 10 udp_listening "$NS_C" 5353 &&
		wait_for 10 udp_listening "$NS_C" 9102 && wait_for 10 udp_listening "$NS_C" 9106
}

# dig_lan NAME TYPE WANT [SERVER PORT]: dig from the lan through the tunnel
dig_lan() {
	local out
	out=$(in_l dig @"${4:-$C4_L}" -p "${5:-5353}" +short +tries=3 +time=2 "$1" "$2" 2>&1)
	[ "$out" = "$3" ] || { echo "dig $1 $2: '$out', want '$3'"; return 1; }
}

# ---- set-up -------------------------------------------------------------------

topo_start kmsg
ss_test "the module loads (ssctl, on demand)" in_c ssctl client show
wait_for 10 udp_listening "$NS_T" "$ECHO" ||
	ss_fail "the target's UDP echo service listens" "$(cat "$TOPO_DIR/servers.log")"
HAVE_DIG=0
command -v dig >/dev/null && HAVE_DIG=1

ss_test "server s0 ($M, tcp_and_udp) in the server netns" \
	in_s ssctl server add s0 port "$SRV_PORT" method "$M" password "$PW" mode tcp_and_udp
ss_test "profile main (-> $S4_C:$SRV_PORT) in the gateway" \
	in_c ssctl client add main server "$S4_C" port "$SRV_PORT" method "$M" password "$PW"
ss_test "profile main6 (-> [$S6_C]:$SRV_PORT) in the gateway" \
	in_c ssctl client add main6 server "$S6_C" port "$SRV_PORT" method "$M" password "$PW"
socksd socksd-main main "${FRONTS[@]}"
MAIN_PID=$SOCKSD_PID
if fronts_up; then
	ss_ok "ss-socksd: SOCKS5 front ends and three UDP tunnels handed over"
else
	ss_fail "ss-socksd: SOCKS5 front ends and three UDP tunnels handed over" "$(logtail socksd-main)"
fi
elapsed "set-up done"

# ---- UDP tunnels --------------------------------------------------------------------

if [ "$HAVE_DIG" = 1 ]; then
	ss_test "tunnel: dig $DOMAIN A through $DNS_T to $T4:53" dig_lan "$DOMAIN" A "$T4"
	ss_test "tunnel: dig $DOMAIN AAAA through $DNS_T to $T4:53" dig_lan "$DOMAIN" AAAA "$T6"
else
	ss_test "tunnel: a DNS query for $DOMAIN through $DNS_T (no dig: python)" \
		in_l "$PY" "$SS_TOOLS/ss_udp.py" dns --to "$DNS_T" --name "$DOMAIN"
fi
ss_test "tunnel: $N_SMALL datagrams of 1..1400 bytes through $ECHO_T4 to $T4:$ECHO echoed" \
	plain --to "$ECHO_T4" --count "$N_SMALL" --seed 1
ss_test "tunnel: $N_SMALL datagrams through the IPv6 front end $ECHO_T6 to [$T6]:$ECHO echoed" \
	plain --to "$ECHO_T6" --count "$N_SMALL" --seed 2
st=$(stats_c main)
ok_if "tunnel: profile main counts the datagrams both ways, an association each, no drop" \
	".udp_pkts_out >= $((2 * N_SMALL + 1)) and .udp_pkts_in >= $((2 * N_SMALL + 1)) and
	 .udp_bytes_out > 0 and .udp_bytes_in > 0 and .udp_assoc_active >= 2 and
	 .udp_drop_auth == 0 and .udp_drop_bad == 0 and .udp_drop_replay == 0 and
	 .udp_drop_limit == 0 and .udp_drop_target == 0" "$st"
elapsed "tunnels done"

# ---- SOCKS5 UDP ASSOCIATE -------------------------------------------------------------

ss_test "socks5: $N datagrams of 1..1400 bytes to $T4:$ECHO, each echoed from it" \
	s5udp --proxy "$S4" echo --target "$T4:$ECHO" --count "$N" --seed 3
ss_test "socks5: $N datagrams to [$T6]:$ECHO, each echoed from it" \
	s5udp --proxy "$S4" echo --target "[$T6]:$ECHO" --count "$N" --seed 4
ss_test "socks5: $((N / 2)) datagrams to $DOMAIN:$ECHO (resolved by the server) echoed" \
	s5udp --proxy "$S4" echo --target "$DOMAIN:$ECHO" --count $((N / 2)) --seed 5
ss_test "socks5: over an IPv6 control connection ($S6), $N_SMALL datagrams to [$T6]:$ECHO echoed" \
	s5udp --proxy "$S6" echo --target "[$T6]:$ECHO" --count "$N_SMALL" --seed 6
ss_test "socks5: 20 datagrams of 1400..8000 bytes (fragmented IP) to $T4:$ECHO echoed" \
	s5udp --proxy "$S4" echo --target "$T4:$ECHO" --count 20 --min 1400 --max 8000
ss_test "socks5: profile main6 (server over IPv6): $N_SMALL datagrams echoed" bash -c "
	ip netns exec $NS_C ss-socksd --client main6 --socks $C4_L:1081 >$TOPO_DIR/socksd-main6.log 2>&1 &
	pid=\$!
	for i in \$(seq 50); do ip netns exec $NS_C ss -Htln '( sport = :1081 )' | grep -q . && break; sleep 0.1; done
	ip netns exec $NS_L $PY $SS_TOOLS/socks5_udp.py --proxy $C4_L:1081 echo --target $T4:$ECHO --count $N_SMALL --seed 7
	rc=\$?
	kill \$pid
	exit \$rc"
sleep 0.5
st=$(stats_c main)
n=$((2 * N + N / 2 + N_SMALL + 20))
ok_if "socks5: profile main counts at least $n more datagrams each way, no drop" \
	".udp_pkts_out >= $((2 * N_SMALL + n)) and .udp_pkts_in >= $((2 * N_SMALL + n)) and
	 .udp_drop_auth == 0 and .udp_drop_bad == 0 and .udp_drop_replay == 0 and
	 .udp_drop_target == 0" "$st"
ok_if "socks5: server s0 counts them too" \
	".udp_pkts_in >= $((2 * N_SMALL + n)) and .udp_pkts_out >= $((2 * N_SMALL + n)) and
	 .udp_drop_auth == 0 and .udp_drop_replay == 0" "$(stats_s s0)"
if out=$(in_c ssctl client show main 2>&1) && grep -q '^  udp:' <<<"$out"; then
	ss_ok "ssctl client show: the profile's udp counters"
else
	ss_fail "ssctl client show: the profile's udp counters" "$out"
fi
elapsed "socks5 done"

# ---- bad datagrams --------------------------------------------------------------------

# FRAG != 0 (we do not reassemble), then RSV != 0 (RFC 1928 7: must be 0)
for field in FRAG RSV; do
	bad0=$(stat_c main udp_drop_bad)
	out=$(s5udp --proxy "$S4" "${field,,}" --target "$T4:$ECHO" --count 10 --wait 2)
	ok_if "socks5: 10 datagrams with $field != 0 unanswered, then a good one echoed" .ok "$out"
	bad1=$(stat_c main udp_drop_bad)
	[ "$((bad1 - bad0))" = 10 ] && ss_ok "socks5: $field != 0 counted as udp_drop_bad (10)" ||
		ss_fail "socks5: $field != 0 counted as udp_drop_bad (10)" "udp_drop_bad $bad0 -> $bad1"
done
out=$(s5udp --proxy "$S4" source --announce "$L4:1" --target "$T4:$ECHO" --count 5 --wait 2)
ok_if "socks5: ASSOCIATE announcing $L4:1, datagrams from another port unanswered" .ok "$out"
bad2=$(stat_c main udp_drop_bad)
[ "$((bad2 - bad1))" = 5 ] && ss_ok "socks5: a source not announced counted as udp_drop_bad (5)" ||
	ss_fail "socks5: a source not announced counted as udp_drop_bad (5)" "udp_drop_bad $bad1 -> $bad2"
elapsed "bad datagrams done"

# hostile_py: the script of a hostile server (arguments METHOD PASSWORD
# PORT TOOLS_DIR): to each request it answers random bytes, a runt, a
# packet sealed with another key, one with a bad address type and one with
# a truncated address, then a good reply. Only the good one may reach the
# application; the others are counted on the profile.
hostile_py() {
	cat <<'PYEOF'
import os, socket, sys
sys.path.insert(0, sys.argv[4])
from ss_udp import Udp
u, wrong = Udp(sys.argv[1], sys.argv[2]), Udp(sys.argv[1], "not " + sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[3])))
addr = bytes([1, 10, 0, 2, 2]) + (9002).to_bytes(2, "big")
while True:
    pkt, peer = s.recvfrom(65535)
    try:
        req = u.open(pkt)
    except Exception:
        continue
    for bad in (os.urandom(64), os.urandom(10), wrong.seal(addr + b"wrong key"),
                u.seal(b"\x05" + bytes(8) + b"atyp"), u.seal(b"\x01\x0a\x00")):
        s.sendto(bad, peer)
    s.sendto(u.seal(addr + b"ok:" + req[7:]), peer)
PYEOF
}
hostile_test() {
	local out st pids=()
	hostile_py >"$TOPO_DIR/hostile.py"
	topo_bg hostile "$NS_S" "$PY" "$TOPO_DIR/hostile.py" "$M" "$PW" 8630 "$SS_TOOLS"
	pids+=("$TOPO_LAST_PID")
	in_c ssctl client add hostile server "$S4_C" port 8630 method "$M" password "$PW" || return 1
	socksd socksd-hostile hostile --tunnel "$C4_L:9107=$T4:$ECHO,udp"
	pids+=("$SOCKSD_PID")
	wait_for 10 udp_listening "$NS_S" 8630 && wait_for 10 udp_listening "$NS_C" 9107 ||
		{ echo "not started"; logtail hostile; logtail socksd-hostile; topo_kill "${pids[@]}"; return 1; }
	out=$(in_l "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.sendto(b"ping", (sys.argv[1], 9107))
got = []
try:
    got.append(s.recv(2048))
    s.settimeout(1.5)
    while True:
        got.append(s.recv(2048))
except socket.timeout:
    pass
print(got)
sys.exit(got != [b"ok:ping"])' "$C4_L")
	local rc=$?
	st=$(stats_c hostile)
	topo_kill "${pids[@]}"
	in_c ssctl client del hostile
	[ $rc = 0 ] || { echo "the application got $out, want [b'ok:ping']; $st"; return 1; }
	jq -e '.udp_pkts_in == 1 and .udp_drop_auth == 2 and .udp_drop_bad == 3' <<<"$st" >/dev/null ||
		{ echo "counters: $st"; return 1; }
}
t "a hostile server's replies (random, runt, wrong key, bad and truncated address): dropped and counted (auth 2, bad 3), only the good one relayed" hostile_test
elapsed "hostile server done"

# ---- the request itself, without ss-socksd ----------------------------------------------

out=$(in_c "$PY" "$SS_TOOLS/udp_relay_nl.py" main "$T4:$ECHO" 2>&1)
while read -r line; do
	[[ $line == "{"* ]] || continue
	ok_if "by hand: $(jq -r .case <<<"$line")" .ok "$line"
done <<<"$out"
grep -q '"case"' <<<"$out" || ss_fail "by hand: tools/udp_relay_nl.py runs" "$out"
elapsed "by hand done"

# ---- the control connection, ss-socksd's restart ------------------------------------------

# close_test: the association's UDP socket is there while the control
# connection is open, and gone after the client closes it
close_test() {
	local out port res
	coproc CL { s5udp --proxy "$S4" close --target "$T4:$ECHO" --hold 3 --wait 2; }
	read -r -t 20 out <&"${CL[0]}" || { echo "no port from socks5_udp.py"; return 1; }
	port=$(jq .port <<<"$out")
	udp_listening "$NS_C" "$port" || { echo "no UDP socket on the gateway's port $port"; return 1; }
	read -r -t 30 res <&"${CL[0]}"
	wait "$CL_PID"
	jq -e .ok <<<"$res" >/dev/null || { echo "$res"; return 1; }
	wait_for 5 udp_gone "$NS_C" "$port" || { echo "port $port still bound after the close"; return 1; }
}
t "socks5: the control connection closed ends the association: its UDP socket is released, nothing answered" close_test

restart_test() {
	local out res
	coproc HL { s5udp --proxy "$S4" hold --target "$T4:$ECHO" --hold 6 --wait 2; }
	read -r -t 20 out <&"${HL[0]}" || { echo "no port from socks5_udp.py"; return 1; }
	topo_kill "$MAIN_PID"
	# the tunnels end with ss-socksd (their socket pair closed)
	local p
	for p in 5353 9102 9106; do
		wait_for 5 udp_gone "$NS_C" $p || { echo "the UDP tunnel on $p outlived ss-socksd"; return 1; }
	done
	socksd socksd-main2 main "${FRONTS[@]}"
	MAIN_PID=$SOCKSD_PID
	fronts_up || { echo "ss-socksd did not come back"; logtail socksd-main2; return 1; }
	read -r -t 30 res <&"${HL[0]}"
	wait "$HL_PID"
	jq -e .ok <<<"$res" >/dev/null || { echo "$res"; return 1; }
}
t "ss-socksd killed and restarted: a SOCKS5 association lives on; the UDP tunnels end and are bound again" restart_test
if [ "$HAVE_DIG" = 1 ]; then
	ss_test "the new ss-socksd's UDP tunnel: dig $DOMAIN A" dig_lan "$DOMAIN" A "$T4"
fi
ss_test "the new ss-socksd: SOCKS5 UDP, $N_SMALL datagrams echoed" \
	s5udp --proxy "$S4" echo --target "$T4:$ECHO" --count "$N_SMALL" --seed 8
elapsed "control connection and restart done"

# ---- limits ---------------------------------------------------------------------------

limits() {
	in_c ssctl client add short server "$S4_C" port "$SRV_PORT" method "$M" password "$PW" \
		timeout 6 max-conns 2 || return 1
	socksd socksd-short short --socks "$C4_L:1082"
	local spid=$SOCKSD_PID out h1 h2
	wait_for 10 listening "$NS_C" 1082 || { echo "ss-socksd for short"; topo_kill "$spid"; return 1; }
	# two associations held, the third ASSOCIATE refused (the holds last
	# long enough for both to be up at once on a loaded host)
	s5udp --proxy "$C4_L:1082" hold --target "$T4:$ECHO" --hold 20 >"$TOPO_DIR/h1" 2>&1 &
	h1=$!
	s5udp --proxy "$C4_L:1082" hold --target "$T4:$ECHO" --hold 20 >"$TOPO_DIR/h2" 2>&1 &
	h2=$!
	wait_for 18 assocs_are short 2 ||
		{ echo "not 2 associations: $(stats_c short)"; topo_kill "$spid" "$h1" "$h2"; return 1; }
	out=$(s5udp --proxy "$C4_L:1082" none)
	jq -e .ok <<<"$out" >/dev/null ||
		{ echo "third ASSOCIATE: $out"; topo_kill "$spid" "$h1" "$h2"; return 1; }
	[ "$(stat_c short refused)" -ge 1 ] ||
		{ echo "refused not counted: $(stats_c short)"; topo_kill "$spid" "$h1" "$h2"; return 1; }
	wait $h1 $h2
	topo_kill "$spid"
	tail -n1 "$TOPO_DIR/h1" | jq -e .ok >/dev/null && tail -n1 "$TOPO_DIR/h2" | jq -e .ok >/dev/null ||
		{ echo "held associations: $(cat "$TOPO_DIR/h1" "$TOPO_DIR/h2")"; return 1; }
}
t "max-conns 2: two SOCKS5 UDP relays live, the third ASSOCIATE gets 05 01 (refused counted)" limits

idle_test() {
	# a UDP tunnel (its relay lives on): one datagram, then idle past the profile's 6 s
	local t0 n0
	socksd socksd-short2 short --tunnel "$C4_L:9105=$T4:$ECHO,udp"
	SHORT_PID=$SOCKSD_PID
	wait_for 20 udp_listening "$NS_C" 9105 || { echo "no tunnel on 9105"; logtail socksd-short2; return 1; }
	n0=$(stat_c short udp_pkts_in)
	# taken before the datagram: its association cannot end before t0 + 6
	# s, however slow the kernel (the debug kernel is, under TCG), so the
	# time it took to end is checked against that, not polled
	t0=$SECONDS
	plain --to "$C4_L:9105" --count 1 || return 1
	[ "$(stat_c short udp_pkts_in)" -gt "$n0" ] ||
		{ echo "the echo did not come through the profile: $(stats_c short)"; return 1; }
	wait_for 30 assocs_are short 0 ||
		{ echo "still $(stat_c short udp_assoc_active) associations after $((SECONDS - t0)) s"; return 1; }
	[ $((SECONDS - t0)) -ge 6 ] ||
		{ echo "ended too early: after $((SECONDS - t0)) s, within the 6 s timeout"; return 1; }
	echo "ended after $((SECONDS - t0)) s"
	# the tunnel relay itself lives on (it has a control socket)
	udp_listening "$NS_C" 9105 || { echo "the tunnel ended with its association"; return 1; }
	plain --to "$C4_L:9105" --count 3
}
t "timeout 6: an idle association of a UDP tunnel ends after the timeout and the expiry period; the tunnel serves on" idle_test

cap_test() {
	local out d0
	wait_for 20 assocs_are short 0 || { echo "associations left: $(stats_c short)"; return 1; }
	d0=$(stat_c short udp_drop_limit)
	# three sources at once through the tunnel: two get associations
	out=$(in_l "$PY" -c '
import json, socket, sys
socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(3)]
answered = 0
for i, s in enumerate(socks):
    s.settimeout(3)
    s.sendto(b"cap %d" % i, (sys.argv[1], 9105))
    try:
        answered += s.recv(100) == b"cap %d" % i
    except socket.timeout:
        pass
print(json.dumps({"answered": answered}))' "$C4_L")
	[ "$(jq .answered <<<"$out")" = 2 ] || { echo "$out, want 2 answered; $(stats_c short)"; return 1; }
	[ "$(stat_c short udp_drop_limit)" -gt "$d0" ] || { echo "udp_drop_limit not counted: $(stats_c short)"; return 1; }
}
t "max-conns 2: a UDP tunnel's third source address is dropped (udp_drop_limit), two are served" cap_test
topo_kill "$SHORT_PID"
elapsed "limits done"

# ---- interop: every method, both ways ------------------------------------------------------

# interop_method I METHOD: the kernel's local role (ss-socksd SOCKS5) to
# libev's ss-server -u, and libev's ss-local -u to the kernel's server,
# each carrying SOCKS5 UDP datagrams to the target's echo service
interop_method() {
	local i=$1 m=$2 pids=() rc=0
	local lport=$((LIBEV_PORT + 1 + i)) kport=$((SRV_PORT + 1 + i))
	local sport=$((1090 + i)) llport=$((1190 + i))

	topo_bg "ss-server-$i" "$NS_S" ss-server -s 0.0.0.0 -p "$lport" -k "$PW" -m "$m" -u
	pids+=("$TOPO_LAST_PID")
	in_s ssctl server add "k$i" port "$kport" method "$m" password "$PW" mode tcp_and_udp &&
		in_c ssctl client add "lv$i" server "$S4_C" port "$lport" method "$m" password "$PW" ||
		{ topo_kill "${pids[@]}"; return 1; }
	socksd "socksd-lv$i" "lv$i" --socks "$C4_L:$sport"
	pids+=("$SOCKSD_PID")
	topo_bg "ss-local-$i" "$NS_C" ss-local -s "$S4_C" -p "$kport" -b "$C4_L" -l "$llport" \
		-k "$PW" -m "$m" -u
	pids+=("$TOPO_LAST_PID")
	if wait_for 10 udp_listening "$NS_S" "$lport" && wait_for 10 listening "$NS_C" "$sport" &&
		wait_for 10 udp_listening "$NS_C" "$llport"; then
		ss_test "$m: kernel local -> libev ss-server -u: $N_INTEROP datagrams of 1..1400 bytes echoed" \
			s5udp --proxy "$C4_L:$sport" echo --target "$T4:$ECHO" --count "$N_INTEROP" --seed $((20 + i))
		ss_test "$m: libev ss-local -u -> kernel server: $N_INTEROP datagrams to [$T6]:$ECHO echoed" \
			s5udp --proxy "$C4_L:$llport" echo --target "[$T6]:$ECHO" --count "$N_INTEROP" --seed $((30 + i))
		ok_if "$m: the profile and the server count them, no drop" \
			"(.[0].udp_pkts_in >= $N_INTEROP and .[0].udp_pkts_out >= $N_INTEROP and
			  .[0].udp_drop_auth == 0 and .[0].udp_drop_bad == 0) and
			 (.[1].udp_pkts_in >= $N_INTEROP and .[1].udp_pkts_out >= $N_INTEROP and
			  .[1].udp_drop_auth == 0 and .[1].udp_drop_bad == 0 and .[1].udp_drop_replay == 0)" \
			"[$(stats_c "lv$i"), $(stats_s "k$i")]"
	else
		ss_fail "$m: libev ss-server -u, ss-socksd and ss-local -u start" \
			"$(logtail "ss-server-$i"; logtail "socksd-lv$i"; logtail "ss-local-$i")"
		rc=1
	fi
	topo_kill "${pids[@]}"
	in_c ssctl client del "lv$i"
	in_s ssctl server del "k$i"
	return $rc
}

if command -v ss-server >/dev/null && command -v ss-local >/dev/null; then
	i=0
	for m in "${METHODS[@]}"; do
		interop_method "$i" "$m"
		i=$((i + 1))
	done
else
	ss_skip "interop with ss-server -u and ss-local -u, every method" "no shadowsocks-libev"
fi
elapsed "interop, every method, done"

# ---- interop: shadowsocks-libev's ss-server -u, DNS and domain targets ----------------------

if command -v ss-server >/dev/null; then
	topo_bg ss-server-libev "$NS_S" ss-server -s 0.0.0.0 -s :: -p "$LIBEV_PORT" -k "$PW" \
		-m "$M" -u -d "$T4"
	LIBEV_PID=$TOPO_LAST_PID
	wait_for 10 udp_listening "$NS_S" "$LIBEV_PORT"
	in_c ssctl client add libev server "$S4_C" port "$LIBEV_PORT" method "$M" password "$PW"
	socksd socksd-libev libev --socks "$C4_L:1083" --tunnel "$C4_L:5354=$T4:53,udp"
	LSOCKSD_PID=$SOCKSD_PID
	wait_for 10 listening "$NS_C" 1083 && wait_for 10 udp_listening "$NS_C" 5354
	ss_test "libev ss-server -u: SOCKS5 UDP, $N_SMALL datagrams to $T4:$ECHO echoed" \
		s5udp --proxy "$C4_L:1083" echo --target "$T4:$ECHO" --count "$N_SMALL" --seed 9
	ss_test "libev ss-server -u: SOCKS5 UDP to $DOMAIN:$ECHO (resolved by libev) echoed" \
		s5udp --proxy "$C4_L:1083" echo --target "$DOMAIN:$ECHO" --count 50 --seed 10
	if [ "$HAVE_DIG" = 1 ]; then
		ss_test "libev ss-server -u: dig $DOMAIN A through the UDP tunnel" \
			dig_lan "$DOMAIN" A "$T4" "$C4_L" 5354
	fi
	ok_if "libev ss-server -u: profile libev counts, no auth failure, no drop" \
		'.udp_pkts_in > 0 and .udp_pkts_out > 0 and .udp_drop_auth == 0 and
		 .udp_drop_bad == 0 and .udp_drop_replay == 0' "$(stats_c libev)"
	topo_kill "$LSOCKSD_PID" "$LIBEV_PID"
	in_c ssctl client del libev
else
	ss_skip "interop with ss-server -u" "no shadowsocks-libev"
fi
elapsed "interop done"

# ---- teardown -------------------------------------------------------------------------------

cut_test() {
	local out res
	in_c ssctl client add doomed server "$S4_C" port "$SRV_PORT" method "$M" password "$PW" || return 1
	socksd socksd-doomed doomed --socks "$C4_L:1084" --tunnel "$C4_L:9104=$T4:$ECHO,udp"
	local dpid=$SOCKSD_PID
	wait_for 10 listening "$NS_C" 1084 || return 1
	coproc CT { s5udp --proxy "$C4_L:1084" cut --target "$T4:$ECHO" --hold 10; }
	read -r -t 20 out <&"${CT[0]}" || { echo "no port from socks5_udp.py"; return 1; }
	in_c ssctl client del doomed || return 1
	read -r -t 30 res <&"${CT[0]}"
	wait "$CT_PID"
	jq -e .ok <<<"$res" >/dev/null || { echo "$res"; return 1; }
	wait_for 5 udp_gone "$NS_C" "$(jq .port <<<"$out")" || { echo "the UDP socket outlived the profile"; return 1; }
	wait_for 5 udp_gone "$NS_C" 9104 || { echo "the UDP tunnel outlived the profile"; return 1; }
	# ss-socksd sees its UDP tunnel end, and exits with status 1
	wait_for 5 exited "$dpid" || { echo "ss-socksd did not exit"; topo_kill "$dpid"; return 1; }
	wait "$dpid"
	local rc=$?
	grep -q "the kernel ended the UDP relay" "$TOPO_DIR/socksd-doomed.log" && [ $rc = 1 ] ||
		{ echo "ss-socksd exit $rc"; logtail socksd-doomed; return 1; }
}
t "a profile deleted under a live association: the kernel closes the control connection, both UDP sockets released, ss-socksd exits 1" cut_test

netns_exit() {
	ip netns add "$NS_X" || return 1
	ip netns exec "$NS_X" ip link set lo up || return 1
	ip netns exec "$NS_X" ssctl client add x server 127.0.0.1 port 9 method "$M" password "$PW" || return 1
	ip netns exec "$NS_X" ss-socksd --client x --tunnel "127.0.0.1:5300=127.0.0.1:53,udp" \
		--socks 127.0.0.1:1085 >"$TOPO_DIR/socksd-x.log" 2>&1 &
	local xpid=$!
	wait_for 10 udp_listening "$NS_X" 5300 || { kill $xpid; echo "no tunnel in $NS_X"; return 1; }
	# a datagram: an association whose server does not answer
	ip netns exec "$NS_X" "$PY" -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b"x", ("127.0.0.1", 5300))'
	x_assoc() { [ "$(ip netns exec "$NS_X" ssctl client show x -j | jq '.[0].stats.udp_assoc_active')" = 1 ]; }
	wait_for 5 x_assoc || { kill $xpid; echo "no association"; return 1; }
	# The relay holds a socket of the netns, which holds the netns: the
	# netns can only go once the relay ends, here with ss-socksd (its
	# socket pair), racing the netns' exit.
	kill -9 $xpid
	wait $xpid 2>/dev/null
	ip netns del "$NS_X"
}
t "a netns with ss-socksd, a profile, a UDP tunnel and an association: ss-socksd killed, the netns deleted" netns_exit

# live relays for rmmod: ss-socksd's tunnels (the restarted one still
# runs) and a held association
s5udp --proxy "$S4" hold --target "$T4:$ECHO" --hold 30 >/dev/null 2>&1 &
HOLD_PID=$!
plain --to "$ECHO_T4" --count 3 >/dev/null 2>&1
sleep 1
ok_if "live UDP relays and associations before rmmod" '.udp_assoc_active >= 2' "$(stats_c main)"
sleep 2		# the debug log of the netns' end
if out=$(rmmod shadowsocks 2>&1); then
	ss_ok "rmmod shadowsocks succeeds with live profiles, UDP relays and associations"
else
	ss_fail "rmmod shadowsocks succeeds with live profiles, UDP relays and associations" "$out"
fi
kill "$HOLD_PID" 2>/dev/null
wait "$HOLD_PID" 2>/dev/null
topo_kill "$MAIN_PID"
sleep 1
topo_kmsg_stop
kmsg=$TOPO_DIR/kmsg
ids() { grep -oE "shadowsocks: $1 [0-9]+ $2" "$kmsg" | awk '{print $(NF - 1)}' | sort -n; }
ids 'udp relay' created >"$TOPO_DIR/r.c"
ids 'udp relay' destroyed >"$TOPO_DIR/r.d"
ids 'udp local assoc' created >"$TOPO_DIR/a.c"
ids 'udp local assoc' destroyed >"$TOPO_DIR/a.d"
rc=$(wc -l <"$TOPO_DIR/r.c") ac=$(wc -l <"$TOPO_DIR/a.c")
echo "# udp relays: $rc created, $(wc -l <"$TOPO_DIR/r.d") destroyed; associations: $ac created, $(wc -l <"$TOPO_DIR/a.d") destroyed"
if [ "$rc" -gt 0 ] && [ "$ac" -gt 0 ] && cmp -s "$TOPO_DIR/r.c" "$TOPO_DIR/r.d" &&
	cmp -s "$TOPO_DIR/a.c" "$TOPO_DIR/a.d"; then
	ss_ok "every UDP relay ($rc) and association ($ac) the debug log shows created was destroyed"
else
	ss_fail "every UDP relay and association the debug log shows created was destroyed" \
		"relays not destroyed: $(comm -23 "$TOPO_DIR/r.c" "$TOPO_DIR/r.d" | head -n 20 | tr '\n' ' ');
associations not destroyed: $(comm -23 "$TOPO_DIR/a.c" "$TOPO_DIR/a.d" | head -n 20 | tr '\n' ' ')"
fi
kmsg_clean

elapsed "all done"
ss_done
