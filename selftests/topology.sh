# SPDX-License-Identifier: GPL-2.0
#
# The server-role topology (sourced, bash): three network namespaces joined
# by veth pairs, IPv4 and IPv6 on every link, and the target's services.
#
#   [client] 10.0.1.1 ---- 10.0.1.2 [server] 10.0.2.1 ---- 10.0.2.2 [target]
#            fd00:1::1     fd00:1::2         fd00:2::1     fd00:2::2
#                                                             |
#   [initial netns] 10.0.3.1 / fd00:3::1 ------ 10.0.3.2 / fd00:3::2
#
# No routing between the links: the client reaches only the server, the
# server both of its neighbours, so every byte a client gets from the target
# went through the server under test. The initial netns' link to the target
# exists for the kernel's DNS upcall (dns_query() runs /sbin/request-key in
# the initial namespaces, which reads /etc/resolv.conf): topo_setup with
# TOPO_INIT_LINK=1 adds it and points /etc/resolv.conf at the target's
# dnsmasq (only ever inside the VM, whose /etc is a tmpfs overlay).
#
# TOPO_RESOLVER=1 gives the server netns its own resolv.conf
# (/etc/netns/$NS_S/resolv.conf: the target's dnsmasq, which ip netns exec
# bind-mounts over /etc/resolv.conf) and starts "ssctl resolver" there, the
# agent that answers the module's lookups for the servers of that netns
# (without one, a server outside the initial netns resolves nothing).
#
# TOPO_LAN=1 adds a fourth netns, a LAN behind the client netns, which then
# plays a gateway (ss-socksd and the module's local role):
#
#   [lan] 10.0.4.1 ---- 10.0.4.2 [client = gateway] ...
#         fd00:4::1     fd00:4::2
#
# The lan's only routes (default, both families) point at the gateway, and
# the gateway forwards nothing (forwarding off, and it has no route to the
# target anyway): from the lan, only the gateway's own services, or an
# nftables redirect in the gateway, reach anything.
#
# The target runs tools/servers.py (HTTP on 8080, echo on 9000, digest on
# 9001, UDP echo on 9002; see that file), iperf3 -s on 5201 and dnsmasq,
# which answers:
#   target.test      A 10.0.2.2, AAAA fd00:2::2
#   v4.target.test   A 10.0.2.2 only
#   v6.target.test   AAAA fd00:2::2 only
#   self.target.test the server's own addresses on the target link
#   slow.target.test forwarded to $T4 port 5399, where nothing answers: a
#                    lookup that hangs until the resolver gives up (a test
#                    drops what arrives there, so that no ICMP error ends it)
#   anything else under .test: NXDOMAIN
#
#   topo_setup            create it all; names in $NS_C $NS_S $NS_T (and $NS_L)
#   topo_start [kmsg]     topo_setup as a test (and the kernel log captured)
#   topo_kmsg_stop        stop the kernel log's capture
#   kmsg_clean            the test that the kernel log has no warning
#   topo_del_objects      delete the module's servers and client profiles
#   get / put CURL_ARGS... -- URL N   N bytes of the blob down / up with curl
#                         (where the applications run: topo_app), compared
#   topo_cleanup          kill what topo_setup started, delete the namespaces
#   in_c / in_s / in_t / in_l CMD...   run CMD in a namespace
#   topo_metadata         the cloud metadata addresses on the target, routed
#                         from the server (see below)

SS_TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/tools
# Debian's python3, which has the cryptography package (a python3 earlier on
# PATH, e.g. a pyenv shim on a developer's host, may not)
PY=${PY:-/usr/bin/python3}

TOPO_ID=${TOPO_ID:-$$}
NS_C=ssc-$TOPO_ID
NS_S=sss-$TOPO_ID
NS_T=sst-$TOPO_ID
NS_L=ssl-$TOPO_ID
TOPO_DIR=${TOPO_DIR:-$(mktemp -d /tmp/sstopo.XXXXXX)}
TOPO_INIT_LINK=${TOPO_INIT_LINK:-0}

