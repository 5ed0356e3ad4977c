#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Transparent proxying with TPROXY: ss-socksd --redir ADDR:PORT,tproxy[,udp]
# and the local role's UDP relay in transparent mode (SS_A_TPROXY), end to
# end. Topology (selftests/topology.sh, TOPO_LAN=1):
#
#   [lan] curl, dig, tools/ss_udp.py plain: straight to the target's
#         addresses, with no SOCKS setting or proxy address anywhere
#     -> [gateway = client netns] nftables tproxy (prerouting, priority
#        mangle) of TCP and UDP from the lan to the target's networks
#        (10.0.2.0/24, fd00:2::/64) into ss-socksd's transparent front ends
#        0.0.0.0:PORT and [::]:PORT (,tproxy,udp), mark 1, and mark 1 ->
#        table 100 (local 0.0.0.0/0 and ::/0 dev lo). TCP: the accepted
#        socket's own address is the target; UDP: the kernel reads each
#        datagram's original destination and sends each reply from the
#        replying host's address and port
#     -> [server] the module's server role (aes-256-gcm, tcp_and_udp), then
#        shadowsocks-libev's ss-server -u (chacha20-ietf-poly1305)
#     -> [target] HTTP on 8080, UDP echo on 9002 (tools/servers.py), dnsmasq
#
#   - the gateway has no route to the target and forwards nothing: without
#     the tproxy rule the lan reaches nothing there (TCP or UDP), and all
#     it gets afterwards came through the profile and the server (their
#     counters say so)
#   - refusals: ss-socksd --redir ADDR:PORT,udp without tproxy (REDIRECT
#     cannot carry UDP) is a usage error (exit 2); the kernel refuses
#     SS_A_TPROXY for a socket without IP_TRANSPARENT (EPERM, with its
#     extack message) and with a target or the SOCKS5 flag (EINVAL); a
#     socket with IP_TRANSPARENT is taken, and let go with its control socket;
#     an unprivileged user in a user and network namespace of its own
#     (CAP_NET_ADMIN there) holding a transparent socket of the gateway's
#     namespace is refused (EPERM, naming CAP_NET_ADMIN)
#   - kernel server: curl of 2 MiB from http://10.0.2.2:8080 and
#     http://[fd00:2::2]:8080, SHA-256 checked; dig to 10.0.2.2:53 and
#     [fd00:2::2]:53, A and AAAA; 5,000 datagrams of 4..1400 bytes to
#     10.0.2.2:9002 and 5,000 to [fd00:2::2]:9002 (SS_TPROXY_N each; 1,000 on the debug kernel), 32 in
#     flight, each reply checked: its payload, and that it comes from the
#     target's address and port (the reply's source is the original
#     destination); no reply socket stays bound to those addresses (each
#     lives for one datagram); the profile's and the server's counters
#     (TCP relays, UDP packets in and out, no drop)
#   - a connection and a datagram straight to the front end's own address
#     (the gateway's): closed by ss-socksd, dropped by the kernel as bad
#   - ss-socksd stopped: its transparent UDP relays end with it (the ports
#     are free)
#   - libev ss-server -u: the same with 1 MiB and 1,000 datagrams per
#     family (SS_TPROXY_N_LIBEV; 300 on the debug kernel); the profile's counters
#   - a hostile server's replies naming loopback, the gateway's own
#     address, a name, port 0 or a host of the other family: dropped
#     (udp_drop_bad), only its good reply reaches the lan
#   - every UDP relay and association the debug log shows created was
#     destroyed; no kernel warning

TOPO_LAN=1

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topology.sh"

PW="tproxy test password $$"
M=aes-256-gcm
LIBEV_M=chacha20-ietf-poly1305
SRV_PORT=8700
LIBEV_PORT=8710
TP=1090				# the transparent front ends' port
ECHO=9002
SIZE=$((2 << 20))
SIZE_LIBEV=$((1 << 20))
N=${SS_TPROXY_N:-5000}		# datagrams per family, kernel server
N_LIBEV=${SS_TPROXY_N_LIBEV:-1000}
# the debug kernel (KASAN) moves a datagram ten times slower: the same
# paths with fewer (the default run's time is CI's)
if [ "${SS_DEBUG_KERNEL:-0}" = 1 ]; then
	N=${SS_TPROXY_N:-1000}
	N_LIBEV=${SS_TPROXY_N_LIBEV:-300}
