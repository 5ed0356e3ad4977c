// SPDX-License-Identifier: GPL-2.0
/*
 * Connections of both roles: creation (at accept in the server role, at a
 * handover from userspace in the local role), the socket callbacks, the
 * work that drives each connection through its states, the connection to
 * the target (server role) or to the remote server (local role), the
 * deadlines, and teardown.
 *
 * Lifetime. A connection is created by the accept work with two
 * references: the base one, dropped by ss_conn_close(), and one for the
 * first run of its work. Whoever queues the work takes a reference for that
 * run first (ss_conn_queue()): the socket callbacks, under the socket's
 * sk_callback_lock while ours are installed; the timer, until
 * ss_conn_close() has shut it down; ss_conn_kill_all(), under the server's
 * conns_lock while the connection is listed; the resolver, from the
 * reference its lookup holds (taken before ss_lookup_start(), dropped when
 * the lookup ends: by ss_conn_lookup_done(), or by ss_conn_close() when
 * its cancel wins). All of these only run while the base reference is
 * held, so none of them drops the last reference, except the resolver's
 * and the work's own, both in process context. The connection holds a
 * reference on its lookup in turn (&ss_conn.lookup), so that cancelling it
 * is safe whenever the answer comes.
 *
 * Until it relays, everything the connection does runs in its work, and a
 * work item never runs concurrently with itself: the state needs no lock.
 * Relaying, each direction has a work of its own (&ss_conn.rx_work,
 * &ss_conn.tx_work), queued by the events of the sockets it reads and
 * writes, so that a busy download never waits behind its upload; each
 * owns its half of the state (struct ss_rx and its cipher, struct ss_tx
 * and its). What they share is atomic or published (&ss_conn.end, the
 * flags, &ss_conn.last_active, the 2022 request salt). The first work
 * stays the control work: timers, kill and eviction, state changes (a
 * reset, the sockets' final close), and the end a direction records.
 * Its runs after an event either direction may have to act on (a state
 * change, an event from before the switch, the switch itself:
 * SS_CONN_F_KICK) queue both directions too, so that no event is lost to
 * the switch. Direction works take references as the control work's do,
 * and never close.
 *
 * Teardown happens in the control work: it puts the sockets' callbacks
 * back (after which no callback can see the connection), shuts the timer
 * down, waits for a running direction work and cancels queued ones (which
 * are then never queued again: nothing is left to queue them), gives an
 * application's socket its own protocol back (not before: a direction
 * work may send on it until then), releases
 * both sockets, frees the buffers and keys, and only then unlists the
 * connection, so that a server (or namespace) waiting for its list to
 * empty knows every socket is gone.
 */

#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <net/inet_sock.h>
#include <net/netlink.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "acl.h"
#include "addr.h"
#include "client.h"
#include "conn.h"
#include "relay.h"
#include "resolve.h"
#include "server.h"

static atomic_t ss_conn_ids = ATOMIC_INIT(0);

/*
 * The relay's workqueue: every connection's work and every listener's
 * accept work. Unbound (WQ_UNBOUND): a connection's work runs on any CPU
 * of the socket's NUMA node rather than on the CPU whose softirq queued
 * it. Bound to that CPU, the work of both directions of a connection, and
 * on a box playing both roles that of both roles, queued up behind each
 * other on one CPU while the others idled: measured under QEMU with both
 * roles in one guest of 2 vCPUs, unbound doubled the full kernel path's
 * throughput (aes-256-gcm 104 -> 168 Mbit/s, chacha20 60 -> 105). A work
 * item still never runs concurrently with itself. Each run does a bounded
 * amount of work and queues itself again when there is more, so
 * connections take turns and no run hogs a CPU. Not WQ_MEM_RECLAIM: no
 * memory reclaim waits on a relay (it is not a block device's or swap's
 * transport), so a rescuer thread would buy nothing.
 */
struct workqueue_struct *ss_wq __read_mostly;

/*
 * Connections come from a cache of their own: kmalloc() would round each
 * up to the next power of two, a third more per connection.
 */
static struct kmem_cache *ss_conn_cache __read_mostly;

static void ss_conn_release(struct kref *refcount)
{
	struct ss_conn *conn = container_of(refcount, struct ss_conn,
					    refcount);

	pr_debug("conn %u destroyed\n", conn->id);
	if (conn->user)
		ss_user_put(conn->user);
	ss_endpoint_put(conn->ep);
	kmem_cache_free(ss_conn_cache, conn);
}

/**
 * ss_conn_get() - take a reference on a connection
 * @conn: the connection; the caller already holds one
 */
void ss_conn_get(struct ss_conn *conn)
{
	kref_get(&conn->refcount);
}

/**
 * ss_conn_put() - drop a reference on a connection
 * @conn: the connection; freed with the last reference (process context)
 */
void ss_conn_put(struct ss_conn *conn)
{
	kref_put(&conn->refcount, ss_conn_release);
}

/**
 * ss_conn_queue() - have the connection's work run (again)
 * @conn: the connection; the caller holds a reference, or holds the base
 *	one alive (see the top of this file)
 *
 * Any context. Queueing a work item that is running makes it run once
 * more after it returns, so no event is lost.
 */
void ss_conn_queue(struct ss_conn *conn)
{
	ss_conn_queue_work(conn, &conn->work);
}

