#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The server role's TCP relay, against real Shadowsocks clients and against
# a prober that speaks the protocol itself. Topology (selftests/topology.sh):
# client netns -> server netns (the server under test) -> target netns.
#
# For every method shadowsocks-libev 3.3.5 and the module share:
#   - ss-local as the client, curl --socks5-hostname through it: a download
#     from an IPv4 target and from an IPv6 target, an upload to a domain
#     target (target.test, v4.target.test or v6.target.test in turn), each
#     1 MiB with matching SHA-256
#   - ss-tunnel as the client (an IPv6 or a domain target in turn): 1 MiB
#     download and upload through it
#   - the prober (tools/ss_probe.py; not xchacha20, which the Python
#     cryptography package lacks): a valid request, one sent in 7-byte
#     fragments, a half-close (1 MiB up, shut down, 1 MiB back), and 1 MiB
#     in chunks of random lengths written in random pieces (lengths,
#     payloads and tags split at every offset), echoed
#   - the server's counters (module only): no connection left active,
#     connections, bytes in and out as sent, no error counted
# For chacha20-ietf-poly1305 and aes-256-gcm: 64 MiB each way (download
# through ss-local from a domain target, upload through ss-tunnel).
# Through ss-local (chacha20): 100 concurrent connections, all seen live on
# the server at once, all echo their own data back.
# Bad input straight to the server's port (chacha20: one case after the
# other, each with its counters; aes-256-gcm: all at once): a replayed first
# write, a replayed salt and sealed length alone (counted as a replay
# without waiting for the payload), a wrong key, random bytes, a truncated
# salt, a length of 0x4000, an address type 0x05, a chunk of length 0
# before the request. Each must be drained (the connection stays open, the
# server keeps reading) and closed at the handshake timeout, the same way
# every time, and counted where it belongs (auth_fail, replay, bad_header;
# nothing for half a salt), with the draining gauge following. A closed
# port and an unresolvable domain close the connection and count
# connect_fail and dns_fail; a valid request afterwards still works. A
# chunk of length 0 after the request closes the connection (bad_header).
# Module only: the server's own addresses as targets (127.0.0.1, ::1,
# ::ffff:127.0.0.1, its own IPv4 and IPv6 addresses, a domain resolving to
# one) and the cloud metadata addresses (169.254.169.254, fd00:ec2::254,
# 100.100.100.200, given to the target here) are refused and counted as
# connect_fail although an echo service listens there, and reached with
# allow-local on; a target with port 0 is drained and counted as
# bad_header. max-conns: connections still in their handshake make room
# for a new one, the oldest first (counted as evicted); connections that
# authenticated are not evicted, and a new one beyond them is refused.
# Floods (module only): 100 idle connections against max-conns 50 do not
# lock a real client out (the prober and libev ss-tunnel get through, the
# oldest idle ones are evicted); 1030 bad connections held draining on one
# server (more than the old module-wide max_draining of 1024) all drain,
# and a bad probe to another server still sees the normal reaction; the
# relay's buffers are 16 KiB page blocks (order 2) and nothing larger, the
# module kmallocs nothing of 16 KiB or more, it sends without a copy, and
# every block it allocated is freed once the connections are closed
# (tracepoints and a kprobe, with stacks) while 1 MiB goes each way
# through libev ss-tunnel in chunks of 0x3FFF, and a connection kept open
# once 512 KiB are echoed holds none of them; 8 MiB each way through
# ss-tunnel arrive intact while netem drops, delays and reorders what the
# server sends (TCP retransmits from the relay's buffers); a download
# stalled by an application that reads nothing backs up into the module's
# socket to the target, and that socket memory is charged to the cgroup of
# the server's creator (memory.stat sock).
# Finally (module only): rmmod succeeds, every server and connection the
# debug log shows created was destroyed (and as many connections as the
# servers counted), and the kernel logged no warning.
#
# SS_SUT=libev runs the same tests against shadowsocks-libev's ss-server in
# the server netns instead of the module, to check the tests themselves.
# Where libev differs it is expected to: it keeps draining bad input for 24
# hours (its TCP idle timeout is at least a day), it closes both directions
# at a client's EOF (no half-close), and it has no counters (its log says
# what it saw instead).

SUT=${SS_SUT:-kernel}
# the module resolves names through an agent in the server's netns
[ "$SUT" = kernel ] && TOPO_RESOLVER=${TOPO_RESOLVER:-1}

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topology.sh"

HS=${SS_HS_TIMEOUT:-3}		# handshake timeout under test, seconds
MARGIN=3			# how late after it the close may come (TCG)
SMALL=$((1 << 20))
BIG=${SS_BIG:-$((64 << 20))}
PW="test password $$"
METHODS=(aes-128-gcm aes-192-gcm aes-256-gcm chacha20-ietf-poly1305 xchacha20-ietf-poly1305)
mapfile -t METHODS < <(ss_methods "${METHODS[@]}")
BIG_METHODS=" chacha20-ietf-poly1305 aes-256-gcm "
PROBE_METHODS=" aes-128-gcm aes-192-gcm aes-256-gcm chacha20-ietf-poly1305 "
DOMAINS=("$DOMAIN" "v4.$DOMAIN" "v6.$DOMAIN")
# SS_TCP_PARTS: the parts to run (default all of them), for a quicker look
# at one; the end (rmmod, nothing left behind) always runs
PARTS=" ${SS_TCP_PARTS:-methods concurrent bad limits hardening} "
part() { [[ $PARTS == *" $1 "* ]]; }

SERVERS_MADE=0

cleanup() {
	[ "$SUT" = kernel ] && topo_del_objects
	topo_cleanup
}
trap cleanup EXIT

# ---- the server under test --------------------------------------------------

declare -A SUT_PID SUT_LOG

# sut_start NAME METHOD PORT [SSCTL OPTIONS]
sut_start() {
	local name=$1 method=$2 port=$3
	shift 3
	if [ "$SUT" = kernel ]; then
		local hs=(handshake-timeout "$HS")
		[[ " $* " == *" handshake-timeout "* ]] && hs=()
		in_s ssctl server add "$name" port "$port" method "$method" \
			password "$PW" "${hs[@]}" "$@" || return 1
		SERVERS_MADE=$((SERVERS_MADE + 1))
	else
		topo_bg "ss-server-$name" "$NS_S" ss-server -s 0.0.0.0 -s :: -p "$port" \
			-k "$PW" -m "$method" -d "$T4" -t "$HS"
		SUT_PID[$name]=$TOPO_LAST_PID
		SUT_LOG[$name]=$TOPO_DIR/ss-server-$name.log
	fi
	# (connecting to see would make a connection the counters count)
	wait_for 10 listening "$NS_S" "$port"
}

CONNS_COUNTED=0
sut_stop() {
	if [ "$SUT" = kernel ]; then
		local n
		n=$(sut_stats "$1" | jq .conn_total)
		CONNS_COUNTED=$((CONNS_COUNTED + ${n:-0}))
		in_s ssctl server del "$1"
	else
		topo_kill "${SUT_PID[$1]}"
	fi
}

# sut_stats NAME: the server's counters as one JSON object ({} for libev)
sut_stats() {
	if [ "$SUT" = kernel ]; then
		in_s ssctl server show "$1" -j | jq -c '.[0].stats'
	else
		echo '{}'
	fi
}

# ---- clients ------------------------------------------------------------------