fi
WINDOW=32
TNET4=10.0.2.0/24 TNET6=fd00:2::/64	# the target's networks
LAN_IF=vl			# the gateway's lan-side interface (topology.sh)
REDIRS=(--redir "0.0.0.0:$TP,tproxy,udp" --redir "[::]:$TP,tproxy,udp")

cleanup() {
	topo_kill "${TOPO_PIDS[@]}"
	topo_del_objects
	topo_cleanup
}
trap cleanup EXIT

# t DESC FUNC...: ss_test in this shell (FUNC may start background
# processes that cleanup must know of, or set variables)
t() {
	local desc=$1
	shift
	if "$@" >"$TOPO_DIR/err" 2>&1; then
		ss_ok "$desc"
	else
		ss_fail "$desc" "$(cat "$TOPO_DIR/err")"
	fi
}

# socksd LOGNAME PROFILE ARGS...: ss-socksd in the gateway; pid in SOCKSD_PID
socksd() {
	local log=$1 prof=$2
	shift 2
	topo_bg "$log" "$NS_C" ss-socksd -v --client "$prof" "$@"
	SOCKSD_PID=$TOPO_LAST_PID
}

# fronts_up: both transparent front ends, TCP and UDP, in the gateway
fronts_all() {
	[ "$(in_c ss -Htln "( sport = :$TP )" | wc -l)" = 2 ] &&
		[ "$(in_c ss -Huln "( sport = :$TP )" | wc -l)" = 2 ]
}
fronts_up() { wait_for 60 fronts_all; }
fronts_gone() {
	! listening "$NS_C" "$TP" && ! udp_listening "$NS_C" "$TP"
}

# dig_lan SERVER NAME TYPE WANT: dig from the lan, straight at SERVER:53
dig_lan() {
	local out
	out=$(in_l dig @"$1" +short +tries=3 +time=2 "$2" "$3" 2>&1)
	[ "$out" = "$4" ] || { echo "dig @$1 $2 $3: '$out', want '$4'"; return 1; }
}

# echo_test DESC TO N SEED: N datagrams from the lan straight to TO (the
# target's UDP echo), WINDOW in flight, each reply's payload and source
# checked (tools/ss_udp.py plain --window); the tool's figures as a comment
echo_test() {
	local desc=$1 to=$2 n=$3 seed=$4 out
	if out=$(in_l "$PY" "$SS_TOOLS/ss_udp.py" plain --to "$to" --count "$n" \
		--window "$WINDOW" --min 4 --max 1400 --wait 2 --retries 3 \
		--give-up $((30 + n / 20)) --seed "$seed" 2>&1); then
		ss_ok "$desc"
		echo "# $out"
	else
		ss_fail "$desc" "$out"
	fi
}

# get_lan URL N: download N bytes of the blob from the lan, no proxy
get_lan() { get --noproxy '*' --connect-timeout 10 -- "$1" "$2"; }

# ---- set-up -------------------------------------------------------------------

topo_start kmsg
ss_test "the module loads (ssctl, on demand)" in_c ssctl client show
wait_for 60 udp_listening "$NS_T" "$ECHO" ||
	ss_fail "the target's UDP echo service listens" "$(cat "$TOPO_DIR/servers.log")"
HAVE_DIG=0
command -v dig >/dev/null && HAVE_DIG=1

ss_test "server s0 ($M, tcp_and_udp) in the server netns" \
	in_s ssctl server add s0 port "$SRV_PORT" method "$M" password "$PW" mode tcp_and_udp
ss_test "profile main (-> $S4_C:$SRV_PORT) in the gateway" \
	in_c ssctl client add main server "$S4_C" port "$SRV_PORT" method "$M" password "$PW"

