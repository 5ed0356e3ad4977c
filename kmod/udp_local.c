// SPDX-License-Identifier: GPL-2.0
/*
 * The local role's UDP relay (SS_CMD_UDP_RELAY_NEW).
 *
 * A relay is a bound UDP socket that ss-socksd created and handed over,
 * in one of three modes: tunnel (as ss-tunnel -u: every datagram goes to
 * one fixed target, the replies' address is stripped), SOCKS5 (RFC 1928
 * section 7: each datagram carries RSV FRAG ATYP DST.ADDR DST.PORT in
 * front of its data, replies get 00 00 00 and the replying host's address
 * in front) or transparent (as ss-redir -u: a socket with IP_TRANSPARENT
 * that netfilter's tproxy feeds; each datagram goes where it was going,
 * IP_ORIGDSTADDR, and each reply leaves from the replying host's address,
 * through a kernel socket with IP_TRANSPARENT bound to it for that
 * datagram). Each source address of a relay gets an association: a kernel
 * UDP socket connected to the profile's server, created in the profile's
 * namespace, so that the server's replies map back to the source. A
 * datagram is sealed as a Shadowsocks UDP packet with a fresh salt
 * (datagram.c's codec, as the server's replies are); a reply is opened,
 * its address checked, and sent to the source from the relay's socket
 * (transparent mode: from the replying host's address). As in the TCP
 * relay, only the server role uses the salt replay filter: the server role
 * records the salts of its replies there, so a box running both roles
 * would refuse its own replies (and its server its own local role's
 * requests) if this role used it too.
 *
 * A relay may hold a control socket: the SOCKS5 UDP ASSOCIATE's TCP
 * connection, or an AF_UNIX stream socket whose peer the caller keeps. Its
 * sk_state_change ends the relay when the peer closes it.
 *
 * Concurrency is the server's (udp.c): socket callbacks only queue; one
 * work per profile handles its relays and associations, under the
 * profile's &ss_ludp.lock, with one codec (buffer and two ciphers).
 * Lifetime: the profile's list holds one reference on each relay, the
 * profile's association table one on each association (each relay also
 * lists its own, for its removal), the ready lists one per entry; a
 * relay or an association taken out (control socket closed, idle, profile
 * deleted) has its callbacks given back and its sockets released at once,
 * under the lock, and is marked dead: what is still queued finds it dead
 * and drops its reference. ss_ludp_stop() ends them all and waits for the
 * works, so nothing outlives the profile.
 */

#include <linux/hash.h>
#include <linux/net.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <net/af_unix.h>
#include <net/ipv6.h>
#include <net/netlink.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "client.h"
#include "compat.h"
#include "conn.h"
#include "datagram.h"
#include "sip022.h"
#include "udp_local.h"
#include "window.h"

/*
 * The buffer: room in front of a datagram for the salt (2022: the nonce
 * and IDs or the separate and identity headers, and the main header; more
 * than the longest salt) and the longest target address (tunnel mode
 * prepends its target), any datagram, the tag.
 */
#define SS_LUDP_HEAD		(SS_2022_UDP_NONCE_LEN + SS_2022_UDP_SEP_LEN + \
				 SS_2022_IDENTITY_LEN + SS_2022_UDP_CLIENT_HDR + \
				 SS_ADDR_MAX)
#define SS_LUDP_BUF		(SS_LUDP_HEAD + SS_DGRAM_BUF + SS_TAG_LEN)
/* A profile's association table: at least 16 buckets. */
#define SS_LUDP_HASH_BITS	4

enum {
	SS_LUDP_KILL,		/* relay: the control socket was closed */
	SS_LUDP_CTRL_DATA,	/* relay: the control socket has data */
};

/**
 * struct ss_ludp_relay - one handed-over UDP socket
 * @node: in &ss_ludp.relays
 * @refcount: see the top of this file
 * @ready: its place in &ss_ludp.ready_relays
 * @flags: %SS_LUDP_KILL, %SS_LUDP_CTRL_DATA
 * @cl: the profile
 * @net: the profile's namespace: association sockets are created there
 * @id: for the debug log
 * @sock: the handed-over UDP socket
 * @ctrl: the control socket, or NULL
 * @sock_saved: what @sock had before our callbacks
 * @ctrl_saved: what @ctrl had before our callbacks
 * @mode: tunnel, SOCKS5 or transparent
 * @target_len: tunnel mode: length of @target
 * @target: tunnel mode: the target, SOCKS5 format
 * @source: SOCKS5 mode: the allowed source (sa_family 0: any)
 * @assocs: its associations (&ss_ludp_assoc.rnode)
 * @nr_assocs: entries in @assocs
 * @last_used: jiffies of the last datagram from an application, or of an
 *	authenticated reply from the server
 * @dead: off the list, sockets released
 *
 * All but @refcount, @ready and @flags are under &ss_ludp.lock.
 */
struct ss_ludp_relay {
	struct list_head node;
	struct kref refcount;
	struct ss_ready ready;
	unsigned long flags;
	struct ss_client *cl;
	struct net *net;
	u32 id;
	struct socket *sock;
	struct socket *ctrl;
	struct ss_sock_saved sock_saved;
	struct ss_sock_saved ctrl_saved;
	enum ss_ludp_mode mode;
	u16 target_len;
	u8 target[SS_ADDR_MAX];
	union ss_sockaddr source;
	struct list_head assocs;
	u32 nr_assocs;
	unsigned long last_used;
	bool dead;
};

/**
 * struct ss_ludp_server_session - a 2022 server session a client session
 *	takes replies from
 * @ssid: its session ID
 * @set: @ssid is one
 * @last: jiffies of its last valid packet
 * @window: its packet IDs accepted
 */
struct ss_ludp_server_session {
	u8 ssid[SS_2022_SESSION_ID_LEN];
	bool set;
	unsigned long last;
	struct ss_window window;
};

