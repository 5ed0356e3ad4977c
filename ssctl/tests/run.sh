#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tests of ssctl that need no kernel module: key derivation (key-test) and
# the command line — usage errors, exit status, exact messages; "ssctl
# user" against a stand-in for the kernel (tests/ssctl-fake). Where the
# shadowsocks family is absent (any host without the module), also the
# "module not loaded" message. Run from ssctl/ by "make check".
# The guest-side tests with the module are selftests/ssctl_config.sh.

cd "$(dirname "$0")/.." || exit 1
SSCTL=${SSCTL:-./ssctl}
passed=0
failed=0
n=0

echo "TAP version 13"

result() { # ok? description [diagnostics]
	n=$((n + 1))
	if [ "$1" = 1 ]; then
		passed=$((passed + 1))
		echo "ok $n - $2"
	else
		failed=$((failed + 1))
		echo "not ok $n - $2"
		[ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/# /'
	fi
}

# tap PREFIX COMMAND...: COMMAND's TAP lines as results; a crash or a
# failing status with no failed line is a failure too
tap() {
	local prefix=$1 line out rc bad=0
	shift
	out=$("$@" 2>&1)
	rc=$?
	while IFS= read -r line; do
		case $line in
		"ok "*) result 1 "$prefix: ${line#ok * - }" ;;
		"not ok "*) result 0 "$prefix: ${line#not ok * - }"; bad=1 ;;
		"# "*) [ $bad = 1 ] && echo "$line" ;;
		esac
	done <<<"$out"
	[ $rc = 0 ] || [ $bad = 1 ] || result 0 "$prefix: $* exits $rc" "$out"
}

tap key tests/key-test
tap acl tests/acl-test
tap show tests/show-test
# stats: read back by a Prometheus text-format parser
stats_dir=$(mktemp -d)
if tests/stats-test "$stats_dir/out.prom" "$stats_dir/want"; then
	tap stats /usr/bin/python3 tests/stats-check.py "$stats_dir/out.prom" "$stats_dir/want"
else
	result 0 "stats: tests/stats-test writes its output"
fi
rm -rf "$stats_dir"

# cli_expect PROGRAM STATUS STDERR_LINE1 [--stdout TEXT] -- ARGS...: the
# exit status and the first line of stderr must match exactly; for status
# 2 a usage line must follow
cli_expect() {
	local prog=$1 status=$2 msg=$3 want_out="" out err rc desc first usage name
	shift 3
	if [ "$1" = --stdout ]; then
		want_out=$2
		shift 2
	fi
	shift # --
	name=$(basename "$prog")
	desc="$name $*"
	err=$(mktemp)
	out=$(timeout 10 "$prog" "$@" 2>"$err" </dev/null)
	rc=$?
	first=$(sed -n 1p "$err")
	usage=$(sed -n '2,$p' "$err" | grep -c "^Usage: $name ")
	rm -f "$err"
	if [ "$rc" != "$status" ]; then
		result 0 "$desc" "exit $rc, want $status; stderr: $first"
	elif [ "$first" != "$msg" ]; then
		result 0 "$desc" "stderr: $first"$'\n'"want:   $msg"
	elif [ "$status" = 2 ] && [ "$usage" = 0 ]; then
		result 0 "$desc" "no usage line after the error"
	elif [ -n "$want_out" ] && [[ $out != *"$want_out"* ]]; then
		result 0 "$desc" "stdout lacks '$want_out'"
	else
		result 1 "$desc: exit $status${msg:+, '$msg'}"
	fi
}
expect() { cli_expect "$SSCTL" "$@"; }

M="method aes-256-gcm"
USAGE_ADD="Usage: ssctl server add NAME [address ADDR]... port PORT method METHOD (password PW | password-file FILE | key BASE64) [mode tcp_only|tcp_and_udp|udp_only] [timeout SECONDS]"

# help and version
expect 0 "" --stdout "Usage: ssctl [-j] <command>" -- --help
expect 0 "" --stdout "Usage: ssctl [-j] <command>" -- help
expect 0 "" --stdout "$USAGE_ADD" -- help server
expect 0 "" --stdout "ssctl client add NAME (server ADDR port PORT" -- help client
expect 0 "" --stdout "ssctl client import FILE" -- help client
expect 0 "" --stdout "[timeout SECONDS] [handshake-timeout SECONDS] [max-conns N]" -- client help
expect 0 "" --stdout "ssctl server del NAME" -- server help
expect 0 "" --stdout "ssctl " -- --version
expect 2 "ssctl: no command given" --
expect 2 "ssctl: unknown command 'frob'" -- help frob
expect 2 "ssctl: unknown command 'frob'" -- frob
expect 2 "ssctl: unknown option '-x'" -- -x server show
expect 2 "ssctl: unknown command 'server frob'" -- server frob
expect 0 "" --stdout "Usage: ssctl stats [-o FILE]" -- stats help
expect 2 "ssctl: stats: -o needs a FILE" -- stats -o
expect 2 "ssctl: stats: unexpected argument 'x'" -- stats x
expect 2 "ssctl: stats: -j does not apply (the format is Prometheus')" -- -j stats

# methods and keys, refused before the kernel is asked
expect 2 "ssctl: unknown method 'foo'; valid methods: aes-128-gcm, aes-192-gcm, aes-256-gcm, chacha20-ietf-poly1305, xchacha20-ietf-poly1305, 2022-blake3-aes-128-gcm, 2022-blake3-aes-256-gcm, 2022-blake3-chacha20-poly1305" \
	-- server add s1 port 8388 method foo password pw
expect 2 "ssctl: unknown method 'rc4-md5'; valid methods: aes-128-gcm, aes-192-gcm, aes-256-gcm, chacha20-ietf-poly1305, xchacha20-ietf-poly1305, 2022-blake3-aes-128-gcm, 2022-blake3-aes-256-gcm, 2022-blake3-chacha20-poly1305" \
	-- client add c1 server 192.0.2.1 port 8388 method rc4-md5 password pw
expect 2 "ssctl: key is 16 bytes but aes-256-gcm needs 32" \
	-- server add s1 port 8388 $M key s63EeDngR+siiHBSbcj8MA==
expect 2 "ssctl: key is 32 bytes but aes-128-gcm needs 16" \
	-- client add c1 server 192.0.2.1 port 8388 method aes-128-gcm key s63EeDngR+siiHBSbcj8MLNHKH/8owRdzqBrP98JCss=
expect 2 "ssctl: key is 16 bytes but aes-192-gcm needs 24" \
	-- server add s1 port 8388 method aes-192-gcm key s63EeDngR+siiHBSbcj8MA==
expect 2 "ssctl: key is not valid base64" -- server add s1 port 8388 $M key 'not*base64'
expect 2 "ssctl: key is not valid base64" -- server add s1 port 8388 $M key AA=A
expect 2 "ssctl: give only one of password, password-file and key" \
	-- server add s1 port 8388 $M password a key s63EeDngR+siiHBSbcj8MA==
expect 2 "ssctl: the password is empty" -- server add s1 port 8388 $M password ''
expect 2 "ssctl: missing 'password PW', 'password-file FILE' or 'key BASE64'" \
	-- server add s1 port 8388 $M

