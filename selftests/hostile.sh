#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hostile input and faults, with figures: what was tried, how much, what
# was lost. Each figure is a TAP diagnostic ("# figure: ...") and its
# checks are TAP tests. Topology (selftests/topology.sh, TOPO_LAN=1):
#
#   [lan] --> [gateway: ss-socksd + the module's local role, profile "main"]
#         --> [server: the module's server "main", tcp_and_udp] --> [target]
#
# "The relay serves" below: from the lan, 64 KiB over HTTP and 5 UDP
# datagrams echoed through ss-socksd's tunnels, the kernel in both roles.
#
#  1. slowloris: HOSTILE_SLOWLORIS (2000) connections held against the
#     server (max-conns HOSTILE_MAX_CONNS: the default 1024, 256 on the
#     debug kernel, where the tool keeps only about 600 open at once;
#     handshake timeout 30 s), each trickling
#     a byte every 5 s and reopened when the server closes it
#     (tools/slowloris.py), while libev ss-tunnel and ss-socksd (the kernel's
#     local role) fetch 64 KiB from the target every half second: every
#     fetch must succeed; figure: fetches ok/total, latency against a
#     baseline, the server's evictions.
#  2. random first packets: connections whose one write is 1..1000 random
#     bytes (tools/firstpkt.py) against a server of each method (handshake
#     timeout 2 s): the same close (FIN or RST) for every length and method,
#     never before the handshake timeout nor long after; each counted
#     (conn_total, and auth_fail for writes long enough to authenticate).
#  3. garbage UDP datagrams (tools/udpjunk.py) to the tcp_and_udp server,
#     IPv4 and IPv6: none answered, every one counted as a drop (the
#     module's udp_drop_* plus what the socket buffer dropped, from the
#     server netns' UDP MIB), no association; then libev ss-tunnel -U is
#     relayed.
#  4. the netlink fuzzer (tools/nlfuzz.py) as nobody in a user and network
#     namespace of its own: random requests of every command and attribute,
#     random descriptors for the handovers; everything it made is deleted
#     and the dumps come back empty.
#  5. failslab and fail_page_alloc (debug kernel only: skipped where debugfs
#     lacks them or their stack trace filter) during TCP and UDP relaying
#     through both roles (load.py and iperf3), HOSTILE_FAULT_SECONDS (15) a
#     round, confined to allocations made in the module's call chains (the
#     stack trace filter on the module's memory: its work, its socket
#     callbacks in softirq, its netlink handlers): failslab at 1 and 10 %,
#     fail_page_alloc at 5 % (every order: the relay's 16 KiB buffers come
#     from it), both at 10 %; every round must fail at least
#     HOSTILE_FAULT_MIN (20) allocations of each kind it injects, or it
#     tested nothing; then injection off and the relay serves.
#  6. teardown under traffic (iperf3 and tools/load.py through both roles):
#     the server and then the profile deleted and added again; a server's
#     netns deleted; a gateway's netns deleted with its processes killed;
#     rmmod, then the module loads again and serves.
#
# Every case ends with: the relay serves, every object the debug log shows
# created was destroyed (servers, profiles, connections, UDP relays and
# associations), and the kernel log since the case began has no report.
#
# Counts: 5000 first packets, 10,000 datagrams, 20,000 netlink messages
# (a fifth of that on the debug kernel), times HOSTILE_SCALE (1);
# HOSTILE_FULL=1 gives the issue's: 100,000, 200,000 and 100,000.
# HOSTILE_TCP_N, HOSTILE_UDP_N, HOSTILE_NL_N and HOSTILE_SLOWLORIS (2000)
# set one directly; HOSTILE_SEED fixes the seeds (printed either way);
# HOSTILE_CASES picks cases (the default: "1 2 3 4 5 6" on the debug
# kernel, "1 2 3 4 6" on the stock ones, which have no fault injection).

TOPO_INIT_LINK=1
TOPO_LAN=1

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topology.sh"

DEBUG_KERNEL=0
[[ $(uname -r) == *-ssdebug ]] && DEBUG_KERNEL=1
# the counts: CI's (a fifth on the debug kernel), times HOSTILE_SCALE; the
# issue's with HOSTILE_FULL=1; or each one given
SCALE=${HOSTILE_SCALE:-1}
scaled() {
	if [ "${HOSTILE_FULL:-0}" = 1 ]; then echo "$2"; return; fi
	awk -v n="$1" -v s="$SCALE" -v d="$DEBUG_KERNEL" 'BEGIN { v = int(n * s / (d ? 5 : 1)); print (v < 100 ? 100 : v) }'
}
N_SLOW=${HOSTILE_SLOWLORIS:-2000}
# the standing server's max-conns: the flood must fill it to test eviction
MAX_CONNS=${HOSTILE_MAX_CONNS:-1024}
[ "${SS_DEBUG_KERNEL:-0}" = 1 ] && MAX_CONNS=${HOSTILE_MAX_CONNS:-256}
SLOW_SECONDS=${HOSTILE_SLOW_SECONDS:-40}
N_TCP=${HOSTILE_TCP_N:-$(scaled 5000 100000)}
N_UDP=${HOSTILE_UDP_N:-$(scaled 10000 200000)}
N_NL=${HOSTILE_NL_N:-$(scaled 20000 100000)}
SEED=${HOSTILE_SEED:-$((RANDOM * 32768 + RANDOM))}
# fault injection needs the debug kernel's knobs: there by default
DEFAULT_CASES="1 2 3 4 6"
[ "${SS_DEBUG_KERNEL:-0}" = 1 ] && DEFAULT_CASES="1 2 3 4 5 6"
CASES=" ${HOSTILE_CASES:-$DEFAULT_CASES} "
want() { [[ $CASES == *" $1 "* ]]; }

HS=2			# the handshake timeout of the first-packet servers
MARGIN=3		# how late after it a close may come (TCG)
PW="hostile test password $$"
M=chacha20-ietf-poly1305
PORT=8388
# ss-socksd's tunnels in the gateway, reached from the lan
T_HTTP=1080 T_ECHO=1081 T_UDP=1082 T_IPERF=1083
ECHO=9000 UDP_ECHO=9002
NS_X=ssx-$TOPO_ID	# case 6: a second server netns
NS_G=ssg-$TOPO_ID	# case 6: a second gateway netns
FI=/sys/kernel/debug

