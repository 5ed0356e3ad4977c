// SPDX-License-Identifier: GPL-2.0
/*
 * Listening TCP sockets of servers: listen(), and the accept work their
 * sk_data_ready schedules. Each accepted socket becomes a connection
 * (conn.c).
 */

#include <linux/fcntl.h>
#include <linux/net.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "compat.h"
#include "conn.h"
#include "listen.h"
#include "server.h"

/*
 * Connections accepted by one run of the accept work before it yields the
 * CPU to the relay works queued meanwhile (it queues itself again).
 */
#define SS_ACCEPT_BUDGET	64

/*
 * A listener's sk_data_ready: a connection is ready to be accepted.
 * Softirq or process context, any CPU. A socket accepted from the listener
 * is a clone of it and inherits this callback until conn.c replaces it;
 * sk_user_data is not copied (SK_USER_DATA_NOCOPY) and the state check
 * keeps such a socket from doing anything here.
 */
static void ss_listen_data_ready(struct sock *sk)
{
	void (*pass)(struct sock *sk) = NULL;
	struct ss_listener *l;

	read_lock_bh(&sk->sk_callback_lock);
	l = ss_sock_owner(sk);
	if (l && READ_ONCE(sk->sk_state) == TCP_LISTEN)
		queue_work(ss_wq, &l->accept_work);
	else if (!l)
		pass = READ_ONCE(sk->sk_data_ready);
	read_unlock_bh(&sk->sk_callback_lock);
	ss_sock_pass_on(sk, pass, ss_listen_data_ready);
}

static const struct ss_sock_cbs ss_listen_cbs = {
	.data_ready = ss_listen_data_ready,
};

static void ss_listen_accept_work(struct work_struct *work)
{
	struct ss_listener *l = container_of(work, struct ss_listener,
					     accept_work);
	struct mem_cgroup *old;
	struct socket *sock;
	int i, err;

	for (i = 0; i < SS_ACCEPT_BUDGET; i++) {
		/* 6.12 charges the socket object to the active memcg here */
		old = ss_memcg_enter(&l->srv->ep);
		err = kernel_accept(l->tcp, &sock, O_NONBLOCK);
		ss_memcg_leave(old);
		if (err == -EAGAIN)
			return;
		if (err == -ECONNABORTED)	/* reset before we came */
			continue;
		if (err) {
			/* Out of memory: retried at the next connection. */
			pr_debug("server %s: accept: error %d\n",
				 l->srv->ep.entry.name, err);
			return;
		}
		if (!ss_socket_charge(sock, l->srv->ep.memcg))
			pr_debug("server %s: accepted socket had data: not charged to the cgroup\n",
				 l->srv->ep.entry.name);
		ss_conn_accept(l->srv, sock, l->tcp_saved.data_ready);
	}
	queue_work(ss_wq, &l->accept_work);
}

/* Listen on one TCP socket and take its sk_data_ready over. */
static int ss_listen_one(struct ss_server *srv, struct ss_listener *l,
			 struct netlink_ext_ack *extack)
{
	struct sock *sk = l->tcp->sk;
	int err;

	l->srv = srv;
	INIT_WORK(&l->accept_work, ss_listen_accept_work);
	err = kernel_listen(l->tcp, READ_ONCE(sock_net(sk)->core.sysctl_somaxconn));
	if (err) {
		if (err == -EADDRINUSE)
			SS_SET_ERR_MSG_FMT(extack,
					   "cannot listen: address already in use",
					   "cannot listen on %pISpc/tcp: address already in use",
					   &l->addr.sa);
		else
			SS_SET_ERR_MSG_FMT(extack, "cannot listen",
					   "cannot listen on %pISpc/tcp: error %d",
					   &l->addr.sa, err);
		return err;
	}

	/* Our own socket: nobody else can have taken it. */
	err = ss_sock_take(l->tcp, l, &ss_listen_cbs, &l->tcp_saved, 0);
	if (WARN_ON_ONCE(err))
		return err;

	/* Connections may have completed before the callback was ours. */
	queue_work(ss_wq, &l->accept_work);
	return 0;
}

/**
 * ss_listen_start() - listen on the server's TCP sockets and accept
 * @srv: the server, its sockets bound; the caller holds &ss_net.lock
 * @extack: where to say why not
 *
 * From the first accepted connection on, connections hold references on
 * @srv. On failure the caller removes the server, which calls
 * ss_listen_stop() for what was started.
 *
 * Return: 0, or a negative errno with a message in @extack.
 */
int ss_listen_start(struct ss_server *srv, struct netlink_ext_ack *extack)
{
	int i, err;

	for (i = 0; i < SS_LISTEN_NR; i++) {
		if (!srv->listen[i].tcp)
			continue;
		err = ss_listen_one(srv, &srv->listen[i], extack);
		if (err)
			return err;
	}
	return 0;
}

/**
 * ss_listen_stop() - stop accepting on the server's TCP sockets
 * @srv: the server; the caller holds &ss_net.lock
 *
 * Gives each socket its sk_data_ready back and waits for the accept work,
 * so no connection is added after this returns. The sockets stay open: the
 * caller releases them (resetting what is still in the backlog).
 */
void ss_listen_stop(struct ss_server *srv)
{
	int i;

	for (i = 0; i < SS_LISTEN_NR; i++) {
		struct ss_listener *l = &srv->listen[i];

		if (!ss_sock_taken(&l->tcp_saved))	/* never started */
			continue;
		ss_sock_give_back(l->tcp, &l->tcp_saved);
		cancel_work_sync(&l->accept_work);
	}
}