# the resolver agent's command line, refused before the kernel is asked
expect 0 "" --stdout "Usage: ssctl resolver [workers N] [verbose]" -- resolver --help
expect 0 "" --stdout "Usage: ssctl resolver [workers N] [verbose]" -- help resolver
expect 0 "" --stdout "  resolver answer the module's name lookups in this namespace" -- --help
expect 2 "ssctl: invalid workers '0' (1-64)" -- resolver workers 0
expect 2 "ssctl: invalid workers '65' (1-64)" -- resolver workers 65
expect 2 "ssctl: invalid workers '-1' (1-64)" -- resolver workers -1
expect 2 "ssctl: invalid workers '2x' (1-64)" -- resolver workers 2x
expect 2 "ssctl: 'workers' needs a value" -- resolver workers
expect 2 "ssctl: unknown argument 'frob'" -- resolver frob

# other arguments
expect 2 "ssctl: invalid port '0' (1-65535)" -- server add s1 port 0 $M password a
expect 2 "ssctl: invalid port '65536' (1-65535)" -- server add s1 port 65536 $M password a
expect 2 "ssctl: invalid port '-1' (1-65535)" -- client add c1 server ::1 port -1 $M password a
expect 2 "ssctl: invalid port '80x' (1-65535)" -- server add s1 port 80x $M password a
expect 2 "ssctl: invalid timeout '0' (1-86400 seconds)" -- server add s1 port 1 $M password a timeout 0
expect 2 "ssctl: invalid timeout '86401' (1-86400 seconds)" -- client add c1 server ::1 port 1 $M password a timeout 86401
expect 2 "ssctl: invalid handshake-timeout '0' (1-86400 seconds)" \
	-- client add c1 server ::1 port 1 $M password a handshake-timeout 0
expect 2 "ssctl: invalid handshake-timeout '86401' (1-86400 seconds)" \
	-- client add c1 server ::1 port 1 $M password a handshake-timeout 86401
expect 2 "ssctl: invalid handshake-timeout '5s' (1-86400 seconds)" \
	-- server add s1 port 1 $M password a handshake-timeout 5s
expect 2 "ssctl: 'handshake-timeout' given twice" \
	-- client add c1 server ::1 port 1 $M password a handshake-timeout 5 handshake-timeout 6
expect 2 "ssctl: 'handshake-timeout' needs a value" \
	-- client add c1 server ::1 port 1 $M password a handshake-timeout
expect 2 "ssctl: invalid max-conns '0' (1-1000000)" \
	-- client add c1 server ::1 port 1 $M password a max-conns 0
expect 2 "ssctl: invalid max-conns '1000001' (1-1000000)" \
	-- client add c1 server ::1 port 1 $M password a max-conns 1000001
expect 2 "ssctl: invalid max-conns '-1' (1-1000000)" \
	-- server add s1 port 1 $M password a max-conns -1
expect 2 "ssctl: 'max-conns' given twice" \
	-- client add c1 server ::1 port 1 $M password a max-conns 1 max-conns 2
expect 2 "ssctl: unknown argument 'allow-local'" \
	-- client add c1 server ::1 port 1 $M password a allow-local on
expect 2 "ssctl: invalid mode 'tcp'; valid modes: tcp_only, tcp_and_udp, udp_only" \
	-- server add s1 port 1 $M password a mode tcp
expect 2 "ssctl: invalid address '192.0.2' (a numeric IPv4 or IPv6 address)" \
	-- server add s1 address 192.0.2 port 1 $M password a
expect 2 "ssctl: invalid address 'localhost' (a numeric IPv4 or IPv6 address)" \
	-- server add s1 address localhost port 1 $M password a
expect 2 "ssctl: address: only one IPv4 address may be given" \
	-- server add s1 address 192.0.2.1 address 192.0.2.2 port 1 $M password a
expect 2 "ssctl: address: only one IPv6 address may be given" \
	-- server add s1 address ::1 address 2001:db8::1 port 1 $M password a
expect 2 "ssctl: invalid name 'a/b': use 1 to 31 of the characters A-Z a-z 0-9 _ . -" \
	-- server add a/b port 1 $M password a
expect 2 "ssctl: invalid name 'abcdefghijabcdefghijabcdefghij12': use 1 to 31 of the characters A-Z a-z 0-9 _ . -" \
	-- server add abcdefghijabcdefghijabcdefghij12 port 1 $M password a
expect 2 "ssctl: invalid name '': use 1 to 31 of the characters A-Z a-z 0-9 _ . -" -- server del ''
expect 2 "ssctl: invalid name 'x y': use 1 to 31 of the characters A-Z a-z 0-9 _ . -" -- client show 'x y'
expect 2 "ssctl: unknown argument 'mode'" -- client add c1 server ::1 port 1 $M password a mode tcp_only
expect 2 "ssctl: unknown argument 'server'" -- server add s1 server ::1 port 1 $M password a
expect 2 "ssctl: unknown argument 'address'" -- client add c1 address ::1 port 1 $M password a
expect 2 "ssctl: 'port' given twice" -- server add s1 port 1 port 2 $M password a
expect 2 "ssctl: 'timeout' needs a value" -- server add s1 port 1 $M password a timeout
expect 2 "ssctl: missing 'port PORT'" -- server add s1 $M password a
expect 2 "ssctl: missing 'method METHOD'" -- server add s1 port 1 password a
expect 2 "ssctl: missing 'server ADDR'" -- client add c1 port 1 $M password a
expect 2 "ssctl: missing NAME" -- server add
expect 2 "ssctl: missing NAME" -- client del
expect 2 "ssctl: too many arguments" -- server del a b
expect 2 "ssctl: unexpected argument 'b'" -- server show a b
expect 2 "ssctl: unknown option '-x'" -- client show -x

# password files: read errors are runtime errors (exit 1)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/empty"
expect 1 "ssctl: cannot read password file '$tmp/none': No such file or directory" \
	-- server add s1 port 1 $M password-file "$tmp/none"
expect 1 "ssctl: no password in '$tmp/empty'" -- server add s1 port 1 $M password-file "$tmp/empty"
printf '\nsecond line\n' >"$tmp/blank"
expect 1 "ssctl: the password in '$tmp/blank' is empty" -- server add s1 port 1 $M password-file "$tmp/blank"
expect 1 "ssctl: no password in standard input" -- server add s1 port 1 $M password-file -
expect 1 "ssctl: cannot resolve 'no-such-host.invalid': Name or service not known" \
	-- client add c1 server no-such-host.invalid port 1 $M password a

# Shadowsocks 2022: a base64 PSK of the method's length, never a password
M22="method 2022-blake3-aes-128-gcm"
expect 2 "ssctl: 2022-blake3-aes-128-gcm takes no password: its key is a random 16-byte PSK given in base64 (SIP022: a password-derived key is guessable offline); make one with 'openssl rand -base64 16' and give it as 'key BASE64' or 'password-file FILE'" \
	-- server add s1 port 1 $M22 password hunter2
expect 2 "ssctl: key is 32 bytes but 2022-blake3-aes-128-gcm needs 16" \
	-- server add s1 port 1 $M22 key AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
printf 'hunter2\n' >"$tmp/pw22"
expect 2 "ssctl: password-file is not valid base64" -- server add s1 port 1 $M22 password-file "$tmp/pw22"
K16=AAAAAAAAAAAAAAAAAAAAAA==
expect 2 "ssctl: key: iPSK:uPSK is for client profiles (a server's key is its identity PSK)" \
	-- server add s1 port 1 $M22 key "$K16:$K16"
expect 2 "ssctl: key: identity keys (SIP023) are for the 2022 AES methods only" \
	-- client add c1 server 192.0.2.1 port 1 method 2022-blake3-chacha20-poly1305 key "$K16:$K16"
expect 2 "ssctl: key: one identity key at most (iPSK:uPSK)" \
	-- client add c1 server 192.0.2.1 port 1 $M22 key "$K16:$K16:$K16"
