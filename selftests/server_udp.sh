#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The server role's UDP relay (kernel module only). Topology
# (selftests/topology.sh): client netns -> server netns (the module's
# server) -> target netns (UDP echo on 9002, dnsmasq on 53).
#
# For every method shadowsocks-libev 3.3.5 and the module share (modes
# tcp_and_udp and udp_only in turn):
#   - ss-tunnel -U as the client, plain UDP through it: datagrams of 1 to
#     1400 bytes to an IPv4 target (server reached over IPv4), an IPv6
#     target (over IPv6) and a domain target (target.test, resolved by the
#     server), each echoed and compared; dig through a tunnel to the
#     target's dnsmasq (by address, and by name for one method)
#   - our own client (tools/ss_udp.py; not xchacha20, which the Python
#     cryptography package lacks): hundreds of datagrams to IPv4, IPv6 and
#     domain targets, each reply checked for the replying host's address
#   - the counters: packets and bytes in and out, no drop
# Bad packets (two methods): empty, short, truncated, wrong key, random,
# a flipped bit, no address, a bad address type, truncated addresses, bad
# domain names (an empty label, a NUL, a Latin-1 letter), port 0, a
# 65000-byte random datagram, a replayed packet: none answered, each counted
# where it belongs, the server still relays after.
# Targets local to the server, and the cloud metadata addresses (given to
# the target here), are refused (and counted) unless allow-local;
# an unresolvable name is counted; associations expire after the server's
# timeout; replies from the target the client sent to keep an association
# past it, a stranger's datagrams to its socket are relayed but do not;
# max-conns caps associations (the rest counted as udp_drop_limit);
# the text output shows the udp part only for modes with UDP; a server
# deleted, a netns deleted and the module removed with live associations:
# every association the debug log shows created was destroyed, and the
# kernel logged no warning.

TOPO_RESOLVER=1	# the agent that resolves names in the server netns

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topology.sh"

PW="udp test password $$"
METHODS=(aes-128-gcm aes-192-gcm aes-256-gcm chacha20-ietf-poly1305 xchacha20-ietf-poly1305)
mapfile -t METHODS < <(ss_methods "${METHODS[@]}")
PY_METHODS=" aes-128-gcm aes-192-gcm aes-256-gcm chacha20-ietf-poly1305 "
N_TUNNEL=${SS_UDP_N_TUNNEL:-150}
N_PY=${SS_UDP_N_PY:-300}
ECHO=9002

NS_X=ssx-$TOPO_ID

cleanup() {
	topo_del_objects
	ip netns del "$NS_X" 2>/dev/null
	topo_cleanup
}
trap cleanup EXIT

# srv_add NAME METHOD PORT [SSCTL OPTIONS]
srv_add() {
	local name=$1 method=$2 port=$3
	shift 3
	in_s ssctl server add "$name" port "$port" method "$method" password "$PW" "$@"
}

# tunnel NAME LPORT METHOD SERVER_ADDR SERVER_PORT TARGET: ss-tunnel -U
# in the client netns on 127.0.0.1:LPORT; pid in TUNNEL_PID
tunnel() {
	topo_bg "$1" "$NS_C" ss-tunnel -U -s "$4" -p "$5" -b 127.0.0.1 -l "$2" \
		-k "$PW" -m "$3" -L "$6"
	TUNNEL_PID=$TOPO_LAST_PID
	wait_for 10 udp_listening "$NS_C" "$2"
}

udp() { in_c "$PY" "$SS_TOOLS/ss_udp.py" "$@"; }
udp_to() { local m=$1; shift; udp "$@" --method "$m" --password "$PW"; }

# ---- set-up -------------------------------------------------------------------

topo_start kmsg
ss_test "the module loads (ssctl, on demand)" in_s ssctl server show
if ! wait_for 10 udp_listening "$NS_T" "$ECHO"; then
	ss_fail "the target's UDP echo service listens" "$(cat "$TOPO_DIR/servers.log")"
