#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The handover commands against a hostile caller: an unprivileged user in
# a user and network namespace of its own (all the handover commands need
# is CAP_NET_ADMIN there) hands sockets over and keeps their descriptors
# (tools/takeover.py says what it tries). Every case must hold, the kernel
# must log no warning, and every relay created must be destroyed.

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")" || exit 1

# the debug kernel (KASAN, lockdep) runs each round ten times slower
ROUNDS=${HANDOFF_ROUNDS:-20}
[ "${SS_DEBUG_KERNEL:-0}" = 1 ] && ROUNDS=${HANDOFF_ROUNDS:-8}

# the module is loaded (an earlier file may have removed it), a clean log
ssctl server show >/dev/null 2>&1
dmesg -C
# kTLS, for the case of a socket with a ULP (skipped where it is missing)
modprobe -q tls 2>/dev/null

if ! unshare -Ur true 2>/dev/null; then
	ss_fail "user namespaces can be created" "unshare -Ur failed"
	ss_done
	exit 1
fi

# the unprivileged user may not be able to read the tree (a clone under
# /root): it runs copies of the tools
TOOLS=$(mktemp -d)
# (genl.py reads the attribute numbers from the uapi headers beside it)
cp tools/takeover.py tools/genl.py ../uapi/linux/shadowsocks.h \
	../uapi/linux/shadowsocks_genl.h "$TOOLS/"
chmod -R a+rX "$TOOLS"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all -- \
	unshare -Urn python3 "$TOOLS/takeover.py" "$ROUNDS" 2>&1)
rc=$?
rm -rf "$TOOLS"
tap_json "$out" "unprivileged, own userns: "
if [ "$rc" -ne 0 ] && grep -vq '^{' <<<"$out"; then
	ss_fail "takeover.py ran to the end" "$(grep -v '^{' <<<"$out" | tail -n 20)"
fi

# The module removed while userspace still holds sockets it handed over:
# nothing of the module may stay on them (callbacks, protocol).
NS=hoff-rmmod
ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
coproc RM { ip netns exec "$NS" python3 tools/takeover.py --rmmod 2>&1; }
rm_pid=$RM_PID
rm_out=""
while IFS= read -r -t 60 line <&"${RM[0]}"; do
	[ "$line" = ready ] && break
	rm_out+="$line"$'\n'
done
if [ "$line" = ready ]; then
	if rmmod shadowsocks; then
		ss_ok "rmmod with handed-over sockets still open in userspace"
	else
		ss_fail "rmmod with handed-over sockets still open in userspace"
	fi
	echo go >&"${RM[1]}"
else
	ss_fail "takeover.py --rmmod handed its sockets over and waited for rmmod" \
		"$(tail -n 5 <<<"$rm_out")"
fi
rm_out+=$(cat <&"${RM[0]}")
wait "$rm_pid" 2>/dev/null
tap_json "$rm_out" ""
grep -q '"case"' <<<"$rm_out" || ss_fail "takeover.py --rmmod ran" "$rm_out"
ip netns del "$NS"

# The debug build logs each object's creation and destruction.
for what in "conn" "udp relay"; do
	c=$(dmesg | grep -c "shadowsocks: $what [0-9]* created")
	d=$(dmesg | grep -c "shadowsocks: $what [0-9]* destroyed")
	if [ "$c" -gt 0 ] && [ "$c" -eq "$d" ]; then
		ss_ok "every $what created was destroyed ($c)"
	else
		ss_fail "every $what created was destroyed" "created $c, destroyed $d"
	fi
done

if trouble=$(dmesg | grep -E 'WARNING:|BUG:|Oops|general protection|KASAN|UBSAN|refcount_t:|ODEBUG|INFO: task|lockdep|circular locking'); then
	ss_fail "no kernel warning during the tests" "$trouble"
else
	ss_ok "no kernel warning during the tests"
fi

ss_done