/**
 * ss_conn_queue_work() - have one of the connection's works run (again)
 * @conn: the connection, as for ss_conn_queue()
 * @work: &ss_conn.work, &ss_conn.rx_work or &ss_conn.tx_work; the run
 *	holds a reference
 */
void ss_conn_queue_work(struct ss_conn *conn, struct work_struct *work)
{
	ss_conn_get(conn);
	if (!queue_work(ss_wq, work))
		ss_conn_put(conn);
}

/*
 * An event either direction may have to act on (a reset, a FIN, the
 * switch to relaying): the control work queues both (ss_relay_pump()).
 * Its other runs (the timer's, an end a direction recorded) leave them be.
 */
static void ss_conn_kick(struct ss_conn *conn)
{
	set_bit(SS_CONN_F_KICK, &conn->flags);
	ss_conn_queue(conn);
}

/**
 * ss_conn_active() - data was relayed: the idle timeout starts again
 * @conn: the connection, in a direction work
 */
void ss_conn_active(struct ss_conn *conn)
{
	WRITE_ONCE(conn->last_active, jiffies);
}

/*
 * An event of @sk, whose callbacks are ours. Before the relay, and for
 * state changes, the control work runs. Relaying, data to read and room
 * to write go to the direction that reads or writes @sk: the wire side is
 * read by rx and written by tx, the plain side the other way round. A
 * callback that saw SS_CONN_F_SPLIT clear queued the control work, whose
 * run queues both directions.
 */
static void ss_conn_wake(struct ss_conn *conn, struct sock *sk, bool readable)
{
	struct socket *wire;

	if (!test_bit(SS_CONN_F_SPLIT, &conn->flags)) {
		ss_conn_kick(conn);
		return;
	}
	wire = READ_ONCE(conn->wire.sock);
	if ((wire && wire->sk == sk) == readable)
		ss_conn_queue_work(conn, &conn->rx_work);
	else
		ss_conn_queue_work(conn, &conn->tx_work);
}

/*
 * Socket callbacks: data arrived, the state changed (connected, FIN,
 * reset), or room to write returned. They run in softirq or process
 * context and only queue a work. sk_callback_lock orders them against
 * ss_sock_unhook(): while one of them holds it and finds the
 * connection, the base reference is held. Data goes to ss_conn_wake(), a
 * state change (@data false) to the control work.
 */
static void ss_conn_sk_event(struct sock *sk, void (*self)(struct sock *sk),
			     void (*const *now)(struct sock *sk), bool data)
{
	void (*pass)(struct sock *sk) = NULL;
	struct ss_conn *conn;

	read_lock_bh(&sk->sk_callback_lock);
	conn = ss_sock_owner(sk);
	if (conn && data)
		ss_conn_wake(conn, sk, true);
	else if (conn)
		ss_conn_kick(conn);
	else
		pass = READ_ONCE(*now);
	read_unlock_bh(&sk->sk_callback_lock);
	ss_sock_pass_on(sk, pass, self);
}

static void ss_conn_data_ready(struct sock *sk)
{
	ss_conn_sk_event(sk, ss_conn_data_ready, &sk->sk_data_ready, true);
}

static void ss_conn_state_change(struct sock *sk)
{
	ss_conn_sk_event(sk, ss_conn_state_change, &sk->sk_state_change, false);
}

/*
 * TCP calls sk_write_space on every ACK while SOCK_NOSPACE is set, which a
 * send that returned -EAGAIN or less than asked for leaves set. The
 * original callback (sk_stream_write_space()) clears it once there is room
 * again, and wakes nobody: kernel sockets have no waiters. The work is
 * queued only then; until then relay.c does not even try to send
 * (ss_sock_full()).
 */
static void ss_conn_write_space(struct sock *sk)
{
	void (*pass)(struct sock *sk) = NULL;
	struct ss_conn *conn;

	read_lock_bh(&sk->sk_callback_lock);
	conn = ss_sock_owner(sk);
	if (conn) {
		/*
		 * Either side's socket may not exist yet (the target's, the
		 * remote server's): only sockets that do have our callbacks.
		 */
		struct socket *wire = READ_ONCE(conn->wire.sock);
		struct ss_peer *p = wire && wire->sk == sk ? &conn->wire :
							    &conn->plain;

		p->saved.write_space(sk);
		if (!test_bit(SOCK_NOSPACE, &sk->sk_socket->flags))
			ss_conn_wake(conn, sk, false);
	} else {
		pass = READ_ONCE(sk->sk_write_space);
	}
	read_unlock_bh(&sk->sk_callback_lock);
	ss_sock_pass_on(sk, pass, ss_conn_write_space);
}

static const struct ss_sock_cbs ss_conn_cbs = {
	.data_ready = ss_conn_data_ready,
	.write_space = ss_conn_write_space,
	.state_change = ss_conn_state_change,
};

/*
 * Install our callbacks on @p's socket; @flags: SS_SOCK_USER for the
 * application's socket. Return: 0, or ss_sock_take()'s error with nothing
 * changed: a socket handed over twice, one that another subsystem owns, or
 * one that userspace disconnected meanwhile.
 */
static int ss_peer_attach(struct ss_conn *conn, struct ss_peer *p,
			  unsigned int flags)
{
	return ss_sock_take(p->sock, conn, &ss_conn_cbs, &p->saved, flags);
}

