// SPDX-License-Identifier: GPL-2.0
/*
 * The server role's UDP relay (protocol.md, "UDP packet").
 *
 * A client packet is [salt][AEAD(target address, payload)][tag], sealed
 * with the subkey of its own salt and nonce 0. The server opens it, checks
 * the salt against the replay filter (after authentication, as TCP does),
 * and sends the payload to the target from the client's association: one
 * unconnected kernel UDP socket per address family, created in the
 * server's namespace for each client address at its first packet, so that
 * the targets' replies map back to that client. A reply is sealed with a
 * fresh random salt, the replying host's address in front, and sent to the
 * client from the server's socket the client wrote to.
 *
 * Concurrency: the sockets' sk_data_ready only queue: the listeners queue
 * the server's relay work, an association's sockets put the association on
 * the server's ready list and queue the same work. Everything else (the
 * table, associations, the one packet buffer and the two ciphers) is under
 * the server's &ss_udp.lock, so one server's UDP is handled by one work at
 * a time (as shadowsocks-libev's single thread does); servers run in
 * parallel. Each run handles a bounded number of packets and queues itself
 * again if there are more.
 *
 * Lifetime: the table holds one reference on each association, the ready
 * list one per entry, a lookup under way one (through its struct
 * ss_udp_resolve; the lookup holds one on the server).
 * An association leaves the table (idle for the server's timeout, or the
 * server's end) with its sockets: their callbacks are given back under
 * sk_callback_lock and they are released, so nothing queues it again; it
 * is freed with its last reference.
 *
 * Shadowsocks 2022 (SIP022 section 3.2): an association is a client
 * session instead, and the table is keyed by the client's session ID, so
 * a session survives its client's change of address; replies go to the
 * address of its newest valid packet, under a session ID of our own and a
 * counted packet ID. Each session's window refuses a packet ID seen
 * before; a session is kept at least 60 s.
 *
 * Domain targets: a name is resolved with the same lookups as TCP's
 * (resolve.c: the namespace's agent, or the upcall), in the background, so
 * the relay work never waits for them; they count against the server's
 * lookups in flight as TCP's do. Each association resolves one name at a
 * time and keeps the packet that asked for it (one packet: packets for any
 * name meanwhile are dropped and counted as UDP_DROP_LIMIT; a DNS client
 * retransmits), and caches the last %SS_UDP_DNS_CACHE answers (failures
 * included) for %SS_UDP_DNS_TTL seconds, which spares a lookup per packet.
 * A lookup ends with its association (cancelled when it leaves the table).
 * Memory per association is thus bounded: the structure, two sockets, one
 * pending packet and one lookup.
 *
 * Expiry: an association ends after the server's timeout without a valid
 * packet from its client or a reply from one of the %SS_UDP_PEERS targets
 * the client sent to most recently. Replies from anywhere else are relayed
 * but do not keep it.
 */

#include <linux/err.h>
#include <linux/net.h>
#include <linux/random.h>
#include <linux/timekeeping.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "acl.h"
#include "conn.h"
#include "datagram.h"
#include "replay.h"
#include "resolve.h"
#include "saltpool.h"
#include "server.h"
#include "sip022.h"
#include "udp.h"
#include "window.h"

#define SS_UDP_DNS_CACHE	2
#define SS_UDP_DNS_TTL		30	/* seconds */
#define SS_UDP_PEERS		4	/* targets whose replies keep one alive */

/**
 * struct ss_udp_dns - a cached answer
 * @expires: jiffies; 0 for an empty entry
 * @addr: the address, sa_family 0 when the name did not resolve
 * @len: length of @name
 * @name: the name (not NUL-terminated)
 */
struct ss_udp_dns {
	unsigned long expires;
	union ss_sockaddr addr;
	u8 len;
	char name[SS_DOMAIN_MAX];
};

/**
 * struct ss_udp_peer - a target a client sent to
 * @addr: its address; sa_family 0 for an empty entry
 * @sent: jiffies of the client's last packet to it
 */
struct ss_udp_peer {
	union ss_sockaddr addr;
	unsigned long sent;
};

/**
 * struct ss_udp_assoc - one client address and its sockets to targets
 * @node: in &ss_udp.assocs
 * @refcount: see the top of this file
 * @ready: its place in &ss_udp.ready
 * @srv: the server
 * @id: for the debug log
 * @client: the client's address
 * @listener: index of the server socket the client writes to
 * @sock: the sockets to targets, by family (%SS_LISTEN_IPV4, _IPV6),
 *	created at the first packet for that family
 * @saved: what the sockets had before our callbacks
 * @last_used: jiffies of the last packet from the client, or of a reply
 *	from one of @peers (ss_udp_read_assoc())
 * @peers: the targets the client sent to most recently
 * @dead: out of the table, sockets released
 * @resolve: the lookup under way, or NULL
 * @dns_next: the cache entry the next answer replaces
 * @dns: the cache
 * @csid: 2022: the client's session ID, the table's key; @client is the
 *	address of its last valid packet
 * @ssid: 2022: our session ID toward the client
 * @spid: 2022: the packet ID of our next packet
 * @window: 2022: the client's packet IDs accepted
 * @claim: 2022: holds @csid among the servers that share our salt pool
 *	while the session lives (ss_udp_session_claim())
 * @record: 2022: room for the record the session leaves if its server or
 *	user ends it (ss_udp_session_record()), taken at its start, so that
 *	the record can neither fail nor pass the memory cgroup's limit
 * @user: 2022 with users: the SIP023 user whose session it is, a
 *	reference held; the session's packets both ways are under its PSK
 * @rcu: frees it: @claim may be walked under RCU by another server's
 *	claim in the same salt pool
 *
 * All but @refcount and @ready are under &ss_udp.lock.
 */