ulimit -n 65536 2>/dev/null

cleanup() {
	fault_off 2>/dev/null
	[ -n "${SOCKSD_PID:-}" ] && kill "$SOCKSD_PID" 2>/dev/null
	topo_del_objects
	ip netns pids "$NS_G" 2>/dev/null | xargs -r kill -9
	ip netns del "$NS_X" 2>/dev/null
	ip netns del "$NS_G" 2>/dev/null
	topo_cleanup
}
trap cleanup EXIT

# figure TEXT: one figure of the report
figure() { echo "# figure: $*"; }

# ---- the standing relay: server, profile, ss-socksd ---------------------------------

SOCKSD_PID=
std_up() {
	in_s ssctl server add main port "$PORT" method "$M" password "$PW" mode tcp_and_udp \
		max-conns "$MAX_CONNS" || return 1
	in_c ssctl client add main server "$S4_C" port "$PORT" method "$M" password "$PW" || return 1
	wait_for 10 listening "$NS_S" "$PORT" || return 1
	socksd_start
}
socksd_start() {
	topo_bg socksd "$NS_C" ss-socksd --client main \
		--tunnel "$C4_L:$T_HTTP=$T4:8080" --tunnel "$C4_L:$T_ECHO=$T4:$ECHO" \
		--tunnel "$C4_L:$T_UDP=$T4:$UDP_ECHO,udp" --tunnel "$C4_L:$T_IPERF=$T4:5201"
	SOCKSD_PID=$TOPO_LAST_PID
	wait_for 10 listening "$NS_C" "$T_IPERF" && wait_for 10 udp_listening "$NS_C" "$T_UDP" ||
		{ logtail socksd; return 1; }
}
std_down() {
	if [ -n "$SOCKSD_PID" ]; then
		topo_kill "$SOCKSD_PID"
		SOCKSD_PID=
	fi
	# (what else a case made, it deletes; the ledger shows any leftover)
	in_c ssctl client del main 2>/dev/null
	in_s ssctl server del main 2>/dev/null
	return 0
}

# serves: the lan gets 64 KiB over HTTP and 5 datagrams echoed through
# ss-socksd, the kernel's local role and its server role
serves() {
	get -- "http://$C4_L:$T_HTTP/blob?n=65536" 65536 || return 1
	udp_echoes "$NS_L" "$C4_L" "$T_UDP" ||
		{ echo "UDP echo through the tunnel failed"; return 1; }
}
# udp_echoes NS ADDR PORT: 5 datagrams echoed (each tried 3 times), from
# netns NS; bash's /dev/udp and dd (one read(2), one datagram), lighter
# than a python under TCG
udp_echoes() {
	ip netns exec "$1" bash -c '
		exec 3<>"/dev/udp/$1/$2" || exit 1
		for i in 1 2 3 4 5; do
			for try in 1 2 3; do
				printf "ping %s %s" "$i" "$$" >&3
				got=$(timeout 2 dd bs=4096 count=1 status=none <&3) &&
					[ "$got" = "ping $i $$" ] && continue 2
			done
			exit 1
		done' udp_echoes "$2" "$3"
}

# ---- what every case ends with --------------------------------------------------------

KMSG=$TOPO_DIR/kmsg
KMSG_MARK=0
TROUBLE='Oops|BUG:|WARNING:|general protection|KASAN|Kernel panic|kernel BUG|UBSAN|'
TROUBLE+='possible circular locking|inconsistent lock state|suspicious RCU usage|'
TROUBLE+='possible recursive locking|lock held when returning|bad unlock balance|'
TROUBLE+='ODEBUG|refcount_t:|list_(add|del) corruption|list corruption|lockdep|'
TROUBLE+='INFO: task .* blocked|unregister_netdevice: waiting|ref_tracker: .* has [0-9]+/[0-9]+ users'
# (the mark is set before the standing relay is made again, at the end of
# the case before: its objects are the next case's)
case_begin() {
	CASE=$1
	elapsed "case $CASE"
}
# kmsg_case: the kernel log since the mark
kmsg_case() { tail -n +"$((KMSG_MARK + 1))" "$KMSG"; }

# ledger [unbalanced|counts]: from the debug log's "KIND ID created" and
# "KIND ID destroyed" lines (KIND: server and client, by name; conn, udp
# assoc, udp relay, udp local assoc, by id): the objects created and not
# destroyed (as many times), or per kind the numbers created/destroyed
KINDS_RE='server|client|conn|udp assoc|udp relay|udp local assoc'
ledger() {
	kmsg_case | grep -oE "shadowsocks: ($KINDS_RE) [^ ]+ (created|destroyed)( |\$)" | awk -v what="$1" '
		{ ev = $NF; id = $(NF - 1); kind = $2
		  for (i = 3; i < NF - 1; i++) kind = kind " " $i
		  if (ev == "created") { bal[kind " " id]++; c[kind]++ } else { bal[kind " " id]--; d[kind]++ } }
		END {
			if (what == "counts") {
				n = split("server client conn udp_assoc udp_relay udp_local_assoc", k, " ")
				for (i = 1; i <= n; i++) { gsub("_", " ", k[i]); out = out sep k[i] " " c[k[i]] + 0 "/" d[k[i]] + 0; sep = ", " }
				print out
			} else {
				for (o in bal) if (bal[o]) { print o " (" bal[o] ")"; bad = 1 }
				exit bad
			}
		}'
}
balanced() { ledger unbalanced >/dev/null; }

