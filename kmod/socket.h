/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel sockets: addresses, creation and release.
 */

#ifndef _SS_SOCKET_H
#define _SS_SOCKET_H

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/socket.h>

struct net;
struct netlink_ext_ack;
struct socket;

/* An IPv4 or IPv6 socket address; sa.sa_family 0 means "none". */
union ss_sockaddr {
	struct sockaddr sa;
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
};

int ss_socket_bind(struct net *net, const union ss_sockaddr *addr, int type,
		   struct socket **res, struct netlink_ext_ack *extack);
void ss_socket_release(struct socket **sockp);

#endif /* _SS_SOCKET_H */
