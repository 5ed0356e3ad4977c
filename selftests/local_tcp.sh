#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The local role's TCP relay, end to end. Topology (selftests/topology.sh,
# TOPO_LAN=1):
#
#   [lan] curl, tools/*.py
#     -> [gateway = client netns] ss-socksd (SOCKS5 / tunnel / redir front
#        ends; hands each socket to the kernel) + the module's local role
#     -> [server] the module's server role (or shadowsocks-libev ss-server)
#     -> [target] HTTP, echo, digest (tools/servers.py), dnsmasq
#
# The lan reaches nothing but the gateway, and the gateway the server only:
# every byte the lan gets from the target went through both relays.
#
#   - every method: a client profile and a server, ss-socksd in front
#     (--client, or -c config.json for the last method, which creates the
#     profile "default"; the second profile is made from an ss:// link,
#     the third imported from a SIP008 document), curl --socks5-hostname from the lan: 1 MiB from an
#     IPv4 and from an IPv6 target, 1 MiB up to a domain target (resolved by
#     the agent in the server netns), SHA-256 checked; the profile's and the
#     server's counters match what was sent
#   - interoperability: the kernel's local role to shadowsocks-libev's
#     ss-server, and libev's ss-local to the kernel's server role
#   - one profile (chacha20-ietf-poly1305) for the rest: 64 MiB each way;
#     a request and its first data in one write (4 KiB, and 100 KiB, more
#     than ss-socksd hands over with the socket), echoed; a half-close
#     (1 MiB up, shut, digest and 1 MiB back); 200 concurrent connections,
#     all live on the profile and the server at once, each echoing its own
#     64 KiB; tunnel front ends (an HTTP and an echo target); redir with an
#     nftables REDIRECT rule in the gateway, IPv4 and IPv6 (and without the
#     rule, the lan cannot reach the target); RFC 1929 login
#   - bad SOCKS input (tools/socks5.py): a SOCKS4 request, garbage, a
#     garbage request, BIND, address type 5, a truncated
#     request (closed at ss-socksd's handshake timeout), no login offered
#     where one is required, a wrong password; ss-socksd serves on after it
#   - ss-socksd killed (SIGKILL) in the middle of a download it had handed
#     over: the download completes with the right SHA-256; a new ss-socksd
#     binds the same ports and serves
#   - a wrong key on the profile: curl fails, the server counts auth_fail,
#     the profile does not (the server never answers); a "server" answering
#     junk: curl fails, the profile counts auth_fail
#   - the counters of that profile and its server after all of it
#   - limits and failures: max-conns 2 on a profile (the third connection
#     gets 05 01, counted as refused); an application giving up in the
#     middle of a download (its relay and the server's end); the profile
#     deleted under a live download (cut; new CONNECTs get 05 01); a closed
#     server port (connect_fail); a profile's idle timeout; a server that
#     drops the SYN (the profile's handshake-timeout, connect_fail)
#   - the end: every profile and server deleted, every connection the debug
#     log shows created was destroyed, no kernel warning
#
# SS_LOCAL_SUT=libev runs the same tests with shadowsocks-libev in place of
# ss-socksd and the module (ss-local, ss-tunnel, ss-redir in the gateway,
# ss-server in the server netns), to check the test itself: it needs no
# module and runs on a development machine as root. What libev does not
# have (counters, logins, ss-socksd's replies to bad input) is skipped or
# reported as a skip where libev answers differently.

SUT=${SS_LOCAL_SUT:-kernel}
TOPO_LAN=1
# the server role resolves names through an agent in its netns
[ "$SUT" = kernel ] && TOPO_RESOLVER=1

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topology.sh"

HS=${SS_HS_TIMEOUT:-2}		# ss-socksd's handshake timeout, seconds
SRV_HS=3			# the servers' handshake timeout
MARGIN=3			# how late after a deadline a close may come (TCG)
SMALL=$((1 << 20))
BIG=${SS_BIG:-$((64 << 20))}
KILLN=$((16 << 20))		# the download ss-socksd is killed under
DELN=$TOPO_BLOB_SIZE		# the download its profile is deleted under
PW="local test password $$"
METHODS=(aes-128-gcm aes-192-gcm aes-256-gcm chacha20-ietf-poly1305 xchacha20-ietf-poly1305)
mapfile -t METHODS < <(ss_methods "${METHODS[@]}")
DOMAINS=("$DOMAIN" "v4.$DOMAIN" "v6.$DOMAIN")
MAIN_M=chacha20-ietf-poly1305
MAIN_PORT=8500

PROFILES_MADE=0
SERVERS_MADE=0

cleanup() {
	in_c nft delete table inet ssredir 2>/dev/null
	in_s nft delete table inet sshole 2>/dev/null
	if [ "$SUT" = kernel ]; then
		topo_kill "${TOPO_PIDS[@]}"
		topo_del_objects
	fi
	topo_cleanup
}
trap cleanup EXIT

# try CMD...: run CMD in this shell (what it sets stays set), its output in
# $TOPO_DIR/err, shown by errout
try() { "$@" >"$TOPO_DIR/err" 2>&1; }
errout() { cat "$TOPO_DIR/err"; }

# ---- the relays under test ----------------------------------------------------

declare -A PROF_ADDR PROF_PORT PROF_METHOD PROF_PW

# server_start NAME METHOD PORT: a server role in the server netns
server_start() {
	local name=$1 method=$2 port=$3
	if [ "$SUT" = kernel ]; then
		in_s ssctl server add "$name" port "$port" method "$method" \
			password "$PW" handshake-timeout "$SRV_HS" || return 1
		SERVERS_MADE=$((SERVERS_MADE + 1))
	else
		libev_server "$name" "$method" "$port" || return 1
	fi
	wait_for 10 listening "$NS_S" "$port"
}

# libev_server NAME METHOD PORT: shadowsocks-libev's ss-server (pid in LIBEV_PID)
libev_server() {
	topo_bg "ss-server-$1" "$NS_S" ss-server -s 0.0.0.0 -s :: -p "$3" -k "$PW" \
		-m "$2" -d "$T4" -t "$SRV_HS"
	LIBEV_PID=$TOPO_LAST_PID
	wait_for 10 listening "$NS_S" "$3"
}

