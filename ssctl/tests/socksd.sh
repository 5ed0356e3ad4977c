# SPDX-License-Identifier: GPL-2.0
#
# ss-socksd's tests that need no kernel module, sourced by run.sh (its
# result() numbers them): the SOCKS5 parser's unit tests (socks5-test), the
# daemon over TCP with a stand-in for the kernel (socksd-test.py with
# socksd-fake), and the command line: usage errors, exit status, exact
# messages, config.json errors, and where the shadowsocks family is absent,
# the "module not loaded" message.

SOCKSD=${SOCKSD:-./ss-socksd}

tap socks5 tests/socks5-test
if command -v python3 >/dev/null; then
	tap socksd tests/socksd-test.py tests/socksd-fake
else
	n=$((n + 1))
	echo "ok $n - socksd: over TCP # SKIP no python3"
fi

# sexpect: run.sh's expect, for ss-socksd
sexpect() { cli_expect "$SOCKSD" "$@"; }

S="--socks 127.0.0.1:1080"
NAMECHARS="use 1 to 31 of the characters A-Z a-z 0-9 _ . -"
sexpect 0 "" --stdout "Usage: ss-socksd [-c CONFIG]" -- --help
sexpect 0 "" --stdout "--acl FILE             a shadowsocks-libev .acl file" -- --help
sexpect 0 "" --stdout "ss-socksd " -- -V
sexpect 2 "ss-socksd: give the client profile: --client NAME, or -c CONFIG" --
sexpect 2 "ss-socksd: give the client profile: --client NAME, or -c CONFIG" -- $S
sexpect 2 "ss-socksd: no front end: give --socks, --tunnel or --redir" -- --client c
sexpect 2 "ss-socksd: unknown option '-x'" -- -x
sexpect 2 "ss-socksd: unknown option '--frob'" -- --frob
sexpect 2 "ss-socksd: option '--client' needs a value" -- --client
sexpect 2 "ss-socksd: option '-c' needs a value" -- -c
sexpect 2 "ss-socksd: unexpected argument 'x'" -- --client c $S x
sexpect 2 "ss-socksd: --client given twice" -- --client c --client d $S
sexpect 2 "ss-socksd: invalid client profile name 'a/b': $NAMECHARS" -- --client a/b $S
sexpect 2 "ss-socksd: --socks 'localhost:1080': the address must be numeric (IPv4, or [IPv6])" \
	-- --client c --socks localhost:1080
sexpect 2 "ss-socksd: --socks '::1:1080': an IPv6 address goes in brackets: [ADDR]:PORT" \
	-- --client c --socks ::1:1080
sexpect 2 "ss-socksd: --redir '[::1]:0': invalid port (1-65535)" -- --client c --redir '[::1]:0'
sexpect 2 "ss-socksd: --socks '127.0.0.1': expected HOST:PORT" -- --client c --socks 127.0.0.1
sexpect 2 "ss-socksd: --redir '127.0.0.1:1090,udp': ,udp needs ,tproxy (expected ADDR:PORT[,tproxy[,udp]]): REDIRECT cannot divert UDP" \
	-- --client c --redir 127.0.0.1:1090,udp
sexpect 2 "ss-socksd: --redir '127.0.0.1:1090,udp,tproxy': expected ADDR:PORT[,tproxy[,udp]]" \
	-- --client c --redir 127.0.0.1:1090,udp,tproxy
sexpect 2 "ss-socksd: --redir '[::1]:0': invalid port (1-65535)" \
	-- --client c --redir '[::1]:0,tproxy,udp'
sexpect 2 "ss-socksd: --tunnel '127.0.0.1:53': expected ADDR:PORT=HOST:PORT[,udp]" \
	-- --client c --tunnel 127.0.0.1:53
sexpect 2 "ss-socksd: --tunnel '127.0.0.1:53=::1:53': target '::1:53': an IPv6 address goes in brackets: [ADDR]:PORT" \
	-- --client c --tunnel 127.0.0.1:53=::1:53