# client_start KIND NAME PORT METHOD SERVER_ADDR SERVER_PORT [TUNNEL_TARGET]:
# ss-local or ss-tunnel in the client netns on 127.0.0.1:PORT; pid in CLIENT_PID
client_start() {
	local kind=$1 name=$2 lport=$3 method=$4 saddr=$5 sport=$6 target=${7:-}
	local extra=()
	[ "$kind" = ss-tunnel ] && extra=(-L "$target")
	topo_bg "$name" "$NS_C" "$kind" -s "$saddr" -p "$sport" -b 127.0.0.1 -l "$lport" \
		-k "$PW" -m "$method" "${extra[@]}"
	CLIENT_PID=$TOPO_LAST_PID
	wait_for 10 listening "$NS_C" "$lport"
}

# timed DESC CMD...: ss_test, with the time it took in the description
timed() {
	local desc=$1 t0 out rc
	shift
	t0=$(date +%s.%N)
	out=$("$@" 2>&1)
	rc=$?
	desc="$desc ($(printf '%.1f' "$(echo "$(date +%s.%N) - $t0" | bc)") s)"
	if [ $rc -eq 0 ]; then ss_ok "$desc"; else ss_fail "$desc" "$out"; fi
}

probe() { in_c "$PY" "$SS_TOOLS/ss_probe.py" --password "$PW" --timeout "$HS" --margin "$MARGIN" "$@"; }

# ---- what each method's traffic should add to the counters ---------------------

# expect CONNS IN OUT: CONNS relayed connections that carried IN bytes of
# payload from the client and OUT to it, plus up to 1 KiB each (HTTP headers)
EXP_CONN=0 EXP_IN=0 EXP_OUT=0 EXP_SLACK=0
expect() {
	EXP_CONN=$((EXP_CONN + $1)) EXP_IN=$((EXP_IN + $2)) EXP_OUT=$((EXP_OUT + $3))
	EXP_SLACK=$((EXP_SLACK + $1 * 1024))
}
expect_reset() { EXP_CONN=0 EXP_IN=0 EXP_OUT=0 EXP_SLACK=0; }

# check_stats NAME DESC: the counters of server NAME match what was sent
check_stats() {
	local name=$1 desc=$2 st
	if [ "$SUT" != kernel ]; then
		ss_skip "$desc" "shadowsocks-libev has no counters"
		return
	fi
	wait_for 15 bash -c "[ \"\$(ip netns exec $NS_S ssctl server show $name -j | jq '.[0].stats.conn_active')\" = 0 ]"
	st=$(sut_stats "$name")
	if jq -e --argjson c "$EXP_CONN" --argjson i "$EXP_IN" --argjson o "$EXP_OUT" \
		--argjson s "$EXP_SLACK" '
		.conn_active == 0 and .conn_total == $c and
		.bytes_in >= $i and .bytes_in <= $i + $s and
		.bytes_out >= $o and .bytes_out <= $o + $s and
		.auth_fail == 0 and .replay == 0 and .bad_header == 0 and
		.connect_fail == 0 and .dns_fail == 0' <<<"$st" >/dev/null; then
		ss_ok "$desc"
	else
		ss_fail "$desc" "stats $st
want conn_total $EXP_CONN, bytes_in $EXP_IN..+$EXP_SLACK, bytes_out $EXP_OUT..+$EXP_SLACK, no errors"
	fi
}

# ---- set-up -------------------------------------------------------------------

if [ "$SUT" = kernel ]; then
	topo_start kmsg
else
	topo_start
fi
if [ "$SUT" = kernel ]; then
	ss_test "the module loads (ssctl, on demand)" in_s ssctl server show
fi
blob_sha_bg "$SMALL"	# the first get waits for them
blob_sha_bg "$BIG"
elapsed "set-up done, server under test: $SUT"

# ---- every method -------------------------------------------------------------

