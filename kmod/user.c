// SPDX-License-Identifier: GPL-2.0
/*
 * SIP023 users of a Shadowsocks 2022 server (an AES method: the spec
 * defines identity headers for those only). The server's key is then the
 * identity PSK; each request or UDP packet carries, after its salt or
 * separate header, the first 16 bytes of BLAKE3(user PSK) under a key
 * from the identity PSK, and the rest is under the user's PSK.
 *
 * A request finds its user in one hash lookup, whatever the number of
 * users (by_hash, an rhashtable read under RCU), and takes a reference:
 * the connection or UDP session then keys itself, and its replies, with
 * the user's PSK, and counts in the user's counters. Requests of the
 * netlink family find users by name (by_name). Both tables and the list
 * change under the namespace's lock.
 *
 * The first user makes the server take users' requests only, for good;
 * it ends the connections and UDP sessions made under the server's key
 * alone. Removing a user ends its connections and UDP sessions. A connection
 * takes its user under the server's conns_lock, where the removal sets
 * @dead and walks the connections, so that it either sees @dead or is
 * seen; a UDP session likewise under the server's UDP lock.
 */

#include <linux/err.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/netlink.h>

#include "blake3.h"
#include "conn.h"
#include "crypto.h"
#include "server.h"
#include "udp.h"
#include "user.h"

static const struct rhashtable_params ss_user_hash_params = {
	.key_len = SS_USER_HASH_LEN,
	.key_offset = offsetof(struct ss_user, hash),
	.head_offset = offsetof(struct ss_user, by_hash),
	.automatic_shrinking = true,
};

static const struct rhashtable_params ss_user_name_params = {
	.key_len = SS_NAME_MAX,
	.key_offset = offsetof(struct ss_user, name),
	.head_offset = offsetof(struct ss_user, by_name),
	.automatic_shrinking = true,
};

/* Which counter of the stats attribute set each slot reports. */
static const u16 ss_user_attr[SS_USER_NR_SLOTS] = {
	[SS_USER_CONN_ACTIVE]		= SS_STATS_A_CONN_ACTIVE,
	[SS_USER_CONN_TOTAL]		= SS_STATS_A_CONN_TOTAL,
	[SS_USER_BYTES_IN]		= SS_STATS_A_BYTES_IN,
	[SS_USER_BYTES_OUT]		= SS_STATS_A_BYTES_OUT,
	[SS_USER_AUTH_FAIL]		= SS_STATS_A_AUTH_FAIL,
	[SS_USER_UDP_PKTS_IN]		= SS_STATS_A_UDP_PKTS_IN,
	[SS_USER_UDP_PKTS_OUT]		= SS_STATS_A_UDP_PKTS_OUT,
	[SS_USER_UDP_BYTES_IN]		= SS_STATS_A_UDP_BYTES_IN,
	[SS_USER_UDP_BYTES_OUT]		= SS_STATS_A_UDP_BYTES_OUT,
	[SS_USER_UDP_ASSOC_ACTIVE]	= SS_STATS_A_UDP_ASSOC_ACTIVE,
};

static atomic64_t ss_user_ids = ATOMIC64_INIT(0);

/**
 * ss_users_init() - set up a server's (empty) user tables
 * @users: the tables, zeroed
 *
 * Return: 0 or -ENOMEM.
 */
int ss_users_init(struct ss_users *users)
{
	int err;

	INIT_LIST_HEAD(&users->list);
	err = rhashtable_init(&users->by_hash, &ss_user_hash_params);
	if (err)
		return err;
	err = rhashtable_init(&users->by_name, &ss_user_name_params);
	if (err) {
		rhashtable_destroy(&users->by_hash);
		return err;
	}
	users->ready = true;
	return 0;
}

static void ss_user_free_rcu(struct rcu_head *rcu)
{
	kfree(container_of(rcu, struct ss_user, rcu));
}