expect 2 "ssctl: identity key is 3 bytes but 2022-blake3-aes-128-gcm needs 16" \
	-- client add c1 server 192.0.2.1 port 1 $M22 key "AAAA:$K16"
expect 2 "ssctl: key is not valid base64" \
	-- client add c1 server 192.0.2.1 port 1 $M22 key "$K16:AA"
printf 'AAAAAAAAAAAAAAAAAAAAAA==\n' >"$tmp/short22"
expect 2 "ssctl: password-file is 16 bytes but 2022-blake3-chacha20-poly1305 needs 32" \
	-- server add s1 port 1 method 2022-blake3-chacha20-poly1305 password-file "$tmp/short22"

# batch mode: the command line of -b itself (exit 2), the file (exit 1)
B=$tmp/batch
# batch STATUS FIRST_STDERR_LINE LINE...: the lines written to $B, then
# "ssctl -b $B"; @ in the expected message stands for $B
batch() {
	local status=$1 msg=$2
	shift 2
	printf '%s\n' "$@" >"$B"
	expect "$status" "${msg//@/$B}" -- -b "$B"
}
expect 0 "" --stdout "ssctl -b|--batch <file>" -- --help
expect 2 "ssctl: '-b' needs a FILE ('-': standard input)" -- -b
expect 2 "ssctl: '--batch' needs a FILE ('-': standard input)" -- --batch
expect 2 "ssctl: -j is not allowed in batch mode" -- -j -b "$tmp/pw"
expect 2 "ssctl: -j is not allowed in batch mode" -- -b "$tmp/pw" -j
expect 2 "ssctl: unexpected argument 'server' after the batch file" -- -b "$tmp/pw" server show
expect 2 "ssctl: only one batch file may be given" -- -b "$tmp/pw" --batch "$tmp/pw"
expect 1 "ssctl: cannot open batch file '$tmp/none': No such file or directory" -- -b "$tmp/none"
expect 1 "ssctl: cannot read batch file '$tmp': Is a directory" -- --batch "$tmp"
batch 0 "" "# nothing but comments" "" "   # and blank lines" $'\t'
printf '%s\n' "help" "help server" >"$B"
expect 0 "" --stdout "Usage: ssctl server add NAME" -- -b "$B"
batch 1 "ssctl: @:3: invalid port '0' (1-65535)" "# a comment" "" \
	"server add s1 port 0 $M password a" "server add s2 port 0 $M password a"
batch 1 "ssctl: @:1: invalid port '0' (1-65535)" "server add s1 port 0 $M password a"$'\r'
batch 1 "ssctl: @:2: unterminated quote" "" "server add s1 port 1 $M password \"a b"
batch 1 "ssctl: @:1: invalid name 'a b': use 1 to 31 of the characters A-Z a-z 0-9 _ . -" \
	"server add \"a b\" port 1 $M password a"
batch 1 "ssctl: @:1: invalid name 'a\"b\\c': use 1 to 31 of the characters A-Z a-z 0-9 _ . -" \
	"server add \"a\\\"b\\\\c\" port 1 $M password a"
batch 1 "ssctl: @:1: invalid name 'x#y': use 1 to 31 of the characters A-Z a-z 0-9 _ . -" \
	"  server add x#y port 1 $M password a"
batch 1 "ssctl: @:1: unknown argument 'extra'" \
	"server add s1 port 1 $M password a\"b \"\"c\"d extra"
batch 1 "ssctl: @:1: the password is empty" "server add s1 port 1 $M password \"\""
batch 1 "ssctl: @:1: unknown command 'ssctl'" "ssctl server show"
batch 1 "ssctl: @:1: no options in batch mode: '-j' (a line is a command without 'ssctl')" "-j server show"
batch 1 "ssctl: @:2: -j is not allowed in batch mode" "" "client show -j"
batch 1 "ssctl: @:1: invalid handshake-timeout '0' (1-86400 seconds)" \
	"client add c1 server 192.0.2.1 port 1 $M password a handshake-timeout 0"
# the first failing line ends the batch: one error, no later line run
printf '%s\n' "server add s1 port 0 $M password a" "frob" >"$B"
err=$("$SSCTL" -b "$B" 2>&1 >/dev/null)
rc=$?
[ $rc = 1 ] && [ "$(grep -c '^ssctl: ' <<<"$err")" = 1 ]
result $((! $?)) "batch: the first failing line ends the batch" "exit $rc: $err"
# standard input
err=$(printf '\nserver add s1 port 0 %s password a\n' "$M" | "$SSCTL" -b - 2>&1 >/dev/null)
rc=$?
[ $rc = 1 ] && [ "$(head -n 1 <<<"$err")" = "ssctl: -:2: invalid port '0' (1-65535)" ]
result $((! $?)) "batch -: reads standard input, names it '-'" "exit $rc: $err"
err=$(printf 'server add s1 port 1 %s password-file -\nsecret\n' "$M" | "$SSCTL" -b - 2>&1 >/dev/null)
rc=$?
[ $rc = 1 ] && [ "$(head -n 1 <<<"$err")" = "ssctl: -:1: password-file -: standard input is the batch file" ]
result $((! $?)) "batch -: password-file - is refused" "exit $rc: $err"

# ssctl user, against tests/fake-ipc.c's "kernel" (tests/ssctl-fake): the
# servers ss22 (2022-blake3-aes-256-gcm, users alice and bob), ss16
# (2022-blake3-aes-128-gcm, user carol), chacha22 and web (no users). A
# link named ssctl, so that the usage lines read as ssctl's.
mkdir "$tmp/fake"
ln -s "$PWD/tests/ssctl-fake" "$tmp/fake/ssctl"
FAKE=$tmp/fake/ssctl
export SSCTL_FAKE_LOG=$tmp/fake.log
fexpect() { cli_expect "$FAKE" "$@"; }
K32=$(head -c 32 /dev/zero | tr '\0' '\2' | base64)	# 0x02 * 32
ALICE32=$(head -c 32 /dev/zero | tr '\0' '\1' | base64)
USAGE_UADD="Usage: ssctl user add SERVER USER (key BASE64 | password-file FILE)"
expect 0 "" --stdout "$USAGE_UADD" -- help user
expect 0 "" --stdout "       ssctl user show [SERVER [USER]] [-j]" -- user help
expect 0 "" --stdout "  user     SIP023 users of Shadowsocks 2022 servers" -- --help
expect 2 "ssctl: missing SERVER" -- user add
expect 2 "ssctl: missing USER" -- user add ss22
expect 2 "ssctl: invalid name 'a/b': use 1 to 31 of the characters A-Z a-z 0-9 _ . -" -- user add a/b u key "$K32"
expect 2 "ssctl: invalid user name 'a b': use 1 to 31 of the characters A-Z a-z 0-9 _ . -" -- user add ss22 'a b' key "$K32"
expect 2 "ssctl: invalid user name 'abcdefghijabcdefghijabcdefghij12': use 1 to 31 of the characters A-Z a-z 0-9 _ . -" \
	-- user add ss22 abcdefghijabcdefghijabcdefghij12 key "$K32"