for i in "${!METHODS[@]}"; do
	part methods || break
	m=${METHODS[$i]}
	port=$((8400 + i))
	srv=tcp$i
	dom=${DOMAINS[$((i % 3))]}
	if [ $((i % 2)) -eq 0 ]; then saddr=$S4_C; else saddr=$S6_C; fi
	expect_reset

	if ! sut_start "$srv" "$m" "$port" >"$TOPO_DIR/err" 2>&1; then
		ss_fail "$m: server starts on port $port" "$(cat "$TOPO_DIR/err")"
		continue
	fi
	lport=$((10800 + i)) tport=$((10810 + i))
	if [ $((i % 2)) -eq 0 ]; then tgt="[$T6]:8080"; else tgt="$dom:8080"; fi
	client_start ss-local "ss-local-$i" "$lport" "$m" "$saddr" "$port"
	lpid=$CLIENT_PID
	client_start ss-tunnel "ss-tunnel-$i" "$tport" "$m" "$saddr" "$port" "$tgt"
	tpid=$CLIENT_PID
	socks=(--socks5-hostname "127.0.0.1:$lport")

	timed "$m: ss-local (to $saddr), IPv4 target: 1 MiB download" \
		get "${socks[@]}" -- "http://$T4:8080/blob?n=$SMALL" "$SMALL"
	expect 1 0 $SMALL
	timed "$m: ss-local, IPv6 target: 1 MiB download" \
		get "${socks[@]}" -- "http://[$T6]:8080/blob?n=$SMALL" "$SMALL"
	expect 1 0 $SMALL
	timed "$m: ss-local, domain target $dom: 1 MiB upload" \
		put "${socks[@]}" -- "http://$dom:8080/sink" "$SMALL"
	expect 1 $SMALL 0
	timed "$m: ss-tunnel to $tgt: 1 MiB download" \
		get -- "http://127.0.0.1:$tport/blob?n=$SMALL" "$SMALL"
	expect 1 0 $SMALL
	timed "$m: ss-tunnel to $tgt: 1 MiB upload" \
		put -- "http://127.0.0.1:$tport/sink" "$SMALL"
	expect 1 $SMALL 0

	if [[ $BIG_METHODS == *" $m "* ]]; then
		timed "$m: ss-local, domain target $DOMAIN: $((BIG >> 20)) MiB download, SHA-256 matches" \
			get "${socks[@]}" -- "http://$DOMAIN:8080/blob?n=$BIG" "$BIG"
		expect 1 0 "$BIG"
		timed "$m: ss-tunnel to $tgt: $((BIG >> 20)) MiB upload, SHA-256 matches" \
			put -- "http://127.0.0.1:$tport/sink" "$BIG"
		expect 1 "$BIG" 0
	fi

	if [[ $PROBE_METHODS == *" $m "* ]]; then
		out=$(probe --server "$saddr:$port" --method "$m" --blob "$TOPO_BLOB" \
			--send $SMALL --reply $SMALL \
			valid "fragment@$dom:9000" "valid@[$T6]:9000" "halfclose@$dom:9001" dribble)
		mapfile -t res <<<"$out"
		descs=("prober: valid request, IPv4 target, echoed"
			"prober: request in 7-byte pieces, domain target, echoed"
			"prober: valid request, IPv6 target, echoed"
			"prober: half-close: 1 MiB sent, write side shut, digest and 1 MiB reply to EOF"
			"prober: 1 MiB in chunks of random lengths, written in random pieces, echoed")
		for k in 0 1 2 3 4; do
			r=${res[$k]:-}
			if [ $k -eq 3 ] && [ "$SUT" = libev ]; then
				# libev closes both ways at EOF: the test must see that
				if [ "$(jq -r .ok <<<"$r" 2>/dev/null)" = false ]; then
					ss_ok "$m: ${descs[$k]}: fails against libev, as it must"
				else
					ss_fail "$m: ${descs[$k]}: fails against libev, as it must" "$r"
				fi
				continue
			fi
			if [ "$(jq -r .ok <<<"$r" 2>/dev/null)" = true ]; then
				ss_ok "$m: ${descs[$k]}"
			else
				ss_fail "$m: ${descs[$k]}" "$r"
			fi
		done
		expect 3 3000 3000
		expect 1 $((SMALL + 8)) $((SMALL + 66 + ${#SMALL}))
		expect 1 "$SMALL" "$SMALL"
	fi

	topo_kill "$lpid" "$tpid"
	check_stats "$srv" "$m: counters: $EXP_CONN connections, bytes in and out as sent, no errors, none active"
	sut_stop "$srv"
	elapsed "$m done"
done

# ---- 100 concurrent connections -------------------------------------------------

# concurrent METHOD PORT KIND: 100 connections through ss-local or ss-tunnel
concurrent() {
	local m=$1 port=$2 kind=$3 srv=conc$2 lport=$((10900 + $2 % 100)) hold=$TOPO_DIR/hold.$2
	local pid out live clients desc
	mkdir -p "$hold"
	if ! sut_start "$srv" "$m" "$port" >"$TOPO_DIR/err" 2>&1; then
		ss_fail "$m: server starts on port $port" "$(cat "$TOPO_DIR/err")"
		return
	fi
	if [ "$kind" = ss-local ]; then
		client_start ss-local "conc-$port" "$lport" "$m" "$S4_C" "$port"
		clients=(--socks "127.0.0.1:$lport" --target "$T4:9000,[$T6]:9000,$DOMAIN:9000")
		desc="IPv4, IPv6 and domain targets in turn"
	else
		client_start ss-tunnel "conc-$port" "$lport" "$m" "$S6_C" "$port" "v6.$DOMAIN:9000"
		clients=(--connect "127.0.0.1:$lport")
		desc="domain target"
	fi
	pid=$CLIENT_PID
	in_c "$PY" "$SS_TOOLS/clients.py" "${clients[@]}" concurrent --n 100 --size 65536 \
		--hold "$hold" >"$hold/result" 2>&1 &
	local cpid=$!
	# established TCP connections on the server's port, seen from its netns
	live() { in_s ss -Htn state established "( sport = :$port )" | wc -l; }
	if wait_for 120 test -e "$hold/ready" && [ "$(live)" -eq 100 ]; then
		ss_ok "$m: $kind: 100 connections open through the server at once"
	else
		ss_fail "$m: $kind: 100 connections open through the server at once" \
			"$(live) established; $(cat "$hold/result")"
	fi
	if [ "$SUT" = kernel ]; then
		out=$(sut_stats "$srv")
		if [ "$(jq .conn_active <<<"$out")" = 100 ]; then
			ss_ok "$m: $kind: the server counts 100 active connections"
		else
			ss_fail "$m: $kind: the server counts 100 active connections" "$out"
		fi
	fi
	touch "$hold/go"
	wait "$cpid"
	if [ "$(jq -r .ok "$hold/result" 2>/dev/null)" = 100 ]; then
		ss_ok "$m: $kind: 100 concurrent connections ($desc) each echo their 64 KiB"
	else
		ss_fail "$m: $kind: 100 concurrent connections ($desc) each echo their 64 KiB" "$(cat "$hold/result")"
	fi
	topo_kill "$pid"
	expect_reset
	expect 100 $((100 * 65536)) $((100 * 65536))
	check_stats "$srv" "$m: $kind: counters after 100 connections: 100 connections, none active, no errors"
	sut_stop "$srv"
	elapsed "$m: 100 concurrent through $kind done"
}

part concurrent && concurrent chacha20-ietf-poly1305 8500 ss-local

# ---- bad input ------------------------------------------------------------------

# counter_delta BEFORE AFTER: "name+N ..." for the error counters that moved
# (and the draining gauge if it is not back to 0); BEFORE and AFTER are
# counters (sut_stats) or what ssctl server show NAME -j printed
counter_delta() {
	jq -rn --argjson a "$1" --argjson b "$2" \
		'def st: if type == "array" then .[0].stats else . end;
		 ($a | st) as $a | ($b | st) as $b |
		 [("auth_fail","replay","bad_header","connect_fail","dns_fail") as $k
		  | select($b[$k] != $a[$k]) | "\($k)+\($b[$k] - $a[$k])"]
		 + (if $b.draining != 0 then ["(draining \($b.draining) after the close)"] else [] end)
		 | join(" ")'
}

# the close every drained case must show: kind (the first one's) and time
CLOSE_KIND=
if [ "$SUT" = kernel ]; then
	DRAIN_DESC="drained, then closed at the handshake timeout"
else
	DRAIN_DESC="drained, and (libev) still open after the handshake timeout"
fi
# check_drain DESC RESULT: drained, then closed at the handshake timeout
check_drain() {
	local desc=$1 r=$2 why="" at_half outq kind after
	read -r at_half outq kind after <<<"$(jq -r '[.at_half, .outq_at_half,
		.close, .closed_after] | map(tostring) | join(" ")' <<<"$r")"
	[ "$at_half" = open ] || why+="not open at half the timeout ($at_half); "
	[ "$outq" = 0 ] || why+="the server stopped reading ($outq bytes unread); "
	if [ "$SUT" = kernel ]; then
		case $kind in
		eof|rst) ;;
		*) why+="close: $kind; " ;;
		esac
		[ -n "$CLOSE_KIND" ] || CLOSE_KIND=$kind
		[ "$kind" = "$CLOSE_KIND" ] || why+="closed by $kind, earlier cases by $CLOSE_KIND; "
		awk -v a="$after" -v hs="$HS" -v m="$MARGIN" 'BEGIN { exit !(a >= hs * 0.9 && a <= hs + m) }' ||
			why+="closed after $after s, handshake timeout $HS s; "
	else
		# libev's TCP idle timeout is at least 24 hours
		[ "$kind" = open ] || why+="libev closed; "
	fi
	if [ -z "$why" ]; then ss_ok "$desc"; else ss_fail "$desc" "$why
$r"; fi
}

# What each case must count (module) or log (libev). A length over 0x3FFF
# authenticates fine: it is a malformed stream, counted with bad headers;
# libev masks the length to 14 bits and then sees 0, which it calls an
# authentication error. Half a salt is nothing yet: it counts nothing.
declare -A WANT_COUNT=([replay]="replay+1" [replay-head]="replay+1"
	[wrong-key]="auth_fail+1" [random]="auth_fail+1"
	[zero-length]="bad_header+1" [zero-after]="bad_header+1"
	[short-salt]="" [big-length]="bad_header+1" [bad-atyp]="bad_header+1"
	[noreply-connect]="connect_fail+1" [noreply-dns]="dns_fail+1" [noreply-local]="connect_fail+1"
	[noreply-meta]="connect_fail+1" [port-zero]="bad_header+1"
	[port-zero-split]="bad_header+1" [valid]="")
declare -A WANT_LOG=([replay]="repeat salt detected" [replay-head]="repeat salt detected"
	[zero-length]="authentication error" [zero-after]="authentication error"
	[wrong-key]="authentication error"
	[random]="authentication error" [short-salt]="" [big-length]="authentication error"
	[bad-atyp]="invalid address type" [noreply-connect]="getpeername"
	[noreply-dns]="unable to resolve nx.$DOMAIN" [valid]="")
