// SPDX-License-Identifier: GPL-2.0
/*
 * Sockets: creation in an object's network namespace, charged to its
 * memory cgroup, binding, taking a socket over (ours or one userspace
 * handed over) and giving it back, and release.
 *
 * Taking over. Every socket whose callbacks the module installs is taken
 * over with ss_sock_take() and given back with ss_sock_give_back() (for an
 * owner whose works may still use it, its callbacks first with
 * ss_sock_unhook()), and nowhere else, so the rules hold for all of them:
 *
 * - sk_user_data points at the owner with SK_USER_DATA_NOCOPY: a clone of
 *   the socket (a child a listener accepts) never inherits the owner, and a
 *   callback of ours on a clone finds none (ss_sock_owner());
 * - the callbacks the socket had are saved in one struct and put back, with
 *   sk_user_data cleared (or marked: ss_sock_unhooked), under the socket's
 *   sk_callback_lock, which every callback of ours holds while it uses the
 *   owner: a callback either sees the owner alive or none at all. One that
 *   finds none passes the event on to the callback the socket has by then
 *   (ss_sock_pass_on());
 * - a socket that already has a kernel user (sk_user_data: another relay,
 *   a sockmap, an encapsulation) is refused with -EBUSY.
 *
 * A socket userspace handed over (%SS_SOCK_USER) stays in userspace's
 * hands too: the caller keeps its descriptor. A TCP socket could then be
 * disconnected (connect() with AF_UNSPEC), bound and listened on, and every
 * child it accepted would be a clone carrying our callbacks, still called
 * after the relay, or the module, is gone. So while we hold such a socket,
 * its protocol is a copy of TCP's (as ovpn's tcp.c does) that refuses to
 * disconnect, which keeps it out of every state but the connected ones,
 * and refuses the socket options that would change the protocol or the
 * state under us: TCP_ULP (kTLS and others save and replace callbacks and
 * the protocol), TCP_REPAIR and IPV6_ADDRFORM. A TCP socket whose protocol
 * is not plain TCP's (a ULP, a sockmap) is refused, and so is one in
 * repair mode (whose sends queue without going out, pinning our buffers
 * until it closes) or one that is no longer connected when it is taken.
 * Giving the socket back restores its protocol, so nothing of ours remains
 * on it: after the last socket is given back the module can go.
 */