/**
 * struct ss_ludp_assoc - one source address of a relay
 * @node: in &ss_ludp.assocs
 * @rnode: in &ss_ludp_relay.assocs
 * @refcount: see the top of this file
 * @ready: its place in &ss_ludp.ready_assocs
 * @ludp: the profile's UDP state (outlives the association's queueing)
 * @relay: the relay; only used while not @dead
 * @id: for the debug log
 * @app: the source address: where replies go
 * @sock: the socket connected to the profile's server
 * @saved: what @sock had before our callbacks
 * @last_used: jiffies of the last datagram from the application, or of an
 *	authenticated reply from the server
 * @dead: out of the table, socket released
 * @csid: 2022: our session ID for this source
 * @cpid: 2022: the packet ID of our next packet
 * @srv: 2022: the server sessions whose replies we take: [0] the latest,
 *	[1] the one before it (see ss_ludp_accept_2022())
 *
 * All but @refcount and @ready are under &ss_ludp.lock.
 */
struct ss_ludp_assoc {
	struct hlist_node node;
	struct list_head rnode;
	struct kref refcount;
	struct ss_ready ready;
	struct ss_ludp *ludp;
	struct ss_ludp_relay *relay;
	u32 id;
	union ss_sockaddr app;
	struct socket *sock;
	struct ss_sock_saved saved;
	unsigned long last_used;
	bool dead;
	u8 csid[SS_2022_SESSION_ID_LEN];
	u64 cpid;
	struct ss_ludp_server_session srv[2];
};

static atomic_t ss_ludp_ids = ATOMIC_INIT(0);

static void ss_ludp_relay_release(struct kref *refcount)
{
	struct ss_ludp_relay *r = container_of(refcount, struct ss_ludp_relay,
					       refcount);

	pr_debug("udp relay %u destroyed\n", r->id);
	kfree(r);
}

static void ss_ludp_relay_put(struct ss_ludp_relay *r)
{
	kref_put(&r->refcount, ss_ludp_relay_release);
}

static void ss_ludp_assoc_release(struct kref *refcount)
{
	struct ss_ludp_assoc *a = container_of(refcount, struct ss_ludp_assoc,
					       refcount);

	pr_debug("udp local assoc %u destroyed\n", a->id);
	kfree(a);
}

static void ss_ludp_assoc_put(struct ss_ludp_assoc *a)
{
	kref_put(&a->refcount, ss_ludp_assoc_release);
}

/* Put @r on its ready list; see ss_ready_queue(). */
static void ss_ludp_relay_queue(struct ss_ludp *l, struct ss_ludp_relay *r)
{
	ss_ready_queue(&r->ready, &r->refcount, &l->ready_relays, &l->work);
}

static void ss_ludp_assoc_queue(struct ss_ludp *l, struct ss_ludp_assoc *a)
{
	ss_ready_queue(&a->ready, &a->refcount, &l->ready_assocs, &l->work);
}

/* The relay socket's sk_data_ready: softirq or process context. */
static void ss_ludp_relay_data_ready(struct sock *sk)
{
	void (*pass)(struct sock *sk) = NULL;
	struct ss_ludp_relay *r;

	read_lock_bh(&sk->sk_callback_lock);
	r = ss_sock_owner(sk);
	if (r)
		ss_ludp_relay_queue(&r->cl->udp, r);
	else
		pass = READ_ONCE(sk->sk_data_ready);
	read_unlock_bh(&sk->sk_callback_lock);
	ss_sock_pass_on(sk, pass, ss_ludp_relay_data_ready);
}

static const struct ss_sock_cbs ss_ludp_relay_cbs = {
	.data_ready = ss_ludp_relay_data_ready,
};

/* Has the control socket's peer closed it (FIN, reset, AF_UNIX close)? */
static bool ss_ludp_ctrl_closed(struct sock *sk)
{
	return READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN;
}

/* The control socket's sk_state_change: softirq or process context. */
static void ss_ludp_ctrl_state_change(struct sock *sk)
{
	void (*pass)(struct sock *sk) = NULL;
	struct ss_ludp_relay *r;

	read_lock_bh(&sk->sk_callback_lock);
	r = ss_sock_owner(sk);
	if (r) {
		pass = r->ctrl_saved.state_change;
		if (ss_ludp_ctrl_closed(sk)) {
			set_bit(SS_LUDP_KILL, &r->flags);
			ss_ludp_relay_queue(&r->cl->udp, r);
		}
	} else {
		pass = READ_ONCE(sk->sk_state_change);
	}
	read_unlock_bh(&sk->sk_callback_lock);
	ss_sock_pass_on(sk, pass, ss_ludp_ctrl_state_change);
}

/*
 * The control socket's sk_data_ready. Nothing is expected on it, and
 * whatever comes is read and dropped (ss_ludp_ctrl_drain()), so that a
 * client cannot fill kernel memory through it, nor keep the relay alive
 * for ever with the peer's own descriptor in flight on it.
 */
static void ss_ludp_ctrl_data_ready(struct sock *sk)
{
	void (*pass)(struct sock *sk) = NULL;
	struct ss_ludp_relay *r;

	read_lock_bh(&sk->sk_callback_lock);
	r = ss_sock_owner(sk);
	if (r) {
		set_bit(SS_LUDP_CTRL_DATA, &r->flags);
		ss_ludp_relay_queue(&r->cl->udp, r);
	} else {
		pass = READ_ONCE(sk->sk_data_ready);
	}
	read_unlock_bh(&sk->sk_callback_lock);
	ss_sock_pass_on(sk, pass, ss_ludp_ctrl_data_ready);
}

static const struct ss_sock_cbs ss_ludp_ctrl_cbs = {
	.data_ready = ss_ludp_ctrl_data_ready,
	.state_change = ss_ludp_ctrl_state_change,
};