# case_end: the relay serves; everything deleted, every object created
# destroyed; no kernel report since case_begin; the standing relay again
case_end() {
	local out desc
	if out=$(serves 2>&1); then
		ss_ok "$CASE: afterwards the relay serves (lan -> ss-socksd -> local role -> server role -> target, TCP and UDP)"
	else
		ss_fail "$CASE: afterwards the relay serves (lan -> ss-socksd -> local role -> server role -> target, TCP and UDP)" \
			"$out
$(logtail socksd)"
	fi
	elapsed "$CASE: the relay served; deleting everything"
	std_down
	desc="$CASE: every object the debug log shows created was destroyed"
	if wait_for 60 balanced; then
		ss_ok "$desc (created/destroyed: $(ledger counts))"
	else
		ss_fail "$desc (created/destroyed: $(ledger counts))" \
			"not destroyed (kind, id or name, how many times; -1: destroyed, its creation not logged): $(ledger unbalanced | head -n 20 | tr '\n' ' ')"
	fi
	if out=$(kmsg_case | grep '^kmsg.py: lost'); then
		ss_fail "$CASE: the kernel log was read whole (the ledger above is incomplete)" "$out"
	fi
	if kmsg_case | grep -qE "$TROUBLE"; then
		ss_fail "$CASE: no kernel report (WARNING, BUG, KASAN, UBSAN, lockdep, refcount, ODEBUG)" \
			"$(kmsg_case | grep -E -A 30 "$TROUBLE" | head -n 80)"
	else
		ss_ok "$CASE: no kernel report (WARNING, BUG, KASAN, UBSAN, lockdep, refcount, ODEBUG)"
	fi
	KMSG_MARK=$(wc -l <"$KMSG")
	if ! out=$(std_up 2>&1); then
		ss_fail "the standing relay comes back after $CASE" "$out"
	fi
	elapsed "$CASE: done"
}

# stats_d BEFORE AFTER KEY...: "key+N" for each key, from two stats objects
jqd() { jq -rn --argjson a "$1" --argjson b "$2" "\$b.$3 - \$a.$3"; }

# pct LIST-FILE P: the P-th percentile of the numbers in a file
pctl() { sort -g "$1" | awk -v p="$2" '{ v[NR] = $1 } END { if (!NR) { print "n/a"; exit } i = int(p / 100 * NR); if (i < 1) i = 1; if (i > NR) i = NR; printf "%.2f", v[i] }'; }

# ---- set-up -------------------------------------------------------------------

# the fetches take 64 KiB of the target's blob: 1 MiB will do (topo_setup
# makes 64 MiB only if there is none)
head -c $((1 << 20)) /dev/urandom >"$TOPO_BLOB"
# The kernel log, captured by tools/kmsg.py rather than topo_start's dmesg
# -w: a flood of connections logs thousands of lines a second, the ring
# buffer overwrites what a starved reader has not read yet, and dmesg -w
# never says so. kmsg.py runs at a real-time priority and says when it
# lost records (the object ledger below cannot be trusted then).
rmmod shadowsocks 2>/dev/null
dmesg -C
: >"$KMSG"
chrt -f 10 "$PY" "$SS_TOOLS/kmsg.py" "$KMSG" &
KMSG_PID=$!	# topo_cleanup (topo_kmsg_stop) ends it
topo_start
ss_test "the module loads (ssctl, on demand)" in_s ssctl server show
blob_sha 65536 >/dev/null
if out=$(std_up 2>&1) && out=$(serves 2>&1); then
	ss_ok "the standing relay serves: server and profile main ($M), ss-socksd tunnels"
else
	ss_fail "the standing relay serves: server and profile main ($M), ss-socksd tunnels" "$out
$(logtail socksd)"
fi
echo "# counts: $N_TCP first packets, $N_UDP datagrams, $N_NL netlink messages, a slowloris of $N_SLOW; seed $SEED (HOSTILE_SEED=$SEED reproduces)"
elapsed "set-up done"

# ---- 1. slowloris -----------------------------------------------------------------