# profile_add NAME ADDR PORT METHOD [PASSWORD [SSCTL OPTIONS]]: a client
# profile in the gateway; with PROF_FROM=url, made from an ss:// link
# (SIP002: base64url user info, an IPv6 host in brackets, a tag), with
# PROF_FROM=sip008, imported from a SIP008 document (no options then)
profile_add() {
	local name=$1 addr=$2 port=$3 method=$4 pw=${5:-$PW} host
	shift $(($# < 5 ? $# : 5))
	PROF_ADDR[$name]=$addr PROF_PORT[$name]=$port PROF_METHOD[$name]=$method PROF_PW[$name]=$pw
	[ "$SUT" = kernel ] || return 0
	case ${PROF_FROM:-} in
	url)
		host=$addr
		[[ $addr == *:* ]] && host="[$addr]"
		in_c ssctl client add "$name" url "ss://$(printf '%s:%s' "$method" "$pw" |
			base64 -w0 | tr '+/' '-_' | tr -d '=')@$host:$port/#profile%20$name" "$@" || return 1
		;;
	sip008)
		jq -n --arg n "$name" --arg s "$addr" --argjson p "$port" --arg m "$method" --arg pw "$pw" \
			'{version: 1, servers: [{id: "27b8a625-4f4b-4428-9f0f-8a2317db7c79",
			  remarks: $n, server: $s, server_port: $p, method: $m, password: $pw}]}' \
			>"$TOPO_DIR/sip008-$name.json"
		in_c ssctl client import "$TOPO_DIR/sip008-$name.json" || return 1
		;;
	*)
		in_c ssctl client add "$name" server "$addr" port "$port" method "$method" \
			password "$pw" "$@" || return 1
		;;
	esac
	PROFILES_MADE=$((PROFILES_MADE + 1))
}

# bare ADDR:PORT -> ADDR (brackets off)
hostof() { local h=${1%:*}; h=${h#[}; echo "${h%]}"; }
portof() { echo "${1##*:}"; }

# front LOGNAME PROFILE KIND LISTEN [LISTEN...] (KIND socks, redir; tunnel:
# LISTEN=HOST:PORT=TARGET): ss-socksd in the gateway (libev: ss-local,
# ss-redir, ss-tunnel, one process per listener, the first one's pid in
# FRONT_PID); waits for every listener
front() {
	local log=$1 prof=$2 kind=$3 l args=() pids=() n=0
	shift 3
	if [ "$SUT" = kernel ]; then
		for l in "$@"; do args+=("--$kind" "$l"); done
		topo_bg "$log" "$NS_C" ss-socksd -v --client "$prof" --handshake-timeout "$HS" \
			--max-pending 256 "${FRONT_EXTRA[@]}" "${args[@]}"
		FRONT_PID=$TOPO_LAST_PID
	else
		for l in "$@"; do
			local lis=${l%%=*} extra=()
			case $kind in
			socks) bin=ss-local ;;
			redir) bin=ss-redir ;;
			tunnel) bin=ss-tunnel extra=(-L "${l#*=}") ;;
			esac
			topo_bg "$log.$n" "$NS_C" "$bin" -s "${PROF_ADDR[$prof]}" -p "${PROF_PORT[$prof]}" \
				-k "${PROF_PW[$prof]}" -m "${PROF_METHOD[$prof]}" \
				-b "$(hostof "$lis")" -l "$(portof "$lis")" "${extra[@]}"
			pids+=("$TOPO_LAST_PID")
			n=$((n + 1))
		done
		FRONT_PID=${pids[*]}
	fi
	for l in "$@"; do
		l=${l%%=*}
		wait_for 10 listening "$NS_C" "$(portof "$l")" ||
			{ echo "nothing listens on $l"; logtail "$log"; return 1; }
	done
}
FRONT_EXTRA=()

# ---- clients in the lan ---------------------------------------------------------

# timed DESC CMD...: ss_test with the time it took; LOGS (names) shown on failure
LOGS=()
timed() {
	local desc=$1 t0 out rc l
	shift
	t0=$(date +%s.%N)
	out=$("$@" 2>&1)
	rc=$?
	desc="$desc ($(printf '%.1f' "$(echo "$(date +%s.%N) - $t0" | bc)") s)"
	if [ $rc -eq 0 ]; then
		ss_ok "$desc"
	else
		for l in "${LOGS[@]}"; do out+=$'\n'$(logtail "$l"); done
		ss_fail "$desc" "$out"
	fi
}

socks5() { in_l "$PY" "$SS_TOOLS/socks5.py" --timeout "$HS" --margin "$MARGIN" "$@"; }
clients() { in_l "$PY" "$SS_TOOLS/clients.py" "$@"; }

# lenient DESC JSON: a socks5.py result; against libev a failure is a skip
# (its ss-local answers some bad input its own way)
lenient() {
	if jq -e .ok <<<"$2" >/dev/null 2>&1; then
		ss_ok "$1"
	elif [ "$SUT" = libev ]; then
		ss_skip "$1" "libev differs: $2"
	else
		ss_fail "$1" "$2"
	fi
}

# expect CONNS DOWN UP: what profile "main" (and its server) should count:
# CONNS more relays that carried DOWN payload bytes to the lan and UP from it
EXP_CONN=0 EXP_DOWN=0 EXP_UP=0
expect() {
	EXP_CONN=$((EXP_CONN + $1)) EXP_DOWN=$((EXP_DOWN + $2)) EXP_UP=$((EXP_UP + $3))
}

# check_counters DESC STATS CONNS IN OUT [EXTRA_JQ]: a profile's or
# server's counters: no connection active, CONNS counted, IN and OUT bytes
# (the payload, up to 1 KiB per connection more for HTTP headers)
check_counters() {
	local desc=$1 st=$2 c=$3 i=$4 o=$5 extra=${6:-true} s=$(($3 * 1024))
	if [ "$SUT" != kernel ]; then
		ss_skip "$desc" "shadowsocks-libev has no counters"
		return
	fi
	if jq -e --argjson c "$c" --argjson i "$i" --argjson o "$o" --argjson s "$s" '
		.conn_active == 0 and .conn_total == $c and
		.bytes_in >= $i and .bytes_in <= $i + $s and
		.bytes_out >= $o and .bytes_out <= $o + $s and
		.auth_fail == 0 and .connect_fail == 0 and '"$extra" <<<"$st" >/dev/null; then
		ss_ok "$desc"
	else
		ss_fail "$desc" "stats $st
want conn_total $c, bytes_in $i..+$s, bytes_out $o..+$s, no errors, none active; and $extra"
	fi
}