static void ss_user_release(struct kref *refcount)
{
	struct ss_user *user = container_of(refcount, struct ss_user,
					    refcount);

	memzero_explicit(user->key, sizeof(user->key));
	/* Lookups under RCU may still compare its hash. */
	call_rcu(&user->rcu, ss_user_free_rcu);
}

/**
 * ss_user_put() - drop a reference on a user
 * @user: the user; freed after a grace period with the last reference
 */
void ss_user_put(struct ss_user *user)
{
	kref_put(&user->refcount, ss_user_release);
}

/* Out of the tables and the list; the caller holds ss_net.lock. */
static void ss_user_unlink(struct ss_users *users, struct ss_user *user)
{
	rhashtable_remove_fast(&users->by_hash, &user->by_hash,
			       ss_user_hash_params);
	rhashtable_remove_fast(&users->by_name, &user->by_name,
			       ss_user_name_params);
	list_del_rcu(&user->entry);
	WRITE_ONCE(users->nr, users->nr - 1);
}

/**
 * ss_users_destroy() - drop every user of a server that has ended
 * @users: the tables; every connection and UDP session has ended, nothing
 *	looks users up any more. Idempotent. The caller holds ss_net.lock.
 */
void ss_users_destroy(struct ss_users *users)
{
	struct ss_user *user, *tmp;

	if (!users->ready)
		return;
	list_for_each_entry_safe(user, tmp, &users->list, entry) {
		ss_user_unlink(users, user);
		ss_user_put(user);
	}
	rhashtable_destroy(&users->by_hash);
	rhashtable_destroy(&users->by_name);
	WRITE_ONCE(users->ready, false);
}

/**
 * ss_user_lookup_name() - a user of a server by name
 * @users: the server's users
 * @name: the name, NUL-terminated, at most SS_NAME_LEN characters
 *
 * The caller holds ss_net.lock, which keeps the user and the table (a
 * server's tables are destroyed without a grace period, once its relays
 * have ended).
 *
 * Return: the user, or NULL.
 */
struct ss_user *ss_user_lookup_name(struct ss_users *users, const char *name)
{
	char key[SS_NAME_MAX] = {};

	if (!users->ready)
		return NULL;
	strscpy(key, name, sizeof(key));
	return rhashtable_lookup_fast(&users->by_name, key,
				      ss_user_name_params);
}

/**
 * ss_user_find() - the user an identity header names
 * @users: the server's users
 * @hash: %SS_USER_HASH_LEN bytes, from an identity header
 *
 * Any context but hard interrupts.
 *
 * Return: the user, a reference taken, or NULL.
 */
struct ss_user *ss_user_find(struct ss_users *users, const u8 *hash)
{
	struct ss_user *user;

	rcu_read_lock();
	user = rhashtable_lookup(&users->by_hash, hash, ss_user_hash_params);
	if (user && !kref_get_unless_zero(&user->refcount))
		user = NULL;
	rcu_read_unlock();
	return user;
}

/**
 * ss_user_add() - add a user to a server
 * @srv: the server, published; the caller holds ss_net.lock
 * @name: the user's name, checked by the caller
 * @key: the user's PSK, the server method's key length
 * @extack: for the reason of a refusal
 *
 * Return: 0; -EOPNOTSUPP (not a 2022 AES server), -EEXIST (the name, or
 * the key, is another user's), -ENOSPC (%SS_MAX_USERS), -ENOMEM.
 */
int ss_user_add(struct ss_server *srv, const char *name, const u8 *key,
		struct netlink_ext_ack *extack)
{
	const struct ss_method_info *m = srv->ep.method;
	struct ss_users *users = &srv->users;
	struct ss_user *user;
	struct ss_blake3 h;
	int err;

