#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A/B of shadowsocks.ko builds in one boot, for a change to the data path
# whose effect is smaller than the noise between boots under TCG. Path (k)
# of bench.sh: iperf3 -> ss-socksd tunnel -> the local role -> the server
# role -> iperf3, both roles in the module. Each round loads every build
# in turn (rmmod, insmod) and runs each method and direction once with
# it, so that the host's load weighs on all builds alike.
#
# Per run: Mbit/s; relay CPU s/GiB (guest CPU less iperf3's own, per GiB
# received); pages allocated per MiB (/proc/vmstat pgalloc_*, the whole
# guest); skbs per MiB on the wire between the roles (the client netns'
# veth: sent for up, received for down, both for bidir; GSO packets count
# once). Direction bidir is iperf3 --bidir: both at once on one
# connection each way, its figures the sums of both. Direction uplat is
# the upload's latency under a saturating download on the same connection
# (tools/uplat.py: a 64-byte probe every 20 ms up while the target sends
# as fast as it can): the download's Mbit/s and the probes' one-way delay,
# p50, p99 and max in ms. Then the median of each over the rounds.
# Nothing is asserted.
#
# Build each module against the guest's kernel headers, e.g.
#   git archive REV Kbuild kmod uapi | tar -x -C /tmp/a
#   make -C /usr/src/linux-headers-6.1.0-57-amd64 M=/tmp/a modules
# and run it in the VM (the host's root is the guest's, read-only):
#   bash selftests/vm/run --no-setup --kernel 6.1.0-57-amd64 --guest env \
#     AB_MODS="base=/tmp/a/shadowsocks.ko new=/tmp/b/shadowsocks.ko" \
#     bash selftests/ab.sh
# AB_MODS: NAME=PATH of each build (at least one); AB_METHODS (default
# chacha20-ietf-poly1305 aes-256-gcm); AB_DIRS (up down; also bidir,
# uplat); AB_REPS, rounds
# (5); AB_SECS, seconds per run (6).

source "$(dirname "$0")/lib.sh" >/dev/null
source "$(dirname "$0")/topology.sh"

read -ra MODS <<<"${AB_MODS:-}"
read -ra METHODS <<<"${AB_METHODS:-chacha20-ietf-poly1305 aes-256-gcm}"
read -ra DIRS <<<"${AB_DIRS:-up down}"
REPS=${AB_REPS:-5}
SECS=${AB_SECS:-6}
HZ=$(getconf CLK_TCK)
PORT=15201
ULAT_PORT=5301
OUT=$(mktemp)