expect 2 "ssctl: missing 'key BASE64' or 'password-file FILE'" -- user add ss22 u
expect 2 "ssctl: unknown argument 'method'" -- user add ss22 u method aes-256-gcm key "$K32"
expect 2 "ssctl: 'key' needs a value" -- user add ss22 u key
expect 2 "ssctl: give only one of key and password-file" -- user add ss22 u key "$K32" password-file /dev/null
expect 2 "ssctl: missing SERVER" -- user del
expect 2 "ssctl: missing USER" -- user del ss22
expect 2 "ssctl: too many arguments" -- user del ss22 u v
expect 2 "ssctl: invalid user name '': use 1 to 31 of the characters A-Z a-z 0-9 _ . -" -- user del ss22 ''
expect 2 "ssctl: unexpected argument 'v'" -- user show ss22 u v
expect 2 "ssctl: unknown option '-x'" -- user show -x
expect 2 "ssctl: invalid user name 'x y': use 1 to 31 of the characters A-Z a-z 0-9 _ . -" -- user show ss22 'x y'
expect 2 "ssctl: unknown command 'user frob'" -- user frob
# the key: checked against the server's method, as server add checks it
fexpect 2 "ssctl: 2022-blake3-aes-256-gcm takes no password: its key is a random 32-byte PSK given in base64 (SIP022: a password-derived key is guessable offline); make one with 'openssl rand -base64 32' and give it as 'key BASE64' or 'password-file FILE'" \
	-- user add ss22 u password hunter2
fexpect 2 "ssctl: key is 16 bytes but server 'ss22' needs 32, the key length of 2022-blake3-aes-256-gcm" -- user add ss22 u key "$K16"
fexpect 2 "ssctl: key is 32 bytes but server 'ss16' needs 16, the key length of 2022-blake3-aes-128-gcm" -- user add ss16 u key "$K32"
fexpect 2 "ssctl: key is not valid base64" -- user add ss22 u key 'not*base64'
fexpect 2 "ssctl: key: a user's key is its own PSK (iPSK:uPSK is for client profiles)" \
	-- user add ss22 u key "$K32:$K32"
printf '%s\n' "$K16" >"$tmp/u16"
fexpect 2 "ssctl: password-file is 16 bytes but server 'ss22' needs 32, the key length of 2022-blake3-aes-256-gcm" -- user add ss22 u password-file "$tmp/u16"
fexpect 2 "ssctl: password-file is not valid base64" -- user add ss22 u password-file "$tmp/pw22"
fexpect 1 "ssctl: cannot read password file '$tmp/none': No such file or directory" \
	-- user add ss22 u password-file "$tmp/none"
fexpect 1 "ssctl: no server named 'nosuch'" -- user add nosuch u key "$K32"
fexpect 1 "ssctl: server 'web' is aes-256-gcm: users (SIP023) need a Shadowsocks 2022 server of an AES method (2022-blake3-aes-128-gcm or 2022-blake3-aes-256-gcm)" \
	-- user add web u key "$K32"
fexpect 1 "ssctl: server 'chacha22' is 2022-blake3-chacha20-poly1305: users (SIP023) need a Shadowsocks 2022 server of an AES method (2022-blake3-aes-128-gcm or 2022-blake3-aes-256-gcm)" \
	-- user add chacha22 u key "$K32"
fexpect 1 "ssctl: cannot add user 'alice' to server 'ss22': the server has a user of that name" \
	-- user add ss22 alice key "$K32"
fexpect 1 "ssctl: cannot add user 'dave' to server 'ss22': another user of the server has that key" \
	-- user add ss22 dave key "$ALICE32"
fexpect 1 "ssctl: no server named 'nosuch'" -- user del nosuch alice
fexpect 1 "ssctl: server 'ss22' has no user named 'carol'" -- user del ss22 carol
fexpect 1 "ssctl: server 'ss22' has no user named 'carol'" -- user show ss22 carol
fexpect 1 "ssctl: no server named 'nosuch'" -- user show nosuch
fexpect 1 "ssctl: no server named 'nosuch'" -- -j user show nosuch alice
# what reaches the kernel: the key's bytes, from key or the file
: >"$SSCTL_FAKE_LOG"
fexpect 0 "" -- user add ss22 dave key "$K32"
printf '%s\n' "$K16" >"$tmp/u16"
fexpect 0 "" -- user add ss16 erin password-file "$tmp/u16"
fexpect 0 "" -- user del ss22 bob
printf 'user-new ss22 dave %s\nuser-new ss16 erin %s\nuser-del ss22 bob\n' \
	"$(printf '02%.0s' $(seq 32))" "$(printf '00%.0s' $(seq 16))" >"$tmp/want.log"
cmp -s "$SSCTL_FAKE_LOG" "$tmp/want.log"
result $((! $?)) "user add/del: the server, the user and the key's bytes sent" \
	"$(diff "$tmp/want.log" "$SSCTL_FAKE_LOG")"
err=$(printf 'user add ss22 u password-file -\n' | "$FAKE" -b - 2>&1 >/dev/null)
rc=$?
[ $rc = 1 ] && [ "$(head -n 1 <<<"$err")" = "ssctl: -:1: password-file -: standard input is the batch file" ]
result $((! $?)) "batch -: user add password-file - is refused" "exit $rc: $err"
# the output: a table, JSON, the servers' user counts, Prometheus
want_table="SERVER  USER   CONN-ACTIVE  CONN-TOTAL  BYTES-IN  BYTES-OUT  UDP-PKTS-IN  UDP-PKTS-OUT  AUTH-FAIL
ss16    carol      1002007     1003007   1004007    1005007      1013007       1014007    1006007
ss22    alice      2002007     2003007   2004007    2005007      2013007       2014007    2006007
ss22    bob        3002007     3003007   3004007    3005007      3013007       3014007    3006007"
out=$("$FAKE" user show)
[ "$out" = "$want_table" ]
result $((! $?)) "user show: the table" "$out"
out=$("$FAKE" user)
[ "$out" = "$want_table" ]
result $((! $?)) "user: user show" "$out"
out=$("$FAKE" user show ss22)
[ "$(awk '{ print $1, $2, $4 }' <<<"$out" | tr '\n' ' ')" = "SERVER USER CONN-TOTAL ss22 alice 2003007 ss22 bob 3003007 " ]
result $((! $?)) "user show SERVER: that server's users" "$out"
out=$("$FAKE" user show web)
rc=$?
[ $rc = 0 ] && [ -z "$out" ]
result $((! $?)) "user show SERVER: a server without users: nothing" "exit $rc: $out"
out=$("$FAKE" user show ss22 bob -j)
python3 -c '
import json, sys
a = json.loads(sys.argv[1])
names = ["conn_active", "conn_total", "bytes_in", "bytes_out", "auth_fail",
         "udp_pkts_in", "udp_pkts_out", "udp_bytes_in", "udp_bytes_out",
         "udp_assoc_active"]
assert len(a) == 1 and set(a[0]) == {"server", "user", "stats"}, a
assert a[0]["server"] == "ss22" and a[0]["user"] == "bob", a
assert sorted(a[0]["stats"]) == sorted(names), a
assert a[0]["stats"]["bytes_out"] == 3005007, a
' "$out"
result $((! $?)) "user show SERVER USER -j: server, user, the 10 counters" "$out"
out=$("$FAKE" -j user show)
python3 -c '
import json, sys
a = json.loads(sys.argv[1])
assert [(u["server"], u["user"]) for u in a] == [("ss16", "carol"), ("ss22", "alice"), ("ss22", "bob")], a
' "$out"
result $((! $?)) "-j user show: every user, sorted" "$out"
out=$("$FAKE" server show ss22)
grep -qx '  users: 2' <<<"$out"
result $((! $?)) "server show: users N" "$out"
out=$("$FAKE" -j server show)
python3 -c '
import json, sys
a = {s["name"]: s for s in json.loads(sys.argv[1])}
assert a["ss22"]["users"] == 2 and a["ss16"]["users"] == 1, a
assert "users" not in a["web"] and "users" not in a["chacha22"], a
' "$out"
result $((! $?)) "server show -j: \"users\" for servers that can have users" "$out"
out=$("$FAKE" stats)
grep -qx 'shadowsocks_user_bytes_in_total{server="ss22",user="alice"} 2004007' <<<"$out" &&
	grep -qx 'shadowsocks_user_udp_assoc_active{server="ss16",user="carol"} 1017007' <<<"$out" &&
	grep -qx '# TYPE shadowsocks_user_conn_active gauge' <<<"$out" &&
	[ "$(grep -c '^shadowsocks_user_' <<<"$out")" = 30 ] &&
	! grep -q '^shadowsocks_[a-z_]*{[^}]*user=' <<<"$(grep -v '^shadowsocks_user_' <<<"$out")"
