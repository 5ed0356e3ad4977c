#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A server's egress ACL (ssctl server add ... acl FILE: a shadowsocks-libev
# .acl file's [outbound_block_list]; SS_A_ACL; the acl_block counter).
# Topology (selftests/topology.sh): client netns -> server netns (the
# module's servers, ssctl resolver) -> target netns, which gets more
# addresses here: 10.0.2.2 and fd00:2::2 stay reachable, 10.0.9.2,
# 10.0.8.2 and fd00:9::2 are in blocked networks. The server netns' hosts
# file adds names (dom.acl.test, in-net.acl.test, ...) to what the
# target's dnsmasq answers (target.test, v4.target.test, v6.target.test).
#
#   - the ACL file, written here in libev's format (comments, blank lines,
#     [proxy_all], [bypass_list] and [proxy_list] rules a server ignores),
#     blocks 10.0.9.0/24, fd00:9::/64 (written with host bits),
#     ::ffff:127.0.0.1/104 and ::ffff:10.0.8.0/120 (IPv4-mapped), the host
#     ^target\.test$ and the domains (^|\.)dom\.acl\.test$, ||bar.acl.test
#     and plain.acl.test
#   - TCP through libev ss-local (tools/socks5.py, curl --socks5-hostname):
#     each blocked target (the networks, an IPv4-mapped address in the IPv4
#     one, an IPv4 address in the IPv4-mapped one, the host in any case and
#     with a trailing dot, names under each domain, names that are allowed
#     but resolve into a blocked network) is closed without a byte of echo;
#     each allowed one (the other addresses, v4/v6.target.test under the
#     exact host, xdom.acl.test beside a domain, names of the other
#     sections) echoes its data, and curl gets 1 MiB with the right
#     SHA-256; acl_block counts exactly the refused ones (nothing as
#     connect_fail or dns_fail); the names a rule refuses were never looked
#     up, the others were. Through a server without the ACL the same
#     blocked targets are reached: the refusals are the ACL's
#   - UDP through libev ss-tunnel -U and tools/acl_tool.py: datagrams to
#     blocked targets are not answered and counted in acl_block (not as
#     udp_drop_target), allowed ones are echoed; without the ACL the
#     blocked ones are echoed
#   - ssctl server show: "acl: 8 rules (targets refused)", -j acl_rules 8;
#     a server without an ACL shows neither
#   - ssctl refusals: malformed lines (a regex of another form, a prefix of
#     33 or 129, an unknown section) exit 1 with "FILE:LINE: ..."; a file
#     without a rule in [outbound_block_list], or without that section, or
#     missing, or with 65537 rules, exits 1; "acl" twice is a usage error
#     (2); no server is left
#   - raw netlink (tools/acl_tool.py): bad record lengths, prefixes, padding,
#     names, an empty SS_A_ACL, SS_ACL_A_RULES in a request, 65537 rules
#     (E2BIG), each with its extack message and nothing created; lists of
#     every kind, several SS_A_ACL, the largest one SS_A_ACL holds and
#     65536 rules accepted with the number of rules sent
#   - a large list (6000 IPv4 /24 networks and 200 domains, the size of
#     libev's chn.acl): loaded, 6200 rules shown, a blocked /24, a blocked
#     domain, an allowed address and name behave; 9000 networks (more than
#     one netlink attribute holds): loaded whole, its first and last
#     networks blocked; 60000 (more than a message with the default
#     wmem_max): loaded whole, or refused with no server made
#   - ss-socksd --acl (the client side) in front of a kernel client
#     profile: with [proxy_all] and a [bypass_list] (a network, a domain),
#     bypassed targets on the server's own addresses (servers.py there)
#     are echoed, logged "bypass TARGET (acl)" and counted by neither the
#     profile nor the server; the others go through the relay (the client
#     netns has no route to the target) and are counted; curl gets 1 MiB
#     each way; after SIGHUP, [bypass_all] with a [proxy_list] likewise
#   - allow-local on with an ACL of 127.0.0.0/8 and ::1 (libev's
#     server_block_local.acl): 127.0.0.1, [::1], [::ffff:127.0.0.1] and the
#     unspecified addresses the stack sends to loopback (0.0.0.0, [::],
#     [::ffff:0.0.0.0]) are refused and counted; the server's own address
#     echoes; without the ACL all of them echo
#   - the kernel logged no warning

TOPO_RESOLVER=1	# the agent that resolves names in the server netns

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topology.sh"

PW="acl test password $$"
M=chacha20-ietf-poly1305
ECHO=9002
SMALL=$((1 << 20))
B4=10.0.9.2 B6=fd00:9::2	# the target's second addresses, in blocked networks
M4=10.0.8.2	# a third, in an IPv6 rule's IPv4-mapped network
ETC_S=/etc/netns/$NS_S
ACL=$TOPO_DIR/test.acl
ACL_RULES=8
P_ACL=8800 P_OPEN=8801 P_BIG=8802 P_HUGE=8803 P_NL=8810 P_BAD=8820
P_LOC0=8830 P_LOC1=8831
L_ACL=1080 L_OPEN=1081 U_OK=1090 U_BLOCK=1091

cleanup() {
	topo_del_objects
	topo_cleanup
	rm -rf "/etc/netns/$NS_C"
}
trap cleanup EXIT