static void ss_ludp_assoc_data_ready(struct sock *sk)
{
	void (*pass)(struct sock *sk) = NULL;
	struct ss_ludp_assoc *a;

	read_lock_bh(&sk->sk_callback_lock);
	a = ss_sock_owner(sk);
	if (a)
		ss_ludp_assoc_queue(a->ludp, a);
	else
		pass = READ_ONCE(sk->sk_data_ready);
	read_unlock_bh(&sk->sk_callback_lock);
	ss_sock_pass_on(sk, pass, ss_ludp_assoc_data_ready);
}

static const struct ss_sock_cbs ss_ludp_assoc_cbs = {
	.data_ready = ss_ludp_assoc_data_ready,
};

static void ss_ludp_assoc_remove(struct ss_client *cl, struct ss_ludp_assoc *a,
				 const char *why)
{
	struct ss_ludp *l = &cl->udp;

	lockdep_assert_held(&l->lock);
	hlist_del_init(&a->node);
	list_del(&a->rnode);
	a->relay->nr_assocs--;
	l->nr_assocs--;
	atomic64_dec(&cl->ep.stats.udp_assoc_active);
	ss_sock_give_back(a->sock, &a->saved);
	ss_socket_release(&a->sock);
	a->dead = true;
	pr_debug("udp local assoc %u closed: %s\n", a->id, why);
	ss_ludp_assoc_put(a);
}

static void ss_ludp_relay_remove(struct ss_client *cl, struct ss_ludp_relay *r,
				 const char *why)
{
	struct ss_ludp_assoc *a, *tmp;

	lockdep_assert_held(&cl->udp.lock);
	list_del(&r->node);
	cl->udp.nr_relays--;
	/* A tunnel or tproxy relay may hold all of max_conns of them. */
	list_for_each_entry_safe(a, tmp, &r->assocs, rnode) {
		ss_ludp_assoc_remove(cl, a, why);
		cond_resched();
	}
	ss_sock_give_back(r->sock, &r->sock_saved);
	ss_socket_release(&r->sock);
	if (r->ctrl) {
		ss_sock_give_back(r->ctrl, &r->ctrl_saved);
		ss_socket_release(&r->ctrl);
	}
	r->dead = true;
	pr_debug("udp relay %u closed: %s\n", r->id, why);
	ss_ludp_relay_put(r);
}

/* An IPv4-mapped IPv6 address as IPv4, for comparisons. */
static void ss_ludp_unmap(const union ss_sockaddr *in, union ss_sockaddr *out)
{
	*out = *in;
	if (in->sa.sa_family == AF_INET6 &&
	    ipv6_addr_v4mapped(&in->in6.sin6_addr)) {
		memset(out, 0, sizeof(*out));
		out->in4.sin_family = AF_INET;
		out->in4.sin_port = in->in6.sin6_port;
		out->in4.sin_addr.s_addr = in->in6.sin6_addr.s6_addr32[3];
	}
}

/* SOCKS5 mode: may @from send through @r? */
static bool ss_ludp_source_ok(const struct ss_ludp_relay *r,
			      const union ss_sockaddr *from)
{
	const union ss_sockaddr *s = &r->source;
	union ss_sockaddr f;

	if (!s->sa.sa_family)
		return true;
	ss_ludp_unmap(from, &f);
	if (f.sa.sa_family != s->sa.sa_family)
		return false;
	if (s->sa.sa_family == AF_INET) {
		if (s->in4.sin_addr.s_addr &&
		    s->in4.sin_addr.s_addr != f.in4.sin_addr.s_addr)
			return false;
		return !s->in4.sin_port || s->in4.sin_port == f.in4.sin_port;
	}
	if (!ipv6_addr_any(&s->in6.sin6_addr) &&
	    !ipv6_addr_equal(&s->in6.sin6_addr, &f.in6.sin6_addr))
		return false;
	return !s->in6.sin6_port || s->in6.sin6_port == f.in6.sin6_port;
}

static struct ss_ludp_assoc *ss_ludp_assoc_get(struct ss_client *cl,
					       struct ss_ludp_relay *r,
					       const union ss_sockaddr *from)
{
	struct ss_ludp *l = &cl->udp;
	const union ss_sockaddr *remote = &cl->remote;
	/* one table for the profile: the relays share its max_conns */
	u32 hash = ss_dgram_hash(from) ^ hash_ptr(r, 32);
	struct ss_ludp_assoc *a;
	struct mem_cgroup *old;
	struct socket *sock;
	int err;

	hlist_for_each_entry(a, ss_dgram_bucket(&l->assocs, hash), node)
		if (a->relay == r && ss_dgram_addr_eq(&a->app, from))
			return a;

	if (l->nr_assocs >= cl->ep.max_conns) {
		ss_stats_inc(&cl->ep.stats, SS_STATS_A_UDP_DROP_LIMIT);
		return NULL;
	}
	err = ss_socket_create(r->net, cl->ep.memcg, remote->sa.sa_family,
			       SOCK_DGRAM, &sock);
	if (err) {
		pr_debug("udp relay %u: cannot create socket: error %d\n",
			 r->id, err);
		goto drop;
	}
	err = kernel_connect(sock, (struct sockaddr *)&remote->sa,
			     remote->sa.sa_family == AF_INET ?
			     sizeof(remote->in4) : sizeof(remote->in6), 0);
	if (err) {
		pr_debug("udp relay %u: cannot reach %pISpc: error %d\n",
			 r->id, &remote->sa, err);
		sock_release(sock);
		goto drop;
	}
	old = ss_memcg_enter(&cl->ep);
	a = kzalloc(sizeof(*a), GFP_KERNEL_ACCOUNT);
	ss_memcg_leave(old);
	if (!a) {
		sock_release(sock);
		return NULL;
	}
	kref_init(&a->refcount);
	a->ludp = l;
	a->relay = r;
	a->app = *from;
	a->id = atomic_inc_return(&ss_ludp_ids);
	get_random_bytes(a->csid, sizeof(a->csid));
	a->sock = sock;
	/* Our own socket: nobody else can have taken it. */
	ss_sock_take(sock, a, &ss_ludp_assoc_cbs, &a->saved, 0);
	hlist_add_head(&a->node, ss_dgram_bucket(&l->assocs, hash));
	list_add_tail(&a->rnode, &r->assocs);
	r->nr_assocs++;
	l->nr_assocs++;
	atomic64_inc(&cl->ep.stats.udp_assoc_active);
	pr_debug("udp local assoc %u created on relay %u for %pISpc\n", a->id,
		 r->id, &from->sa);
	queue_delayed_work(ss_wq, &l->gc, ss_dgram_gc_period(&cl->ep));
	return a;

drop:
	ss_stats_inc(&cl->ep.stats, SS_STATS_A_UDP_DROP_TARGET);
	return NULL;
}