# nobody_tools FILE...: copies of these selftests/tools files in a directory
# anyone can read, for the tests that run a tool as an unprivileged user (a
# clone under /root, as a CI may make, is not readable to it); prints the
# directory. It is inside TOPO_DIR, which topo_cleanup removes. The uapi
# headers go with them: tools/genl.py reads its numbers from them.
nobody_tools() {
	local d=$TOPO_DIR/nobody-tools
	chmod o+x "$TOPO_DIR" &&
		mkdir -p "$d" && chmod 755 "$d" &&
		(cd "$SS_TOOLS" && cp "$@" ../../uapi/linux/shadowsocks.h \
			../../uapi/linux/shadowsocks_genl.h "$d/") &&
		(cd "$d" && chmod 644 "$@" shadowsocks.h shadowsocks_genl.h) &&
		echo "$d"
}
TOPO_LAN=${TOPO_LAN:-0}
TOPO_RESOLVER=${TOPO_RESOLVER:-0}
TOPO_PIDS=()

C4=10.0.1.1 C6=fd00:1::1
S4_C=10.0.1.2 S6_C=fd00:1::2	# the server, as the client sees it
S4_T=10.0.2.1 S6_T=fd00:2::1	# the server, as the target sees it
T4=10.0.2.2 T6=fd00:2::2
I4=10.0.3.1 I6=fd00:3::1	# the initial netns
T4_I=10.0.3.2 T6_I=fd00:3::2	# the target, as the initial netns sees it
L4=10.0.4.1 L6=fd00:4::1	# the lan (TOPO_LAN=1)
C4_L=10.0.4.2 C6_L=fd00:4::2	# the client (gateway), as the lan sees it
DOMAIN=target.test
# Cloud metadata services a server refuses as local targets (ss_addr_is_local()
# in kmod/addr.c): AWS's over IPv6, Alibaba Cloud's; and everyone's over
# link-local IPv4
META4_LL=169.254.169.254 META6_AWS=fd00:ec2::254 META4_ALIBABA=100.100.100.200

in_c() { ip netns exec "$NS_C" "$@"; }
in_s() { ip netns exec "$NS_S" "$@"; }
in_t() { ip netns exec "$NS_T" "$@"; }
in_l() { ip netns exec "$NS_L" "$@"; }

# topo_link NS_A IF_A ADDR4_A ADDR6_A NS_B IF_B ADDR4_B ADDR6_B (NS "" = initial)
topo_link() {
	local nsa=$1 ifa=$2 a4=$3 a6=$4 nsb=$5 ifb=$6 b4=$7 b6=$8 ns ifn a4_ a6_
	ip link add "$ifa-$TOPO_ID" type veth peer name "$ifb-$TOPO_ID" || return 1
	for side in a b; do
		if [ $side = a ]; then ns=$nsa ifn=$ifa a4_=$a4 a6_=$a6
		else ns=$nsb ifn=$ifb a4_=$b4 a6_=$b6; fi
		local dev=$ifn-$TOPO_ID nsx=()
		if [ -n "$ns" ]; then
			ip link set "$dev" netns "$ns" || return 1
			nsx=(ip netns exec "$ns")
		fi
		"${nsx[@]}" ip link set "$dev" name "$ifn" || return 1
		"${nsx[@]}" ip addr add "$a4_/24" dev "$ifn" || return 1
		"${nsx[@]}" ip addr add "$a6_/64" dev "$ifn" nodad || return 1
		"${nsx[@]}" ip link set "$ifn" up || return 1
	done
}