result $((! $?)) "stats: shadowsocks_user_<counter>{server=,user=}, 10 per user" "$out"
# batch: 10000 users, one line each, quickly
for i in $(seq 10000); do
	printf 'user add ss22 u%d key %s\n' "$i" "$K32"
done >"$tmp/users.batch"
: >"$SSCTL_FAKE_LOG"
start=$(date +%s%N)
"$FAKE" -b "$tmp/users.batch"
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
[ $rc = 0 ] && [ "$(wc -l <"$SSCTL_FAKE_LOG")" = 10000 ] &&
	[ "$(tail -n 1 "$SSCTL_FAKE_LOG" | cut -d' ' -f3)" = u10000 ] && [ $ms -lt 10000 ]
result $((! $?)) "batch: 10000 user add lines (${ms} ms)" "exit $rc"

# client add NAME url LINK (SIP002), against the fake: what reaches the
# kernel is what the same server, port, method and secret give as keywords
b64url() { printf '%s' "$1" | base64 -w0 | tr '+/' '-_' | tr -d '='; }
pct() { jq -rn --arg s "$1" '$s|@uri'; }
hexkey() { printf '%s' "$1" | base64 -d | od -An -v -tx1 | tr -d ' \n'; }
# link_same DESC LINK KEYWORDS...: both sent alike, the link's as "c1"
link_same() {
	local desc=$1 link=$2 got want
	shift 2
	: >"$SSCTL_FAKE_LOG"
	"$FAKE" client add c1 url "$link" 2>"$tmp/err" &&
		"$FAKE" client add c1 "$@" 2>>"$tmp/err"
	got=$(sed -n 1p "$SSCTL_FAKE_LOG")
	want=$(sed -n 2p "$SSCTL_FAKE_LOG")
	[ -n "$got" ] && [ "$got" = "$want" ]
	result $((! $?)) "url: $desc" "link:     $got"$'\n'"keywords: $want"$'\n'"$(cat "$tmp/err")"
}
# link_sent DESC LINK LOGLINE: what the fake kernel got
link_sent() {
	: >"$SSCTL_FAKE_LOG"
	"$FAKE" client add c1 url "$2" 2>"$tmp/err"
	[ "$(cat "$SSCTL_FAKE_LOG")" = "$3" ]
	result $((! $?)) "url: $1" "got:  $(cat "$SSCTL_FAKE_LOG" "$tmp/err")"$'\n'"want: $3"
}
PSK22=YctPZ6U7xPPcU+gp3u+0tx/tRizJN9K8y+uKlW2qjlI=
# SIP002's own examples (the plugin ones are below, refused)
link_sent "SIP002 example 1: base64url user info, no padding, a tag" \
	'ss://YWVzLTEyOC1nY206dGVzdA@192.168.100.1:8888#Example1' \
	"client-new c1 192.168.100.1 8888 aes-128-gcm $(printf test | md5sum | cut -c1-32) password $(printf test | od -An -tx1 | tr -d " \n")"
link_sent "SIP002 example 3: 2022, plain user info, percent-encoded" \
	'ss://2022-blake3-aes-256-gcm:YctPZ6U7xPPcU%2Bgp3u%2B0tx%2FtRizJN9K8y%2BuKlW2qjlI%3D@192.168.100.1:8888#Example3' \
	"client-new c1 192.168.100.1 8888 2022-blake3-aes-256-gcm $(hexkey "$PSK22")"
link_same "2022, the key's + / = left unencoded" \
	"ss://2022-blake3-aes-256-gcm:$PSK22@192.0.2.9:8388" \
	server 192.0.2.9 port 8388 method 2022-blake3-aes-256-gcm key "$PSK22"
link_same "base64url user info to an IPv6 host in brackets, '/' and a query of other parameters" \
	"ss://$(b64url 'chacha20-ietf-poly1305:a?b>c~d')@[2001:db8::7]:8443/?unknown=1&plugin=&x#a%20tag" \
	server 2001:db8::7 port 8443 method chacha20-ietf-poly1305 password 'a?b>c~d'
link_same "base64 user info in the standard alphabet, padded" \
	"ss://$(printf '%s' 'aes-192-gcm:p>>?' | base64 -w0)@192.0.2.1:1" \
	server 192.0.2.1 port 1 method aes-192-gcm password 'p>>?'
link_same "plain user info, percent-encoded, for an AEAD-2017 method" \
	"ss://aes-256-gcm:$(pct 'p@ss:w%rd#1')@192.0.2.1:65535/" \
	server 192.0.2.1 port 65535 method aes-256-gcm password 'p@ss:w%rd#1'
link_same "the form before SIP002: base64 of method:password@host:port, the password holding '@'" \
	"ss://$(printf '%s' 'xchacha20-ietf-poly1305:pa@ss@192.0.2.3:8389' | base64 -w0)#old" \
	server 192.0.2.3 port 8389 method xchacha20-ietf-poly1305 password 'pa@ss'
link_same "SIP023 iPSK:uPSK in a 2022 link (as shadowsocks-rust writes it)" \
	"ss://2022-blake3-aes-128-gcm:$(pct "$K16"):$(pct "$(printf '%016d' 7 | base64)")@192.0.2.4:8600" \
	server 192.0.2.4 port 8600 method 2022-blake3-aes-128-gcm key "$K16:$(printf '%016d' 7 | base64)"
link_same "a password with a bare '@' (the user info ends at the last '@', as URL parsers do)" \
	'ss://aes-256-gcm:p@ss@203.0.113.5:8388' \
	server 203.0.113.5 port 8388 method aes-256-gcm password 'p@ss'
link_same "base64 user info whose padding is percent-encoded (as Outline writes it)" \
	"ss://$(printf '%s' 'aes-128-gcm:pass' | base64 -w0 | sed 's/=/%3D/g')@192.0.2.1:8388" \
	server 192.0.2.1 port 8388 method aes-128-gcm password pass
link_same "plain user info whose ':' is percent-encoded" \
	"ss://aes-128-gcm%3Apa%3Ass@192.0.2.1:8388" \
	server 192.0.2.1 port 8388 method aes-128-gcm password 'pa:ss'
link_same "a tag that does not decode is kept as written" \
	"ss://$(b64url aes-128-gcm:hunter2)@192.0.2.1:1#%zz" \
	server 192.0.2.1 port 1 method aes-128-gcm password hunter2
link_same "with timeout, handshake-timeout and max-conns after it" \
	"ss://$(b64url aes-128-gcm:pw)@192.0.2.1:2" \
	server 192.0.2.1 port 2 method aes-128-gcm password pw
fexpect 0 "" -- client add c1 url "ss://$(b64url aes-128-gcm:pw)@192.0.2.1:2" timeout 60 \
	handshake-timeout 5 max-conns 9