declare -A WHAT=([replay]="a replayed first write"
	[replay-head]="a replayed salt and sealed length (salt + 18 bytes)"
	[zero-length]="a chunk of length 0 before the request"
	[zero-after]="a chunk of length 0 after the request"
	[wrong-key]="a wrong key"
	[random]="random bytes" [short-salt]="half a salt" [big-length]="a length of 0x4000"
	[bad-atyp]="address type 0x05" [noreply-connect]="a closed port"
	[noreply-dns]="a domain that does not resolve" [noreply-local]="a local target"
	[noreply-meta]="a cloud metadata address" [port-zero]="port 0"
	[port-zero-split]="port 0, the address split over two chunks")

bad_sequential() {
	local m=chacha20-ietf-poly1305 port=8600 srv=bad0 snap=$TOPO_DIR/snap out k r c t d
	if ! sut_start "$srv" "$m" "$port" >"$TOPO_DIR/err" 2>&1; then
		ss_fail "$m: server starts on port $port" "$(cat "$TOPO_DIR/err")"
		return
	fi
	mkdir -p "$snap"
	local after
	if [ "$SUT" = kernel ]; then
		after="ip netns exec $NS_S ssctl server show $srv -j >$snap/\$CASE_NO"
	else
		after="wc -l <${SUT_LOG[$srv]} >$snap/\$CASE_NO"
	fi
	local cases=(valid replay replay-head wrong-key random short-salt big-length
		bad-atyp zero-length zero-after "noreply@$T4:9" "noreply@nx.$DOMAIN:9000")
	local names=(valid replay replay-head wrong-key random short-salt big-length
		bad-atyp zero-length zero-after noreply-connect noreply-dns)
	if [ "$SUT" = kernel ]; then
		# The server's own addresses, however spelt, are refused
		# (allow-local is off by default), though an echo service
		# listens there (see local_targets below).
		cases+=("noreply@127.0.0.1:9000" "noreply@[::1]:9000"
			"noreply@[::ffff:127.0.0.1]:9000" "noreply@$S4_T:9000"
			"noreply@[$S6_C]:9000" "noreply@self.$DOMAIN:9000")
		names+=(noreply-local noreply-local noreply-local noreply-local
			noreply-local noreply-local)
		# Cloud metadata services, reachable (topo_metadata) and
		# refused all the same; port 0 is a bad address.
		cases+=("noreply@$META4_LL:9000" "noreply@[$META6_AWS]:9000"
			"noreply@$META4_ALIBABA:9000" "port-zero@$T4:0"
			"port-zero@[$T6]:0" "port-zero@$DOMAIN:0"
			"port-zero-split@$T4:0" "port-zero-split@$DOMAIN:0")
		names+=(noreply-meta noreply-meta noreply-meta port-zero
			port-zero port-zero port-zero-split port-zero-split)
	fi
	cases+=("valid@$DOMAIN:9000")
	names+=(valid)
	out=$(probe --server "$S4_C:$port" --method "$m" --after "$after" "${cases[@]}")
	mapfile -t res <<<"$out"
	for k in "${!names[@]}"; do
		c=${names[$k]} r=${res[$k]:-"{}"}
		t=$(jq -r .target <<<"$r" 2>/dev/null)
		case $c in
		valid)
			ok_if "$m: prober: valid request to $t echoed (case $((k + 1)))" .ok "$r" ;;
		noreply-*)
			ok_if "$m: prober: ${WHAT[$c]} ($t): closed without data" \
				".ok and .closed_after <= $MARGIN" "$r" ;;
		zero-after)
			ok_if "$m: prober: ${WHAT[$c]}: closed, the chunk after it not relayed" \
				".ok and .closed_after <= $MARGIN" "$r" ;;
		*)
			check_drain "$m: ${WHAT[$c]}: $DRAIN_DESC" "$r" ;;
		esac
		# what the server made of it
		if [ "$SUT" = kernel ]; then
			d=$(counter_delta "$(<"$snap/$k")" "$(<"$snap/$((k + 1))")")
			if [ "$d" = "${WANT_COUNT[$c]}" ]; then
				ss_ok "$m: ${WHAT[$c]:-$c} ($t): counted as '${WANT_COUNT[$c]:-nothing}'"
			else
				ss_fail "$m: ${WHAT[$c]:-$c} ($t): counted as '${WANT_COUNT[$c]:-nothing}'" "counters moved: '$d'"
			fi
		else
			local new
			new=$(tail -n +"$(($(cat "$snap/$k") + 1))" "${SUT_LOG[$srv]}" | head -n "$(($(cat "$snap/$((k + 1))") - $(cat "$snap/$k")))")
			if { [ -z "${WANT_LOG[$c]}" ] && ! grep -q ERROR <<<"$new"; } ||
				{ [ -n "${WANT_LOG[$c]}" ] && grep -q "${WANT_LOG[$c]}" <<<"$new"; }; then
				ss_ok "$m: ${WHAT[$c]:-$c}: libev logged '${WANT_LOG[$c]:-nothing}'"
			else
				ss_fail "$m: ${WHAT[$c]:-$c}: libev logged '${WANT_LOG[$c]:-nothing}'" "it logged: $new"
			fi
		fi
	done
	sut_stop "$srv"
	elapsed "$m: bad input, one case at a time, done"
}

# draining_reaches SERVER N: the server's draining gauge shows N
draining_reaches() {
	[ "$(in_s ssctl server show "$1" -j | jq '.[0].stats.draining')" = "$2" ]
}

bad_parallel() {
	local m=aes-256-gcm port=8601 srv=bad1 out before after r c k ppid
	if ! sut_start "$srv" "$m" "$port" >"$TOPO_DIR/err" 2>&1; then
		ss_fail "$m: server starts on port $port" "$(cat "$TOPO_DIR/err")"
		return
	fi
	local cases=(valid replay replay-head wrong-key random short-salt big-length
		bad-atyp zero-length)
	before=$(sut_stats "$srv")
	probe --server "[$S6_C]:$port" --method "$m" --parallel "${cases[@]}" >"$TOPO_DIR/par" &
	ppid=$!
	if [ "$SUT" = kernel ]; then
		# half a salt is no bad data yet: seven drain, not eight
		if wait_for 20 draining_reaches "$srv" 7; then
			ss_ok "$m: all at once: the server counts 7 connections draining"
		else
			ss_fail "$m: all at once: the server counts 7 connections draining" "$(sut_stats "$srv")"
		fi
	fi
	wait "$ppid"
	after=$(sut_stats "$srv")
	mapfile -t res <"$TOPO_DIR/par"
	for k in "${!cases[@]}"; do
		c=${cases[$k]} r=${res[$k]:-"{}"}
		if [ "$c" = valid ]; then
			ok_if "$m: prober: valid request echoed" .ok "$r"
			continue
		fi
		check_drain "$m: all at once: ${WHAT[$c]}: $DRAIN_DESC" "$r"
	done
	if [ "$SUT" = kernel ]; then
		local d
		d=$(counter_delta "$before" "$after")
		if [ "$d" = "auth_fail+2 replay+2 bad_header+3" ]; then
			ss_ok "$m: all at once: counted as auth_fail+2 replay+2 bad_header+3"
		else
			ss_fail "$m: all at once: counted as auth_fail+2 replay+2 bad_header+3" "counters moved: '$d'"
		fi
	fi
	sut_stop "$srv"
	elapsed "$m: bad input, all at once, done"
}

