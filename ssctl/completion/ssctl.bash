# SPDX-License-Identifier: GPL-2.0
# bash completion for ssctl(8)

_ssctl_names() {
	# names of existing objects of kind $1 (needs no privilege)
	ssctl -j "$1" show 2>/dev/null |
		sed -n 's/^ *"name": *"\([^"]*\)".*/\1/p'
}

_ssctl_users() {
	# names of the users of server $1
	ssctl -j user show "$1" 2>/dev/null |
		sed -n 's/^ *"user": *"\([^"]*\)".*/\1/p'
}

# ssctl user VERB SERVER USER ...: $1 is the index of "user" in words
_ssctl_user() {
	local i=$1 verb=${words[$1 + 1]}

	if ((cword == i + 1)); then
		if [[ $object == client ]]; then
			COMPREPLY=($(compgen -W "add import del show help" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "add del show help" -- "$cur"))
		fi
		return
	fi
	case $verb in
	add | del | show) ;;
	*) return ;;
	esac
	if ((cword == i + 2)); then
		COMPREPLY=($(compgen -W "$(_ssctl_names server)" -- "$cur"))
	elif ((cword == i + 3)) && [[ $verb != add ]]; then
		COMPREPLY=($(compgen -W "$(_ssctl_users "${words[i + 2]}")" -- "$cur"))
	elif ((cword == i + 3)); then
		return # a new USER
	elif [[ $verb == add ]]; then
		case $prev in
		password-file) _filedir ;;
		key) ;;
		*) ((cword == i + 4)) &&
			COMPREPLY=($(compgen -W "key password-file" -- "$cur")) ;;
		esac
		return
	fi
	[[ $verb == show ]] && COMPREPLY+=($(compgen -W "-j" -- "$cur"))
}

_ssctl() {
	local cur prev words cword
	_init_completion || return

	local i=1
	while [[ ${words[i]} == -* && i -lt cword ]]; do
		# -b FILE: the file is all there is to complete
		if [[ ${words[i]} == -b || ${words[i]} == --batch ]]; then
			((cword == i + 1)) && _filedir
			return
		fi
		i=$((i + 1))
	done
	local object=${words[i]} verb=${words[i + 1]}

	if ((cword == i)); then
		if ((i == 1)); then
			COMPREPLY=($(compgen -W "server client user resolver monitor stats help -j -b --batch --help --version" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "server client user resolver monitor stats help -j" -- "$cur"))
		fi
		return
	fi
	case $object in
	help)
		((cword == i + 1)) &&
			COMPREPLY=($(compgen -W "server client user resolver monitor stats" -- "$cur"))
		return
		;;
	resolver)
		# workers N: a number, nothing to offer
		[[ ${words[cword - 1]} == workers ]] ||
			COMPREPLY=($(compgen -W "workers verbose help" -- "$cur"))
		return
		;;
	monitor)
		((cword == i + 1)) &&
			COMPREPLY=($(compgen -W "-j help" -- "$cur"))
		return
		;;
	stats)
		if [[ ${words[cword - 1]} == -o || ${words[cword - 1]} == --output ]]; then
			COMPREPLY=($(compgen -f -- "$cur"))
		elif ((cword == i + 1)); then
			COMPREPLY=($(compgen -W "-o help" -- "$cur"))
		fi
		return
		;;
	user)
		_ssctl_user "$i"
		return
		;;
	server | client) ;;
	*) return ;;
	esac
	if ((cword == i + 1)); then
		if [[ $object == client ]]; then
			COMPREPLY=($(compgen -W "add import del show help" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "add del show help" -- "$cur"))
		fi
		return
	fi

	case $verb in
	del | show)
		if ((cword == i + 2)); then
			COMPREPLY=($(compgen -W "$(_ssctl_names "$object")" -- "$cur"))
		fi
		if [[ $verb == show && $object == client ]] && ((cword == i + 3)); then
			COMPREPLY+=($(compgen -W "-j --url --qr" -- "$cur"))
		elif [[ $verb == show ]]; then
			COMPREPLY+=($(compgen -W "-j" -- "$cur"))
		fi
		return
		;;
	add)
		((cword == i + 2)) && return # a new NAME
		;;
	import)
		# a SIP008 document
		[[ $object == client ]] && ((cword == i + 2)) && _filedir json
		return
		;;
	*) return ;;
	esac

	case $prev in
	method)
		COMPREPLY=($(compgen -W "aes-128-gcm aes-192-gcm aes-256-gcm chacha20-ietf-poly1305 xchacha20-ietf-poly1305 2022-blake3-aes-128-gcm 2022-blake3-aes-256-gcm 2022-blake3-chacha20-poly1305" -- "$cur"))
		return
		;;
	mode)
		COMPREPLY=($(compgen -W "tcp_only tcp_and_udp udp_only" -- "$cur"))
		return
		;;
	password-file | acl)
		_filedir
		return
		;;
	server)
		_known_hosts_real -- "$cur"
		return
		;;
	allow-local)
		COMPREPLY=($(compgen -W "on off" -- "$cur"))
		return
		;;
	address | port | password | key | url | timeout | handshake-timeout | max-conns)
		return
		;;
	esac

	local kw="port method password password-file key timeout handshake-timeout max-conns"
	if [[ $object == server ]]; then
		kw+=" address mode allow-local acl"
	else
		kw+=" server url"
	fi
	COMPREPLY=($(compgen -W "$kw" -- "$cur"))
}
complete -F _ssctl ssctl