struct ss_udp_assoc {
	struct hlist_node node;
	struct kref refcount;
	struct ss_ready ready;
	struct ss_server *srv;
	u32 id;
	union ss_sockaddr client;
	int listener;
	struct socket *sock[SS_LISTEN_NR];
	struct ss_sock_saved saved[SS_LISTEN_NR];
	unsigned long last_used;
	struct ss_udp_peer peers[SS_UDP_PEERS];
	bool dead;
	struct ss_udp_resolve *resolve;
	u8 dns_next;
	struct ss_udp_dns dns[SS_UDP_DNS_CACHE];
	u8 csid[SS_2022_SESSION_ID_LEN];
	u8 ssid[SS_2022_SESSION_ID_LEN];
	u64 spid;
	struct ss_window window;
	struct ss_salt_claim claim;
	struct ss_salt *record;
	struct ss_user *user;
	struct rcu_head rcu;
};

/**
 * struct ss_udp_resolve - a lookup for an association: the owner resolve.c
 *	gives back to ss_udp_lookup_done()
 * @assoc: a reference held
 * @lookup: a reference held
 * @len: length of @name
 * @name: NUL-terminated
 * @data_len: length of @data
 * @data: the payload of the packet that asked
 */
struct ss_udp_resolve {
	struct ss_udp_assoc *assoc;
	struct ss_lookup *lookup;
	u8 len;
	char name[SS_DOMAIN_MAX + 1];
	size_t data_len;
	u8 data[];
};

static atomic_t ss_udp_assoc_ids = ATOMIC_INIT(0);

static void ss_udp_assoc_release(struct kref *refcount)
{
	struct ss_udp_assoc *a = container_of(refcount, struct ss_udp_assoc,
					      refcount);

	pr_debug("udp assoc %u destroyed\n", a->id);
	if (a->user)
		ss_user_put(a->user);
	ss_salt_record_free(a->record);
	kfree_rcu(a, rcu);
}

static void ss_udp_assoc_put(struct ss_udp_assoc *a)
{
	kref_put(&a->refcount, ss_udp_assoc_release);
}

/* Put @a on the ready list; see ss_ready_queue(). */
static void ss_udp_assoc_queue(struct ss_udp *udp, struct ss_udp_assoc *a)
{
	ss_ready_queue(&a->ready, &a->refcount, &udp->ready, &udp->work);
}

/* An association socket's sk_data_ready: softirq or process context. */
static void ss_udp_assoc_data_ready(struct sock *sk)
{
	void (*pass)(struct sock *sk) = NULL;
	struct ss_udp_assoc *a;

	read_lock_bh(&sk->sk_callback_lock);
	a = ss_sock_owner(sk);
	if (a)
		ss_udp_assoc_queue(&a->srv->udp, a);
	else
		pass = READ_ONCE(sk->sk_data_ready);
	read_unlock_bh(&sk->sk_callback_lock);
	ss_sock_pass_on(sk, pass, ss_udp_assoc_data_ready);
}

static const struct ss_sock_cbs ss_udp_assoc_cbs = {
	.data_ready = ss_udp_assoc_data_ready,
};

/* A listener's sk_data_ready: softirq or process context. */
static void ss_udp_listen_data_ready(struct sock *sk)
{
	void (*pass)(struct sock *sk) = NULL;
	struct ss_server *srv;

	read_lock_bh(&sk->sk_callback_lock);
	srv = ss_sock_owner(sk);
	if (srv)
		queue_work(ss_wq, &srv->udp.work);
	else
		pass = READ_ONCE(sk->sk_data_ready);
	read_unlock_bh(&sk->sk_callback_lock);
	ss_sock_pass_on(sk, pass, ss_udp_listen_data_ready);
}

static const struct ss_sock_cbs ss_udp_listen_cbs = {
	.data_ready = ss_udp_listen_data_ready,
};

static void ss_udp_resolve_free(struct ss_udp_resolve *req)
{
	struct ss_lookup *l = req->lookup;

	ss_udp_assoc_put(req->assoc);
	kfree(req);
	/* Last: its reference keeps the server. */
	ss_lookup_put(l);
}

/*
 * Take an association out of the table, end its lookup and release its
 * sockets.
 */
static void ss_udp_assoc_remove(struct ss_server *srv, struct ss_udp_assoc *a,
				const char *why)
{
	struct ss_udp *udp = &srv->udp;
	int i;

	lockdep_assert_held(&udp->lock);
	if (a->resolve) {
		/* A lost cancel: ss_udp_lookup_done() waits for the lock. */
		if (ss_lookup_cancel(a->resolve->lookup))
			ss_udp_resolve_free(a->resolve);
		a->resolve = NULL;
	}
	hlist_del_init(&a->node);
	if (srv->ep.salts)
		ss_salt_pool_unclaim(srv->ep.salts, &a->claim);
	udp->nr_assocs--;
	atomic64_dec(&srv->ep.stats.udp_assoc_active);
	if (a->user)
		ss_user_count(a->user, SS_STATS_A_UDP_ASSOC_ACTIVE, -1);
	for (i = 0; i < SS_LISTEN_NR; i++) {
		if (!a->sock[i])
			continue;
		ss_sock_give_back(a->sock[i], &a->saved[i]);
		ss_socket_release(&a->sock[i]);
	}
	a->dead = true;
	pr_debug("udp assoc %u closed: %s\n", a->id, why);
	ss_udp_assoc_put(a);
}

