#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# SIP003 plugins, with real ones: Debian's simple-obfs (obfs-local and
# obfs-server, obfs=http) and shadowsocks-v2ray-plugin (ss-v2ray-plugin,
# websocket). Topology: selftests/topology.sh (client, server, target).
# For each plugin:
#
#   - server side: shadowsocks-libev's ss-local with the client plugin, to
#     the server plugin started as systemd/ss-server-plugin@.service starts
#     it (its ExecStart, with an environment file of its format), in front
#     of a kernel server that listens on the server netns' loopback only:
#     1 MiB down and up, counted by the kernel server;
#   - client side: ss-socksd --plugin, to libev's ss-server with the server
#     plugin: ss-socksd's private profile points at the plugin's loopback
#     port, the SIP003 environment is the plugin's, 1 MiB down and up go
#     through the private profile and none through the one it was given; a
#     killed plugin is started again and relays again; ss-socksd's exit
#     stops the plugin and deletes the private profile.
#
# Then ss-socksd -c config.json with "plugin" and "plugin_opts".

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/topology.sh
source "$(dirname "$0")/topology.sh"

M=aes-256-gcm
PW="plugin test secret"
SMALL=$((1 << 20))
UNIT=$(dirname "$0")/../systemd/ss-server-plugin@.service
EXEC=$(sed -n 's/^ExecStart=//p' "$UNIT")

# name, client plugin and options, server plugin and options
PLUGINS=(
	"obfs obfs-local obfs=http;obfs-host=www.example.com obfs-server obfs=http"
	"v2ray ss-v2ray-plugin - ss-v2ray-plugin server"
)

cleanup() {
	topo_del_objects 2>/dev/null
	topo_cleanup
}
trap cleanup EXIT

topo_start
ss_test "the module loads (ssctl, on demand)" in_c ssctl client show
blob_sha "$SMALL" >/dev/null

# through CURL_ARGS: 1 MiB down and 1 MiB up
relay() { # DESC SOCKS_ADDR
	local why
	if why=$(get --socks5-hostname "$2" -- "http://$T4:8080/blob?n=$SMALL" "$SMALL") &&
		why=$(put --socks5-hostname "$2" -- "http://$T4:8080/sink" "$SMALL"); then
		ss_ok "$1"
	else
		ss_fail "$1" "$why"$'\n'"$(logtail "$3")"$'\n'"$(logtail "$4")"
	fi
}

# the private profile of ss-socksd PID: name.pPID
private_json() { in_c ssctl client show -j | jq -c --arg n "$1" '.[] | select(.name == $n)'; }

# the plugin ss-socksd PID runs: its only child
plugin_of() { pgrep -P "$1" | head -n 1; }