/*
 * One datagram from an application, @len bytes at buf + SS_LUDP_HEAD, from
 * @from; in transparent mode @dst is where it was going.
 */
static void ss_ludp_app_packet(struct ss_client *cl, struct ss_ludp_relay *r,
			       const union ss_sockaddr *from,
			       const union ss_sockaddr *dst, size_t len)
{
	const struct ss_method_info *m = cl->ep.method;
	struct ss_stats *stats = &cl->ep.stats;
	u8 *d = cl->udp.dc.buf + SS_LUDP_HEAD;
	size_t pt_len, data_len, head;
	union ss_sockaddr target;
	struct ss_ludp_assoc *a;
	u8 *pt, *pkt;
	int alen, ret;

	if (r->mode == SS_LUDP_SOCKS5) {
		alen = ss_ludp_source_ok(r, from) ?
		       ss_addr_socks5_udp(d, len) : -EACCES;
		if (alen < 0) {
			ss_stats_inc(stats, SS_STATS_A_UDP_DROP_BAD);
			return;
		}
		pt = d + SS_SOCKS5_UDP_HDR;
		pt_len = len - SS_SOCKS5_UDP_HDR;
		data_len = pt_len - alen;
	} else if (r->mode == SS_LUDP_TPROXY) {
		/*
		 * Sent to this box itself, not diverted by tproxy, or our own
		 * datagram to the server diverted back: relaying it would
		 * bring it back here, for ever.
		 */
		ss_ludp_unmap(dst, &target);
		if (ss_addr_is_local(sock_net(r->sock->sk), &target) ||
		    ss_dgram_addr_eq(&target, &cl->remote)) {
			ss_stats_inc(stats, SS_STATS_A_UDP_DROP_BAD);
			return;
		}
		alen = ss_addr_put_ip(d, &target);
		pt = d - alen;
		pt_len = len + alen;
		data_len = len;
	} else {
		pt = d - r->target_len;
		memcpy(pt, r->target, r->target_len);
		pt_len = len + r->target_len;
		data_len = len;
	}

	r->last_used = jiffies;
	a = ss_ludp_assoc_get(cl, r, from);
	if (!a)
		return;
	if (ss_method_is_2022(m)) {
		/* SIP022 section 3.2: the main header, under our session */
		head = ss_dgram_2022_tx_head(m, cl->ep.has_ikey);
		pkt = pt - SS_2022_UDP_CLIENT_HDR - head;
		ss_2022_udp_header_put(pkt + head, ktime_get_real_seconds(),
				       NULL);
		pt_len += SS_2022_UDP_CLIENT_HDR;
		if (ss_dgram_seal_2022(&cl->udp.dc, &cl->ep, NULL, a->csid,
				       a->cpid++, pkt, pt_len))
			return;
	} else {
		head = m->salt_len;
		pkt = pt - head;
		get_random_bytes(pkt, head);
		if (ss_dgram_seal(&cl->udp.dc, &cl->ep, pkt, pt_len))
			return;
	}
	ret = ss_dgram_send(a->sock, NULL, pkt, head + pt_len + SS_TAG_LEN);
	if (ret < 0) {
		pr_debug("udp local assoc %u cannot send: error %d\n", a->id,
			 ret);
		ss_stats_inc(stats, SS_STATS_A_UDP_DROP_TARGET);
		return;
	}
	a->last_used = jiffies;
	ss_stats_inc(stats, SS_STATS_A_UDP_PKTS_OUT);
	ss_stats_add(stats, SS_STATS_A_UDP_BYTES_OUT, data_len);
}

/*
 * Read and drop what the control socket has. Descriptors in flight on an
 * AF_UNIX control socket (SCM_RIGHTS) are dropped with their message: one
 * that holds the socket's peer open, in a cycle only our reference keeps
 * from the AF_UNIX garbage collector, is closed, and the relay ends.
 * Return: true if the peer has closed the control socket.
 */
static bool ss_ludp_ctrl_drain(struct ss_client *cl, struct ss_ludp_relay *r)
{
	struct msghdr msg;
	struct kvec iov;
	int n, ret;

	for (n = 0; n < SS_DGRAM_BUDGET; n++) {
		memset(&msg, 0, sizeof(msg));
		iov.iov_base = cl->udp.dc.buf;
		iov.iov_len = SS_LUDP_BUF;
		ret = kernel_recvmsg(r->ctrl, &msg, &iov, 1, iov.iov_len,
				     MSG_DONTWAIT);
		if (ret == 0)
			return true;
		if (ret == -EAGAIN)
			return ss_ludp_ctrl_closed(r->ctrl->sk);
		if (ret < 0)
			return true;	/* reset: as closed */
	}
	set_bit(SS_LUDP_CTRL_DATA, &r->flags);
	ss_ludp_relay_queue(&cl->udp, r);	/* more next time */
	return false;
}