/* After this no callback of @p's socket sees the connection. */
static void ss_peer_detach(struct ss_peer *p)
{
	if (p->sock)
		ss_sock_unhook(p->sock, &p->saved);
}

/*
 * After the direction works are done with @p's socket: the application's
 * gets its own protocol back (TCP_ULP, TCP_REPAIR, disconnect usable
 * again), never while a work might still send on it.
 */
static void ss_peer_give_back(struct ss_peer *p)
{
	if (p->sock)
		ss_sock_give_back(p->sock, &p->saved);
}

/**
 * ss_conn_close() - end a connection
 * @conn: the connection, in its (control) work, not yet closed
 * @why: for the debug log
 *
 * Releases both sockets, the buffers and the keys, unlists the connection
 * from its server or client profile and drops the base reference. The caller's reference
 * (the work's) keeps the memory until the caller returns.
 */
void ss_conn_close(struct ss_conn *conn, const char *why)
{
	struct ss_endpoint *ep = conn->ep;
	bool wake;

	pr_debug("conn %u closed: %s\n", conn->id, why);
	if (conn->lookup) {
		/* Its answer is not wanted: the lookup ends with us. */
		if (ss_lookup_cancel(conn->lookup))
			ss_conn_put(conn);	/* the lookup's; not the last */
		ss_lookup_put(conn->lookup);
		conn->lookup = NULL;
	}
	ss_peer_detach(&conn->wire);
	ss_peer_detach(&conn->plain);
	timer_shutdown_sync(&conn->timer);
	if (test_bit(SS_CONN_F_SPLIT, &conn->flags)) {
		/*
		 * Only a running direction work could queue one again, and
		 * while this waits for it, a queue_work() fails: nobody is
		 * left to queue them once these return. A cancelled run
		 * drops the reference it held (not the last: ours is).
		 */
		if (cancel_work_sync(&conn->rx_work))
			ss_conn_put(conn);
		if (cancel_work_sync(&conn->tx_work))
			ss_conn_put(conn);
	}
	ss_peer_give_back(&conn->wire);
	ss_peer_give_back(&conn->plain);
	if (!conn->ep->local && (conn->state == SS_CONN_NEW ||
				 conn->state == SS_CONN_HANDSHAKE ||
				 conn->state == SS_CONN_DRAINING)) {
		/*
		 * A server's connection that has not reached its target:
		 * whatever was sent, and however much of it was read, the
		 * close looks the same (at the handshake timeout, or evicted
		 * for a new connection): what is left is read first, so that
		 * the release sends a FIN, not a reset for unread data.
		 */
		ss_relay_discard(conn->wire.sock);
	}
	if (conn->state == SS_CONN_DRAINING)
		atomic64_dec(&ep->stats.draining);
	ss_socket_release(&conn->wire.sock);
	ss_socket_release(&conn->plain.sock);
	ss_relay_free(conn);
	ss_cipher_free(&conn->dec);
	ss_cipher_free(&conn->enc);
	memzero_explicit(conn->salt, sizeof(conn->salt));
	atomic64_dec(&ep->stats.conn_active);
	if (conn->user_counted)
		ss_user_count(conn->user, SS_STATS_A_CONN_ACTIVE, -1);
	conn->state = SS_CONN_DEAD;

	spin_lock(&ep->conns_lock);
	list_del(&conn->node);
	list_del_init(&conn->unode);	/* initialised, if not listed */
	if (test_bit(SS_CONN_F_EVICT, &conn->flags))
		ep->nr_evicting--;
	wake = !--ep->nr_conns && ep->closing;
	spin_unlock(&ep->conns_lock);
	if (wake)
		wake_up(&ep->conns_wq);

	ss_conn_put(conn);
}

/**
 * ss_conn_fail() - count a failure and end the connection
 * @conn: the connection, in its work
 * @ctr: the counter
 * @why: for the debug log
 */
void ss_conn_fail(struct ss_conn *conn, enum ss_stats_attr ctr,
		  const char *why)
{
	ss_endpoint_bad(conn->ep, ctr);
	ss_conn_close(conn, why);
}

/**
 * ss_conn_bad() - count bad data from the client and start draining
 * @conn: the connection, in its work, before its target is connected
 * @ctr: the counter (authentication failure, bad header, replay)
 * @why: for the debug log
 *
 * A prober must learn nothing from when the server reacts: the connection
 * is read and discarded until the handshake deadline, counted from accept,
 * then closed, whatever was sent. If the client closes first, that is all.
 *
 * Always, under any load: a draining connection holds no buffer and no
 * cipher (only its socket, its timer and this structure; the data is
 * dropped by TCP with MSG_TRUNC, never copied), so it needs no cap of its
 * own. It stays where it was in its server's max_conns: one that had not
 * authenticated (a wrong key, garbage, a replayed salt) gives way to a new
 * connection, oldest first, exactly as an idle one does (ss_conn_add()),
 * so what a prober sees depends neither on what it sent nor on how many
 * connections other servers, in this namespace or another, are draining.
 */