# wait_idle PROFILE SERVER: both show no active connection (bounded)
idle() {
	[ "$(stats_c "$1" | jq .conn_active)" = 0 ] &&
		{ [ -z "$2" ] || [ "$(stats_s "$2" | jq .conn_active)" = 0 ]; }
}
wait_idle() { [ "$SUT" = kernel ] || return 0; wait_for 20 idle "$1" "${2:-}"; }

# ---- set-up -------------------------------------------------------------------

if [ "$SUT" = kernel ]; then
	topo_start kmsg
else
	topo_start
fi
if [ "$SUT" = kernel ]; then
	ss_test "the module loads (ssctl, on demand)" in_c ssctl client show
fi
blob_sha "$SMALL" >/dev/null
blob_sha_bg "$BIG"	# needed from the main profile's tests on
blob_sha_bg "$KILLN"
ss_test "the lan reaches the gateway, and not the server or the target" bash -c "
	ip netns exec $NS_L ping -c1 -W2 $C4_L >/dev/null &&
	ip netns exec $NS_L ping -c1 -W2 $C6_L >/dev/null &&
	! ip netns exec $NS_L ping -c1 -W1 $S4_C >/dev/null 2>&1 &&
	! ip netns exec $NS_L ping -c1 -W1 $T4 >/dev/null 2>&1 &&
	! ip netns exec $NS_L ping -c1 -W1 $T6 >/dev/null 2>&1"
elapsed "set-up done, local role under test: $SUT"

# ---- every method ---------------------------------------------------------------

