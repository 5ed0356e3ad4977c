/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SIP023 users of a Shadowsocks 2022 server: each has a name and a PSK,
 * and is found by the first 16 bytes of BLAKE3(PSK), which a client's
 * identity header carries under the server's key (the identity PSK).
 */

#ifndef _SS_USER_H
#define _SS_USER_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/rhashtable-types.h>
#include <linux/shadowsocks.h>

struct netlink_ext_ack;
struct ss_server;
struct sk_buff;

/* What an identity header holds: the first bytes of BLAKE3(user PSK). */
#define SS_USER_HASH_LEN	16

/* The counters a user has, by slot; see ss_user_count(). */
enum ss_user_slot {
	SS_USER_CONN_ACTIVE,
	SS_USER_CONN_TOTAL,
	SS_USER_BYTES_IN,
	SS_USER_BYTES_OUT,
	SS_USER_AUTH_FAIL,
	SS_USER_UDP_PKTS_IN,
	SS_USER_UDP_PKTS_OUT,
	SS_USER_UDP_BYTES_IN,
	SS_USER_UDP_BYTES_OUT,
	SS_USER_UDP_ASSOC_ACTIVE,
	SS_USER_NR_SLOTS
};

/**
 * struct ss_user - one user of a server
 * @by_hash: in &ss_users.by_hash, keyed by @hash
 * @by_name: in &ss_users.by_name, keyed by @name
 * @entry: in &ss_users.list (RCU for dumps)
 * @refcount: one held by the server's tables while the user is in them,
 *	one by each connection and UDP session that found it
 * @rcu: frees the user after readers of the tables are done with it
 * @id: unique while the module is loaded, never 0: what the UDP codec's
 *	cached subkeys are keyed by, with the session ID
 * @dead: removed: no connection or session takes it any more. Set under
 *	the server's &ss_endpoint.conns_lock, read there by connections and
 *	under &ss_udp.lock by UDP sessions
 * @hash: the first %SS_USER_HASH_LEN bytes of BLAKE3(@key)
 * @name: NUL-padded to %SS_NAME_MAX bytes (the by_name key)
 * @key: the user's PSK, the method's key length; wiped on free
 * @ctr: counters, by enum ss_user_slot; atomics rather than per-CPU
 *	counters, which would cost a server of 10,000 users megabytes
 */
struct ss_user {
	struct rhash_head by_hash;
	struct rhash_head by_name;
	struct list_head entry;
	struct kref refcount;
	struct rcu_head rcu;
	u64 id;
	bool dead;
	u8 hash[SS_USER_HASH_LEN];
	char name[SS_NAME_MAX];
	u8 key[SS_KEY_MAX_LEN];
	atomic64_t ctr[SS_USER_NR_SLOTS];
};

/**
 * struct ss_users - a server's users
 * @by_hash: users by the hash of their PSK: what relays look up, under RCU
 * @by_name: users by name: what requests look up
 * @list: users in the order they were added: dumps walk it
 * @nr: users now
 * @ready: the tables are initialised (2022 servers of an AES method)
 * @required: requests must carry a user's identity header; relays read it
 *	(READ_ONCE()). Set at the first user and never cleared: every user's
 *	client holds the server's key (the identity PSK), so a server whose
 *	last user is removed must not take that key alone as a plain key
 *
 * Changed under &ss_net.lock only.
 */
struct ss_users {
	struct rhashtable by_hash;
	struct rhashtable by_name;
	struct list_head list;
	u32 nr;
	bool ready;
	bool required;
};

int ss_users_init(struct ss_users *users);
void ss_users_destroy(struct ss_users *users);
int ss_user_add(struct ss_server *srv, const char *name, const u8 *key,
		struct netlink_ext_ack *extack);
int ss_user_del(struct ss_server *srv, const char *name);
struct ss_user *ss_user_lookup_name(struct ss_users *users, const char *name);
struct ss_user *ss_user_find(struct ss_users *users, const u8 *hash);
void ss_user_put(struct ss_user *user);
void ss_user_count(struct ss_user *user, enum ss_stats_attr ctr, s64 val);
int ss_user_fill_stats(struct sk_buff *skb, const struct ss_user *user);

/* Whether requests to a server must carry a user's identity. */
static inline bool ss_users_active(const struct ss_users *users)
{
	return READ_ONCE(users->required);
}

static inline void ss_user_get(struct ss_user *user)
{
	kref_get(&user->refcount);
}

#endif /* _SS_USER_H */