	if (!users->ready) {
		NL_SET_ERR_MSG(extack,
			       "users need a Shadowsocks 2022 server of an AES method (SIP023)");
		return -EOPNOTSUPP;
	}
	if (ss_user_lookup_name(users, name)) {
		NL_SET_ERR_MSG(extack, "the server has a user of that name");
		return -EEXIST;
	}
	if (users->nr >= SS_MAX_USERS) {
		NL_SET_ERR_MSG(extack, "the server has SS_MAX_USERS users");
		return -ENOSPC;
	}
	user = kzalloc(sizeof(*user), GFP_KERNEL_ACCOUNT);
	if (!user)
		return -ENOMEM;
	kref_init(&user->refcount);
	user->id = atomic64_inc_return(&ss_user_ids);
	strscpy(user->name, name, sizeof(user->name));
	memcpy(user->key, key, m->key_len);
	ss_blake3_init(&h);
	ss_blake3_update(&h, key, m->key_len);
	ss_blake3_final(&h, user->hash, sizeof(user->hash));
	memzero_explicit(&h, sizeof(h));

	/*
	 * By name first: only requests read that table. The insertion by
	 * hash publishes the user to relays, so nothing can fail after it.
	 */
	err = rhashtable_lookup_insert_fast(&users->by_name, &user->by_name,
					    ss_user_name_params);
	if (err)
		goto err_free;
	err = rhashtable_lookup_insert_fast(&users->by_hash, &user->by_hash,
					    ss_user_hash_params);
	if (err) {
		if (err == -EEXIST)
			NL_SET_ERR_MSG(extack,
				       "another user of the server has that key");
		rhashtable_remove_fast(&users->by_name, &user->by_name,
				       ss_user_name_params);
		goto err_free;
	}
	list_add_tail_rcu(&user->entry, &users->list);
	WRITE_ONCE(users->nr, users->nr + 1);
	if (!users->required) {
		/*
		 * From now on only users: what was made under the server's
		 * key alone ends, as a removed user's relays do.
		 */
		WRITE_ONCE(users->required, true);
		ss_conn_kill_user(&srv->ep, NULL);
		ss_udp_end_user(srv, NULL);
	}
	return 0;

err_free:
	/* Possibly seen by a request under RCU: freed after a grace period. */
	ss_user_put(user);
	return err;
}

/**
 * ss_user_del() - remove a user from a server and end its relays
 * @srv: the server, published; the caller holds ss_net.lock
 * @name: the user's name
 *
 * Return: 0, or -ENOENT.
 */
int ss_user_del(struct ss_server *srv, const char *name)
{
	struct ss_users *users = &srv->users;
	struct ss_user *user = ss_user_lookup_name(users, name);

	if (!user)
		return -ENOENT;
	ss_user_unlink(users, user);
	ss_conn_kill_user(&srv->ep, user);
	ss_udp_end_user(srv, user);
	ss_user_put(user);
	return 0;
}

/**
 * ss_user_count() - count in a user's counters
 * @user: the user
 * @ctr: the server's counter of the same meaning (SS_STATS_A_*); those a
 *	user does not have are ignored
 * @val: how much; gauges go down with a negative one
 */
void ss_user_count(struct ss_user *user, enum ss_stats_attr ctr, s64 val)
{
	int i;

	for (i = 0; i < SS_USER_NR_SLOTS; i++) {
		if (ss_user_attr[i] == ctr) {
			atomic64_add(val, &user->ctr[i]);
			return;
		}
	}
}

/**
 * ss_user_fill_stats() - a user's counters, nested in SS_A_STATS
 * @skb: the message
 * @user: the user
 *
 * Return: 0 or -EMSGSIZE.
 */
int ss_user_fill_stats(struct sk_buff *skb, const struct ss_user *user)
{
	struct nlattr *nest = nla_nest_start(skb, SS_A_STATS);
	int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < SS_USER_NR_SLOTS; i++) {
		if (nla_put_u64_64bit(skb, ss_user_attr[i],
				      atomic64_read(&user->ctr[i]),
				      SS_STATS_A_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}
