#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Benchmarks, run inside the VM by `selftests/vm/run --bench` (`make bench`,
# `make bench BENCH_KERNEL=KVER`), in the layout of selftests/topology.sh:
# the client netns is the gateway (the applications, iperf3 and the bench
# clients, run there too and reach the proxy's tunnel port on 127.0.0.1),
# the server netns the Shadowsocks server, the target netns the target.
# Four paths, all in one boot:
#
#   (l) shadowsocks-libev: ss-tunnel -> ss-server -> target
#   (s) ss-tunnel -> the kernel module's server -> target (server role only)
#   (k) ss-socksd --tunnel -> the module's local role -> the module's
#       server -> target (the kernel in both roles)
#   (d) direct: the server netns routes, no proxy
#
# for each of BENCH_METHODS, by default chacha20-ietf-poly1305,
# aes-256-gcm, 2022-blake3-aes-256-gcm and 2022-blake3-chacha20-poly1305, in
# that order, one method after the other (shadowsocks-libev has no 2022
# methods: for those (k) and (d) only, the kernel keyed with a random PSK;
# (l) and (s) show n/a, and the last table, 5., reads them against the
# AEAD-2017 method of the same cipher in the same boot):
#
# 1. Throughput: iperf3 through each path, both ways: "up" is client to
#    target (the server opens chunks), "down" target to client (iperf3 -R;
#    the server seals). BENCH_REPS runs of iperf3 -t BENCH_SECONDS, the
#    median. CPU is the guest's CPU time per GiB received, from /proc/stat
#    over the runs (usr = user+nice, sys = system+irq+softirq, where the
#    kernel relay's work shows up): the whole path's cost. "relay" is that
#    minus iperf3's own CPU time at both ends (from its JSON), i.e. what the
#    proxy costs, network stack included; "busy" the share of all vCPUs in
#    use (near 100: the guest is CPU-bound); "proxy" the userspace proxy
#    processes' CPU (% of one CPU: near 100 means a single-threaded
#    ss-tunnel or ss-server bounds the path), "kworker" the workqueue
#    threads' (where the kernel relay runs). "server" (as before) estimates
#    the server's own share: for (l) ss-server's CPU time, for (s) the whole
#    cost of (s) minus that of (l) without ss-server.
# 2. Connection setup rate in tunnel mode: tools/connbench.py rate,
#    BENCH_RATE_PAR connections in flight for BENCH_RATE_SECONDS (2), each
#    connects, sends 64 bytes to the target's echo service, reads them back
#    and closes; median of BENCH_REPS runs, with latency and guest CPU time
#    per connection.
# 2b. Where connection setup goes (BENCH_PARTS=profile, not in the default
#    set): one rate run per method through (k) and (l) under
#    `perf record -a -g` (cpu-clock, BENCH_PROFILE_HZ per CPU; the
#    client's start-up is sampled too), then per connection: the CPU of
#    each process (by comm), and for (k) the kernel functions of the
#    setup, each with all it calls (perf's "children"):
#    the accept work, the connection work, the netlink hand-over, the
#    transform allocation and free, the key derivation, socket creation,
#    connect, close. A sampled profile: figures under ~0.1 ms/conn are
#    within noise.
# 2c. Scaling (BENCH_PARTS=scale, not in the default set): iperf3 -P N for
#    N in BENCH_SCALE (1 2 4 8) through every path, both directions, the
#    paths interleaved, median of BENCH_REPS; summed Mbit/s, CPU per GiB,
#    and each path's N-connection rate over its 1-connection one. (s) is
#    the kernel server alone with N clients of libev's ss-tunnel.
# 2d. Wakes per MiB (BENCH_PARTS=wakes, not in the default set): iperf3
#    through (k), each direction, once at full speed (the relay is the
#    bottleneck: data is always queued) and once with the link between
#    the roles paced per packet at BENCH_WAKES_RATE (40mbit: a tbf qdisc
#    on both of its ends, which also splits GSO packets, so segments come
#    one by one as from a real NIC over a WAN, and the relay waits for
#    them), with kprobes on the module's
#    connection work (runs), its sk_data_ready (calls: the wakes TCP
#    makes), kernel_recvmsg and kernel_sendmsg (calls: both roles, both
#    sides; on 6.12 zero-copy sends go through kernel_sendmsg too), on 6.1
#    kernel_sendpage (zero-copy sends, one call per page) and
#    sock_setsockopt (the receive low-water mark set), counted
#    by perf stat, per MiB received (64 AEAD-2017 chunks of 16 KiB). The
#    probes cost CPU: no CPU figure is taken from these runs.
# 2e. Where the relay's CPU goes (BENCH_PARTS=split, not in the default
#    set; linux-perf): iperf3 through (k), each direction, under
#    `perf record -a -g` (cpu-clock, BENCH_PROFILE_HZ per CPU). The
#    relay is every sample but idle (the halt) and iperf3's own; the
#    crypto is what the module's seal and open calls take with all they
#    call. Both come from one sampling of one run: their ratio is the
#    overhead over the crypto as the relay runs it (the part `floor`'s
#    ratio also holds how much slower the same crypto runs inside the
#    relay than in tcrypt's hot loop on an idle guest: under TCG, a
#    lot). Also in the kworkers: TCP send (tcp_sendmsg, and on 6.1
#    tcp_sendpage for the zero-copy sends, with the
#    transmit and the receiver's processing it runs inline), TCP receive
#    (tcp_recvmsg), and over the whole relay the copies (memcpy) and page
#    zeroing (clear_page) as shares.
# 3. Memory per idle proxied connection, for the methods of
#    BENCH_MEM_METHODS (by default those of aes-256-gcm and
#    2022-blake3-aes-256-gcm that are in BENCH_METHODS, or the first of
#    BENCH_METHODS if neither is; BENCH_MEM_METHOD=M, the older knob, is
#    BENCH_MEM_METHODS=M when BENCH_MEM_METHODS is not set; a method not in
#    BENCH_METHODS is not run, and not measured): N (BENCH_MEM_CONNS, 1000)
#    connections through (l) (n/a for a 2022 method), (k) and (d), each
#    proven by an echo, then held idle; /proc/meminfo before and after: the
#    growth of Slab and SUnreclaim, plus the userspace proxies' RSS growth,
#    each divided by N; one table, a row per method and path. "proxy" is
#    Slab + RSS minus the direct path's Slab (the client's and the target's
#    own sockets), what the proxy costs. (d) does not depend on the method
#    but is measured again in each memory method's round, and each method's
#    "proxy" subtracts its own round's (d): a (d) measured minutes earlier,
#    before other methods' connections came and went, would compare less
#    well.
#    Then, per method, the slab caches (/proc/slabinfo: active objects
#    times object size, before and after) that moved by 16 bytes per
#    connection or more, (k) against (d), summed by kind: the sockets'
#    own caches, the general and the module's caches (the module's state
#    per connection), the rest (the processes around: noise). The VM
#    runner boots the bench's guest with slab_nomerge, so that no cache
#    shows under another's name (SLUB would merge struct ss_conn's cache
#    with files_cache, of the same size).
#    (An idle kernel relay holds no 16 KiB buffer, which would be a page
#    allocation outside the slab.) The drop of MemFree is shown too, for
#    reference: pages taken from the per-CPU free lists do not show in it.
# 4. UDP: iperf3 -u through each path (libev's ss-tunnel -u and ss-server
#    -u, the kernel server in mode tcp_and_udp, an ss-socksd UDP tunnel on
#    the port of its TCP tunnel: iperf3's control connection needs TCP to
#    the same host and port), with BENCH_UDP_SIZES (1400 64) bytes of
#    payload: 1400 is the throughput case (1400 + 32 salt + 7 address + 16
#    tag + 28 IP/UDP = 1483 bytes, no fragment on the 1500-byte veth), 64
#    the packet rate case. The sender sends as fast as it can (iperf3 -b
#    BENCH_UDP_RATE, 0: unlimited) for BENCH_UDP_SECONDS (2), which
#    overloads every proxied path: the figures are what the receiver got
#    (Mbit/s, packets/s, loss against what was sent), the median of
#    BENCH_REPS runs, in BENCH_UDP_DIRS (up; "up down" adds iperf3 -R).
#    CPU is guest CPU time per packet received; "relay" minus iperf3's own
#    (mostly the sender's busy loop, which includes handing the datagrams
#    to the first hop on loopback), the rest as in 1.
# 5. Shadowsocks 2022 against AEAD-2017: for each 2022 method run whose
#    AEAD-2017 method of the same cipher (2022-blake3-aes-128-gcm:
#    aes-128-gcm, 2022-blake3-aes-256-gcm: aes-256-gcm,
#    2022-blake3-chacha20-poly1305: chacha20-ietf-poly1305) was run too,
#    ratios 2022 / AEAD-2017 from 1. and 2.: (k)'s throughput and CPU per
#    GiB in each direction and (k)'s conn/s against the AEAD-2017 method's
#    (k), and (k)'s throughput and conn/s against its (l), libev. A figure
#    that is missing (a path n/a, a part not run) shows n/a.
#
# 0. The crypto floor (part "floor", first, before anything else runs):
#    the kernel's own speed test, tcrypt (modprobe tcrypt mode=211, 213,
#    214 and 321 sec=1), of what the data path uses, each in the
#    implementation the crypto API picks (the driver shown; the same code
#    the module gets, whose transforms /proc/crypto lists after the run):
#    gcm(aes) for the AES methods (8192-byte blocks, tcrypt's largest);
#    for the ChaCha20 methods, which call the library's ChaCha20 and
#    Poly1305, the sum of the chacha20 skcipher (4096-byte blocks) and the
#    poly1305 hash (8224-byte blocks, one update), the crypto API's
#    wrappers of that same code; the rfc7539esp(chacha20,poly1305)
#    template (8192) beside it for reference. That gives seconds of one
#    vCPU per GiB sealed and opened, the best of BENCH_FLOOR_RUNS (2)
#    runs. Against it, after 1.: each method's (k)
#    relay CPU per GiB over (seal + open) of the floor (the full path
#    seals every byte once and opens it once), and (k)'s throughput as a
#    share of the crypto-bound throughput of the CPU iperf3 leaves: the
#    CPU the guest used in those runs ("busy", all vCPUs) minus iperf3's,
#    divided by seal + open. Not the vCPUs' number: QEMU's TCG here runs
#    both vCPUs on one host thread (thread=single), so the guest never
#    gets much more than one CPU's worth, which "busy" shows (about 50 %
#    of two). The kernel's
#    command line is shown: SS_VM_APPEND=init_on_alloc=0 make bench runs
#    it without Debian's zeroing of every allocation, to size that cost.
#
# All four paths are up at once, each on its own ports, and their runs are
# interleaved (every round runs each path once), so that the load of a
# neighbour on a shared host weighs on all paths alike; memory comes first,
# one path after the other.
#
# Nothing is asserted: under QEMU TCG absolute numbers mean little (and
# SIMD code is emulated at a very different relative cost than on
# hardware); the ratios measured in one boot are what to look at. A path
# that is not available (no ss-socksd, no local role) shows n/a.
# BENCH_PARTS="floor tput udp rate mem" selects the parts (profile, scale,
# wakes and split too, if named), BENCH_PATHS="l s k d"
# the paths; `make bench BENCH_PARTS=udp` (selftests/vm/run passes the
# BENCH_* variables into the guest).

