/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a server and a client profile have in common: a name in a table,
 * a method and key, limits, counters, and the connections relaying for it.
 * Connections (conn.h) only know this part of their owner.
 */

#ifndef _SS_ENDPOINT_H
#define _SS_ENDPOINT_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/sched/mm.h>
#include <linux/rcupdate.h>
#include <linux/shadowsocks.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include "netns.h"
#include "stats.h"

struct ss_acl;

/**
 * struct ss_endpoint - the part of a server or client profile its
 *	connections use; the first member of both, so that freeing it frees
 *	the whole object
 * @entry: name and id in the namespace's table of servers or of profiles
 * @net: the namespace it lives in (no reference: it ends before the
 *	namespace does), where its events are sent
 * @refcount: one reference held by the table while published, one by each
 *	connection, others by whoever found it and needs it past an RCU read
 *	section
 * @rcu: frees the object after readers are done with it
 * @local: a client profile (its connections play the local role), not a
 *	server
 * @method: AEAD method
 * @key: raw master key, @method->key_len bytes used; wiped on free
 * @ikey: a 2022 client profile's SIP023 identity PSK, @method->key_len
 *	bytes, if @has_ikey; wiped on free
 * @ikey_hash: the first 16 bytes of BLAKE3(@key), which the identity
 *	header carries under a subkey of @ikey
 * @has_ikey: requests carry an identity header
 * @timeout: idle timeout of its connections, seconds
 * @handshake_timeout: seconds a connection may take to reach its target
 *	(server) or the remote server (profile)
 * @max_conns: most connections at once; a server's connections that have
 *	not authenticated yet give way to new ones (see ss_conn_add())
 * @replay: a server's reference on its namespace's replay filter; NULL
 *	for a client profile
 * @acl: a server's egress ACL (acl.c), freed with the object; NULL for
 *	none, and for a client profile
 * @salts: a Shadowsocks 2022 server's salt pool, a reference held from
 *	before the server is published until ss_server_close() has ended
 *	every connection (then NULL); NULL for others
 * @memcg: the memory cgroup of the process that made the object, a
 *	reference held; its connections' buffers are charged to it
 * @stats: counters
 * @ev_refused: jiffies before which no refused-ntf is sent again
 * @ev_bad: likewise for auth-fail-ntf and replay-ntf (servers)
 * @conns_lock: protects @conns, @unauth, @nr_conns, @nr_evicting and
 *	@closing
 * @conns: its connections (struct ss_conn)
 * @unauth: those of them that may be evicted, oldest first (servers only:
 *	connections that have not authenticated yet, draining ones among
 *	them)
 * @nr_conns: entries in @conns
 * @nr_evicting: entries in @conns told to close to make room, not closed
 *	yet: they no longer count against @max_conns
 * @closing: set once the object is being removed: no connection is added
 * @conns_wq: ss_conn_kill_all() waits on it for @nr_conns to reach 0
 *
 * Everything up to @salts is set before the object is published and
 * never changed afterwards.
 */
struct ss_endpoint {
	struct ss_entry entry;
	struct net *net;
	struct kref refcount;
	struct rcu_head rcu;
	bool local;
	const struct ss_method_info *method;
	u8 key[SS_KEY_MAX_LEN];
	u8 ikey[SS_KEY_MAX_LEN];
	u8 ikey_hash[16];
	bool has_ikey;
	u32 timeout;
	u32 handshake_timeout;
	u32 max_conns;
	struct ss_replay *replay;
	struct ss_acl *acl;
	struct ss_salt_pool *salts;
	struct mem_cgroup *memcg;
	struct ss_stats stats;
	unsigned long ev_refused;
	unsigned long ev_bad;
	spinlock_t conns_lock;	/* see above */
	struct list_head conns;
	struct list_head unauth;
	u32 nr_conns;
	u32 nr_evicting;
	bool closing;
	wait_queue_head_t conns_wq;
};

int ss_endpoint_init(struct ss_endpoint *ep, struct net *net,
		     const struct ss_obj_cfg *cfg, bool local);
void ss_endpoint_free(struct ss_endpoint *ep);
int ss_endpoint_publish(struct ss_net *sn, struct ss_table *table,
			struct ss_endpoint *ep);
void ss_endpoint_get(struct ss_endpoint *ep);
bool ss_endpoint_get_live(struct ss_endpoint *ep);
void ss_endpoint_put(struct ss_endpoint *ep);
void ss_endpoint_refused(struct ss_endpoint *ep);
void ss_endpoint_bad(struct ss_endpoint *ep, enum ss_stats_attr ctr);

/*
 * ss_memcg_enter() - charge what follows to @ep's memory cgroup
 * @ep: the server or client profile the memory is for
 *
 * Connections, UDP sessions and their sockets are made by work items,
 * which run in no one's memory cgroup: until ss_memcg_leave(), allocations
 * with __GFP_ACCOUNT (and the accounted slabs of sockets) are charged to
 * the cgroup of whoever created @ep, so that a user namespace's traffic
 * cannot make the kernel hold memory no limit covers.
 *
 * Return: what to give ss_memcg_leave().
 */
static inline struct mem_cgroup *ss_memcg_enter(const struct ss_endpoint *ep)
{
	return set_active_memcg(ep->memcg);
}

static inline void ss_memcg_leave(struct mem_cgroup *old)
{
	set_active_memcg(old);
}

static inline const char *ss_endpoint_kind(const struct ss_endpoint *ep)
{
	return ep->local ? "client" : "server";
}

#endif /* _SS_ENDPOINT_H */