# fetches NS ADDR:PORT SECONDS OUT: tools/load.py fetching 64 KiB of the
# target's blob every half second through ADDR:PORT (a tunnel) from netns
# NS, for SECONDS, in the background (pid in FETCH_PID); its JSON in OUT
fetches() {
	ip netns exec "$1" "$PY" "$SS_TOOLS/load.py" --http "$2" --blob "$TOPO_BLOB" \
		--interval 0.5 --duration "$3" >"$4" 2>&1 &
	FETCH_PID=$!
}
# fetch_report NAME FILE BASEFILE: figure and check of one client's fetches
fetch_report() {
	local name=$1 f=$2 base=$3 out r
	out=$(jq -rn --slurpfile r "$f" --slurpfile b "$base" '
		($r[0].http) as $h | ($b[0].http) as $bh |
		$h.ok, $h.ok + $h.fail,
		"\($h.ok)/\($h.ok + $h.fail) fetches of 64 KiB ok during the flood, latency p50 \($h.latency[1] // "n/a") s, p95 \($h.latency[2] // "n/a") s, max \($h.latency[3] // "n/a") s (before the flood: \($bh.ok)/\($bh.ok + $bh.fail) ok, p50 \($bh.latency[1] // "n/a") s, max \($bh.latency[3] // "n/a") s)",
		($h.errors | tojson)' 2>&1)
	mapfile -t r <<<"$out"
	figure "slowloris: $name: ${r[2]:-$out}"
	if [ "${r[1]:-0}" -gt 0 ] 2>/dev/null && [ "${r[0]}" = "${r[1]}" ]; then
		ss_ok "slowloris ($N_SLOW connections): $name is not locked out: ${r[0]}/${r[1]} fetches ok"
	else
		ss_fail "slowloris ($N_SLOW connections): $name is not locked out: ${r[0]:-?}/${r[1]:-?} fetches ok" \
			"errors: ${r[3]:-}; $(cat "$f")"
	fi
}

slowloris() {
	local dir=$TOPO_DIR/slow tpid spid st0 st1 mid res f1 f2
	mkdir -p "$dir"
	topo_bg ss-tunnel "$NS_C" ss-tunnel -s "$S4_C" -p "$PORT" -b 127.0.0.1 -l 10880 \
		-k "$PW" -m "$M" -L "$T4:8080"
	tpid=$TOPO_LAST_PID
	wait_for 10 listening "$NS_C" 10880
	# the baseline: the same fetches with nothing else going on
	fetches "$NS_C" 127.0.0.1:10880 6 "$dir/base.libev"
	f1=$FETCH_PID
	fetches "$NS_L" "$C4_L:$T_HTTP" 6 "$dir/base.kernel"
	f2=$FETCH_PID
	wait "$f1" "$f2"
	st0=$(stats_s main)
	in_c "$PY" "$SS_TOOLS/slowloris.py" --server "$S4_C:$PORT" --n "$N_SLOW" \
		--dir "$dir" --duration $((SLOW_SECONDS + 200)) --seed "$SEED" >"$dir/result" 2>&1 &
	spid=$!
	if ! wait_for 120 test -e "$dir/ready"; then
		ss_fail "slowloris: $N_SLOW connections open" "$(cat "$dir/result")"
	fi
	fetches "$NS_C" 127.0.0.1:10880 "$SLOW_SECONDS" "$dir/libev"
	f1=$FETCH_PID
	fetches "$NS_L" "$C4_L:$T_HTTP" "$SLOW_SECONDS" "$dir/kernel"
	f2=$FETCH_PID
	sleep $((SLOW_SECONDS / 2))
	mid=$(stats_s main)
	wait "$f1" "$f2"
	st1=$(stats_s main)
	touch "$dir/stop"
	wait "$spid"
	res=$(cat "$dir/result")
	topo_kill "$tpid"
	figure "slowloris: $N_SLOW connections kept open by one client (trickling a byte every 5 s, each reopened when closed) for $SLOW_SECONDS s of fetches: $(jq -r '"\(.opened) opened in all, at most \(.max_open) open at once, closed by the server: \(.closed.eof) FIN + \(.closed.rst) RST, each lived [min, p50, max] \(.lived) s"' <<<"$res" 2>/dev/null || echo "$res")"
	figure "slowloris: the server (max-conns $MAX_CONNS, handshake timeout 30 s) during the fetches: $(jq -rn --argjson a "$st0" --argjson b "$st1" --argjson m "$mid" '"\($b.conn_total - $a.conn_total) connections accepted, \($b.evicted - $a.evicted) evicted, \($b.refused - $a.refused) refused; \($m.conn_active) open halfway"')"
	fetch_report "libev ss-tunnel" "$dir/libev" "$dir/base.libev"
	fetch_report "ss-socksd and the kernel's local role" "$dir/kernel" "$dir/base.kernel"
	# evictions only happen at max-conns; the debug kernel's slower flood
	# does not keep every place filled every moment
	ok_if "slowloris: the flood held the server at max-conns $MAX_CONNS during the fetches (evictions)" \
		".evicted > $(jq .evicted <<<"$st0")" "$st1"
	wait_for 60 bash -c "[ \"\$(ip netns exec $NS_S ssctl server show main -j | jq '.[0].stats.conn_active')\" = 0 ]"
	ok_if "slowloris: once it stops, no connection is left on the server" \
		'.conn_active == 0 and .draining == 0' "$(stats_s main)"
}
if want 1; then
	case_begin "slowloris"
	slowloris
	case_end
fi

# ---- 2. random first packets ------------------------------------------------------

METHODS=(aes-128-gcm aes-192-gcm aes-256-gcm chacha20-ietf-poly1305 xchacha20-ietf-poly1305)
declare -A SALT=([aes-128-gcm]=16 [aes-192-gcm]=24 [aes-256-gcm]=32
	[chacha20-ietf-poly1305]=32 [xchacha20-ietf-poly1305]=32)
# fp_active_zero: no connection left on the first-packet servers
fp_active_zero() {
	in_s ssctl server show -j | jq -e '[.[] | select(.name | startswith("fp")) | .stats.conn_active] | add == 0' >/dev/null
}
first_packets() {
	local i m specs=() before after out res line kind what rest conc=${HOSTILE_TCP_CONC:-500}
	in_c sysctl -qw net.ipv4.ip_local_port_range="1024 65535"
	for i in "${!METHODS[@]}"; do
		m=${METHODS[$i]}
		if ! out=$(in_s ssctl server add "fp$i" port $((8401 + i)) method "$m" password "$PW" \
			handshake-timeout "$HS" max-conns 4096 2>&1); then
			ss_fail "$m: server fp$i starts" "$out"
			continue
		fi
		# IPv4 and IPv6 in turn
		if [ $((i % 2)) = 0 ]; then
			specs+=(--server "fp$i=$S4_C:$((8401 + i)):${SALT[$m]}")
		else
			specs+=(--server "fp$i=[$S6_C]:$((8401 + i)):${SALT[$m]}")
		fi
	done
	wait_for 10 listening "$NS_S" 8405
	before=$(in_s ssctl server show -j)
	res=$(in_c "$PY" "$SS_TOOLS/firstpkt.py" "${specs[@]}" --count "$N_TCP" \
		--concurrency "$conc" --timeout "$HS" --margin "$MARGIN" --seed "$SEED" 2>&1)
	wait_for 30 fp_active_zero
	after=$(in_s ssctl server show -j)
	echo "$res" | sed 's/^/# firstpkt: /'
	# one jq for every figure and check: each line "figure|ok|fail<TAB>text<TAB>detail"
	out=$(jq -rn --arg res "$res" --argjson b "$before" --argjson a "$after" --arg methods "${METHODS[*]}" --arg hs "$HS" '
		def st($x; $n): ($x[] | select(.name == $n) | .stats) // {};
		def d($k; $n): st($a; $n)[$k] - st($b; $n)[$k];
		($res | split("\n") | map(select(startswith("{")) | fromjson)) as $r |
		($r | map(select(.total)) | .[0]) as $t |
		($methods | split(" ")) as $m |
		if $t == null then "fail\trandom first packets: firstpkt.py ran\t\($res | gsub("\n"; " | "))" else
		"figure\trandom first packets: \($t.total) connections, one write of 1..1000 random bytes each, to 5 servers (one per method, handshake timeout \($hs) s), in \($t.seconds) s (\($t.rate)/s), seed \($t.seed): closed \($t.kinds | tojson)",
		(if $t.ok then "ok" else "fail" end) + "\trandom first packets: every connection closed the same way for every length and method (\($t.kinds | tojson)), none early, late or answered\t\($t | tojson)",
		($r[] | select(.server) | . as $s | ($s.server[2:] | tonumber) as $i |
			"figure\trandom first packets: \($m[$i]): \($s.n) connections, closed \($s.kinds | tojson) after [min, p50, p99, max] \($s.t | tojson) s; writes shorter than a salt and a sealed length: \($s.t_short | tojson) s, longer: \($s.t_long | tojson) s",
			((d("auth_fail"; $s.server)) as $af |
			 (if d("conn_total"; $s.server) == $s.n and $af <= $s.authable and $af >= $s.authable - $s.authable_late
			     and ([("replay","bad_header","connect_fail","evicted","refused") | d(.; $s.server)] | add) == 0
			     and st($a; $s.server).conn_active == 0 and st($a; $s.server).draining == 0
			  then "ok" else "fail" end)
			 + "\trandom first packets: \($m[$i]): counted: conn_total +\(d("conn_total"; $s.server)) (sent \($s.n)), auth_fail +\($af) (writes of at least a salt and a sealed length: \($s.authable)"
			 + (if $s.authable_late > 0 then ", \($s.authable_late) of them sent too late to be read" else "" end)
			 + "), nothing else, none left\tbefore \(st($b; $s.server) | tojson); after \(st($a; $s.server) | tojson); \($s | tojson)"))
		end' 2>&1)
	while IFS=$'\t' read -r kind what rest; do
		case $kind in
		figure) figure "$what" ;;
		ok) ss_ok "$what" ;;
		fail) ss_fail "$what" "$rest" ;;
		*) ss_fail "random first packets: the results could be read" "$kind $what $rest" ;;
		esac
	done <<<"$out"
	for i in "${!METHODS[@]}"; do
		in_s ssctl server del "fp$i" 2>/dev/null
	done
}
if want 2; then
	case_begin "random first packets"
	first_packets
	case_end