# hold_start NAME PORT N CASE [ARGS]: tools/hold.py opens N connections to
# the server's PORT, sends each CASE's bytes (idle, random, len) and holds
# them until hold_end; returns once they are open (pid in HOLD_PID)
hold_start() {
	local dir=$TOPO_DIR/hold.$1 port=$2 n=$3 c=$4
	shift 4
	rm -rf "$dir"
	mkdir -p "$dir"
	in_c "$PY" "$SS_TOOLS/hold.py" --server "$S4_C:$port" --n "$n" --case "$c" \
		--dir "$dir" "$@" >"$dir/result" 2>&1 &
	HOLD_PID=$!
	wait_for 300 test -e "$dir/ready"
}
# hold_end NAME: let them go; what hold.py saw (JSON) in HELD
hold_end() {
	touch "$TOPO_DIR/hold.$1/go"
	wait "$HOLD_PID"
	HELD=$(cat "$TOPO_DIR/hold.$1/result")
	[ -n "$HELD" ] || HELD='{"error": "no result"}'
}
# active_reaches SERVER N: the server's conn_active gauge shows N
active_reaches() {
	[ "$(in_s ssctl server show "$1" -j | jq '.[0].stats.conn_active')" = "$2" ]
}

# max-conns: connections still in their handshake (no salt and sealed
# length that authenticated yet, or draining) make room for a new one, the
# oldest first, counted as evicted; connections that authenticated are
# never evicted, and a new one beyond them is refused at once.
limits() {
	local m=chacha20-ietf-poly1305 port=8602 srv=lim0 out st desc
	if ! sut_start "$srv" "$m" "$port" max-conns 3 >"$TOPO_DIR/err" 2>&1; then
		ss_fail "$m: server with max-conns 3 starts on port $port" "$(cat "$TOPO_DIR/err")"
		return
	fi
	# five at once that stay in the handshake: two older ones make room
	out=$(probe --server "$S4_C:$port" --method "$m" --parallel short-salt short-salt short-salt short-salt short-salt)
	st=$(sut_stats "$srv")
	desc="max-conns 3: of 5 connections at once in their handshake, 3 are held to the timeout, 2 evicted early to make room (counted), none refused"
	if [ "$(jq -s '[.[] | select(.closed_after >= '"$HS"' * 0.9)] | length' <<<"$out")" = 3 ] &&
		[ "$(jq -s '[.[] | select(.closed_after < '"$HS"' * 0.4)] | length' <<<"$out")" = 2 ] &&
		jq -e '.evicted == 2 and .refused == 0 and .conn_total == 5' <<<"$st" >/dev/null; then
		ss_ok "$desc"
	else
		ss_fail "$desc" "$out
$st"
	fi
	sut_stop "$srv"

	# three that authenticated (a salt and a sealed length; the payload
	# never comes) hold a server with max-conns 3 and a handshake timeout
	# long enough to look: a fourth connection is refused at once
	srv=lim1 port=8604
	if ! sut_start "$srv" "$m" "$port" max-conns 3 handshake-timeout 30 >"$TOPO_DIR/err" 2>&1; then
		ss_fail "$m: server with max-conns 3 starts on port $port" "$(cat "$TOPO_DIR/err")"
		return
	fi
	hold_start lim1 "$port" 3 len --method "$m" --password "$PW"
	wait_for 20 active_reaches "$srv" 3
	out=$(probe --server "$S4_C:$port" --method "$m" short-salt)
	st=$(sut_stats "$srv")
	hold_end lim1
	desc="max-conns 3 held by 3 authenticated connections: a fourth is refused at once (counted), none of the 3 is evicted"
	if jq -e '.closed_after < '"$HS"' * 0.4' <<<"$out" >/dev/null &&
		jq -e '.refused == 1 and .evicted == 0 and .conn_active == 3' <<<"$st" >/dev/null &&
		jq -e '.opened == 3 and .closed == 0' <<<"$HELD" >/dev/null; then
		ss_ok "$desc"
	else
		ss_fail "$desc" "probe: $out
stats: $st
held: $HELD"
	fi
	sut_stop "$srv"
	elapsed "limits done"
}

# 100 idle connections against max-conns 50 and a handshake timeout of 60
# s: before, the server refused everyone else for that long. Now the
# oldest idle ones make room: a real client gets through.
flood_idle() {
	local m=chacha20-ietf-poly1305 port=8610 srv=flood0 tport=10950 tpid out st want topup
	if ! sut_start "$srv" "$m" "$port" max-conns 50 handshake-timeout 60 >"$TOPO_DIR/err" 2>&1; then
		ss_fail "$m: server with max-conns 50 starts on port $port" "$(cat "$TOPO_DIR/err")"
		return
	fi
	client_start ss-tunnel flood-tunnel "$tport" "$m" "$S4_C" "$port" "$T4:8080"
	tpid=$CLIENT_PID
	hold_start flood0 "$port" 100 idle
	wait_for 30 active_reaches "$srv" 50
	elapsed "100 idle connections held: $(sut_stats "$srv")"
	out=$(probe --server "$S4_C:$port" --method "$m" valid)
	ok_if "max-conns 50, 100 idle connections held: a valid request (prober) still gets through" .ok "$out"
	# the prober's connection made room for itself: gone, it leaves room
	# for the next without an eviction; fill the server up again first
	wait_for 20 active_reaches "$srv" 49
	topo_bg flood-topup "$NS_C" bash -c "exec 3<>/dev/tcp/$S4_C/$port && exec sleep 300"
	topup=$TOPO_LAST_PID
	wait_for 20 active_reaches "$srv" 50
	timed "max-conns 50, 100 idle connections held: 1 MiB download through libev ss-tunnel" \
		get -- "http://127.0.0.1:$tport/blob?n=$SMALL" "$SMALL"
	st=$(sut_stats "$srv")
	hold_end flood0
	topo_kill "$topup"
	echo "# held: $HELD"
	# the 50 beyond max-conns, one for the prober, one for ss-tunnel
	want=52
	ok_if "max-conns 50: the $want oldest idle connections were evicted to make room (counted), nothing refused" \
		".evicted == $want and .refused == 0" "$st"
	ok_if "max-conns 50: the flood saw its $want oldest connections closed, in the order they came, the other $((100 - want)) held" \
		".opened == 100 and .closed == $want and .closed_order == [range($want)]" "$HELD"
	topo_kill "$tpid"
	sut_stop "$srv"
	elapsed "idle flood done"
}

# 1030 bad connections held open on one server (more than the old
# module-wide max_draining, 1024): all of them drain, and a bad probe to
# another server sees the normal reaction (drained, then closed at its
# handshake timeout), not an early close.
flood_bad() {
	local m=chacha20-ietf-poly1305 port=8611 srv=drain0 portb=8612 srvb=drain1 n=1030 out
	if ! sut_start "$srv" "$m" "$port" max-conns 2000 handshake-timeout 120 >"$TOPO_DIR/err" 2>&1 ||
		! sut_start "$srvb" "$m" "$portb" >>"$TOPO_DIR/err" 2>&1; then
		ss_fail "$m: servers on ports $port and $portb start" "$(cat "$TOPO_DIR/err")"
		return
	fi
	hold_start drain0 "$port" "$n" random
	elapsed "$n bad connections opened"
	if wait_for 60 draining_reaches "$srv" "$n"; then
		ss_ok "$n bad connections held open on one server: all $n drain"
	else
		ss_fail "$n bad connections held open on one server: all $n drain" "$(sut_stats "$srv")"
	fi
	out=$(probe --server "$S4_C:$portb" --method "$m" wrong-key random)
	mapfile -t res <<<"$out"
	check_drain "while one server drains $n connections: a wrong key to another server is $DRAIN_DESC" "${res[0]:-"{}"}"
	check_drain "while one server drains $n connections: random bytes to another server are $DRAIN_DESC" "${res[1]:-"{}"}"
	hold_end drain0
	ok_if "none of the $n bad connections was closed before its handshake timeout" \
		".opened == $n and .closed == 0" "$HELD"
	ok_if "the second server counts its 2 bad connections" '.auth_fail == 2 and .draining == 0' "$(sut_stats "$srvb")"
	sut_stop "$srv"
	sut_stop "$srvb"
	elapsed "bad flood done"
}

