#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The demonstration, run inside the VM by `selftests/vm/run --demo`: a live
# Shadowsocks proxy with the kernel module in both roles.
#
#   [lan netns]      curl --socks5-hostname 10.9.0.1:1080, dig -p 5353
#        |  SOCKS5; DNS over UDP
#   [gateway netns]  ss-socksd (the SOCKS5 handshake only; the UDP tunnel's
#        |           socket handed over), then the module's local role
#        |           (client profile, ssctl client add)
#        |  AEAD (chacha20-ietf-poly1305) over TCP and UDP
#   [server netns]   the module's server role (ssctl server add)
#        |  plain TCP and UDP
#   [target netns]   an HTTP server, dnsmasq
#
# The module is loaded on demand by ssctl. Every command is shown before it
# runs; the counters of both roles are shown at the end. Any failure (the
# page or the file not fetched, a wrong SHA-256, no DNS answer) ends the
# demo with a non-zero status and a line saying what failed.

set -eEuo pipefail
KEYFILE=$(mktemp)
WWW=$(mktemp -d)
PIDS=()
NSS=(demo-lan demo-gw demo-srv demo-tgt)
PW='correct horse battery staple'
METHOD=chacha20-ietf-poly1305
BLOB_MIB=8

cleanup() {
	kill "${PIDS[@]}" 2>/dev/null || true
	ip netns exec demo-gw ssctl client del demo >/dev/null 2>&1 || true
	ip netns exec demo-srv ssctl server del demo >/dev/null 2>&1 || true
	for ns in "${NSS[@]}"; do
		ip netns del "$ns" 2>/dev/null || true
	done
	rm -rf "$KEYFILE" "$WWW"
}
trap cleanup EXIT
RUN_CMD=
trap 'rc=$?; [ "$BASH_COMMAND" = "return \$rc" ] || RUN_CMD=$BASH_COMMAND
	echo; echo "DEMO FAILED: \"$RUN_CMD\" exited with status $rc"' ERR

fail() {
	echo
	echo "DEMO FAILED: $*"
	exit 1
}

# run CMD...: show it, run it; its status is run's (the ERR trap names it)
run() {
	local rc=0
	printf '\n$ %s\n' "$*"
	RUN_CMD="$*"
	"$@" || rc=$?
	return $rc
}

# wait_port NETNS PORT [udp]: until something listens there (TCP by default)
wait_port() {
	local opt=-Hltn what=port
	[ "${3:-}" = udp ] && opt=-Huln what="UDP port"
	for _ in $(seq 100); do
		ip netns exec "$1" ss $opt "sport = :$2" | grep -q . && return 0
		sleep 0.1
	done
	fail "nothing listens on $what $2 in $1"
}

echo "Shadowsocks in the kernel, both roles: live demonstration on $(uname -r)"

for ns in "${NSS[@]}"; do
	ip netns add "$ns"
	ip -n "$ns" link set lo up
done
# link NS_A IF_A ADDR_A NS_B IF_B ADDR_B
link() {
	ip link add "$2" netns "$1" type veth peer name "$5" netns "$4"
	ip -n "$1" addr add "$3/24" dev "$2"
	ip -n "$4" addr add "$6/24" dev "$5"
	ip -n "$1" link set "$2" up
	ip -n "$4" link set "$5" up
}
link demo-lan veth-lg 10.9.0.2 demo-gw veth-gl 10.9.0.1
link demo-gw veth-gs 10.9.1.2 demo-srv veth-sg 10.9.1.1
link demo-srv veth-st 10.9.2.1 demo-tgt veth-ts 10.9.2.2
echo "topology (no routing anywhere: every byte the lan gets from the target went through both roles):"
echo "  lan 10.9.0.2 -> 10.9.0.1 gateway 10.9.1.2 -> 10.9.1.1 server 10.9.2.1 -> 10.9.2.2 target"

echo "<h1>hello through the kernel, both ways</h1>" >"$WWW/index.html"
head -c "${BLOB_MIB}M" /dev/urandom >"$WWW/blob"
ip netns exec demo-tgt python3 -m http.server -b 10.9.2.2 -d "$WWW" 8000 \
	>/dev/null 2>&1 &
PIDS+=($!)
# a DNS server for the UDP tunnel: demo.test is the target's address
ip netns exec demo-tgt dnsmasq --keep-in-foreground --no-resolv --no-hosts \
	--bind-interfaces --listen-address=10.9.2.2 --except-interface=lo \
	--pid-file="$WWW/dnsmasq.pid" --user=root --group=root \
	--address=/demo.test/10.9.2.2 >/dev/null 2>&1 &