fi

# ---- 3. garbage UDP ------------------------------------------------------------------

# udp_mib NS: the netns' UDP datagrams dropped before any socket read them
# (receive buffer errors, checksum errors), IPv4 and IPv6
udp_mib() {
	ip netns exec "$1" cat /proc/net/snmp /proc/net/snmp6 2>/dev/null | awk '
		/^Udp: InDatagrams/ { split($0, h) ; next }
		/^Udp: / { for (i = 2; i <= NF; i++) if (h[i] == "RcvbufErrors" || h[i] == "InCsumErrors") s += $i; next }
		/^Udp6(RcvbufErrors|InCsumErrors) / { s += $2 }
		END { print s + 0 }'
}
udp_garbage() {
	local st0 st1 mib0 mib1 res drops dropped sent tpid rate=${HOSTILE_UDP_RATE:-0}
	st0=$(stats_s main)
	mib0=$(udp_mib "$NS_S")
	res=$(in_c "$PY" "$SS_TOOLS/udpjunk.py" --to "$S4_C:$PORT" --to "[$S6_C]:$PORT" \
		--count "$N_UDP" --rate "$rate" --seed "$SEED" --wait 3 2>&1)
	# the relay reads its socket in a work item: let it catch up
	settle() {
		local a b
		a=$(stats_s main | jq '[.udp_drop_auth, .udp_drop_bad] | add')
		sleep 1
		b=$(stats_s main | jq '[.udp_drop_auth, .udp_drop_bad] | add')
		[ "$a" = "$b" ]
	}
	wait_for 60 settle
	st1=$(stats_s main)
	mib1=$(udp_mib "$NS_S")
	sent=$(jq .sent <<<"$res" 2>/dev/null)
	drops=$(jq -rn --argjson a "$st0" --argjson b "$st1" \
		'[("udp_drop_auth","udp_drop_bad","udp_drop_replay","udp_drop_limit","udp_drop_target") | "\(.) +\($b[.] - $a[.])"] | join(", ")')
	dropped=$(jq -rn --argjson a "$st0" --argjson b "$st1" \
		'[("udp_drop_auth","udp_drop_bad","udp_drop_replay","udp_drop_limit","udp_drop_target") | $b[.] - $a[.]] | add')
	figure "garbage UDP: $(jq -r '"\(.sent) datagrams (\(.bytes) bytes; \(.sizes.short) of 0..47 bytes, \(.sizes.normal) of 48..1472, \(.sizes.large) of 1500..65000) to the server over IPv4 and IPv6 in \(.seconds) s (\(.rate)/s), seed \(.seed): \(.answers) answered"' <<<"$res" 2>/dev/null || echo "$res"); counted by the module: $drops; dropped by the socket buffer before the module read them: $((mib1 - mib0)); udp_pkts_in +$(jqd "$st0" "$st1" udp_pkts_in)"
	ok_if "garbage UDP: none of $sent datagrams answered" '.answers == 0' "$res"
	if [ -n "$sent" ] && [ $((dropped + mib1 - mib0)) -eq "$sent" ] &&
		jq -e --argjson a "$st0" '.udp_pkts_in == $a.udp_pkts_in and .udp_pkts_out == $a.udp_pkts_out
			and .udp_assoc_active == 0' <<<"$st1" >/dev/null; then
		ss_ok "garbage UDP: every datagram counted as a drop ($dropped by the module + $((mib1 - mib0)) by the socket buffer = $sent), no packet relayed, no association"
	else
		ss_fail "garbage UDP: every datagram counted as a drop ($dropped by the module + $((mib1 - mib0)) by the socket buffer = $sent), no packet relayed, no association" \
			"before $st0
after $st1
$res"
	fi
	# a real client afterwards: libev ss-tunnel -U
	topo_bg ss-tunnel-u "$NS_C" ss-tunnel -U -s "$S4_C" -p "$PORT" -b 127.0.0.1 -l 10881 \
		-k "$PW" -m "$M" -L "$T4:$UDP_ECHO"
	tpid=$TOPO_LAST_PID
	wait_for 10 udp_listening "$NS_C" 10881
	ss_test "garbage UDP: afterwards libev ss-tunnel -U is relayed (5 datagrams echoed)" \
		udp_echoes "$NS_C" 127.0.0.1 10881
	topo_kill "$tpid"
}
if want 3; then
	case_begin "garbage UDP"
	udp_garbage
	case_end