static void ss_ludp_read_relay(struct ss_client *cl, struct ss_ludp_relay *r)
{
	struct ss_dgram_reader rd;
	int len;

	ss_dgram_reader_init(&rd, r->sock, cl->udp.dc.buf + SS_LUDP_HEAD,
			     SS_DGRAM_BUF, &cl->ep.stats,
			     SS_STATS_A_UDP_DROP_BAD);
	rd.want_dst = r->mode == SS_LUDP_TPROXY;
	while ((len = ss_dgram_next(&rd)) >= 0)
		ss_ludp_app_packet(cl, r, &rd.from, &rd.dst, len);
	if (len == -ENOSPC)		/* more next time */
		ss_ludp_relay_queue(&cl->udp, r);
}

/*
 * 2022: may a reply of server session @ssid, packet ID @pid, which has
 * validated, pass? A client session takes the replies of the server's
 * latest session and of the one before it, each through its own window,
 * so that it survives the server's restart (SIP022 section 3.2.4). A
 * third session is refused while the older of the two has had a new
 * packet within the last minute; otherwise it takes the latest's place,
 * and the latest the older's.
 */
static bool ss_ludp_accept_2022(struct ss_ludp_assoc *a, const u8 *ssid,
				u64 pid)
{
	struct ss_ludp_server_session *s = NULL;
	bool newest;
	int i;

	for (i = 0; i < ARRAY_SIZE(a->srv); i++)
		if (a->srv[i].set &&
		    !memcmp(a->srv[i].ssid, ssid, SS_2022_SESSION_ID_LEN))
			s = &a->srv[i];
	if (!s) {
		if (a->srv[1].set &&
		    time_before(jiffies, a->srv[1].last +
				SS_2022_UDP_SESSION_SECS * HZ))
			return false;
		if (pid == (u64)-1)	/* what no window takes */
			return false;
		a->srv[1] = a->srv[0];
		s = &a->srv[0];
		memset(s, 0, sizeof(*s));
		memcpy(s->ssid, ssid, SS_2022_SESSION_ID_LEN);
		s->set = true;
	}
	newest = pid >= s->window.next;
	if (!ss_window_update(&s->window, pid))
		return false;
	/*
	 * Only new packets keep a session recent: old ones held back on the
	 * path and let go later must not lock the next session out.
	 */
	if (newest)
		s->last = jiffies;
	return true;
}

/*
 * 2022: open a reply and check its main header. Return: the length from
 * the address on, at *@pt; or a negative error (counted).
 */
static int ss_ludp_open_2022(struct ss_client *cl, struct ss_ludp_assoc *a,
			     u8 *pkt, size_t len, u8 **pt)
{
	struct ss_endpoint *ep = &cl->ep;
	u8 *body = pkt + ss_dgram_2022_head(ep->method);
	u8 ssid[SS_2022_SESSION_ID_LEN];
	size_t body_len;
	int off, alen;
	u64 pid, ts;

	off = ss_dgram_open_2022(&cl->udp.dc, ep, pkt, len, ssid, &pid, NULL,
				 NULL);
	if (off < 0)
		return off;
	body_len = off;
	off = ss_2022_udp_header(body, body_len, SS_2022_TYPE_RESPONSE,
				 a->csid, &ts);
	alen = off < 0 ? off : ss_addr_head(body + off, body_len - off);
	/* A server never uses our session ID as its own (section 3.2.2). */
	if (alen < 0 || !memcmp(ssid, a->csid, SS_2022_SESSION_ID_LEN)) {
		ss_stats_inc(&ep->stats, SS_STATS_A_UDP_DROP_BAD);
		return -EBADMSG;
	}
	if (!ss_2022_time_ok(ts, ktime_get_real_seconds())) {
		ss_endpoint_bad(ep, SS_STATS_A_STALE_TIMESTAMP);
		return -ETIME;
	}
	if (!ss_ludp_accept_2022(a, ssid, pid)) {
		ss_endpoint_bad(ep, SS_STATS_A_UDP_DROP_WINDOW);
		return -EBADMSG;
	}
	*pt = body + off;
	return body_len - off;
}

/*
 * Transparent mode: send a reply's @data to the application from the
 * replying host's address, @addr (SOCKS5 format, @alen bytes), as
 * ss-redir does: through a socket with IP_TRANSPARENT bound to it for this
 * one datagram. A socket kept bound there would take, unread, what is
 * sent to that address and port: the application's next datagrams where
 * netfilter's socket match finds it, or a local service's.
 */
static int ss_ludp_tproxy_reply(struct ss_client *cl, struct ss_ludp_assoc *a,
				const u8 *addr, int alen, void *data,
				size_t len)
{
	struct net *net = sock_net(a->relay->sock->sk);
	struct ss_target src;
	union ss_sockaddr to;
	struct socket *sock;
	int err;

	ss_addr_parse(addr, alen, &src);
	ss_ludp_unmap(&a->app, &to);
	/*
	 * No address to send from: a name, a host of the other family, or
	 * one of this namespace's own addresses (loopback, broadcast,
	 * multicast...: a bound socket there could take a local service's
	 * datagrams, even for the instant it lives). (Port 0 never gets
	 * here: ss_addr_head() refused it.)
	 */
	if (src.name_len || src.addr.sa.sa_family != to.sa.sa_family ||
	    ss_addr_is_local(net, &src.addr)) {
		ss_stats_inc(&cl->ep.stats, SS_STATS_A_UDP_DROP_BAD);
		return 0;
	}
	err = ss_socket_create(net, cl->ep.memcg, src.addr.sa.sa_family,
			       SOCK_DGRAM, &sock);
	if (err)
		return err;
	/*
	 * The relay socket has IP_TRANSPARENT, and the caller CAP_NET_ADMIN
	 * over its namespace (both checked when it was handed over): its
	 * owner may send from other hosts' addresses there.
	 */
	ss_sk_set_transparent(sock->sk);
	sock_set_reuseaddr(sock->sk);
	err = kernel_bind(sock, (struct sockaddr *)&src.addr.sa,
			  src.addr.sa.sa_family == AF_INET ?
			  sizeof(src.addr.in4) : sizeof(src.addr.in6));
	if (!err)
		err = ss_dgram_send(sock, &to, data, len);
	sock_release(sock);
	return err;
}

