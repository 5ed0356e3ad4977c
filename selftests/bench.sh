#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Benchmark of the server role, run inside the VM by `selftests/vm/run
# --bench` (`make bench`, `make bench BENCH_KERNEL=KVER`): iperf3 between
# the client netns and the target netns (selftests/topology.sh) through
#   (a) shadowsocks-libev: ss-tunnel -> ss-server
#   (b) ss-tunnel -> the kernel module's server
#   (c) a direct connection (the server netns routes, no proxy)
# for chacha20-ietf-poly1305 and aes-256-gcm, both ways: "up" is client to
# target (the server opens chunks), "down" target to client (iperf3 -R; the
# server seals them). Each is BENCH_REPS runs of iperf3 -t BENCH_SECONDS.
# The table shows the median throughput and the guest's CPU time per GiB
# received, from /proc/stat over the runs: user+nice, and
# system+irq+softirq (where the kernel relay's work shows up). That is the
# whole path's cost (iperf3 at both ends and ss-tunnel included, the same
# in (a) and (b)); "server" estimates the server's own share: for (a)
# ss-server's own CPU time (/proc/PID/stat), for (b) the whole-guest cost
# of (b) minus that of (a) without ss-server. Then the ratios (b)/(a) and
# (b)/(c). Nothing is asserted: under QEMU TCG absolute numbers mean
# little (and SIMD code is emulated at a very different relative cost than
# on hardware); the ratios measured in one boot are what to look at.
# Row (b) shows n/a while the module has no relay.

source "$(dirname "$0")/lib.sh" >/dev/null
source "$(dirname "$0")/topology.sh"

REPS=${BENCH_REPS:-3}
SECS=${BENCH_SECONDS:-5}
METHODS=(${BENCH_METHODS:-chacha20-ietf-poly1305 aes-256-gcm})
DIRS=(${BENCH_DIRS:-up down})
PW="bench password"
PORT=8388
LPORT=15201
HZ=$(getconf CLK_TCK)

TOPO_INIT_LINK=0
trap 'in_s ssctl server del bench >/dev/null 2>&1; topo_cleanup' EXIT

# cpu_ticks: "user system" jiffies of the whole guest so far
cpu_ticks() {
	awk '/^cpu / { print $2 + $3, $4 + $7 + $8 }' /proc/stat
}

# proc_ticks PID: user+system jiffies of a process so far
proc_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# measure LABEL DIR HOST PORT: REPS iperf3 runs from the client netns
# (DIR down: -R); sets R_MBPS (median, Mbit/s), R_USR and R_SYS (CPU
# seconds per GiB), R_GIB (GiB received), or R_ERR
measure() {
	local label=$1 dir=$2 host=$3 port=$4 i out bps bytes t0 t1 tot=0 rates=() rev=()
	R_MBPS= R_USR= R_SYS= R_ERR= R_GIB=
	[ "$dir" = down ] && rev=(-R)
	t0=$(cpu_ticks)
	for ((i = 0; i < REPS; i++)); do
		if ! out=$(timeout $((SECS + 30)) ip netns exec "$NS_C" \
			iperf3 -J -c "$host" -p "$port" -t "$SECS" --connect-timeout 5000 "${rev[@]}" 2>&1) ||
			! bps=$(jq -er '.end.sum_received.bits_per_second' <<<"$out" 2>/dev/null); then
			R_ERR=$(jq -r '.error // empty' <<<"$out" 2>/dev/null)
			R_ERR=${R_ERR:-$(tail -n 1 <<<"$out")}
			echo "# $label: run $((i + 1)) failed: $R_ERR"
			return 1
		fi
		bytes=$(jq -r '.end.sum_received.bytes' <<<"$out")
		tot=$((tot + bytes))
		rates+=("$bps")
		echo "# $label: run $((i + 1)): $(printf '%.0f' "$(echo "$bps / 1000000" | bc -l)") Mbit/s"
	done
	t1=$(cpu_ticks)
	R_MBPS=$(printf '%s\n' "${rates[@]}" | sort -g | awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] / 1e6 }')
	read -r u0 s0 <<<"$t0"
	read -r u1 s1 <<<"$t1"
	R_GIB=$(echo "$tot / 2^30" | bc -l)
	R_USR=$(echo "($u1 - $u0) / $HZ / $R_GIB" | bc -l)
	R_SYS=$(echo "($s1 - $s0) / $HZ / $R_GIB" | bc -l)
}