fi
HAVE_DIG=0
command -v dig >/dev/null && HAVE_DIG=1
elapsed "set-up done"

# ---- every method -------------------------------------------------------------

i=0
for m in "${METHODS[@]}"; do
	port=$((8700 + i)) srv=u$i lp=$((1100 + 10 * i))
	mode=tcp_and_udp
	[ $((i % 2)) = 1 ] && mode=udp_only
	i=$((i + 1))
	if ! out=$(srv_add "$srv" "$m" "$port" mode "$mode" 2>&1); then
		ss_fail "$m: server ($mode) starts" "$out"
		continue
	fi
	n_pkts=0

	pids=()
	tunnel "ut$i-4" "$lp" "$m" "$S4_C" "$port" "$T4:$ECHO" && pids+=("$TUNNEL_PID")
	tunnel "ut$i-6" $((lp + 1)) "$m" "$S6_C" "$port" "[$T6]:$ECHO" && pids+=("$TUNNEL_PID")
	tunnel "ut$i-d" $((lp + 2)) "$m" "$S4_C" "$port" "$DOMAIN:$ECHO" && pids+=("$TUNNEL_PID")
	tunnel "ut$i-n" $((lp + 3)) "$m" "$S6_C" "$port" "$T4:53" && pids+=("$TUNNEL_PID")
	if [ "${#pids[@]}" -ne 4 ]; then
		ss_fail "$m: ss-tunnel -U starts" "$(cat "$TOPO_DIR"/ut$i-*.log)"
	fi
	ss_test "$m ($mode): ss-tunnel -U, $N_TUNNEL datagrams of 1..1400 bytes to $T4:$ECHO echoed" \
		udp plain --to "127.0.0.1:$lp" --count "$N_TUNNEL" --seed $i
	ss_test "$m: ss-tunnel -U over IPv6, $N_TUNNEL datagrams to [$T6]:$ECHO echoed" \
		udp plain --to "127.0.0.1:$((lp + 1))" --count "$N_TUNNEL" --seed $((i + 10))
	ss_test "$m: ss-tunnel -U, $N_TUNNEL datagrams to $DOMAIN:$ECHO (resolved by the server) echoed" \
		udp plain --to "127.0.0.1:$((lp + 2))" --count "$N_TUNNEL" --seed $((i + 20))
	n_pkts=$((n_pkts + 3 * N_TUNNEL))
	if [ "$HAVE_DIG" = 1 ]; then
		out=$(in_c dig @127.0.0.1 -p $((lp + 3)) +short +tries=3 +time=2 "$DOMAIN" A 2>&1)
		[ "$out" = "$T4" ] && ss_ok "$m: dig $DOMAIN through ss-tunnel -U to $T4:53: $out" ||
			ss_fail "$m: dig $DOMAIN through ss-tunnel -U to $T4:53" "$out"
	else
		ss_test "$m: a DNS query for $DOMAIN through ss-tunnel -U to $T4:53 (no dig: python)" \
			udp dns --to "127.0.0.1:$((lp + 3))" --name "$DOMAIN"
	fi
	n_pkts=$((n_pkts + 1))
	topo_kill "${pids[@]}"

	if [[ "$PY_METHODS" == *" $m "* ]]; then
		ss_test "$m: $N_PY datagrams of 1..1400 bytes to $T4:$ECHO, each echoed from $T4:$ECHO" \
			udp_to "$m" echo --server "$S4_C:$port" --target "$T4:$ECHO" --count "$N_PY" --seed $i
		ss_test "$m: over IPv6, $N_PY datagrams to [$T6]:$ECHO echoed from it" \
			udp_to "$m" echo --server "[$S6_C]:$port" --target "[$T6]:$ECHO" --count "$N_PY" --seed $((i + 30))
		ss_test "$m: $((N_PY / 2)) datagrams to v6.$DOMAIN:$ECHO echoed" \
			udp_to "$m" echo --server "$S4_C:$port" --target "v6.$DOMAIN:$ECHO" --count $((N_PY / 2)) --seed $((i + 40))
		ss_test "$m: 20 datagrams of 1400..8000 bytes (fragmented) to $T4:$ECHO echoed" \
			udp_to "$m" echo --server "$S4_C:$port" --target "$T4:$ECHO" --count 20 --min 1400 --max 8000
		n_pkts=$((n_pkts + 2 * N_PY + N_PY / 2 + 20))
	fi
	st=$(stats_s "$srv")
	# A resend while the server still resolves a name is dropped as
	# udp_drop_limit (one packet held per name being resolved): a few may be.
	ok_if "$m: counters: at least $n_pkts packets in and out, each one in answered but those dropped while resolving, no other drop" \
		".udp_pkts_in >= $n_pkts and .udp_pkts_out >= $n_pkts and
		 .udp_pkts_out == .udp_pkts_in - .udp_drop_limit and .udp_drop_limit <= 5 and
		 .udp_drop_auth == 0 and .udp_drop_bad == 0 and .udp_drop_replay == 0 and
		 .udp_drop_target == 0 and .udp_assoc_active >= 1 and
		 .udp_bytes_in > 0 and .udp_bytes_out > 0" "$st"
	in_s ssctl server del "$srv"
	elapsed "$m done"
