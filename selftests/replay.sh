#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The replay filters under a flood (tools/replay_flush.py):
# - datagrams anyone can send to a server's UDP association make it answer
#   with salts of its own; they must never push a client's salt out of the
#   filter, nor make the server forget a salt of its own;
# - valid packets a user sends to a server of theirs, in a namespace of
#   their own, must never push out the salts another namespace's server
#   remembers.
# The module is loaded with a small filter so that the floods are short.

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")" || exit 1

CAPACITY=1000
NS=ss-replay
NS2=ss-replay-other
PORT=18600
PW=replay-test

rmmod shadowsocks 2>/dev/null
dmesg -C
ss_test "module loaded with replay_capacity=$CAPACITY" \
	modprobe shadowsocks replay_capacity=$CAPACITY
ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
ss_test "udp server with local targets allowed" \
	ip netns exec "$NS" ssctl server add r address 127.0.0.1 port $PORT \
	method aes-256-gcm password $PW mode udp_only allow-local on

flood() {
	local out
	out=$(ip netns exec "$NS" python3 tools/replay_flush.py "$@" 2>&1)
	tap_json "$out" ""
	# what else the tool said (its errors), as diagnostics
	grep -v '^{"case"' <<<"$out" | sed 's/^/# /'
}

drops() {
	ip netns exec "$NS" ssctl server show r -j | jq '.[0].stats.udp_drop_replay'
}

flood stranger $PORT $PW $((3 * CAPACITY))
stats=$(ip netns exec "$NS" ssctl server show r -j | jq -c '.[0].stats')
ok_if "the replay and the reflection were counted (udp_drop_replay 2)" \
	'.udp_drop_replay == 2' "$stats"

# another namespace, another owner: a server there with a key of its own
ip netns add "$NS2"
ip netns exec "$NS2" ip link set lo up
ss_test "a server in another namespace" \
	ip netns exec "$NS2" ssctl server add o address 127.0.0.1 port $PORT \
	method aes-256-gcm password other-$PW mode udp_only allow-local on
before=$(drops)
flood cross $PORT $PW -- ip netns exec "$NS2" python3 tools/replay_flush.py \
	valid $PORT other-$PW $((3 * CAPACITY))
after=$(drops)
if [ "$after" = $((before + 1)) ]; then
	ss_ok "the replay after the other namespace's flood was counted"
else
	ss_fail "the replay after the other namespace's flood was counted" \
		"udp_drop_replay $before -> $after"
fi

ip netns exec "$NS2" ssctl server del o
ip netns del "$NS2"

# The association table's hash seed is random at each load: nobody can
# choose client addresses that all fall into one bucket. One client
# address, two loads of the module: its hash (in the debug log) differs
# (the same by chance once in 2^32).
assoc_hash() {
	dmesg | sed -n 's/.*udp assoc [0-9]* created on server r for 127\.0\.0\.1:40999, hash \([0-9a-f]*\)$/\1/p' | tail -n 1
}
flood one $PORT $PW 40999
h1=$(assoc_hash)
ip netns exec "$NS" ssctl server del r
ip netns del "$NS"
rmmod shadowsocks
modprobe shadowsocks replay_capacity=$CAPACITY
ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
ip netns exec "$NS" ssctl server add r address 127.0.0.1 port $PORT \
	method aes-256-gcm password $PW mode udp_only allow-local on
flood one $PORT $PW 40999
h2=$(assoc_hash)
if [ -n "$h1" ] && [ -n "$h2" ] && [ "$h1" != "$h2" ]; then
	ss_ok "one client address hashes differently after a reload ($h1, $h2)"
else
	ss_fail "one client address hashes differently after a reload" \
		"hashes: '$h1', '$h2'"
fi

ip netns exec "$NS" ssctl server del r
ip netns del "$NS"
rmmod shadowsocks
if trouble=$(dmesg | grep -E 'WARNING:|BUG:|Oops|general protection|KASAN|UBSAN|refcount_t:|ODEBUG|INFO: task|lockdep|circular locking'); then
	ss_fail "no kernel warning during the tests" "$trouble"
else
	ss_ok "no kernel warning during the tests"
fi
ss_done