void ss_conn_bad(struct ss_conn *conn, enum ss_stats_attr ctr,
		 const char *why)
{
	struct ss_endpoint *ep = conn->ep;

	ss_endpoint_bad(ep, ctr);
	if (conn->user)
		ss_user_count(conn->user, ctr, 1);
	pr_debug("conn %u draining: %s\n", conn->id, why);
	atomic64_inc(&ep->stats.draining);
	/* Nothing but the socket is needed any more. */
	ss_relay_free(conn);
	ss_cipher_free(&conn->dec);
	conn->state = SS_CONN_DRAINING;
}

/**
 * ss_conn_authenticated() - the client has shown it has the key
 * @conn: a server's connection, in its work, in the handshake: its salt
 *	and first sealed length authenticated, and the salt was new
 *
 * From now on the connection is not evicted to make room for new ones.
 *
 * Return: true; false if it was evicted already (SS_CONN_F_EVICT is set
 * and its work queued: it closes at its next run).
 */
bool ss_conn_authenticated(struct ss_conn *conn)
{
	struct ss_endpoint *ep = conn->ep;
	bool ok;

	spin_lock(&ep->conns_lock);
	ok = !test_bit(SS_CONN_F_EVICT, &conn->flags);
	if (ok)
		list_del_init(&conn->unode);
	spin_unlock(&ep->conns_lock);
	if (ok && conn->user) {
		conn->user_counted = true;
		ss_user_count(conn->user, SS_STATS_A_CONN_TOTAL, 1);
		ss_user_count(conn->user, SS_STATS_A_CONN_ACTIVE, 1);
	}
	return ok;
}

/**
 * ss_conn_set_user() - a server's connection is a user's
 * @conn: the connection, in its work, in the handshake
 * @user: the user its identity header named, a reference the connection
 *	takes over
 *
 * Return: true; false if the user was removed meanwhile (the reference
 * is dropped): the request is then as one of an unknown user.
 */
bool ss_conn_set_user(struct ss_conn *conn, struct ss_user *user)
{
	struct ss_endpoint *ep = conn->ep;
	bool ok;

	spin_lock(&ep->conns_lock);
	ok = !user->dead;
	if (ok)
		conn->user = user;
	spin_unlock(&ep->conns_lock);
	if (!ok)
		ss_user_put(user);
	return ok;
}

/**
 * ss_conn_count() - count relayed bytes, in the user's counters too
 * @conn: the connection, in the work that relayed them (the counters
 *	are per-CPU or atomic)
 * @ctr: SS_STATS_A_BYTES_IN or _OUT
 * @val: how many
 */
void ss_conn_count(struct ss_conn *conn, enum ss_stats_attr ctr, u64 val)
{
	ss_stats_add(&conn->ep->stats, ctr, val);
	if (conn->user)
		ss_user_count(conn->user, ctr, val);
}

static void ss_conn_timer(struct timer_list *timer)
{
	struct ss_conn *conn = from_timer(conn, timer, timer);

	set_bit(SS_CONN_F_TIMER, &conn->flags);
	ss_conn_queue(conn);
}

/*
 * The timer fired: end the connection if its deadline has passed, or set
 * the timer for the deadline it has now. Return: true if it was ended.
 */
static bool ss_conn_expired(struct ss_conn *conn)
{
	unsigned long deadline;

	if (conn->state == SS_CONN_RELAY)
		deadline = READ_ONCE(conn->last_active) +
			   (unsigned long)conn->ep->timeout * HZ;
	else
		deadline = conn->deadline;
	if (time_before(jiffies, deadline)) {
		mod_timer(&conn->timer, deadline);
		return false;
	}

	switch (conn->state) {
	case SS_CONN_RELAY:
		ss_conn_close(conn, "idle timeout");
		break;
	case SS_CONN_RESOLVING:
		ss_conn_fail(conn, SS_STATS_A_DNS_FAIL,
			     "handshake timeout while resolving");
		break;
	case SS_CONN_CONNECTING:
		ss_conn_fail(conn, SS_STATS_A_CONNECT_FAIL,
			     "handshake timeout while connecting");
		break;
	default:
		ss_conn_close(conn, "handshake timeout");
		break;
	}
	return true;
}

/* The first run of the server role: take the client socket over. */
static void ss_conn_start(struct ss_conn *conn)
{
	tcp_sock_set_nodelay(conn->wire.sock->sk);
	ss_peer_attach(conn, &conn->wire, 0);	/* a fresh socket: not in use */
	mod_timer(&conn->timer, conn->deadline);
	conn->state = SS_CONN_HANDSHAKE;
}

/*
 * The local role's helper's reply to the application (a SOCKS5 success),
 * [0, aoff) of &ss_conn.abuf, goes before anything the relay writes. The
 * socket is fresh from a handshake, so its buffer has room for a few
 * dozen bytes; if not, the application has gone already.
 */
static int ss_conn_send_reply(struct ss_conn *conn)
{
	struct kvec vec = { .iov_base = conn->abuf, .iov_len = conn->aoff };
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };
	int n;

	n = kernel_sendmsg(conn->plain.sock, &msg, &vec, 1, vec.iov_len);
	return n == vec.iov_len ? 0 : -EIO;
}

static void ss_conn_connect(struct ss_conn *conn);

/*
 * The first run of the local role: write the reply, take the application's
 * socket over and connect to the remote server.
 */