for i in "${!PLUGINS[@]}"; do
	read -r name cplug copts splug sopts <<<"${PLUGINS[$i]}"
	[ "$copts" = - ] && copts=""
	if ! command -v "$cplug" >/dev/null || ! command -v "$splug" >/dev/null; then
		ss_fail "$name: $cplug and $splug are installed" "not found"
		continue
	fi

	# ---- server side: the unit's plugin in front of a kernel server ----
	kport=$((8700 + i)) pub=$((8710 + i)) lport=$((10900 + i))
	env=$TOPO_DIR/plugin-k$i.env
	printf 'PLUGIN=%s\nSS_REMOTE_HOST=0.0.0.0\nSS_REMOTE_PORT=%s\nSS_LOCAL_HOST=127.0.0.1\nSS_LOCAL_PORT=%s\nSS_PLUGIN_OPTIONS=%s\n' \
		"$splug" "$pub" "$kport" "$sopts" >"$env"
	if out=$(in_s ssctl server add "k$i" address 127.0.0.1 port "$kport" method "$M" \
		password "$PW" 2>&1) &&
		topo_bg "srvplug$i" "$NS_S" bash -c 'set -a; . "$1"; set +a; eval "exec $2"' _ "$env" "$EXEC" &&
		wait_for 20 listening "$NS_S" "$pub"; then
		ss_ok "$name: $splug, as ss-server-plugin@.service runs it, listens on $pub in front of kernel server k$i on 127.0.0.1:$kport"
	else
		ss_fail "$name: $splug, as ss-server-plugin@.service runs it, listens on $pub in front of kernel server k$i on 127.0.0.1:$kport" \
			"$out"$'\n'"$(logtail "srvplug$i")"
	fi
	args=(-s "$S4_C" -p "$pub" -b 127.0.0.1 -l "$lport" -k "$PW" -m "$M" --plugin "$cplug")
	[ -n "$copts" ] && args+=(--plugin-opts "$copts")
	topo_bg "sslocal$i" "$NS_C" ss-local "${args[@]}"
	if wait_for 20 listening "$NS_C" "$lport"; then
		relay "$name: libev ss-local with $cplug to the kernel server behind $splug: 1 MiB down and up" \
			"127.0.0.1:$lport" "sslocal$i" "srvplug$i"
		ok_if "$name: the kernel server counts both, each from the plugin" \
			'.conn_total >= 2 and .bytes_in >= '"$SMALL"' and .bytes_out >= '"$SMALL"' and .auth_fail == 0' \
			"$(stats_s "k$i")"
	else
		ss_fail "$name: libev ss-local with $cplug listens on $lport" "$(logtail "sslocal$i")"
	fi

	# ---- client side: ss-socksd --plugin to libev ss-server's plugin ----
	sport=$((8720 + i)) lport=$((10910 + i))
	args=(-s "$S4_C" -p "$sport" -k "$PW" -m "$M" --plugin "$splug" --plugin-opts "$sopts")
	topo_bg "ssserver$i" "$NS_S" ss-server "${args[@]}"
	wait_for 20 listening "$NS_S" "$sport"
	if ! out=$(in_c ssctl client add "pl$i" server "$S4_C" port "$sport" method "$M" \
		password "$PW" 2>&1); then
		ss_fail "$name: client profile pl$i" "$out"
		continue
	fi
	args=(-v --client "pl$i" --socks "127.0.0.1:$lport" --plugin "$cplug")
	[ -n "$copts" ] && args+=(--plugin-opts "$copts")
	topo_bg "socksd$i" "$NS_C" ss-socksd "${args[@]}"
	spid=$TOPO_LAST_PID
	if ! wait_for 20 listening "$NS_C" "$lport"; then
		ss_fail "$name: ss-socksd --plugin $cplug listens on $lport" "$(logtail "socksd$i")"
		continue
	fi
	priv="pl$i.p$spid"
	pj=$(private_json "$priv")
	ppid=$(plugin_of "$spid")
	penv=$(tr '\0' '\n' <"/proc/$ppid/environ" 2>/dev/null |
		grep -E '^SS_(LOCAL_HOST|LOCAL_PORT|PLUGIN_OPTIONS|REMOTE_HOST|REMOTE_PORT)=' |
		sort | tr '\n' ' ')
	pport=$(jq -r .port <<<"$pj")
	want="SS_LOCAL_HOST=127.0.0.1 SS_LOCAL_PORT=$pport ${copts:+SS_PLUGIN_OPTIONS=$copts }SS_REMOTE_HOST=$S4_C SS_REMOTE_PORT=$sport "
	if [ "$(jq -r .server <<<"$pj")" = 127.0.0.1 ] && [ "$(jq -r .method <<<"$pj")" = "$M" ] &&
		[ "$penv" = "$want" ] && listening "$NS_C" "$pport"; then
		ss_ok "$name: ss-socksd made private profile $priv to the plugin's port $pport, and gave $cplug the SIP003 environment"
	else
		ss_fail "$name: ss-socksd made private profile $priv to the plugin's port $pport, and gave $cplug the SIP003 environment" \
			"profile: $pj"$'\n'"plugin $ppid: $penv"$'\n'"want:   $want"$'\n'"$(logtail "socksd$i")"
	fi
	grep -q "listening, client profile 'pl$i' (TCP through plugin '$cplug')" "$TOPO_DIR/socksd$i.log" &&
		ss_ok "$name: ss-socksd -v names the plugin on its listening line" ||
		ss_fail "$name: ss-socksd -v names the plugin on its listening line" "$(logtail "socksd$i")"
	relay "$name: ss-socksd with $cplug to libev ss-server with $splug: 1 MiB down and up" \
		"127.0.0.1:$lport" "socksd$i" "ssserver$i"
	ok_if "$name: the relays went through the private profile, none straight to the server" \
		'.[0] == 2 and .[1] == 0' \
		"$(jq -s -c '[.[0].stats.conn_total, .[1].stats.conn_total]' \
			<<<"$(private_json "$priv")$(in_c ssctl client show "pl$i" -j | jq -c '.[0]')")"

	# a plugin that dies is started again
	kill -9 "$ppid" 2>/dev/null
	if wait_for 20 bash -c "p=\$(pgrep -P $spid | head -n 1); [ -n \"\$p\" ] && [ \"\$p\" != $ppid ]" &&
		wait_for 20 listening "$NS_C" "$pport"; then
		ss_ok "$name: $cplug killed: ss-socksd starts it again on the same port"
		relay "$name: through the restarted $cplug: 1 MiB down and up" "127.0.0.1:$lport" \
			"socksd$i" "ssserver$i"
	else
		ss_fail "$name: $cplug killed: ss-socksd starts it again on the same port" "$(logtail "socksd$i")"
	fi
	grep -q "plugin '$cplug' (pid $ppid) killed by Killed; restarting in 1 s" "$TOPO_DIR/socksd$i.log" &&
		ss_ok "$name: ss-socksd logs the plugin's death and the restart" ||
		ss_fail "$name: ss-socksd logs the plugin's death and the restart" "$(logtail "socksd$i")"

	# ss-socksd's exit stops the plugin and deletes the private profile
	ppid=$(plugin_of "$spid")
	topo_kill "$spid"
	if wait_for 10 bash -c "! kill -0 $ppid 2>/dev/null" && [ -z "$(private_json "$priv")" ] &&
		in_c ssctl client show "pl$i" >/dev/null; then
		ss_ok "$name: ss-socksd's exit stops $cplug and deletes $priv; pl$i stays"
	else
		ss_fail "$name: ss-socksd's exit stops $cplug and deletes $priv; pl$i stays" \
			"plugin $ppid: $(ps -o pid,args -p "$ppid" | tail -n +2)"$'\n'"$(private_json "$priv")"
	fi