for i in "${!METHODS[@]}"; do
	m=${METHODS[$i]}
	port=$((8400 + i))
	srv=tcp$i prof=m$i how=""
	dom=${DOMAINS[$((i % 3))]}
	if [ $((i % 2)) -eq 0 ]; then saddr=$S4_C lis=$C4_L:$((10800 + i))
	else saddr=$S6_C lis=[$C6_L]:$((10800 + i)); fi
	if ! try server_start "$srv" "$m" "$port"; then
		ss_fail "$m: server starts on port $port" "$(errout)"
		continue
	fi
	LOGS=("socksd-$prof")
	if [ $i -eq $((${#METHODS[@]} - 1)) ]; then
		# ss-socksd -c config.json: the profile "default" comes from it
		prof=default
		PROF_ADDR[$prof]=$saddr PROF_PORT[$prof]=$port PROF_METHOD[$prof]=$m PROF_PW[$prof]=$PW
		jq -n --arg s "$saddr" --argjson p "$port" --arg l "$(hostof "$lis")" \
			--argjson lp "$(portof "$lis")" --arg pw "$PW" --arg m "$m" \
			'{server: $s, server_port: $p, local_address: $l, local_port: $lp,
			  password: $pw, method: $m, timeout: 60}' >"$TOPO_DIR/config.json"
		if [ "$SUT" = kernel ]; then
			topo_bg "socksd-$prof" "$NS_C" ss-socksd -v -c "$TOPO_DIR/config.json" \
				--handshake-timeout "$HS"
			fpid=$TOPO_LAST_PID
		else
			topo_bg "socksd-$prof" "$NS_C" ss-local -c "$TOPO_DIR/config.json"
			fpid=$TOPO_LAST_PID
		fi
		if ! wait_for 10 listening "$NS_C" "$(portof "$lis")"; then
			ss_fail "$m: ss-socksd -c config.json listens on $lis" "$(logtail "socksd-$prof")"
			continue
		fi
		if [ "$SUT" = kernel ]; then
			PROFILES_MADE=$((PROFILES_MADE + 1))
			out=$(in_c ssctl client show default -j 2>&1)
			ok_if "$m: ss-socksd -c config.json made the profile 'default' with its server, port and method" \
				".[0].server == \"$saddr\" and .[0].port == $port and .[0].method == \"$m\"" "$out"
		fi
	else
		# two of the profiles from what other clients share
		PROF_FROM= how=""
		case $i in
		1) PROF_FROM=url how=", from an ss:// link" ;;
		2) PROF_FROM=sip008 how=", imported from a SIP008 document" ;;
		esac
		[ "$SUT" = kernel ] || how=""
		if ! try profile_add "$prof" "$saddr" "$port" "$m"; then
			ss_fail "$m: client profile $prof to $saddr port $port$how" "$(errout)"
			PROF_FROM=
			continue
		fi
		PROF_FROM=
		if ! try front "socksd-$prof" "$prof" socks "$lis"; then
			ss_fail "$m: ss-socksd --client $prof --socks $lis" "$(errout)"
			continue
		fi
		fpid=$FRONT_PID
	fi
	socks=(--socks5-hostname "$lis")

	timed "$m: curl from the lan via ss-socksd ($lis, profile to $saddr${how:-}), IPv4 target: 1 MiB download" \
		get "${socks[@]}" -- "http://$T4:8080/blob?n=$SMALL" "$SMALL"
	timed "$m: IPv6 target: 1 MiB download" \
		get "${socks[@]}" -- "http://[$T6]:8080/blob?n=$SMALL" "$SMALL"
	timed "$m: domain target $dom: 1 MiB upload" \
		put "${socks[@]}" -- "http://$dom:8080/sink" "$SMALL"

	topo_kill $fpid
	if [ "$SUT" = kernel ]; then
		wait_idle "$prof" "$srv"
		check_counters "$m: profile $prof counts 3 connections, 2 MiB in, 1 MiB out" \
			"$(stats_c "$prof")" 3 $((2 * SMALL)) "$SMALL"
		check_counters "$m: server $srv counts the same" \
			"$(stats_s "$srv")" 3 "$SMALL" $((2 * SMALL))
	fi
	elapsed "$m done"
done
LOGS=()

# ---- interoperability -------------------------------------------------------------

# the kernel's local role to shadowsocks-libev's ss-server
if try libev_server libev-srv aes-128-gcm 8450; then
	libev_pid=$LIBEV_PID
	if try profile_add libev "$S6_C" 8450 aes-128-gcm && try front socksd-libev libev socks "$C4_L:10850"; then
		LOGS=(socksd-libev ss-server-libev-srv)
		timed "interop: kernel local role -> libev ss-server (aes-128-gcm, over IPv6), IPv4 target: 1 MiB download" \
			get --socks5-hostname "$C4_L:10850" -- "http://$T4:8080/blob?n=$SMALL" "$SMALL"
		timed "interop: kernel local role -> libev ss-server, domain target: 1 MiB upload" \
			put --socks5-hostname "$C4_L:10850" -- "http://$DOMAIN:8080/sink" "$SMALL"
		topo_kill $FRONT_PID
		if [ "$SUT" = kernel ]; then
			wait_idle libev
			check_counters "interop: profile libev counts 2 connections, 1 MiB each way" \
				"$(stats_c libev)" 2 "$SMALL" "$SMALL"
		fi
	else
		ss_fail "interop: profile and ss-socksd for libev ss-server" "$(errout)"
	fi
	topo_kill "$libev_pid"
else
	ss_fail "interop: libev ss-server starts" "$(logtail ss-server-libev-srv)"
fi
LOGS=()

# libev's ss-local to the kernel's server role
if try server_start interop aes-256-gcm 8460; then
	topo_bg ss-local-interop "$NS_C" ss-local -s "$S4_C" -p 8460 -k "$PW" -m aes-256-gcm \
		-b "$C4_L" -l 10860
	lpid=$TOPO_LAST_PID
	wait_for 10 listening "$NS_C" 10860
	timed "interop: libev ss-local -> kernel server role (aes-256-gcm), domain target: 1 MiB download" \
		get --socks5-hostname "$C4_L:10860" -- "http://v6.$DOMAIN:8080/blob?n=$SMALL" "$SMALL"
	topo_kill "$lpid"
	if [ "$SUT" = kernel ]; then
		wait_for 20 bash -c "[ \"\$(ip netns exec $NS_S ssctl server show interop -j | jq '.[0].stats.conn_active')\" = 0 ]"
		check_counters "interop: server interop counts 1 connection, 1 MiB out" \
			"$(stats_s interop)" 1 0 "$SMALL"
	fi
else
	ss_fail "interop: server for libev ss-local starts" "$(errout)"
fi
elapsed "interoperability done"

# ---- the main profile -------------------------------------------------------------

MAIN=main
if ! try server_start main "$MAIN_M" "$MAIN_PORT"; then
	ss_fail "$MAIN_M: main server starts" "$(errout)"
	ss_done
	exit 1
fi
MAIN_SRV_PID=$LIBEV_PID
try profile_add main "$S4_C" "$MAIN_PORT" "$MAIN_M" || ss_fail "$MAIN_M: profile main" "$(errout)"
SOCKS4=$C4_L:1080 SOCKS6=[$C6_L]:1080
# tools take HOST:PORT with IPv6 in brackets; curl too
if try front socksd-main main socks "$SOCKS4" "$SOCKS6"; then
	ss_ok "ss-socksd --client main --socks $SOCKS4 --socks $SOCKS6 listens on both"
else
	ss_fail "ss-socksd --client main --socks $SOCKS4 --socks $SOCKS6 listens on both" "$(errout)"
fi
MAIN_PID=$FRONT_PID
LOGS=(socksd-main)
elapsed "main profile ready"

timed "main: $((BIG >> 20)) MiB download from a domain target, SHA-256 matches" \
	get --socks5-hostname "$SOCKS4" -- "http://$DOMAIN:8080/blob?n=$BIG" "$BIG"
expect 1 "$BIG" 0
timed "main: $((BIG >> 20)) MiB upload to an IPv6 target via the IPv6 listener, SHA-256 matches" \
	put --socks5-hostname "$SOCKS6" -- "http://[$T6]:8080/sink" "$BIG"
expect 1 0 "$BIG"

out=$(socks5 --proxy "$SOCKS4" --first 4096 --more 65536 "onewrite@$T4:9000" "onewrite@$DOMAIN:9000")
mapfile -t res <<<"$out"
ok_if "main: greeting, request and 4 KiB of data in one write (IPv4 target): all echoed, nothing lost" .ok "${res[0]:-}"
ok_if "main: greeting, request and 4 KiB of data in one write (domain target): all echoed, nothing lost" .ok "${res[1]:-}"
expect 2 $((2 * (4096 + 65536))) $((2 * (4096 + 65536)))
out=$(socks5 --proxy "$SOCKS6" --first 102400 --more 65536 "onewrite@[$T6]:9000")
ok_if "main: greeting, request and 100 KiB of data in one write (IPv6 target): all echoed, nothing lost" .ok "$out"
expect 1 $((102400 + 65536)) $((102400 + 65536))

out=$(clients --socks "$SOCKS4" --target "$T4:9001" digest --send "$SMALL" --reply "$SMALL" --blob "$TOPO_BLOB" 2>&1)
if [ "$SUT" = libev ]; then
	# libev closes both ways at a client's EOF: the test must see that
	ok_if "main: half-close: fails against libev, as it must" '.ok == false' "$out"
else
	ok_if "main: half-close: 1 MiB up, write side shut, the target's digest and 1 MiB back" .ok "$out"
fi
expect 1 $((SMALL + 66 + ${#SMALL})) $((SMALL + 8))
elapsed "big transfers, one write, half-close done"

# 200 concurrent connections
hold=$TOPO_DIR/hold
mkdir -p "$hold"
clients --socks "$SOCKS4" --target "$T4:9000,[$T6]:9000,$DOMAIN:9000" concurrent --n 200 \
	--size 65536 --hold "$hold" >"$hold/result" 2>&1 &
cpid=$!
if wait_for 150 test -e "$hold/ready"; then
	if [ "$SUT" = kernel ]; then
		st_c=$(stats_c main) st_s=$(stats_s main)
		if [ "$(jq .conn_active <<<"$st_c")" = 200 ] && [ "$(jq .conn_active <<<"$st_s")" = 200 ]; then
			ss_ok "main: 200 connections live at once on the profile and on the server"
		else
			ss_fail "main: 200 connections live at once on the profile and on the server" \
				"profile $st_c
server $st_s"
		fi
	fi
else
	ss_fail "main: 200 connections open" "$(cat "$hold/result")"
fi
touch "$hold/go"
wait "$cpid"
if [ "$(jq -r .ok "$hold/result" 2>/dev/null)" = 200 ]; then
	ss_ok "main: 200 concurrent connections (IPv4, IPv6, domain targets) each echo their 64 KiB"
else
	ss_fail "main: 200 concurrent connections (IPv4, IPv6, domain targets) each echo their 64 KiB" \
		"$(cat "$hold/result")"
fi
expect 200 $((200 * 65536)) $((200 * 65536))
elapsed "200 concurrent done"

# tunnel front ends
if try front socksd-tunnel main tunnel "$C4_L:1081=$DOMAIN:8080" "$C4_L:1082=[$T6]:9000"; then
	tpid=$FRONT_PID
	LOGS=(socksd-tunnel)
	timed "tunnel $C4_L:1081=$DOMAIN:8080: 1 MiB download" \
		get -- "http://$C4_L:1081/blob?n=$SMALL" "$SMALL"
	expect 1 "$SMALL" 0
	timed "tunnel $C4_L:1081=$DOMAIN:8080: 1 MiB upload" \
		put -- "http://$C4_L:1081/sink" "$SMALL"
	expect 1 0 "$SMALL"
	out=$(clients --connect "$C4_L:1082" concurrent --n 10 --size 65536 2>&1)
	ok_if "tunnel $C4_L:1082=[$T6]:9000: 10 connections each echo their 64 KiB" ".ok == 10" "$out"
	expect 10 $((10 * 65536)) $((10 * 65536))
	topo_kill $tpid
else
	ss_fail "ss-socksd --tunnel (two of them) listens" "$(errout)"
fi
LOGS=(socksd-main)

# redir: an nftables REDIRECT in the gateway for TCP from the lan
if in_l curl -s --connect-timeout 2 --max-time 4 -o /dev/null "http://$T4:8080/blob?n=1000"; then
	ss_fail "redir: without the redirect rule the lan cannot reach the target" "curl got through"
else
	ss_ok "redir: without the redirect rule the lan cannot reach the target"
fi
if out=$(in_c nft -f - 2>&1 <<EOF
table inet ssredir {
	chain pre {
		type nat hook prerouting priority dstnat; policy accept;
		iifname "vl" meta l4proto tcp th dport { 8080, 9000, 9001 } redirect to :1083
	}
}
EOF
); then
	if [ "$SUT" = kernel ]; then
		try front socksd-redir main redir "$C4_L:1083" "[$C6_L]:1083"
	else
		# ss-redir has one address per process; IPv6 needs -6 (none here)
		try front socksd-redir main redir "$C4_L:1083"
	fi
	if [ $? -eq 0 ]; then
		rpid=$FRONT_PID
		LOGS=(socksd-redir)
		timed "redir: the lan fetches http://$T4:8080 directly, redirected into the relay: 1 MiB, SHA-256 matches" \
			get -- "http://$T4:8080/blob?n=$SMALL" "$SMALL"
		expect 1 "$SMALL" 0
		if [ "$SUT" = kernel ]; then
			timed "redir: the lan fetches http://[$T6]:8080 directly (IPv6), redirected: 1 MiB" \
				get -- "http://[$T6]:8080/blob?n=$SMALL" "$SMALL"
			expect 1 "$SMALL" 0
		fi
		out=$(clients --connect "$T4:9000" concurrent --n 5 --size 65536 2>&1)
		ok_if "redir: 5 connections to $T4:9000 each echo their 64 KiB" ".ok == 5" "$out"
		expect 5 $((5 * 65536)) $((5 * 65536))
		topo_kill $rpid
	else
		ss_fail "redir: ss-socksd --redir listens" "$(cat "$TOPO_DIR/err")"
	fi
	in_c nft delete table inet ssredir
else
	ss_fail "redir: nftables REDIRECT rule in the gateway" "$out"
fi
LOGS=(socksd-main)
elapsed "tunnel and redir done"

# ---- bad SOCKS input ----------------------------------------------------------------

# (UDP ASSOCIATE is answered now: local_udp.sh tests it)
cases=(badver garbage badreq bind atyp truncated)
declare -A BAD_DESC=([badver]="a SOCKS4 request: closed at once, no reply"
	[garbage]="garbage: closed at once, no success reply"
	[badreq]="a garbage request after a correct greeting: closed at once, no success reply"
	[bind]="BIND: reply 05 07, closed"
	[atyp]="address type 5: reply 05 08, closed"
	[truncated]="a truncated request: closed at the handshake timeout (${HS} s)"
	[noauth]="login required, not offered: reply 05 ff, closed"
	[badlogin]="a wrong password: login reply 01 with a failure status, closed")
out=$(socks5 --proxy "$SOCKS4" "${cases[@]}" "valid@$DOMAIN:9000")
mapfile -t res <<<"$out"
for k in "${!cases[@]}"; do
	lenient "bad input: ${BAD_DESC[${cases[$k]}]}" "${res[$k]:-null}"
done
ok_if "bad input: ss-socksd serves a valid request after all of it" .ok "${res[${#cases[@]}]:-}"
expect 1 65536 65536
elapsed "bad input done"

# RFC 1929 login
if [ "$SUT" = kernel ]; then
	printf 'someone:else\ntester:%s\n' "secret $$" >"$TOPO_DIR/auth"
	FRONT_EXTRA=(--auth-file "$TOPO_DIR/auth")
	if try front socksd-auth main socks "$C4_L:1090"; then
		apid=$FRONT_PID
		LOGS=(socksd-auth)
		out=$(socks5 --proxy "$C4_L:1090" --user tester --password "secret $$" noauth badlogin \
			"valid@$T4:9000" "onewrite@[$T6]:9000")
		mapfile -t res <<<"$out"
		lenient "login: ${BAD_DESC[noauth]}" "${res[0]:-null}"
		lenient "login: ${BAD_DESC[badlogin]}" "${res[1]:-null}"
		ok_if "login: the right user and password: relayed, echoed" .ok "${res[2]:-}"
		ok_if "login: greeting, login, request and data in one write: echoed, nothing lost" .ok "${res[3]:-}"
		expect 2 $((2 * 65536 + 4096)) $((2 * 65536 + 4096))
		timed "login: curl with user and password: 1 MiB download" \
			get --socks5-hostname "$C4_L:1090" --proxy-user "tester:secret $$" -- \
			"http://$T4:8080/blob?n=$SMALL" "$SMALL"
		expect 1 "$SMALL" 0
		topo_kill $apid
	else
		ss_fail "ss-socksd --auth-file listens" "$(errout)"
	fi
	FRONT_EXTRA=()
else
	ss_skip "login (RFC 1929)" "libev's ss-local has none"
fi
LOGS=(socksd-main)
elapsed "login done"

# ---- ss-socksd killed under a relay it handed over ------------------------------------

# size_at_least FILE N: FILE has N bytes or more
size_at_least() {
	local n
	n=$(stat -c %s "$1" 2>/dev/null) && [ "$n" -ge "$2" ]
}

kill_test() {
	local dl=$TOPO_DIR/killdl cpid at got
	# 2 MB/s: 8 s for the whole, time to see it under way and kill
	in_l curl -sS --fail --max-time 120 --limit-rate 2M --socks5-hostname "$SOCKS4" \
		-o "$dl" "http://$T4:8080/blob?n=$KILLN" 2>"$TOPO_DIR/killdl.err" &
	cpid=$!
	if ! wait_for 30 size_at_least "$dl" $((256 << 10)); then
		ss_fail "kill: a rate-limited download is under way" "$(cat "$TOPO_DIR/killdl.err")"
		kill "$cpid"
		return
	fi
	kill -9 $MAIN_PID
	wait $MAIN_PID 2>/dev/null
	at=$(stat -c %s "$dl")
	echo "# ss-socksd killed with $at of $KILLN bytes downloaded"
	if in_l "$PY" -c "import socket,sys; socket.create_connection(('$C4_L', 1080), timeout=2)" 2>/dev/null; then
		ss_fail "kill: ss-socksd is gone (its port refuses)" ""
	else
		ss_ok "kill: ss-socksd is gone (its port refuses)"
	fi
	if wait "$cpid" && got=$(sha256sum <"$dl") && [ "${got%% *}" = "$(blob_sha "$KILLN")" ] &&
		[ "$at" -lt "$KILLN" ]; then
		ss_ok "kill: the download handed over before SIGKILL completes, $((KILLN >> 20)) MiB, SHA-256 matches"
	else
		ss_fail "kill: the download handed over before SIGKILL completes, $((KILLN >> 20)) MiB, SHA-256 matches" \
			"at the kill: $at bytes; now $(stat -c %s "$dl") bytes, SHA-256 ${got%% *}; $(cat "$TOPO_DIR/killdl.err")"
	fi
	expect 1 "$KILLN" 0
	if try front socksd-main2 main socks "$SOCKS4" "$SOCKS6"; then
		ss_ok "kill: a new ss-socksd binds the same ports"
		MAIN_PID=$FRONT_PID
		LOGS=(socksd-main2)
		timed "kill: the new ss-socksd serves: 1 MiB download" \
			get --socks5-hostname "$SOCKS6" -- "http://$DOMAIN:8080/blob?n=$SMALL" "$SMALL"
		expect 1 "$SMALL" 0
	else
		ss_fail "kill: a new ss-socksd binds the same ports" "$(errout)"
	fi
}
if [ "$SUT" = kernel ]; then
	kill_test
else
	ss_skip "kill: ss-socksd killed under a relay" "libev's ss-local relays in its own process"
fi
elapsed "kill done"

# ---- counters ---------------------------------------------------------------------

if [ "$SUT" = kernel ]; then
	topo_kill $MAIN_PID
	wait_idle main main
	check_counters "main: profile counts $EXP_CONN connections, bytes in and out as sent" \
		"$(stats_c main)" "$EXP_CONN" "$EXP_DOWN" "$EXP_UP"
	check_counters "main: server counts the same" \
		"$(stats_s main)" "$EXP_CONN" "$EXP_UP" "$EXP_DOWN"
fi

# ---- wrong keys ---------------------------------------------------------------------

# the profile's key is wrong: the server sees an authentication failure and
# drains; it never answers, so only the server can count it
if try profile_add wrongkey "$S4_C" "$MAIN_PORT" "$MAIN_M" "not $PW" &&
	try front socksd-wrongkey wrongkey socks "$C4_L:1087"; then
	[ "$SUT" = kernel ] && before=$(stats_s main)
	if in_l curl -sS --fail --max-time $((SRV_HS + 8)) --socks5-hostname "$C4_L:1087" \
		-o /dev/null "http://$T4:8080/blob?n=1000" >"$TOPO_DIR/err" 2>&1; then
		ss_fail "wrong key on the profile: curl fails" "it succeeded"
	else
		ss_ok "wrong key on the profile: curl fails ($(head -c 100 "$TOPO_DIR/err"))"
	fi
	topo_kill $FRONT_PID
	if [ "$SUT" = kernel ]; then
		wait_idle wrongkey main
		st_c=$(stats_c wrongkey) st_s=$(stats_s main)
		if [ "$(jq .auth_fail <<<"$st_s")" = $(($(jq .auth_fail <<<"$before") + 1)) ] &&
			jq -e '.conn_total == 1 and .auth_fail == 0 and .conn_active == 0' <<<"$st_c" >/dev/null; then
			ss_ok "wrong key on the profile: the server counts auth_fail+1; the profile 1 connection, no auth_fail"
		else
			ss_fail "wrong key on the profile: the server counts auth_fail+1; the profile 1 connection, no auth_fail" \
				"server before $before
server after $st_s
profile $st_c"
		fi
	fi
else
	ss_fail "wrong key: profile and ss-socksd" "$(errout)"
fi

# a "server" whose answer never authenticates: the profile counts it
topo_bg junk "$NS_S" "$PY" "$SS_TOOLS/servers.py" --blob "$TOPO_BLOB" --http 18080 \
	--echo 19000 --digest 19001 --junk 9100
jpid=$TOPO_LAST_PID
if wait_for 30 listening "$NS_S" 9100 && try profile_add junk "$S4_C" 9100 aes-256-gcm &&
	try front socksd-junk junk socks "$C4_L:1088"; then
	if in_l curl -sS --fail --max-time 10 --socks5-hostname "$C4_L:1088" \
		-o /dev/null "http://$T4:8080/blob?n=1000" >"$TOPO_DIR/err" 2>&1; then
		ss_fail "a server answering junk: curl fails" "it succeeded"
	else
		ss_ok "a server answering junk: curl fails ($(head -c 100 "$TOPO_DIR/err"))"
	fi
	topo_kill $FRONT_PID
	if [ "$SUT" = kernel ]; then
		wait_idle junk
		out=$(stats_c junk)
		ok_if "a server answering junk: the profile counts auth_fail 1 (1 connection, none active)" \
			'.auth_fail == 1 and .conn_total == 1 and .conn_active == 0' "$out"
	fi
else
	ss_fail "junk server: profile and ss-socksd" "$(errout); $(logtail junk)"
fi
topo_kill "$jpid"
elapsed "wrong keys done"

# ---- limits and failures: max-conns, an application giving up, the profile
# deleted under a relay, a closed server port, the idle timeout, a server
# that never answers (handshake-timeout)

COUNTED_GONE=0	# relays of profiles deleted before the end
limits() {
	local out st dl=$TOPO_DIR/deldl cpid rc
	if ! try profile_add lim "$S4_C" "$MAIN_PORT" "$MAIN_M" "$PW" max-conns 2 ||
		! try front socksd-lim lim socks "$C4_L:1089"; then
		ss_fail "max-conns: profile lim (max-conns 2) and ss-socksd" "$(errout)"
		return
	fi
	LOGS=(socksd-lim)
	# three at once, each proven end to end before any goes on
	out=$(clients --socks "$C4_L:1089" --target "$T4:9000" concurrent --n 3 --size 65536 2>&1)
	st=$(stats_c lim)
	if jq -e '.ok == 2 and (.errors | length) == 1 and (.errors[0] | test("reply 1"))' <<<"$out" >/dev/null &&
		jq -e '.conn_total == 2 and .refused == 1' <<<"$st" >/dev/null; then
		ss_ok "max-conns 2: of 3 connections at once, 2 relay, the third gets reply 05 01 (counted as refused)"
	else
		ss_fail "max-conns 2: of 3 connections at once, 2 relay, the third gets reply 05 01 (counted as refused)" \
			"$out
profile $st"
	fi
	# an application that gives up in the middle of a download: its
	# relay, and the server's, end
	in_l curl -sS --max-time 3 --limit-rate 1M --socks5-hostname "$C4_L:1089" -o /dev/null \
		"http://$T4:8080/blob?n=$KILLN" >"$TOPO_DIR/err" 2>&1
	rc=$?
	if [ $rc -eq 28 ] && wait_idle lim main; then
		ss_ok "an application gives up in the middle of a download: no relay left active on the profile or the server"
	else
		ss_fail "an application gives up in the middle of a download: no relay left active on the profile or the server" \
			"curl exit $rc ($(errout)); profile $(stats_c lim); server $(stats_s main)"
	fi
	# the profile deleted under a live relay: the relay ends, the
	# application sees its connection closed; handoffs now fail with 05 01.
	# The whole 64 MiB blob: what the socket buffers already hold when the
	# relay ends still arrives (up to some 10 MiB once TCP has grown them),
	# so a shorter download could complete all the same.
	in_l curl -sS --fail --max-time 60 --limit-rate 2M --socks5-hostname "$C4_L:1089" \
		-o "$dl" "http://$T4:8080/blob?n=$DELN" 2>"$TOPO_DIR/deldl.err" &
	cpid=$!
	if wait_for 30 size_at_least "$dl" $((256 << 10)); then
		COUNTED_GONE=$((COUNTED_GONE + $(stats_c lim | jq .conn_total)))
		in_c ssctl client del lim
		wait "$cpid"
		rc=$?
		if [ $rc -ne 0 ] && [ "$(stat -c %s "$dl")" -lt "$DELN" ]; then
			ss_ok "profile deleted under a live download: the download is cut (curl: $(head -c 80 "$TOPO_DIR/deldl.err"))"
		else
			ss_fail "profile deleted under a live download: the download is cut" \
				"curl exit $rc, $(stat -c %s "$dl") of $DELN bytes"
		fi
		out=$(socks5 --proxy "$C4_L:1089" "connfail@$T4:9000")
		ok_if "profile deleted: ss-socksd answers a new CONNECT with 05 01 and closes" .ok "$out"
	else
		ss_fail "profile deletion: a rate-limited download is under way" "$(cat "$TOPO_DIR/deldl.err")"
		kill "$cpid"
	fi
	topo_kill $FRONT_PID

	# a profile whose server port is closed: the relay cannot connect
	if try profile_add closed "$S4_C" 8999 "$MAIN_M" && try front socksd-closed closed socks "$C4_L:1086"; then
		if in_l curl -sS --fail --max-time 20 --socks5-hostname "$C4_L:1086" -o /dev/null \
			"http://$T4:8080/blob?n=1000" >"$TOPO_DIR/err" 2>&1; then
			ss_fail "a profile whose server port is closed: curl fails" "it succeeded"
		else
			ss_ok "a profile whose server port is closed: curl fails ($(head -c 80 "$TOPO_DIR/err"))"
		fi
		topo_kill $FRONT_PID
		wait_idle closed
		ok_if "a profile whose server port is closed: counted as connect_fail 1 (1 connection, none active)" \
			'.connect_fail == 1 and .conn_total == 1 and .conn_active == 0 and .auth_fail == 0' "$(stats_c closed)"
	else
		ss_fail "profile closed and ss-socksd" "$(errout)"
	fi

	# a profile's idle timeout closes a relay nobody uses
	if try profile_add idle "$S4_C" "$MAIN_PORT" "$MAIN_M" "$PW" timeout 3 &&
		try front socksd-idle idle socks "$C4_L:1085"; then
		out=$(socks5 --proxy "$C4_L:1085" --timeout 3 "idle@$T4:9000")
		ok_if "a profile with timeout 3: an idle relay is closed after 3 s" .ok "$out"
		topo_kill $FRONT_PID
	else
		ss_fail "profile idle (timeout 3) and ss-socksd" "$(errout)"
	fi

	# a server that never answers the SYN: the profile's handshake-timeout
	if in_s nft -f - >"$TOPO_DIR/err" 2>&1 <<EOF2 &&
table inet sshole {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 8998 drop
	}
}
EOF2
		try profile_add hole "$S4_C" 8998 "$MAIN_M" "$PW" handshake-timeout 2 &&
		try front socksd-hole hole socks "$C4_L:1084"; then
		out=$(socks5 --proxy "$C4_L:1084" --timeout 2 "stall@$T4:9000")
		ok_if "a server that drops the SYN, profile handshake-timeout 2: the relay closes 2 s after the CONNECT reply, nothing sent" \
			.ok "$out"
		if in_l curl -sS --fail --max-time 15 --socks5-hostname "$C4_L:1084" -o /dev/null \
			"http://$T4:8080/blob?n=1000" >"$TOPO_DIR/err" 2>&1; then
			ss_fail "a server that drops the SYN: curl fails, before its own timeout" "it succeeded"
		elif [ $? -eq 28 ]; then
			ss_fail "a server that drops the SYN: curl fails, before its own timeout" "$(errout)"
		else
			ss_ok "a server that drops the SYN: curl fails, before its own timeout ($(head -c 80 "$TOPO_DIR/err"))"
		fi
		topo_kill $FRONT_PID
		wait_idle hole
		ok_if "a server that drops the SYN: counted as connect_fail 2 (2 connections, none active)" \
			'.connect_fail == 2 and .conn_total == 2 and .conn_active == 0' "$(stats_c hole)"
	else
		ss_fail "profile hole (handshake-timeout 2), a dropping server and ss-socksd" "$(errout)"
	fi
	in_s nft delete table inet sshole 2>/dev/null
	LOGS=()
}
if [ "$SUT" = kernel ]; then
	limits
else
	ss_skip "max-conns, profile deletion, connect failure" "not in libev"
fi
elapsed "handoff and connect failures done"

# ---- the end: nothing left behind -------------------------------------------------

if [ "$SUT" = kernel ]; then
	topo_kill "${TOPO_PIDS[@]}"
	TOPO_PIDS=()
	elapsed "deleting every profile and server"
	why=""
	all_c=$(in_c ssctl client show -j) all_s=$(in_s ssctl server show -j)
	counted_c=$(($(jq '[.[].stats.conn_total] | add // 0' <<<"$all_c") + COUNTED_GONE))
	counted_s=$(jq '[.[].stats.conn_total] | add // 0' <<<"$all_s")
	for p in $(jq -r '.[].name' <<<"$all_c"); do
		in_c ssctl client del "$p" || why+="ssctl client del $p failed; "
	done
	for s in $(jq -r '.[].name' <<<"$all_s"); do
		in_s ssctl server del "$s" || why+="ssctl server del $s failed; "
	done
	[ "$(in_c ssctl client show -j | jq length)" = 0 ] || why+="profiles left: $(in_c ssctl client show -j); "
	kmsg=$TOPO_DIR/kmsg
	conns() { grep -oE "shadowsocks: conn [0-9]+ $1" "$kmsg" | awk '{print $3}' | sort -n; }
	all_destroyed() { [ "$(conns created)" = "$(conns destroyed)" ]; }
	wait_for 20 all_destroyed
	elapsed "deleted"
	sleep 1
	c=$(grep -cE 'shadowsocks: client [^ ]+ created$' "$kmsg")
	d=$(grep -cE 'shadowsocks: client [^ ]+ destroyed$' "$kmsg")
	echo "# profiles: $c created, $d destroyed, $PROFILES_MADE made"
	[ "$c" -eq "$PROFILES_MADE" ] || why+="$c profiles logged created, $PROFILES_MADE made; "
	[ "$c" -eq "$d" ] || why+="profiles: $c created, $d destroyed; "
	c=$(grep -cE 'shadowsocks: server [^ ]+ created$' "$kmsg")
	d=$(grep -cE 'shadowsocks: server [^ ]+ destroyed$' "$kmsg")
	echo "# servers: $c created, $d destroyed, $SERVERS_MADE made"
	[ "$c" -eq "$SERVERS_MADE" ] || why+="$c servers logged created, $SERVERS_MADE made; "
	[ "$c" -eq "$d" ] || why+="servers: $c created, $d destroyed; "
	lc=$(grep -cE 'shadowsocks: conn [0-9]+ created on client ' "$kmsg")
	sc=$(grep -cE 'shadowsocks: conn [0-9]+ created on server ' "$kmsg")
	conns created >"$TOPO_DIR/conn.c"
	conns destroyed >"$TOPO_DIR/conn.d"
	echo "# connections: $lc created on profiles ($counted_c counted), $sc on servers ($counted_s counted), $(wc -l <"$TOPO_DIR/conn.d") destroyed"
	[ "$lc" -eq "$counted_c" ] || why+="$lc relays logged created on profiles, the profiles counted $counted_c; "
	[ "$sc" -eq "$counted_s" ] || why+="$sc connections logged created on servers, the servers counted $counted_s; "
	[ "$lc" -gt 0 ] || why+="no relay logged created on a profile; "
	cmp -s "$TOPO_DIR/conn.c" "$TOPO_DIR/conn.d" ||
		why+="connections created but not destroyed: $(comm -23 "$TOPO_DIR/conn.c" "$TOPO_DIR/conn.d" | head -n 20 | tr '\n' ' '); "
	if [ -z "$why" ]; then
		ss_ok "every profile, server and connection the debug log shows created was destroyed"
	else
		ss_fail "every profile, server and connection the debug log shows created was destroyed" "$why"
	fi
	topo_kmsg_stop
	kmsg_clean
fi

elapsed "all done"
ss_done
