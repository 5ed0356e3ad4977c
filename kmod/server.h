/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Servers: the server role's listeners. A server owns its listening
 * sockets and the connections accepted on them (conn.h).
 */

#ifndef _SS_SERVER_H
#define _SS_SERVER_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/shadowsocks.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "endpoint.h"
#include "netns.h"
#include "socket.h"
#include "stats.h"
#include "udp.h"
#include "user.h"

struct netlink_ext_ack;
struct sock;
struct socket;
struct ss_server;

enum {
	SS_LISTEN_IPV4,
	SS_LISTEN_IPV6,
	SS_LISTEN_NR
};

/**
 * struct ss_listener - the sockets of one listen address
 * @addr: address and port; sa_family 0 when the server does not listen on
 *	this family
 * @tcp: bound TCP socket, NULL in udp_only mode; listening once
 *	ss_listen_start() has run
 * @udp: bound UDP socket, NULL in tcp_only mode
 * @srv: the server this belongs to (set by ss_listen_start())
 * @accept_work: accepts what @tcp has queued; scheduled by its
 *	sk_data_ready, cancelled by ss_listen_stop() before @tcp is released
 * @tcp_saved: what @tcp had before ss_listen_start() took it over;
 *	accepted sockets inherit our sk_data_ready and get its one back
 * @udp_saved: what @udp had before ss_udp_start() took it over
 *
 * The sockets are created, and released, under &ss_net.lock; RCU readers
 * of the server must not touch them.
 */
struct ss_listener {
	union ss_sockaddr addr;
	struct socket *tcp;
	struct socket *udp;
	struct ss_server *srv;
	struct work_struct accept_work;
	struct ss_sock_saved tcp_saved;
	struct ss_sock_saved udp_saved;
};

/**
 * struct ss_server - a Shadowsocks server (listener)
 * @ep: name, method, key, timeouts, counters and connections; first, so
 *	that freeing it frees the server
 * @port: listening port (host byte order)
 * @mode: enum ss_mode
 * @allow_local: whether targets local to the namespace are allowed
 * @listen: the listeners, indexed by SS_LISTEN_IPV4 and SS_LISTEN_IPV6
 * @udp: the UDP relay (udp.c), with its own lock
 * @nr_lookups: lookups of its connections and associations in flight
 *	(resolve.c), at most SS_LOOKUP_MAX_INFLIGHT
 * @users: its SIP023 users (user.c); tables set up for 2022 servers of an
 *	AES method only
 *
 * All but @udp, @nr_lookups and @users set before the server is published
 * and never changed afterwards.
 */
struct ss_server {
	struct ss_endpoint ep;
	u16 port;
	u32 mode;
	bool allow_local;
	struct ss_listener listen[SS_LISTEN_NR];
	struct ss_udp udp;
	atomic_t nr_lookups;
	struct ss_users users;
};

/**
 * struct ss_server_cfg - what SS_CMD_SERVER_NEW asks for
 * @obj: name, method, key, port, timeouts, limit
 * @mode: enum ss_mode
 * @allow_local: allow targets local to the namespace
 * @acl: its egress ACL, or NULL; ss_server_create() takes it over, made
 *	or not
 * @listen: listen addresses with @obj.port, sa_family 0 for a family not
 *	asked for; both 0: the wildcard addresses of both families
 */
struct ss_server_cfg {
	struct ss_obj_cfg obj;
	u32 mode;
	bool allow_local;
	struct ss_acl *acl;
	union ss_sockaddr listen[SS_LISTEN_NR];
};

static inline struct ss_server *ss_server_of(struct ss_endpoint *ep)
{
	return container_of(ep, struct ss_server, ep);
}

int ss_server_create(struct net *net, const struct ss_server_cfg *cfg,
		     struct netlink_ext_ack *extack);
struct ss_server *ss_server_find(struct ss_net *sn, const char *name);
extern const struct ss_kind ss_server_kind;

#endif /* _SS_SERVER_H */
