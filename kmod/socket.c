// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel sockets: creation in an object's network namespace, binding, and
 * release.
 */

#include <linux/file.h>
#include <linux/net.h>
#include <net/ipv6.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "compat.h"
#include "socket.h"

static void ss_bind_error(struct netlink_ext_ack *extack,
			  const union ss_sockaddr *addr, const char *proto,
			  int err)
{
	switch (err) {
	case -EADDRINUSE:
		SS_SET_ERR_MSG_FMT(extack, "cannot bind: address already in use",
				   "cannot bind %pISpc/%s: address already in use",
				   &addr->sa, proto);
		break;
	case -EADDRNOTAVAIL:
		SS_SET_ERR_MSG_FMT(extack, "cannot bind: address not available",
				   "cannot bind %pISpc/%s: address not available",
				   &addr->sa, proto);
		break;
	case -EACCES:
		SS_SET_ERR_MSG_FMT(extack, "cannot bind: permission denied",
				   "cannot bind %pISpc/%s: permission denied",
				   &addr->sa, proto);
		break;
	default:
		SS_SET_ERR_MSG_FMT(extack, "cannot bind",
				   "cannot bind %pISpc/%s: error %d",
				   &addr->sa, proto, err);
		break;
	}
}

/**
 * ss_socket_bind() - create a kernel socket and bind it
 * @net: network namespace the socket lives in
 * @addr: local address and port, AF_INET or AF_INET6
 * @type: SOCK_STREAM (TCP) or SOCK_DGRAM (UDP)
 * @res: where to store the socket
 * @extack: where to say what went wrong
 *
 * TCP sockets get SO_REUSEADDR, so a port left in TIME_WAIT by a deleted
 * server can be bound again at once; IPv6 sockets get IPV6_V6ONLY, so
 * IPv4 and IPv6 listeners never collide. A kernel socket holds no reference
 * on @net: its owner must release it before the namespace goes away.
 *
 * Return: 0, or a negative errno with a message in @extack.
 */
int ss_socket_bind(struct net *net, const union ss_sockaddr *addr, int type,
		   struct socket **res, struct netlink_ext_ack *extack)
{
	const char *proto = type == SOCK_STREAM ? "tcp" : "udp";
	union ss_sockaddr a = *addr;	/* kernel_bind() wants it writable */
	struct socket *sock;
	int addrlen, err;

	err = sock_create_kern(net, a.sa.sa_family, type,
			       type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP,
			       &sock);
	if (err) {
		SS_SET_ERR_MSG_FMT(extack, "cannot create socket",
				   "cannot create %pISpc/%s socket: error %d",
				   &a.sa, proto, err);
		return err;
	}

	if (a.sa.sa_family == AF_INET6) {
		addrlen = sizeof(a.in6);
		err = ip6_sock_set_v6only(sock->sk);
		if (err) {
			SS_SET_ERR_MSG_FMT(extack, "cannot set IPV6_V6ONLY",
					   "cannot set IPV6_V6ONLY on %pISpc/%s: error %d",
					   &a.sa, proto, err);
			goto err_release;
		}
	} else {
		addrlen = sizeof(a.in4);
	}
	if (type == SOCK_STREAM)
		sock_set_reuseaddr(sock->sk);

	err = kernel_bind(sock, &a.sa, addrlen);
	if (err) {
		ss_bind_error(extack, &a, proto, err);
		goto err_release;
	}

	*res = sock;
	return 0;

err_release:
	sock_release(sock);
	return err;
}

/**
 * ss_socket_release() - release a socket, if there is one
 * @sockp: the socket pointer, set to NULL
 *
 * A kernel socket is released. A socket userspace handed over (the local
 * role's application socket) belongs to its file, of which we hold one
 * reference: it is shut down first, so that the application sees the end
 * even if a descriptor to it is still open somewhere, then the reference
 * is dropped. Must run in process context.
 */
void ss_socket_release(struct socket **sockp)
{
	struct socket *sock = *sockp;

	if (!sock)
		return;
	*sockp = NULL;
	if (sock->file) {
		kernel_sock_shutdown(sock, SHUT_RDWR);
		fput(sock->file);
		return;
	}
	sock_release(sock);
}
