#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Target names resolved per network namespace (kmod/resolve.c, ssctl
# resolver; uapi/linux/shadowsocks.h, "Resolving target names").
#
# The server netns gets /etc/netns/NS/resolv.conf pointing at the target's
# dnsmasq, which only it reaches; the initial netns' resolv.conf points at
# nothing, so the host knows none of the names (the old upcall, which runs
# in the initial namespaces, fails on them). Checked:
#   - no agent in the server netns: a lookup fails at once, counted as
#     dns_fail (TCP and UDP)
#   - ssctl resolver in the server netns: TCP and UDP clients reach the
#     target by names only that netns can resolve (A+AAAA, AAAA only)
#   - the per-server cap: 20 connections whose name hangs, 16 lookups in
#     flight, the 4 others fail at once (dns_fail); the 16 end with their
#     connections (handshake timeout), the agent's late replies get ENOENT
#   - hostile replies: refused with the errno and extack message the uapi
#     header documents, a reply from another netns or an unprivileged
#     process does not match, nothing breaks: the right reply still works
#   - server deletion, netns deletion and rmmod with lookups pending (TCP
#     and UDP): prompt, the lookups cancelled
#   - the initial netns without an agent still uses the upcall
#   - rmmod: the agent, no longer subscribed, exits 1 with a message (for
#     systemd's Restart=on-failure); started again once the module is
#     back, it answers
#   - every lookup the debug log shows created was destroyed; no kernel
#     warning

TOPO_INIT_LINK=1	# for the upcall test at the end

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topology.sh"

PW="resolver test password $$"
M=aes-256-gcm
# the cap test: its server's handshake timeout, and the agent's DNS timeout
# (its lookups must outlast their connections); on the debug kernel the
# checks between the connections' start and that timeout take longer (20
# parallel connections took more than 10 s to reach their lookups there)
HS=5 DNS_TIMEOUT=8
[ "${SS_DEBUG_KERNEL:-0}" = 1 ] && HS=20 DNS_TIMEOUT=25
ECHO=9002
NS_X=ssx-$TOPO_ID	# a netns with no server and no agent
NS_Y=ssy-$TOPO_ID	# a netns deleted with a lookup pending
ETC_S=/etc/netns/$NS_S
ETC_Y=/etc/netns/$NS_Y

cleanup() {
	[ -f "$TOPO_DIR/resolv.init" ] && cp "$TOPO_DIR/resolv.init" /etc/resolv.conf
	ip route del 10.0.2.0/24 via "$T4_I" 2>/dev/null
	ssctl server del f0 2>/dev/null
	topo_del_objects
	ip netns del "$NS_X" 2>/dev/null
	ip netns del "$NS_Y" 2>/dev/null
	rm -rf "$ETC_S" "$ETC_Y"
	topo_cleanup
}
trap cleanup EXIT

srv_add() {	# NAME PORT [SSCTL OPTIONS]: a server in the server netns
	local name=$1 port=$2
	shift 2
	in_s ssctl server add "$name" port "$port" method "$M" password "$PW" "$@"
}
probe() { in_c "$PY" "$SS_TOOLS/ss_probe.py" --method "$M" --password "$PW" "$@"; }
udp_to() { in_c "$PY" "$SS_TOOLS/ss_udp.py" echo --method "$M" --password "$PW" "$@"; }
rnl() { "$PY" "$SS_TOOLS/resolver_nl.py" "$@"; }
counter() { stats_s "$1" | jq ".$2"; }	# SERVER COUNTER
kcount() { grep -cE "$1" "$TOPO_DIR/kmsg"; }

# ---- set-up -------------------------------------------------------------------

