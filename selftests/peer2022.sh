#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What the Shadowsocks 2022 tests (tcp_2022.sh, udp_2022.sh, user_2022.sh)
# share: PSKs, and the independent peer tools/ss2022.py in the topology's
# namespaces. Sourced after lib.sh and topology.sh.

declare -A KLEN=([2022-blake3-aes-128-gcm]=16 [2022-blake3-aes-256-gcm]=32
	[2022-blake3-chacha20-poly1305]=32)
SS2022=$SS_TOOLS/ss2022.py

# psk METHOD: a random PSK of the method's length, base64
psk() { openssl rand -base64 "${KLEN[$1]}"; }

# udp DESC JQ ARGS...: the peer's UDP client in the client netns; its JSON
# line must satisfy JQ
udp() {
	local desc=$1 want=$2 out
	shift 2
	out=$(in_c "$PY" "$SS2022" client udp --wait 3 "$@" 2>"$TOPO_DIR/udp.err")
	if jq -e "$want" <<<"$(tail -n 1 <<<"$out")" >/dev/null 2>&1; then
		ss_ok "$desc"
	else
		ss_fail "$desc" "$out; $(tail -n 5 "$TOPO_DIR/udp.err")"
	fi
}

# dgram_again FILE HOST:PORT: FILE's bytes (a datagram the peer's client
# recorded with --save-sent) sent again from the client netns, from a new
# socket; prints "answered", or "none" when nothing came within 3 s
dgram_again() {
	in_c "$PY" -c '
import socket, sys
host, port = sys.argv[2].rsplit(":", 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.sendto(open(sys.argv[1], "rb").read(), (host, int(port)))
try:
    s.recv(65536)
    print("answered")
except socket.timeout:
    print("none")
' "$1" "$2" 2>&1
}

# peer_server NAME PORT ARGS...: the peer's server in the server netns,
# on $S4_C:PORT, once it listens
peer_server() {
	local name=$1 port=$2
	shift 2
	rm -f "$TOPO_DIR/$name.ready"
	topo_bg "$name" "$NS_S" "$PY" "$SS2022" server --listen "$S4_C:$port" \
		--ready-file "$TOPO_DIR/$name.ready" "$@"
	wait_for 60 test -s "$TOPO_DIR/$name.ready" ||
		{ echo "the peer's server $name is not ready"; return 1; }
}