PIDS+=($!)

printf '%s\n' "$PW" >"$KEYFILE"
if grep -q '^shadowsocks ' /proc/modules; then
	echo "(module already loaded)"
else
	echo "(module not loaded yet: ssctl loads it on demand)"
fi

echo
echo "# the server, in the server netns"
run ip netns exec demo-srv ssctl server add demo port 8388 \
	method "$METHOD" password-file "$KEYFILE" timeout 120 mode tcp_and_udp
run ip netns exec demo-srv ssctl server show

echo
echo "# the client profile and the SOCKS5 front end, in the gateway netns"
run ip netns exec demo-gw ssctl client add demo server 10.9.1.1 port 8388 \
	method "$METHOD" password-file "$KEYFILE" timeout 120
run ip netns exec demo-gw ssctl client show
SOCKSD_ARGS=(--client demo --socks 10.9.0.1:1080 --tunnel 10.9.0.1:5353=10.9.2.2:53,udp)
printf '\n$ %s &\n' "ip netns exec demo-gw ss-socksd ${SOCKSD_ARGS[*]}"
ip netns exec demo-gw ss-socksd "${SOCKSD_ARGS[@]}" &
SOCKSD=$!
PIDS+=($SOCKSD)
wait_port demo-tgt 8000
wait_port demo-tgt 53 udp
wait_port demo-gw 1080
wait_port demo-gw 5353 udp

echo
echo "# an application in the lan netns, through the gateway"
run ip netns exec demo-lan curl -sS --fail --max-time 30 \
	--socks5-hostname 10.9.0.1:1080 http://10.9.2.2:8000/ ||
	fail "curl could not fetch the page through the proxy"

printf '\n$ %s\n' "ip netns exec demo-lan curl -sS --fail --socks5-hostname 10.9.0.1:1080 http://10.9.2.2:8000/blob | sha256sum   ($BLOB_MIB MiB)"
socksd_ticks() { awk '{ print $14 + $15 }' "/proc/$SOCKSD/stat"; }
c0=$(socksd_ticks)
t0=$(date +%s.%N)
got=$(ip netns exec demo-lan curl -sS --fail --max-time 120 \
	--socks5-hostname 10.9.0.1:1080 http://10.9.2.2:8000/blob | sha256sum) ||
	fail "curl could not fetch the $BLOB_MIB MiB file through the proxy"
t1=$(date +%s.%N)
want=$(sha256sum <"$WWW/blob")
echo "through the proxy: ${got%% *}"
echo "at the target:     ${want%% *}"
[ "$got" = "$want" ] || fail "the $BLOB_MIB MiB file arrived damaged (SHA-256 differs)"
echo "SHA-256 matches: $BLOB_MIB MiB in $(printf '%.1f' "$(echo "$t1 - $t0" | bc -l)") s"
# after the handshake ss-socksd no longer sees the bytes
echo "ss-socksd's CPU time during that fetch: $((($(socksd_ticks) - c0) * 1000 / $(getconf CLK_TCK))) ms" \
	"(it only did the SOCKS5 handshake; the kernel relayed the $BLOB_MIB MiB)"

echo
echo "# a DNS query in the lan netns, over UDP: the gateway's UDP tunnel port"
echo "# is a socket ss-socksd handed to the kernel, which seals each datagram"
printf '\n$ %s\n' "ip netns exec demo-lan dig @10.9.0.1 -p 5353 +short demo.test"
ans=$(ip netns exec demo-lan dig @10.9.0.1 -p 5353 +short +tries=3 +time=3 demo.test) ||
	fail "dig got no answer through the UDP tunnel"
echo "$ans"
[ "$ans" = 10.9.2.2 ] || fail "dig through the UDP tunnel: '$ans', want 10.9.2.2"

echo
echo "# the counters of both roles (bytes: plaintext payload)"
run ip netns exec demo-gw ssctl client show demo
run ip netns exec demo-srv ssctl server show demo
run ip netns exec demo-gw ssctl client show demo -j

echo
echo "# a bad request is refused with the kernel's reason:"
run ip netns exec demo-srv ssctl server add demo port 9000 method aes-128-gcm password x || true
run ip netns exec demo-gw ssctl client add demo server 10.9.1.1 port 8388 method aes-128-gcm password x || true
echo
echo "# the objects deleted: the profile's relays end with it, and ss-socksd,"
echo "# whose UDP tunnel the kernel ended, says so and exits"
run ip netns exec demo-srv ssctl server del demo
run ip netns exec demo-gw ssctl client del demo
wait "$SOCKSD" 2>/dev/null || true
echo
echo "demo complete"