topo_start kmsg
cp /etc/resolv.conf "$TOPO_DIR/resolv.init"
# nothing listens there: the initial netns resolves none of the names
printf 'nameserver 127.0.0.9\n' >/etc/resolv.conf
mkdir -p "$ETC_S"
# long timeouts: the cap test's lookups must outlast their connections
printf 'nameserver %s\noptions timeout:%s attempts:1\n' "$T4" "$DNS_TIMEOUT" >"$ETC_S/resolv.conf"
ip netns add "$NS_X"
ss_test "the module loads (ssctl, on demand)" in_s ssctl server show
# the hostile-reply steps below run a dozen processes while one lookup
# waits: more than the default 10 s on the debug kernel
[ "${SS_DEBUG_KERNEL:-0}" = 1 ] && echo 60 >/sys/module/shadowsocks/parameters/lookup_timeout
host_blind() { ! getent ahosts "$DOMAIN"; }
ss_test "the initial netns cannot resolve $DOMAIN" host_blind
ss_test "the server netns resolves $DOMAIN (its own resolv.conf)" in_s getent ahosts "$DOMAIN"

# ---- no agent in the server netns -----------------------------------------------

srv_add r0 8700 mode tcp_and_udp handshake-timeout 10
out=$(probe --server "$S4_C:8700" --timeout 10 --margin 3 "noreply@$DOMAIN:9000")
ok_if "no agent: the TCP connection to $DOMAIN closes at once" \
	'.close == "eof" and .closed_after < 3' "$out"
udp_to --server "$S4_C:8700" --target "$DOMAIN:$ECHO" --count 1 --retries 0 --wait 1 >/dev/null 2>&1
dns2() { [ "$(counter r0 dns_fail)" = 2 ]; }
wait_for 5 dns2
ok_if "no agent: both lookups counted as dns_fail, the UDP packet as udp_drop_target" \
	'.dns_fail == 2 and .udp_drop_target == 1 and .connect_fail == 0' "$(stats_s r0)"
ok_if "no agent: the log says why" '. == 1' \
	"$(kcount 'no resolver agent in the namespace')"

# ---- ssctl resolver in the server netns ---------------------------------------------

topo_bg resolver "$NS_S" ssctl resolver workers 16 verbose
AGENT=$TOPO_LAST_PID
agent_up() { grep -q "answering with 16 workers" "$TOPO_DIR/resolver.log"; }
ss_test "ssctl resolver starts in the server netns" wait_for 10 agent_up
ss_test "agent: TCP to $DOMAIN:9000 (A and AAAA) by name" \
	probe --server "$S4_C:8700" --timeout 10 "valid@$DOMAIN:9000"
ss_test "agent: TCP to v6.$DOMAIN:9000 (AAAA only) by name" \
	probe --server "[$S6_C]:8700" --timeout 10 "valid@v6.$DOMAIN:9000"
ss_test "agent: UDP to $DOMAIN:$ECHO by name, 5 datagrams echoed" \
	udp_to --server "$S4_C:8700" --target "$DOMAIN:$ECHO" --count 5
out=$(probe --server "$S4_C:8700" --timeout 10 --margin 3 "noreply@nx.$DOMAIN:9000")
ok_if "agent: a name that does not exist closes the connection at once" \
	'.close == "eof" and .closed_after < 5' "$out"
ok_if "agent: counters: only that lookup failed, bytes went both ways" \
	'.dns_fail == 3 and .bytes_in > 0 and .udp_pkts_out >= 5' "$(stats_s r0)"
shows_answers() {
	grep -q "lookup [0-9]* of v6.$DOMAIN (server r0): fd00:2::2" "$TOPO_DIR/resolver.log" ||
		{ logtail resolver; return 1; }
}
ss_test "agent: its log shows the answers" shows_answers

# ---- the cap: 20 lookups that hang, 16 in flight ----------------------------------------

in_t nft -f - <<-NFT
	table inet ssslow {
		chain in {
			type filter hook input priority 0;
			udp dport 5399 drop
		}
	}
NFT
srv_add r1 8701 handshake-timeout "$HS"
cases=()
for i in $(seq 20); do cases+=("noreply@slow.$DOMAIN:9000"); done
probe --server "$S4_C:8701" --timeout "$HS" --margin 4 --parallel "${cases[@]}" \
	>"$TOPO_DIR/cap.out" 2>&1 &