# the relay is the only way to the target
no_route() {
	local fam out
	for fam in -4 -6; do
		if out=$(in_c ip "$fam" route get "$([ $fam = -4 ] && echo "$T4" || echo "$T6")" 2>&1); then
			echo "the gateway has a route: $out"
			return 1
		fi
	done
}
ss_test "the gateway has no route to $T4 or $T6 (only the relay reaches the target)" no_route
unreached() {
	local out
	if out=$(in_l curl -sS --noproxy '*' --connect-timeout 2 --max-time 4 -o /dev/null \
		"http://$T4:8080/blob?n=1000" 2>&1); then
		echo "curl to $T4:8080 got through"
		return 1
	fi
	if out=$(in_l "$PY" "$SS_TOOLS/ss_udp.py" plain --to "[$T6]:$ECHO" --count 1 \
		--wait 1 --retries 0 2>&1); then
		echo "a datagram to [$T6]:$ECHO was echoed: $out"
		return 1
	fi
}
t "without the tproxy rule the lan reaches nothing on the target (TCP to $T4:8080, UDP to [$T6]:$ECHO)" unreached

# ---- refusals -------------------------------------------------------------------

usage_refusal() {
	local out rc
	out=$(in_c timeout 10 ss-socksd --client main --redir "$C4_L:$((TP + 1)),udp" 2>&1)
	rc=$?
	[ $rc = 2 ] || { echo "exit $rc, want 2 (a usage error): $out"; return 1; }
	# (not only a malformed address: the message says why)
	grep -qi tproxy <<<"$out" || { echo "exit 2, but the message does not name tproxy: $out"; return 1; }
}
t "ss-socksd --redir ADDR:PORT,udp (no tproxy: REDIRECT cannot carry UDP) is a usage error (exit 2)" \
	usage_refusal

# tproxy_nl_py: SS_CMD_UDP_RELAY_NEW with SS_A_TPROXY by hand (tools/genl.py),
# one JSON line per case (argument: the profile)
tproxy_nl_py() {
	cat <<'PYEOF'
import ctypes, errno, json, os, socket, sys, time
sys.path.insert(0, os.environ["SS_TOOLS"])
from genl import (Genl, attr, strz, u16, u32, A_NAME, A_FD, A_TARGET,
                  A_SOCKS5_UDP, A_CTRL_FD, A_TPROXY, A_REMOTE_IPV4, A_PORT,
                  A_METHOD, A_KEY, CMD_CLIENT_NEW, CMD_UDP_RELAY_NEW,
                  METHOD_AES_256_GCM, v4addr)

IP_TRANSPARENT = getattr(socket, "IP_TRANSPARENT", 19)
IP_RECVORIGDSTADDR = getattr(socket, "IP_RECVORIGDSTADDR", 20)
nl = Genl()
name = attr(A_NAME, sys.argv[1].encode() + b"\0")
flag = attr(A_TPROXY, b"")


def udp(transparent):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if transparent:
        u.setsockopt(socket.SOL_IP, IP_TRANSPARENT, 1)
        u.setsockopt(socket.SOL_IP, IP_RECVORIGDSTADDR, 1)
    u.bind(("127.0.0.1", 0))
    return u


def case(desc, ok, **kw):
    print(json.dumps(dict(case=desc, ok=ok, **kw)), flush=True)


def refused(desc, want, sock, *extra, text=None):
    ours, theirs = socket.socketpair()
    err, msg, _ = nl.request(CMD_UDP_RELAY_NEW,
                             [name, u32(A_FD, sock.fileno()),
                              u32(A_CTRL_FD, theirs.fileno()), flag] + list(extra))
    ok = err == want and (text is None or text in msg)
    case(desc, ok, errno=err, extack=msg)


plain = udp(False)
refused("without IP_TRANSPARENT: EPERM, extack naming IP_TRANSPARENT", errno.EPERM,
        plain, text="IP_TRANSPARENT")
tp = udp(True)
refused("with a target (tunnel mode) too: EINVAL", errno.EINVAL, tp,
        attr(A_TARGET, v4addr("10.0.2.2", 9002)))
refused("with the SOCKS5 flag too: EINVAL", errno.EINVAL, tp, attr(A_SOCKS5_UDP, b""))

# the same socket alone: taken; our end of the pair closed, let go
port = tp.getsockname()[1]
ours, theirs = socket.socketpair()
err, msg, _ = nl.request(CMD_UDP_RELAY_NEW,
                         [name, u32(A_FD, tp.fileno()), u32(A_CTRL_FD, theirs.fileno()), flag])
case("with IP_TRANSPARENT and IP_RECVORIGDSTADDR: handed over", err == 0,
     errno=err, extack=msg)
theirs.close()
tp.close()
if err == 0:
    ours.close()
    gone = False
    deadline = time.monotonic() + 5
    while not gone and time.monotonic() < deadline:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.bind(("127.0.0.1", port))
            gone = True
        except OSError:
            time.sleep(0.1)
        finally:
            s.close()
    case("its control socket closed: the relay ends (the port is free)", gone)


def unprivileged(tp):
    """In a child: nobody, in a user and network namespace of its own
    (CAP_NET_ADMIN there only), with a profile there, hands over a
    transparent socket of the gateway's namespace. Returns what it got."""
    nl2 = None
    try:
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.unshare(0x10000000 | 0x40000000) != 0:  # NEWUSER | NEWNET
            raise OSError(ctypes.get_errno(), "unshare")
        nl2 = Genl()
        err, msg, _ = nl2.request(CMD_CLIENT_NEW, [
            strz(A_NAME, "u"), attr(A_REMOTE_IPV4, socket.inet_aton("127.0.0.1")),
            u16(A_PORT, 8388), u32(A_METHOD, METHOD_AES_256_GCM),
            attr(A_KEY, os.urandom(32))])
        if err:
            return dict(step="client add", errno=err, extack=msg)
        ours, theirs = socket.socketpair()
        err, msg, _ = nl2.request(CMD_UDP_RELAY_NEW, [
            strz(A_NAME, "u"), u32(A_FD, tp.fileno()),
            u32(A_CTRL_FD, theirs.fileno()), flag])
        return dict(step="udp relay", errno=err, extack=msg)
    except Exception as e:  # noqa: BLE001 - reported as the case's failure
        return dict(step="error", error=repr(e))


tp2 = udp(True)
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r)
    os.write(w, json.dumps(unprivileged(tp2)).encode())
    os._exit(0)