source "$(dirname "$0")/lib.sh" >/dev/null
source "$(dirname "$0")/topology.sh"

REPS=${BENCH_REPS:-3}
SECS=${BENCH_SECONDS:-4}
METHODS=(${BENCH_METHODS:-chacha20-ietf-poly1305 aes-256-gcm 2022-blake3-aes-256-gcm 2022-blake3-chacha20-poly1305})
DIRS=(${BENCH_DIRS:-up down})
PARTS=" ${BENCH_PARTS:-floor tput udp rate mem} "
PATHS=" ${BENCH_PATHS:-l s k d} "
RATE_SECS=${BENCH_RATE_SECONDS:-2}
RATE_PAR=${BENCH_RATE_PAR:-4}
FLOOR_RUNS=${BENCH_FLOOR_RUNS:-2}
PROFILE_HZ=${BENCH_PROFILE_HZ:-997}
PROFILE_TOP=${BENCH_PROFILE_TOP:-40}
SCALE_N=(${BENCH_SCALE:-1 2 4 8})
WAKES_RATE=${BENCH_WAKES_RATE:-40mbit}
# the methods whose memory is measured: BENCH_MEM_METHODS, or the one of
# BENCH_MEM_METHOD (the older knob), or by default those of aes-256-gcm and
# 2022-blake3-aes-256-gcm that are in METHODS (METHODS[0] if neither is)
if [ -n "${BENCH_MEM_METHODS:-}" ]; then
	read -ra MEM_METHODS <<<"$BENCH_MEM_METHODS"
elif [ -n "${BENCH_MEM_METHOD:-}" ]; then
	MEM_METHODS=("$BENCH_MEM_METHOD")
else
	MEM_METHODS=()
	for m in aes-256-gcm 2022-blake3-aes-256-gcm; do
		[[ " ${METHODS[*]} " == *" $m "* ]] && MEM_METHODS+=("$m")
	done
	[ ${#MEM_METHODS[@]} -gt 0 ] || MEM_METHODS=("${METHODS[0]}")
fi
MEM_N=${BENCH_MEM_CONNS:-1000}
UDP_SECS=${BENCH_UDP_SECONDS:-2}
UDP_SIZES=(${BENCH_UDP_SIZES:-1400 64})
UDP_DIRS=(${BENCH_UDP_DIRS:-up})
UDP_RATE=${BENCH_UDP_RATE:-0}
PW="bench password"
# psk_len METHOD: a Shadowsocks 2022 method's PSK length, bytes
psk_len() { [ "$1" = 2022-blake3-aes-128-gcm ] && echo 16 || echo 32; }
# sibling METHOD: the AEAD-2017 method of a Shadowsocks 2022 method's
# cipher, or nothing
sibling() {
	case $1 in
	2022-blake3-aes-128-gcm) echo aes-128-gcm ;;
	2022-blake3-aes-256-gcm) echo aes-256-gcm ;;
	2022-blake3-chacha20-poly1305) echo chacha20-ietf-poly1305 ;;
	esac
}
# in_list WORD LIST...: whether WORD is one of LIST
in_list() {
	local w=$1
	shift
	[[ " $* " == *" $w "* ]]
}
PORT=8388
LPORT=15201	# tunnel to iperf3
EPORT=15202	# tunnel to the echo service
ECHO=9100	# connbench.py serve on the target
HZ=$(getconf CLK_TCK)
NCPU=$(nproc)
CB=$SS_TOOLS/connbench.py

declare -A DESC=(
	[l]="(l) ss-tunnel → ss-server (libev)"
	[s]="(s) ss-tunnel → kernel server"
	[k]="(k) ss-socksd → kernel local → kernel server"
	[d]="(d) direct (routed, no proxy)"
)

has() { [[ $PARTS == *" $1 "* ]]; }
path_on() { [[ $PATHS == *" $1 "* ]]; }

TOPO_INIT_LINK=0
trap 'in_c ssctl client del bench >/dev/null 2>&1; in_s ssctl server del bench >/dev/null 2>&1; topo_cleanup' EXIT

# the idle connections need file descriptors: ours, and the proxies'
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# proc_ticks PID...: user+system jiffies of processes so far
proc_ticks() {
	local pid t=0
	for pid in "$@"; do
		[ -r "/proc/$pid/stat" ] && t=$((t + $(awk '{ print $14 + $15 }' "/proc/$pid/stat")))
	done
	echo $t
}