/* One reply from the server, @len bytes at buf + SS_LUDP_HEAD. */
static void ss_ludp_reply(struct ss_client *cl, struct ss_ludp_assoc *a,
			  size_t len)
{
	struct ss_stats *stats = &cl->ep.stats;
	struct ss_ludp_relay *r = a->relay;
	u8 *pkt = cl->udp.dc.buf + SS_LUDP_HEAD;
	u8 *pt = pkt + cl->ep.method->salt_len;
	size_t pt_len, out_len;
	int alen, ret;
	u8 *out;

	if (ss_method_is_2022(cl->ep.method))
		ret = ss_ludp_open_2022(cl, a, pkt, len, &pt);
	else
		ret = ss_dgram_open(&cl->udp.dc, &cl->ep, pkt, len);
	if (ret < 0)
		return;
	/*
	 * Only what authenticates keeps the association: its socket is
	 * connected to the server, but a source address is easily forged.
	 * (With AEAD-2017 a reply captured and replayed still does: the
	 * protocol has no replay protection for replies.)
	 */
	a->last_used = jiffies;
	r->last_used = jiffies;
	pt_len = ret;
	alen = ss_addr_head(pt, pt_len);
	if (alen < 0) {
		ss_stats_inc(stats, SS_STATS_A_UDP_DROP_BAD);
		return;
	}
	ss_stats_inc(stats, SS_STATS_A_UDP_PKTS_IN);
	ss_stats_add(stats, SS_STATS_A_UDP_BYTES_IN, pt_len - alen);

	if (r->mode == SS_LUDP_SOCKS5) {
		/* The salt (2022: header) is spent: RSV RSV FRAG go over it. */
		out = pt - SS_SOCKS5_UDP_HDR;
		out_len = pt_len + SS_SOCKS5_UDP_HDR;
		memset(out, 0, SS_SOCKS5_UDP_HDR);
	} else {
		out = pt + alen;
		out_len = pt_len - alen;
	}
	if (r->mode == SS_LUDP_TPROXY)
		ret = ss_ludp_tproxy_reply(cl, a, pt, alen, out, out_len);
	else
		ret = ss_dgram_send(r->sock, &a->app, out, out_len);
	if (ret < 0) {
		pr_debug("udp local assoc %u cannot reply: error %d\n", a->id,
			 ret);
		ss_stats_inc(stats, SS_STATS_A_UDP_DROP_TARGET);
	}
}

/*
 * Read the server's replies on an association's socket, connected to the
 * server: an ICMP error from it (port unreachable) is skipped.
 */
static void ss_ludp_read_assoc(struct ss_client *cl, struct ss_ludp_assoc *a)
{
	struct ss_dgram_reader rd;
	int len;

	ss_dgram_reader_init(&rd, a->sock, cl->udp.dc.buf + SS_LUDP_HEAD,
			     SS_DGRAM_BUF, &cl->ep.stats,
			     SS_STATS_A_UDP_DROP_BAD);
	while ((len = ss_dgram_next(&rd)) >= 0)
		ss_ludp_reply(cl, a, len);
	if (len == -ENOSPC)		/* more next time */
		ss_ludp_assoc_queue(&cl->udp, a);
}

static void ss_ludp_work(struct work_struct *work)
{
	struct ss_ludp *l = container_of(work, struct ss_ludp, work);
	struct ss_client *cl = container_of(l, struct ss_client, udp);
	struct ss_ludp_relay *r, *rtmp;
	struct ss_ludp_assoc *a, *atmp;

	mutex_lock(&l->lock);
	if (l->closing) {
		mutex_unlock(&l->lock);
		return;		/* ss_ludp_stop() empties the ready lists */
	}
	ss_ready_for_each(r, rtmp, &l->ready_relays, ready) {
		ss_ready_taken(&r->ready);
		if (!r->dead && test_and_clear_bit(SS_LUDP_CTRL_DATA, &r->flags) &&
		    ss_ludp_ctrl_drain(cl, r))
			set_bit(SS_LUDP_KILL, &r->flags);
		if (!r->dead && test_bit(SS_LUDP_KILL, &r->flags))
			ss_ludp_relay_remove(cl, r, "control socket closed");
		else if (!r->dead)
			ss_ludp_read_relay(cl, r);
		ss_ludp_relay_put(r);
	}
	ss_ready_for_each(a, atmp, &l->ready_assocs, ready) {
		ss_ready_taken(&a->ready);
		if (!a->dead)
			ss_ludp_read_assoc(cl, a);
		ss_ludp_assoc_put(a);
	}
	mutex_unlock(&l->lock);
}

/*
 * Ends idle associations, and relays without a control socket that have
 * had none for the timeout. (Such a relay must end by itself: the socket
 * it holds, created by userspace, holds its namespace, so the namespace's
 * exit could never end it.)
 */
static void ss_ludp_gc(struct work_struct *work)
{
	struct ss_ludp *l = container_of(to_delayed_work(work), struct ss_ludp,
					 gc);
	struct ss_client *cl = container_of(l, struct ss_client, udp);
	unsigned long idle = (unsigned long)cl->ep.timeout * HZ;
	struct ss_ludp_relay *r, *rtmp;
	struct ss_ludp_assoc *a;
	struct hlist_node *tmp;
	u32 bkt;

	mutex_lock(&l->lock);
	if (l->closing)
		goto out;
	for (bkt = 0; bkt < ss_dgram_buckets(&l->assocs); bkt++) {
		hlist_for_each_entry_safe(a, tmp, &l->assocs.buckets[bkt], node)
			if (time_after(jiffies, a->last_used + idle))
				ss_ludp_assoc_remove(cl, a, "idle");
		cond_resched();
	}
	list_for_each_entry_safe(r, rtmp, &l->relays, node) {
		if (!r->ctrl && !r->nr_assocs &&
		    time_after(jiffies, r->last_used + idle))
			ss_ludp_relay_remove(cl, r, "idle");
		cond_resched();
	}
	if (l->nr_relays)
		queue_delayed_work(ss_wq, &l->gc, ss_dgram_gc_period(&cl->ep));
out:
	mutex_unlock(&l->lock);
}