fi

# ---- 4. the netlink fuzzer ------------------------------------------------------------

nl_fuzz() {
	local out rc sum nseed=${HOSTILE_NL_SEED:-$SEED}
	if ! unshare -Ur true 2>/dev/null; then
		ss_fail "netlink fuzzer: user namespaces can be created" "unshare -Ur failed"
		return
	fi
	echo "# nlfuzz: seed $nseed (HOSTILE_NL_SEED=$nseed HOSTILE_NL_N=$N_NL reproduces)"
	out=$(tools=$(nobody_tools nlfuzz.py genl.py) && cd "$tools" &&
		setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all -- \
		unshare -Urn "$PY" ./nlfuzz.py --count "$N_NL" --seed "$nseed" 2>&1)
	rc=$?
	tap_json "$out" "netlink fuzzer (nobody, own userns): "
	sum=$(grep '^{"summary"' <<<"$out")
	if [ -z "$sum" ]; then
		ss_fail "netlink fuzzer ran to the end (status $rc)" "$(tail -n 30 <<<"$out")"
		return
	fi
	figure "netlink fuzzer: $(jq -r '.summary | "\(.messages) messages in \(.sends) sends by \(.workers) processes in \(.seconds) s (\(.rate)/s), seed \(.seed); accepted per command \(.accepted); replies \(.replies_by_errno); left at the end and deleted \(.left_at_end)"' <<<"$sum")"
}
if want 4; then
	case_begin "netlink fuzzer"
	nl_fuzz
	case_end
fi

# ---- 5. allocation failures ------------------------------------------------------------

# Nothing here forks while a round runs (a fork under TCG on the debug
# kernel costs a good part of a second, and the traffic must still be
# flowing when injection begins): only builtins and redirections.
#
# The failures are confined to the module's call chains with the stack
# trace filter (CONFIG_FAULT_INJECTION_STACKTRACE_FILTER): an allocation
# may fail only if one of the 32 innermost frames of its stack is in the
# module's memory (require-start/require-end), whatever the task or
# context: the relay's work, the socket callbacks it installed (softirq),
# netlink handlers. Anything else (9p, netfs, the tools) is never failed:
# a task filter on the relay's kworkers failed netfs work of the shared
# unbound pool too, and the guest lost its root. The module is the only
# one loaded there (the debug kernel has everything else built in), so
# its range ends at its base plus its whole size (/proc/modules).