# the initial netns' end keeps a unique name: other tests may run beside us
topo_init_link() {
	local dev=ssi$TOPO_ID
	ip link add "$dev" type veth peer name "sst$TOPO_ID" || return 1
	ip link set "sst$TOPO_ID" netns "$NS_T" || return 1
	in_t ip link set "sst$TOPO_ID" name vi || return 1
	in_t ip addr add "$T4_I/24" dev vi || return 1
	in_t ip addr add "$T6_I/64" dev vi nodad || return 1
	in_t ip link set vi up || return 1
	ip addr add "$I4/24" dev "$dev" || return 1
	ip addr add "$I6/64" dev "$dev" nodad || return 1
	ip link set "$dev" up || return 1
	# the upcall's resolver reads this; the VM's /etc is a tmpfs overlay
	printf 'nameserver %s\n' "$T4_I" >/etc/resolv.conf
}

# topo_metadata: the cloud metadata addresses become the target's (on its
# link to the server, which gets a route to each), so that a request for
# one would reach the target's services: a refusal is the policy
topo_metadata() {
	local a
	for a in "$META4_LL" "$META4_ALIBABA"; do
		in_t ip addr add "$a/32" dev vs || return 1
		in_s ip route add "$a/32" via "$T4" || return 1
	done
	in_t ip addr add "$META6_AWS/128" dev vs nodad || return 1
	in_s ip -6 route add "$META6_AWS/128" via "$T6" || return 1
}

# topo_bg NAME NS CMD...: start CMD in netns NS in the background (ip netns
# exec execs it, so $! is its pid, also left in TOPO_LAST_PID), output to
# $TOPO_DIR/NAME.log; topo_cleanup ends it if nobody did before
topo_bg() {
	local name=$1 ns=$2
	shift 2
	ip netns exec "$ns" "$@" >"$TOPO_DIR/$name.log" 2>&1 &
	TOPO_LAST_PID=$!
	TOPO_PIDS+=($!)
}

# topo_kill PID...: end processes topo_bg started, and reap them
topo_kill() {
	local pid
	for pid in "$@"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "$@"; do
		wait "$pid" 2>/dev/null
	done
	return 0
}

# listening NS PORT: a TCP socket listens on PORT in netns NS
listening() {
	[ -n "$(ip netns exec "$1" ss -Htln "( sport = :$2 )")" ]
}

# udp_listening NS PORT: a UDP socket is bound to PORT in netns NS
udp_listening() {
	[ -n "$(ip netns exec "$1" ss -Huln "( sport = :$2 )")" ]
}
udp_gone() { ! udp_listening "$@"; }

# logtail NAME: the last lines of a background process's log, for diagnostics
logtail() { [ -f "$TOPO_DIR/$1.log" ] && tail -n 15 "$TOPO_DIR/$1.log" | sed "s/^/$1: /"; }

# stats_c PROFILE / stats_s SERVER: the object's counters, one JSON line
stats_c() { in_c ssctl client show "$1" -j | jq -c '.[0].stats'; }
stats_s() { in_s ssctl server show "$1" -j | jq -c '.[0].stats'; }

# topo_start [kmsg]: build the topology as the file's first test; the file
# ends there if that fails. With kmsg, the module is unloaded first and the
# kernel log from then on is captured in $TOPO_DIR/kmsg (by $KMSG_PID,
# which topo_cleanup stops).
KMSG_PID=
topo_start() {
	local out what="client, server and target netns"

	[ "$TOPO_LAN" = 1 ] && what="lan, gateway, server and target netns"
	if [ "${1:-}" = kmsg ]; then
		rmmod shadowsocks 2>/dev/null
		dmesg -C
		dmesg -w >"$TOPO_DIR/kmsg" 2>&1 &
		KMSG_PID=$!
	fi
	if out=$(topo_setup 2>&1); then
		ss_ok "topology: $what, target services up"
	else
		ss_fail "topology: $what, target services up" "$out"
		ss_done
		exit 1
	fi
}

