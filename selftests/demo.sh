#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The demonstration, run inside the VM by `selftests/vm/run --demo`: a live
# Shadowsocks relay whose server side is the kernel module.
#
#   [client netns]  curl --socks5-hostname -> ss-local (shadowsocks-libev)
#        |  AEAD (chacha20-ietf-poly1305) over TCP
#   [server netns]  shadowsocks.ko, configured with ssctl
#        |  plain TCP
#   [target netns]  an HTTP server
#
# The module is loaded on demand by ssctl; the counters are shown at the end.

set -eu
KEYFILE=$(mktemp)
WWW=$(mktemp -d)
PIDS=()

cleanup() {
	kill "${PIDS[@]}" 2>/dev/null || true
	for ns in demo-cli demo-srv demo-tgt; do
		ip netns del "$ns" 2>/dev/null || true
	done
	rm -rf "$KEYFILE" "$WWW"
}
trap cleanup EXIT

run() {
	printf '\n$ %s\n' "$*"
	"$@"
}

# wait_port NETNS PORT: until something listens on the TCP port
wait_port() {
	for _ in $(seq 100); do
		ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q . && return 0
		sleep 0.1
	done
	echo "nothing listens on port $2 in $1" >&2
	return 1
}

echo "Shadowsocks in the kernel: live demonstration on $(uname -r)"

for ns in demo-cli demo-srv demo-tgt; do
	ip netns add "$ns"
	ip -n "$ns" link set lo up
done
ip link add veth-cs netns demo-cli type veth peer name veth-sc netns demo-srv
ip link add veth-st netns demo-srv type veth peer name veth-ts netns demo-tgt
ip -n demo-cli addr add 10.9.1.2/24 dev veth-cs
ip -n demo-srv addr add 10.9.1.1/24 dev veth-sc
ip -n demo-srv addr add 10.9.2.1/24 dev veth-st
ip -n demo-tgt addr add 10.9.2.2/24 dev veth-ts
for l in "demo-cli veth-cs" "demo-srv veth-sc" "demo-srv veth-st" "demo-tgt veth-ts"; do
	set -- $l
	ip -n "$1" link set "$2" up
done
echo "topology: client 10.9.1.2 -> server 10.9.1.1 | 10.9.2.1 -> target 10.9.2.2"

echo "<h1>hello through the kernel relay</h1>" >"$WWW/index.html"
head -c 4M /dev/urandom >"$WWW/blob"
ip netns exec demo-tgt python3 -m http.server -b 10.9.2.2 -d "$WWW" 8000 \
	>/dev/null 2>&1 &
PIDS+=($!)

printf 'correct horse battery staple\n' >"$KEYFILE"
if grep -q '^shadowsocks ' /proc/modules; then
	echo "(module already loaded)"
else
	echo "(module not loaded yet: ssctl loads it on demand)"
fi
run ip netns exec demo-srv ssctl server add demo port 8388 \
	method chacha20-ietf-poly1305 password-file "$KEYFILE" timeout 120
run ip netns exec demo-srv ssctl server show

ip netns exec demo-cli ss-local -s 10.9.1.1 -p 8388 -l 1080 -b 127.0.0.1 \
	-m chacha20-ietf-poly1305 -k 'correct horse battery staple' \
	>/dev/null 2>&1 &
PIDS+=($!)
wait_port demo-tgt 8000
wait_port demo-cli 1080

run ip netns exec demo-cli curl -sS --max-time 30 \
	--socks5-hostname 127.0.0.1:1080 http://10.9.2.2:8000/
printf '\n$ curl ... http://10.9.2.2:8000/blob | sha256sum   (4 MiB)\n'
got=$(ip netns exec demo-cli curl -sS --max-time 60 \
	--socks5-hostname 127.0.0.1:1080 http://10.9.2.2:8000/blob | sha256sum)
want=$(sha256sum <"$WWW/blob")
echo "through the relay: ${got%% *}"
echo "at the target:     ${want%% *}"
[ "$got" = "$want" ]

run ip netns exec demo-srv ssctl server show demo
run ip netns exec demo-srv ssctl server show demo -j

echo
echo "# a bad request is refused with the kernel's reason:"
run ip netns exec demo-srv ssctl server add demo port 9000 method aes-128-gcm password x || true
run ip netns exec demo-srv ssctl server add other port 8388 method aes-128-gcm password x || true
run ip netns exec demo-srv ssctl server del demo
echo
echo "demo complete"