done

# ---- dig by name, the server resolving the DNS server's name ----------------------

m=chacha20-ietf-poly1305 port=8720
if srv_add dn0 "$m" "$port" mode udp_only >"$TOPO_DIR/err" 2>&1; then
	if tunnel utdn 1200 "$m" "$S4_C" "$port" "v4.$DOMAIN:53"; then
		if [ "$HAVE_DIG" = 1 ]; then
			out=$(in_c dig @127.0.0.1 -p 1200 +short +tries=3 +time=2 "v6.$DOMAIN" AAAA 2>&1)
			[ "$out" = "$T6" ] && ss_ok "dig v6.$DOMAIN AAAA through ss-tunnel -U to v4.$DOMAIN:53: $out" ||
				ss_fail "dig v6.$DOMAIN AAAA through ss-tunnel -U to v4.$DOMAIN:53" "$out"
		else
			ss_skip "dig through ss-tunnel -U to v4.$DOMAIN:53" "no dig"
		fi
		topo_kill "$TUNNEL_PID"
	else
		ss_fail "ss-tunnel -U to v4.$DOMAIN:53 starts" "$(cat "$TOPO_DIR/utdn.log")"
	fi
	in_s ssctl server del dn0
else
	ss_fail "server dn0 starts" "$(cat "$TOPO_DIR/err")"
fi

# ---- bad packets -------------------------------------------------------------------

bad_packets() {
	local m=$1 port=$2 srv=$3 out st want
	if ! out=$(srv_add "$srv" "$m" "$port" mode udp_only 2>&1); then
		ss_fail "$m: server $srv starts" "$out"
		return
	fi
	if out=$(udp_to "$m" bad --server "$S4_C:$port" --wait 0.5 2>&1); then
		ss_ok "$m: no malformed, truncated, wrong-key or replayed packet answered; valid ones still are"
	else
		ss_fail "$m: no malformed, truncated, wrong-key or replayed packet answered; valid ones still are" "$out"
	fi
	st=$(stats_s "$srv")
	want=$(grep '"counter"' <<<"$out" | jq -s -c 'group_by(.counter) | map({(.[0].counter): length}) | add')
	echo "# counters $st, want $want"
	ok_if "$m: each bad packet counted where it belongs ($want), 2 valid packets in and out" \
		"(. as \$s | $want | to_entries | all(\$s[.key] == .value)) and
		 .udp_pkts_in == 2 and .udp_pkts_out == 2 and .udp_drop_limit == 0 and
		 .udp_drop_target == 0" "$st"
	in_s ssctl server del "$srv"
}
bad_packets chacha20-ietf-poly1305 8730 bad0
bad_packets aes-256-gcm 8731 bad1
elapsed "bad packets done"

# ---- local targets, unresolvable names -----------------------------------------------