# topo_kmsg_stop: stop capturing the kernel log: $TOPO_DIR/kmsg is whole
topo_kmsg_stop() {
	[ -n "$KMSG_PID" ] || return 0
	kill "$KMSG_PID" 2>/dev/null
	wait "$KMSG_PID" 2>/dev/null
	KMSG_PID=
}

# kmsg_clean: the test that the captured kernel log has no warning, BUG,
# Oops, sanitizer report, refcount complaint or hung task
kmsg_clean() {
	local trouble

	if trouble=$(grep -E 'WARNING:|BUG:|Oops|general protection|KASAN|UBSAN|refcount_t:|INFO: task' \
		"$TOPO_DIR/kmsg"); then
		ss_fail "no kernel warning during the tests" "$trouble"
	else
		ss_ok "no kernel warning during the tests"
	fi
}

# topo_del_objects: delete every client profile of the client netns and
# every server of the server netns, if the module is loaded
topo_del_objects() {
	local n

	grep -q '^shadowsocks ' /proc/modules 2>/dev/null || return 0
	for n in $(in_c ssctl client show -j 2>/dev/null | jq -r '.[].name' 2>/dev/null); do
		in_c ssctl client del "$n"
	done
	for n in $(in_s ssctl server show -j 2>/dev/null | jq -r '.[].name' 2>/dev/null); do
		in_s ssctl server del "$n"
	done
}

# topo_blob: a 64 MiB random file the target serves and clients compare with
TOPO_BLOB=$TOPO_DIR/blob
TOPO_BLOB_SIZE=$((64 << 20))

# topo_app CMD...: run CMD where the applications are: the lan with
# TOPO_LAN=1, else the client netns
topo_app() {
	if [ "$TOPO_LAN" = 1 ]; then in_l "$@"; else in_c "$@"; fi
}

# blob_sha N: SHA-256 of the blob's first N bytes, kept in a file (get and
# put run in subshells); blob_sha_bg N computes it in the background
blob_sha() {
	local f=$TOPO_DIR/sha.$1
	if [ -e "$f.pending" ]; then
		wait_for 300 test -s "$f"
	elif [ ! -s "$f" ]; then
		head -c "$1" "$TOPO_BLOB" | sha256sum | cut -d' ' -f1 >"$f"
	fi
	cat "$f"
}
blob_sha_bg() {
	touch "$TOPO_DIR/sha.$1.pending"
	(head -c "$1" "$TOPO_BLOB" | sha256sum | cut -d' ' -f1 >"$TOPO_DIR/sha.$1.tmp" &&
		mv "$TOPO_DIR/sha.$1.tmp" "$TOPO_DIR/sha.$1") &
}

# get CURL_ARGS... -- URL N: download N bytes (curl where the applications
# run), compare with the blob
get() {
	local args=() url n got
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	url=$2 n=$3
	got=$(set -o pipefail; topo_app curl -sS --fail --max-time 600 "${args[@]}" "$url" | sha256sum) ||
		{ echo "curl failed"; return 1; }
	got=${got%% *}
	[ "$got" = "$(blob_sha "$n")" ] || { echo "SHA-256 $got, want $(blob_sha "$n")"; return 1; }
}

# put CURL_ARGS... -- URL N: upload the blob's first N bytes, compare what
# the target says it got
put() {
	local args=() url n got file
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	url=$2 n=$3
	file=$TOPO_DIR/up.$n
	[ -f "$file" ] || head -c "$n" "$TOPO_BLOB" >"$file"
	got=$(topo_app curl -sS --fail --max-time 600 -H 'Expect:' "${args[@]}" -T "$file" "$url") ||
		{ echo "curl failed: $got"; return 1; }
	[ "$got" = "$(blob_sha "$n") $n" ] || { echo "target got '$got', want '$(blob_sha "$n") $n'"; return 1; }
}