sexpect 2 "ss-socksd: --tunnel '127.0.0.1:53=dns.example:x': target 'dns.example:x': invalid port (1-65535)" \
	-- --client c --tunnel 127.0.0.1:53=dns.example:x
sexpect 2 "ss-socksd: --tunnel '127.0.0.1:53=dns.example:x,udp': target 'dns.example:x': invalid port (1-65535)" \
	-- --client c --tunnel 127.0.0.1:53=dns.example:x,udp
sexpect 2 "ss-socksd: --tunnel '127.0.0.1:53=[::1]:53,tcp': target '[::1]:53,tcp': invalid port (1-65535)" \
	-- --client c --tunnel '127.0.0.1:53=[::1]:53,tcp'
sexpect 2 "ss-socksd: invalid --max-pending '0' (1-1000000)" -- --client c $S --max-pending 0
sexpect 2 "ss-socksd: invalid --handshake-timeout '3601' (1-3600 seconds)" \
	-- --client c $S --handshake-timeout 3601
sexpect 2 "ss-socksd: --handshake-timeout given twice" \
	-- --client c $S --handshake-timeout 1 --handshake-timeout 2

# files
printf '{"server": "192.0.2.1", "server_port": 8388, "password": "pw", "method": "aes-256-gcm"}' \
	>"$tmp/noport.json"
sexpect 2 "ss-socksd: no front end: the config has no local_port; give --socks, --tunnel or --redir" \
	-- -c "$tmp/noport.json"
sexpect 1 "ss-socksd: cannot read config '$tmp/none.json': No such file or directory" \
	-- -c "$tmp/none.json"
printf '{"server": ' >"$tmp/bad.json"
sexpect 1 "ss-socksd: config '$tmp/bad.json' is not valid JSON: unexpected end of data" \
	-- -c "$tmp/bad.json"
cfg() { # KEY-VALUES...: a config with these keys, the rest valid
	printf '{"server": "192.0.2.1", "server_port": 8388, "password": "pw", "method": "aes-256-gcm", "local_port": 1080%s}' "$1" \
		>"$tmp/c.json"
}
cfg ', "server": "ss.example"'
sexpect 1 "ss-socksd: $tmp/c.json: server 'ss.example' is not an IP address (ss-socksd does not resolve names at startup)" \
	-- -c "$tmp/c.json"
cfg ', "method": "rc4-md5"'
sexpect 1 "ss-socksd: $tmp/c.json: unknown method 'rc4-md5'; valid methods: aes-128-gcm, aes-192-gcm, aes-256-gcm, chacha20-ietf-poly1305, xchacha20-ietf-poly1305, 2022-blake3-aes-128-gcm, 2022-blake3-aes-256-gcm, 2022-blake3-chacha20-poly1305" \
	-- -c "$tmp/c.json"
cfg ', "server_port": 0'
sexpect 1 "ss-socksd: $tmp/c.json: invalid port '0' (1-65535)" -- -c "$tmp/c.json"
cfg ', "key": "AAAA"'
sexpect 1 "ss-socksd: $tmp/c.json: give one of 'password' and 'key'" -- -c "$tmp/c.json"
cfg ', "password": ""'
sexpect 1 "ss-socksd: $tmp/c.json: the password is empty" -- -c "$tmp/c.json"
cfg ', "method": "2022-blake3-aes-128-gcm", "password": "hunter2"'
sexpect 1 "ss-socksd: $tmp/c.json: key is not valid base64" -- -c "$tmp/c.json"
cfg ', "method": "2022-blake3-aes-128-gcm", "password": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="'
sexpect 1 "ss-socksd: $tmp/c.json: key is 32 bytes but 2022-blake3-aes-128-gcm needs 16" -- -c "$tmp/c.json"
cfg ', "timeout": 0'
sexpect 1 "ss-socksd: $tmp/c.json: invalid timeout '0' (1-86400 seconds)" -- -c "$tmp/c.json"
cfg ', "local_address": "localhost"'
sexpect 1 "ss-socksd: $tmp/c.json: local_address 'localhost' is not an IP address" -- -c "$tmp/c.json"
cfg ', "local_port": 70000'
sexpect 1 "ss-socksd: $tmp/c.json: invalid local_port (1-65535)" -- -c "$tmp/c.json"
sexpect 1 "ss-socksd: cannot read auth file '$tmp/none': No such file or directory" \
	-- --client c $S --auth-file "$tmp/none"