/*
 * A 2022 session ended before its time, with its server or its user: the
 * salt pool, which outlives the server by a minute (saltpool.c), keeps the
 * packet ID it had reached. A session made for the same client session ID
 * within that minute, on a server with the pool (this one, another with
 * the key, or one made again), goes on from there: a packet of the ended
 * session replayed while its timestamp is in time is refused, while the
 * client, sending higher IDs, is followed. A session that ends idle needs
 * no record: it was idle at least 60 s, longer than a timestamp is in time.
 */
static void ss_udp_session_record(struct ss_server *srv,
				  struct ss_udp_assoc *a)
{
	if (!ss_method_is_2022(srv->ep.method))
		return;
	/* every 2022 server has its pool from its creation to its close */
	if (WARN_ON_ONCE(!srv->ep.salts))
		return;
	if (WARN_ON_ONCE(!a->record))
		return;
	ss_salt_pool_record(srv->ep.salts, a->record, a->csid,
			    SS_2022_SESSION_ID_LEN, a->window.next);
	a->record = NULL;	/* the pool's now */
}

/*
 * A new session's window: where an ended one of its ID stopped, if any;
 * and its claim, refused (-EBUSY) while a session of its ID lives on
 * another server with our key: that one's window has the packets it took,
 * which sent again here would be taken twice. A client that moves to
 * another server with the key goes on there once the first session has
 * ended (then its record is in the pool) or expired (then its packets are
 * stale).
 */
static int ss_udp_session_claim(struct ss_server *srv, struct ss_udp_assoc *a)
{
	u64 next;
	int err;

	BUILD_BUG_ON(SS_SALT_CLAIM_LEN != SS_2022_SESSION_ID_LEN);
	if (WARN_ON_ONCE(!srv->ep.salts))
		return -EINVAL;
	a->record = ss_salt_record_new(srv->ep.salts);
	if (!a->record)
		return -ENOMEM;
	err = ss_salt_pool_claim(srv->ep.salts, &a->claim, a->csid);
	if (err)
		return err;	/* the caller frees the room */
	if (ss_salt_pool_lookup(srv->ep.salts, a->csid, SS_2022_SESSION_ID_LEN,
				&next)) {
		ss_window_seen_below(&a->window, next);
		pr_debug("udp assoc %u: goes on from packet ID %llu\n", a->id,
			 next);
	}
	return 0;
}

/*
 * A new association for @from, under @hash in the table (@csid: the 2022
 * client session it is for, else NULL; @user: the SIP023 user whose
 * session it is, else NULL).
 */
static struct ss_udp_assoc *ss_udp_assoc_new(struct ss_server *srv,
					     const union ss_sockaddr *from,
					     int listener, u32 hash,
					     const u8 *csid,
					     struct ss_user *user)
{
	struct ss_udp *udp = &srv->udp;
	struct ss_udp_assoc *a;
	struct mem_cgroup *old;
	int err;

	if (udp->nr_assocs >= srv->ep.max_conns) {
		ss_stats_inc(&srv->ep.stats, SS_STATS_A_UDP_DROP_LIMIT);
		return NULL;
	}
	old = ss_memcg_enter(&srv->ep);
	a = kzalloc(sizeof(*a), GFP_KERNEL_ACCOUNT);
	ss_memcg_leave(old);
	if (!a)
		return NULL;
	kref_init(&a->refcount);
	a->srv = srv;
	a->client = *from;
	a->listener = listener;
	a->last_used = jiffies;
	a->id = atomic_inc_return(&ss_udp_assoc_ids);
	if (csid) {
		memcpy(a->csid, csid, SS_2022_SESSION_ID_LEN);
		/* Never the client's (SIP022 section 3.2.2). */
		do {
			get_random_bytes(a->ssid, SS_2022_SESSION_ID_LEN);
		} while (!memcmp(a->ssid, csid, SS_2022_SESSION_ID_LEN));
		err = ss_udp_session_claim(srv, a);
		if (err) {
			/* -EBUSY: the session lives on another server */
			if (err == -EBUSY)
				ss_endpoint_bad(&srv->ep,
						SS_STATS_A_UDP_DROP_WINDOW);
			else
				ss_stats_inc(&srv->ep.stats,
					     SS_STATS_A_UDP_DROP_LIMIT);
			ss_salt_record_free(a->record);
			kfree(a);
			return NULL;
		}
	}
	if (user) {
		ss_user_get(user);
		a->user = user;
		ss_user_count(user, SS_STATS_A_UDP_ASSOC_ACTIVE, 1);
	}
	hlist_add_head(&a->node, ss_dgram_bucket(&udp->assocs, hash));
	udp->nr_assocs++;
	atomic64_inc(&srv->ep.stats.udp_assoc_active);
	pr_debug("udp assoc %u created on server %s for %pISpc, hash %08x\n",
		 a->id, srv->ep.entry.name, &from->sa, hash);
	queue_delayed_work(ss_wq, &udp->gc, ss_dgram_gc_period(&srv->ep));
	return a;
}

