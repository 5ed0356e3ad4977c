#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host check of the independent Shadowsocks 2022 test peer
# (selftests/tools/ss2022.py, written from SIP022 and SIP023, sharing no
# code with the module): its codec against the known answers, then the
# peer against itself over loopback. For each method, a plain TCP+UDP echo
# service, an ss2022.py server and its client: 1 MiB echoed over TCP
# (SHA-256), 200 UDP datagrams echoed, a replayed first write and a 40 s
# old timestamp refused (no data, the server's counter moves), a UDP
# replay dropped; for the AES methods a SIP023 server with two users,
# each echoed, and an unknown user refused. Runs on the host, not in the
# VM, in a few seconds; needs python3-cryptography.
#
# usage: selftests/host_ss2022.sh
# Prints TAP; exits non-zero if any check fails.

set -uo pipefail

[ $# -eq 0 ] || { echo "usage: $0" >&2; exit 2; }
tools=$(cd "$(dirname "$0")/tools" && pwd)
py=/usr/bin/python3
ss="$tools/ss2022.py"
work=$(mktemp -d)
pids=()

cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null
	done
	rm -rf "$work"
}
trap cleanup EXIT

n=0
failed=0
# result OK TEXT [DIAGNOSTIC FILE]
result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=1
		if [ -n "${3:-}" ] && [ -s "$3" ]; then
			sed 's/^/# /' "$3"
		fi
	fi
}

# check TEXT COMMAND...: one TAP line for a command's exit status
check() {
	local text=$1
	shift
	"$@" >"$work/out" 2>&1
	result $? "$text" "$work/out"
}

# start NAME ARGS...: an ss2022.py daemon; its address in $addr
start() {
	local name=$1
	shift
	rm -f "$work/$name.addr"
	"$py" "$ss" "$@" --ready-file "$work/$name.addr" \
		2>"$work/$name.log" &
	pids+=($!)
	for _ in $(seq 50); do
		[ -s "$work/$name.addr" ] && break
		sleep 0.1
	done
	addr=$(cat "$work/$name.addr" 2>/dev/null)
	[ -n "$addr" ]
}

# counter FILE NAME WANT: the server's counter NAME is WANT
counter() {
	"$py" - "$@" <<'EOF'
import json, sys
got = json.load(open(sys.argv[1])).get(sys.argv[2], 0)
if got != int(sys.argv[3]):
    sys.exit("%s: %d, want %s" % (sys.argv[2], got, sys.argv[3]))
EOF
}

key() {
	head -c "$1" /dev/urandom | base64
}

"$py" "$ss" selftest >"$work/selftest" 2>&1
st=$?
grep -v '^ok' "$work/selftest" >"$work/selftest.bad"
result $st "ss2022.py selftest ($(grep -c '^ok' "$work/selftest") known" \
	"answers and round trips pass)" "$work/selftest.bad"

if ! start echo echo --listen 127.0.0.1:0; then
	result 1 "echo service starts" "$work/echo.log"
	echo "1..$n"
	exit 1
fi
echo_at=$addr

for method in 2022-blake3-aes-128-gcm 2022-blake3-aes-256-gcm \
	      2022-blake3-chacha20-poly1305; do
	case $method in
	*-128-*) klen=16 ;;
	*) klen=32 ;;
	esac
	m=${method#2022-blake3-}
	k=$(key $klen)
	stats="$work/$m.stats"
	if ! start "$m" server --listen 127.0.0.1:0 --method "$method" \
		--key "$k" --stats "$stats" -v; then
		result 1 "$m: server starts" "$work/$m.log"
		continue
	fi
	cl=(--server "$addr" --method "$method" --key "$k" --target "$echo_at")
	check "$m: 1 MiB TCP echo, SHA-256 equal" \
		"$py" "$ss" client tcp "${cl[@]}" --echo-check 1048576
	check "$m: 200 UDP datagrams echoed" \
		"$py" "$ss" client udp "${cl[@]}" --count 200
	check "$m: 2000 UDP datagrams echoed, up to 32 in flight" \
		"$py" "$ss" client udp "${cl[@]}" --count 2000 --min 4 --window 32
	check "$m: TCP replayed first write gets no data" \
		"$py" "$ss" client tcp "${cl[@]}" --replay
	check "$m: the server counts the TCP replay" \
		counter "$stats" tcp_replay 1
	check "$m: TCP header 40 s old gets no data" \
		"$py" "$ss" client tcp "${cl[@]}" --expect-refused \
		--timestamp-offset -40
	check "$m: the server counts the old timestamp" \
		counter "$stats" tcp_bad_timestamp 1
	check "$m: TCP header without payload or padding gets no data" \
		"$py" "$ss" client tcp "${cl[@]}" --expect-refused \
		--no-padding-no-payload
	check "$m: UDP replayed packet gets no answer" \
		"$py" "$ss" client udp "${cl[@]}" --replay --wait 1
	check "$m: the server counts the UDP replay" \
		counter "$stats" udp_replay 1
	check "$m: UDP packet 40 s old gets no answer" \
		"$py" "$ss" client udp "${cl[@]}" --timestamp-offset -40 \
		--retries 0 --wait 1 --expect-none
	check "$m: the server counts the old UDP packet" \
		counter "$stats" udp_bad_timestamp 1
	check "$m: the server accepted 2 TCP sessions, no more" \
		counter "$stats" tcp_accepted 2

	case $method in
	*-aes-*) ;;
	*) continue ;;
	esac
	# SIP023: --key is the identity PSK, two users
	ik=$(key $klen)
	u1=$(key $klen)
	u2=$(key $klen)
	printf '{"alice": "%s", "bob": "%s"}\n' "$u1" "$u2" >"$work/$m.users"
	stats="$work/$m.eih.stats"
	if ! start "$m.eih" server --listen 127.0.0.1:0 --method "$method" \
		--key "$ik" --users "$work/$m.users" --stats "$stats" -v; then
		result 1 "$m: SIP023 server starts" "$work/$m.eih.log"
		continue
	fi
	for u in 1 2; do
		uk=$u1
		[ $u = 2 ] && uk=$u2
		cl=(--server "$addr" --method "$method" --key "$ik:$uk"
		    --target "$echo_at")
		check "$m: SIP023 user $u, 1 MiB TCP echo" \
			"$py" "$ss" client tcp "${cl[@]}" --echo-check 1048576
		check "$m: SIP023 user $u, 200 UDP datagrams echoed" \
			"$py" "$ss" client udp "${cl[@]}" --count 200
	done
	check "$m: SIP023 unknown user gets no data (TCP)" \
		"$py" "$ss" client tcp --server "$addr" --method "$method" \
		--key "$ik:$(key $klen)" --target "$echo_at" --expect-refused
	check "$m: SIP023 server counts the unknown user" \
		counter "$stats" tcp_unknown_user 1
	check "$m: SIP023 user PSK alone (no identity header) gets no data" \
		"$py" "$ss" client tcp --server "$addr" --method "$method" \
		--key "$u1" --target "$echo_at" --expect-refused
	check "$m: SIP023 unknown user gets no answer (UDP)" \
		"$py" "$ss" client udp --server "$addr" --method "$method" \
		--key "$ik:$(key $klen)" --target "$echo_at" \
		--count 1 --retries 0 --wait 1 --expect-none
	check "$m: SIP023 server counts the unknown UDP user" \
		counter "$stats" udp_unknown_user 1
done

echo "1..$n"
exit $failed