usage() {
	echo "usage: AB_MODS=\"NAME=PATH ...\" [AB_METHODS=...] [AB_DIRS=...] [AB_REPS=N] [AB_SECS=N] $0" >&2
	exit 2
}
[ ${#MODS[@]} -gt 0 ] || usage
for mp in "${MODS[@]}"; do
	[[ $mp == ?*=?* ]] || usage
	[ -r "${mp#*=}" ] || { echo "$0: ${mp#*=}: cannot read" >&2; exit 1; }
done

trap 'rmmod shadowsocks 2>/dev/null; topo_cleanup; rm -f "$OUT"' EXIT
topo_setup >/dev/null 2>&1 || { echo "$0: the topology cannot be set up" >&2; exit 1; }
if [[ " ${DIRS[*]} " == *" uplat "* ]]; then
	topo_bg ab-uplat "$NS_T" "$PY" "$SS_TOOLS/uplat.py" server --port "$ULAT_PORT" \
		--out "$TOPO_DIR/uplat.json"
	wait_for 10 listening "$NS_T" "$ULAT_PORT" || { echo "$0: no uplat server" >&2; exit 1; }
fi

# busy guest CPU, ticks
cpu() {
	local usr sys
	read -r usr sys <<<"$(cpu_ticks)"
	echo $((usr + sys))
}
pgalloc() { awk '/^pgalloc_/ { s += $2 } END { print s }' /proc/vmstat; }
# wire_packets STAT...: the sum of the client netns veth's counters STAT
wire_packets() {
	local s=0 f
	for f; do
		s=$((s + $(in_c cat "/sys/class/net/vs/statistics/$f")))
	done
	echo "$s"
}

# uplat_run NAME METHOD: one tools/uplat.py run through the second
# tunnel, a line to OUT
uplat_run() {
	local js
	rm -f "$TOPO_DIR/uplat.json"
	in_c "$PY" "$SS_TOOLS/uplat.py" client --connect "127.0.0.1:$((PORT + 1))" \
		--seconds "$SECS" >/dev/null 2>&1 &&
		wait_for 10 test -s "$TOPO_DIR/uplat.json" &&
		js=$(cat "$TOPO_DIR/uplat.json") ||
		{ echo "# $1 $2 uplat: the probe failed"; return 1; }
	jq -r --arg k "$2 uplat $1" '"\($k) \(.down_mbit) \(.p50_ms) \(.p99_ms) \(.max_ms)"' <<<"$js" |
		awk '{ printf "%s %s %s %.1f %.2f %.2f %.2f\n", $1, $2, $3, $4, $5, $6, $7 }' |
		tee -a "$OUT"
}

# one_run NAME METHOD DIR: one iperf3 run through the tunnel, a line to OUT
one_run() {
	local name=$1 m=$2 d=$3 rev=() stat=(tx_packets) js c0 c1 g0 g1 p0 p1
	[ "$d" = uplat ] && { uplat_run "$name" "$m"; return; }
	case $d in
	down) rev=(-R) stat=(rx_packets) ;;
	bidir) rev=(--bidir) stat=(tx_packets rx_packets) ;;
	esac
	p0=$(wire_packets "${stat[@]}")
	g0=$(pgalloc)
	c0=$(cpu)
	js=$(ip netns exec "$NS_C" iperf3 -J -c 127.0.0.1 -p "$PORT" -t "$SECS" \
		--connect-timeout 5000 "${rev[@]}" 2>&1)
	c1=$(cpu)
	g1=$(pgalloc)
	p1=$(wire_packets "${stat[@]}")
	jq -er '.end.sum_received.bytes' <<<"$js" >/dev/null 2>&1 ||
		{ echo "# $name $m $d: iperf3 failed: $(tail -n 1 <<<"$js")"; return 1; }
	jq -r --arg k "$m $d $name" --argjson cpu "$((c1 - c0))" --argjson hz "$HZ" \
		--argjson pg "$((g1 - g0))" --argjson skb "$((p1 - p0))" '
		.end as $e | ($e.sum_received_bidir_reverse // {bytes: 0,
			bits_per_second: 0}) as $r |
		(($e.sum_received.bytes + $r.bytes) / 1048576) as $mib |
		"\($k) \(($e.sum_received.bits_per_second + $r.bits_per_second) / 1e6)" +
		" \(($cpu / $hz - ($e.cpu_utilization_percent.host_total +
			$e.cpu_utilization_percent.remote_total) *
			$e.sum_received.seconds / 100) / ($mib / 1024))" +
		" \($pg / $mib) \($skb / $mib)"' <<<"$js" |
		awk '{ printf "%s %s %s %.1f %.2f %.1f %.1f\n", $1, $2, $3, $4, $5, $6, $7 }' |
		tee -a "$OUT"
}

for ((r = 1; r <= REPS; r++)); do
	for mp in "${MODS[@]}"; do
		name=${mp%%=*}
		rmmod shadowsocks 2>/dev/null
		# insmod loads no dependencies: the modules it needs first
		deps=$(modinfo -F depends "${mp#*=}" | tr , ' ')
		[ -z "$deps" ] || modprobe -a $deps ||
			{ echo "$0: modprobe $deps failed" >&2; exit 1; }
		insmod "${mp#*=}" || { echo "$0: insmod ${mp#*=} failed" >&2; exit 1; }
		for m in "${METHODS[@]}"; do
			key=(password "ab password")
			[[ $m == 2022-* ]] && key=(key "$(head -c 32 /dev/urandom | base64)")
			in_s ssctl server add ab port 8388 method "$m" "${key[@]}" >/dev/null &&
				in_c ssctl client add ab server "$S4_C" port 8388 method "$m" "${key[@]}" >/dev/null ||
				exit 1
			topo_bg "ab-socksd-$r-$name-$m" "$NS_C" ss-socksd --client ab \
				--tunnel "127.0.0.1:$PORT=$T4:5201" \
				--tunnel "127.0.0.1:$((PORT + 1))=$T4:$ULAT_PORT"
			wait_for 10 listening "$NS_C" "$PORT" || { echo "$0: no ss-socksd" >&2; exit 1; }
			for d in "${DIRS[@]}"; do
				one_run "$name" "$m" "$d"
			done
			topo_kill "$TOPO_LAST_PID"
			in_c ssctl client del ab >/dev/null
			in_s ssctl server del ab >/dev/null
		done
	done
done

echo "# medians of $REPS rounds of $SECS s: method direction build Mbit/s relay-s/GiB pages/MiB skb/MiB"
echo "# (uplat: method uplat build download-Mbit/s probe-delay-ms p50 p99 max)"
cut -d' ' -f1-3 "$OUT" | sort -u | while read -r m d name; do
	line="$m $d $name"
	for col in 4 5 6 7; do
		mapfile -t vals < <(awk -v k="$m $d $name" -v c="$col" '$1 " " $2 " " $3 == k { print $c }' "$OUT")
		line+=" $(median "${vals[@]}")"
	done
	echo "$line"
done | column -t
