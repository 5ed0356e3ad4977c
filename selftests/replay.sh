#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The replay filters under a flood: datagrams anyone can send to a
# server's UDP association make it answer with salts of its own, which
# must never push a client's salt out of the filter (tools/replay_flush.py).
# The module is loaded with a small filter so that the flood is short.

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")" || exit 1

CAPACITY=1000
NS=ss-replay
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

out=$(ip netns exec "$NS" python3 tools/replay_flush.py $PORT $PW $((3 * CAPACITY)) 2>&1)
tap_json "$out" ""
# what else the tool said (its errors), as diagnostics
grep -v '^{"case"' <<<"$out" | sed 's/^/# /'

stats=$(ip netns exec "$NS" ssctl server show r -j | jq -c '.[0].stats')
ok_if "the replay was counted (udp_drop_replay 1)" '.udp_drop_replay == 1' "$stats"

ip netns exec "$NS" ssctl server del r
ip netns del "$NS"
rmmod shadowsocks
if trouble=$(dmesg | grep -E 'WARNING:|BUG:|Oops|general protection|KASAN|UBSAN|refcount_t:|ODEBUG|INFO: task|lockdep|circular locking'); then
	ss_fail "no kernel warning during the tests" "$trouble"
else
	ss_ok "no kernel warning during the tests"
fi
ss_done