CAP=$!
dns4() { [ "$(counter r1 dns_fail)" -ge 4 ]; }
# (10 s on the stock kernels; on the debug kernel until a second before HS)
wait_for $((HS - 1 > 10 ? HS - 1 : 10)) dns4
sleep 0.5
ok_if "cap: with 16 lookups in flight, the 4 more failed at once (dns_fail 4)" \
	'.dns_fail == 4' "$(stats_s r1)"
ok_if "cap: the log says why, 4 times" '. == 4' "$(kcount 'too many lookups in flight')"
wait "$CAP"
ok_if "cap: every connection closed: 4 at once, 16 at the handshake timeout" \
	"[.[] | select(.closed_after < $HS - 1)] | length == 4" "$(jq -s . "$TOPO_DIR/cap.out")"
ok_if "cap: all 20 counted as dns_fail" '.dns_fail == 20' "$(stats_s r1)"
late() { [ "$(grep -c "of slow.$DOMAIN: the kernel no longer waits for it: no such lookup" \
	"$TOPO_DIR/resolver.log")" = 16 ]; }
if wait_for 40 late; then
	ss_ok "cancel: the agent's 16 late replies were refused (ENOENT, with the extack message)"
else
	ss_fail "cancel: the agent's 16 late replies were refused (ENOENT, with the extack message)" \
		"$(logtail resolver)"
fi
ok_if "cancel: the 16 lookups were cancelled with their connections" '. == 16' \
	"$(kcount "lookup [0-9]+ of slow.$DOMAIN cancelled")"
in_s ssctl server del r1

# in this shell, whose child it is (ss_test runs a subshell)
kill -TERM "$AGENT"
wait "$AGENT"
rc=$?
if [ $rc = 0 ] && grep -q "Terminated, exiting" "$TOPO_DIR/resolver.log"; then
	ss_ok "ssctl resolver exits 0 on SIGTERM"
else
	ss_fail "ssctl resolver exits 0 on SIGTERM" "exit $rc; $(logtail resolver)"
fi

# ---- hostile replies -------------------------------------------------------------

# reply_is ERRNO TEXT NS ITEMS...: a reply from NS gets ERRNO and an extack
# message containing TEXT
reply_is() {
	local want=$1 text=$2 ns=$3 out
	shift 3
	out=$(ip netns exec "$ns" "$PY" "$SS_TOOLS/resolver_nl.py" reply "$@") || return 1
	[ "${out%% *}" = "$want" ] && [[ $out == *"$text"* ]] || { echo "got: $out"; return 1; }
}
ss_test "reply without an id: EINVAL, 'missing lookup id'" \
	reply_is 22 "missing lookup id" "$NS_S" v4=$T4
ss_test "reply with neither addresses nor an error: EINVAL" \
	reply_is 22 "a reply needs addresses or an error" "$NS_S" id=7
ss_test "reply with an error and an address: EINVAL" \
	reply_is 22 "an error and addresses in one reply" "$NS_S" id=7 err=2 v4=$T4
ss_test "reply with error 0: ERANGE" reply_is 34 "" "$NS_S" id=7 err=0
ss_test "reply with error 5000: ERANGE" reply_is 34 "" "$NS_S" id=7 err=5000
ss_test "reply with a 3-byte IPv4 address: ERANGE (the policy's length)" reply_is 34 "out of range" "$NS_S" id=7 raw=25:0a0000
ss_test "reply with the id twice: EINVAL, 'attribute repeated'" \
	reply_is 22 "attribute repeated" "$NS_S" id=7 id=8 v4=$T4
ss_test "reply with a server name: EINVAL, not in the command's policy (spec)" \
	reply_is 22 "Unsupported attribute" "$NS_S" id=7 name=r0 v4=$T4
many=()
for i in $(seq 33); do many+=("v4=10.0.2.$i"); done
ss_test "reply with 33 addresses: E2BIG, 'too many addresses'" \
	reply_is 7 "too many addresses" "$NS_S" id=7 "${many[@]}"
ss_test "reply for an id nobody asked: ENOENT, 'no such lookup'" \
	reply_is 2 "no such lookup" "$NS_S" id=7 v4=$T4
