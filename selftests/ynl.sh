#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's own ynl CLI (tools/net/ynl/cli.py of linux-source-6.12,
# extracted by selftests/vm/setup.sh) drives the module knowing nothing but
# Documentation/netlink/specs/shadowsocks.yaml: what it sends, the module
# must take, and what the module sends, it must decode. Checked, in a netns
# of its own:
#   - --do server-new and client-new (enums by name, addresses, a raw key)
#     create objects that ssctl shows as they were sent
#   - --do server-get and --dump server-get / client-get decode them: enums
#     by name, the addresses, the stats nest; no key
#   - a request a handler refuses fails with the handler's extack message
#   - --subscribe resolver receives the module's resolve-request events
#     (the UDP relay of a server asks for a target name), and
#     --do resolve-reply answers one; a reply for no lookup is refused

source "$(dirname "$0")/lib.sh"

TOOLS=$(cd "$(dirname "$0")" && pwd)/tools
PY=/usr/bin/python3
NS=ssynl-$$
TMP=$(mktemp -d)
KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
PW="ynl test password $$"
SUB_PID=
TIMEOUT_PARAM=/sys/module/shadowsocks/parameters/lookup_timeout
SS_LOOKUP_TIMEOUT=10	# the module's default (uapi/linux/shadowsocks.h)

cleanup() {
	[ -n "$SUB_PID" ] && kill "$SUB_PID" 2>/dev/null
	[ -w "$TIMEOUT_PARAM" ] && echo "$SS_LOOKUP_TIMEOUT" >"$TIMEOUT_PARAM" 
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

in_ns() { ip netns exec "$NS" "$@"; }
ynl() { ss_ynl "$NS" "$@"; }

if ! ss_ynl_ready; then
	ss_fail "the ynl CLI and the schema are at $SS_YNL_DIR (selftests/vm/setup.sh)"
	ss_done
	exit 1
fi
ip netns add "$NS" && in_ns ip link set lo up
ss_test "the module loads (ssctl, on demand)" in_ns ssctl server show

# ---- do and dump ------------------------------------------------------------

out=$(ynl --do server-new --json "{\"name\": \"y0\", \"port\": 8810,
	\"listen-ipv4\": \"7f000001\", \"method\": \"aes-256-gcm\",
	\"key\": \"$KEY\", \"mode\": \"tcp-and-udp\", \"timeout\": 90,
	\"max-conns\": 7}" 2>&1)
ss_test "ynl --do server-new: accepted" test $? -eq 0
json=$(in_ns ssctl server show y0 -j 2>&1)
ok_if "ynl --do server-new: ssctl shows the server as sent" \
	'.[0] | .addresses == ["127.0.0.1"] and .port == 8810 and
	 .method == "aes-256-gcm" and .mode == "tcp_and_udp" and
	 .timeout == 90 and .max_conns == 7' "$json"

out=$(ynl --do client-new --json "{\"name\": \"c0\", \"port\": 8388,
	\"remote-ipv6\": \"20010db8000000000000000000000001\",
	\"method\": \"chacha20-ietf-poly1305\", \"key\": \"$KEY\"}" 2>&1)
ss_test "ynl --do client-new: accepted" test $? -eq 0
json=$(in_ns ssctl client show c0 -j 2>&1)
ok_if "ynl --do client-new: ssctl shows the profile as sent" \
	'.[0] | .server == "2001:db8::1" and .port == 8388 and
	 .method == "chacha20-ietf-poly1305"' "$json"

json=$(ynl --do server-get --json '{"name": "y0"}' 2>&1)
ok_if "ynl --do server-get: decoded by the spec (enums by name, stats nest)" \
	'.name == "y0" and .port == 8810 and .method == "aes-256-gcm" and
	 .mode == "tcp-and-udp" and .["listen-ipv4"] == "127.0.0.1" and
	 (.stats | has("conn-total") and has("udp-assoc-active"))' "$json"
json=$(ynl --dump server-get 2>&1)
ok_if "ynl --dump server-get: the one server, no key" \
	'length == 1 and .[0].name == "y0" and (.[0] | has("key") | not)' "$json"
json=$(ynl --dump client-get 2>&1)
ok_if "ynl --dump client-get: the one profile, its IPv6 server" \
	'length == 1 and .[0].name == "c0" and
	 .[0]["remote-ipv6"] == "2001:db8::1" and .[0].stats["conn-active"] == 0' \
	"$json"
[[ $json == *"$KEY"* ]] && ss_fail "ynl --dump client-get: the key's bytes are not in the dump" "$json" ||
	ss_ok "ynl --dump client-get: the key's bytes are not in the dump"

out=$(ynl --do client-new --json "{\"name\": \"c1\", \"port\": 8388,
	\"remote-ipv4\": \"c0000201\", \"method\": \"aes-128-gcm\",
	\"key\": \"$KEY\"}" 2>&1)
if [ $? -ne 0 ] && [[ $out == *"key length"* ]]; then
	ss_ok "ynl --do client-new with a 32-byte key for aes-128-gcm: refused, the handler's message"
else
	ss_fail "ynl --do client-new with a 32-byte key for aes-128-gcm: refused, the handler's message" "$out"
fi

# ---- the resolver group: the event and the reply ------------------------------

# The module waits for an agent's answer as long as someone listens on the
# group. Each datagram below, to a name, starts a lookup once the
# subscriber is in (before that, it fails at once: no listener); the
# subscriber prints what arrived when its sleep ends.
in_ns ssctl server add y1 address 127.0.0.1 port 8811 method aes-256-gcm \
	password "$PW" mode udp_only >/dev/null
echo 60 >"$TIMEOUT_PARAM"
ynl --subscribe resolver --sleep 20 >"$TMP/sub.json" 2>"$TMP/sub.err" &
SUB_PID=$!
for i in $(seq 15); do
	in_ns "$PY" "$TOOLS/ss_udp.py" echo --server 127.0.0.1:8811 \
		--method aes-256-gcm --password "$PW" --target "n$i.ynl.test:9" \
		--count 1 --retries 0 --wait 0.2 >/dev/null 2>&1
	sleep 1
done
wait "$SUB_PID"
SUB_PID=
events=$(cat "$TMP/sub.json" "$TMP/sub.err")
ok_if "ynl --subscribe resolver: the module's resolve-request events, decoded" \
	'length >= 1 and all(.[]; .name == "resolve-request" and
	 .msg.name == "y1" and (.msg["lookup-name"] | test("^n[0-9]+\\.ynl\\.test$")) and
	 (.msg["lookup-id"] | type == "number"))' "$events"
