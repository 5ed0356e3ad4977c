#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The demonstration, run inside the VM by `selftests/vm/run --demo`: load the
# module on demand, configure a server and a client profile with ssctl, show
# them (text and JSON), and remove them again.

set -e
KEYFILE=$(mktemp)
trap 'rm -f "$KEYFILE"' EXIT

run() {
	printf '\n$ %s\n' "$*"
	"$@"
}

echo "Shadowsocks in the kernel: demonstration on $(uname -r)"
run lsmod | grep -c '^shadowsocks ' || true
echo "(module not loaded yet: ssctl loads it on demand)"

printf 'correct horse battery staple\n' >"$KEYFILE"
run ssctl server add demo port 8388 method chacha20-ietf-poly1305 password-file "$KEYFILE" mode tcp_and_udp timeout 300
run ssctl server add demo6 address ::1 port 8389 method aes-256-gcm key "$(head -c 32 /dev/urandom | base64)"
run ssctl client add home server 192.0.2.10 port 8388 method chacha20-ietf-poly1305 password-file "$KEYFILE"
run grep '^shadowsocks ' /proc/modules
run ssctl server show
run ssctl client show
run ssctl server show demo -j
echo
echo "# a bad request is refused with the kernel's reason:"
run ssctl server add demo port 9000 method aes-128-gcm password x || true
run ssctl server add other port 8388 method aes-128-gcm password x || true
run ssctl server del demo
run ssctl server del demo6
run ssctl client del home
run rmmod shadowsocks
echo
echo "demo complete"