topo_bg servers-local "$NS_S" "$PY" "$SS_TOOLS/servers.py" --blob "$TOPO_BLOB" \
	--http 18080 --echo 19000 --digest 19001 --udp-echo "$ECHO"
LOCAL_ECHO=$TOPO_LAST_PID
wait_for 30 udp_listening "$NS_S" "$ECHO"
ss_test "the cloud metadata addresses are the target's, routed from the server" topo_metadata
m=aes-128-gcm
if srv_add loc0 "$m" 8740 mode udp_only >"$TOPO_DIR/err" 2>&1; then
	for t in "127.0.0.1:$ECHO" "[::1]:$ECHO" "[$S6_T]:$ECHO" "$S4_C:$ECHO" "self.$DOMAIN:$ECHO"; do
		if udp_to "$m" echo --server "$S4_C:8740" --target "$t" --count 1 --retries 0 >/dev/null 2>&1; then
			ss_fail "a packet for $t (the server itself) is not relayed" "it was echoed"
		else
			ss_ok "a packet for $t (the server itself) is not relayed"
		fi
	done
	for t in "$META4_LL:$ECHO" "[$META6_AWS]:$ECHO" "$META4_ALIBABA:$ECHO"; do
		if udp_to "$m" echo --server "$S4_C:8740" --target "$t" --count 1 --retries 0 >/dev/null 2>&1; then
			ss_fail "a packet for $t (a cloud metadata address) is not relayed" "it was echoed"
		else
			ss_ok "a packet for $t (a cloud metadata address) is not relayed"
		fi
	done
	udp_to "$m" echo --server "$S4_C:8740" --target "nx.$DOMAIN:$ECHO" --count 1 --retries 0 >/dev/null 2>&1
	# the names' answers come back asynchronously
	drops9() { [ "$(stats_s loc0 | jq .udp_drop_target)" = 9 ]; }
	wait_for 10 drops9
	ok_if "refused local and metadata targets and an unresolvable name counted as udp_drop_target, nothing relayed" \
		'.udp_drop_target == 9 and .udp_pkts_out == 0' "$(stats_s loc0)"
	in_s ssctl server del loc0
else
	ss_fail "server loc0 starts" "$(cat "$TOPO_DIR/err")"
fi

# slow_del: a server deleted while one of its associations waits for a
# name whose lookup hangs: the deletion does not wait for the lookup, which
# ends with the association (the agent's late reply is refused), so the
# server is freed at once too
slow_del() {
	local t0 dt rc=0

	srv_add slow0 "$m" 8742 mode udp_only || return 1
	in_t nft -f - <<-NFT || return 1
		table inet ssslow {
			chain in {
				type filter hook input priority 0;
				udp dport 5399 drop
			}
		}
	NFT
	udp_to "$m" echo --server "$S4_C:8742" --target "slow.$DOMAIN:$ECHO" --count 1 \
		--retries 0 --wait 0.5 >/dev/null 2>&1
	grep -q "resolving slow.$DOMAIN" "$TOPO_DIR/kmsg" || { echo "no lookup started"; rc=1; }
	t0=$EPOCHREALTIME
	in_s ssctl server del slow0 || rc=1
	dt=$(echo "$EPOCHREALTIME - $t0" | bc -l)
	echo "deleted in $dt s"
	[ "$(echo "$dt < 3" | bc -l)" = 1 ] || { echo "the deletion waited for the lookup"; rc=1; }
	wait_for 5 grep -q "server slow0 destroyed" "$TOPO_DIR/kmsg" ||
		{ echo "server slow0 not freed at once: its lookup kept it"; rc=1; }
	in_t nft delete table inet ssslow
	return $rc
}
ss_test "a server deleted during a hanging DNS lookup: deleted and freed at once, the lookup cancelled" slow_del
if srv_add loc1 "$m" 8741 mode udp_only allow-local on >"$TOPO_DIR/err" 2>&1; then
	ss_test "allow-local on: 127.0.0.1:$ECHO (the server's own echo service) reached" \
		udp_to "$m" echo --server "$S4_C:8741" --target "127.0.0.1:$ECHO" --count 5
	ss_test "allow-local on: [$S6_T]:$ECHO reached" \
		udp_to "$m" echo --server "[$S6_C]:8741" --target "[$S6_T]:$ECHO" --count 5
	ss_test "allow-local on: [$META6_AWS]:$ECHO (the target's, here) reached" \
		udp_to "$m" echo --server "[$S6_C]:8741" --target "[$META6_AWS]:$ECHO" --count 5
	ss_test "allow-local on: $META4_ALIBABA:$ECHO (the target's, here) reached" \
		udp_to "$m" echo --server "$S4_C:8741" --target "$META4_ALIBABA:$ECHO" --count 5
	in_s ssctl server del loc1