/* AEAD-2017: the association of a client address, made at its first. */
static struct ss_udp_assoc *ss_udp_assoc_get(struct ss_server *srv,
					     const union ss_sockaddr *from,
					     int listener)
{
	u32 hash = ss_dgram_hash(from);
	struct ss_udp_assoc *a;

	hlist_for_each_entry(a, ss_dgram_bucket(&srv->udp.assocs, hash), node)
		if (ss_dgram_addr_eq(&a->client, from))
			return a;
	return ss_udp_assoc_new(srv, from, listener, hash, NULL, NULL);
}

/*
 * 2022: the association of a client session, made at its first. With
 * users, a session is its user's: a packet of another user (or of none)
 * that quotes its session ID is dropped, and a removed user's packets
 * make no new session.
 */
static struct ss_udp_assoc *ss_udp_session_get(struct ss_server *srv,
					       const u8 *csid,
					       const union ss_sockaddr *from,
					       int listener,
					       struct ss_user *user)
{
	u32 hash = ss_dgram_hash_sid(csid);
	struct ss_udp_assoc *a;

	hlist_for_each_entry(a, ss_dgram_bucket(&srv->udp.assocs, hash), node) {
		if (memcmp(a->csid, csid, SS_2022_SESSION_ID_LEN))
			continue;
		if (a->user == user)
			return a;
		ss_stats_inc(&srv->ep.stats, SS_STATS_A_UDP_DROP_BAD);
		return NULL;
	}
	/* ss_udp_end_user() sets it before it takes the lock we hold. */
	if (user && READ_ONCE(user->dead))
		return NULL;
	return ss_udp_assoc_new(srv, from, listener, hash, csid, user);
}

/* The association's socket for @family, created at its first use. */
static struct socket *ss_udp_assoc_sock(struct ss_server *srv,
					struct ss_udp_assoc *a, int family)
{
	int i = family == AF_INET ? SS_LISTEN_IPV4 : SS_LISTEN_IPV6;
	struct socket *sock;
	int err;

	if (a->sock[i])
		return a->sock[i];
	err = ss_socket_create(srv->udp.net, srv->ep.memcg, family, SOCK_DGRAM,
			       &sock);
	if (err) {
		pr_debug("udp assoc %u: cannot create socket: error %d\n",
			 a->id, err);
		return NULL;
	}
	if (family == AF_INET6)
		ip6_sock_set_v6only(sock->sk);
	/* Our own socket: nobody else can have taken it. */
	ss_sock_take(sock, a, &ss_udp_assoc_cbs, &a->saved[i], 0);
	a->sock[i] = sock;
	return sock;
}

/*
 * Remember a target the client sent to (see ss_udp_read_assoc()), in
 * place of the one it sent to least recently.
 */
static void ss_udp_peer_note(struct ss_udp_assoc *a,
			     const union ss_sockaddr *to)
{
	struct ss_udp_peer *p, *old = &a->peers[0];

	for (p = a->peers; p < a->peers + SS_UDP_PEERS; p++) {
		if (ss_dgram_addr_eq(&p->addr, to)) {
			old = p;
			break;
		}
		if (!p->addr.sa.sa_family ||
		    (old->addr.sa.sa_family && time_before(p->sent, old->sent)))
			old = p;
	}
	old->addr = *to;
	old->sent = jiffies;
}

static bool ss_udp_peer_known(const struct ss_udp_assoc *a,
			      const union ss_sockaddr *from)
{
	int i;

	for (i = 0; i < SS_UDP_PEERS; i++)
		if (ss_dgram_addr_eq(&a->peers[i].addr, from))
			return true;
	return false;
}

/* Send a payload to a resolved target, or count why not. */
static void ss_udp_send_target(struct ss_server *srv, struct ss_udp_assoc *a,
			       union ss_sockaddr *to, u8 *data, size_t len)
{
	struct socket *sock;
	int ret;

	if (ss_acl_blocks_addr(srv->ep.acl, to)) {
		pr_debug("udp assoc %u refused target %pISpc: ACL\n", a->id,
			 &to->sa);
		ss_stats_inc(&srv->ep.stats, SS_STATS_A_ACL_BLOCK);
		return;
	}
	if (!srv->allow_local && ss_addr_is_local(srv->udp.net, to)) {
		pr_debug("udp assoc %u refused target %pISpc: local\n", a->id,
			 &to->sa);
		goto drop;
	}
	sock = ss_udp_assoc_sock(srv, a, to->sa.sa_family);
	if (!sock)
		goto drop;
	ret = ss_dgram_send(sock, to, data, len);
	if (ret < 0) {
		pr_debug("udp assoc %u cannot send to %pISpc: error %d\n",
			 a->id, &to->sa, ret);
		goto drop;
	}
	a->last_used = jiffies;
	ss_udp_peer_note(a, to);
	return;

drop:
	ss_stats_inc(&srv->ep.stats, SS_STATS_A_UDP_DROP_TARGET);
}

/*
 * The lookup's answer (resolve.c), once, in process context: cache it and
 * send the packet that asked, unless the association has ended meanwhile.
 */