static void ss_conn_start_local(struct ss_conn *conn)
{
	struct socket *app = conn->plain.sock;

	if (ss_peer_attach(conn, &conn->plain, SS_SOCK_USER)) {
		/*
		 * Handed over twice at once and the other relay won, or
		 * userspace disconnected the socket meanwhile: only our file
		 * reference is dropped, and the socket left as it is (never
		 * shut down: it may be the winner's).
		 */
		fput(app->file);
		conn->plain.sock = NULL;
		ss_conn_close(conn, "socket already relayed or not connected");
		return;
	}
	if (conn->aoff && ss_conn_send_reply(conn)) {
		ss_conn_close(conn, "cannot write the reply");
		return;
	}
	tcp_sock_set_nodelay(app->sk);
	mod_timer(&conn->timer, conn->deadline);
	conn->target_addr = ss_client_of(conn->ep)->remote;
	ss_conn_connect(conn);
}

static void ss_conn_relay(struct ss_conn *conn)
{
	pr_debug("conn %u connected to %pISpc\n", conn->id,
		 &conn->target_addr.sa);
	conn->state = SS_CONN_RELAY;
	conn->last_active = jiffies;
	mod_timer(&conn->timer,
		  conn->last_active + (unsigned long)conn->ep->timeout * HZ);
	set_bit(SS_CONN_F_KICK, &conn->flags);	/* this run's ss_relay_pump() */
	/*
	 * From now on the directions run apart. A callback that sees the bit
	 * queues a direction at once, maybe on another CPU and before this
	 * run ends: what the handshake wrote (the ciphers, rx's state) must
	 * be visible to it first. set_bit() alone orders nothing.
	 */
	smp_mb__before_atomic();
	set_bit(SS_CONN_F_SPLIT, &conn->flags);
}

/* The socket we connect: the target's, or the remote server's. */
static struct ss_peer *ss_conn_outbound(struct ss_conn *conn)
{
	return conn->ep->local ? &conn->wire : &conn->plain;
}

/* Has the non-blocking connect finished, and how? */
static void ss_conn_connecting(struct ss_conn *conn)
{
	struct sock *sk = ss_conn_outbound(conn)->sock->sk;

	switch (inet_sk_state_load(sk)) {
	case TCP_SYN_SENT:
	case TCP_SYN_RECV:
		return;
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:	/* connected, and the target already sent FIN */
		ss_conn_relay(conn);
		return;
	default:
		pr_debug("conn %u cannot connect to %pISpc: error %d\n",
			 conn->id, &conn->target_addr.sa, -sock_error(sk));
		ss_conn_fail(conn, SS_STATS_A_CONNECT_FAIL, "connect failed");
		return;
	}
}

/* Connect to &ss_conn.target_addr, without waiting. */
static void ss_conn_connect(struct ss_conn *conn)
{
	const union ss_sockaddr *a = &conn->target_addr;
	struct ss_peer *out = ss_conn_outbound(conn);
	struct socket *sock;
	int err;

	/* (a client profile has no ACL) */
	if (ss_acl_blocks_addr(conn->ep->acl, a)) {
		pr_debug("conn %u refused target %pISpc: ACL\n", conn->id,
			 &a->sa);
		ss_conn_fail(conn, SS_STATS_A_ACL_BLOCK, "target refused by the ACL");
		return;
	}
	if (!conn->ep->local && !ss_server_of(conn->ep)->allow_local &&
	    ss_addr_is_local(conn->net, a)) {
		pr_debug("conn %u refused target %pISpc: local\n", conn->id,
			 &a->sa);
		ss_conn_fail(conn, SS_STATS_A_CONNECT_FAIL, "local target refused");
		return;
	}

	err = ss_socket_create(conn->net, conn->ep->memcg, a->sa.sa_family,
			       SOCK_STREAM, &sock);
	if (err) {
		ss_conn_fail(conn, SS_STATS_A_CONNECT_FAIL, "cannot create socket");
		return;
	}
	WRITE_ONCE(out->sock, sock);	/* ss_conn_write_space() */
	tcp_sock_set_nodelay(sock->sk);
	ss_peer_attach(conn, out, 0);		/* a fresh socket: not in use */
	conn->state = SS_CONN_CONNECTING;

	err = kernel_connect(sock, (struct sockaddr *)&a->sa,
			     a->sa.sa_family == AF_INET6 ? sizeof(a->in6) :
							   sizeof(a->in4),
			     O_NONBLOCK);
	if (err && err != -EINPROGRESS) {
		pr_debug("conn %u cannot connect to %pISpc: error %d\n",
			 conn->id, &a->sa, err);
		ss_conn_fail(conn, SS_STATS_A_CONNECT_FAIL, "connect failed");
	}
}

/*
 * The lookup's answer, once, in process context; the connection may have
 * been closed meanwhile (its cancel lost the race), which its work
 * notices. Drops the reference the lookup held.
 */
static void ss_conn_lookup_done(void *owner, int err,
				const union ss_sockaddr *addr)
{
	struct ss_conn *conn = owner;

	if (!err)
		conn->target_addr = *addr;
	conn->resolve_err = err;
	/* The work reads them after test_and_clear_bit(), a full barrier. */
	smp_mb__before_atomic();
	set_bit(SS_CONN_F_RESOLVED, &conn->flags);
	ss_conn_queue(conn);
	ss_conn_put(conn);
}

/**
 * ss_conn_target() - the request's target address is known: go there
 * @conn: the connection, in its work, in the handshake
 * @t: the address, or a domain name to resolve first
 */