else
	ss_fail "server loc1 starts" "$(cat "$TOPO_DIR/err")"
fi
topo_kill "$LOCAL_ECHO"

# ---- expiry, the cap, text output ------------------------------------------------------

m=chacha20-ietf-poly1305
if srv_add exp0 "$m" 8750 mode tcp_and_udp timeout 5 >"$TOPO_DIR/err" 2>&1; then
	# one process, two sockets: a slow start of a second one (TCG) could
	# outlast the first association
	udp_to "$m" cap --server "$S4_C:8750" --clients 2 --wait 2 >/dev/null 2>&1
	ok_if "two clients: two associations" '.udp_assoc_active == 2 and .udp_pkts_out == 2' "$(stats_s exp0)"
	assoc_gone() { [ "$(stats_s exp0 | jq .udp_assoc_active)" = 0 ]; }
	t0=$SECONDS
	if wait_for 20 assoc_gone; then
		ss_ok "associations end after the server's 5 s timeout ($((SECONDS - t0)) s)"
	else
		ss_fail "associations end after the server's 5 s timeout" "$(stats_s exp0)"
	fi
	out=$(in_s ssctl server show exp0)
	grep -q '^  udp:' <<<"$out" && grep -q 'associations: 0 active' <<<"$out" &&
		ss_ok "ssctl server show: the udp part for tcp_and_udp" ||
		ss_fail "ssctl server show: the udp part for tcp_and_udp" "$out"
	in_s ssctl server del exp0
else
	ss_fail "server exp0 starts" "$(cat "$TOPO_DIR/err")"
fi
# Replies from the target the client sent to keep an association past the
# timeout; a stranger's datagrams to its socket are relayed (full cone) but
# do not keep it: it ends while the stranger still sends.
peers_keep() {
	local tpid cpid t0 n
	srv_add peer0 "$m" 8754 mode udp_only timeout 4 || return 1
	topo_bg udp-peers "$NS_T" "$PY" "$SS_TOOLS/udp_peers.py" --port 9020 \
		--known 16 --stranger 24 --interval 0.5
	tpid=$TOPO_LAST_PID
	wait_for 20 udp_listening "$NS_T" 9020 || { echo "udp_peers.py did not start"; return 1; }
	topo_bg udp-listen "$NS_C" "$PY" "$SS_TOOLS/ss_udp.py" listen --server "$S4_C:8754" \
		--method "$m" --password "$PW" --target "$T4:9020" --hold 40
	cpid=$TOPO_LAST_PID
	wait_for 20 grep -q '"from"' "$TOPO_DIR/udp-peers.log" || { echo "no packet reached the target"; return 1; }
	sleep 8		# twice the timeout, the target replying
	n=$(stats_s peer0 | jq .udp_assoc_active)
	[ "$n" = 1 ] || { echo "after 8 s of replies from the target: $n associations"; stats_s peer0; return 1; }
	wait_for 20 grep -q '"known"' "$TOPO_DIR/udp-peers.log" || { echo "the known phase did not end"; return 1; }
	t0=$SECONDS
	peer_gone() { [ "$(stats_s peer0 | jq .udp_assoc_active)" = 0 ]; }
	wait_for 18 peer_gone || { echo "still there $((SECONDS - t0)) s into the stranger's datagrams"; stats_s peer0; return 1; }
	kill -0 "$tpid" 2>/dev/null || { echo "the stranger had stopped when it ended ($((SECONDS - t0)) s)"; return 1; }
	echo "ended $((SECONDS - t0)) s into the stranger's datagrams"
	topo_kill "$tpid" "$cpid"
	grep -q '"reply_from": "elsewhere", "payload": "stranger"' "$TOPO_DIR/udp-listen.log" ||
		{ echo "no stranger reply relayed: $(sort "$TOPO_DIR/udp-listen.log" | uniq -c)"; return 1; }
	grep -q '"reply_from": "target", "payload": "known"' "$TOPO_DIR/udp-listen.log" ||
		{ echo "no reply from the target relayed: $(sort "$TOPO_DIR/udp-listen.log" | uniq -c)"; return 1; }
	in_s ssctl server del peer0
}
if out=$(peers_keep 2>&1); then
	ss_ok "an association lives on the target's replies, not a stranger's (${out##*$'\n'})"