srv_add() {	# NAME PORT [SSCTL OPTIONS]
	local name=$1 port=$2
	shift 2
	in_s ssctl server add "$name" port "$port" method "$M" password "$PW" "$@"
}
probe() { in_c "$PY" "$SS_TOOLS/ss_probe.py" --method "$M" --password "$PW" "$@"; }
counter() { stats_s "$1" | jq ".$2"; }	# SERVER COUNTER
counter_is() { [ "$(counter "$1" "$2")" = "$3" ]; }	# SERVER COUNTER VALUE
# json_ok DESC LINE: ok if the tool's JSON LINE says "ok": true (matched
# as text: jq takes a quarter of a second to start under TCG, and there
# are a hundred lines to look at)
json_ok() {
	if [[ $2 == *'"ok": true'* ]]; then ss_ok "$1"; else ss_fail "$1" "${2:-no result}"; fi
}
# json_refused DESC LINE: tools/socks5.py's "valid" case saw the proxy
# close before a byte of echo
json_refused() {
	if [[ $2 == *'"ok": false'* && $2 == *'after 0 of '* ]]; then
		ss_ok "$1"
	else
		ss_fail "$1" "${2:-no result}"
	fi
}
# tap_lines OUTPUT PREFIX: lib.sh's tap_json, with one jq for every line
tap_lines() {
	local ok desc line
	while IFS=$'\t' read -r ok desc line; do
		if [ "$ok" = true ]; then ss_ok "$2$desc"; else ss_fail "$2$desc" "$line"; fi
	done < <(grep '^{"case"' <<<"$1" | jq -r '[(.ok | tostring), .case, tojson] | @tsv')
}
no_server() { ! in_s ssctl server show "$1" >/dev/null 2>&1 && ! listening "$NS_S" "$2"; }

# ss-local or ss-tunnel -U in the client netns: KIND LOG LPORT SERVER PORT [TARGET]
client() {
	local kind=$1 log=$2 lport=$3 saddr=$4 sport=$5 target=${6:-} extra=()
	[ "$kind" = ss-tunnel ] && extra=(-U -L "$target")
	topo_bg "$log" "$NS_C" "$kind" -s "$saddr" -p "$sport" -b 127.0.0.1 -l "$lport" \
		-k "$PW" -m "$M" "${extra[@]}"
	if [ "$kind" = ss-tunnel ]; then
		wait_for 10 udp_listening "$NS_C" "$lport"
	else
		wait_for 10 listening "$NS_C" "$lport"
	fi
}

# the server netns' own names, read by getaddrinfo() in ssctl resolver
# (ip netns exec bind-mounts the file over /etc/hosts): before topo_start,
# which starts the resolver
mkdir -p "$ETC_S"
cat >"$ETC_S/hosts" <<EOF
127.0.0.1	localhost
::1		localhost
$T4	dom.acl.test x.dom.acl.test xdom.acl.test bar.acl.test www.bar.acl.test
$T4	plain.acl.test y.plain.acl.test ok.acl.test
$B4	in-net.acl.test
$B6	in-net6.acl.test
EOF

# ---- set-up -------------------------------------------------------------------

topo_start kmsg
ss_test "the module loads (ssctl, on demand)" in_s ssctl server show
second_addrs() {
	in_t ip addr add "$B4/24" dev vs &&
		in_t ip addr add "$M4/24" dev vs &&
		in_t ip addr add "$B6/64" dev vs nodad &&
		in_s ip route add 10.0.9.0/24 via "$T4" &&
		in_s ip route add 10.0.8.0/24 via "$T4" &&
		in_s ip -6 route add fd00:9::/64 via "$T6"
}
ss_test "the target's other addresses $B4, $M4 and $B6, routed from the server" second_addrs
names_ok() {
	in_s getent ahosts in-net.acl.test | grep -q "^$B4 " &&
		in_s getent ahosts in-net6.acl.test | grep -q "^$B6 " &&
		in_s getent ahosts X.Dom.ACL.test | grep -q "^$T4 " &&
		in_s getent ahosts "TARGET.Test." | grep -q "^$T4 "
}
ss_test "the server netns resolves the test's names (its hosts file, the target's dnsmasq)" names_ok
blob_sha_bg "$SMALL"

cat >"$ACL" <<'EOF'
# selftests/acl.sh: an .acl file as shadowsocks-libev reads it. A server
# takes [outbound_block_list]; the other sections are ss-local's (and
# ss-socksd's) and change nothing here.

[proxy_all]

[bypass_list]
# the targets that must still be reached: a server ignores these
10.0.2.0/24
fd00:2::/64
(^|\.)ok\.acl\.test$

[proxy_list]
||xdom.acl.test

[outbound_block_list]
# the target's second IPv4 address is in here, its first is not
10.0.9.0/24
# the same for IPv6, written with host bits
fd00:9::1/64
# as in libev's example: IPv4-mapped loopback
::ffff:127.0.0.1/104
# an IPv4 network written IPv4-mapped: it holds 10.0.8.2 too
::ffff:10.0.8.0/120

# names: one host exactly, domains with every name under them, in each
# of the forms libev's lists use
^target\.test$
(^|\.)dom\.acl\.test$
||bar.acl.test
plain.acl.test
EOF

