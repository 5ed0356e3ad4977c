#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module's life: loaded on demand by ssctl, owns per-netns objects and
# their sockets, frees a netns' objects with the netns, and unloads with
# objects present leaving nothing behind (the debug build logs every object's
# creation and destruction; the counts must match).

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

KEY=$(head -c 32 /dev/urandom | base64)

loaded() { grep -q '^shadowsocks ' /proc/modules; }

# count_log WHAT: how many "<kind> NAME <what>" lines the module logged
count_log() { dmesg | grep -cE "shadowsocks: (server|client) [^ ]+ $1\$"; }

# bind_fails PROTO PORT: a userspace bind on the port is refused
bind_fails() {
	python3 - "$1" "$2" <<'PY'
import socket, sys
t = socket.SOCK_STREAM if sys.argv[1] == "tcp" else socket.SOCK_DGRAM
s = socket.socket(socket.AF_INET, t)
try:
    s.bind(("0.0.0.0", int(sys.argv[2])))
except OSError:
    sys.exit(0)
sys.exit(1)
PY
}
export -f bind_fails

dmesg -C

if loaded; then
	ss_fail "module not loaded before the first ssctl call" "$(lsmod | grep shadowsocks)"
else
	ss_ok "module not loaded before the first ssctl call"
fi
ss_test "ssctl server show loads the module on demand" \
	bash -c 'ssctl server show >/dev/null && grep -q "^shadowsocks " /proc/modules'
ss_test "the freshly built module is the one loaded" \
	bash -c "[ \"\$(modinfo -F filename shadowsocks)\" = /lib/modules/$(uname -r)/updates/shadowsocks.ko ]"
# The VM runs the debug build, whose known-answer tests (HKDF, the AEADs,
# seal/open, the replay filter) run at load and refuse the load on failure.
if dmesg | grep -q 'shadowsocks: crypto self-tests: pass'; then
	ss_ok "crypto self-tests pass at load (debug build)"
else
	ss_fail "crypto self-tests pass at load (debug build)" \
		"$(dmesg | grep 'shadowsocks:' | head -n 20)"
fi

ss_test "server add (tcp_and_udp) in the initial netns" \
	ssctl server add lc-a port 18388 method aes-256-gcm key "$KEY" mode tcp_and_udp
ss_test "server add (udp_only, IPv6 listen) in the initial netns" \
	ssctl server add lc-b address ::1 port 18389 method chacha20-ietf-poly1305 password pw mode udp_only
ss_test "client add in the initial netns" \
	ssctl client add lc-c server 192.0.2.1 port 8388 method aes-128-gcm password pw
ss_test "server's TCP port is taken by the module" bind_fails tcp 18388
ss_test "server's UDP port is taken by the module" bind_fails udp 18388

ip netns add lc-ns1
ss_test "server add in netns lc-ns1" \
	ip netns exec lc-ns1 ssctl server add lc-n1 port 18388 method aes-128-gcm password pw
ss_test "client add in netns lc-ns1" \
	ip netns exec lc-ns1 ssctl client add lc-n2 server 2001:db8::1 port 8388 method xchacha20-ietf-poly1305 password pw

before=$(count_log destroyed)
ip netns del lc-ns1
if wait_for 10 bash -c "[ \$(dmesg | grep -cE 'shadowsocks: (server lc-n1|client lc-n2) destroyed\$') -eq 2 ]"; then
	ss_ok "deleting a netns destroys its objects"
else
	ss_fail "deleting a netns destroys its objects" "$(dmesg | grep shadowsocks: | tail -n 20)"
fi
ss_test "objects of the initial netns survive another netns' deletion" \
	bash -c 'ssctl server show lc-a >/dev/null && ssctl client show lc-c >/dev/null'
[ "$(count_log destroyed)" -eq $((before + 2)) ] &&
	ss_ok "netns deletion destroyed exactly its two objects" ||
	ss_fail "netns deletion destroyed exactly its two objects" "before $before, now $(count_log destroyed)"

if out=$(rmmod shadowsocks 2>&1); then
	ss_ok "rmmod with objects present succeeds"
else
	ss_fail "rmmod with objects present succeeds" "$out"
fi
created=$(count_log created)
destroyed=$(count_log destroyed)
if [ "$created" -eq 5 ] && [ "$destroyed" -eq "$created" ]; then
	ss_ok "every object created was destroyed ($created)"
else
	ss_fail "every object created was destroyed" "created $created, destroyed $destroyed
$(dmesg | grep shadowsocks:)"
fi
ss_test "the TCP port is free again after unload" bash -c '! bind_fails tcp 18388'
ss_test "the UDP port is free again after unload" bash -c '! bind_fails udp 18388'
ss_test "the module reloads and starts empty" \
	bash -c '[ -z "$(ssctl server show)" ] && [ -z "$(ssctl client show)" ]'
rmmod shadowsocks 2>/dev/null

ss_done