# refused, each with its reason, and nothing sent
: >"$SSCTL_FAKE_LOG"
fexpect 2 "ssctl: url: the server is reached through the plugin 'obfs-local' (SIP003), which client profiles do not run: ss-socksd --plugin runs it (see ss-socksd(8))" \
	-- client add c1 url 'ss://cmM0LW1kNTpwYXNzd2Q@192.168.100.1:8888/?plugin=obfs-local%3Bobfs%3Dhttp#Example2'
fexpect 2 "ssctl: url: the server is reached through the plugin 'v2ray-plugin' (SIP003), which client profiles do not run: ss-socksd --plugin runs it (see ss-socksd(8))" \
	-- client add c1 url 'ss://2022-blake3-aes-256-gcm:YctPZ6U7xPPcU%2Bgp3u%2B0tx%2FtRizJN9K8y%2BuKlW2qjlI%3D@192.168.100.1:8888/?plugin=v2ray-plugin%3Bserver#Example3'
fexpect 2 "ssctl: url: unknown method 'rc4-md5'; valid methods: $("$FAKE" client add c1 server 1.2.3.4 port 1 method x password y 2>&1 | sed -n "1s/.*valid methods: //p")" \
	-- client add c1 url 'ss://cmM0LW1kNTpwYXNzd2Q@192.168.100.1:8888'
fexpect 2 "ssctl: url: not a Shadowsocks link (ss://...)" -- client add c1 url 'http://192.0.2.1:80'
fexpect 2 "ssctl: url: not a Shadowsocks link (ss://...)" -- client add c1 url ''
fexpect 2 "ssctl: url: the link has no port" -- client add c1 url "ss://$(b64url aes-128-gcm:hunter2)@192.0.2.1"
fexpect 2 "ssctl: url: the link has no port" -- client add c1 url "ss://$(b64url aes-128-gcm:hunter2)@[::1]"
fexpect 2 "ssctl: url: invalid port (1-65535)" -- client add c1 url "ss://$(b64url aes-128-gcm:hunter2)@192.0.2.1:0"
fexpect 2 "ssctl: url: invalid port (1-65535)" -- client add c1 url "ss://$(b64url aes-128-gcm:hunter2)@192.0.2.1:65536"
fexpect 2 "ssctl: url: invalid port (1-65535)" -- client add c1 url "ss://$(b64url aes-128-gcm:hunter2)@192.0.2.1:+1"
fexpect 2 "ssctl: url: the IPv6 address has no closing ']'" -- client add c1 url "ss://$(b64url aes-128-gcm:hunter2)@[::1:8388"
fexpect 2 "ssctl: url: unexpected text after the IPv6 address's ']'" -- client add c1 url "ss://$(b64url aes-128-gcm:hunter2)@[::1]x:8388"
fexpect 2 "ssctl: url: the link has no host" -- client add c1 url "ss://$(b64url aes-128-gcm:hunter2)@:8388"
fexpect 2 "ssctl: url: unexpected text after the port (only '/', '?plugin=...' and '#tag' may follow)" \
	-- client add c1 url "ss://$(b64url aes-128-gcm:hunter2)@192.0.2.1:8388/path"
fexpect 2 "ssctl: url: the user info holds no 'method:password'" -- client add c1 url "ss://$(b64url aes-128-gcm)@192.0.2.1:1"
fexpect 2 "ssctl: url: the user info is neither base64 nor 'method:password'" -- client add c1 url 'ss://not*base64@192.0.2.1:1'
fexpect 2 "ssctl: url: the user info has a broken percent-encoding" -- client add c1 url 'ss://aes-128-gcm:hunter%2@192.0.2.1:1'
fexpect 2 "ssctl: url: the user info has a broken percent-encoding" -- client add c1 url 'ss://aes-128-gcm:hun%00ter2@192.0.2.1:1'
fexpect 2 "ssctl: url: the link names no method" -- client add c1 url 'ss://:hunter2@192.0.2.1:1'
fexpect 2 "ssctl: url: the link holds no password or key" -- client add c1 url 'ss://aes-128-gcm:@192.0.2.1:1'
fexpect 2 "ssctl: url: the host holds a character a host name cannot have" -- client add c1 url 'ss://aes-256-gcm:p@ss@h%20st:8388'
fexpect 2 "ssctl: url: the host in brackets is not an IPv6 address" -- client add c1 url "ss://$(b64url aes-128-gcm:hunter2)@[example.com]:443"
fexpect 2 "ssctl: url: IPv6 zone IDs are not supported" -- client add c1 url "ss://$(b64url aes-128-gcm:hunter2)@[fe80::1%25eth0]:8388"
fexpect 2 "ssctl: url: an IPv6 address must be in brackets" -- client add c1 url "ss://$(b64url aes-128-gcm:hunter2)@2001:db8::1:443"
fexpect 2 "ssctl: url: unknown method; valid methods: $("$FAKE" client add c1 server 1.2.3.4 port 1 method x password y 2>&1 | sed -n "1s/.*valid methods: //p")" \
	-- client add c1 url 'ss://%1B%5D0%3Bx%07:pw@192.0.2.1:1'
fexpect 2 "ssctl: url: no '@' before the host, and not the base64 of the older form (method:password@host:port)" \
	-- client add c1 url 'ss://192.0.2.1:1'
fexpect 2 "ssctl: url: the base64 of the older form holds no '@' (method:password@host:port)" \
	-- client add c1 url "ss://$(printf 'aes-128-gcm:hunter2' | base64 -w0)"
# a 2022 link's password is its base64 PSK
fexpect 2 "ssctl: key is not valid base64" -- client add c1 url 'ss://2022-blake3-aes-256-gcm:hunter2@192.0.2.1:1'
fexpect 2 "ssctl: key is 16 bytes but 2022-blake3-aes-256-gcm needs 32" \
	-- client add c1 url "ss://2022-blake3-aes-256-gcm:$(pct "$K16")@192.0.2.1:1"
fexpect 2 "ssctl: 'url' gives the server, port, method and key: give none of them with it" \
	-- client add c1 url "ss://$(b64url aes-128-gcm:hunter2)@192.0.2.1:1" port 2
fexpect 2 "ssctl: 'url' gives the server, port, method and key: give none of them with it" \
	-- client add c1 server 192.0.2.1 url "ss://$(b64url aes-128-gcm:hunter2)@192.0.2.1:1"
fexpect 2 "ssctl: 'url' given twice" -- client add c1 url "ss://$(b64url aes-128-gcm:x)@192.0.2.1:1" url x
fexpect 2 "ssctl: unknown argument 'url'" -- server add s1 url "ss://$(b64url aes-128-gcm:x)@192.0.2.1:1"
[ ! -s "$SSCTL_FAKE_LOG" ]
result $((! $?)) "url: a refused link sends nothing" "$(cat "$SSCTL_FAKE_LOG")"
err=$("$FAKE" client add c1 url "ss://$(b64url aes-128-gcm:hunter2)@192.0.2.1:0" 2>&1)
! grep -q hunter2 <<<"$err"
result $((! $?)) "url: no message quotes the secret" "$err"