req_refused() {
	local out
	out=$(in_s "$PY" "$SS_TOOLS/resolver_nl.py" request)
	[ "${out%% *}" = 95 ] || { echo "got: $out"; return 1; }
}
ss_test "SS_CMD_RESOLVE_REQUEST from userspace: EOPNOTSUPP" req_refused
nobody() { in_s setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"; }
# the tool as nobody runs from copies it can read
NOBODY_TOOLS=$(nobody_tools resolver_nl.py genl.py)
unpriv_sub() {
	local out
	out=$(nobody "$PY" "$NOBODY_TOOLS/resolver_nl.py" listen --count 1)
	[ $? = 3 ] && [ "$out" = '{"subscribe": 1}' ] || { echo "got: $out"; return 1; }
}
ss_test "subscribing to the resolver group without CAP_NET_ADMIN: EPERM" unpriv_sub

# a fake agent that does not answer: the lookup stays pending
topo_bg fake "$NS_S" "$PY" "$SS_TOOLS/resolver_nl.py" listen
FAKE=$TOPO_LAST_PID
fake_up() { grep -q subscribed "$TOPO_DIR/fake.log"; }
wait_for 10 fake_up
srv_add r2 8702 handshake-timeout 20
probe --server "$S4_C:8702" --timeout 20 "valid@$DOMAIN:9000" >"$TOPO_DIR/r2.out" 2>&1 &
R2=$!
asked() { grep -q "\"server\": \"$1\"" "$TOPO_DIR/fake.log"; }
if wait_for 10 asked r2; then
	ID=$(grep "\"server\": \"r2\"" "$TOPO_DIR/fake.log" | jq .id)
	ss_test "a reply from another netns does not match the pending lookup: ENOENT" \
		reply_is 2 "no such lookup" "$NS_X" id="$ID" v4=$T4
	unpriv_reply() {
		local out
		out=$(nobody "$PY" "$NOBODY_TOOLS/resolver_nl.py" reply id="$ID" v4=$T4)
		[ "${out%% *}" = 1 ] || { echo "got: $out"; return 1; }
	}
	ss_test "a reply without CAP_NET_ADMIN: EPERM" unpriv_reply
	ss_test "the right reply after all that: accepted" reply_is 0 "" "$NS_S" id="$ID" v4=$T4
	if wait "$R2"; then
		ss_ok "the connection whose lookup got the hostile replies reached $DOMAIN"
	else
		ss_fail "the connection whose lookup got the hostile replies reached $DOMAIN" \
			"$(cat "$TOPO_DIR/r2.out")"
	fi
	ss_test "the same reply again: ENOENT (answered already)" \
		reply_is 2 "no such lookup" "$NS_S" id="$ID" v4=$T4
else
	ss_fail "the fake agent got the lookup" "$(logtail fake)"
fi
in_s ssctl server del r2

# ---- teardown with lookups pending ----------------------------------------------------

# server deletion: two TCP connections and a UDP association wait for the
# fake agent, which never answers
srv_add r3 8703 mode tcp_and_udp handshake-timeout 20
probe --server "$S4_C:8703" --timeout 20 --parallel "noreply@$DOMAIN:9000" \
	"noreply@v4.$DOMAIN:9000" >/dev/null 2>&1 &
P3=$!
udp_to --server "$S4_C:8703" --target "$DOMAIN:$ECHO" --count 1 --retries 0 --wait 0.5 >/dev/null 2>&1
asked3() { [ "$(grep -c '"server": "r3"' "$TOPO_DIR/fake.log")" = 3 ]; }
del_pending() {
	local t0 dt
	wait_for 10 asked3 || { echo "the fake agent did not get 3 lookups"; return 1; }
	t0=$EPOCHREALTIME
	in_s ssctl server del r3 || return 1
	wait_for 5 grep -q "server r3 destroyed" "$TOPO_DIR/kmsg" ||
		{ echo "server r3 not freed"; return 1; }
	dt=$(echo "$EPOCHREALTIME - $t0" | bc -l)
	echo "deleted and freed in $dt s"
	[ "$(echo "$dt < 4" | bc -l)" = 1 ] || { echo "too slow: $dt s"; return 1; }
}
ss_test "server deleted with 3 lookups pending (TCP, UDP): deleted and freed at once" del_pending
kill "$P3" 2>/dev/null
wait "$P3" 2>/dev/null
topo_kill "$FAKE"

# netns deletion: a UDP association of a server in NS_Y waits for a lookup
# (its agent, which held the netns, gone); the client is in the client netns
netns_del() {
	ip netns add "$NS_Y" || return 1
	ip netns exec "$NS_Y" ip link set lo up
	ip link add vy-$TOPO_ID type veth peer name vc-$TOPO_ID || return 1
	ip link set vy-$TOPO_ID netns "$NS_C" && ip link set vc-$TOPO_ID netns "$NS_Y" || return 1
	in_c ip addr add 10.0.9.1/24 dev vy-$TOPO_ID && in_c ip link set vy-$TOPO_ID up || return 1
	ip netns exec "$NS_Y" ip addr add 10.0.9.2/24 dev vc-$TOPO_ID || return 1
	ip netns exec "$NS_Y" ip link set vc-$TOPO_ID up || return 1
	ip netns exec "$NS_Y" ssctl server add y0 address 10.0.9.2 port 8710 method "$M" \
		password "$PW" mode udp_only || return 1
	topo_bg fakey "$NS_Y" "$PY" "$SS_TOOLS/resolver_nl.py" listen --count 1
	wait_for 10 grep -q subscribed "$TOPO_DIR/fakey.log" || return 1
	udp_to --server 10.0.9.2:8710 --target "$DOMAIN:$ECHO" --count 1 --retries 0 --wait 0.5 >/dev/null 2>&1
	wait "$TOPO_LAST_PID"	# it exits after the one request
	grep -q '"server": "y0"' "$TOPO_DIR/fakey.log" || { echo "no lookup"; return 1; }
	ip netns del "$NS_Y" || return 1
	wait_for 5 grep -q "server y0 destroyed" "$TOPO_DIR/kmsg" ||
		{ echo "server y0 not freed within 5 s of the netns' deletion"; return 1; }
}
ss_test "netns deleted with a lookup pending: its server freed at once" netns_del

# the initial netns with no agent: the upcall, with its resolv.conf
cp "$TOPO_DIR/resolv.init" /etc/resolv.conf
ip route add 10.0.2.0/24 via "$T4_I"
upcall() {
	ssctl server add f0 address 127.0.0.1 port 8720 method "$M" password "$PW" || return 1
	"$PY" "$SS_TOOLS/ss_probe.py" --method "$M" --password "$PW" --timeout 20 \
		--server 127.0.0.1:8720 "valid@$DOMAIN:9000" || return 1
	ssctl server del f0
}
ss_test "the initial netns with no agent: the dns_resolver upcall resolves $DOMAIN" upcall
# the clients choose the names: their answers must not pile up as keys in
# root's key quota (dns_query()'s cache) once used
# (/proc/keys: the type's column shows "dns_resol", then the name)
no_key() { ! grep -F " $DOMAIN: " /proc/keys; }
keys_gone() {
	[ -r /proc/keys ] || { echo "no /proc/keys"; return 1; }
	wait_for 5 no_key && return 0
	grep -F "dns_resol" /proc/keys
	return 1
}
ss_test "the upcall's answer for $DOMAIN is not kept as a key" keys_gone
ip route del 10.0.2.0/24 via "$T4_I"

# rmmod with lookups pending (the fake agent again)
topo_bg fake2 "$NS_S" "$PY" "$SS_TOOLS/resolver_nl.py" listen
FAKE=$TOPO_LAST_PID
wait_for 10 grep -q subscribed "$TOPO_DIR/fake2.log"
srv_add r4 8704 mode tcp_and_udp handshake-timeout 20
probe --server "$S4_C:8704" --timeout 20 --parallel "noreply@$DOMAIN:9000" \
	"noreply@v6.$DOMAIN:9000" >/dev/null 2>&1 &
P4=$!
udp_to --server "$S4_C:8704" --target "$DOMAIN:$ECHO" --count 1 --retries 0 --wait 0.5 >/dev/null 2>&1
asked4() { [ "$(grep -c '"server": "r4"' "$TOPO_DIR/fake2.log")" = 3 ]; }
wait_for 10 asked4
rm_pending() {
	local t0=$SECONDS
	rmmod shadowsocks || return 1
	[ $((SECONDS - t0)) -lt 5 ] || { echo "rmmod took $((SECONDS - t0)) s"; return 1; }
}
ss_test "rmmod with 3 lookups pending (TCP, UDP) and an agent subscribed" rm_pending
kill "$P4" 2>/dev/null
wait "$P4" 2>/dev/null
topo_kill "$FAKE"
in_t nft delete table inet ssslow

# ---- the agent and rmmod ---------------------------------------------------------

# exited: gone, or a zombie of this shell's not reaped yet
exited() { [ ! -d "/proc/$1" ] || grep -q '^State:[[:space:]]*Z' "/proc/$1/status"; }
# agent_start LOG DESC: an agent in the server netns, a child of this
# shell (not of ss_test's subshell), answering; $AGENT its pid
agent_start() {
	topo_bg "$1" "$NS_S" ssctl resolver verbose
	AGENT=$TOPO_LAST_PID
	ss_test "$2" wait_for 10 grep -q "answering with 4 workers" "$TOPO_DIR/$1.log"
}
# the module loads again (ssctl, on demand) with a server, then an agent
srv_add r5 8705 handshake-timeout 10
[ "${SS_DEBUG_KERNEL:-0}" = 1 ] && echo 60 >/sys/module/shadowsocks/parameters/lookup_timeout
agent_start agent1 "rmmod: an agent starts"
ss_test "rmmod: before it, the agent answers" \
	probe --server "$S4_C:8705" --timeout 10 "valid@$DOMAIN:9000"
rmmod shadowsocks
if wait_for 5 exited "$AGENT"; then
	wait "$AGENT"
	rc=$?
	if [ $rc = 1 ] && grep -q "ssctl: resolver: the shadowsocks kernel module was unloaded: exiting" \
		"$TOPO_DIR/agent1.log"; then
		ss_ok "rmmod: the agent exits 1 at once, saying why"
	else
		ss_fail "rmmod: the agent exits 1 at once, saying why" "exit $rc; $(logtail agent1)"
	fi
else
	ss_fail "rmmod: the agent exits 1 at once, saying why" "still running 5 s after rmmod; $(logtail agent1)"
	topo_kill "$AGENT"
fi
srv_add r6 8706 handshake-timeout 10
[ "${SS_DEBUG_KERNEL:-0}" = 1 ] && echo 60 >/sys/module/shadowsocks/parameters/lookup_timeout
agent_start agent2 "rmmod: with the module loaded again, an agent starts again"
ss_test "rmmod: the agent started again answers" \
	probe --server "$S4_C:8706" --timeout 10 "valid@$DOMAIN:9000"
kill -TERM "$AGENT"
wait "$AGENT"
in_s ssctl server del r6

# ---- accounting ------------------------------------------------------------------

sleep 1
topo_kmsg_stop
c=$(kcount 'shadowsocks: lookup of [^ ]+ for server [^ ]+ created$')
d=$(kcount 'shadowsocks: lookup of [^ ]+ for server [^ ]+ destroyed$')
echo "# lookups: $c created, $d destroyed"
[ "$c" -eq "$d" ] && [ "$c" -gt 0 ] && ss_ok "every lookup created was destroyed ($c)" ||
	ss_fail "every lookup created was destroyed" "$c created, $d destroyed"
c=$(kcount 'shadowsocks: server [^ ]+ created$')
d=$(kcount 'shadowsocks: server [^ ]+ destroyed$')
[ "$c" -eq "$d" ] && ss_ok "every server created was destroyed ($c)" ||
	ss_fail "every server created was destroyed" "$c created, $d destroyed"
kmsg_clean

elapsed "all done"
ss_done