static void ss_udp_lookup_done(void *owner, int err,
			       const union ss_sockaddr *addr)
{
	struct ss_udp_resolve *req = owner;
	struct ss_udp_assoc *a = req->assoc;
	struct ss_server *srv = a->srv;
	struct ss_udp *udp = &srv->udp;
	struct ss_udp_dns *d;

	mutex_lock(&udp->lock);
	if (a->resolve == req)
		a->resolve = NULL;
	if (!a->dead && !udp->closing) {
		d = &a->dns[a->dns_next];
		a->dns_next = (a->dns_next + 1) % SS_UDP_DNS_CACHE;
		d->expires = jiffies + SS_UDP_DNS_TTL * HZ ?: 1;
		if (err)
			memset(&d->addr, 0, sizeof(d->addr));
		else
			d->addr = *addr;
		d->len = req->len;
		memcpy(d->name, req->name, req->len);
		if (err) {
			pr_debug("udp assoc %u cannot resolve %s: error %d\n",
				 a->id, req->name, err);
			ss_stats_inc(&srv->ep.stats, SS_STATS_A_DNS_FAIL);
			ss_stats_inc(&srv->ep.stats, SS_STATS_A_UDP_DROP_TARGET);
		} else {
			ss_udp_send_target(srv, a, &d->addr, req->data,
					   req->data_len);
		}
	}
	mutex_unlock(&udp->lock);
	ss_udp_resolve_free(req);
}

/* A domain target: from the cache, or resolved in the background. */
static void ss_udp_send_name(struct ss_server *srv, struct ss_udp_assoc *a,
			     const struct ss_target *t, u8 *data, size_t len)
{
	struct ss_udp *udp = &srv->udp;
	struct ss_udp_resolve *req;
	union ss_sockaddr addr;
	struct mem_cgroup *old;
	struct ss_lookup *l;
	int i;

	/* refused before it is looked up: the ACL names it */
	if (ss_acl_blocks_name(srv->ep.acl, t->name, t->name_len)) {
		pr_debug("udp assoc %u refused target %s: ACL\n", a->id, t->name);
		ss_stats_inc(&srv->ep.stats, SS_STATS_A_ACL_BLOCK);
		return;
	}
	for (i = 0; i < SS_UDP_DNS_CACHE; i++) {
		struct ss_udp_dns *d = &a->dns[i];

		if (!d->expires || time_after(jiffies, d->expires) ||
		    d->len != t->name_len || memcmp(d->name, t->name, d->len))
			continue;
		if (!d->addr.sa.sa_family) {	/* did not resolve */
			ss_stats_inc(&srv->ep.stats, SS_STATS_A_UDP_DROP_TARGET);
			return;
		}
		addr = d->addr;
		if (addr.sa.sa_family == AF_INET)
			addr.in4.sin_port = t->port;
		else
			addr.in6.sin6_port = t->port;
		ss_udp_send_target(srv, a, &addr, data, len);
		return;
	}

	if (a->resolve) {
		ss_stats_inc(&srv->ep.stats, SS_STATS_A_UDP_DROP_LIMIT);
		return;
	}
	old = ss_memcg_enter(&srv->ep);
	req = kmalloc(struct_size(req, data, len), GFP_KERNEL_ACCOUNT);
	ss_memcg_leave(old);
	if (!req)
		return;
	kref_get(&a->refcount);
	req->assoc = a;
	req->len = t->name_len;
	memcpy(req->name, t->name, t->name_len);
	req->name[t->name_len] = '\0';
	req->data_len = len;
	memcpy(req->data, data, len);
	pr_debug("udp assoc %u resolving %s\n", a->id, req->name);
	/* The answer waits for &udp->lock, held here, to find req set up. */
	l = ss_lookup_start(srv, udp->net, req->name, req->len, t->port,
			    ss_udp_lookup_done, req);
	if (IS_ERR(l)) {
		pr_debug("udp assoc %u cannot start its lookup: error %ld\n",
			 a->id, PTR_ERR(l));
		ss_stats_inc(&srv->ep.stats, SS_STATS_A_DNS_FAIL);
		ss_stats_inc(&srv->ep.stats, SS_STATS_A_UDP_DROP_TARGET);
		ss_udp_assoc_put(a);	/* not the last: the table holds one */
		kfree(req);
		return;
	}
	req->lookup = l;
	a->resolve = req;
}

/* One packet from a client, @len bytes in the buffer. */
static void ss_udp_client_packet(struct ss_server *srv, int listener,
				 const union ss_sockaddr *from, size_t len)
{
	const struct ss_method_info *method = srv->ep.method;
	struct ss_udp *udp = &srv->udp;
	struct ss_target *t = &udp->target;
	size_t salt_len = method->salt_len;
	struct ss_udp_assoc *a;
	u8 *pt = udp->dc.buf + salt_len;
	size_t pt_len;
	int alen, ret;

	ret = ss_dgram_open(&udp->dc, &srv->ep, udp->dc.buf, len);
	if (ret < 0)
		return;
	pt_len = ret;
	alen = ss_addr_target(pt, pt_len, t);
	if (alen < 0) {
		ss_stats_inc(&srv->ep.stats, SS_STATS_A_UDP_DROP_BAD);
		return;
	}
	if (ss_replay_check_and_add(srv->ep.replay, udp->dc.buf, salt_len)) {
		ss_endpoint_bad(&srv->ep, SS_STATS_A_UDP_DROP_REPLAY);
		return;
	}
	ss_stats_inc(&srv->ep.stats, SS_STATS_A_UDP_PKTS_IN);
	ss_stats_add(&srv->ep.stats, SS_STATS_A_UDP_BYTES_IN, pt_len - alen);

	a = ss_udp_assoc_get(srv, from, listener);
	if (!a)
		return;
	a->last_used = jiffies;
	if (t->name_len)
		ss_udp_send_name(srv, a, t, pt + alen, pt_len - alen);
	else
		ss_udp_send_target(srv, a, &t->addr, pt + alen, pt_len - alen);
}