# Tracing the relay's buffers (rx_alloc, lossy): tracepoints and a kprobe
# on the zero-copy send, each event with its stack. TR is tracefs.
TR=/sys/kernel/tracing

# zc_fn: the function a zero-copy send of the module goes through: 6.1's
# kernel_sendpage, or on 6.12 skb_splice_from_iter (under sendmsg with
# MSG_SPLICE_PAGES)
zc_fn() {
	local f
	for f in kernel_sendpage skb_splice_from_iter; do
		ksym_defined "$f" && break
	done
	echo "$f"
}

# trace_start EVENT=FILTER... [zc]: clear the trace, record the events
# (under events/, with a filter or "") with their stacks, and with "zc" a
# kprobe "zc" on zc_fn. Returns 1 if the kprobe cannot be set (the debug
# kernel has no kprobes): the rest is traced all the same.
trace_start() {
	local e rc=0
	mountpoint -q "$TR" || mount -t tracefs tracefs "$TR" || return 2
	# A receiver frees the skbs it has read on the CPU that made them,
	# deferred to that CPU's next network softirq (skb_defer_max): on an
	# idle guest, skbs holding pages of ours could wait there for as long
	# as the CPU sees no packet. Freed at once while traced.
	if [ -w /proc/sys/net/core/skb_defer_max ]; then
		DEFER_MAX=$(cat /proc/sys/net/core/skb_defer_max)
		echo 0 >/proc/sys/net/core/skb_defer_max
	fi
	echo 8192 >"$TR/buffer_size_kb"
	echo >"$TR/trace"
	for e in "$@"; do
		if [ "$e" = zc ]; then
			if [ -e "$TR/kprobe_events" ] && echo "p:sstest/zc $(zc_fn)" >>"$TR/kprobe_events"; then
				echo 1 >"$TR/events/sstest/zc/enable"
			else
				rc=1
			fi
			continue
		fi
		[ -n "${e#*=}" ] && echo "${e#*=}" >"$TR/events/${e%%=*}/filter"
		echo 1 >"$TR/events/${e%%=*}/enable"
	done
	echo 1 >"$TR/options/stacktrace"
	return $rc
}

# trace_events: one line per event recorded so far: its name, 1 if it is
# the module's, its order (or bytes_alloc), its pfn. A probe's is the
# module's with the module anywhere on its stack; a kmalloc's by its
# call_site; a page allocation's when the first frame past the page
# allocator is the module's (not TCP's page fragments for the bytes it
# copies, nor the debug kernel's stack depot saving a stack of ours); a
# free is nobody's. The trace is formatted as it is read: with sym-offset,
# frames name their module.
trace_events() {
	echo 1 >"$TR/options/sym-offset"
	awk 'function flush() { if (ev != "") print ev, ours, arg, pfn }
		match($0, /: (mm_page_alloc|mm_page_free|kmalloc|zc):/) {
			flush()
			ev = substr($0, RSTART + 2, RLENGTH - 3)
			ours = 0; seen = ev == "mm_page_free"; arg = "-"; pfn = "-"
			if (match($0, /order=[0-9]+/))
				arg = substr($0, RSTART + 6, RLENGTH - 6)
			else if (match($0, /bytes_alloc=[0-9]+/))
				arg = substr($0, RSTART + 12, RLENGTH - 12)
			if (match($0, /pfn=0x[0-9a-f]+/))
				pfn = substr($0, RSTART + 4, RLENGTH - 4)
			if (ev == "kmalloc") {
				ours = $0 ~ /call_site=[^ ]+ \[shadowsocks\]/
				seen = 1
			}
			next }
		/=> / && !seen && ev == "zc" {
			if (/\[shadowsocks\]/) { ours = 1; seen = 1 }
			next }
		/=> / && !seen {
			if (/=> (trace_|__traceiter|__alloc_pages|alloc_pages|__folio_alloc|folio_alloc|__alloc_frozen|alloc_frozen|get_page_from_freelist|__alloc_pages_noprof|alloc_pages_noprof)/)
				next
			ours = /\[shadowsocks\]/; seen = 1 }
		END { flush() }' "$TR/trace"
	echo 0 >"$TR/options/sym-offset"
}

# trace_stop EVENT...: as given to trace_start (filters cleared)
trace_stop() {
	local e
	[ -n "${DEFER_MAX:-}" ] && echo "$DEFER_MAX" >/proc/sys/net/core/skb_defer_max
	echo 0 >"$TR/options/stacktrace"
	for e in "$@"; do
		if [ "$e" = zc ]; then
			[ -e "$TR/events/sstest/zc" ] || continue
			echo 0 >"$TR/events/sstest/zc/enable"
			echo "-:sstest/zc" >>"$TR/kprobe_events"
			continue
		fi
		echo 0 >"$TR/events/${e%%=*}/enable"
		echo 0 >"$TR/events/${e%%=*}/filter"
	done
	echo >"$TR/trace"
	echo 1408 >"$TR/buffer_size_kb"
}

# blocks_held EVENTS_FILE: the module's order-2 blocks not freed yet
blocks_held() {
	awk '$1 == "mm_page_alloc" && $2 && $3 == 2 { held[$4] = 1 }
		$1 == "mm_page_free" && $3 == 2 { delete held[$4] }
		END { n = 0; for (p in held) n++; print n }' "$1"
}

# blocks_all_freed FILE: the events so far into FILE; true if the module
# holds none of the blocks it allocated
blocks_all_freed() {
	trace_events >"$1"
	[ "$(blocks_held "$1")" = 0 ]
}

# idle_holds_none METHOD PORT (while rx_alloc traces): 512 KiB echoed in
# 64 KiB turns through libev ss-tunnel to the echo service, then the
# connection stays open with nothing to relay: the module must hold none of
# its blocks (a direction lets go of its buffers when it has nothing
# pending; TCP lets go of its own once the peers have read them).
idle_holds_none() {
	local m=$1 port=$2 tport=10953 tpid apid out=$TOPO_DIR/idle.trace
	client_start ss-tunnel idle-tunnel "$tport" "$m" "$S4_C" "$port" "$T4:9000"
	tpid=$CLIENT_PID
	topo_bg idle-app "$NS_C" "$PY" -c '
import os, socket, sys, time
sys.path.insert(0, sys.argv[2])
from sockio import recv_exact
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
for i in range(8):
    data = os.urandom(64 << 10)
    s.sendall(data)
    if recv_exact(s, len(data)) != data:
        sys.exit("echo differs")
print("echoed", flush=True)
time.sleep(60)' "$tport" "$SS_TOOLS"
	apid=$TOPO_LAST_PID
	if ! wait_for 30 grep -q echoed "$TOPO_DIR/idle-app.log"; then
		ss_fail "$m: 512 KiB echoed through ss-tunnel on a connection kept open" \
			"$(cat "$TOPO_DIR/idle-app.log")"
	elif wait_for 15 blocks_all_freed "$out" && kill -0 "$apid" 2>/dev/null; then
		ss_ok "$m: a connection kept open with nothing to relay holds no block of the module's"
	else
		ss_fail "$m: a connection kept open with nothing to relay holds no block of the module's" \
			"$(blocks_held "$out") held 15 s after the echo; app alive: $(kill -0 "$apid" 2>/dev/null && echo yes || echo no)"
	fi
	topo_kill "$apid" "$tpid"
}