else
	ss_fail "an association lives on the target's replies, not a stranger's" "$out"
	in_s ssctl server del peer0 2>/dev/null
fi
if srv_add tcp0 "$m" 8751 >"$TOPO_DIR/err" 2>&1; then
	out=$(in_s ssctl server show tcp0)
	! grep -q 'udp' <<<"$out" && ss_ok "ssctl server show: no udp part for tcp_only" ||
		ss_fail "ssctl server show: no udp part for tcp_only" "$out"
	ok_if "ssctl server show -j: udp counters present (0) for tcp_only" \
		'.udp_pkts_in == 0 and .udp_assoc_active == 0' "$(stats_s tcp0)"
	in_s ssctl server del tcp0
fi
if srv_add cap0 "$m" 8752 mode udp_only max-conns 3 timeout 300 >"$TOPO_DIR/err" 2>&1; then
	out=$(udp_to "$m" cap --server "$S4_C:8752" --clients 5 --wait 2 2>&1)
	ok_if "max-conns 3: 3 of 5 new clients answered" '.answered == 3' "$out"
	ok_if "max-conns 3: 3 associations, the other 2 clients' packets counted as udp_drop_limit" \
		'.udp_assoc_active == 3 and .udp_drop_limit == 2' "$(stats_s cap0)"
	ss_test "a server with 3 live associations is deleted" in_s ssctl server del cap0
else
	ss_fail "server cap0 starts" "$(cat "$TOPO_DIR/err")"
fi

# ---- memory: associations are charged to the server's creator ---------------------
#
# Associations and their sockets are made by a work item, in no one's memory
# cgroup: they must be charged to the cgroup of whoever made the server, or
# a user namespace's traffic makes the kernel hold memory no limit covers.
# About 2 KiB each (the association, a kernel UDP socket); memory.current
# moves by whole batches of charges (up to 256 KiB per CPU), so 600 of them
# must add at least 600 KiB.

memcg_charge() {
	local cg=/sys/fs/cgroup g before after n
	mountpoint -q "$cg" || mount -t cgroup2 none "$cg" || { echo "no cgroup2"; return 1; }
	echo +memory >"$cg/cgroup.subtree_control" || { echo "no memory controller"; return 1; }
	g=$cg/ss-udp-$$
	mkdir -p "$g" || return 1
	# ssctl runs in the cgroup (joined before nsenter: ip netns exec would
	# hide this cgroup2 mount): the server is charged there
	bash -c 'echo $$ >"$1/cgroup.procs" && exec nsenter --net="/run/netns/$2" "${@:3}"' \
		_ "$g" "$NS_S" ssctl server add mem0 port 8753 method "$m" password "$PW" \
		mode udp_only max-conns 2000 timeout 300 || return 1
	before=$(cat "$g/memory.current")
	out=$(udp_to "$m" cap --server "$S4_C:8753" --clients 600 --wait 5 2>&1)
	n=$(in_s ssctl server show mem0 -j | jq '.[0].stats.udp_assoc_active')
	after=$(cat "$g/memory.current")
	in_s ssctl server del mem0
	rmdir "$g" 2>/dev/null
	echo "$n associations: memory.current $before -> $after ($(( (after - before) / 1024 )) KiB); $out"
	[ "$n" -ge 550 ] && [ $((after - before)) -ge $((600 * 1024)) ]
}
if out=$(memcg_charge 2>&1); then
	ss_ok "600 associations are charged to the memory cgroup of the server's creator (${out%%;*})"