#include <linux/file.h>
#include <linux/memcontrol.h>
#include <linux/net.h>
#include <linux/sched/mm.h>
#include <linux/tcp.h>
#include <net/inet_connection_sock.h>
#include <net/ipv6.h>
#include <net/netlink.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/transp_v6.h>

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
 * ss_socket_charge() - charge a socket's buffers to a memory cgroup
 * @sock: a socket of ours, made or accepted by a work item
 * @memcg: the cgroup of whoever made the object the socket is for
 *
 * The kernel charges what a socket queues to the cgroup of the task that
 * created or accepted it (mem_cgroup_sk_alloc()). Ours are made by work
 * items, in the root cgroup, so what traffic queued in them would be
 * charged to no one: a user namespace's server could hold socket memory up
 * to the whole host's udp_mem or tcp_mem. This does what
 * mem_cgroup_sk_alloc() would have done for @memcg's task: cgroup v2 only
 * (v1 charges sockets only once its tcp limit is set), never the root.
 *
 * Only while nothing is charged to the socket yet, since what it uncharges
 * later must have been charged to the same cgroup: a socket of ours before
 * it is bound or connected always qualifies; an accepted one qualifies
 * unless data had arrived before the work took it (it then stays as the
 * kernel made it, charged to no cgroup, bounded by its buffer sizes and
 * the server's max_conns). The lock keeps TCP's receive path from
 * charging meanwhile (it queues to the backlog); no datagram can reach a
 * UDP socket before it is bound.
 *
 * Return: false if the socket should have been charged to @memcg but had
 * memory charged to no cgroup already; true otherwise (charged, or nothing
 * to charge: no memory cgroups, v1, the root).
 */
bool ss_socket_charge(struct socket *sock, struct mem_cgroup *memcg)
{
#ifdef CONFIG_MEMCG
	struct sock *sk = sock->sk;
	bool charged = true;

	if (!mem_cgroup_sockets_enabled || !memcg || !memcg->css.parent ||
	    !cgroup_subsys_on_dfl(memory_cgrp_subsys))
		return true;
	lock_sock(sk);
	if (sk->sk_memcg) {
		charged = sk->sk_memcg == memcg;
	} else if (!sk->sk_forward_alloc && !atomic_read(&sk->sk_rmem_alloc) &&
		   !sk->sk_wmem_queued) {
		css_get(&memcg->css);	/* put by mem_cgroup_sk_free() */
		sk->sk_memcg = memcg;
	} else {
		charged = false;
	}
	release_sock(sk);
	return charged;
#else
	return true;
#endif
}

/**
 * ss_socket_create() - create a kernel socket for an object
 * @net: the object's namespace
 * @memcg: the object's memory cgroup: the socket, and what it queues, are
 *	charged to it
 * @family: AF_INET or AF_INET6
 * @type: SOCK_STREAM (TCP) or SOCK_DGRAM (UDP)
 * @res: the socket
 *
 * Process context.
 *
 * Return: 0 or the error of sock_create_kern().
 */
int ss_socket_create(struct net *net, struct mem_cgroup *memcg, int family,
		     int type, struct socket **res)
{
	struct mem_cgroup *old = set_active_memcg(memcg);
	int err;

	err = sock_create_kern(net, family, type,
			       type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP,
			       res);
	set_active_memcg(old);
	if (!err)
		ss_socket_charge(*res, memcg);	/* a new socket: always */
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

/* TCP's protocols, but for disconnecting and a few socket options. */
static struct proto ss_tcp_prot __ro_after_init;
#if IS_ENABLED(CONFIG_IPV6)
static struct proto ss_tcpv6_prot __ro_after_init;
#endif

static int ss_tcp_disconnect(struct sock *sk, int flags)
{
	return -EBUSY;
}

static int ss_tcp_setsockopt(struct sock *sk, int level, int optname,
			     sockptr_t optval, unsigned int optlen)
{
	const struct proto *base = &tcp_prot;

	if ((level == SOL_TCP && (optname == TCP_ULP || optname == TCP_REPAIR)) ||
	    (level == SOL_IPV6 && optname == IPV6_ADDRFORM))
		return -EBUSY;
#if IS_ENABLED(CONFIG_IPV6)
	if (READ_ONCE(sk->sk_prot) == &ss_tcpv6_prot)
		base = &tcpv6_prot;
#endif
	/*
	 * tcp_setsockopt(), which 6.12 no longer exports. The call is the
	 * last thing done, a tail call in the x86-64 builds of both kernels
	 * (jmp to the indirect thunk): while it sleeps in lock_sock() no frame
	 * of ours is on the stack, so rmmod giving the socket back cannot
	 * leave a caller returning into freed module text.
	 */
	return base->setsockopt(sk, level, optname, optval, optlen);
}

/*
 * The ULP a handed-over TCP socket has while we hold it. Our protocol
 * refuses TCP_ULP, but a setsockopt() that read the socket's protocol
 * before ss_sock_take() replaced it (its option name still being copied
 * from userspace, which a FUSE-backed page can stall at will) reaches
 * tcp_set_ulp() under the socket lock afterwards: this makes it find a
 * ULP there and fail (-EEXIST), as kTLS would otherwise take our
 * protocol for the socket's own. No hooks, no module reference:
 * tcp_cleanup_ulp() and the diag and getsockopt() readers need only the
 * name.
 */
static const struct tcp_ulp_ops ss_tcp_ulp_held = {
	.name = "shadowsocks",
};

/**
 * ss_sock_init() - make the protocols that hold handed-over TCP sockets
 */
void __init ss_sock_init(void)
{
	ss_tcp_prot = tcp_prot;
	ss_tcp_prot.disconnect = ss_tcp_disconnect;
	ss_tcp_prot.setsockopt = ss_tcp_setsockopt;
#if IS_ENABLED(CONFIG_IPV6)
	ss_tcpv6_prot = tcpv6_prot;
	ss_tcpv6_prot.disconnect = ss_tcp_disconnect;
	ss_tcpv6_prot.setsockopt = ss_tcp_setsockopt;
#endif
}

static bool ss_sock_is_tcp(const struct sock *sk)
{
	return (sk->sk_family == AF_INET || sk->sk_family == AF_INET6) &&
	       sk->sk_type == SOCK_STREAM && sk->sk_protocol == IPPROTO_TCP;
}

/* Our copy of @prot, or NULL if @prot is not plain TCP's. */
static struct proto *ss_sock_tcp_prot(const struct proto *prot)
{
	if (prot == &tcp_prot)
		return &ss_tcp_prot;
#if IS_ENABLED(CONFIG_IPV6)
	if (prot == &tcpv6_prot)
		return &ss_tcpv6_prot;
#endif
	return NULL;
}

/*
 * Can a socket userspace hands over be taken? The checks ss_sock_take()
 * makes again under the socket's locks (for two handovers racing, and for
 * userspace changing the socket meanwhile); here, to say early what is
 * wrong. Return: 0; -EBUSY if a kernel user has the socket already;
 * -EOPNOTSUPP for a TCP socket with a ULP or another protocol than plain
 * TCP's (a sockmap, kTLS), or in repair mode.
 */
static int ss_sock_user_check(const struct sock *sk, const char *what,
			      struct netlink_ext_ack *extack)
{
	if (rcu_access_pointer(__sk_user_data(sk))) {
		SS_SET_ERR_MSG_FMT(extack,
				   "socket is already relayed or in use by the kernel",
				   "%s is already relayed or in use by the kernel",
				   what);
		return -EBUSY;
	}
	if (ss_sock_is_tcp(sk) &&
	    (inet_csk(sk)->icsk_ulp_ops ||
	     !ss_sock_tcp_prot(READ_ONCE(sk->sk_prot)))) {
		SS_SET_ERR_MSG_FMT(extack,
				   "socket has a ULP or a protocol other than plain TCP",
				   "%s has a ULP or a protocol other than plain TCP",
				   what);
		return -EOPNOTSUPP;
	}
	/* a bit field: read without the lock, as a hint (taking checks) */
	if (ss_sock_is_tcp(sk) && tcp_sk(sk)->repair) {
		SS_SET_ERR_MSG_FMT(extack, "socket is in repair mode",
				   "%s is in repair mode", what);
		return -EOPNOTSUPP;
	}
	return 0;
}

static bool ss_sock_is_inet(const struct sock *sk, int type, int protocol)
{
	return (sk->sk_family == AF_INET || sk->sk_family == AF_INET6) &&
	       sk->sk_type == type && sk->sk_protocol == protocol;
}

/**
 * ss_sock_check_relay() - can a TCP relay of the local role take @sock?
 * @sock: an application's socket, handed over
 * @extack: says why not
 *
 * A connected TCP socket (IPv4 or IPv6) of plain TCP that no kernel user
 * has claimed (sk_user_data: another relay, a sockmap, an encapsulation).
 *
 * Return: 0 or a negative errno, with a message in @extack.
 */
int ss_sock_check_relay(struct socket *sock, struct netlink_ext_ack *extack)
{
	struct sock *sk = sock->sk;
	int state;

	if (!ss_sock_is_inet(sk, SOCK_STREAM, IPPROTO_TCP)) {
		NL_SET_ERR_MSG(extack, "not a TCP socket");
		return -EPROTOTYPE;
	}
	state = inet_sk_state_load(sk);
	if (state != TCP_ESTABLISHED && state != TCP_CLOSE_WAIT) {
		NL_SET_ERR_MSG(extack, "socket is not connected");
		return -ENOTCONN;
	}
	return ss_sock_user_check(sk, "socket", extack);
}

/**
 * ss_sock_check_udp() - can a UDP relay of the local role take @sock?
 * @sock: an application-facing UDP socket, handed over
 * @extack: says why not
 *
 * A bound, unconnected UDP socket that no kernel user has claimed.
 *
 * Return: 0 or a negative errno, with a message in @extack.
 */
int ss_sock_check_udp(struct socket *sock, struct netlink_ext_ack *extack)
{
	struct sock *sk = sock->sk;

	if (!ss_sock_is_inet(sk, SOCK_DGRAM, IPPROTO_UDP)) {
		NL_SET_ERR_MSG(extack, "not a UDP socket");
		return -EPROTOTYPE;
	}
	if (!inet_sk(sk)->inet_num) {
		NL_SET_ERR_MSG(extack, "UDP socket is not bound");
		return -EDESTADDRREQ;
	}
	if (inet_sk_state_load(sk) == TCP_ESTABLISHED) {
		NL_SET_ERR_MSG(extack, "UDP socket is connected");
		return -EISCONN;
	}
	return ss_sock_user_check(sk, "UDP socket", extack);
}

/**
 * ss_sock_check_ctrl() - can a UDP relay watch @sock as its control socket?
 * @sock: the SOCKS5 control connection (or a tunnel's), handed over
 * @extack: says why not
 *
 * A connected TCP or AF_UNIX stream socket that no kernel user claimed.
 *
 * Return: 0 or a negative errno, with a message in @extack.
 */
int ss_sock_check_ctrl(struct socket *sock, struct netlink_ext_ack *extack)
{
	struct sock *sk = sock->sk;

	if (!ss_sock_is_inet(sk, SOCK_STREAM, IPPROTO_TCP) &&
	    !(sk->sk_family == AF_UNIX && sk->sk_type == SOCK_STREAM)) {
		NL_SET_ERR_MSG(extack,
			       "control socket is neither TCP nor AF_UNIX stream");
		return -EPROTOTYPE;
	}
	if (READ_ONCE(sk->sk_state) != TCP_ESTABLISHED ||
	    (READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN)) {
		NL_SET_ERR_MSG(extack, "control socket is not connected");
		return -ENOTCONN;
	}
	return ss_sock_user_check(sk, "control socket", extack);
}

/**
 * ss_sock_take() - install an owner's callbacks on a socket
 * @sock: the socket
 * @owner: what the callbacks find with ss_sock_owner()
 * @cbs: the callbacks
 * @saved: where to keep what the socket had, for ss_sock_give_back()
 * @flags: %SS_SOCK_USER for a socket userspace handed over
 *
 * See the top of this file. Process context.
 *
 * Return: 0; -EBUSY if the socket has a kernel user already;
 * -EOPNOTSUPP for a handed-over TCP socket that is not plain TCP, or is
 * in repair mode; -ENOTCONN for one that is not connected (any more).
 */
int ss_sock_take(struct socket *sock, void *owner, const struct ss_sock_cbs *cbs,
		 struct ss_sock_saved *saved, unsigned int flags)
{
	struct sock *sk = sock->sk;
	bool lock = flags & SS_SOCK_USER;
	struct proto *ours = NULL;
	int err = 0;

	/*
	 * sk_prot changes under the socket lock (as in setsockopt); and the
	 * other kernel users that take sockets from userspace (gtp, l2tp)
	 * check and set sk_user_data under the socket lock alone: without it
	 * both could claim one socket, and each would take the other's
	 * sk_user_data for its own.
	 */
	if (lock)
		lock_sock(sk);
	write_lock_bh(&sk->sk_callback_lock);
	if (rcu_access_pointer(__sk_user_data(sk))) {
		err = -EBUSY;
		goto out;
	}
	if (lock && ss_sock_is_tcp(sk)) {
		ours = ss_sock_tcp_prot(sk->sk_prot);
		if (!ours || inet_csk(sk)->icsk_ulp_ops || tcp_sk(sk)->repair) {
			err = -EOPNOTSUPP;
			goto out;
		}
		if (!((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT))) {
			err = -ENOTCONN;
			goto out;
		}
		saved->prot = sk->sk_prot;
		WRITE_ONCE(sk->sk_prot, ours);
		inet_csk(sk)->icsk_ulp_ops = &ss_tcp_ulp_held;
	}
	saved->data_ready = sk->sk_data_ready;
	saved->write_space = sk->sk_write_space;
	saved->state_change = sk->sk_state_change;
	__rcu_assign_sk_user_data_with_flags(sk, owner, SK_USER_DATA_NOCOPY);
	if (cbs->data_ready)
		sk->sk_data_ready = cbs->data_ready;
	if (cbs->write_space)
		sk->sk_write_space = cbs->write_space;
	if (cbs->state_change)
		sk->sk_state_change = cbs->state_change;
	saved->taken = true;
out:
	write_unlock_bh(&sk->sk_callback_lock);
	if (lock)
		release_sock(sk);
	return err;
}

/*
 * What a socket userspace handed over holds in sk_user_data between
 * ss_sock_unhook() and ss_sock_give_back(): our callbacks find no owner
 * (ss_sock_owner()), while every other kernel user that would take the
 * socket (a sockmap, an encapsulation, another relay) still finds it in
 * use. Left empty there, a sockmap could take our protocol for the
 * socket's own, and put it back after the module is gone.
 */
u64 ss_sock_unhooked __aligned(8);

/* Under sk_callback_lock: our callbacks off, sk_user_data set to @mark. */
static void __ss_sock_unhook(struct sock *sk, struct ss_sock_saved *saved,
			     void *mark)
{
	if (saved->taken) {
		sk->sk_data_ready = saved->data_ready;
		sk->sk_write_space = saved->write_space;
		sk->sk_state_change = saved->state_change;
		saved->taken = false;
	}
	if (mark)
		__rcu_assign_sk_user_data_with_flags(sk, mark,
						     SK_USER_DATA_NOCOPY);
	else
		rcu_assign_sk_user_data(sk, NULL);
}

/**
 * ss_sock_unhook() - put back the callbacks ss_sock_take() replaced
 * @sock: the socket
 * @saved: what it had; nothing happens if ours are not installed
 *
 * After this no callback of ours sees the owner. A socket userspace
 * handed over keeps our protocol (no disconnect, no ULP, no repair mode)
 * and stays marked in use until ss_sock_give_back(): for an owner whose
 * works may still send on it until it has waited for them. Process
 * context.
 */
void ss_sock_unhook(struct socket *sock, struct ss_sock_saved *saved)
{
	struct sock *sk;

	if (!saved->taken)
		return;
	sk = sock->sk;
	write_lock_bh(&sk->sk_callback_lock);
	__ss_sock_unhook(sk, saved, saved->prot ? &ss_sock_unhooked : NULL);
	write_unlock_bh(&sk->sk_callback_lock);
}

/**
 * ss_sock_give_back() - put back what ss_sock_take() replaced
 * @sock: the socket
 * @saved: what it had; what was put back already stays so
 *
 * Callbacks, sk_user_data and the socket's own protocol, at once, as
 * ss_sock_take() replaced them: nothing of ours is left on it. Process
 * context.
 */
void ss_sock_give_back(struct socket *sock, struct ss_sock_saved *saved)
{
	struct sock *sk;

	if (!saved->taken && !saved->prot)
		return;
	sk = sock->sk;
	if (saved->prot)
		lock_sock(sk);
	write_lock_bh(&sk->sk_callback_lock);
	__ss_sock_unhook(sk, saved, NULL);
	if (saved->prot) {
		inet_csk(sk)->icsk_ulp_ops = NULL;
		WRITE_ONCE(sk->sk_prot, saved->prot);
	}
	write_unlock_bh(&sk->sk_callback_lock);
	if (saved->prot)
		release_sock(sk);
	saved->prot = NULL;
}

/**
 * ss_sock_pass_on() - hand an event to the socket's callback of now
 * @sk: the socket, on which a callback of ours found no owner
 * @now: the socket's callback, read after finding no owner
 * @self: the callback of ours that was called
 *
 * The socket was given back while the event was on its way to us: the
 * callback it has now (the one it had before us) gets the event. On a
 * clone of one of our sockets, which still has ours, nothing is done.
 */
void ss_sock_pass_on(struct sock *sk, void (*now)(struct sock *sk),
		     void (*self)(struct sock *sk))
{
	if (now && now != self)
		now(sk);
}