# The relay's buffers are 16 KiB blocks from the page allocator (order 2;
# order 3 would be a costly allocation), which big sends hand to TCP
# without a copy. Traced while 1 MiB goes each way through libev ss-tunnel
# (chunks of 0x3FFF): the module allocates pages of order 2 and none
# larger, kmallocs nothing of 16 KiB or more, sends without a copy, and
# once the connections are closed every block it allocated has been freed
# (kmemleak does not see page allocations; TCP frees the blocks it held
# with its last reference).
rx_alloc() {
	local m=aes-256-gcm port=8613 srv=alloc0 tport=10951 tpid
	local ev=(kmem/mm_page_alloc='order >= 2' kmem/mm_page_free='order == 2'
		kmem/kmalloc='bytes_alloc >= 16384' zc)
	local out=$TOPO_DIR/alloc.trace zc=1 n2 nbig nkm nzc held
	if ! sut_start "$srv" "$m" "$port" >"$TOPO_DIR/err" 2>&1; then
		ss_fail "$m: server starts on port $port" "$(cat "$TOPO_DIR/err")"
		return
	fi
	client_start ss-tunnel alloc-tunnel "$tport" "$m" "$S4_C" "$port" "$T4:8080"
	tpid=$CLIENT_PID
	trace_start "${ev[@]}"
	case $? in
	1) zc=0 ;;
	2) ss_fail "tracefs mounts"; topo_kill "$tpid"; sut_stop "$srv"; return ;;
	esac
	timed "$m: ss-tunnel, allocations traced: 1 MiB upload" put -- "http://127.0.0.1:$tport/sink" "$SMALL"
	timed "$m: ss-tunnel, allocations traced: 1 MiB download" get -- "http://127.0.0.1:$tport/blob?n=$SMALL" "$SMALL"
	idle_holds_none "$m" "$port"
	topo_kill "$tpid"
	sut_stop "$srv"
	# TCP lets go of the blocks as the peers acknowledge and the sockets go
	wait_for 15 blocks_all_freed "$out"
	trace_events >"$out"
	trace_stop "${ev[@]}"
	n2=$(awk '$1 == "mm_page_alloc" && $2 && $3 == 2' "$out" | wc -l)
	nbig=$(awk '$1 == "mm_page_alloc" && $2 && $3 > 2' "$out" | wc -l)
	nkm=$(awk '$1 == "kmalloc" && $2' "$out" | wc -l)
	nzc=$(awk '$1 == "zc" && $2' "$out" | wc -l)
	held=$(blocks_held "$out")
	if [ "$n2" -gt 0 ] && [ "$nbig" -eq 0 ]; then
		ss_ok "the relay's buffers are 16 KiB: $n2 page allocations of order 2 by the module, none larger"
	else
		ss_fail "the relay's buffers are 16 KiB: $n2 page allocations of order 2 by the module, none larger" \
			"$nbig larger; events (name, module's, order): $(cut -d' ' -f1-3 "$out" | sort | uniq -c | tr '\n' ';')"
	fi
	if [ "$nkm" -eq 0 ]; then
		ss_ok "no kmalloc of 16 KiB or more by the module"
	else
		ss_fail "no kmalloc of 16 KiB or more by the module" "$nkm: $(grep '^kmalloc 1' "$out" | head -n 5)"
	fi
	if [ "$zc" -eq 0 ]; then
		ss_skip "the relay sends without a copy" "this kernel has no kprobe events"
	elif [ "$nzc" -gt 0 ]; then
		ss_ok "the relay sends without a copy: $nzc calls of $(zc_fn) by the module"
	else
		ss_fail "the relay sends without a copy: $nzc calls of $(zc_fn) by the module" \
			"events: $(cut -d' ' -f1-3 "$out" | sort | uniq -c | tr '\n' ';')"
	fi
	if [ "$n2" -gt 0 ] && [ "$held" -eq 0 ]; then
		ss_ok "every block the relay allocated is freed once its connections are closed ($n2 of $n2)"
	else
		ss_fail "every block the relay allocated is freed once its connections are closed" \
			"$held of $n2 still held 15 s after the server was deleted"
	fi
}

# server_retrans: the segments TCP has retransmitted in the server netns
server_retrans() {
	in_s awk '$1 == "Tcp:" && !c { for (i = 2; i <= NF; i++) if ($i == "RetransSegs") c = i; next }
		$1 == "Tcp:" { print $c }' /proc/net/snmp
}

# Zero-copy under loss: TCP retransmits from the relay's own buffers (the
# sealed chunks it sends the client, the plaintext it sends the target),
# which must still hold what was sent while the relay goes on with new
# chunks. netem drops, delays and reorders what the server sends on both
# of its links; 8 MiB each way through libev ss-tunnel must arrive intact
# (SHA-256), TCP must have retransmitted (the server netns' RetransSegs),
# and the relay must have sent without a copy meanwhile (where kprobes are).
lossy() {
	local m=chacha20-ietf-poly1305 port=8614 srv=lossy0 tport=10952 tpid n=$((8 << 20))
	local dev before after nzc zc=1 out=$TOPO_DIR/lossy.trace
	local netem=(netem loss 3% delay 2ms reorder 10%)
	modprobe sch_netem 2>/dev/null	# built in, or there is none
	if ! in_s tc qdisc add dev vc root "${netem[@]}" 2>"$TOPO_DIR/err"; then
		ss_skip "zero-copy under loss" "no netem: $(cat "$TOPO_DIR/err")"
		return
	fi
	if ! in_s tc qdisc add dev vt root "${netem[@]}" 2>"$TOPO_DIR/err"; then
		ss_fail "netem on the server's link to the target" "$(cat "$TOPO_DIR/err")"
		in_s tc qdisc del dev vc root
		return
	fi
	if ! sut_start "$srv" "$m" "$port" >"$TOPO_DIR/err" 2>&1; then
		ss_fail "$m: server starts on port $port" "$(cat "$TOPO_DIR/err")"
		in_s tc qdisc del dev vc root
		in_s tc qdisc del dev vt root
		return
	fi
	client_start ss-tunnel lossy-tunnel "$tport" "$m" "$S4_C" "$port" "$T4:8080"
	tpid=$CLIENT_PID
	expect_reset
	trace_start zc || zc=0
	before=$(server_retrans)
	timed "$m: ss-tunnel, ${netem[*]} on the server's links: 8 MiB upload, SHA-256 matches" \
		put -- "http://127.0.0.1:$tport/sink" "$n"
	expect 1 "$n" 0
	timed "$m: ss-tunnel, ${netem[*]} on the server's links: 8 MiB download, SHA-256 matches" \
		get -- "http://127.0.0.1:$tport/blob?n=$n" "$n"
	expect 1 0 "$n"
	after=$(server_retrans)
	trace_events >"$out"
	trace_stop zc
	for dev in vc vt; do
		in_s tc qdisc del dev "$dev" root
	done
	if [ "$((after - before))" -gt 0 ]; then
		ss_ok "TCP retransmitted from the server under loss: $((after - before)) segments"
	else
		ss_fail "TCP retransmitted from the server under loss" "RetransSegs $before -> $after"
	fi
	nzc=$(awk '$1 == "zc" && $2' "$out" | wc -l)
	if [ "$zc" -eq 0 ]; then
		ss_skip "under loss, the relay sends without a copy" "this kernel has no kprobe events"
	elif [ "$nzc" -gt 0 ]; then
		ss_ok "under loss, the relay sends without a copy: $nzc calls of $(zc_fn) by the module"
	else
		ss_fail "under loss, the relay sends without a copy" "no call of $(zc_fn) by the module"
	fi
	topo_kill "$tpid"
	check_stats "$srv" "$m: under loss: counters as sent, no errors, none active"
	sut_stop "$srv"
}