# kworker_ticks: user+system jiffies of all kworker threads so far (in
# bash: cat and awk over /proc took half a second under TCG)
kworker_ticks() {
	local f l fl t=0
	for f in /proc/[0-9]*/stat; do
		read -r l <"$f" 2>/dev/null || continue
		[[ $l == *" (kworker"* ]] || continue
		# the fields after "(comm) ", from the state (field 3) on
		fl=(${l##*) })
		t=$((t + fl[11] + fl[12]))
	done
	echo $t
}

fmt() { [ -n "$2" ] && printf "$1" "$2" || echo n/a; }

# Runs of different paths are interleaved (each round runs every path
# once), so that a neighbour's load on a shared host weighs on all of them
# alike. The A_* accumulators sum each (key, path)'s runs.
declare -A A_RATES A_BYTES A_U A_S A_IP A_WALL A_KW A_PT A_ERR A_N

# run_one KEY PATH DIR HOST PORT [PROXY_PID...]: one iperf3 run from the
# client netns (DIR down: -R), accumulated
run_one() {
	local k=$1 path=$2 dir=$3 host=$4 port=$5 out bps bytes ipc t0 t1 u0 s0 u1 s1 k0 k1 w0 j
	local rev=() par=() p0=() pid x=$1,$2
	shift 5
	[ -n "${A_ERR[$x]:-}" ] && return 1
	[ "$dir" = down ] && rev=(-R)
	[ "${IPERF_P:-1}" -gt 1 ] && par=(-P "$IPERF_P")
	t0=$(cpu_ticks)
	for pid in "$@"; do p0+=("$(proc_ticks "$pid")"); done
	k0=$(kworker_ticks)
	w0=$(date +%s.%N)
	if ! out=$(timeout $((SECS + 30)) ip netns exec "$NS_C" \
		iperf3 -J -c "$host" -p "$port" -t "$SECS" --connect-timeout 5000 "${rev[@]}" "${par[@]}" 2>&1) ||
		! bps=$(jq -er '.end.sum_received.bits_per_second' <<<"$out" 2>/dev/null); then
		A_ERR[$x]=$(jq -r '.error // empty' <<<"$out" 2>/dev/null)
		A_ERR[$x]=${A_ERR[$x]:-$(tail -n 1 <<<"$out")}
		A_ERR[$x]=${A_ERR[$x]:-failed}
		echo "# $k $path: run failed: ${A_ERR[$x]}"
		return 1
	fi
	A_WALL[$x]=$(echo "${A_WALL[$x]:-0} + $(date +%s.%N) - $w0" | bc -l)
	t1=$(cpu_ticks)
	k1=$(kworker_ticks)
	read -r u0 s0 <<<"$t0"
	read -r u1 s1 <<<"$t1"
	A_U[$x]=$((${A_U[$x]:-0} + u1 - u0))
	A_S[$x]=$((${A_S[$x]:-0} + s1 - s0))
	A_KW[$x]=$((${A_KW[$x]:-0} + k1 - k0))
	j=0
	for pid in "$@"; do
		A_PT[$x,$j]=$((${A_PT[$x,$j]:-0} + $(proc_ticks "$pid") - p0[j]))
		j=$((j + 1))
	done
	A_N[$x]=$j
	read -r bytes ipc <<<"$(jq -r '"\(.end.sum_received.bytes) \((.end.cpu_utilization_percent.host_total + .end.cpu_utilization_percent.remote_total) * .end.sum_received.seconds / 100)"' <<<"$out")"
	A_BYTES[$x]=$((${A_BYTES[$x]:-0} + bytes))
	A_IP[$x]=$(echo "${A_IP[$x]:-0} + $ipc" | bc -l)
	A_RATES[$x]+=" $bps"
	echo "# $k ${DESC[$path]%% *}: $(printf '%.0f' "$(echo "$bps / 1000000" | bc -l)") Mbit/s"
}

# result KEY PATH: sets R_MBPS (median, Mbit/s), R_USR, R_SYS and R_REL
# (CPU seconds per GiB), R_GIB (GiB received), R_BUSY, R_IPERF, R_PROXY,
# R_KW (percentages), R_PT1 (the second proxy's CPU s/GiB), or none
result() {
	local x=$1,$2 wall j
	R_MBPS= R_USR= R_SYS= R_GIB= R_REL= R_BUSY= R_IPERF= R_PROXY= R_KW= R_PT1=
	[ -z "${A_ERR[$x]:-}" ] && [ -n "${A_RATES[$x]:-}" ] || return 1
	wall=${A_WALL[$x]}
	R_MBPS=$(printf '%.1f' "$(echo "$(median ${A_RATES[$x]}) / 1000000" | bc -l)")
	R_GIB=$(echo "${A_BYTES[$x]} / 2^30" | bc -l)
	R_USR=$(echo "${A_U[$x]} / $HZ / $R_GIB" | bc -l)
	R_SYS=$(echo "${A_S[$x]} / $HZ / $R_GIB" | bc -l)
	R_REL=$(echo "((${A_U[$x]} + ${A_S[$x]}) / $HZ - ${A_IP[$x]}) / $R_GIB" | bc -l)
	R_BUSY=$(echo "100 * (${A_U[$x]} + ${A_S[$x]}) / $HZ / $wall / $NCPU" | bc -l)
	R_IPERF=$(echo "100 * ${A_IP[$x]} / $wall" | bc -l)
	# each proxy process apart: one near 100 bounds the path
	for ((j = 0; j < ${A_N[$x]:-0}; j++)); do
		R_PROXY+=${R_PROXY:++}$(printf '%.0f' "$(echo "100 * ${A_PT[$x,$j]} / $HZ / $wall" | bc -l)")
	done
	[ "${A_N[$x]:-0}" -ge 2 ] && R_PT1=$(echo "${A_PT[$x,1]} / $HZ / $R_GIB" | bc -l)
	R_KW=$(echo "100 * ${A_KW[$x]} / $HZ / $wall" | bc -l)
}

# row KEY PATH [SERVER_CPU]: a table row from the last result
declare -A MBPS CPU SRV REL IPF BUSY
TABLE=
row() {
	local k=$1 path=$2 desc=${DESC[$2]} srv=${3:-}
	if [ -n "$R_MBPS" ]; then
		MBPS[$k,$path]=$R_MBPS
		CPU[$k,$path]=$(echo "$R_USR + $R_SYS" | bc -l)
		REL[$k,$path]=$R_REL
		IPF[$k,$path]=$R_IPERF
		BUSY[$k,$path]=$R_BUSY
		[ -n "$srv" ] && SRV[$k,$path]=$srv
		printf '| %s | %s | %s | %.1f (%.1f / %.1f) | %.1f | %.0f | %.0f | %s | %.0f | %s |\n' \
			"$k" "$desc" "$R_MBPS" "${CPU[$k,$path]}" "$R_USR" "$R_SYS" "$R_REL" \
			"$R_BUSY" "$R_IPERF" "${R_PROXY:-n/a}" "$R_KW" "$(fmt %.1f "$srv")" >>"$TABLE"
	else
		printf '| %s | %s | n/a | n/a | n/a | n/a | n/a | n/a | n/a | n/a |\n' "$k" "$desc" >>"$TABLE"
	fi
}

ratio() {
	local a=${1:-} b=${2:-}
	if [ -n "$a" ] && [ -n "$b" ] && [ "$(echo "$b > 0" | bc)" = 1 ]; then
		printf '%.2f' "$(echo "$a / $b" | bc -l)"
	else
		echo n/a
	fi
}

# udp_one KEY PATH DIR SIZE HOST PORT [PROXY_PID...]: one iperf3 -u run
# from the client netns, accumulated. What arrived is the receiver's byte
# count over the datagram size; the loss is counted against the sender's
# packets (iperf3's own lost_packets misses the tail of a run lost
# entirely).
declare -A U_MBPS U_PPS U_LOSS U_PKTS U_U U_S U_IP U_WALL U_KW U_PT U_ERR U_N
udp_one() {
	local k=$1 path=$2 dir=$3 size=$4 host=$5 port=$6 x=$1,$2
	local out rc res spkts ipc rpkts pps loss mbps t0 t1 u0 s0 u1 s1 k0 k1 w0 w1 secs wall ip j pid
	local rev=() p0=()
	shift 6
	[ -n "${U_ERR[$x]:-}" ] && return 1
	[ "$dir" = down ] && rev=(-R)
	# the guest's CPU time closest around iperf3: the rest of what this
	# function does (hundreds of milliseconds under TCG) is not the path's
	for pid in "$@"; do p0+=("$(proc_ticks "$pid")"); done
	k0=$(kworker_ticks)
	t0=$(cpu_ticks)
	w0=$EPOCHREALTIME
	out=$(timeout $((UDP_SECS + 30)) ip netns exec "$NS_C" \
		iperf3 -J -u -c "$host" -p "$port" -t "$UDP_SECS" -b "$UDP_RATE" -l "$size" \
		--connect-timeout 5000 "${rev[@]}" 2>&1)
	rc=$?
	w1=$EPOCHREALTIME
	t1=$(cpu_ticks)
	if [ $rc -ne 0 ] || ! res=$(jq -er --argjson size "$size" '.end | select(.sum_sent.packets > 0) |
			.sum_received as $r | ($r.bytes / $size | floor) as $n |
			"\($n) \($r.bytes * 8 / $r.seconds / 1000000) \($n / $r.seconds) \(100 * (.sum_sent.packets - $n) / .sum_sent.packets) \(.sum_sent.packets) \((.cpu_utilization_percent.host_total + .cpu_utilization_percent.remote_total) * $r.seconds / 100)"' \
			<<<"$out" 2>/dev/null); then
		U_ERR[$x]=$(jq -r '.error // empty' <<<"$out" 2>/dev/null)
		U_ERR[$x]=${U_ERR[$x]:-$(tail -n 1 <<<"$out")}
		U_ERR[$x]=${U_ERR[$x]:-failed}
		echo "# $k ${DESC[$path]%% *}: run failed: ${U_ERR[$x]}"
		return 1
	fi
	k1=$(kworker_ticks)
	read -r u0 s0 <<<"$t0"
	read -r u1 s1 <<<"$t1"
	U_U[$x]=$((${U_U[$x]:-0} + u1 - u0))
	U_S[$x]=$((${U_S[$x]:-0} + s1 - s0))
	U_KW[$x]=$((${U_KW[$x]:-0} + k1 - k0))
	j=0
	for pid in "$@"; do
		U_PT[$x,$j]=$((${U_PT[$x,$j]:-0} + $(proc_ticks "$pid") - p0[j]))
		j=$((j + 1))
	done
	U_N[$x]=$j
	read -r rpkts mbps pps loss spkts ipc <<<"$res"
	U_PKTS[$x]=$((${U_PKTS[$x]:-0} + rpkts))
	# awk, not bc: jq may print a number as 1e-05
	read -r secs wall ip <<<"$(awk -v w0="$w0" -v w1="$w1" -v a="${U_WALL[$x]:-0}" \
		-v c="${U_IP[$x]:-0}" -v d="$ipc" \
		'BEGIN { printf "%.6f %.6f %.6f\n", w1 - w0, a + w1 - w0, c + d }')"
	U_WALL[$x]=$wall
	U_IP[$x]=$ip
	U_MBPS[$x]+=" $mbps"
	U_PPS[$x]+=" $pps"
	U_LOSS[$x]+=" $loss"
	printf '# %s %s: %.1f Mbit/s, %.0f packets/s received, %s sent, loss %.1f %%; %.1f s\n' \
		"$k" "${DESC[$path]%% *}" "$mbps" "$pps" "$spkts" "$loss" "$secs"
}

# udp_row KEY PATH: a row of UTABLE from the accumulated runs
declare -A UPPS UREL
udp_row() {
	local k=$1 path=$2 x=$1,$2 wall usr sys proxy='' j
	if [ -n "${U_ERR[$x]:-}" ] || [ -z "${U_PPS[$x]:-}" ] || [ "${U_PKTS[$x]}" -eq 0 ]; then
		printf '| %s | %s | n/a | n/a | n/a | n/a | n/a | n/a | n/a | n/a | n/a |\n' \
			"$k" "${DESC[$path]}" >>"$UTABLE"
		return
	fi
	wall=${U_WALL[$x]}
	UPPS[$x]=$(median ${U_PPS[$x]})
	# µs per packet received
	usr=$(echo "1000000 * ${U_U[$x]} / $HZ / ${U_PKTS[$x]}" | bc -l)
	sys=$(echo "1000000 * ${U_S[$x]} / $HZ / ${U_PKTS[$x]}" | bc -l)
	UREL[$x]=$(echo "1000000 * ((${U_U[$x]} + ${U_S[$x]}) / $HZ - ${U_IP[$x]}) / ${U_PKTS[$x]}" | bc -l)
	for ((j = 0; j < ${U_N[$x]:-0}; j++)); do
		proxy+=${proxy:++}$(printf '%.0f' "$(echo "100 * ${U_PT[$x,$j]} / $HZ / $wall" | bc -l)")
	done
	printf '| %s | %s | %.1f | %.0f | %.1f | %.0f (%.0f / %.0f) | %.0f | %.0f | %.0f | %s | %.0f |\n' \
		"$k" "${DESC[$path]}" "$(median ${U_MBPS[$x]})" "${UPPS[$x]}" "$(median ${U_LOSS[$x]})" \
		"$(echo "$usr + $sys" | bc -l)" "$usr" "$sys" "${UREL[$x]}" \
		"$(echo "100 * (${U_U[$x]} + ${U_S[$x]}) / $HZ / $wall / $NCPU" | bc -l)" \
		"$(echo "100 * ${U_IP[$x]} / $wall" | bc -l)" "${proxy:-n/a}" \
		"$(echo "100 * ${U_KW[$x]} / $HZ / $wall" | bc -l)" >>"$UTABLE"
}

# tcp_drops: "listen-overflows syn-retransmits" summed over the namespaces
tcp_drops() {
	local ns
	for ns in "$NS_C" "$NS_S" "$NS_T"; do
		ip netns exec "$ns" nstat -asz TcpExtListenOverflows TcpExtTCPSynRetrans
	done | awk '/ListenOverflows/ { o += $2 } /SynRetrans/ { r += $2 } END { print o + 0, r + 0 }'
}

# srow KEY N PATH: a row of STABLE (scaling: N parallel connections) from
# result()'s figures
declare -A SMBPS
STABLE=$TOPO_DIR/bench-scale
srow() {
	local k=$1 n=$2 path=$3
	if [ -n "$R_MBPS" ]; then
		SMBPS[$k,$n,$path]=$R_MBPS
		printf '| %s | %s | %s | %s | %.1f | %.1f | %.0f | %.0f |\n' "$k" "$n" "${DESC[$path]}" \
			"$R_MBPS" "$(echo "$R_USR + $R_SYS" | bc -l)" "$R_REL" "$R_BUSY" "$R_KW" >>"$STABLE"
	else
		printf '| %s | %s | %s | n/a | n/a | n/a | n/a | n/a |\n' "$k" "$n" "${DESC[$path]}" >>"$STABLE"
	fi
}

# rate_one METHOD PATH HOST:PORT: one connection-rate run, accumulated
declare -A RA_RATES RA_P50 RA_P99 RA_CONNS RA_TICKS RA_ERR RA_DROPS RATE RCPU
rate_one() {
	local k=$1 path=$2 to=$3 x=$1,$2 out r t0 t1 u0 s0 u1 s1 d0 d1 o0 r0 o1 r1
	[ -n "${RA_ERR[$x]:-}" ] && return 1
	d0=$(tcp_drops)
	t0=$(cpu_ticks)
	out=$(timeout $((RATE_SECS + 60)) ip netns exec "$NS_C" "$PY" "$CB" --timeout 20 rate \
		--connect "$to" --seconds "$RATE_SECS" --parallel "$RATE_PAR" 2>&1)
	t1=$(cpu_ticks)
	d1=$(tcp_drops)
	if ! r=$(jq -er 'select(.errors == 0) | .rate' <<<"$out" 2>/dev/null); then
		echo "# $k ${DESC[$path]%% *} connections: run failed: $out"
		RA_ERR[$x]=1
		return 1
	fi
	read -r u0 s0 <<<"$t0"
	read -r u1 s1 <<<"$t1"
	read -r o0 r0 <<<"$d0"
	read -r o1 r1 <<<"$d1"
	RA_RATES[$x]+=" $r"
	RA_P50[$x]+=" $(jq -r .lat_ms_p50 <<<"$out")"
	RA_P99[$x]+=" $(jq -r .lat_ms_p99 <<<"$out")"
	RA_CONNS[$x]=$((${RA_CONNS[$x]:-0} + $(jq -r .conns <<<"$out")))
	RA_TICKS[$x]=$((${RA_TICKS[$x]:-0} + u1 - u0 + s1 - s0))
	# a SYN dropped costs its connection a second (the initial RTO)
	echo "# $k ${DESC[$path]%% *} connections: $r conn/s, latency p50 $(jq -r .lat_ms_p50 <<<"$out") ms," \
		"p99 $(jq -r .lat_ms_p99 <<<"$out") ms; listen queue overflows $((o1 - o0)), SYN retransmits $((r1 - r0))"
}

# The kernel functions the setup profile reports, with what they stand for:
# each with everything it calls. Names that are inlined or absent in a
# kernel show no samples.
PROFILE_SYMS=(
	"ss_listen_accept_work:accept work (the local role's listener)"
	"shadowsocks_nl_relay_new_doit:netlink hand-over (RELAY_NEW)"
	"ss_conn_work:connection work (both roles: headers, relay, close)"
	"ss_cipher_init:cipher init (key derivation, transform)"
	"crypto_alloc_aead:crypto_alloc_aead"
	"crypto_destroy_tfm:transform free"
	"ss_hkdf_sha1:HKDF-SHA1 (AEAD-2017 subkeys)"
	"ss_blake3_derive_salted:BLAKE3 key derivation (2022 subkeys)"
	"__sock_create:socket creation"
	"inet_stream_connect:connect"
	"inet_accept:accept"
	"inet_release:close"
	"netlink_sendmsg:netlink sendmsg (all)"
)

# profile_one METHOD PATH HOST:PORT: one rate run under perf record; a
# section of PROFILES: CPU ms per connection by process, and for the
# kernel's own setup functions
PROFILES=$TOPO_DIR/bench-profiles
profile_one() {
	local m=$1 path=$2 to=$3 data out conns rate total e sym what ch
	if ! command -v perf >/dev/null; then
		echo "# profile: no perf (Debian's linux-perf): skipped"
		return 1
	fi
	data=$(mktemp "$TOPO_DIR/perf.XXXXXX")
	# perf runs the client: its start-up (python's imports) is sampled too
	# and divided over the connections. (A window in the middle of a
	# longer run was tried: perf's own start-up under TCG outlasted it.)
	timeout $((RATE_SECS + 90)) perf record -q -a -g -F "$PROFILE_HZ" -e cpu-clock -o "$data" -- \
		ip netns exec "$NS_C" "$PY" "$CB" --timeout 20 rate --connect "$to" \
		--seconds "$RATE_SECS" --parallel "$RATE_PAR" >"$data.out" 2>&1
	out=$(grep '^{' "$data.out")
	if ! conns=$(jq -er 'select(.errors == 0) | .conns' <<<"$out" 2>/dev/null) ||
		[ "$conns" = 0 ] || [ ! -s "$data" ]; then
		echo "# $m ${DESC[$path]%% *} profile: run failed: $(tail -n 3 "$data.out" | tr '\n' ' ')"
		rm -f "$data" "$data.out"
		return 1
	fi
	rate=$(jq -r .rate <<<"$out")
	# all samples (idle ones are swapper's): total CPU time sampled
	total=$(perf report -i "$data" -q --stdio --no-children -n --sort comm -g none 2>/dev/null |
		awk '{ n += $2 } END { print n + 0 }')
	{
		echo
		echo "#### $m, ${DESC[$path]}: $conns connections, $rate conn/s"
		echo
		echo "| process or function | CPU ms/conn | share of busy CPU |"
		echo "|---|---|---|"
		perf report -i "$data" -q --stdio --no-children -n --sort comm -g none 2>/dev/null |
			awk -v hz="$PROFILE_HZ" -v c="$conns" '
				{ comm = $3; for (i = 4; i <= NF; i++) comm = comm " " $i
				  sub(/\/.*/, "", comm)	# kworker/u4:1 -> kworker
				  if (comm == "swapper") next
				  n[comm] += $2; busy += $2 }
				END { for (k in n) if (n[k] * 1000 / hz / c >= 0.05)
					printf "| %s (process) | %.2f | %.0f%% |\n", k, n[k] * 1000 / hz / c, 100 * n[k] / busy
				      printf "| all but idle | %.2f | 100%% |\n", busy * 1000 / hz / c }' | sort -t'|' -k3 -gr
		if [ "$path" = k ]; then
			perf report -i "$data" -q --stdio --children --sort sym -g none 2>/dev/null >"$data.sym"
			for e in "${PROFILE_SYMS[@]}"; do
				sym=${e%%:*}
				what=${e#*:}
				ch=$(awk -v s="$sym" '$NF == s { sub(/%/, "", $1); print $1; exit }' "$data.sym")
				[ -n "$ch" ] || ch=0
				printf '| %s (`%s`) | %.2f | |\n' "$what" "$sym" \
					"$(echo "$ch / 100 * $total * 1000 / $PROFILE_HZ / $conns" | bc -l)"
			done
		fi
		# the rest, for a closer look: the heaviest functions of the
		# run with all they call, nested as they are
		[ -s "$data.sym" ] ||
			perf report -i "$data" -q --stdio --children --sort sym -g none 2>/dev/null >"$data.sym"
		echo
		echo "The $PROFILE_TOP functions (kernel [k] and user [.]) of the most CPU with all they call, ms/conn (idle left out):"
		echo
		awk -v t="$total" -v hz="$PROFILE_HZ" -v c="$conns" -v top="$PROFILE_TOP" '
			$NF ~ /idle|halt|^(cpu_startup_entry|secondary_startup_64_no_verify|start_secondary|rest_init|start_kernel|x86_64_start_kernel|x86_64_start_reservations|arch_call_rest_init)$/ { next }
			{ sub(/%/, "", $1); printf "    %7.2f  %s %s\n", $1 / 100 * t * 1000 / hz / c, $(NF - 1), $NF
			  if (++n >= top) exit }' "$data.sym"
		rm -f "$data.sym"
	} >>"$PROFILES"
	rm -f "$data" "$data.out"
}

# wakes_one METHOD DIR RATE HOST PORT: one iperf3 run (RATE: tbf's rate on
# the client-server link, or 0 for full speed) under perf stat with the
# module's kprobes; a row of WTABLE
WTABLE=$TOPO_DIR/bench-wakes
WAKE_EVENTS=(work:ss_conn_work ready:ss_conn_data_ready recv:kernel_recvmsg
	send:kernel_sendmsg sendpage:kernel_sendpage lowat:sock_setsockopt)
wakes_one() {
	local m=$1 d=$2 rate=$3 host=$4 port=$5 tr=/sys/kernel/tracing e ev=() rev=() out st mib line
	if ! command -v perf >/dev/null; then
		echo "# wakes: no perf (Debian's linux-perf): skipped"
		return 1
	fi
	mountpoint -q "$tr" || mount -t tracefs nodev "$tr" || return 1
	for e in "${WAKE_EVENTS[@]}"; do
		# kernel_sendpage is gone from 6.12 (its column reads n/a)
		ksym_defined "${e#*:}" || continue
		echo "p:ssbench/${e%%:*} ${e#*:}" >>"$tr/kprobe_events" || return 1
		ev+=(-e "ssbench:${e%%:*}")
	done
	[ "$d" = down ] && rev=(-R)
	if [ "$rate" != 0 ]; then
		in_c tc qdisc add dev vs root tbf rate "$rate" burst 3000 latency 200ms &&
			in_s tc qdisc add dev vc root tbf rate "$rate" burst 3000 latency 200ms ||
			echo "# $m $d wakes: tc tbf $rate failed"
	fi
	st=$(mktemp "$TOPO_DIR/wakes.XXXXXX")
	out=$(timeout $((SECS + 60)) perf stat -a -x, -o "$st" "${ev[@]}" -- \
		ip netns exec "$NS_C" iperf3 -J -c "$host" -p "$port" -t "$SECS" \
		--connect-timeout 5000 "${rev[@]}" 2>&1)
	in_c tc qdisc del dev vs root 2>/dev/null
	in_s tc qdisc del dev vc root 2>/dev/null
	for e in "${WAKE_EVENTS[@]}"; do
		echo "-:ssbench/${e%%:*}" >>"$tr/kprobe_events" 2>/dev/null
	done
	if ! mib=$(jq -er '.end.sum_received.bytes / 1048576' <<<"$out" 2>/dev/null); then
		echo "# $m $d wakes: run failed: $(tail -n 1 <<<"$out")"
		rm -f "$st"
		return 1
	fi
	line="| $m | $d | $([ "$rate" = 0 ] && echo "full speed" || echo "tbf $rate") |"
	line+=" $(printf '%.1f' "$(jq -r '.end.sum_received.bits_per_second / 1000000' <<<"$out")") |"
	for e in "${WAKE_EVENTS[@]}"; do
		line+=" $(awk -F, -v e="ssbench:${e%%:*}" -v mib="$mib" \
			'$3 == e { printf "%.1f", $1 / mib; f = 1 } END { if (!f) printf "n/a" }' "$st") |"
	done
	echo "$line" >>"$WTABLE"
	rm -f "$st"
}

# split_one METHOD DIR HOST PORT: one iperf3 run under perf record; a row
# of STABLE_SPLIT
STABLE_SPLIT=$TOPO_DIR/bench-split
SPLIT_CRYPTO=(ss_cipher_seal ss_cipher_open ss_cipher_open_pieces)
split_one() {
	local m=$1 d=$2 host=$3 port=$4 rev=() data out
	if ! command -v perf >/dev/null; then
		echo "# split: no perf (Debian's linux-perf): skipped"
		return 1
	fi
	[ "$d" = down ] && rev=(-R)
	data=$(mktemp "$TOPO_DIR/perf.XXXXXX")
	out=$(timeout $((SECS + 90)) perf record -q -a -g -F "$PROFILE_HZ" -e cpu-clock -o "$data" -- \
		ip netns exec "$NS_C" iperf3 -J -c "$host" -p "$port" -t "$SECS" \
		--connect-timeout 5000 "${rev[@]}" 2>&1)
	if ! jq -e '.end.sum_received.bytes > 0' <<<"$out" >/dev/null 2>&1 || [ ! -s "$data" ]; then
		echo "# $m $d split: run failed: $(tail -n 1 <<<"$out")"
		rm -f "$data"
		return 1
	fi
	# samples by comm and symbol, self and with children
	perf report -i "$data" -q --stdio --no-children -n --sort comm,sym -g none 2>/dev/null >"$data.self"
	perf report -i "$data" -q --stdio --children -n --sort comm,sym -g none 2>/dev/null >"$data.ch"
	awk -v m="$m" -v d="$d" -v mbps="$(jq -r '.end.sum_received.bits_per_second / 1000000' <<<"$out")" \
		-v crypto=" ${SPLIT_CRYPTO[*]} " '
		# rows: self% samples comm [k] sym; with children: children%
		# self% self-samples comm [k] sym
		function parse(ch) {
			if (ch) { n = $1; sub(/%/, "", n); n = n * total / 100 }
			else n = $2
			comm = ch ? $4 : $3; sym = $NF
			sub(/\/.*/, "", comm)
		}
		FNR == 1 { file++ }
		file == 1 {
			parse(0); total += n
			if (sym ~ /^(native_safe_halt|default_idle|acpi_idle_do_entry|mwait_idle_with_hints|pv_native_safe_halt|cpu_idle_poll)$/ ||
			    (comm == "swapper" && sym ~ /idle|halt/)) idle += n
			else if (comm == "iperf3") iperf += n
			if (sym ~ /^memcpy/ && comm != "iperf3") cp += n
			if (sym ~ /^clear_page/ && comm != "iperf3") zero += n
			next
		}
		{
			parse(1)
			if (comm != "kworker") next
			if (index(crypto, " " sym " ")) cr += n
			# the zero-copy sends of 6.1: tcp_sendpage, beside tcp_sendmsg
			if (sym == "tcp_sendmsg" || sym == "tcp_sendpage") snd += n
			if (sym == "tcp_recvmsg") rcv += n
		}
		END {
			relay = total - idle - iperf
			if (relay <= 0 || cr <= 0) { printf "| %s | %s | %.1f | n/a | n/a | n/a | n/a | n/a | n/a |\n", m, d, mbps; exit }
			printf "| %s | %s | %.1f | %.0f%% | %.2f | %.0f%% | %.0f%% | %.0f%% | %.0f%% |\n", m, d, mbps,
				100 * cr / relay, relay / cr, 100 * snd / relay, 100 * rcv / relay,
				100 * cp / relay, 100 * zero / relay
		}' "$data.self" "$data.ch" >>"$STABLE_SPLIT"
	rm -f "$data" "$data.self" "$data.ch"
}

# rate_row METHOD PATH: a row of RTABLE from the accumulated runs
rate_row() {
	local k=$1 path=$2 x=$1,$2
	if [ -n "${RA_ERR[$x]:-}" ] || [ -z "${RA_RATES[$x]:-}" ]; then
		printf '| %s | %s | n/a | n/a | n/a | n/a |\n' "$k" "${DESC[$path]}" >>"$RTABLE"
		return
	fi
	RATE[$x]=$(median ${RA_RATES[$x]})
	RCPU[$x]=$(echo "1000 * ${RA_TICKS[$x]} / $HZ / ${RA_CONNS[$x]}" | bc -l)
	printf '| %s | %s | %.0f | %s | %s | %.2f |\n' "$k" "${DESC[$path]}" "${RATE[$x]}" \
		"$(median ${RA_P50[$x]})" "$(median ${RA_P99[$x]})" "${RCPU[$x]}" >>"$RTABLE"
}

# meminfo: "MemFree Slab SUnreclaim" in KiB
meminfo() {
	awk '/^MemFree:/ { f = $2 } /^Slab:/ { s = $2 } /^SUnreclaim:/ { u = $2 } END { print f, s, u }' /proc/meminfo
}

# slabs: each slab cache's bytes in use, "NAME BYTES" (active objects
# times the object size; /proc/slabinfo)
slabs() {
	awk 'NR > 2 { print $1, $2 * $4 }' /proc/slabinfo
}

# slab_growth BEFORE AFTER N: "NAME BYTES" per connection of each cache
# that grew or shrank by 16 bytes per connection or more
slab_growth() {
	awk -v n="$3" 'NR == FNR { b[$1] = $2; next }
		{ d = ($2 - b[$1]) / n; if (d >= 16 || d <= -16) printf "%s %.0f\n", $1, d }' "$1" "$2"
}

# rss PID...: the processes' resident memory, KiB
rss() {
	local pid t=0
	for pid in "$@"; do
		[ -r "/proc/$pid/status" ] && t=$((t + $(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")))
	done
	echo $t
}

# settle: until the connections of earlier measurements are gone (the
# kernel relay closes its sockets after TCP has, and frees them later), so
# that their memory is not freed during the next measurement
settle() {
	local ns n quiet=0 deadline=$((SECONDS + 30))
	while [ $quiet -lt 3 ] && [ $SECONDS -lt $deadline ]; do
		n=0
		for ns in "$NS_C" "$NS_S" "$NS_T"; do
			n=$((n + $(ip netns exec "$ns" ss -Htn state established state syn-sent \
				state syn-recv state fin-wait-1 state fin-wait-2 state close-wait \
				state last-ack state closing | wc -l)))
		done
		if [ "$n" -eq 0 ]; then quiet=$((quiet + 1)); else quiet=0; fi
		sleep 1
	done
}

# memory LABEL METHOD PATH HOST:PORT [CHECK_CMD]: MEM_N idle connections
# through a path, held while memory is read; PROXY_PIDS are the userspace
# proxies; CHECK_CMD runs while they are held (e.g. show the kernel's
# counters). The results are keyed "METHOD,PATH".
declare -A MSLAB MUNREC MUSED MRSS MOPEN MCACHE
memory() {
	local label=$1 x=$2,$3 to=$4 check=${5:-} dir pid f0 s0 u0 r0 f1 s1 u1 r1 n out
	settle
	dir=$(mktemp -d "$TOPO_DIR/idle.XXXXXX")
	ip netns exec "$NS_C" "$PY" "$CB" --timeout 300 idle --connect "$to" --n "$MEM_N" \
		--hold "$dir" >"$dir/out" 2>&1 &
	pid=$!
	wait_for 30 test -e "$dir/started"
	sleep 2
	read -r f0 s0 u0 <<<"$(meminfo)"
	slabs >"$dir/slab0"
	r0=$(rss "${PROXY_PIDS[@]}")
	touch "$dir/open"
	if ! wait_for 300 test -e "$dir/ready"; then
		echo "# $label: the client did not get its connections open"
		touch "$dir/go"
		wait "$pid"
		return 1
	fi
	sleep 3
	read -r f1 s1 u1 <<<"$(meminfo)"
	slabs >"$dir/slab1"
	r1=$(rss "${PROXY_PIDS[@]}")
	n=$(jq -r .open "$dir/ready.json")
	echo "# $label: $n of $MEM_N connections open in $(jq -r .seconds "$dir/ready.json") s;" \
		"MemFree -$((f0 - f1)) KiB, Slab +$((s1 - s0)) KiB, SUnreclaim +$((u1 - u0)) KiB," \
		"proxy RSS +$((r1 - r0)) KiB"
	[ -n "$check" ] && eval "$check" | sed "s/^/# $label: /"
	touch "$dir/go"
	wait "$pid"
	out=$(cat "$dir/out")
	echo "# $label: client: $out"
	if [ "$n" -gt 0 ] 2>/dev/null; then
		MOPEN[$x]=$n
		MSLAB[$x]=$(echo "($s1 - $s0) / $n" | bc -l)
		MUNREC[$x]=$(echo "($u1 - $u0) / $n" | bc -l)
		MUSED[$x]=$(echo "($f0 - $f1) / $n" | bc -l)
		MCACHE[$x]=$(slab_growth "$dir/slab0" "$dir/slab1" "$n")
		[ ${#PROXY_PIDS[@]} -gt 0 ] && MRSS[$x]=$(echo "($r1 - $r0) / $n" | bc -l)
	fi
	# let the relays close before the next measurement
	sleep 2
	return 0
}

# slab_tables: for each memory method measured on (k) and (d), the slab
# caches that grew by 16 bytes per connection or more on either, (k)
# minus (d): what the proxy adds, by cache, of three kinds: the sockets'
# own caches (TCP, TCPv6, sock_inode_cache, their LSM blobs and the like:
# the proxy's four sockets per connection, (d)'s two); the general caches
# and the module's own (kmalloc-*, ss_conn): the module's state (struct
# ss_conn, cipher transforms and requests); and the rest, which moves with
# the processes around (page tables, files; noise to this question).
SOCKET_CACHES='^(TCP|TCPv6|UDP|UDPv6|sock_inode_cache|lsm_inode_cache|lsm_file_cache|request_sock_.*|tw_sock_.*|tcp_bind.*|inet_peer.*|skbuff_.*|ip_dst_cache|ip6_dst_cache|dentry|filp|eventpoll_.*|kernfs_node_cache)$'
MODULE_CACHES='^(kmalloc-.*|kmalloc-cg-.*|dma-kmalloc-.*|ss_conn)$'
slab_tables() {
	local m
	for m in "${MEM_METHODS[@]}"; do
		[ -n "${MOPEN[$m,k]:-}" ] && [ -n "${MOPEN[$m,d]:-}" ] || continue
		echo
		echo "$m: slab by cache, bytes per idle connection ((k) minus (d); caches that moved by"
		echo "16 bytes per connection or more on either path)"
		echo
		echo "| cache | (k) | (d) | (k) - (d) | kind |"
		echo "|---|---|---|---|---|"
		awk -v sre="$SOCKET_CACHES" -v mre="$MODULE_CACHES" '
			!NF { next }
			NR == FNR { k[$1] = $2; all[$1] = 1; next }
			{ d[$1] = $2; all[$1] = 1 }
			END {
				for (c in all) {
					x = k[c] - d[c]
					kind = c ~ sre ? "socket" : c ~ mre ? "module" : "other"
					printf "%d\t| %s | %d | %d | %d | %s |\n", -x, c, k[c], d[c], x, kind
					sum[kind] += x
				}
				printf "999999997\t| **module state** (kmalloc, ss_conn) | | | %d (%.1f KiB) | module |\n",
					sum["module"], sum["module"] / 1024
				printf "999999998\t| **sockets** | | | %d | socket |\n", sum["socket"]
				printf "999999999\t| **other** | | | %d | other |\n", sum["other"]
			}' <(printf '%s\n' "${MCACHE[$m,k]}") <(printf '%s\n' "${MCACHE[$m,d]}") |
			sort -n | cut -f2-
	done
}

# floor_of METHOD: "TRANSFORM KEYBITS" of tcrypt's test of the cipher the
# method's TCP data path uses
floor_of() {
	case $1 in
	aes-128-gcm | 2022-blake3-aes-128-gcm) echo "gcm(aes) 128" ;;
	aes-192-gcm) echo "gcm(aes) 192" ;;
	aes-256-gcm | 2022-blake3-aes-256-gcm) echo "gcm(aes) 256" ;;
	chacha20-ietf-poly1305 | 2022-blake3-chacha20-poly1305)
		# what the module calls: the library's ChaCha20 and Poly1305
		echo "chacha20 + poly1305 256" ;;
	esac
}

# crypto_floor: run tcrypt's speed tests; fill FLOOR[TRANSFORM KEYBITS
# seal|open] (s of one vCPU per GiB at the test's largest block),
# FLOOR_DRV[TRANSFORM KEYBITS] and FLOOR_BLK[TRANSFORM KEYBITS]. The
# ChaCha20 methods' floor is the sum of the library's two primitives,
# through the crypto API's wrappers of the same code: chacha20 (mode 214,
# an skcipher; decrypting is the same operation) and poly1305 (mode 321,
# a hash over the ciphertext either way); the rfc7539esp template (213),
# which the module no longer uses, is measured beside it for reference.
declare -A FLOOR FLOOR_DRV FLOOR_BLK
crypto_floor() {
	local from mode run tr bits dir blk rate drv key s c p
	from=$(dmesg | wc -l)
	for ((run = 0; run < FLOOR_RUNS; run++)); do
		for mode in 211 213 214 321; do
			# tcrypt never stays loaded: modprobe always fails
			# (EAGAIN) after the tests; its results are in the
			# kernel log
			modprobe tcrypt mode=$mode sec=1 >/dev/null 2>&1
		done
	done
	# the best of the runs: a neighbour's load only ever slows one down
	while read -r tr bits dir blk rate drv; do
		key="$tr $bits"
		s=$(echo "2^30 / $rate" | bc -l)
		if [ -z "${FLOOR[$key $dir]:-}" ] || [ "$(echo "$s < ${FLOOR[$key $dir]}" | bc)" = 1 ]; then
			FLOOR[$key $dir]=$s
		fi
		FLOOR_DRV[$key]=$drv
		FLOOR_BLK[$key]=$blk
	done < <(dmesg | tail -n +$((from + 1)) | awk '
		/testing speed of / {
			sub(/.*testing speed of /, "")
			sub(/^(async|sync|multibuffer) /, "")
			hblk = 0
			alg = $1; drv = substr($2, 2, length($2) - 2)
			dir = $3 == "encryption" ? "seal" : $3 == "decryption" ? "open" : "hash"
			next
		}
		/test [0-9]+ \([0-9]+ bit key, [0-9]+ byte blocks\): [0-9]+ operations in [0-9]+ seconds \([0-9]+ bytes\)/ {
			sub(/.*test [0-9]+ \(/, "")
			bits = $1; blk = $4
			split($0, a, "(")
			bytes = a[2] + 0; secs = $(NF - 3) + 0
			if (secs > 0 && bytes > 0)
				add(alg " " bits " " dir, blk + 0, bytes / secs)
		}
		# a hash: "test 11 ( 8224 byte blocks, 8224 bytes per update,
		# 1 updates): N opers/sec, B bytes/sec", only one update per
		# block taken; the figures often land on a line of their own
		/test *[0-9]+ \( *[0-9]+ byte blocks, *[0-9]+ bytes per update, *[0-9]+ updates\):/ {
			hblk = 0
			if ($0 !~ /, *1 updates\):/)
				next
			t = $0
			sub(/.*test *[0-9]+ \( */, "", t)
			hblk = t + 0
		}
		hblk && /[0-9]+ opers\/sec, *[0-9]+ bytes\/sec/ {
			if ($(NF - 1) + 0 > 0)
				add(alg " 0 " dir, hblk, $(NF - 1) + 0)
			hblk = 0
		}
		function add(k, blk, rate) {
			if (blk > max[k])
				max[k] = blk
			n++; key[n] = k; b[n] = blk
			line[n] = k " " blk " " rate " " drv
		}
		END {	# each run of the largest block
			for (i = 1; i <= n; i++)
				if (b[i] == max[key[i]])
					print line[i]
		}')
	# the library ChaCha20-Poly1305: one pass of each primitive per byte
	c="chacha20 256"
	p="poly1305 0"
	if [ -n "${FLOOR[$c seal]:-}" ] && [ -n "${FLOOR[$p hash]:-}" ]; then
		key="chacha20 + poly1305 256"
		FLOOR[$key seal]=$(echo "${FLOOR[$c seal]} + ${FLOOR[$p hash]}" | bc -l)
		FLOOR[$key open]=${FLOOR[$key seal]}
		FLOOR_DRV[$key]="${FLOOR_DRV[$c]} + ${FLOOR_DRV[$p]}"
		FLOOR_BLK[$key]="${FLOOR_BLK[$c]} / ${FLOOR_BLK[$p]}"
	fi
}

floor_table() {
	local m key seen=" "
	echo
	echo "### Crypto floor: tcrypt (modprobe tcrypt mode=211/213/214/321 sec=1), the largest block of each test, best of $FLOOR_RUNS"
	echo
	echo "Seconds of one vCPU per GiB: the least a byte can cost to seal or open, in this boot."
	echo "The ChaCha20 methods' floor is chacha20 + poly1305 (the library primitives the module"
	echo "calls, 4096-byte and 8224-byte blocks); the rfc7539esp template over the same code, for reference."
	echo "Kernel command line: $(tr ' ' '\n' </proc/cmdline | grep -E '^init_on_(alloc|free)=' | tr '\n' ' ')$(grep -qE 'init_on_alloc=' /proc/cmdline || echo "(no init_on_alloc=: the kernel's default, Debian's: on)")"
	echo
	echo "| transform, key bits | driver | block bytes | seal s/GiB | open s/GiB | seal + open s/GiB |"
	echo "|---|---|---|---|---|---|"
	for m in "${METHODS[@]}" rfc7539esp; do
		if [ "$m" = rfc7539esp ]; then
			key="rfc7539esp(chacha20,poly1305) 288"	# 256 + the 32-bit nonce salt
			[ -n "${FLOOR[$key seal]:-}" ] || continue
		else
			key=$(floor_of "$m")
		fi
		[ -n "$key" ] && [[ $seen != *" $key "* ]] || continue
		seen+="$key "
		if [ -n "${FLOOR[$key seal]:-}" ] && [ -n "${FLOOR[$key open]:-}" ]; then
			printf '| %s | %s | %s | %.2f | %.2f | %.2f |\n' "$key" "${FLOOR_DRV[$key]}" \
				"${FLOOR_BLK[$key]}" "${FLOOR[$key seal]}" "${FLOOR[$key open]}" \
				"$(echo "${FLOOR[$key seal]} + ${FLOOR[$key open]}" | bc -l)"
		else
			echo "| $key | n/a (tcrypt gave no figure) | | n/a | n/a | n/a |"
		fi
	done
	echo
	echo "The transforms instantiated (/proc/crypto, after the runs: tcrypt's; the module's gcm(aes) ones;"
	echo "the module's ChaCha20 methods use the library, no transform):"
	echo
	awk -F' *: ' '/^name/ { n = $2 } /^driver/ { d = $2 } /^priority/ { p = $2 }
		/^$/ { if (n ~ /^(gcm\(aes\)|chacha20|poly1305|rfc7539\(chacha20,poly1305\)|rfc7539esp\(chacha20,poly1305\))$/ && !s[n d]++)
			printf "    %s: %s (priority %s)\n", n, d, p; n = d = p = "" }' /proc/crypto
}

echo "# Shadowsocks benchmark: server role, and the full path with the kernel in both roles"
echo "# date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), kernel $(uname -r), $NCPU vCPUs"
if has floor; then
	echo "# the crypto floor: tcrypt ..."
	crypto_floor
fi
if ! out=$(topo_setup 2>&1); then
	echo "topology set-up failed: $out"
	exit 1
fi
# the direct path: the server netns routes between its two links
in_s sysctl -qw net.ipv4.ip_forward=1
in_c ip route add 10.0.2.0/24 via "$S4_C"
in_t ip route add 10.0.1.0/24 via "$S4_T"
# thousands of short connections: room for ports in TIME_WAIT
for ns in "$NS_C" "$NS_S" "$NS_T"; do
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_local_port_range="1024 65000" \
		net.ipv4.tcp_tw_reuse=1 net.core.somaxconn=4096
done
topo_bg connbench "$NS_T" "$PY" "$CB" serve --port "$ECHO"
wait_for 30 listening "$NS_T" "$ECHO" || { echo "connbench.py serve did not start"; exit 1; }

# the kernel's local role: ss-socksd and client profiles
KPATH_WHY=
if ! command -v ss-socksd >/dev/null; then
	KPATH_WHY="no ss-socksd in PATH"
fi
path_on k || KPATH_WHY="not selected (BENCH_PATHS)"

TABLE=$TOPO_DIR/table
RTABLE=$TOPO_DIR/rtable
UTABLE=$TOPO_DIR/utable
: >"$TABLE"
: >"$RTABLE"
: >"$UTABLE"
KERNEL_OK=1
KEYS=()
UKEYS=()
# the UDP part: the iperf3 tunnels carry UDP too, on the same port
UOPT=() SMODE=()
if has udp; then
	UOPT=(-u)
	SMODE=(mode tcp_and_udp)
fi
# every path's own ports: all four are up at once
PORT_L=8389			# ss-server; the kernel server is on $PORT
LPORT_L=15211 EPORT_L=15212	# ss-tunnel to ss-server: iperf3, echo
LPORT_S=15221 EPORT_S=15222	# ss-tunnel to the kernel server
# ss-socksd: $LPORT and $EPORT
for m in "${METHODS[@]}"; do
	for d in "${DIRS[@]}"; do KEYS+=("$m $d"); done
	for z in "${UDP_SIZES[@]}"; do
		for d in "${UDP_DIRS[@]}"; do UKEYS+=("$m $z B $d"); done
	done
	mem=0
	has mem && in_list "$m" "${MEM_METHODS[@]}" && mem=1
	P=()	# the paths up for this method
	UP=()	# the paths up for UDP
	spid= tpid= epid= tspid= espid=
	# the module's key: a 2022 method's is a base64 PSK (no password)
	KOPT=(password "$PW")
	[[ $m == 2022-* ]] && KOPT=(key "$(openssl rand -base64 "$(psk_len "$m")")")

	# (l) libev: ss-tunnel -> ss-server. shadowsocks-libev has no
	# Shadowsocks 2022 methods: for those, (k) against (d), and against
	# the AEAD-2017 method of the same cipher in the same boot.
	if [[ $m == 2022-* ]]; then
		echo "# $m (l), (s): n/a: shadowsocks-libev has no Shadowsocks 2022 methods"
	else
		topo_bg "ss-server-$m" "$NS_S" ss-server -s 0.0.0.0 -p "$PORT_L" -k "$PW" -m "$m" -t 300 \
			"${UOPT[@]}"
		spid=$TOPO_LAST_PID
		topo_bg "ss-tunnel-$m" "$NS_C" ss-tunnel -s "$S4_C" -p "$PORT_L" -b 127.0.0.1 \
			-l "$LPORT_L" -L "$T4:5201" -k "$PW" -m "$m" -t 300 "${UOPT[@]}"
		tpid=$TOPO_LAST_PID
		topo_bg "ss-tunnel-echo-$m" "$NS_C" ss-tunnel -s "$S4_C" -p "$PORT_L" -b 127.0.0.1 \
			-l "$EPORT_L" -L "$T4:$ECHO" -k "$PW" -m "$m" -t 300
		epid=$TOPO_LAST_PID
		wait_for 10 listening "$NS_S" "$PORT_L"
		wait_for 10 listening "$NS_C" "$LPORT_L"
		wait_for 10 listening "$NS_C" "$EPORT_L"
		path_on l && P+=(l)
		has udp && path_on l && wait_for 10 udp_listening "$NS_C" "$LPORT_L" && UP+=(l)
	fi

	# (s) the module's server, behind ss-tunnel ((k) uses the server too)
	if ! out=$(in_s ssctl server add bench port "$PORT" method "$m" "${KOPT[@]}" \
		timeout 300 max-conns 4000 "${SMODE[@]}" 2>&1); then
		echo "# $m: kernel server: ssctl: $out"
		KERNEL_OK=0
	elif [[ $m != 2022-* ]]; then
		topo_bg "ss-tunnel-s-$m" "$NS_C" ss-tunnel -s "$S4_C" -p "$PORT" -b 127.0.0.1 \
			-l "$LPORT_S" -L "$T4:5201" -k "$PW" -m "$m" -t 300 "${UOPT[@]}"
		tspid=$TOPO_LAST_PID
		topo_bg "ss-tunnel-s-echo-$m" "$NS_C" ss-tunnel -s "$S4_C" -p "$PORT" -b 127.0.0.1 \
			-l "$EPORT_S" -L "$T4:$ECHO" -k "$PW" -m "$m" -t 300
		espid=$TOPO_LAST_PID
		wait_for 10 listening "$NS_C" "$LPORT_S"
		wait_for 10 listening "$NS_C" "$EPORT_S"
		path_on s && P+=(s)
		has udp && path_on s && wait_for 10 udp_listening "$NS_C" "$LPORT_S" && UP+=(s)
	fi

	# (k) the kernel in both roles: ss-socksd --tunnel -> local role -> server
	kpid=
	if [ -z "$KPATH_WHY" ] && [ "$KERNEL_OK" = 1 ]; then
		if out=$(in_c ssctl client add bench server "$S4_C" port "$PORT" method "$m" \
			"${KOPT[@]}" timeout 300 max-conns 4000 2>&1); then
			topo_bg "ss-socksd-$m" "$NS_C" ss-socksd --client bench \
				--tunnel "127.0.0.1:$LPORT=$T4:5201" --tunnel "127.0.0.1:$EPORT=$T4:$ECHO"
			kpid=$TOPO_LAST_PID
			if wait_for 10 listening "$NS_C" "$LPORT" && wait_for 10 listening "$NS_C" "$EPORT"; then
				P+=(k)
			else
				KPATH_WHY="ss-socksd did not listen: $(tail -n 3 "$TOPO_DIR/ss-socksd-$m.log")"
			fi
		else
			KPATH_WHY="ssctl client add: $out"
		fi
	fi
	[ -n "$KPATH_WHY" ] && echo "# $m (k): n/a: $KPATH_WHY"
	# its UDP tunnel from a second ss-socksd on the same port: one whose
	# handover fails exits, and should not take the TCP tunnels along
	kupid=
	if has udp && [[ " ${P[*]} " == *" k "* ]]; then
		topo_bg "ss-socksd-udp-$m" "$NS_C" ss-socksd --client bench \
			--tunnel "127.0.0.1:$LPORT=$T4:5201,udp"
		kupid=$TOPO_LAST_PID
		if wait_for 10 udp_listening "$NS_C" "$LPORT"; then
			UP+=(k)
		else
			echo "# $m (k) UDP: n/a: ss-socksd did not bind: $(tail -n 3 "$TOPO_DIR/ss-socksd-udp-$m.log")"
		fi
	fi
	path_on d && P+=(d)
	has udp && path_on d && UP+=(d)

	declare -A IPERF_TO=([l]="127.0.0.1 $LPORT_L" [s]="127.0.0.1 $LPORT_S"
		[k]="127.0.0.1 $LPORT" [d]="$T4 5201")
	declare -A ECHO_TO=([l]="127.0.0.1:$EPORT_L" [s]="127.0.0.1:$EPORT_S"
		[k]="127.0.0.1:$EPORT" [d]="$T4:$ECHO")
	declare -A PIDS_OF=([l]="$tpid $spid" [s]="$tspid" [k]="$kpid" [d]="")
	declare -A UPIDS_OF=([l]="$tpid $spid" [s]="$tspid" [k]="$kupid" [d]="")

	# 3. memory first, before thousands of short connections are being
	# freed: the paths one after the other ((d) again for each method: its
	# proxy column subtracts the (d) of the same method's round)
	if [ $mem = 1 ]; then
		for p in "${P[@]}"; do
			case $p in
			l) PROXY_PIDS=("$epid" "$spid")
			   memory "$m (l) libev" "$m" l "${ECHO_TO[l]}" ;;
			k) PROXY_PIDS=("$kpid")
			   memory "$m (k) kernel" "$m" k "${ECHO_TO[k]}" \
				'echo "client profile: $(in_c ssctl client show bench -j | jq -c ".[0].stats" 2>/dev/null)"; echo "server: $(in_s ssctl server show bench -j | jq -c ".[0].stats" 2>/dev/null)"' ;;
			d) PROXY_PIDS=()
			   memory "$m (d) direct" "$m" d "${ECHO_TO[d]}" ;;
			esac
		done
	fi

	# 1. throughput, the paths interleaved
	if has tput; then
		for d in "${DIRS[@]}"; do
			k="$m $d"
			for ((i = 0; i < REPS; i++)); do
				for p in "${P[@]}"; do
					# shellcheck disable=SC2086
					run_one "$k" "$p" "$d" ${IPERF_TO[$p]} ${PIDS_OF[$p]}
				done
			done
			result "$k" l
			SS_CPU=$R_PT1	# ss-server's own CPU s/GiB
			row "$k" l "$SS_CPU"
			result "$k" s
			srv=
			if [ -n "$R_MBPS" ] && [ -n "$SS_CPU" ] && [ -n "${CPU[$k,l]:-}" ]; then
				# (s)'s whole path minus (l)'s without ss-server
				srv=$(echo "$R_USR + $R_SYS - (${CPU[$k,l]} - $SS_CPU)" | bc -l)
			fi
			row "$k" s "$srv"
			result "$k" k
			row "$k" k
			result "$k" d
			row "$k" d
		done
	fi

	# 1b. scaling: N parallel connections (iperf3 -P), the paths
	# interleaved; (s) is the kernel server alone with N clients
	if has scale; then
		for n in "${SCALE_N[@]}"; do
			for d in "${DIRS[@]}"; do
				k="$m $d"
				for ((i = 0; i < REPS; i++)); do
					for p in "${P[@]}"; do
						# shellcheck disable=SC2086
						IPERF_P=$n run_one "$k ×$n" "$p" "$d" ${IPERF_TO[$p]} ${PIDS_OF[$p]}
					done
				done
				for p in l s k d; do
					result "$k ×$n" "$p"
					srow "$k" "$n" "$p"
				done
			done
		done
	fi

	# 2. connection setup rate, interleaved
	if has rate; then
		for ((i = 0; i < REPS; i++)); do
			for p in "${P[@]}"; do
				rate_one "$m" "$p" "${ECHO_TO[$p]}"
			done
		done
		for p in l s k d; do
			rate_row "$m" "$p"
		done
	fi
	if has profile; then
		for p in k l; do
			in_list "$p" "${P[@]}" && profile_one "$m" "$p" "${ECHO_TO[$p]}"
		done
	fi

	# 2d. wakes per MiB through (k)
	if has wakes && in_list k "${P[@]}"; then
		for d in "${DIRS[@]}"; do
			for r in 0 "$WAKES_RATE"; do
				# shellcheck disable=SC2086
				wakes_one "$m" "$d" "$r" ${IPERF_TO[k]}
			done
		done
	fi

	# 2e. where the relay's CPU goes, through (k)
	if has split && in_list k "${P[@]}"; then
		for d in "${DIRS[@]}"; do
			# shellcheck disable=SC2086
			split_one "$m" "$d" ${IPERF_TO[k]}
		done
	fi

	# 4. UDP, interleaved (after the TCP parts: its associations linger
	# until their timeout)
	if has udp; then
		t_udp=$SECONDS
		for z in "${UDP_SIZES[@]}"; do
			for d in "${UDP_DIRS[@]}"; do
				k="$m $z B $d"
				for ((i = 0; i < REPS; i++)); do
					for p in "${UP[@]}"; do
						# shellcheck disable=SC2086
						udp_one "$k" "$p" "$d" "$z" ${IPERF_TO[$p]} ${UPIDS_OF[$p]}
					done
				done
				for p in l s k d; do
					udp_row "$k" "$p"
				done
			done
		done
		echo "# $m: the UDP part took $((SECONDS - t_udp)) s"
	fi

	if [ -n "$kpid" ]; then
		echo "# $m (k): $(in_c ssctl client show bench 2>&1 | tr '\n' ' ')"
		echo "# $m (s), (k): $(in_s ssctl server show bench 2>&1 | tr '\n' ' ')"
	fi
	topo_kill "$spid" "$tpid" "$epid" $tspid $espid $kpid $kupid
	in_c ssctl client del bench >/dev/null 2>&1
	in_s ssctl server del bench >/dev/null 2>&1
	settle
done

echo
echo "## Shadowsocks benchmark"
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), kernel $(uname -r), QEMU guest with $NCPU vCPUs."
echo "(l) libev ss-tunnel → ss-server; (s) ss-tunnel → kernel server; (k) ss-socksd --tunnel →"
echo "kernel local role → kernel server; (d) direct, routed."
has floor && floor_table
if has tput; then
	echo
	echo "### Throughput: iperf3, median of $REPS × ${SECS} s"
	echo
	echo "up: client → target; down: target → client (iperf3 -R). CPU: guest CPU s per GiB"
	echo "received (usr / sys); relay: CPU minus iperf3's own; busy: % of all vCPUs; iperf3,"
	echo "proxy (userspace proxy processes), kworker: % of one CPU; server: see bench.sh."
	echo
	echo "| method, direction | path | Mbit/s | CPU s/GiB (usr / sys) | relay s/GiB | busy % | iperf3 % | proxy % | kworker % | server s/GiB |"
	echo "|---|---|---|---|---|---|---|---|---|---|"
	cat "$TABLE"
	echo
	echo "| method, direction | (s)/(l) Mbit/s | (s)/(l) CPU | (s)/(l) server | (k)/(l) Mbit/s | (k)/(l) CPU | (k)/(l) relay | (k)/(d) Mbit/s | (k)/(d) CPU |"
	echo "|---|---|---|---|---|---|---|---|---|"
	for k in "${KEYS[@]}"; do
		echo "| $k | $(ratio "${MBPS[$k,s]:-}" "${MBPS[$k,l]:-}") | $(ratio "${CPU[$k,s]:-}" "${CPU[$k,l]:-}") |" \
			"$(ratio "${SRV[$k,s]:-}" "${SRV[$k,l]:-}") | $(ratio "${MBPS[$k,k]:-}" "${MBPS[$k,l]:-}") |" \
			"$(ratio "${CPU[$k,k]:-}" "${CPU[$k,l]:-}") | $(ratio "${REL[$k,k]:-}" "${REL[$k,l]:-}") |" \
			"$(ratio "${MBPS[$k,k]:-}" "${MBPS[$k,d]:-}") | $(ratio "${CPU[$k,k]:-}" "${CPU[$k,d]:-}") |"
	done
	if has floor; then
		echo
		echo "Against the crypto floor: (k)'s relay s/GiB over seal + open (the full path seals"
		echo "and opens every byte once); crypto-bound Mbit/s: the CPU the guest used (busy) minus"
		echo "iperf3's, over seal + open; share: (k)'s Mbit/s over that."
		echo
		echo "| method, direction | seal + open s/GiB | (k) relay s/GiB | relay / floor | (k) Mbit/s | crypto-bound Mbit/s | share |"
		echo "|---|---|---|---|---|---|---|"
		for k in "${KEYS[@]}"; do
			key=$(floor_of "${k% *}")
			fl=
			[ -n "$key" ] && [ -n "${FLOOR[$key seal]:-}" ] && [ -n "${FLOOR[$key open]:-}" ] &&
				fl=$(echo "${FLOOR[$key seal]} + ${FLOOR[$key open]}" | bc -l)
			bound=
			[ -n "$fl" ] && [ -n "${IPF[$k,k]:-}" ] &&
				bound=$(echo "(${BUSY[$k,k]} * $NCPU - ${IPF[$k,k]}) / 100 / $fl * 2^30 * 8 / 1000000" | bc -l)
			echo "| $k | $(fmt %.2f "$fl") | $(fmt %.2f "${REL[$k,k]:-}") | $(ratio "${REL[$k,k]:-}" "$fl") |" \
				"$(fmt %.1f "${MBPS[$k,k]:-}") | $(fmt %.1f "$bound") | $(ratio "${MBPS[$k,k]:-}" "$bound") |"
		done
	fi
fi
if has rate; then
	echo
	echo "### Connection setup, tunnel mode: $RATE_PAR connections in flight, each 64 bytes echoed; median of $REPS × ${RATE_SECS} s"
	echo
	echo "| method | path | conn/s | latency p50 ms | latency p99 ms | guest CPU ms/conn |"
	echo "|---|---|---|---|---|---|"
	cat "$RTABLE"
	echo
	echo "| method | (k)/(l) conn/s | (k)/(d) conn/s | (s)/(l) conn/s | (k)/(l) CPU/conn |"
	echo "|---|---|---|---|---|"
	for m in "${METHODS[@]}"; do
		echo "| $m | $(ratio "${RATE[$m,k]:-}" "${RATE[$m,l]:-}") | $(ratio "${RATE[$m,k]:-}" "${RATE[$m,d]:-}") |" \
			"$(ratio "${RATE[$m,s]:-}" "${RATE[$m,l]:-}") | $(ratio "${RCPU[$m,k]:-}" "${RCPU[$m,l]:-}") |"
	done
fi
if has scale; then
	echo
	echo "### Scaling: iperf3 -P N (N parallel connections), median of $REPS × ${SECS} s"
	echo
	echo "Mbit/s summed over the N connections; CPU and relay: guest CPU s per GiB, as above;"
	echo "busy: % of all vCPUs; kworker: % of one CPU."
	echo
	echo "| method, direction | N | path | Mbit/s | CPU s/GiB | relay s/GiB | busy % | kworker % |"
	echo "|---|---|---|---|---|---|---|---|"
	cat "$STABLE"
	echo
	b=${SCALE_N[0]}
	echo "| method, direction | N | (s)/(l) Mbit/s | (k)/(l) Mbit/s | (k)/(d) Mbit/s | (l) N/$b | (s) N/$b | (k) N/$b | (d) N/$b |"
	echo "|---|---|---|---|---|---|---|---|---|"
	for k in "${KEYS[@]}"; do
		for n in "${SCALE_N[@]}"; do
			echo "| $k | $n | $(ratio "${SMBPS[$k,$n,s]:-}" "${SMBPS[$k,$n,l]:-}") |" \
				"$(ratio "${SMBPS[$k,$n,k]:-}" "${SMBPS[$k,$n,l]:-}") |" \
				"$(ratio "${SMBPS[$k,$n,k]:-}" "${SMBPS[$k,$n,d]:-}") |" \
				"$(ratio "${SMBPS[$k,$n,l]:-}" "${SMBPS[$k,${SCALE_N[0]},l]:-}") |" \
				"$(ratio "${SMBPS[$k,$n,s]:-}" "${SMBPS[$k,${SCALE_N[0]},s]:-}") |" \
				"$(ratio "${SMBPS[$k,$n,k]:-}" "${SMBPS[$k,${SCALE_N[0]},k]:-}") |" \
				"$(ratio "${SMBPS[$k,$n,d]:-}" "${SMBPS[$k,${SCALE_N[0]},d]:-}") |"
		done
	done
fi
if has profile && [ -s "$PROFILES" ]; then
	echo
	echo "### Where connection setup goes: perf record -a -g, one run of $RATE_PAR in flight × ${RATE_SECS} s (the client's start-up included)"
	echo
	echo "CPU per connection by process (kworker: the workqueues, where the kernel relay"
	echo "runs), and for (k) the kernel's setup functions, each with all it calls (they"
	echo "nest: the connection work includes the cipher init, which includes the"
	echo "transform allocation). Sampled at $PROFILE_HZ Hz per CPU."
	cat "$PROFILES"
fi
if has wakes && [ -s "$WTABLE" ]; then
	echo
	echo "### Wakes per MiB through (k): iperf3 × ${SECS} s under perf stat with kprobes"
	echo
	echo "Calls per MiB received, both roles together: the connection work's runs, its"
	echo "sk_data_ready (the wakes TCP makes), kernel_recvmsg, kernel_sendmsg, kernel_sendpage"
	echo "(6.1's zero-copy sends, a call per page; 6.12's go through kernel_sendmsg), sock_setsockopt"
	echo "(the receive low-water mark). A MiB is 64 AEAD-2017 chunks of 16 KiB. The probes cost"
	echo "CPU: Mbit/s is for reference only."
	echo
	echo "| method | direction | pace | Mbit/s | work runs | sk_data_ready | recvmsg | sendmsg | sendpage | setsockopt |"
	echo "|---|---|---|---|---|---|---|---|---|---|"
	cat "$WTABLE"
fi
if has split && [ -s "$STABLE_SPLIT" ]; then
	echo
	echo "### Where the relay's CPU goes, through (k): iperf3 × ${SECS} s under perf record -a -g"
	echo
	echo "One sampling of one run ($PROFILE_HZ Hz per CPU): relay = all samples but idle and"
	echo "iperf3's; crypto = the module's seal and open (${SPLIT_CRYPTO[*]}) with all they"
	echo "call; relay / crypto is the overhead over the crypto the path must do, in one time"
	echo "base. TCP send and receive: tcp_sendmsg (and 6.1's tcp_sendpage, the zero-copy"
	echo "sends) and tcp_recvmsg called by the kworkers, with all they call (the send includes"
	echo "the transmit and the receiver's processing run inline); copies: memcpy, page zeroing: clear_page, outside iperf3 (self). Shares of"
	echo "the relay; perf's own cost is in it. Mbit/s is for reference only."
	echo
	echo "| method | direction | Mbit/s | crypto | relay / crypto | TCP send | TCP receive | copies | page zeroing |"
	echo "|---|---|---|---|---|---|---|---|---|"
	cat "$STABLE_SPLIT"
fi
if has udp; then
	echo
	echo "### UDP: iperf3 -u, $(if [ "$UDP_RATE" = 0 ]; then echo "as fast as the sender can"; else echo "-b $UDP_RATE"; fi), median of $REPS × ${UDP_SECS} s"
	echo
	echo "Payload bytes per datagram; up: client → target, down: target → client (iperf3 -R)."
	echo "Received: what arrived at the receiver; loss: against the packets sent. CPU: guest"
	echo "CPU µs per packet received (usr / sys); relay: CPU minus iperf3's own (mostly the"
	echo "sender's busy loop); busy: % of all vCPUs; iperf3, proxy, kworker: % of one CPU."
	echo
	echo "| method, size, direction | path | Mbit/s | packets/s | loss % | CPU µs/packet (usr / sys) | relay µs/packet | busy % | iperf3 % | proxy % | kworker % |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|"
	cat "$UTABLE"
	echo
	echo "| method, size, direction | (s)/(l) packets/s | (s)/(l) relay CPU | (k)/(l) packets/s | (k)/(l) relay CPU | (k)/(d) packets/s |"
	echo "|---|---|---|---|---|---|"
	for k in "${UKEYS[@]}"; do
		echo "| $k | $(ratio "${UPPS[$k,s]:-}" "${UPPS[$k,l]:-}") | $(ratio "${UREL[$k,s]:-}" "${UREL[$k,l]:-}") |" \
			"$(ratio "${UPPS[$k,k]:-}" "${UPPS[$k,l]:-}") | $(ratio "${UREL[$k,k]:-}" "${UREL[$k,l]:-}") |" \
			"$(ratio "${UPPS[$k,k]:-}" "${UPPS[$k,d]:-}") |"
	done
fi
if has mem; then
	echo
	echo "### Memory per idle proxied connection: $MEM_N connections held"
	echo
	echo "KiB per connection. proxy: Slab + proxy RSS minus the direct path's Slab (the client's"
	echo "and the target's own sockets; (d) measured again in each method's round, and the one of"
	echo "the same method subtracted), what the proxy costs. MemFree drop: for reference only,"
	echo "pages taken from the per-CPU free lists do not show in it."
	echo
	echo "| method | path | open | Slab | SUnreclaim | proxy RSS | proxy: Slab + RSS - (d) | MemFree drop |"
	echo "|---|---|---|---|---|---|---|---|"
	for m in "${MEM_METHODS[@]}"; do
		in_list "$m" "${METHODS[@]}" || continue
		for p in l k d; do
			x=$m,$p
			desc=${DESC[$p]}
			if [ -z "${MOPEN[$x]:-}" ]; then
				echo "| $m | $desc | n/a | n/a | n/a | n/a | n/a | n/a |"
				continue
			fi
			sd=
			if [ -n "${MOPEN[$m,d]:-}" ] && [ "$p" != d ]; then
				sd=$(echo "${MSLAB[$x]} + ${MRSS[$x]:-0} - ${MSLAB[$m,d]}" | bc -l)
			fi
			echo "| $m | $desc | ${MOPEN[$x]} | $(printf %.1f "${MSLAB[$x]}") | $(printf %.1f "${MUNREC[$x]}") |" \
				"$(fmt %.1f "${MRSS[$x]:-}") | $(fmt %.1f "$sd") | $(printf %.1f "${MUSED[$x]}") |"
		done
	done
	for m in "${MEM_METHODS[@]}"; do
		in_list "$m" "${METHODS[@]}" || echo "(memory: $m not measured: not in the methods run)"
	done
	slab_tables
fi
# Shadowsocks 2022 against AEAD-2017 of the same cipher: the pairs run
PAIRS=()
for m in "${METHODS[@]}"; do
	b=$(sibling "$m")
	[ -n "$b" ] && in_list "$b" "${METHODS[@]}" && PAIRS+=("$m $b")
done
if [ ${#PAIRS[@]} -gt 0 ] && { has tput || has rate; }; then
	echo
	echo "### Shadowsocks 2022 against AEAD-2017"
	echo
	echo "Ratios from the tables above: the Shadowsocks 2022 method's (k) over the (k), or libev's"
	echo "(l), of the AEAD-2017 method of the same cipher. CPU: guest CPU s per GiB received."
	echo
	hdr="| 2022 method | AEAD-2017 method |" sep="|---|---|"
	if has tput; then
		for d in "${DIRS[@]}"; do
			hdr+=" (k)/(k) Mbit/s $d | (k)/(k) CPU $d | (k)/(l) Mbit/s $d |"
			sep+="---|---|---|"
		done
	fi
	if has rate; then
		hdr+=" (k)/(k) conn/s | (k)/(l) conn/s |"
		sep+="---|---|"
	fi
	echo "$hdr"
	echo "$sep"
	for pr in "${PAIRS[@]}"; do
		read -r m b <<<"$pr"
		line="| $m | $b |"
		if has tput; then
			for d in "${DIRS[@]}"; do
				x="$m $d" y="$b $d"
				line+=" $(ratio "${MBPS[$x,k]:-}" "${MBPS[$y,k]:-}") | $(ratio "${CPU[$x,k]:-}" "${CPU[$y,k]:-}") |"
				line+=" $(ratio "${MBPS[$x,k]:-}" "${MBPS[$y,l]:-}") |"
			done
		fi
		if has rate; then
			line+=" $(ratio "${RATE[$m,k]:-}" "${RATE[$b,k]:-}") | $(ratio "${RATE[$m,k]:-}" "${RATE[$b,l]:-}") |"
		fi
		echo "$line"
	done
fi
[ "$KERNEL_OK" = 1 ] || echo "(s), (k) n/a: the kernel server could not be configured"
[ -z "$KPATH_WHY" ] || echo "(k) n/a: $KPATH_WHY"
exit 0