/*
 * One Shadowsocks 2022 packet from a client (SIP022 section 3.2), @len
 * bytes in the buffer. Its session is found by the client's session ID,
 * whatever address it came from; once the packet has validated (it
 * authenticates, its header and address parse, its timestamp is within
 * 30 s) its packet ID goes through the session's window, and the session
 * follows the newest packet to the address it came from (section 3.2.4).
 * A session that ended with its server or user goes on where it stopped
 * (ss_udp_session_record()); one that lives on another server with our
 * PSK makes none here (ss_udp_session_claim()).
 */
static void ss_udp_client_packet_2022(struct ss_server *srv, int listener,
				      const union ss_sockaddr *from, size_t len)
{
	struct ss_users *users = ss_users_active(&srv->users) ? &srv->users :
								NULL;
	struct ss_endpoint *ep = &srv->ep;
	struct ss_udp *udp = &srv->udp;
	struct ss_target *t = &udp->target;
	u8 *body = udp->dc.buf + ss_dgram_2022_head(ep->method) +
		   (users ? SS_2022_IDENTITY_LEN : 0);
	u8 csid[SS_2022_SESSION_ID_LEN];
	struct ss_user *user = NULL;
	struct ss_udp_assoc *a;
	size_t body_len;
	int off, alen;
	u64 pid, ts;
	bool newest;

	off = ss_dgram_open_2022(&udp->dc, ep, udp->dc.buf, len, csid, &pid,
				 users, &user);
	if (off < 0)
		return;
	body_len = off;
	off = ss_2022_udp_header(body, body_len, SS_2022_TYPE_REQUEST, NULL,
				 &ts);
	alen = off < 0 ? off : ss_addr_target(body + off, body_len - off, t);
	if (alen < 0) {
		ss_stats_inc(&ep->stats, SS_STATS_A_UDP_DROP_BAD);
		goto out;
	}
	if (!ss_2022_time_ok(ts, ktime_get_real_seconds())) {
		ss_endpoint_bad(ep, SS_STATS_A_STALE_TIMESTAMP);
		goto out;
	}
	a = ss_udp_session_get(srv, csid, from, listener, user);
	if (!a)
		goto out;
	newest = pid >= a->window.next;
	if (!ss_window_update(&a->window, pid)) {
		ss_endpoint_bad(ep, SS_STATS_A_UDP_DROP_WINDOW);
		goto out;
	}
	/*
	 * Only the newest packet moves the session: one held back on the
	 * path and let go later, from elsewhere, would take the replies.
	 */
	if (newest && !ss_dgram_addr_eq(&a->client, from)) {
		pr_debug("udp assoc %u: client moved to %pISpc\n", a->id,
			 &from->sa);
		a->client = *from;
		a->listener = listener;
	}
	a->last_used = jiffies;
	off += alen;
	ss_stats_inc(&ep->stats, SS_STATS_A_UDP_PKTS_IN);
	ss_stats_add(&ep->stats, SS_STATS_A_UDP_BYTES_IN, body_len - off);
	if (user) {
		ss_user_count(user, SS_STATS_A_UDP_PKTS_IN, 1);
		ss_user_count(user, SS_STATS_A_UDP_BYTES_IN, body_len - off);
	}
	if (t->name_len)
		ss_udp_send_name(srv, a, t, body + off, body_len - off);
	else
		ss_udp_send_target(srv, a, &t->addr, body + off,
				   body_len - off);
out:
	if (user)
		ss_user_put(user);
}

/* Read a listener; false when it has nothing more. */
static bool ss_udp_read_listener(struct ss_server *srv, int i)
{
	struct ss_dgram_reader rd;
	int len;

	ss_dgram_reader_init(&rd, srv->listen[i].udp, srv->udp.dc.buf,
			     SS_DGRAM_BUF, &srv->ep.stats,
			     SS_STATS_A_UDP_DROP_BAD);
	while ((len = ss_dgram_next(&rd)) >= 0) {
		if (ss_method_is_2022(srv->ep.method))
			ss_udp_client_packet_2022(srv, i, &rd.from, len);
		else
			ss_udp_client_packet(srv, i, &rd.from, len);
	}
	return len == -ENOSPC;
}

/*
 * Where a reply is read in the buffer: after room for what goes in front
 * of it, the salt (2022: the separate header or nonce and IDs, and the
 * main header) and the longest IP address.
 */
static size_t ss_udp_reply_head(const struct ss_server *srv)
{
	const struct ss_method_info *m = srv->ep.method;

	if (ss_method_is_2022(m))
		return ss_dgram_2022_head(m) + SS_2022_UDP_SERVER_HDR +
		       SS_DGRAM_ADDR_IP_MAX;
	return m->salt_len + SS_DGRAM_ADDR_IP_MAX;
}

/*
 * Seal the reply in the buffer, the payload at ss_udp_reply_head(): the
 * address goes right before it, the salt before that (2022: the main
 * header, then the separate header or nonce and IDs, under our session ID
 * and next packet ID). Return: where the packet starts, or NULL.
 */