printf '# nobody\n' >"$tmp/auth"
sexpect 1 "ss-socksd: auth file '$tmp/auth' has no user:password line" \
	-- --client c $S --auth-file "$tmp/auth"
printf 'alice:pw\nbob\n' >"$tmp/auth"
sexpect 1 "ss-socksd: $tmp/auth:2: expected user:password (each 1 to 255 bytes)" \
	-- --client c $S --auth-file "$tmp/auth"

# --acl: the parser's FILE:LINE messages, read before the kernel is asked
printf '[bypass_list]\n127.0.0.0/8\n' >"$tmp/good.acl"
sexpect 2 "ss-socksd: --acl given twice" \
	-- --client c $S --acl "$tmp/good.acl" --acl "$tmp/good.acl"
sexpect 2 "ss-socksd: --acl needs a file" -- --client c $S --acl ''
sexpect 2 "ss-socksd: option '--acl' needs a value" -- --client c $S --acl
sexpect 1 "ss-socksd: $tmp/none.acl: No such file or directory" \
	-- --client c $S --acl "$tmp/none.acl"
printf '# the LAN\n[bypass_list]\n127.0.0.0/8\n[frob]\n' >"$tmp/bad.acl"
sexpect 1 "ss-socksd: $tmp/bad.acl:4: unknown section [frob]" \
	-- --client c $S --acl "$tmp/bad.acl"
printf '[bypass_list]\n10.0.0.0/33\n' >"$tmp/bad.acl"
sexpect 1 "ss-socksd: $tmp/bad.acl:2: '10.0.0.0/33': the prefix length is 0..32" \
	-- --client c $S --acl "$tmp/bad.acl"
printf '[proxy_list]\n\n(^|\\.)ex[a-z]+\\.com$\n' >"$tmp/bad.acl"
sexpect 1 "ss-socksd: $tmp/bad.acl:3: '(^|\\.)ex[a-z]+\\.com\$' is neither an IP network nor a domain pattern this tool can match: (^|\\.)example\\.com\$, ^example\\.com\$, ||example.com or example.com" \
	-- --client c $S --acl "$tmp/bad.acl"
printf '[bypass_list]\n10.0.0.1 10.0.0.2\n' >"$tmp/bad.acl"
sexpect 1 "ss-socksd: $tmp/bad.acl:2: one network or pattern a line: '10.0.0.1 10.0.0.2'" \
	-- --client c $S --acl "$tmp/bad.acl"
# the config's "acl"
cfg ', "acl": 5'
sexpect 1 "ss-socksd: $tmp/c.json: 'acl' must be a string" -- -c "$tmp/c.json"
cfg ", \"acl\": \"$tmp/bad.acl\""
sexpect 1 "ss-socksd: $tmp/bad.acl:2: one network or pattern a line: '10.0.0.1 10.0.0.2'" \
	-- -c "$tmp/c.json"
sexpect 1 "ss-socksd: $tmp/none.acl: No such file or directory" \
	-- -c "$tmp/c.json" --acl "$tmp/none.acl"

# the family is absent on a host without the module
SMOD="ss-socksd: the shadowsocks kernel module is not loaded and could not be loaded (try: modprobe shadowsocks)"
if "$SSCTL" client show >/dev/null 2>&1; then
	n=$((n + 1))
	echo "ok $n - ss-socksd: module absent # SKIP the shadowsocks family exists here"
else
	sexpect 1 "$SMOD" -- --client c --socks 127.0.0.1:1080
	cfg ''
	sexpect 1 "$SMOD" -- -c "$tmp/c.json"
fi