os.close(w)
got = json.loads(os.read(r, 65536) or b"{}")
os.waitpid(pid, 0)
case("an unprivileged user in its own user and network namespace, with a "
     "transparent socket of the gateway's: EPERM, extack naming CAP_NET_ADMIN",
     got.get("step") == "udp relay" and got.get("errno") == errno.EPERM and
     "CAP_NET_ADMIN" in got.get("extack", ""), **got)
PYEOF
}
tproxy_nl_py >"$TOPO_DIR/tproxy_nl.py"
out=$(in_c env SS_TOOLS="$SS_TOOLS" "$PY" "$TOPO_DIR/tproxy_nl.py" main 2>&1)
tap_json "$out" "kernel: SS_A_TPROXY "
[ "$(grep -c '"case"' <<<"$out")" = 6 ] ||
	ss_fail "kernel: SS_A_TPROXY by hand (tools/genl.py): every case ran" "$out"
elapsed "set-up and refusals done"

# ---- TPROXY in the gateway ------------------------------------------------------------

nft_rules() {
	cat <<EOF
table inet ss_tproxy {
	chain prerouting {
		type filter hook prerouting priority mangle; policy accept;
		iifname "$LAN_IF" meta l4proto { tcp, udp } ip daddr $TNET4 tproxy ip to :$TP meta mark set 1 accept
		iifname "$LAN_IF" meta l4proto { tcp, udp } ip6 daddr $TNET6 tproxy ip6 to :$TP meta mark set 1 accept
	}
}
EOF
}
tproxy_setup() {
	nft_rules | in_c nft -f - || return 1
	in_c ip rule add fwmark 1 lookup 100 &&
		in_c ip route add local 0.0.0.0/0 dev lo table 100 &&
		in_c ip -6 rule add fwmark 1 lookup 100 &&
		in_c ip -6 route add local ::/0 dev lo table 100
}
if ! t "gateway: nftables tproxy of TCP and UDP from $LAN_IF to $TNET4 and $TNET6 into :$TP, mark 1 -> table 100 (local routes)" \
	tproxy_setup; then
	ss_done
	exit 1
fi

# reply_socks ADDR: UDP sockets bound to ADDR:ECHO in the gateway (the
# kernel's, which the replies leave from)
reply_socks() { in_c ss -Huan | awk -v a="$1:$ECHO" '$4 == a' | wc -l; }

drop_bad_is() { [ "$(stats_c "$1" | jq .udp_drop_bad)" = "$2" ]; }