# row KEY PATH DESC [SERVER_CPU]: a table row from the last measure
declare -A MBPS CPU SRV
row() {
	local k=$1 path=$2 desc=$3 srv=${4:-}
	if [ -n "$R_MBPS" ]; then
		MBPS[$k,$path]=$R_MBPS
		CPU[$k,$path]=$(echo "$R_USR + $R_SYS" | bc -l)
		[ -n "$srv" ] && SRV[$k,$path]=$srv
		printf '%-30s %-36s %8s %9.1f %9.1f %9.1f %9s\n' "$k" "$desc" "$R_MBPS" \
			"$R_USR" "$R_SYS" "${CPU[$k,$path]}" "${srv:+$(printf '%.1f' "$srv")}" >>"$TABLE"
	else
		printf '%-30s %-36s %8s %9s %9s %9s %9s\n' "$k" "$desc" n/a n/a n/a n/a n/a >>"$TABLE"
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

echo "# Shadowsocks server role benchmark"
echo "# date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), kernel $(uname -r), $(nproc) vCPUs"
if ! out=$(topo_setup 2>&1); then
	echo "topology set-up failed: $out"
	exit 1
fi
# the direct path: the server netns routes between its two links
in_s sysctl -qw net.ipv4.ip_forward=1
in_c ip route add 10.0.2.0/24 via "$S4_C"
in_t ip route add 10.0.1.0/24 via "$S4_T"

TABLE=$TOPO_DIR/table
: >"$TABLE"
KERNEL_OK=1
KEYS=()
for m in "${METHODS[@]}"; do
	# (a) libev
	topo_bg "ss-server-$m" "$NS_S" ss-server -s 0.0.0.0 -p "$PORT" -k "$PW" -m "$m"
	spid=$TOPO_LAST_PID
	wait_for 10 listening "$NS_S" "$PORT"
	topo_bg "ss-tunnel-$m" "$NS_C" ss-tunnel -s "$S4_C" -p "$PORT" -b 127.0.0.1 \
		-l "$LPORT" -L "$T4:5201" -k "$PW" -m "$m"
	tpid=$TOPO_LAST_PID
	wait_for 10 listening "$NS_C" "$LPORT"
	declare -A SS_CPU=()
	for d in "${DIRS[@]}"; do
		k="$m $d"
		KEYS+=("$k")
		p0=$(proc_ticks "$spid")
		if measure "$k (a) libev" "$d" 127.0.0.1 "$LPORT"; then
			SS_CPU[$d]=$(echo "($(proc_ticks "$spid") - $p0) / $HZ / $R_GIB" | bc -l)
		fi
		row "$k" a "(a) ss-tunnel -> ss-server (libev)" "${SS_CPU[$d]:-}"
	done
	topo_kill "$spid"

	# (b) the module, same ss-tunnel
	if ! out=$(in_s ssctl server add bench port "$PORT" method "$m" password "$PW" 2>&1); then
		echo "# $m (b) kernel: ssctl: $out"
		KERNEL_OK=0
	fi
	for d in "${DIRS[@]}"; do
		k="$m $d"
		R_MBPS=
		[ "$KERNEL_OK" = 1 ] && measure "$k (b) kernel" "$d" 127.0.0.1 "$LPORT" || KERNEL_OK=0
		srv=
		if [ -n "$R_MBPS" ] && [ -n "${SS_CPU[$d]:-}" ]; then
			# (b)'s whole path minus (a)'s without ss-server
			srv=$(echo "$R_USR + $R_SYS - (${CPU[$k,a]} - ${SS_CPU[$d]})" | bc -l)
		fi
		row "$k" b "(b) ss-tunnel -> kernel server" "$srv"
	done
	in_s ssctl server del bench >/dev/null 2>&1
	topo_kill "$tpid"

	# (c) direct
	for d in "${DIRS[@]}"; do
		k="$m $d"
		measure "$k (c) direct" "$d" "$T4" 5201
		row "$k" c "(c) direct (routed, no proxy)"
	done
done

echo
echo "Shadowsocks server role: iperf3 through each path, median of $REPS x ${SECS} s"
echo "date $(date -u '+%Y-%m-%d %H:%M:%S UTC'), kernel $(uname -r), QEMU guest with $(nproc) vCPUs"
echo "up: client -> target; down: target -> client (iperf3 -R)"
echo "CPU: guest CPU seconds per GiB received (usr = user+nice, sys = system+irq+softirq,"
echo "     CPU = both: the whole path); server: the server's own share (see bench.sh)"
echo
printf '%-30s %-36s %8s %9s %9s %9s %9s\n' "method, direction" path Mbit/s "usr s/GiB" \
	"sys s/GiB" "CPU s/GiB" "server"
cat "$TABLE"
echo
printf '%-30s %14s %14s %14s %14s %14s\n' "method, direction" "(b)/(a) Mbit/s" "(b)/(a) CPU" \
	"(b)/(a) server" "(b)/(c) Mbit/s" "(b)/(c) CPU"
for k in "${KEYS[@]}"; do
	printf '%-30s %14s %14s %14s %14s %14s\n' "$k" \
		"$(ratio "${MBPS[$k,b]:-}" "${MBPS[$k,a]:-}")" "$(ratio "${CPU[$k,b]:-}" "${CPU[$k,a]:-}")" \
		"$(ratio "${SRV[$k,b]:-}" "${SRV[$k,a]:-}")" \
		"$(ratio "${MBPS[$k,b]:-}" "${MBPS[$k,c]:-}")" "$(ratio "${CPU[$k,b]:-}" "${CPU[$k,c]:-}")"
done
[ "$KERNEL_OK" = 1 ] || echo "(b) n/a: the kernel server did not relay (no relay in this module yet?)"
exit 0