if out=$(srv_add acl0 "$P_ACL" mode tcp_and_udp acl "$ACL" 2>&1); then
	ss_ok "server acl0 with the ACL file ($ACL_RULES rules, other sections, comments) starts"
else
	ss_fail "server acl0 with the ACL file ($ACL_RULES rules, other sections, comments) starts" "$out"
fi
ss_test "server open0 without an ACL starts (the control)" srv_add open0 "$P_OPEN" mode tcp_and_udp
client ss-local ss-local-acl "$L_ACL" "$S4_C" "$P_ACL"
client ss-local ss-local-open "$L_OPEN" "$S6_C" "$P_OPEN"
elapsed "set-up done"

# ---- ssctl server show ------------------------------------------------------------

out=$(in_s ssctl server show acl0)
if grep -qxF "  acl: $ACL_RULES rules (targets refused)" <<<"$out"; then
	ss_ok "ssctl server show acl0: 'acl: $ACL_RULES rules (targets refused)'"
else
	ss_fail "ssctl server show acl0: 'acl: $ACL_RULES rules (targets refused)'" "$out"
fi
ok_if "ssctl server show acl0 -j: acl_rules $ACL_RULES" ".[0].acl_rules == $ACL_RULES" \
	"$(in_s ssctl server show acl0 -j)"
out=$(in_s ssctl server show open0)
if ! grep -q '^  acl:' <<<"$out"; then
	ss_ok "ssctl server show open0 (no ACL): no 'acl:' line"
else
	ss_fail "ssctl server show open0 (no ACL): no 'acl:' line" "$out"
fi
ok_if "ssctl server show open0 -j: no acl_rules" '.[0] | has("acl_rules") | not' \
	"$(in_s ssctl server show open0 -j)"

# ---- TCP through libev ss-local -------------------------------------------------------

# TARGET and why it is allowed or refused
ALLOWED=(
	"$T4:9000|outside 10.0.9.0/24"
	"[$T6]:9000|outside fd00:9::/64"
	"[::ffff:$T4]:9000|IPv4-mapped, outside 10.0.9.0/24"
	"v4.$DOMAIN:9000|under the host rule ^target.test\$, not it"
	"v6.$DOMAIN:9000|under the host rule ^target.test\$, not it"
	"xdom.acl.test:9000|beside the domain dom.acl.test, not under it"
	"ok.acl.test:9000|a [bypass_list] rule"
)
BLOCKED=(
	"$B4:9000|in 10.0.9.0/24"
	"[$B6]:9000|in fd00:9::/64"
	"[::ffff:$B4]:9000|IPv4-mapped, in 10.0.9.0/24"
	"$M4:9000|IPv4, in the IPv6 rule ::ffff:10.0.8.0/120"
	"[::ffff:$M4]:9000|in ::ffff:10.0.8.0/120"
	"$DOMAIN:9000|the host rule (resolves to allowed addresses)"
	"TARGET.Test:9000|the host rule, another case"
	"$DOMAIN.:9000|the host rule, a trailing dot"
	"dom.acl.test:9000|the domain rule (^|\\.)dom\\.acl\\.test\$ itself"
	"x.dom.acl.test:9000|under (^|\\.)dom\\.acl\\.test\$"
	"X.Dom.ACL.Test.:9000|under the domain rule, another case and a trailing dot"
	"www.bar.acl.test:9000|under ||bar.acl.test"
	"y.plain.acl.test:9000|under plain.acl.test"
	"in-net.acl.test:9000|no rule names it, it resolves to $B4"
	"in-net6.acl.test:9000|no rule names it, it resolves to $B6"
)
# the names refused by name (never looked up), and those looked up
NAME_BLOCKED=" target.test dom.acl.test x.dom.acl.test www.bar.acl.test y.plain.acl.test "
LOOKED_UP="in-net.acl.test in-net6.acl.test ok.acl.test v4.target.test v6.target.test xdom.acl.test"

cases=()
for e in "${ALLOWED[@]}" "${BLOCKED[@]}"; do
	cases+=("valid@${e%%|*}")
done
mapfile -t res < <(in_c "$PY" "$SS_TOOLS/socks5.py" --proxy "127.0.0.1:$L_ACL" --more 1024 "${cases[@]}" 2>&1)
k=0
for e in "${ALLOWED[@]}"; do
	json_ok "TCP, ss-local: ${e%%|*} (${e#*|}) reached, 1 KiB echoed" "${res[$k]:-}"
	k=$((k + 1))
done
for e in "${BLOCKED[@]}"; do
	json_refused "TCP, ss-local: ${e%%|*} (${e#*|}) refused: closed without data" "${res[$k]:-}"
	k=$((k + 1))
done

timed_get() {	# DESC CURL_ARGS... -- URL N
	local desc=$1 t0=$SECONDS out
	shift
	if out=$(get "$@" 2>&1); then ss_ok "$desc ($((SECONDS - t0)) s)"; else ss_fail "$desc" "$out"; fi
}
timed_get "TCP, curl --socks5-hostname: 1 MiB from v6.$DOMAIN:8080, SHA-256 matches" \
	--socks5-hostname "127.0.0.1:$L_ACL" -- "http://v6.$DOMAIN:8080/blob?n=$SMALL" "$SMALL"