topo_setup() {
	local ns nss=("$NS_C" "$NS_S" "$NS_T")
	[ "$TOPO_LAN" = 1 ] && nss+=("$NS_L")
	for ns in "${nss[@]}"; do
		ip netns add "$ns" || return 1
		ip netns exec "$ns" ip link set lo up || return 1
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 || return 1
	done
	topo_link "$NS_C" vs "$C4" "$C6" "$NS_S" vc "$S4_C" "$S6_C" || return 1
	topo_link "$NS_S" vt "$S4_T" "$S6_T" "$NS_T" vs "$T4" "$T6" || return 1
	if [ "$TOPO_INIT_LINK" = 1 ]; then
		topo_init_link || return 1
	fi
	if [ "$TOPO_LAN" = 1 ]; then
		topo_link "$NS_L" vg "$L4" "$L6" "$NS_C" vl "$C4_L" "$C6_L" || return 1
		in_l ip route add default via "$C4_L" || return 1
		in_l ip -6 route add default via "$C6_L" || return 1
		in_c sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0 || return 1
	fi

	[ -s "$TOPO_BLOB" ] || head -c "$TOPO_BLOB_SIZE" /dev/urandom >"$TOPO_BLOB" || return 1

	topo_bg servers "$NS_T" "$PY" "$SS_TOOLS/servers.py" --blob "$TOPO_BLOB" --udp-echo 9002
	topo_bg iperf3 "$NS_T" iperf3 -s -p 5201
	local listen=(--listen-address="$T4" --listen-address="$T6")
	[ "$TOPO_INIT_LINK" = 1 ] && listen+=(--listen-address="$T4_I" --listen-address="$T6_I")
	topo_bg dnsmasq "$NS_T" dnsmasq --keep-in-foreground --no-resolv --no-hosts \
		--bind-interfaces "${listen[@]}" --except-interface=lo \
		--pid-file="$TOPO_DIR/dnsmasq.pid" --user=root --group=root \
		--local=/test/ --local-ttl=1 \
		--host-record="$DOMAIN,$T4,$T6" \
		--host-record="v4.$DOMAIN,$T4" \
		--host-record="v6.$DOMAIN,$T6" \
		--host-record="self.$DOMAIN,$S4_T,$S6_T" \
		--server="/slow.$DOMAIN/$T4#5399" \
		--log-facility="$TOPO_DIR/dnsmasq.queries" --log-queries

	wait_for 30 listening "$NS_T" 9001 || { echo "servers.py did not start: $(cat "$TOPO_DIR/servers.log")"; return 1; }
	wait_for 30 listening "$NS_T" 8080 || return 1
	wait_for 30 listening "$NS_T" 5201 || { echo "iperf3 did not start"; return 1; }
	wait_for 30 listening "$NS_T" 53 || { echo "dnsmasq did not start: $(cat "$TOPO_DIR/dnsmasq.log")"; return 1; }
	if [ "$TOPO_RESOLVER" = 1 ]; then
		mkdir -p "/etc/netns/$NS_S" || return 1
		printf 'nameserver %s\n' "$T4" >"/etc/netns/$NS_S/resolv.conf" || return 1
		topo_bg resolver "$NS_S" ssctl resolver verbose
		wait_for 30 grep -q "answering with" "$TOPO_DIR/resolver.log" ||
			{ echo "ssctl resolver did not start: $(cat "$TOPO_DIR/resolver.log")"; return 1; }
	fi
	return 0
}

topo_cleanup() {
	topo_kmsg_stop
	topo_kill "${TOPO_PIDS[@]}"
	TOPO_PIDS=()
	ip netns del "$NS_C" 2>/dev/null
	ip netns del "$NS_S" 2>/dev/null
	ip netns del "$NS_T" 2>/dev/null
	[ "$TOPO_LAN" = 1 ] && ip netns del "$NS_L" 2>/dev/null
	ip link del "ssi$TOPO_ID" 2>/dev/null
	rm -rf "/etc/netns/$NS_S"
	rm -rf "$TOPO_DIR"
}