/**
 * ss_ludp_init() - set up a client profile's UDP state
 * @cl: the profile, not published yet
 *
 * Allocates nothing: the buffer, the ciphers and the association table
 * come with the first relay.
 */
void ss_ludp_init(struct ss_client *cl)
{
	struct ss_ludp *l = &cl->udp;

	mutex_init(&l->lock);
	INIT_LIST_HEAD(&l->relays);
	init_llist_head(&l->ready_relays);
	init_llist_head(&l->ready_assocs);
	INIT_WORK(&l->work, ss_ludp_work);
	INIT_DELAYED_WORK(&l->gc, ss_ludp_gc);
}

/*
 * A TCP control connection whose client vanished (no FIN, no reset) must
 * still end the relay: keepalive probes after the profile's timeout.
 */
static void ss_ludp_ctrl_keepalive(struct ss_client *cl, struct sock *sk)
{
	if (sk->sk_protocol != IPPROTO_TCP)
		return;
	sock_set_keepalive(sk);
	tcp_sock_set_keepidle(sk, min_t(u32, cl->ep.timeout, MAX_TCP_KEEPIDLE));
	tcp_sock_set_keepintvl(sk, clamp_t(u32, cl->ep.timeout / 4, 1, 75));
	tcp_sock_set_keepcnt(sk, 4);
}

/* Write the reply on the control socket: all of it, or an error. */
static int ss_ludp_send_reply(struct socket *ctrl, const u8 *reply,
			      size_t len)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };
	struct kvec iov = { .iov_base = (void *)reply, .iov_len = len };
	int ret;

	ret = kernel_sendmsg(ctrl, &msg, &iov, 1, len);
	if (ret < 0)
		return ret;
	return (size_t)ret == len ? 0 : -EAGAIN;
}

/*
 * Both ends of one AF_UNIX socket pair as control sockets (of two relays)
 * would keep each other open for ever, whoever else closed them: an
 * AF_UNIX control socket whose peer the kernel uses already is refused.
 * The mutex makes the check and the take one step for every profile.
 */
static DEFINE_MUTEX(ss_ludp_unix_lock);

static int ss_ludp_take_ctrl(struct ss_ludp_relay *r)
{
	struct sock *sk = r->ctrl->sk, *peer;
	int err;

	if (sk->sk_family != AF_UNIX)
		return ss_sock_take(r->ctrl, r, &ss_ludp_ctrl_cbs,
				    &r->ctrl_saved, SS_SOCK_USER);
	mutex_lock(&ss_ludp_unix_lock);
	peer = unix_peer_get(sk);
	if (peer && rcu_access_pointer(__sk_user_data(peer)))
		err = -EBUSY;
	else
		err = ss_sock_take(r->ctrl, r, &ss_ludp_ctrl_cbs,
				   &r->ctrl_saved, SS_SOCK_USER);
	mutex_unlock(&ss_ludp_unix_lock);
	if (peer)
		sock_put(peer);
	return err;
}

/*
 * The profile's association table and codec, made by its first relay and
 * kept until the profile goes: whichever is missing (nothing once both
 * exist), charged to the profile's creator.
 */
static int ss_ludp_profile_alloc(struct ss_client *cl)
{
	struct ss_ludp *l = &cl->udp;
	struct mem_cgroup *old;
	int err = 0;

	lockdep_assert_held(&l->lock);
	old = ss_memcg_enter(&cl->ep);
	if (!l->assocs.buckets)
		err = ss_dgram_table_init(&l->assocs, cl->ep.max_conns,
					  SS_LUDP_HASH_BITS);
	if (!err && !l->dc.buf)
		err = ss_dgram_codec_init(&l->dc, &cl->ep, SS_LUDP_BUF);
	ss_memcg_leave(old);
	return err;
}

static const char *const ss_ludp_mode_names[] = {
	[SS_LUDP_TUNNEL] = "tunnel",
	[SS_LUDP_SOCKS5] = "socks5",
	[SS_LUDP_TPROXY] = "tproxy",
};