rm -f "$TOPO_DIR/curl.out"
if in_c curl -sS --max-time 20 --socks5-hostname "127.0.0.1:$L_ACL" -o "$TOPO_DIR/curl.out" \
	"http://Target.TEST:8080/blob?n=1000" >"$TOPO_DIR/curl.err" 2>&1; then
	ss_fail "TCP, curl --socks5-hostname: Target.TEST:8080 refused, nothing received" \
		"curl succeeded: $(wc -c <"$TOPO_DIR/curl.out") bytes"
elif [ -s "$TOPO_DIR/curl.out" ]; then
	ss_fail "TCP, curl --socks5-hostname: Target.TEST:8080 refused, nothing received" \
		"$(wc -c <"$TOPO_DIR/curl.out") bytes received"
else
	ss_ok "TCP, curl --socks5-hostname: Target.TEST:8080 refused, nothing received ($(head -c 100 "$TOPO_DIR/curl.err"))"
fi
n_tcp=$((${#BLOCKED[@]} + 1))
none_active() { counter_is acl0 conn_active 0; }
wait_for 10 none_active
ok_if "TCP: acl_block counts the $n_tcp refused connections, nothing counted as connect_fail or dns_fail" \
	".acl_block == $n_tcp and .connect_fail == 0 and .dns_fail == 0 and .conn_active == 0" \
	"$(stats_s acl0)"

# what acl0 looked up: the names no rule refuses, never one a rule does
looked=$(grep -oE 'lookup [0-9]+ of [^ ]+ \(server acl0\)' "$TOPO_DIR/resolver.log" |
	awk '{print tolower($4)}' | sed 's/\.$//' | sort -u | tr '\n' ' ')
bad=""
for n in $looked; do
	[[ $NAME_BLOCKED == *" $n "* ]] && bad+="$n "
done
if [ -z "$bad" ]; then
	ss_ok "TCP: no name a rule refuses was looked up"
else
	ss_fail "TCP: no name a rule refuses was looked up" "looked up: $bad"
fi
missing=""
for n in $LOOKED_UP; do
	[[ " $looked " == *" $n "* ]] || missing+="$n "
done
if [ -z "$missing" ]; then
	ss_ok "TCP: the names no rule refuses were looked up (the in-net ones then refused by address)"
else
	ss_fail "TCP: the names no rule refuses were looked up" "not looked up: $missing; looked up: $looked"
fi

# the control: without the ACL, the blocked targets are there (not those
# of the hosts file with a trailing dot: getaddrinfo's files do not match)
cases=()
for e in "${BLOCKED[@]}"; do
	t=${e%%|*}
	[[ $t == X.Dom.ACL.Test.:* ]] && continue
	cases+=("valid@$t")
done
out=$(in_c "$PY" "$SS_TOOLS/socks5.py" --proxy "127.0.0.1:$L_OPEN" --more 1024 "${cases[@]}" 2>&1)
if [ "$(grep -c '"ok": true' <<<"$out")" = "${#cases[@]}" ]; then
	ss_ok "TCP, control: through open0 (no ACL) the ${#cases[@]} blocked targets are reached"
else
	ss_fail "TCP, control: through open0 (no ACL) the ${#cases[@]} blocked targets are reached" "$out"
fi
ok_if "TCP, control: open0 counts no acl_block" '.acl_block == 0' "$(stats_s open0)"
elapsed "TCP done"

# ---- UDP ----------------------------------------------------------------------------------

# tools/acl_tool.py udp: every case at once, each its own association
acl_udp() { in_c "$PY" "$SS_TOOLS/acl_tool.py" udp --method "$M" --password "$PW" "$@"; }

client ss-tunnel ss-tunnel-ok "$U_OK" "$S4_C" "$P_ACL" "$T4:$ECHO"
client ss-tunnel ss-tunnel-block "$U_BLOCK" "$S6_C" "$P_ACL" "$B4:$ECHO"
before=$(counter acl0 acl_block)
U_CASES=(
	"plain-echo@127.0.0.1:$U_OK|libev ss-tunnel -U to $T4:$ECHO (outside 10.0.9.0/24): 5 datagrams echoed"
	"plain-drop@127.0.0.1:$U_BLOCK|libev ss-tunnel -U to $B4:$ECHO (in 10.0.9.0/24): not answered"
	"echo@[$T6]:$ECHO|[$T6]:$ECHO (outside fd00:9::/64): 5 datagrams echoed"
	"echo@v4.$DOMAIN:$ECHO|v4.$DOMAIN:$ECHO (under the host rule, not it): 5 datagrams echoed"
	"echo@xdom.acl.test:$ECHO|xdom.acl.test:$ECHO (beside the domain rule): 5 datagrams echoed"
	"drop@[$B6]:$ECHO|[$B6]:$ECHO (in fd00:9::/64): not answered"
	"drop@[::ffff:$B4]:$ECHO|[::ffff:$B4]:$ECHO (IPv4-mapped, in 10.0.9.0/24): not answered"
	"drop@$M4:$ECHO|$M4:$ECHO (in ::ffff:10.0.8.0/120): not answered"
	"drop@$DOMAIN:$ECHO|$DOMAIN:$ECHO (the host rule): not answered"
	"drop@TARGET.Test.:$ECHO|TARGET.Test.:$ECHO (the host rule, another case, a trailing dot): not answered"
	"drop@x.dom.acl.test:$ECHO|x.dom.acl.test:$ECHO (under a domain rule): not answered"
	"drop@www.bar.acl.test:$ECHO|www.bar.acl.test:$ECHO (under ||bar.acl.test): not answered"
	"drop@in-net.acl.test:$ECHO|in-net.acl.test:$ECHO (resolves into 10.0.9.0/24): not answered"
	"drop@in-net6.acl.test:$ECHO|in-net6.acl.test:$ECHO (resolves into fd00:9::/64): not answered"
)
cases=()
n_udp=0
for e in "${U_CASES[@]}"; do
	cases+=("${e%%|*}")
	[[ $e == *drop@* ]] && n_udp=$((n_udp + 1))
done
mapfile -t res < <(acl_udp --server "[$S6_C]:$P_ACL" "${cases[@]}" 2>&1)
k=0
for e in "${U_CASES[@]}"; do
	json_ok "UDP: ${e#*|}" "${res[$k]:-}"
	k=$((k + 1))
done
udp_counted() { counter_is acl0 acl_block $((before + n_udp)); }
wait_for 10 udp_counted
ok_if "UDP: acl_block counts the $n_udp refused datagrams (not as udp_drop_target)" \
	".acl_block == $((before + n_udp)) and .udp_drop_target == 0" "$(stats_s acl0)"

# the control: without the ACL they are answered
cases=()
for t in "$B4" "$M4" "[$B6]" in-net.acl.test in-net6.acl.test TARGET.Test. x.dom.acl.test www.bar.acl.test; do
	cases+=("echo@$t:$ECHO")
done
out=$(acl_udp --server "$S4_C:$P_OPEN" --count 2 "${cases[@]}" 2>&1)
if [ "$(grep -c '"ok": true' <<<"$out")" = "${#cases[@]}" ]; then
	ss_ok "UDP, control: through open0 (no ACL) the ${#cases[@]} blocked targets are echoed"
else
	ss_fail "UDP, control: through open0 (no ACL) the ${#cases[@]} blocked targets are echoed" "$out"
fi
elapsed "UDP done"

# big_acl FILE NETS DOMAINS: an .acl file whose [outbound_block_list] has
# NETS networks (NETS - 1 generated /24s from 20.0.0.0/24 on, then
# 10.0.9.0/24) and DOMAINS domains (generated ones, then dom.acl.test)
big_acl() {
	awk -v nets="$2" -v doms="$3" 'BEGIN {
		print "# generated: the size of libev'"'"'s chn.acl"
		print "[bypass_list]"
		print "10.0.9.0/24"
		print "[outbound_block_list]"
		for (i = 0; i < nets - 1; i++)
			printf "%d.%d.%d.0/24\n", 20 + int(i / 65536), int(i / 256) % 256, i % 256
		print "10.0.9.0/24"
		for (i = 0; i < doms - 1; i++)
			printf "(^|\\.)d%d\\.cn\\.acl\\.test$\n", i
		if (doms)
			print "(^|\\.)dom\\.acl\\.test$"
	}' >"$1"
}

# ---- ssctl's refusals ------------------------------------------------------------------------

# refused DESC RC MSG ARGS...: "ssctl server add bad0 ARGS" exits RC, its
# first line of error is "ssctl: MSG..." (a prefix), and leaves no server
refused() {
	local desc=$1 want_rc=$2 want=$3 out rc first
	shift 3
	out=$(srv_add bad0 "$P_BAD" "$@" 2>&1)
	rc=$?
	first=$(head -n 1 <<<"$out")
	if [ $rc = "$want_rc" ] && [[ $first == "ssctl: $want"* ]] && no_server bad0 "$P_BAD"; then
		ss_ok "ssctl: $desc: exit $want_rc, '$first'"
	else
		ss_fail "ssctl: $desc: exit $want_rc, 'ssctl: $want...', no server" \
			"exit $rc: $out; server: $(in_s ssctl server show bad0 2>&1 | head -n 2)"
	fi
}

badfile() {	# NAME LINE...: a file of these lines, its path printed
	local f=$TOPO_DIR/$1
	shift
	printf '%s\n' "$@" >"$f"
	echo "$f"
}
hdr=("# refused" "" "[outbound_block_list]" "10.0.0.0/8")
f=$(badfile regex.acl "${hdr[@]}" '(foo|bar)\.com$')
refused "a regex of another form on line 5" 1 "$f:5: " acl "$f"
f=$(badfile wild.acl "${hdr[@]}" '^example\.org$' '^.*\.example\.com$')
refused "'^.*\\.example\\.com\$' on line 6" 1 "$f:6: " acl "$f"
f=$(badfile p33.acl "${hdr[@]}" "10.1.0.0/33")
refused "an IPv4 prefix of 33 on line 5" 1 "$f:5: " acl "$f"
f=$(badfile p129.acl "${hdr[@]}" "fd00::/129")
refused "an IPv6 prefix of 129 on line 5" 1 "$f:5: " acl "$f"
f=$(badfile sect.acl "${hdr[@]}" "[outbound_allow_list]" "10.1.0.0/16")
refused "an unknown section on line 5" 1 "$f:5: " acl "$f"
f=$(badfile norule.acl "[bypass_list]" "10.0.0.0/8" "" "[outbound_block_list]" "# nothing yet")
refused "[outbound_block_list] without a rule" 1 "$f: " acl "$f"
f=$(badfile nosect.acl "[proxy_all]" "[bypass_list]" "10.0.0.0/8" '(^|\.)example\.com$')
refused "no [outbound_block_list] at all" 1 "$f: " acl "$f"
refused "a file that does not exist" 1 "$TOPO_DIR/nonexistent.acl: " acl "$TOPO_DIR/nonexistent.acl"
big_acl "$TOPO_DIR/over.acl" 65537 0
refused "65537 rules" 1 "$TOPO_DIR/over.acl: 65537 rules in [outbound_block_list]; a server takes at most 65536" \
	acl "$TOPO_DIR/over.acl"
refused "acl given twice: a usage error" 2 "'acl' given twice" acl "$ACL" acl "$ACL"
ok_if "ssctl: the refused commands left no server (acl0 and open0 only)" \
	'[.[].name] | sort == ["acl0", "open0"]' "$(in_s ssctl server show -j)"
elapsed "ssctl refusals done"

# ---- raw netlink -----------------------------------------------------------------------------

out=$(in_s "$PY" "$SS_TOOLS/acl_tool.py" netlink --port "$P_NL" 2>&1)
tap_lines "$out" "netlink SS_A_ACL: "
grep -q '"case"' <<<"$out" || ss_fail "netlink SS_A_ACL: tools/acl_tool.py runs" "$out"
ok_if "netlink SS_A_ACL: nothing left behind (acl0 and open0 only)" \
	'[.[].name] | sort == ["acl0", "open0"]' "$(in_s ssctl server show -j)"
elapsed "raw netlink done"

# ---- large lists ------------------------------------------------------------------------------

big_acl "$TOPO_DIR/big.acl" 6000 200
LAST24=20.$((5998 / 256)).$((5998 % 256)).1	# (not routed: refused before that matters)
t0=$SECONDS
if out=$(srv_add big0 "$P_BIG" acl "$TOPO_DIR/big.acl" 2>&1); then
	ss_ok "a list of 6000 IPv4 /24 networks and 200 domains loads ($((SECONDS - t0)) s)"
else
	ss_fail "a list of 6000 IPv4 /24 networks and 200 domains loads" "$out"
fi
out=$(in_s ssctl server show big0)
if grep -qxF "  acl: 6200 rules (targets refused)" <<<"$out"; then
	ss_ok "ssctl server show big0: 'acl: 6200 rules (targets refused)'"
else
	ss_fail "ssctl server show big0: 'acl: 6200 rules (targets refused)'" "$out"
fi
mapfile -t res < <(probe --server "$S4_C:$P_BIG" "valid@$T4:9000" "noreply@$B4:9000" \
	"noreply@x.dom.acl.test:9000" "valid@xdom.acl.test:9000" "noreply@$LAST24:9000" 2>&1)
json_ok "big list: $T4:9000 (not listed) echoed" "${res[0]:-}"
json_ok "big list: $B4:9000 (in a listed /24) closed without data" "${res[1]:-}"
json_ok "big list: x.dom.acl.test:9000 (under a listed domain) closed without data" "${res[2]:-}"
json_ok "big list: xdom.acl.test:9000 (not listed) echoed" "${res[3]:-}"
json_ok "big list: $LAST24:9000 (in the last generated /24) closed without data" "${res[4]:-}"
ok_if "big list: acl_block 3" '.acl_block == 3 and .connect_fail == 0' "$(stats_s big0)"
in_s ssctl server del big0

# more than one netlink attribute holds (9000 networks, 72 KiB): ssctl
# sends several SS_A_ACL, the server gets every rule
big_acl "$TOPO_DIR/huge.acl" 9000 0
if out=$(srv_add huge0 "$P_HUGE" acl "$TOPO_DIR/huge.acl" 2>&1); then
	ok_if "a list of 9000 networks (72 KiB, more than one netlink attribute holds): loaded whole, 9000 rules" \
		'.[0].acl_rules == 9000' "$(in_s ssctl server show huge0 -j)"
	mapfile -t res < <(probe --server "$S4_C:$P_HUGE" "noreply@20.0.0.1:9000" \
		"noreply@$B4:9000" "valid@$T4:9000" 2>&1)
	json_ok "9000 networks: 20.0.0.1:9000 (the first network) closed without data" "${res[0]:-}"
	json_ok "9000 networks: $B4:9000 (the last network) closed without data" "${res[1]:-}"
	json_ok "9000 networks: $T4:9000 (not listed) echoed" "${res[2]:-}"
	in_s ssctl server del huge0
else
	ss_fail "a list of 9000 networks (72 KiB, more than one netlink attribute holds): loaded whole" "$out"
fi

# 60000 networks: more than one netlink message carries with Linux's
# default net.core.wmem_max (ssctl(8)): loaded whole, or refused with
# nothing made
big_acl "$TOPO_DIR/60k.acl" 60000 0
out=$(srv_add big60k "$P_HUGE" acl "$TOPO_DIR/60k.acl" 2>&1)
rc=$?
desc="a list of 60000 networks (over a message with the default wmem_max $(cat /proc/sys/net/core/wmem_max)): loaded whole or refused with no server"
if [ $rc = 0 ]; then
	ok_if "$desc: loaded, 60000 rules" '.[0].acl_rules == 60000' "$(in_s ssctl server show big60k -j)"
	in_s ssctl server del big60k
elif [ $rc = 1 ] && no_server big60k "$P_HUGE"; then
	ss_ok "$desc: exit 1, '$(head -n 1 <<<"$out")'"
else
	ss_fail "$desc" "exit $rc: $out; $(in_s ssctl server show big60k 2>&1 | head -n 3)"
fi
elapsed "large lists done"

# ---- ss-socksd --acl: the client side ---------------------------------------------------

# The client netns reaches the server's addresses only: a bypassed target
# there (servers.py in the server netns, on ports of its own) is connected
# by ss-socksd itself, which the relay's counters and ss-socksd's log show;
# the target netns is reachable only through the relay.
D_HTTP=8090 D_ECHO=9100 L_SOCKSD=1085
topo_bg servers-s "$NS_S" "$PY" "$SS_TOOLS/servers.py" --blob "$TOPO_BLOB" \
	--http "$D_HTTP" --echo "$D_ECHO" --digest 9101
ETC_C=/etc/netns/$NS_C
mkdir -p "$ETC_C"
printf '127.0.0.1\tlocalhost\n%s\tdirect.acl.test www.direct.acl.test\n' "$S4_C" >"$ETC_C/hosts"
cat >"$TOPO_DIR/client.acl" <<-END
	# ss-socksd --acl: libev's format; a client takes [bypass_list] and
	# [proxy_list], and ignores [outbound_block_list]
	[proxy_all]

	[bypass_list]
	$S4_C/32
	(^|\.)direct\.acl\.test$

	[outbound_block_list]
	0.0.0.0/0
END
socksd_up() {
	wait_for 30 listening "$NS_S" "$D_ECHO" &&
		in_c ssctl client add aclc server "$S4_C" port "$P_OPEN" method "$M" password "$PW" &&
		topo_bg socksd-acl "$NS_C" ss-socksd -v --client aclc --socks "127.0.0.1:$L_SOCKSD" \
			--acl "$TOPO_DIR/client.acl" &&
		wait_for 30 listening "$NS_C" "$L_SOCKSD"
}
if socksd_up; then
	ss_ok "ss-socksd --acl FILE in front of the kernel's client profile aclc (to open0) listens"
else
	ss_fail "ss-socksd --acl FILE in front of the kernel's client profile aclc (to open0) listens" \
		"$(logtail socksd-acl; logtail servers-s)"
fi
if grep -q "2 bypass rule(s), 0 proxy rule(s)" "$TOPO_DIR/socksd-acl.log"; then
	ss_ok "ss-socksd --acl: 2 bypass rules loaded (the server's section ignored)"
else
	ss_fail "ss-socksd --acl: 2 bypass rules loaded (the server's section ignored)" "$(logtail socksd-acl)"
fi

# socksd_round PREFIX: each case of S_CASES (TARGET|why|1 if bypassed,
# else 0) through ss-socksd: echoed; the bypassed ones logged as such and
# not counted by the client profile or the server, the others counted
socksd_round() {
	local before_s before_c res k=0 e t why n_relay=0 n_direct=0 cases=()
	before_s=$(counter open0 conn_total)
	before_c=$(stats_c aclc | jq .conn_total)
	for e in "${S_CASES[@]}"; do
		cases+=("valid@${e%%|*}")
		if [ "${e##*|}" = 1 ]; then n_direct=$((n_direct + 1)); else n_relay=$((n_relay + 1)); fi
	done
	local from=$(($(wc -l <"$TOPO_DIR/socksd-acl.log") + 1))
	mapfile -t res < <(in_c "$PY" "$SS_TOOLS/socks5.py" --proxy "127.0.0.1:$L_SOCKSD" --more 65536 \
		"${cases[@]}" 2>&1)
	local log
	log=$(tail -n "+$from" "$TOPO_DIR/socksd-acl.log")
	for e in "${S_CASES[@]}"; do
		t=${e%%|*} why=${e#*|}
		json_ok "$1: $t (${why%|*}) 64 KiB echoed" "${res[$k]:-}"
		if [ "${e##*|}" = 1 ]; then
			if grep -qF "bypass $t (acl)" <<<"$log"; then
				ss_ok "$1: $t: ss-socksd -v logs 'bypass $t (acl)'"
			else
				ss_fail "$1: $t: ss-socksd -v logs 'bypass $t (acl)'" "$log"
			fi
		elif grep -qF "bypass $t (acl)" <<<"$log"; then
			ss_fail "$1: $t: not bypassed" "$log"
		fi
		k=$((k + 1))
	done
	ok_if "$1: the server counted the $n_relay relayed connections, not the $n_direct direct ones" \
		".conn_total == $((before_s + n_relay))" "$(stats_s open0)"
	ok_if "$1: the client profile counted the $n_relay relayed connections only" \
		".conn_total == $((before_c + n_relay))" "$(stats_c aclc)"
}
S_CASES=(
	"$S4_C:$D_ECHO|bypassed by the network $S4_C/32|1"
	"direct.acl.test:$D_ECHO|bypassed by the domain rule, resolved by ss-socksd|1"
	"www.direct.acl.test:$D_ECHO|bypassed, under the domain rule|1"
	"$T4:9000|no rule: the kernel's relay (no route from the client netns)|0"
	"$DOMAIN:9000|no rule: the relay, the server resolves it|0"
)
socksd_round "ss-socksd --acl, [proxy_all] + [bypass_list]"
timed_get "ss-socksd --acl: curl --socks5-hostname, 1 MiB from direct.acl.test:$D_HTTP (bypassed), SHA-256 matches" \
	--socks5-hostname "127.0.0.1:$L_SOCKSD" -- "http://direct.acl.test:$D_HTTP/blob?n=$SMALL" "$SMALL"
timed_get "ss-socksd --acl: curl --socks5-hostname, 1 MiB from $DOMAIN:8080 (relayed), SHA-256 matches" \
	--socks5-hostname "127.0.0.1:$L_SOCKSD" -- "http://$DOMAIN:8080/blob?n=$SMALL" "$SMALL"

# [bypass_all] with a proxy list, reread on SIGHUP
cat >"$TOPO_DIR/client.acl" <<-'END'
	[bypass_all]

	[proxy_list]
	10.0.2.0/24
	^target\.test$
END
pkill -HUP -f "ss-socksd -v --client aclc"
reloaded() { grep -q "SIGHUP: reloaded .*0 bypass rule(s), 2 proxy rule(s)" "$TOPO_DIR/socksd-acl.log"; }
if wait_for 10 reloaded; then
	ss_ok "ss-socksd --acl: SIGHUP rereads the file ([bypass_all], 2 proxy rules)"
else
	ss_fail "ss-socksd --acl: SIGHUP rereads the file ([bypass_all], 2 proxy rules)" "$(logtail socksd-acl)"
fi
S_CASES=(
	"$S4_C:$D_ECHO|[bypass_all], no proxy rule names it|1"
	"$T4:9000|[proxy_list] 10.0.2.0/24: the relay|0"
	"$DOMAIN:9000|[proxy_list] ^target\\.test\$: the relay|0"
)
socksd_round "ss-socksd --acl, [bypass_all] + [proxy_list]"
ss_test "ss-socksd --acl: the client profile is deleted" in_c ssctl client del aclc
elapsed "ss-socksd --acl done"

# ---- allow-local: the unspecified addresses are loopback -------------------------------------

# With allow-local on, the ACL is what keeps a server from its own
# loopback (libev's server_block_local.acl). The stack connects and sends
# to 0.0.0.0, :: and ::ffff:0.0.0.0 as to loopback: a list that blocks
# 127.0.0.0/8 and ::1 refuses them too. servers.py (above) echoes on the
# server netns' every address, loopback's too.
cat >"$TOPO_DIR/local.acl" <<'END'
[outbound_block_list]
127.0.0.0/8
::1/128
END
ss_test "server loc0 (allow-local on, an ACL of loopback's networks) starts" \
	srv_add loc0 "$P_LOC0" allow-local on acl "$TOPO_DIR/local.acl"
ss_test "server loc1 (allow-local on, no ACL: the control) starts" \
	srv_add loc1 "$P_LOC1" allow-local on
LOCAL_T=("127.0.0.1" "0.0.0.0" "[::1]" "[::]" "[::ffff:0.0.0.0]" "[::ffff:127.0.0.1]")
cases=()
for t in "${LOCAL_T[@]}"; do
	cases+=("noreply@$t:$D_ECHO")
done
mapfile -t res < <(probe --server "$S4_C:$P_LOC0" "${cases[@]}" "valid@$S4_C:$D_ECHO" 2>&1)
k=0
for t in "${LOCAL_T[@]}"; do
	json_ok "allow-local on, ACL 127.0.0.0/8 and ::1: $t:$D_ECHO (loopback) closed without data" \
		"${res[$k]:-}"
	k=$((k + 1))
done
json_ok "allow-local on, ACL 127.0.0.0/8 and ::1: $S4_C:$D_ECHO (the server's own address, not listed) echoed" \
	"${res[$k]:-}"
ok_if "allow-local on: loc0 counts ${#LOCAL_T[@]} acl_block" \
	".acl_block == ${#LOCAL_T[@]} and .connect_fail == 0" "$(stats_s loc0)"
cases=()
for t in "${LOCAL_T[@]}"; do
	cases+=("valid@$t:$D_ECHO")
done
out=$(probe --server "$S4_C:$P_LOC1" "${cases[@]}" 2>&1)
if [ "$(grep -c '"ok": true' <<<"$out")" = "${#LOCAL_T[@]}" ]; then
	ss_ok "allow-local on, control: through loc1 (no ACL) the ${#LOCAL_T[@]} loopback targets echo"
else
	ss_fail "allow-local on, control: through loc1 (no ACL) the ${#LOCAL_T[@]} loopback targets echo" "$out"
fi
del_loc() { in_s ssctl server del loc0 && in_s ssctl server del loc1; }
ss_test "servers loc0 and loc1 are deleted" del_loc
elapsed "allow-local done"

# ---- the end ---------------------------------------------------------------------------------

del_both() { in_s ssctl server del acl0 && in_s ssctl server del open0; }
ss_test "the servers are deleted" del_both
wait_for 5 grep -q 'server open0 destroyed' "$TOPO_DIR/kmsg"
topo_kmsg_stop
kmsg_clean

elapsed "all done"
ss_done
