# SPDX-License-Identifier: GPL-2.0
# bash completion for ss-socksd(8)

_ss_socksd() {
	local cur prev words cword
	_init_completion || return

	case $prev in
	-c | --config)
		_filedir json
		return
		;;
	--auth-file)
		_filedir
		return
		;;
	--acl)
		# shadowsocks-libev's .acl files
		_filedir acl
		return
		;;
	--client)
		# the client profiles of the kernel (needs no privilege)
		COMPREPLY=($(compgen -W "$(ssctl -j client show 2>/dev/null |
			sed -n 's/^ *"name": *"\([^"]*\)".*/\1/p')" -- "$cur"))
		return
		;;
	--socks | --tunnel | --redir | --handshake-timeout | --max-pending)
		return
		;;
	esac
	COMPREPLY=($(compgen -W "-c --config --client --socks --tunnel --redir
		--acl --auth-file --handshake-timeout --max-pending -v --verbose -h
		--help -V --version" -- "$cur"))
}

complete -F _ss_socksd ss-socksd