# self_test PROFILE LOG: a connection and a datagram from the lan straight
# to the front end's own address (not diverted: the gateway's address):
# ss-socksd closes the connection, the kernel drops the datagram as bad
# (relaying either would bring it back here)
self_test() {
	local prof=$1 log=$2 b0 out
	if out=$(in_l curl -sS --noproxy '*' --max-time 5 -o /dev/null "http://$C4_L:$TP/" 2>&1); then
		echo "curl to $C4_L:$TP got an answer"
		return 1
	fi
	wait_for 60 grep -q "it is this socket" "$TOPO_DIR/$log.log" ||
		{ echo "curl: $out; ss-socksd did not say why it closed it:"; logtail "$log"; return 1; }
	b0=$(stats_c "$prof" | jq .udp_drop_bad)
	in_l "$PY" -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"to the gateway itself", (sys.argv[1], int(sys.argv[2])))' "$C4_L" "$TP" || return 1
	wait_for 60 drop_bad_is "$prof" $((b0 + 1)) ||
		{ echo "udp_drop_bad $b0 -> $(stats_c "$prof" | jq .udp_drop_bad), want $((b0 + 1))"; return 1; }
}

# round LABEL PROFILE SERVER_STATS_CMD BYTES N: ss-socksd's transparent
# front ends for PROFILE, the lan's traffic through them, the counters
round() {
	local label=$1 prof=$2 bytes=$3 n=$4 st pkts spid
	socksd "socksd-$prof" "$prof" "${REDIRS[@]}"
	spid=$SOCKSD_PID
	if fronts_up; then
		ss_ok "$label: ss-socksd ${REDIRS[*]}: TCP and UDP on 0.0.0.0:$TP and [::]:$TP"
	else
		ss_fail "$label: ss-socksd ${REDIRS[*]}: TCP and UDP on 0.0.0.0:$TP and [::]:$TP" \
			"$(logtail "socksd-$prof")"
		topo_kill "$spid"
		return 1
	fi

	ss_test "$label: TCP: curl http://$T4:8080 from the lan: $bytes bytes, SHA-256 matches" \
		get_lan "http://$T4:8080/blob?n=$bytes" "$bytes"
	ss_test "$label: TCP: curl http://[$T6]:8080 from the lan: $bytes bytes, SHA-256 matches" \
		get_lan "http://[$T6]:8080/blob?n=$bytes" "$bytes"

	if [ "$HAVE_DIG" = 1 ]; then
		ss_test "$label: UDP: dig @$T4 $DOMAIN A" dig_lan "$T4" "$DOMAIN" A "$T4"
		ss_test "$label: UDP: dig @$T4 $DOMAIN AAAA" dig_lan "$T4" "$DOMAIN" AAAA "$T6"
		ss_test "$label: UDP: dig @$T6 $DOMAIN A" dig_lan "$T6" "$DOMAIN" A "$T4"
		ss_test "$label: UDP: dig @$T6 $DOMAIN AAAA" dig_lan "$T6" "$DOMAIN" AAAA "$T6"
	else
		ss_test "$label: UDP: a DNS query for $DOMAIN to $T4:53 (no dig: python)" \
			in_l "$PY" "$SS_TOOLS/ss_udp.py" dns --to "$T4:53" --name "$DOMAIN"
		ss_test "$label: UDP: a DNS query for $DOMAIN to [$T6]:53 (no dig: python)" \
			in_l "$PY" "$SS_TOOLS/ss_udp.py" dns --to "[$T6]:53" --name "$DOMAIN"
	fi

	echo_test "$label: UDP: $n datagrams of 4..1400 bytes to $T4:$ECHO, $WINDOW in flight, each echoed from $T4:$ECHO" \
		"$T4:$ECHO" "$n" 1
	echo_test "$label: UDP: $n datagrams to [$T6]:$ECHO, each echoed from [$T6]:$ECHO" \
		"[$T6]:$ECHO" "$n" 2
	# a socket left bound there would take, unread, what the lan sends
	# to that address next (netfilter's socket match finds it)
	local r4 r6
	r4=$(reply_socks "$T4") r6=$(reply_socks "[$T6]")
	if [ "$r4" = 0 ] && [ "$r6" = 0 ]; then
		ss_ok "$label: no reply socket stays bound to $T4:$ECHO or [$T6]:$ECHO in the gateway"
	else
		ss_fail "$label: no reply socket stays bound to $T4:$ECHO or [$T6]:$ECHO in the gateway" \
			"$r4 and $r6 sockets; the gateway's UDP sockets:
$(in_c ss -Huan)"
	fi

	t "$label: a connection and a datagram straight to the front end ($C4_L:$TP): closed by ss-socksd, dropped by the kernel (udp_drop_bad), not relayed" \
		self_test "$prof" "socksd-$prof"

	# every datagram crossed the profile: dig's at least one per query
	pkts=$((2 * n + (HAVE_DIG ? 4 : 2)))
	st=$(stats_c "$prof")
	ok_if "$label: profile $prof counts 2 TCP relays, $((2 * bytes)) bytes in, $pkts UDP packets each way, no drop but the datagram to itself" \
		".conn_total == 2 and .bytes_in >= $((2 * bytes)) and
		 .udp_pkts_out >= $pkts and .udp_pkts_in >= $pkts and
		 .udp_bytes_out > 0 and .udp_bytes_in > 0 and
		 .auth_fail == 0 and .connect_fail == 0 and
		 .udp_drop_auth == 0 and .udp_drop_bad == 1 and .udp_drop_replay == 0 and
		 .udp_drop_limit == 0 and .udp_drop_target == 0" "$st"
	TPROXY_PKTS=$pkts

	# stopped, ss-socksd takes its relays with it: the ports are free
	topo_kill "$spid"
	t "$label: ss-socksd stopped: its transparent front ends end (TCP and UDP port $TP free)" \
		wait_for 60 fronts_gone
}