void ss_conn_target(struct ss_conn *conn, const struct ss_target *t)
{
	struct ss_lookup *l;
	int err;

	if (t->addr.sa.sa_family) {
		conn->target_addr = t->addr;
		ss_conn_connect(conn);
		return;
	}
	if (!ss_addr_name_ok(t->name, t->name_len)) {
		ss_conn_fail(conn, SS_STATS_A_DNS_FAIL, "malformed domain name");
		return;
	}
	/* refused before it is looked up: the ACL names it */
	if (ss_acl_blocks_name(conn->ep->acl, t->name, t->name_len)) {
		pr_debug("conn %u refused target %s: ACL\n", conn->id, t->name);
		ss_conn_fail(conn, SS_STATS_A_ACL_BLOCK, "target refused by the ACL");
		return;
	}
	pr_debug("conn %u resolving %s\n", conn->id, t->name);
	ss_conn_get(conn);			/* the lookup's */
	l = ss_lookup_start(ss_server_of(conn->ep), conn->net, t->name,
			    t->name_len, t->port, ss_conn_lookup_done, conn);
	if (IS_ERR(l)) {
		ss_conn_put(conn);	/* not the last: the work holds one */
		err = PTR_ERR(l);
		pr_debug("conn %u cannot start its lookup: error %d\n",
			 conn->id, err);
		ss_conn_fail(conn, SS_STATS_A_DNS_FAIL,
			     err == -EBUSY ? "too many lookups in flight" :
			     err == -ESRCH ? "no resolver agent in the namespace" :
					     "cannot start the lookup");
		return;
	}
	conn->lookup = l;
	conn->state = SS_CONN_RESOLVING;
}

static void ss_conn_resolving(struct ss_conn *conn)
{
	if (!test_and_clear_bit(SS_CONN_F_RESOLVED, &conn->flags))
		return;
	ss_lookup_put(conn->lookup);
	conn->lookup = NULL;
	if (conn->resolve_err) {
		pr_debug("conn %u cannot resolve: error %d\n", conn->id,
			 conn->resolve_err);
		ss_conn_fail(conn, SS_STATS_A_DNS_FAIL, "cannot resolve");
		return;
	}
	ss_conn_connect(conn);
}

/*
 * One run: everything that can be done now. A state change (handshake
 * done, connected) goes straight on to the next state's step.
 */
static void ss_conn_run(struct ss_conn *conn)
{
	u8 prev;

	if (test_bit(SS_CONN_F_KILL, &conn->flags)) {
		ss_conn_close(conn, conn->ep->local ? "client removed" :
						      "server removed");
		return;
	}
	if (test_bit(SS_CONN_F_EVICT, &conn->flags)) {
		ss_conn_close(conn, "evicted for a new connection");
		return;
	}
	if (conn->state == SS_CONN_NEW) {
		if (conn->ep->local)
			ss_conn_start_local(conn);
		else
			ss_conn_start(conn);
		if (conn->state == SS_CONN_DEAD)
			return;
	}
	if (test_and_clear_bit(SS_CONN_F_TIMER, &conn->flags) &&
	    ss_conn_expired(conn))
		return;

	do {
		prev = conn->state;
		switch (conn->state) {
		case SS_CONN_HANDSHAKE:
			ss_relay_handshake(conn);
			break;
		case SS_CONN_RESOLVING:
			ss_conn_resolving(conn);
			break;
		case SS_CONN_CONNECTING:
			ss_conn_connecting(conn);
			break;
		case SS_CONN_RELAY:
			ss_relay_pump(conn);
			break;
		case SS_CONN_DRAINING:
			ss_relay_drain(conn);
			break;
		}
	} while (conn->state != prev && conn->state != SS_CONN_DEAD);
}

static void ss_conn_work(struct work_struct *work)
{
	struct ss_conn *conn = container_of(work, struct ss_conn, work);

	if (conn->state != SS_CONN_DEAD)
		ss_conn_run(conn);
	ss_conn_put(conn);	/* this run's reference */
}

/*
 * The direction works: they only run while the connection relays (the
 * control work queues them first, and ss_conn_close() cancels them before
 * it frees anything), and stop once a direction has recorded an end.
 */
static void ss_conn_rx_work(struct work_struct *work)
{
	struct ss_conn *conn = container_of(work, struct ss_conn, rx_work);

	if (!atomic_read(&conn->end))
		ss_relay_pump_rx(conn);
	ss_conn_put(conn);
}

static void ss_conn_tx_work(struct work_struct *work)
{
	struct ss_conn *conn = container_of(work, struct ss_conn, tx_work);

	if (!atomic_read(&conn->end))
		ss_relay_pump_tx(conn);
	ss_conn_put(conn);
}

/*
 * An accepted socket is a clone of the listener and inherited its
 * sk_data_ready (listen.c's); give it the listener's original, so that it
 * is a plain socket whatever becomes of it.
 */
static void ss_conn_unclone(struct socket *sock,
			    void (*data_ready)(struct sock *sk))
{
	struct sock *sk = sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_data_ready = data_ready;
	write_unlock_bh(&sk->sk_callback_lock);
}

