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

#include "netns.h"
#include "socket.h"
#include "stats.h"

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
 * @data_ready: @tcp's sk_data_ready before ss_listen_start() replaced it;
 *	accepted sockets inherit ours and get this one back when closed
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
	void (*data_ready)(struct sock *sk);
};

/**
 * struct ss_server - a Shadowsocks server (listener)
 * @entry: name and id; in &ss_net.servers
 * @refcount: one reference held by the table while published, others by
 *	whoever found it and needs it past an RCU read section
 * @rcu: frees the server after readers are done with it
 * @method: AEAD method
 * @key: raw master key, @method->key_len bytes used; wiped on free
 * @port: listening port (host byte order)
 * @mode: enum ss_mode
 * @timeout: idle timeout in seconds
 * @handshake_timeout: seconds from accept to a connected target
 * @max_conns: most connections at once
 * @allow_local: whether targets local to the namespace are allowed
 * @listen: the listeners, indexed by SS_LISTEN_IPV4 and SS_LISTEN_IPV6
 * @stats: counters
 * @conns_lock: protects @conns, @nr_conns and @closing
 * @conns: the server's connections (struct ss_conn), each holding a
 *	reference on the server
 * @nr_conns: entries in @conns
 * @closing: set once the server is being removed: no connection is added
 * @conns_wq: ss_conn_kill_all() waits on it for @nr_conns to reach 0
 *
 * Everything up to @listen is set before the server is published and never
 * changed afterwards.
 */
struct ss_server {
	struct ss_entry entry;
	struct kref refcount;
	struct rcu_head rcu;
	const struct ss_method_info *method;
	u8 key[SS_KEY_MAX_LEN];
	u16 port;
	u32 mode;
	u32 timeout;
	u32 handshake_timeout;
	u32 max_conns;
	bool allow_local;
	struct ss_listener listen[SS_LISTEN_NR];
	struct ss_stats stats;
	spinlock_t conns_lock;	/* @conns, @nr_conns, @closing */
	struct list_head conns;
	u32 nr_conns;
	bool closing;
	wait_queue_head_t conns_wq;
};

/**
 * struct ss_server_cfg - what SS_CMD_SERVER_NEW asks for
 * @obj: name, method, key, port, timeout
 * @mode: enum ss_mode
 * @handshake_timeout: seconds
 * @max_conns: most connections at once
 * @allow_local: allow targets local to the namespace
 * @listen: listen addresses with @obj.port, sa_family 0 for a family not
 *	asked for; both 0: the wildcard addresses of both families
 */
struct ss_server_cfg {
	struct ss_obj_cfg obj;
	u32 mode;
	u32 handshake_timeout;
	u32 max_conns;
	bool allow_local;
	union ss_sockaddr listen[SS_LISTEN_NR];
};

int ss_server_create(struct net *net, const struct ss_server_cfg *cfg,
		     struct netlink_ext_ack *extack);
int ss_server_delete(struct net *net, const char *name);
struct ss_server *ss_server_find(struct ss_net *sn, const char *name);
void ss_server_remove_all(struct ss_net *sn);
void ss_server_get(struct ss_server *srv);
void ss_server_put(struct ss_server *srv);

#endif /* _SS_SERVER_H */