# ---- the kernel's server role ----------------------------------------------------------

TPROXY_PKTS=$((2 * N + 2))
round "kernel server" main "$SIZE" "$N"
ok_if "kernel server: server s0 counts the 2 TCP connections and the UDP packets, no drop" \
	".conn_total == 2 and .udp_pkts_in >= $TPROXY_PKTS and .udp_pkts_out >= $TPROXY_PKTS and
	 .auth_fail == 0 and .udp_drop_auth == 0 and .udp_drop_replay == 0" "$(stats_s s0)"
elapsed "kernel server done"

# ---- shadowsocks-libev's ss-server -u ----------------------------------------------------

if command -v ss-server >/dev/null; then
	topo_bg ss-server "$NS_S" ss-server -s 0.0.0.0 -p "$LIBEV_PORT" -k "$PW" -m "$LIBEV_M" -u
	LIBEV_PID=$TOPO_LAST_PID
	if wait_for 60 listening "$NS_S" "$LIBEV_PORT" && wait_for 60 udp_listening "$NS_S" "$LIBEV_PORT" &&
		in_c ssctl client add libev server "$S4_C" port "$LIBEV_PORT" method "$LIBEV_M" password "$PW"; then
		ss_ok "libev ss-server -u ($LIBEV_M) in the server netns, profile libev in the gateway"
		round "libev ss-server" libev "$SIZE_LIBEV" "$N_LIBEV"
	else
		ss_fail "libev ss-server -u ($LIBEV_M) in the server netns, profile libev in the gateway" \
			"$(logtail ss-server)"
	fi
	topo_kill "$LIBEV_PID"
else
	ss_skip "TPROXY to shadowsocks-libev's ss-server -u" "no shadowsocks-libev"
fi
elapsed "libev done"

# ---- a hostile server's replies ---------------------------------------------------------

# hostile_py: a server (arguments METHOD PASSWORD PORT TOOLS_DIR LOCAL) that
# answers each request with replies naming addresses nothing may be sent
# from: loopback, the gateway's own address LOCAL (a socket bound there,
# even for an instant, could take a local service's datagrams), a name,
# port 0 and an IPv6 host to an IPv4 application; then a good one.
hostile_py() {
	cat <<'PYEOF'
import ipaddress, socket, sys
sys.path.insert(0, sys.argv[4])
from ss_udp import Udp
u = Udp(sys.argv[1], sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[3])))
def v4(a, port):
    return b"\x01" + ipaddress.IPv4Address(a).packed + port.to_bytes(2, "big")
bad = [v4("127.0.0.1", 53), v4(sys.argv[5], 53), b"\x03\x07example" + (53).to_bytes(2, "big"),
       v4("10.0.2.2", 0), b"\x04" + ipaddress.IPv6Address("fd00:2::2").packed + (9002).to_bytes(2, "big")]
