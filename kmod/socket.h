/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel sockets: addresses, creation and release.
 */

#ifndef _SS_SOCKET_H
#define _SS_SOCKET_H

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/socket.h>

struct mem_cgroup;
struct net;
struct netlink_ext_ack;
struct sock;
struct socket;
struct proto;

/* An IPv4 or IPv6 socket address; sa.sa_family 0 means "none". */
union ss_sockaddr {
	struct sockaddr sa;
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
};

int ss_socket_create(struct net *net, struct mem_cgroup *memcg, int family,
		     int type, struct socket **res);
bool ss_socket_charge(struct socket *sock, struct mem_cgroup *memcg);
int ss_socket_bind(struct net *net, const union ss_sockaddr *addr, int type,
		   struct socket **res, struct netlink_ext_ack *extack);
void ss_socket_release(struct socket **sockp);

/**
 * struct ss_sock_cbs - the callbacks a user of ours installs on a socket
 * @data_ready: sk_data_ready, or NULL to leave the socket's
 * @write_space: sk_write_space, or NULL to leave the socket's
 * @state_change: sk_state_change, or NULL to leave the socket's
 *
 * Each callback finds its owner with ss_sock_owner() under the socket's
 * sk_callback_lock. One that finds none (the socket was given back while
 * the callback was being called) passes the event on with ss_sock_pass_on().
 */
struct ss_sock_cbs {
	void (*data_ready)(struct sock *sk);
	void (*write_space)(struct sock *sk);
	void (*state_change)(struct sock *sk);
};

/**
 * struct ss_sock_saved - what a socket had before ss_sock_take()
 * @data_ready: its sk_data_ready
 * @write_space: its sk_write_space
 * @state_change: its sk_state_change
 * @prot: its protocol, where ours replaced it (a TCP socket userspace
 *	holds a descriptor of), else NULL
 * @taken: our callbacks are installed
 *
 * The saved callbacks stay readable after they are put back (a listener's
 * accept work reads @data_ready until ss_listen_stop() has waited for it).
 */
struct ss_sock_saved {
	void (*data_ready)(struct sock *sk);
	void (*write_space)(struct sock *sk);
	void (*state_change)(struct sock *sk);
	struct proto *prot;
	bool taken;
};

/* Are our callbacks on the socket @saved belongs to? */
static inline bool ss_sock_taken(const struct ss_sock_saved *saved)
{
	return saved->taken;
}

/* ss_sock_take() flags */
#define SS_SOCK_USER	0x1	/* handed over: userspace keeps a descriptor */

void ss_sock_init(void);
int ss_sock_take(struct socket *sock, void *owner, const struct ss_sock_cbs *cbs,
		 struct ss_sock_saved *saved, unsigned int flags);
void ss_sock_unhook(struct socket *sock, struct ss_sock_saved *saved);
void ss_sock_give_back(struct socket *sock, struct ss_sock_saved *saved);
int ss_sock_check_relay(struct socket *sock, struct netlink_ext_ack *extack);
int ss_sock_check_udp(struct socket *sock, struct netlink_ext_ack *extack);
int ss_sock_check_ctrl(struct socket *sock, struct netlink_ext_ack *extack);
void ss_sock_pass_on(struct sock *sk, void (*now)(struct sock *sk),
		     void (*self)(struct sock *sk));

extern u64 ss_sock_unhooked;

/**
 * ss_sock_owner() - the owner a callback of ours finds on its socket
 * @sk: the socket; the caller holds its sk_callback_lock
 *
 * Return: the owner given to ss_sock_take(), or NULL: the socket has been
 * unhooked or given back, or is a clone of one of ours (sk_user_data is
 * not copied into clones).
 */
#define ss_sock_owner(sk) \
	ss_sock_hooked(__locked_read_sk_user_data_with_flags(sk, \
							     SK_USER_DATA_NOCOPY))

static inline void *ss_sock_hooked(void *owner)
{
	return owner == &ss_sock_unhooked ? NULL : owner;
}

#endif /* _SS_SOCKET_H */