else
	ss_fail "600 associations are charged to the memory cgroup of the server's creator" "$out"
fi

# ---- netns exit and rmmod with live associations --------------------------------------

netns_exit() {
	ip netns add "$NS_X" || return 1
	ip netns exec "$NS_X" ip link set lo up || return 1
	ip netns exec "$NS_X" ssctl server add x0 address 127.0.0.1 port 8760 \
		method "$m" password "$PW" mode udp_only timeout 300 allow-local on || return 1
	ip netns exec "$NS_X" "$PY" "$SS_TOOLS/ss_udp.py" cap --server 127.0.0.1:8760 \
		--method "$m" --password "$PW" --clients 3 --wait 0.5 >/dev/null
	local n
	n=$(ip netns exec "$NS_X" ssctl server show x0 -j | jq '.[0].stats.udp_assoc_active')
	[ "$n" = 3 ] || { echo "udp_assoc_active $n, want 3"; return 1; }
	ip netns del "$NS_X"
}
ss_test "a netns with a server and 3 live associations is deleted" netns_exit

if srv_add live0 "$m" 8770 mode tcp_and_udp timeout 300 >"$TOPO_DIR/err" 2>&1; then
	udp_to "$m" cap --server "$S4_C:8770" --clients 4 --wait 2 >/dev/null 2>&1
	# one more whose name is still being resolved: nobody answers nx.*
	udp_to "$m" echo --server "$S4_C:8770" --target "nx2.$DOMAIN:$ECHO" --count 1 --retries 0 --wait 0.01 >/dev/null 2>&1
	ok_if "5 live associations before rmmod" '.udp_assoc_active == 5' "$(stats_s live0)"
fi
sleep 2		# the debug log of the netns' end

if out=$(rmmod shadowsocks 2>&1); then
	ss_ok "rmmod shadowsocks succeeds with live associations"
else
	ss_fail "rmmod shadowsocks succeeds with live associations" "$out"
fi
sleep 1
topo_kmsg_stop
kmsg=$TOPO_DIR/kmsg
grep -oE 'shadowsocks: udp assoc [0-9]+ created' "$kmsg" | awk '{print $4}' | sort -n >"$TOPO_DIR/a.c"
grep -oE 'shadowsocks: udp assoc [0-9]+ destroyed$' "$kmsg" | awk '{print $4}' | sort -n >"$TOPO_DIR/a.d"
c=$(wc -l <"$TOPO_DIR/a.c")
d=$(wc -l <"$TOPO_DIR/a.d")
echo "# associations: $c created, $d destroyed"
if [ "$c" -gt 0 ] && cmp -s "$TOPO_DIR/a.c" "$TOPO_DIR/a.d"; then
	ss_ok "every association the debug log shows created was destroyed ($c)"
else
	ss_fail "every association the debug log shows created was destroyed" \
		"$c created, $d destroyed; not destroyed: $(comm -23 "$TOPO_DIR/a.c" "$TOPO_DIR/a.d" | head -n 20 | tr '\n' ' ')"
fi
c=$(grep -cE 'shadowsocks: server [^ ]+ created$' "$kmsg")
d=$(grep -cE 'shadowsocks: server [^ ]+ destroyed$' "$kmsg")
[ "$c" -eq "$d" ] && ss_ok "every server created was destroyed ($c)" ||
	ss_fail "every server created was destroyed" "$c created, $d destroyed"
kmsg_clean

elapsed "all done"
ss_done