static u8 *ss_udp_seal_reply(struct ss_server *srv, struct ss_udp_assoc *a,
			     const union ss_sockaddr *from, size_t len,
			     size_t *pkt_len)
{
	const struct ss_method_info *m = srv->ep.method;
	struct ss_udp *udp = &srv->udp;
	u8 *data = udp->dc.buf + ss_udp_reply_head(srv);
	size_t alen = ss_addr_put_ip(data, from);
	size_t head, hlen;
	u8 *pkt;

	if (!ss_method_is_2022(m)) {
		pkt = data - alen - m->salt_len;
		ss_replay_own_salt(pkt, m->salt_len);
		if (ss_dgram_seal(&udp->dc, &srv->ep, pkt, alen + len))
			return NULL;
		*pkt_len = m->salt_len + alen + len + SS_TAG_LEN;
		return pkt;
	}
	head = ss_dgram_2022_head(m);
	pkt = data - alen - SS_2022_UDP_SERVER_HDR - head;
	hlen = ss_2022_udp_header_put(pkt + head, ktime_get_real_seconds(),
				      a->csid);
	if (ss_dgram_seal_2022(&udp->dc, &srv->ep, a->user, a->ssid, a->spid++,
			       pkt, hlen + alen + len))
		return NULL;
	*pkt_len = head + hlen + alen + len + SS_TAG_LEN;
	return pkt;
}

/* Seal a reply, @len bytes at ss_udp_reply_head(), and send it. */
static void ss_udp_reply(struct ss_server *srv, struct ss_udp_assoc *a,
			 const union ss_sockaddr *from, size_t len)
{
	struct socket *sock = srv->listen[a->listener].udp;
	size_t pkt_len;
	u8 *pkt;
	int ret;

	pkt = ss_udp_seal_reply(srv, a, from, len, &pkt_len);
	if (!pkt)
		return;
	ret = ss_dgram_send(sock, &a->client, pkt, pkt_len);
	if (ret < 0) {
		pr_debug("udp assoc %u cannot reply: error %d\n", a->id, ret);
		ss_stats_inc(&srv->ep.stats, SS_STATS_A_UDP_DROP_TARGET);
		return;
	}
	ss_stats_inc(&srv->ep.stats, SS_STATS_A_UDP_PKTS_OUT);
	ss_stats_add(&srv->ep.stats, SS_STATS_A_UDP_BYTES_OUT, len);
	if (a->user) {
		ss_user_count(a->user, SS_STATS_A_UDP_PKTS_OUT, 1);
		ss_user_count(a->user, SS_STATS_A_UDP_BYTES_OUT, len);
	}
}

/* Read the replies waiting on an association's sockets. */
static void ss_udp_read_assoc(struct ss_server *srv, struct ss_udp_assoc *a)
{
	size_t off = ss_udp_reply_head(srv);
	struct ss_dgram_reader rd;
	int i, len;

	for (i = 0; i < SS_LISTEN_NR; i++) {
		if (!a->sock[i])
			continue;
		/*
		 * A reply too long to seal into one datagram, or from no IP
		 * address, is lost. Replies from anyone are relayed (full
		 * cone, as other servers do), but only those from a target
		 * the client sent to keep the association: anyone who finds
		 * the socket's port could otherwise hold every association
		 * (max_conns) open and, with no key, keep pumping replies to
		 * the client's address.
		 */
		ss_dgram_reader_init(&rd, a->sock[i], srv->udp.dc.buf + off,
				     SS_DGRAM_MAX - off - SS_TAG_LEN,
				     &srv->ep.stats, SS_STATS_A_UDP_DROP_TARGET);
		while ((len = ss_dgram_next(&rd)) >= 0) {
			if (ss_udp_peer_known(a, &rd.from))
				a->last_used = jiffies;
			ss_udp_reply(srv, a, &rd.from, len);
		}
		if (len == -ENOSPC)		/* more next time */
			ss_udp_assoc_queue(&srv->udp, a);
	}
}

static void ss_udp_work(struct work_struct *work)
{
	struct ss_udp *udp = container_of(work, struct ss_udp, work);
	struct ss_server *srv = container_of(udp, struct ss_server, udp);
	struct ss_udp_assoc *a, *tmp;
	bool more = false;
	int i;

	mutex_lock(&udp->lock);
	if (udp->closing) {
		mutex_unlock(&udp->lock);
		return;		/* ss_udp_stop() empties the ready list */
	}
	for (i = 0; i < SS_LISTEN_NR; i++)
		if (srv->listen[i].udp && ss_udp_read_listener(srv, i))
			more = true;

	ss_ready_for_each(a, tmp, &udp->ready, ready) {
		ss_ready_taken(&a->ready);
		if (!a->dead)
			ss_udp_read_assoc(srv, a);
		ss_udp_assoc_put(a);
	}
	mutex_unlock(&udp->lock);
	if (more)
		queue_work(ss_wq, work);
}