# ULONG_MAX, the require-end that means "no filter"
FAULT_ANY=18446744073709551615
FAULT_MOD_START=0 FAULT_MOD_END=0
# fault_module_range: FAULT_MOD_START, FAULT_MOD_END (unsigned decimal)
# from /proc/modules; false if the module or its address is not shown
fault_module_range() {
	local name size refs deps state addr rest
	while read -r name size refs deps state addr rest; do
		[ "$name" = shadowsocks ] || continue
		[ -n "$addr" ] && [ "$((addr))" != 0 ] || return 1
		FAULT_MOD_START=$(printf '%u' "$((addr))")
		FAULT_MOD_END=$(printf '%u' "$((addr + size))")
		return 0
	done </proc/modules
	return 1
}
fault_off() {
	local k
	for k in failslab fail_page_alloc; do
		[ -d "$FI/$k" ] || continue
		echo 0 >"$FI/$k/probability"
		echo 0 >"$FI/$k/times"
		echo 0 >"$FI/$k/require-start" 2>/dev/null
		echo "$FAULT_ANY" >"$FI/$k/require-end" 2>/dev/null
	done
	return 0
}
# fault_round DESC KNOB:PCT...: injection in the module's call chains for
# FAULT_SECS during load.py and iperf3 through both roles; each knob must
# have failed at least FAULT_MIN allocations
fault_round() {
	local desc=$1 secs=$FAULT_SECS dir=$TOPO_DIR/fault kv k
	local times=1000000 res ipid lpid injected="" fifo left n short=""
	shift
	rm -rf "$dir"
	mkdir -p "$dir"
	fifo=$dir/fifo
	mkfifo "$fifo"
	if ! fault_module_range; then
		ss_fail "faults: $desc" "no address for shadowsocks in /proc/modules"
		return
	fi
	in_l "$PY" "$SS_TOOLS/load.py" --tcp "$C4_L:$T_ECHO" --udp "$C4_L:$T_UDP" --workers 3 \
		--size 32768 --duration $((secs + 60)) --dir "$dir" >"$dir/load" 2>&1 &
	lpid=$!
	in_l iperf3 -c "$C4_L" -p "$T_IPERF" -t $((secs + 60)) -i 1 -J >"$dir/iperf3" 2>&1 &
	ipid=$!
	wait_for 20 test -e "$dir/ready"
	sleep 1
	for kv in "$@"; do
		k=${kv%%:*}
		echo 0 >"$FI/$k/probability"
		echo N >"$FI/$k/task-filter"
		echo N >"$FI/$k/ignore-gfp-wait"
		echo 0 >"$FI/$k/verbose"
		echo 1 >"$FI/$k/interval"
		echo 0 >"$FI/$k/space"
		echo "$times" >"$FI/$k/times"
		echo 32 >"$FI/$k/stacktrace-depth"
		echo 0 >"$FI/$k/reject-start"
		echo 0 >"$FI/$k/reject-end"
		echo "$FAULT_MOD_START" >"$FI/$k/require-start"
		echo "$FAULT_MOD_END" >"$FI/$k/require-end"
		[ "$k" = fail_page_alloc ] && { echo N >"$FI/$k/ignore-gfp-highmem"; echo 0 >"$FI/$k/min-order"; }
	done
	for kv in "$@"; do
		echo "${kv#*:}" >"$FI/${kv%%:*}/probability"
	done
	# a builtin sleep
	exec 9<>"$fifo"
	read -r -t "$secs" -u 9
	exec 9>&-
	for kv in "$@"; do
		echo 0 >"$FI/${kv%%:*}/probability"
	done
	for kv in "$@"; do
		k=${kv%%:*}
		read -r left <"$FI/$k/times"
		n=$((times - left))
		injected+="$k $n, "
		[ "$n" -lt "$FAULT_MIN" ] && short+="$k $n, "
	done
	fault_off
	touch "$dir/stop"
	kill -INT "$ipid" 2>/dev/null
	wait "$lpid"
	wait "$ipid"
	res=$(cat "$dir/load")
	# (iperf3 ends by our SIGINT: what it carried, not its "interrupt")
	figure "faults: $desc for $secs s: ${injected%, } allocations failed; meanwhile TCP echo round trips $(jq -r '"\(.tcp.ok) ok / \(.tcp.fail) failed, UDP echoes \(.udp.ok) ok / \(.udp.fail) lost"' <<<"$res" 2>/dev/null || echo "$res"), iperf3 $(jq -r '([.intervals[]?.sum.bytes] | add // 0) / 1048576 | floor | tostring + " MiB"' "$dir/iperf3" 2>/dev/null || echo "no result")"
	if [ -z "$short" ]; then
		ss_ok "faults: $desc: at least $FAULT_MIN allocations failed per knob (${injected%, })"
	else
		ss_fail "faults: $desc: at least $FAULT_MIN allocations failed per knob" \
			"only ${short%, } in $secs s: the round did not test what it claims"
	fi
	# ss-socksd may have given up under the faults: that is its right,
	# but say so, and start it again
	if ! kill -0 "$SOCKSD_PID" 2>/dev/null; then
		echo "# faults: ss-socksd exited under $desc: $(logtail socksd | tail -n 3)"
		# its UDP tunnel's socket goes with the kernel's relay, which
		# ends in a work item: not bound any more before we bind again
		wait_for 10 udp_gone "$NS_C" "$T_UDP"
		socksd_start
	fi
	if out=$(serves 2>&1); then
		ss_ok "faults: $desc: injection off, the relay serves again"
	else
		ss_fail "faults: $desc: injection off, the relay serves again" "$out"
	fi
}
FAULT_SECS=${HOSTILE_FAULT_SECONDS:-15}
FAULT_MIN=${HOSTILE_FAULT_MIN:-20}
# the default run's two rounds, one per knob (each round costs about 95 s
# on the debug kernel beside another guest); HOSTILE_FAULT_ROUNDS=all the
# four of the README's figures
faults() {
	if [ "${HOSTILE_FAULT_ROUNDS:-}" != all ]; then
		fault_round "failslab 10 % in the module's call chains" failslab:10
		fault_round "fail_page_alloc 10 % in the module's call chains" fail_page_alloc:10
		return
	fi
	fault_round "failslab 1 % in the module's call chains" failslab:1
	fault_round "failslab 10 % in the module's call chains" failslab:10
	fault_round "fail_page_alloc 5 % in the module's call chains" fail_page_alloc:5
	fault_round "failslab and fail_page_alloc 10 % in the module's call chains" \
		failslab:10 fail_page_alloc:10
}
if want 5; then
	if [ -e "$FI/failslab/require-start" ] && [ -e "$FI/fail_page_alloc/require-start" ]; then
		case_begin "faults"
		faults
		case_end
	else
		ss_skip "faults: failslab and fail_page_alloc during TCP and UDP relaying in both roles" \
			"no $FI/failslab or $FI/fail_page_alloc with a stack trace filter: CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC or CONFIG_FAULT_INJECTION_STACKTRACE_FILTER off (a stock kernel; the debug kernel has them)"
	fi
fi

# ---- 6. teardown under traffic ---------------------------------------------------------

# iperf_mib FILE: what an iperf3 -J run carried, in MiB, and its error
iperf_mib() {
	jq -r '(([.intervals[]?.sum.bytes] | add // 0) / 1048576 | floor | tostring) + " MiB"
		+ (if .error then " (then: \(.error))" else "" end)' "$1" 2>/dev/null || echo "no result"
}

# traffic_start DIR [ECHO_PORT UDP_PORT IPERF_PORT [NS [ADDR]]]: load.py and
# iperf3 through ss-socksd's tunnels, from the lan (or NS), until traffic_stop
traffic_start() {
	local dir=$1 te=${2:-$T_ECHO} tu=${3:-$T_UDP} ti=${4:-$T_IPERF} ns=${5:-$NS_L} addr=${6:-$C4_L}
	rm -rf "$dir"
	mkdir -p "$dir"
	ip netns exec "$ns" "$PY" "$SS_TOOLS/load.py" --tcp "$addr:$te" --udp "$addr:$tu" \
		--workers 3 --size 32768 --duration 120 --dir "$dir" >"$dir/load" 2>&1 &
	TRAFFIC_PIDS=($!)
	ip netns exec "$ns" iperf3 -c "$addr" -p "$ti" -t 60 -J >"$dir/iperf3" 2>&1 &
	TRAFFIC_PIDS+=($!)
	wait_for 20 test -e "$dir/ready"
	sleep 3
}
# traffic_stop DIR: stop the traffic; what it saw in TRAFFIC (run it in
# this shell, not in $(...): only this shell can wait for its children)
traffic_stop() {
	touch "$1/stop"
	kill "${TRAFFIC_PIDS[1]}" 2>/dev/null
	{ wait "${TRAFFIC_PIDS[@]}"; } 2>/dev/null
	if [ -s "$1/load" ]; then
		TRAFFIC=$(jq -r '"TCP echo round trips \(.tcp.ok) ok / \(.tcp.fail) failed, UDP echoes \(.udp.ok) ok / \(.udp.fail) lost"' "$1/load" 2>/dev/null ||
			cat "$1/load")
	else
		TRAFFIC="the traffic ended with its processes"
		return
	fi
	TRAFFIC+=", iperf3 $(iperf_mib "$1/iperf3")"
}