/* Set up what every new connection has; the first run's reference too. */
static struct ss_conn *ss_conn_alloc(struct ss_endpoint *ep, struct net *net)
{
	struct mem_cgroup *old = ss_memcg_enter(ep);
	struct ss_conn *conn = kmem_cache_zalloc(ss_conn_cache,
						 GFP_KERNEL_ACCOUNT);

	ss_memcg_leave(old);

	if (!conn)
		return NULL;
	kref_init(&conn->refcount);	/* the base reference */
	ss_conn_get(conn);		/* the first run's */
	INIT_WORK(&conn->work, ss_conn_work);
	INIT_WORK(&conn->rx_work, ss_conn_rx_work);
	INIT_WORK(&conn->tx_work, ss_conn_tx_work);
	timer_setup(&conn->timer, ss_conn_timer, 0);
	INIT_LIST_HEAD(&conn->node);
	INIT_LIST_HEAD(&conn->unode);
	conn->ep = ep;
	conn->net = net;
	conn->state = SS_CONN_NEW;
	conn->rx.lowat = 1;		/* TCP's default */
	conn->deadline = jiffies + (unsigned long)ep->handshake_timeout * HZ;
	return conn;
}

/*
 * At its max_conns, a server makes room for a new connection by evicting
 * the oldest of those that have not authenticated (&ss_endpoint.unauth):
 * connections that have sent nothing yet, or only part of a salt and first
 * sealed length, or were found bad and are draining. Without that, anyone
 * could hold every place with idle connections for the whole handshake
 * timeout and lock out every real client, over and over. With it, a real
 * client's connection only has to authenticate (one round trip: its first
 * write carries the salt and the length) before max_conns newer
 * connections arrive; then it is never evicted. Only when every place is
 * held by authenticated connections is a new one refused. The evicted
 * connection is told to close (SS_CONN_F_EVICT; its work does it) and no
 * longer counts against max_conns; it is closed the same way whatever it
 * had sent, so that eviction tells a prober nothing about its data either.
 * Client profiles (local role) evict nothing: their relays were handed
 * over by a privileged helper.
 *
 * Caller holds &ss_endpoint.conns_lock. Return: true if there is room now.
 */
static bool ss_conn_room(struct ss_endpoint *ep)
{
	struct ss_conn *old;

	if (ep->nr_conns - ep->nr_evicting < ep->max_conns)
		return true;
	old = list_first_entry_or_null(&ep->unauth, struct ss_conn, unode);
	if (!old)
		return false;
	list_del_init(&old->unode);
	set_bit(SS_CONN_F_EVICT, &old->flags);
	ep->nr_evicting++;
	ss_stats_inc(&ep->stats, SS_STATS_A_EVICTED);
	ss_conn_queue(old);	/* listed: its base reference is held */
	return true;
}

/*
 * List a new connection with its server or profile, which it then holds a
 * reference on. Return: 0; -ENOENT if the owner is being removed; -EMFILE
 * (counted as refused) at its max_conns with nothing to evict.
 */
static int ss_conn_add(struct ss_conn *conn)
{
	struct ss_endpoint *ep = conn->ep;
	int err = 0;

	spin_lock(&ep->conns_lock);
	if (ep->closing) {
		err = -ENOENT;
	} else if (!ss_conn_room(ep)) {
		err = -EMFILE;
	} else {
		/*
		 * Everything the work and ss_conn_kill_all() use is set: from
		 * here on the connection may be closed at any time.
		 */
		conn->id = atomic_inc_return(&ss_conn_ids);
		ss_endpoint_get(ep);
		atomic64_inc(&ep->stats.conn_active);
		ss_stats_inc(&ep->stats, SS_STATS_A_CONN_TOTAL);
		list_add_tail(&conn->node, &ep->conns);
		if (!ep->local)
			list_add_tail(&conn->unode, &ep->unauth);
		ep->nr_conns++;
		/* Before anyone can log its end. */
		pr_debug("conn %u created on %s %s\n", conn->id,
			 ss_endpoint_kind(ep), ep->entry.name);
	}
	spin_unlock(&ep->conns_lock);

	if (err == -EMFILE)
		ss_endpoint_refused(ep);
	return err;
}

/**
 * ss_conn_accept() - make a connection of an accepted socket
 * @srv: the server it was accepted on
 * @sock: the accepted socket; this function owns it
 * @data_ready: the listening socket's original sk_data_ready
 *
 * Called by the accept work. At the server's max_conns, the oldest
 * connection that has not authenticated makes room (ss_conn_add()); if all
 * have, the socket is closed at once and counted as refused.
 */
void ss_conn_accept(struct ss_server *srv, struct socket *sock,
		    void (*data_ready)(struct sock *sk))
{
	struct ss_conn *conn;

	ss_conn_unclone(sock, data_ready);

	conn = ss_conn_alloc(&srv->ep, sock_net(sock->sk));
	if (!conn) {
		sock_release(sock);
		return;
	}
	conn->wire.sock = sock;
	if (ss_conn_add(conn)) {
		kmem_cache_free(ss_conn_cache, conn);
		sock_release(sock);
		return;
	}
	if (!queue_work(ss_wq, &conn->work))
		ss_conn_put(conn);
}