# What the module's own sockets queue is charged to the memory cgroup of
# whoever made the server (memory.stat "sock"), not to no one: a download
# through ss-tunnel whose application reads nothing backs up into the
# socket the module opened to the target.
sock_memcg() {
	local m=chacha20-ietf-poly1305 port=8614 srv=sockmem0 tport=10952 cg=/sys/fs/cgroup g tpid apid sock
	if ! grep -qw memory /proc/cgroups; then
		ss_skip "$m: socket memory charged to the server's cgroup" "no memory cgroup in this kernel"
		return
	fi
	mountpoint -q "$cg" || mount -t cgroup2 none "$cg" || { ss_fail "cgroup2 mounts"; return; }
	echo +memory >"$cg/cgroup.subtree_control" || { ss_fail "the memory controller is on"; return; }
	g=$cg/ss-tcp-$$
	mkdir -p "$g" || { ss_fail "a cgroup is made"; return; }
	# ssctl joins the cgroup before nsenter (ip netns exec would hide this
	# cgroup2 mount): the server is charged there
	if ! bash -c 'echo $$ >"$1/cgroup.procs" && exec nsenter --net="/run/netns/$2" "${@:3}"' \
		_ "$g" "$NS_S" ssctl server add "$srv" port "$port" method "$m" password "$PW" \
		>"$TOPO_DIR/err" 2>&1; then
		ss_fail "$m: server starts in a cgroup of its own" "$(cat "$TOPO_DIR/err")"
		rmdir "$g"
		return
	fi
	SERVERS_MADE=$((SERVERS_MADE + 1))
	wait_for 10 listening "$NS_S" "$port"
	client_start ss-tunnel sockmem-tunnel "$tport" "$m" "$S4_C" "$port" "$T4:8080"
	tpid=$CLIENT_PID
	topo_bg sockmem-app "$NS_C" "$PY" -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /blob HTTP/1.0\r\n\r\n")
time.sleep(60)' "$tport"
	apid=$TOPO_LAST_PID
	sock_charged() {
		sock=$(awk '$1 == "sock" {print $2}' "$g/memory.stat")
		[ "${sock:-0}" -ge $((64 << 10)) ]
	}
	if wait_for 30 sock_charged; then
		ss_ok "$m: a stalled download's socket memory is charged to the server's cgroup ($((sock >> 10)) KiB)"
	else
		ss_fail "$m: a stalled download's socket memory is charged to the server's cgroup" \
			"memory.stat sock: ${sock:-none} bytes; $(sut_stats "$srv")"
	fi
	topo_kill "$apid" "$tpid"
	sut_stop "$srv"
	wait_for 10 rmdir "$g"
	# how often an accepted socket already had data when the work took
	# it (left uncharged: see ss_socket_charge()), over this whole file
	echo "# accepted sockets left uncharged so far: $(grep -c 'accepted socket had data' "$TOPO_DIR/kmsg") of $(grep -cE 'shadowsocks: conn [0-9]+ created' "$TOPO_DIR/kmsg") connections"
}

# A server with allow-local on does reach the echo service on its own
# loopback: the refusals above are the policy, not an empty port.
local_targets() {
	local m=aes-128-gcm port=8603 srv=loc0 out
	if ! sut_start "$srv" "$m" "$port" allow-local on >"$TOPO_DIR/err" 2>&1; then
		ss_fail "$m: server with allow-local on starts" "$(cat "$TOPO_DIR/err")"
		return
	fi
	out=$(probe --server "$S4_C:$port" --method "$m" valid@127.0.0.1:9000 "valid@[$S6_C]:9000" \
		"valid@[$META6_AWS]:9000" "valid@$META4_ALIBABA:9000")
	mapfile -t res <<<"$out"
	ok_if "allow-local on: a request for 127.0.0.1:9000 reaches the server's own echo service" .ok "${res[0]:-}"
	ok_if "allow-local on: a request for [$S6_C]:9000 reaches the server's own echo service" .ok "${res[1]:-}"
	ok_if "allow-local on: a request for [$META6_AWS]:9000 reaches the target's echo service" .ok "${res[2]:-}"
	ok_if "allow-local on: a request for $META4_ALIBABA:9000 reaches the target's echo service" .ok "${res[3]:-}"
	sut_stop "$srv"
}

if [ "$SUT" = kernel ]; then
	# an echo service on the server's own addresses, for local targets
	topo_bg servers-local "$NS_S" "$PY" "$SS_TOOLS/servers.py" --blob "$TOPO_BLOB"
	LOCAL_ECHO=$TOPO_LAST_PID
	wait_for 30 listening "$NS_S" 9000
	ss_test "the cloud metadata addresses are the target's, routed from the server" topo_metadata
fi
if part bad; then
	bad_sequential
	bad_parallel
fi
if [ "$SUT" = kernel ] && part limits; then
	limits
	local_targets
fi
if [ "$SUT" = kernel ]; then
	topo_kill "$LOCAL_ECHO"
fi
if [ "$SUT" = kernel ] && part hardening; then
	flood_idle
	flood_bad
	rx_alloc
	lossy
	sock_memcg
fi

# ---- the end: nothing left behind -------------------------------------------------

if [ "$SUT" = kernel ]; then
	if out=$(rmmod shadowsocks 2>&1); then
		ss_ok "rmmod shadowsocks succeeds"
	else
		ss_fail "rmmod shadowsocks succeeds" "$out"
	fi
	sleep 1
	topo_kmsg_stop
	why=""
	kmsg=$TOPO_DIR/kmsg
	c=$(grep -cE 'shadowsocks: server [^ ]+ created$' "$kmsg")
	d=$(grep -cE 'shadowsocks: server [^ ]+ destroyed$' "$kmsg")
	echo "# servers: $c created, $d destroyed"
	[ "$c" -eq "$SERVERS_MADE" ] || why+="$c servers logged created, $SERVERS_MADE made; "
	[ "$c" -eq "$d" ] || why+="servers: $c created, $d destroyed; "
	grep -oE 'shadowsocks: conn [0-9]+ created' "$kmsg" | awk '{print $3}' | sort -n >"$TOPO_DIR/conn.c"
	grep -oE 'shadowsocks: conn [0-9]+ destroyed$' "$kmsg" | awk '{print $3}' | sort -n >"$TOPO_DIR/conn.d"
	c=$(wc -l <"$TOPO_DIR/conn.c")
	d=$(wc -l <"$TOPO_DIR/conn.d")
	echo "# connections: $c created, $d destroyed, $CONNS_COUNTED counted by the servers"
	[ "$c" -eq "$CONNS_COUNTED" ] || why+="$c connections logged created, the servers counted $CONNS_COUNTED; "
	cmp -s "$TOPO_DIR/conn.c" "$TOPO_DIR/conn.d" ||
		why+="connections created but not destroyed: $(comm -23 "$TOPO_DIR/conn.c" "$TOPO_DIR/conn.d" | head -n 20 | tr '\n' ' '); "
	if [ -z "$why" ]; then
		ss_ok "every server and connection the debug log shows created was destroyed"
	else
		ss_fail "every server and connection the debug log shows created was destroyed" "$why"
	fi
	kmsg_clean
fi

elapsed "all done"
ss_done