id=$(jq '.[-1].msg["lookup-id"]' <<<"$events" 2>/dev/null)
before=$(in_ns ssctl server show y1 -j | jq '.[0].stats.dns_fail')
out=$(ynl --do resolve-reply --json "{\"lookup-id\": ${id:-0}, \"lookup-error\": 2}" 2>&1)
ss_test "ynl --do resolve-reply: the agent's error answers the last lookup" \
	test $? -eq 0
dns_fail_up() {
	[ "$(in_ns ssctl server show y1 -j | jq '.[0].stats.dns_fail')" -gt "$before" ]
}
ss_test "ynl --do resolve-reply: the lookup failed, counted as dns_fail" \
	wait_for 5 dns_fail_up
out=$(ynl --do resolve-reply --json "{\"lookup-id\": ${id:-0}, \"lookup-error\": 2}" 2>&1)
if [ $? -ne 0 ] && [[ $out == *"no such lookup"* ]]; then
	ss_ok "ynl --do resolve-reply for the same lookup again: refused, 'no such lookup'"
else
	ss_fail "ynl --do resolve-reply for the same lookup again: refused, 'no such lookup'" "$out"
fi

in_ns ssctl server del y0 && in_ns ssctl server del y1 && in_ns ssctl client del c0
ss_test "the objects are deleted; both dumps are empty" \
	test "$(ynl --dump server-get)$(ynl --dump client-get)" = "[][]"
ss_done