/**
 * ss_conn_hand_over() - make a relay of the local role
 * @net: the client profile's namespace: the remote server is reached there
 * @cl: the profile; the caller holds a reference
 * @sock: the application's socket, with the file reference sockfd_lookup()
 *	took; on success the relay owns that reference
 * @ho: the target address, the data already read, the reply to write
 * @extack: says why the relay was not made
 *
 * Sleeps. Checks that @sock can be taken (ss_sock_check_relay(); taking it
 * checks again under its locks). The relay writes the reply, connects to
 * the profile's server and sends the salt, the target address and the data
 * in its first write.
 *
 * Return: 0; an error of ss_sock_check_relay(); -ENOENT if the profile is
 * being removed; -EMFILE (counted as refused) at the profile's max_conns;
 * -ENOMEM.
 */
int ss_conn_hand_over(struct net *net, struct ss_client *cl,
		      struct socket *sock, const struct ss_handover *ho,
		      struct netlink_ext_ack *extack)
{
	size_t len = ho->reply_len + ho->target_len + ho->data_len;
	struct ss_conn *conn;
	int err;

	err = ss_sock_check_relay(sock, extack);
	if (err)
		return err;
	conn = ss_conn_alloc(&cl->ep, net);
	if (!conn)
		goto nomem;
	/* The first chunk's plaintext, after the reply: see ss_tx_read(). */
	conn->abuf = kmalloc(len, GFP_KERNEL_ACCOUNT);
	if (!conn->abuf) {
		kmem_cache_free(ss_conn_cache, conn);
		goto nomem;
	}
	memcpy(conn->abuf, ho->reply, ho->reply_len);
	memcpy(conn->abuf + ho->reply_len, ho->target, ho->target_len);
	memcpy(conn->abuf + ho->reply_len + ho->target_len, ho->data,
	       ho->data_len);
	conn->aoff = ho->reply_len;
	conn->alen = len;
	conn->addr_len = ho->target_len;
	conn->plain.sock = sock;

	err = ss_conn_add(conn);
	if (err) {
		kfree_sensitive(conn->abuf);
		kmem_cache_free(ss_conn_cache, conn);
		if (err == -EMFILE)
			NL_SET_ERR_MSG(extack,
				       "the client profile has max-conns relays already");
		else if (err == -ENOENT)
			NL_SET_ERR_MSG(extack,
				       "the client profile is being deleted");
		return err;
	}
	if (!queue_work(ss_wq, &conn->work))
		ss_conn_put(conn);
	return 0;

nomem:
	NL_SET_ERR_MSG(extack, "out of memory");
	return -ENOMEM;
}

static bool ss_conn_none(struct ss_endpoint *ep)
{
	bool none;

	spin_lock(&ep->conns_lock);
	none = !ep->nr_conns;
	spin_unlock(&ep->conns_lock);
	return none;
}

/**
 * ss_conn_kill_all() - end every connection of a server or profile and wait
 * @ep: the server, which accepts no more (ss_listen_stop() has run), or
 *	the client profile, unpublished
 *
 * Returns once every connection's sockets are released. Connections may
 * still hold references on @ep (a resolution under way): those go when
 * they finish, harmlessly.
 */
void ss_conn_kill_all(struct ss_endpoint *ep)
{
	struct ss_conn *conn;

	spin_lock(&ep->conns_lock);
	ep->closing = true;
	list_for_each_entry(conn, &ep->conns, node) {
		set_bit(SS_CONN_F_KILL, &conn->flags);
		ss_conn_queue(conn);
	}
	spin_unlock(&ep->conns_lock);
	wait_event(ep->conns_wq, ss_conn_none(ep));
}

/**
 * ss_conn_kill_user() - end the connections of a user that was removed
 * @ep: the user's server
 * @user: the user, out of the server's tables; NULL for the connections
 *	of no user, when the server takes users' requests only from now on
 *
 * Marks the user dead, so that no connection takes it any more, and has
 * every connection that did close at its next run. Does not wait.
 */
void ss_conn_kill_user(struct ss_endpoint *ep, struct ss_user *user)
{
	struct ss_conn *conn;

	spin_lock(&ep->conns_lock);
	if (user)
		WRITE_ONCE(user->dead, true);
	list_for_each_entry(conn, &ep->conns, node) {
		if (conn->user != user)
			continue;
		set_bit(SS_CONN_F_KILL, &conn->flags);
		ss_conn_queue(conn);
	}
	spin_unlock(&ep->conns_lock);
}

/**
 * ss_conn_init() - allocate the relay's workqueue and connection cache
 *
 * Return: 0 or -ENOMEM.
 */
int ss_conn_init(void)
{
	ss_conn_cache = KMEM_CACHE(ss_conn, SLAB_ACCOUNT);
	if (!ss_conn_cache)
		return -ENOMEM;
	ss_wq = alloc_workqueue("shadowsocks", WQ_UNBOUND, 0);
	if (!ss_wq) {
		kmem_cache_destroy(ss_conn_cache);
		return -ENOMEM;
	}
	return 0;
}

/**
 * ss_conn_uninit() - free the workqueue and the connection cache
 *
 * Every server is gone, so every connection is closed; what is left are
 * runs of works that find their connection dead, and the frees they
 * cause, the servers' among them (after an RCU grace period). Then no
 * connection is left in the cache (kmem_cache_destroy() would complain of
 * one).
 */
void ss_conn_uninit(void)
{
	destroy_workqueue(ss_wq);
	rcu_barrier();
	kmem_cache_destroy(ss_conn_cache);
}