# 6a: the server, then the profile, deleted under traffic and made again
teardown_objects() {
	local dir=$TOPO_DIR/t6a out t
	traffic_start "$dir"
	t=$(stats_s main | jq .conn_active)
	ss_test "teardown: the server deleted under traffic ($t connections live)" in_s ssctl server del main
	sleep 2
	ss_test "teardown: the server added again" in_s ssctl server add main port "$PORT" \
		method "$M" password "$PW" mode tcp_and_udp
	sleep 3
	t=$(stats_c main | jq .conn_active)
	ss_test "teardown: the profile deleted under traffic ($t relays live)" in_c ssctl client del main
	# ss-socksd exits when its profile goes (its UDP tunnel ends)
	wait_for 10 bash -c "! kill -0 $SOCKSD_PID 2>/dev/null"
	topo_kill "$SOCKSD_PID"
	ss_test "teardown: the profile added again" in_c ssctl client add main server "$S4_C" \
		port "$PORT" method "$M" password "$PW"
	socksd_start
	sleep 3
	traffic_stop "$dir"
	figure "teardown: server and profile deleted and added again under traffic: $TRAFFIC"
}

# 6b: a server's netns deleted under traffic (nothing runs in it)
teardown_netns_server() {
	local dir=$TOPO_DIR/t6b out pid
	ip netns add "$NS_X" && ip netns exec "$NS_X" ip link set lo up &&
		topo_link "$NS_C" vx 10.0.5.1 fd00:5::1 "$NS_X" vc 10.0.5.2 fd00:5::2 &&
		topo_link "$NS_X" vt 10.0.6.1 fd00:6::1 "$NS_T" vx 10.0.6.2 fd00:6::2 &&
		ip netns exec "$NS_X" ssctl server add x port "$PORT" method "$M" password "$PW" mode tcp_and_udp &&
		in_c ssctl client add xp server 10.0.5.2 port "$PORT" method "$M" password "$PW" ||
		{ ss_fail "teardown: a second server netns with a server"; return; }
	topo_bg socksd-x "$NS_C" ss-socksd --client xp --tunnel "$C4_L:1090=10.0.6.2:$ECHO" \
		--tunnel "$C4_L:1091=10.0.6.2:$UDP_ECHO,udp" --tunnel "$C4_L:1092=10.0.6.2:5201"
	pid=$TOPO_LAST_PID
	wait_for 10 listening "$NS_C" 1092
	traffic_start "$dir" 1090 1091 1092
	out=$(ip netns exec "$NS_X" ssctl server show x -j | jq -c '.[0].stats | {conn_active, udp_assoc_active}')
	ss_test "teardown: the server's netns deleted under traffic ($out)" ip netns del "$NS_X"
	sleep 3
	traffic_stop "$dir"
	figure "teardown: a server's netns deleted under traffic: $TRAFFIC"
	topo_kill "$pid"
	in_c ssctl client del xp
}

# 6c: a gateway's netns deleted under traffic, its processes killed
teardown_netns_gateway() {
	local dir=$TOPO_DIR/t6c out pid
	ip netns add "$NS_G" && ip netns exec "$NS_G" ip link set lo up &&
		topo_link "$NS_G" vs 10.0.7.1 fd00:7::1 "$NS_S" vg 10.0.7.2 fd00:7::2 &&
		ip netns exec "$NS_G" ip route add default via 10.0.7.2 &&
		ip netns exec "$NS_G" ssctl client add gp server 10.0.7.2 port "$PORT" method "$M" \
			password "$PW" timeout 5 ||
		{ ss_fail "teardown: a second gateway netns with a profile"; return; }
	topo_bg socksd-g "$NS_G" ss-socksd --client gp --tunnel "127.0.0.1:1090=$T4:$ECHO" \
		--tunnel "127.0.0.1:1091=$T4:$UDP_ECHO,udp" --tunnel "127.0.0.1:1092=$T4:5201"
	pid=$TOPO_LAST_PID
	wait_for 10 listening "$NS_G" 1092
	traffic_start "$dir" 1090 1091 1092 "$NS_G" 127.0.0.1
	out=$(ip netns exec "$NS_G" ssctl client show gp -j | jq -c '.[0].stats | {conn_active, udp_assoc_active}')
	# (bash's "Killed" notices of its children would clutter the output)
	{
		ip netns pids "$NS_G" | xargs -r kill -9
		wait "$pid" "${TRAFFIC_PIDS[@]}"
	} 2>/dev/null
	ss_test "teardown: a gateway's processes killed and its netns deleted under traffic ($out)" \
		ip netns del "$NS_G"
	traffic_stop "$dir"
	figure "teardown: a gateway's netns deleted under traffic: $TRAFFIC"
}

# 6d: rmmod under traffic; the module loads again and serves
teardown_rmmod() {
	local dir=$TOPO_DIR/t6d out st
	traffic_start "$dir"
	st="$(stats_s main | jq -c '{conn_active, udp_assoc_active}') on the server, $(stats_c main | jq -c '{conn_active, udp_assoc_active}') on the profile"
	if out=$(rmmod shadowsocks 2>&1); then
		ss_ok "teardown: rmmod under traffic ($st)"
	else
		ss_fail "teardown: rmmod under traffic ($st)" "$out"
	fi
	traffic_stop "$dir"
	figure "teardown: rmmod under traffic: $TRAFFIC"
	topo_kill "$SOCKSD_PID"
	SOCKSD_PID=
	if out=$(std_up 2>&1); then
		ss_ok "teardown: the module loads again (ssctl) with the server, the profile and ss-socksd"
	else
		ss_fail "teardown: the module loads again (ssctl) with the server, the profile and ss-socksd" "$out"
	fi
}
if want 6; then
	case_begin "teardown: objects deleted under traffic"
	teardown_objects
	case_end
	case_begin "teardown: netns deleted under traffic"
	teardown_netns_server
	teardown_netns_gateway
	case_end
	case_begin "teardown: rmmod under traffic"
	teardown_rmmod
	case_end
fi

std_down
topo_kmsg_stop
elapsed "all done"
ss_done