while True:
    pkt, peer = s.recvfrom(65535)
    try:
        req = u.open(pkt)
    except Exception:
        continue
    good, data = req[:7], req[7:]
    for a in bad:
        s.sendto(u.seal(a + b"bad:" + data), peer)
    s.sendto(u.seal(good + b"ok:" + data), peer)
PYEOF
}
hostile_test() {
	local out st rc spid hpid
	hostile_py >"$TOPO_DIR/hostile.py"
	topo_bg hostile "$NS_S" "$PY" "$TOPO_DIR/hostile.py" "$M" "$PW" 8730 "$SS_TOOLS" "$C4_L"
	hpid=$TOPO_LAST_PID
	in_c ssctl client add hostile server "$S4_C" port 8730 method "$M" password "$PW" || return 1
	socksd socksd-hostile hostile "${REDIRS[@]}"
	spid=$SOCKSD_PID
	wait_for 60 udp_listening "$NS_S" 8730 && fronts_up ||
		{ echo "not started"; logtail hostile; logtail socksd-hostile; topo_kill "$spid" "$hpid"; return 1; }
	out=$(in_l "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.sendto(b"ping", (sys.argv[1], int(sys.argv[2])))
got = []
try:
    got.append(s.recvfrom(2048))
    s.settimeout(1.5)
    while True:
        got.append(s.recvfrom(2048))
except socket.timeout:
    pass
print(got)
sys.exit(got != [(b"ok:ping", (sys.argv[1], int(sys.argv[2])))])' "$T4" "$ECHO")
	rc=$?
	st=$(stats_c hostile)
	topo_kill "$spid" "$hpid"
	in_c ssctl client del hostile
	[ $rc = 0 ] || { echo "the application got $out, want only b'ok:ping' from $T4:$ECHO; $st"; return 1; }
	# (port 0 is refused with the address itself, before udp_pkts_in)
	jq -e '.udp_pkts_in == 5 and .udp_drop_bad == 5 and .udp_drop_target == 0' <<<"$st" >/dev/null ||
		{ echo "counters: $st"; return 1; }
}
t "a hostile server's replies from 127.0.0.1:53, the gateway's $C4_L:53, a name, port 0 and an IPv6 host: dropped (udp_drop_bad 5), only the good one reaches the lan, from $T4:$ECHO" \
	hostile_test
elapsed "hostile server done"

# ---- the end ------------------------------------------------------------------------------

kmsg=$TOPO_DIR/kmsg
ids() { grep -oE "shadowsocks: $1 [0-9]+ $2" "$kmsg" | awk '{print $(NF - 1)}' | sort -n; }
balanced() {
	ids 'udp relay' created >"$TOPO_DIR/r.c"
	ids 'udp relay' destroyed >"$TOPO_DIR/r.d"
	ids 'udp local assoc' created >"$TOPO_DIR/a.c"
	ids 'udp local assoc' destroyed >"$TOPO_DIR/a.d"
	cmp -s "$TOPO_DIR/r.c" "$TOPO_DIR/r.d" && cmp -s "$TOPO_DIR/a.c" "$TOPO_DIR/a.d"
}
wait_for 60 balanced
rc=$(wc -l <"$TOPO_DIR/r.c") ac=$(wc -l <"$TOPO_DIR/a.c")
echo "# udp relays: $rc created, $(wc -l <"$TOPO_DIR/r.d") destroyed; associations: $ac created, $(wc -l <"$TOPO_DIR/a.d") destroyed"
if [ "$rc" -gt 0 ] && [ "$ac" -gt 0 ] && balanced; then
	ss_ok "every UDP relay ($rc) and association ($ac) the debug log shows created was destroyed"
else
	ss_fail "every UDP relay and association the debug log shows created was destroyed" \
		"relays not destroyed: $(comm -23 "$TOPO_DIR/r.c" "$TOPO_DIR/r.d" | head -n 20 | tr '\n' ' ');
associations not destroyed: $(comm -23 "$TOPO_DIR/a.c" "$TOPO_DIR/a.d" | head -n 20 | tr '\n' ' ')"
fi
topo_del_objects
sleep 1
topo_kmsg_stop
kmsg_clean

elapsed "all done"
ss_done
