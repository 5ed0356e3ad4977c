/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per network namespace state: the tables of servers and client profiles,
 * and the lookups waiting for the namespace's resolver agent.
 */

#ifndef _SS_NETNS_H
#define _SS_NETNS_H

#include <linux/hashtable.h>
#include <linux/mutex.h>
#include <linux/shadowsocks.h>
#include <linux/types.h>
#include <linux/xarray.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "resolve.h"
#include "saltpool.h"

struct ss_method_info;

#define SS_NAME_HASH_BITS	7

/**
 * struct ss_entry - what makes an object findable in its table
 * @node: in &ss_table.names, under the hash of @name
 * @id: index in &ss_table.ids, allocated cyclically; dumps resume after it
 * @name: unique within the table; NUL-terminated
 *
 * Embedded in struct ss_server and struct ss_client. Set before the object
 * is published and never changed afterwards, so RCU readers may read it.
 */
struct ss_entry {
	struct hlist_node node;
	u32 id;
	char name[SS_NAME_MAX];
};

/**
 * struct ss_table - one kind of object of one network namespace
 * @ids: id -> struct ss_entry; the dump cursor. Changed under &ss_net.lock,
 *	read under RCU (the xarray's own spinlock only orders its writers)
 * @names: the same entries hashed by name; changed under &ss_net.lock,
 *	read under RCU or &ss_net.lock
 * @next_id: where the cyclic id allocation goes on; under &ss_net.lock
 * @gen: generation, bumped on every insertion and removal under
 *	&ss_net.lock, never 0; dumps read it without the lock and report it
 *	as cb->seq so that a change between two parts of a dump is flagged
 */
struct ss_table {
	struct xarray ids;
	DECLARE_HASHTABLE(names, SS_NAME_HASH_BITS);
	u32 next_id;
	unsigned int gen;
};

/**
 * struct ss_net - the module's state in one network namespace
 * @lock: serialises every change to @servers and @clients, and the setup
 *	and teardown of servers' sockets, so that a deleted server's ports are
 *	free again before anyone else can look. Sleeps (sockets are created and
 *	released under it). GET and dumps do not take it: they read under RCU.
 * @net: the namespace
 * @node: in the module's list of every namespace's state (netns.c)
 * @servers: the servers (struct ss_server)
 * @clients: the client profiles (struct ss_client)
 * @lookups: its servers' lookups waiting for the namespace's agent
 *	(resolve.c), with a lock of their own
 * @replay: the replay filter of its servers' clients' salts, made with the
 *	first server (replay.c); the namespace holds a reference until it
 *	goes, so that a server deleted and made again does not forget
 * @old_salts: the salt pools of 2022 servers deleted within the last
 *	minute (saltpool.c), for the same reason
 */
struct ss_net {
	struct mutex lock;	/* changes to the tables, servers' sockets */
	struct net *net;
	struct list_head node;	/* in netns.c's list of every ss_net */
	struct ss_table servers;
	struct ss_table clients;
	struct ss_lookups lookups;
	struct ss_replay *replay;
	struct ss_salt_pools old_salts;
};

/**
 * struct ss_obj_cfg - what a new server and a new client profile both need
 * @name: validated name
 * @method: the method
 * @key: the raw master key, @method->key_len bytes (in the request)
 * @ikey: a 2022 client profile's SIP023 identity PSK, @method->key_len
 *	bytes (in the request), or NULL
 * @port: the server's port (host byte order)
 * @timeout: idle timeout in seconds
 * @handshake_timeout: seconds to reach the target (server) or the remote
 *	server (client profile)
 * @max_conns: most connections at once
 */
struct ss_obj_cfg {
	const char *name;
	const struct ss_method_info *method;
	const u8 *key;
	const u8 *ikey;
	u16 port;
	u32 timeout;
	u32 handshake_timeout;
	u32 max_conns;
};

extern unsigned int ss_net_id;

static inline struct ss_net *ss_net(const struct net *net)
{
	return net_generic(net, ss_net_id);
}

struct ss_entry *ss_table_lookup(struct ss_net *sn, struct ss_table *table,
				 const char *name);
int ss_table_insert(struct ss_net *sn, struct ss_table *table,
		    struct ss_entry *entry);
void ss_table_remove(struct ss_net *sn, struct ss_table *table,
		     struct ss_entry *entry);

/**
 * ss_table_gen() - the table's generation, for dumps
 * @table: the table
 *
 * Return: a number that changes whenever an object is added or removed.
 */
static inline unsigned int ss_table_gen(const struct ss_table *table)
{
	return READ_ONCE(table->gen);
}

/**
 * struct ss_kind - what the namespace code needs of a kind of object
 * @object: its SS_OBJECT_*, as events name it
 * @table: offset of its table in struct ss_net
 * @remove: unpublish the entry's object, end it and drop the table's
 *	reference; under ss_net.lock
 *
 * server.c and client.c each define one; main.c hands them to
 * ss_netns_init(), so that this floor calls no code above it by name.
 */
struct ss_kind {
	enum ss_object_kind object;
	size_t table;
	void (*remove)(struct ss_net *sn, struct ss_entry *entry);
};

static inline struct ss_table *ss_kind_table(struct ss_net *sn,
					     const struct ss_kind *kind)
{
	return (struct ss_table *)((char *)sn + kind->table);
}

int ss_obj_delete(struct net *net, const struct ss_kind *kind,
		  const char *name);
bool ss_netns_closing(void);

int ss_netns_init(const struct ss_kind *const *kinds, unsigned int nr_kinds);
void ss_netns_shutdown(void);
void ss_netns_uninit(void);

#endif /* _SS_NETNS_H */