/* ss_ludp_relay_new()'s work, once the sockets passed the early checks */
static int ss_ludp_relay_start(struct net *net, struct ss_client *cl,
			       const struct ss_ludp_cfg *cfg)
{
	struct ss_ludp *l = &cl->udp;
	struct ss_ludp_relay *r;
	int err;

	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM;
	kref_init(&r->refcount);
	r->cl = cl;
	r->net = net;
	r->id = atomic_inc_return(&ss_ludp_ids);
	r->sock = cfg->sock;
	r->ctrl = cfg->ctrl;
	r->mode = cfg->mode;
	r->target_len = cfg->target_len;
	memcpy(r->target, cfg->target, cfg->target_len);
	r->source = cfg->source;
	INIT_LIST_HEAD(&r->assocs);
	r->last_used = jiffies;
	/* From here on every way out drops the reference: "destroyed". */
	pr_debug("udp relay %u created on client %s (%s)\n", r->id,
		 cl->ep.entry.name, ss_ludp_mode_names[r->mode]);

	mutex_lock(&l->lock);
	err = -ENOENT;
	if (l->closing)
		goto err_unlock;
	err = -EMFILE;
	if (l->nr_relays >= cl->ep.max_conns) {
		ss_endpoint_refused(&cl->ep);
		goto err_unlock;
	}
	/*
	 * The first relay brings the profile's table and codec: charged to
	 * the profile's creator, not to whoever starts that relay.
	 */
	err = ss_ludp_profile_alloc(cl);
	if (err)
		goto err_unlock;
	err = ss_sock_take(r->sock, r, &ss_ludp_relay_cbs, &r->sock_saved,
			   SS_SOCK_USER);
	if (err)
		goto err_unlock;
	if (r->ctrl) {
		err = ss_ludp_take_ctrl(r);
		if (err)
			goto err_given;
	}
	if (cfg->reply_len) {
		err = ss_ludp_send_reply(r->ctrl, cfg->reply, cfg->reply_len);
		if (err)
			goto err_given;
	}
	if (r->ctrl) {
		ss_ludp_ctrl_keepalive(cl, r->ctrl->sk);
		/* What came before our callbacks is dropped too. */
		set_bit(SS_LUDP_CTRL_DATA, &r->flags);
	}
	list_add_tail(&r->node, &l->relays);
	l->nr_relays++;
	/* Datagrams, or the control socket's end, may have come already. */
	if (r->ctrl && ss_ludp_ctrl_closed(r->ctrl->sk))
		set_bit(SS_LUDP_KILL, &r->flags);
	ss_ludp_relay_queue(l, r);
	queue_delayed_work(ss_wq, &l->gc, ss_dgram_gc_period(&cl->ep));
	mutex_unlock(&l->lock);
	return 0;

err_given:
	/*
	 * Our callbacks were installed: a datagram, or the control socket's
	 * end, may have queued the relay already. It is not listed, and the
	 * queued reference finds it dead.
	 */
	r->dead = true;
	ss_sock_give_back(r->sock, &r->sock_saved);
	if (r->ctrl)
		ss_sock_give_back(r->ctrl, &r->ctrl_saved);
	mutex_unlock(&l->lock);
	ss_ludp_relay_put(r);
	return err;

err_unlock:
	mutex_unlock(&l->lock);
	ss_ludp_relay_put(r);
	return err;
}

/**
 * ss_ludp_relay_new() - make a UDP relay of the local role
 * @net: the profile's namespace: the server is reached from there
 * @cl: the profile; the caller holds a reference
 * @cfg: the sockets (whose file references the relay takes on success)
 *	and the mode
 * @extack: says why the relay was not made
 *
 * Sleeps. Checks that the sockets can be taken (ss_sock_check_udp(),
 * ss_sock_check_ctrl(); taking them checks again under their locks), takes
 * them over, writes the reply, and starts reading.
 *
 * Return: 0; an error of the socket checks; -ENOENT if the profile is being
 * removed; -EMFILE (counted as refused) at the profile's max_conns relays;
 * -EBUSY for a socket the kernel uses already; -EPERM for transparent mode
 * on a socket without IP_TRANSPARENT; -ENOMEM; the error of writing the
 * reply.
 */
int ss_ludp_relay_new(struct net *net, struct ss_client *cl,
		      const struct ss_ludp_cfg *cfg,
		      struct netlink_ext_ack *extack)
{
	int err;

	err = ss_sock_check_udp(cfg->sock, extack);
	/*
	 * Transparent mode sends from other hosts' addresses: only from a
	 * socket that may receive theirs (IP_TRANSPARENT: CAP_NET_RAW or
	 * CAP_NET_ADMIN over its namespace when set; the caller's own
	 * CAP_NET_ADMIN there is netlink.c's check), and only there.
	 */
	if (!err && cfg->mode == SS_LUDP_TPROXY &&
	    !ss_sk_transparent(cfg->sock->sk)) {
		NL_SET_ERR_MSG(extack,
			       "tproxy mode needs a socket with IP_TRANSPARENT");
		err = -EPERM;
	}
	if (!err && cfg->ctrl)
		err = ss_sock_check_ctrl(cfg->ctrl, extack);
	if (err)
		return err;
	err = ss_ludp_relay_start(net, cl, cfg);
	switch (err) {
	case 0:
		break;
	case -EMFILE:
		NL_SET_ERR_MSG(extack,
			       "the client profile has max-conns UDP relays already");
		break;
	case -ENOENT:
		NL_SET_ERR_MSG(extack, "the client profile is being deleted");
		break;
	case -EBUSY:
		NL_SET_ERR_MSG(extack,
			       "a socket, or the control socket's peer, is already relayed or in use by the kernel");
		break;
	case -EOPNOTSUPP:
		NL_SET_ERR_MSG(extack,
			       "control socket has a ULP or a protocol other than plain TCP");
		break;
	case -ENOTCONN:
		NL_SET_ERR_MSG(extack, "control socket is not connected");
		break;
	case -ENOMEM:
		NL_SET_ERR_MSG(extack, "out of memory");
		break;
	default:
		NL_SET_ERR_MSG(extack, "cannot start the UDP relay");
		break;
	}
	return err;
}

/**
 * ss_ludp_stop() - end every UDP relay of a profile
 * @cl: the profile, unpublished
 *
 * Every relay's and association's sockets are released, and the works are
 * done, when this returns. Sleeps.
 */
void ss_ludp_stop(struct ss_client *cl)
{
	struct ss_ludp *l = &cl->udp;
	struct ss_ludp_relay *r, *rtmp;
	struct ss_ludp_assoc *a, *atmp;

	mutex_lock(&l->lock);
	l->closing = true;
	list_for_each_entry_safe(r, rtmp, &l->relays, node) {
		ss_ludp_relay_remove(cl, r, "profile deleted");
		cond_resched();
	}
	mutex_unlock(&l->lock);

	/* Nothing queues them any more. */
	cancel_work_sync(&l->work);
	cancel_delayed_work_sync(&l->gc);
	ss_ready_for_each(r, rtmp, &l->ready_relays, ready)
		ss_ludp_relay_put(r);
	ss_ready_for_each(a, atmp, &l->ready_assocs, ready)
		ss_ludp_assoc_put(a);

	ss_dgram_codec_free(&l->dc);
	ss_dgram_table_free(&l->assocs);
}