done

# ---- ss-socksd -c config.json with plugin and plugin_opts ----
jq -n --arg s "$S4_C" --arg pw "$PW" --arg m "$M" '{server: $s, server_port: 8720,
	password: $pw, method: $m, local_address: "127.0.0.1", local_port: 10920,
	plugin: "obfs-local", plugin_opts: "obfs=http;obfs-host=www.example.com"}' >"$TOPO_DIR/c.json"
topo_bg socksd-json "$NS_C" ss-socksd -v -c "$TOPO_DIR/c.json"
spid=$TOPO_LAST_PID
if wait_for 20 listening "$NS_C" 10920; then
	relay "config.json: plugin and plugin_opts: 1 MiB down and up through obfs-local" \
		127.0.0.1:10920 socksd-json ssserver0
	[ "$(private_json "default.p$spid" | jq -r .server)" = 127.0.0.1 ] &&
		ss_ok "config.json: the private profile default.p$spid goes to the plugin" ||
		ss_fail "config.json: the private profile default.p$spid goes to the plugin" "$(in_c ssctl client show)"
else
	ss_fail "config.json: ss-socksd with its plugin listens on 10920" "$(logtail socksd-json)"
fi
topo_kill "$spid"

# ---- a SIGTERM while the plugin starts ----
# ss-socksd waits up to 5 s for a new plugin's port; a stop in that time
# (systemd's, say) must still stop the plugin and delete the private
# profile, as once the relay runs: the signal waits, blocked, for the loop
printf '#!/bin/sh\nexec sleep 60\n' >"$TOPO_DIR/mute-plugin"
chmod +x "$TOPO_DIR/mute-plugin"
topo_bg socksd-mute "$NS_C" ss-socksd -v --client pl0 --socks 127.0.0.1:10930 \
	--plugin "$TOPO_DIR/mute-plugin"
spid=$TOPO_LAST_PID
if wait_for 10 bash -c "[ -n \"\$(pgrep -P $spid)\" ]" && [ -n "$(private_json "pl0.p$spid")" ]; then
	ppid=$(plugin_of "$spid")
	kill -TERM "$spid"
	if wait_for 15 bash -c "! kill -0 $spid 2>/dev/null" &&
		wait_for 5 bash -c "! kill -0 $ppid 2>/dev/null" &&
		[ -z "$(private_json "pl0.p$spid")" ]; then
		ss_ok "SIGTERM while the plugin starts: ss-socksd stops the plugin and deletes its private profile"
	else
		ss_fail "SIGTERM while the plugin starts: ss-socksd stops the plugin and deletes its private profile" \
			"ss-socksd $spid: $(ps -o pid,args -p "$spid" | tail -n +2)"$'\n'"plugin $ppid: $(ps -o pid,args -p "$ppid" | tail -n +2)"$'\n'"$(private_json "pl0.p$spid")"$'\n'"$(logtail socksd-mute)"
		kill -9 "$ppid" 2>/dev/null
		in_c ssctl client del "pl0.p$spid" 2>/dev/null
	fi
else
	ss_fail "ss-socksd --plugin (one that never listens) starts it and makes its private profile" \
		"$(logtail socksd-mute)"
fi
topo_kill "$spid"

ss_done