# client import FILE (SIP008): one profile per server, all or none
D=$tmp/sip008.json
UUID=27b8a625-4f4b-4428-9f0f-8a2317db7c79
jq -n --arg k "$PSK22" --arg u "$UUID" --arg ik "$K16:$(printf '%016d' 7 | base64)" '{
	version: 1,
	servers: [
		{ id: "7842c068-c667-41f2-8f7d-04feece3cb67", remarks: "Name of the server",
		  server: "192.0.2.1", server_port: 8388, password: "example",
		  method: "chacha20-ietf-poly1305" },
		{ id: $u, server: "2001:db8::1", server_port: 8389, password: $k,
		  method: "2022-blake3-aes-256-gcm", plugin: "" },
		{ remarks: "alice@2022", server: "192.0.2.2", server_port: 8600,
		  password: $ik, method: "2022-blake3-aes-128-gcm", custom_field: 1 }
	],
	bytes_used: 274877906944, bytes_remaining: 824633720832 }' >"$D"
: >"$SSCTL_FAKE_LOG"
out=$("$FAKE" client import "$D" 2>"$tmp/err")
rc=$?
printf '%s\n' "client Name_of_the_server imported (chacha20-ietf-poly1305)" \
	"client 27b8a625-4f4b-4428-9f0f-8a2317d imported (2022-blake3-aes-256-gcm)" \
	"client alice_2022 imported (2022-blake3-aes-128-gcm)" >"$tmp/want.out"
[ $rc = 0 ] && [ "$out" = "$(cat "$tmp/want.out")" ]
result $((! $?)) "import: a profile per server, named by remarks or id" "exit $rc: $out $(cat "$tmp/err")"
"$FAKE" client add Name_of_the_server server 192.0.2.1 port 8388 method chacha20-ietf-poly1305 password example
"$FAKE" client add 27b8a625-4f4b-4428-9f0f-8a2317d server 2001:db8::1 port 8389 method 2022-blake3-aes-256-gcm key "$PSK22"
"$FAKE" client add alice_2022 server 192.0.2.2 port 8600 method 2022-blake3-aes-128-gcm key "$K16:$(printf '%016d' 7 | base64)"
[ "$(sed -n 1,3p "$SSCTL_FAKE_LOG")" = "$(sed -n 4,6p "$SSCTL_FAKE_LOG")" ] && [ "$(wc -l <"$SSCTL_FAKE_LOG")" = 6 ]
result $((! $?)) "import: each sent as client add would send it" "$(cat "$SSCTL_FAKE_LOG")"
# the kernel refuses the third ("p" exists): the two before it are deleted
jq '.servers[2].remarks = "p"' "$D" >"$tmp/clash.json"
: >"$SSCTL_FAKE_LOG"
fexpect 1 "ssctl: client 'p' already exists" -- client import "$tmp/clash.json"
printf '%s\n' "$(sed -n 1,2p "$SSCTL_FAKE_LOG")" "client-del Name_of_the_server" \
	"client-del 27b8a625-4f4b-4428-9f0f-8a2317d" >"$tmp/want.log"
[ "$(grep -c client-new "$SSCTL_FAKE_LOG")" = 2 ] && cmp -s "$SSCTL_FAKE_LOG" "$tmp/want.log"
result $((! $?)) "import: refused by the kernel, the profiles added before are deleted" "$(cat "$SSCTL_FAKE_LOG")"
out=$("$FAKE" client import "$tmp/clash.json" 2>&1 >/dev/null)
[ "$(tail -n 1 <<<"$out")" = "ssctl: $tmp/clash.json: nothing was imported" ]
result $((! $?)) "import: says nothing was imported" "$out"
# refused documents: the reason, exit 1, nothing sent
: >"$SSCTL_FAKE_LOG"
imp() { # STATUS MESSAGE JQ_FILTER: $D changed by the filter, imported
	jq "$3" "$D" >"$tmp/bad.json"
	fexpect "$1" "${2//@/$tmp/bad.json}" -- client import "$tmp/bad.json"
}
imp 1 "ssctl: @: unknown version (SIP008 version 1 is understood)" '.version = 2'
imp 1 "ssctl: @: no 'version' (SIP008 version 1 is understood)" 'del(.version)'
imp 1 "ssctl: @: no 'servers'" 'del(.servers)'
imp 1 "ssctl: @: 'servers' must be an array of at least one server" '.servers = []'
imp 1 "ssctl: @: not a SIP008 document (a JSON object)" '[.]'
imp 1 "ssctl: @: servers[1] is not an object" '.servers[1] = "x"'
imp 1 "ssctl: @: servers[0]: 'password' is missing" 'del(.servers[0].password)'
imp 1 "ssctl: @: servers[0]: 'password' holds a NUL character (\\u0000)" '.servers[0].password = "abc\u0000def"'
imp 1 "ssctl: @: servers[2]: 'server' must be a non-empty string" '.servers[2].server = ""'
imp 1 "ssctl: @: servers[0]: 'server_port' must be a number from 1 to 65535" '.servers[0].server_port = "8388"'
imp 1 "ssctl: @: servers[0]: 'server_port' must be a number from 1 to 65535" '.servers[0].server_port = 65536'
imp 1 "ssctl: @: servers[0]: 'server_port' is missing" 'del(.servers[0].server_port)'
imp 1 "ssctl: @: servers[0]: 'method' is missing" 'del(.servers[0].method)'
imp 1 "ssctl: @: servers[1] ('Name_of_the_server'): unknown method 'rc4-md5'; valid methods: $(
	"$FAKE" client add c1 server 1.2.3.4 port 1 method x password y 2>&1 | sed -n "1s/.*valid methods: //p")" \
	'.servers[1].method = "rc4-md5" | .servers[1].remarks = "Name of the server"'
imp 1 "ssctl: @: servers[1] ('27b8a625-4f4b-4428-9f0f-8a2317d'): key is 16 bytes but 2022-blake3-aes-256-gcm needs 32" \
	".servers[1].password = \"$K16\""
imp 1 "ssctl: @: servers[0] ('Name_of_the_server') is reached through the plugin 'obfs-local' (SIP003), which client profiles do not run: ss-socksd --plugin runs it (see ss-socksd(8))" \
	'.servers[0].plugin = "obfs-local" | .servers[0].plugin_opts = "obfs=http"'
imp 1 "ssctl: @: servers[0] and servers[2] would both be client 'Name_of_the_server': give them remarks that differ" \
	'.servers[2].remarks = "Name of the server"'
[ ! -s "$SSCTL_FAKE_LOG" ]
result $((! $?)) "import: a refused document sends nothing" "$(cat "$SSCTL_FAKE_LOG")"
printf '{"version": 1, "servers": [' >"$tmp/bad.json"
fexpect 1 "ssctl: cannot read SIP008 document '$tmp/none.json': No such file or directory" -- client import "$tmp/none.json"
fexpect 1 "ssctl: SIP008 document '$tmp/bad.json' is not valid JSON: unexpected end of data" -- client import "$tmp/bad.json"
printf '{"version": 1, "servers": []} junk' >"$tmp/bad.json"
fexpect 1 "ssctl: SIP008 document '$tmp/bad.json' has text after its JSON document" -- client import "$tmp/bad.json"
printf '{"version": 1,\0 "servers": []}' >"$tmp/bad.json"
fexpect 1 "ssctl: SIP008 document '$tmp/bad.json' holds a NUL byte" -- client import "$tmp/bad.json"
fexpect 2 "ssctl: missing FILE" -- client import
fexpect 2 "ssctl: too many arguments" -- client import a b