/* Ends associations idle for the server's timeout. */
static void ss_udp_gc(struct work_struct *work)
{
	struct ss_udp *udp = container_of(to_delayed_work(work), struct ss_udp,
					  gc);
	struct ss_server *srv = container_of(udp, struct ss_server, udp);
	unsigned long idle = (unsigned long)srv->ep.timeout * HZ;
	struct ss_udp_assoc *a;
	struct hlist_node *tmp;
	u32 bkt;

	/*
	 * A 2022 session is remembered at least 60 s (SIP022 section 3.2.4;
	 * see SS_2022_UDP_SESSION_SECS): a packet replayed after its session
	 * is forgotten would start it again.
	 */
	if (ss_method_is_2022(srv->ep.method))
		idle = max(idle, (unsigned long)SS_2022_UDP_SESSION_SECS * HZ);

	mutex_lock(&udp->lock);
	if (udp->closing)
		goto out;
	for (bkt = 0; bkt < ss_dgram_buckets(&udp->assocs); bkt++) {
		hlist_for_each_entry_safe(a, tmp, &udp->assocs.buckets[bkt], node)
			if (!a->resolve &&
			    time_after(jiffies, a->last_used + idle))
				ss_udp_assoc_remove(srv, a, "idle");
		cond_resched();
	}
	if (udp->nr_assocs)
		queue_delayed_work(ss_wq, &udp->gc, ss_dgram_gc_period(&srv->ep));
out:
	mutex_unlock(&udp->lock);
}

/**
 * ss_udp_init() - set up a server's UDP state
 * @srv: the server, not published yet
 * @net: its namespace
 *
 * Always called, whatever the mode, before ss_udp_stop() may be; the
 * buffer and ciphers are only allocated when the mode has UDP. Process
 * context.
 *
 * Return: 0, -ENOMEM, or the error of the cipher's set-up.
 */
int ss_udp_init(struct ss_server *srv, struct net *net)
{
	struct ss_udp *udp = &srv->udp;

	mutex_init(&udp->lock);
	udp->net = net;
	init_llist_head(&udp->ready);
	INIT_WORK(&udp->work, ss_udp_work);
	INIT_DELAYED_WORK(&udp->gc, ss_udp_gc);
	if (srv->mode == SS_MODE_TCP_ONLY)
		return 0;

	/* Charged to the caller, as the server is. */
	return ss_dgram_table_init(&udp->assocs, srv->ep.max_conns,
				   SS_UDP_HASH_BITS_MIN) ?:
	       ss_dgram_codec_init(&udp->dc, &srv->ep, SS_DGRAM_BUF);
}

/**
 * ss_udp_start() - read the server's UDP sockets
 * @srv: the server, published, its sockets bound; under &ss_net.lock
 */
void ss_udp_start(struct ss_server *srv)
{
	int i;

	for (i = 0; i < SS_LISTEN_NR; i++) {
		struct ss_listener *l = &srv->listen[i];

		if (!l->udp)
			continue;
		ss_sock_take(l->udp, srv, &ss_udp_listen_cbs, &l->udp_saved, 0);
	}
	srv->udp.started = true;
	/* Packets may have come before the callbacks were ours. */
	queue_work(ss_wq, &srv->udp.work);
}

/**
 * ss_udp_end_user() - end the UDP sessions of a user that was removed
 * @srv: the user's server; the caller holds &ss_net.lock
 * @user: the user, out of the server's tables and marked dead (under the
 *	server's conns_lock, before this takes the UDP lock: a packet
 *	handled after sees it and makes no session); NULL for the sessions
 *	of no user, when the server takes users' packets only from now on
 *
 * The codec forgets the user's keys it had kept, too.
 */
void ss_udp_end_user(struct ss_server *srv, struct ss_user *user)
{
	struct ss_udp *udp = &srv->udp;
	struct ss_udp_assoc *a;
	struct hlist_node *n;
	u32 bkt;

	mutex_lock(&udp->lock);
	for (bkt = 0; bkt < ss_dgram_buckets(&udp->assocs); bkt++) {
		hlist_for_each_entry_safe(a, n, &udp->assocs.buckets[bkt], node)
			if (a->user == user) {
				ss_udp_session_record(srv, a);
				ss_udp_assoc_remove(srv, a, "user removed");
			}
		cond_resched();
	}
	if (user && udp->dc.buf)
		ss_dgram_codec_forget(&udp->dc, &srv->ep, user->id);
	mutex_unlock(&udp->lock);
}

/**
 * ss_udp_stop() - end a server's UDP relay
 * @srv: the server; under &ss_net.lock
 *
 * Stops reading the listeners (the caller releases them), ends every
 * association with its sockets, waits for the works, and frees the buffer
 * and ciphers. Lookups under way end with their associations (an answer
 * already being delivered holds a reference on the server and finds it
 * closing). Idempotent; sleeps.
 */
void ss_udp_stop(struct ss_server *srv)
{
	struct ss_udp *udp = &srv->udp;
	struct ss_udp_assoc *a, *tmp;
	struct hlist_node *n;
	u32 bkt;
	int i;

	if (udp->started) {
		for (i = 0; i < SS_LISTEN_NR; i++)
			if (srv->listen[i].udp)
				ss_sock_give_back(srv->listen[i].udp,
						  &srv->listen[i].udp_saved);
		udp->started = false;
	}

	mutex_lock(&udp->lock);
	udp->closing = true;
	for (bkt = 0; bkt < ss_dgram_buckets(&udp->assocs); bkt++) {
		hlist_for_each_entry_safe(a, n, &udp->assocs.buckets[bkt], node) {
			ss_udp_session_record(srv, a);
			ss_udp_assoc_remove(srv, a, "server closed");
		}
		cond_resched();
	}
	mutex_unlock(&udp->lock);

	/* Nothing queues them any more. */
	cancel_work_sync(&udp->work);
	cancel_delayed_work_sync(&udp->gc);
	ss_ready_for_each(a, tmp, &udp->ready, ready)
		ss_udp_assoc_put(a);

	ss_dgram_codec_free(&udp->dc);
	ss_dgram_table_free(&udp->assocs);
}