# client show NAME --url | --qr (SIP002 links written), from fake-ipc.c's
# exported profiles: exact links, and each link read back by client add
# gives the key (and password) the profile has
want_link() { # NAME LINK DESCRIPTION
	local out
	out=$("$FAKE" client show "$1" --url 2>"$tmp/err")
	[ "$out" = "$2" ] && [ ! -s "$tmp/err" ]
	result $((! $?)) "show --url: $3" "got:  $out $(cat "$tmp/err")"$'\n'"want: $2"
}
PW_P=$(printf 'p@ss:w/rd #1+%%=?&\xc3\xa9')
K33=$(head -c 32 /dev/zero | tr '\0' '\63' | base64)
K44=$(head -c 16 /dev/zero | tr '\0' '\104' | base64)
K55=$(head -c 16 /dev/zero | tr '\0' '\125' | base64)
K66=$(head -c 32 /dev/zero | tr '\0' '\146' | base64)
want_link p "ss://$(b64url "aes-256-gcm:$PW_P")@192.0.2.1:8388#p" \
	"AEAD-2017: base64url user info of the password, no padding; the profile's name as the tag"
want_link v6 "ss://2022-blake3-aes-256-gcm:$(pct "$K33")@[2001:db8::1]:443#v6" \
	"2022: the PSK percent-encoded, an IPv6 server in brackets"
want_link id23 "ss://2022-blake3-aes-128-gcm:$(pct "$K55:$K44")@198.51.100.7:8443#id23" \
	"SIP023: iPSK:uPSK, percent-encoded"
want_link c22 "ss://2022-blake3-chacha20-poly1305:$(pct "$K66")@203.0.113.9:65535#c22" \
	"2022 chacha, port 65535"
for pn in p v6 id23 c22; do
	: >"$SSCTL_FAKE_LOG"
	link=$("$FAKE" client show "$pn" --url) &&
		"$FAKE" client add back url "$link" 2>"$tmp/err"
	case $pn in
	p) want="client-new back 192.0.2.1 8388 aes-256-gcm $(printf '%s' "$PW_P" |
		python3 -c 'import hashlib,sys; p=sys.stdin.buffer.read(); a=hashlib.md5(p).digest(); print((a+hashlib.md5(a+p).digest()).hex())') password $(printf '%s' "$PW_P" | od -An -v -tx1 | tr -d ' \n')" ;;
	v6) want="client-new back 2001:db8::1 443 2022-blake3-aes-256-gcm $(hexkey "$K33")" ;;
	id23) want="client-new back 198.51.100.7 8443 2022-blake3-aes-128-gcm $(hexkey "$K44") ikey $(hexkey "$K55")" ;;
	c22) want="client-new back 203.0.113.9 65535 2022-blake3-chacha20-poly1305 $(hexkey "$K66")" ;;
	esac
	[ "$(cat "$SSCTL_FAKE_LOG")" = "$want" ]
	result $((! $?)) "show --url: $pn's link, added again, gives the same server, method and secrets" \
		"got:  $(cat "$SSCTL_FAKE_LOG" "$tmp/err")"$'\n'"want: $want"
done
# --qr: a QR reader (zbarimg) reads the --url link from the printed code
for pn in p id23; do
	got=$("$FAKE" client show "$pn" --qr | python3 tests/qr-image.py >"$tmp/qr.pgm" &&
		zbarimg --nodbus --raw -q "$tmp/qr.pgm")
	[ -n "$got" ] && [ "$got" = "$("$FAKE" client show "$pn" --url)" ]
	result $((! $?)) "show --qr: zbarimg reads $pn's link from the code" "got: $got"
done
fexpect 1 "ssctl: client profile 'k17' was made from a key, not a password: a link of aes-128-gcm carries the password (SIP002), so it has none; add the profile with 'password' or 'password-file' to share it" \
	-- client show k17 --url
fexpect 1 "ssctl: permission denied (CAP_NET_ADMIN is required)" -- client show fail --url
fexpect 1 "ssctl: no client named 'nope'" -- client show nope --qr
fexpect 2 "ssctl: --url and --qr show one profile: give its NAME" -- client show --url
fexpect 2 "ssctl: '-j' does not go with --url or --qr" -- client show p --url -j
fexpect 2 "ssctl: give one of --url and --qr" -- client show p --url --qr
fexpect 2 "ssctl: unexpected argument 'q'" -- client show p q --url
fexpect 2 "ssctl: invalid name 'a/b': use 1 to 31 of the characters A-Z a-z 0-9 _ . -" -- client show a/b --url
# the password a client profile keeps: at most 256 bytes
fexpect 2 "ssctl: a client profile's password is at most 256 bytes (this one has 257)" \
	-- client add big server 192.0.2.1 port 1 method aes-128-gcm password "$(head -c 257 /dev/zero | tr '\0' x)"
unset SSCTL_FAKE_LOG

# the family is absent on a host without the module: every command that
# reaches the kernel says so, and only those
MOD="ssctl: the shadowsocks kernel module is not loaded and could not be loaded (try: modprobe shadowsocks)"
if "$SSCTL" server show >/dev/null 2>&1; then
	for t in show add del stdin user; do
		n=$((n + 1))
		echo "ok $n - module absent: $t # SKIP the shadowsocks family exists here"
	done
else
	expect 1 "$MOD" -- server show
	expect 1 "$MOD" -- -j client show
	expect 1 "$MOD" -- server add s1 address 127.0.0.1 address ::1 port 8388 $M password pw mode tcp_and_udp timeout 30
	expect 1 "$MOD" -- client add c1 server localhost port 8388 method xchacha20-ietf-poly1305 \
		key s63EeDngR+siiHBSbcj8MLNHKH/8owRdzqBrP98JCss=
	expect 1 "$MOD" -- server del s1
	expect 1 "$MOD" -- user add ss22 alice key "$K32"
	expect 1 "$MOD" -- user add ss22 alice password hunter2
	expect 1 "$MOD" -- user del ss22 alice
	expect 1 "$MOD" -- user show
	expect 1 "$MOD" -- -j user show ss22 alice
	expect 1 "$MOD" -- resolver
	expect 1 "$MOD" -- resolver workers 2 verbose
	expect 1 "$MOD" -- stats -o /nonexistent/ss.prom
	expect 1 "$MOD" -- client add c1 server 192.0.2.1 port 8388 $M password pw \
		timeout 300 handshake-timeout 10 max-conns 64
	expect 1 "$MOD" -- server add s1 port 8388 $M password pw \
		handshake-timeout 10 max-conns 64 allow-local on
	printf 'pw\n' >"$tmp/pw"
	expect 1 "$MOD" -- client add c1 server 192.0.2.1 port 8388 $M password-file "$tmp/pw"
	# password-file - reads standard input
	err=$(printf 'secret\n' | "$SSCTL" server add s1 port 1 $M password-file - 2>&1)
	rc=$?
	[ $rc = 1 ] && [ "$err" = "$MOD" ]
	result $((! $?)) "password-file - reads standard input" "exit $rc: $err"
	batch 1 "ssctl: @:2: ${MOD#ssctl: }" "# a boot configuration" \
		"client add c1 server 192.0.2.1 port 8388 $M password-file $tmp/pw handshake-timeout 5 max-conns 10" \
		"server show"
	batch 1 "ssctl: @:1: ${MOD#ssctl: }" "server show"
	# a batch file's password-file - reads standard input
	printf 'server add s1 port 1 %s password-file -\n' "$M" >"$B"
	err=$(printf 'secret\n' | "$SSCTL" -b "$B" 2>&1)
	rc=$?
	[ $rc = 1 ] && [ "$err" = "ssctl: $B:1: ${MOD#ssctl: }" ]
	result $((! $?)) "batch: password-file - reads standard input" "exit $rc: $err"
fi

# ss-socksd: its parser, the daemon over TCP, its command line
source tests/socksd.sh

echo "1..$n"
echo "ssctl: $passed passed, $failed failed"
[ "$failed" = 0 ]
