// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state: the tables of objects, and the namespace's
 * end taking its objects with it.
 */

#include <linux/jhash.h>
#include <linux/rcupdate.h>
#include <linux/string.h>

#include "client.h"
#include "netns.h"
#include "replay.h"
#include "server.h"

unsigned int ss_net_id __read_mostly;

static u32 ss_name_hash(const char *name)
{
	return jhash(name, strlen(name), 0);
}

/**
 * ss_table_lookup() - find an object by name
 * @sn: the namespace's state
 * @table: &sn->servers or &sn->clients
 * @name: the name
 *
 * The caller holds rcu_read_lock() or @sn->lock; the entry stays valid
 * until it drops it.
 *
 * Return: the entry, or NULL.
 */
struct ss_entry *ss_table_lookup(struct ss_net *sn, struct ss_table *table,
				 const char *name)
{
	struct ss_entry *entry;

	hash_for_each_possible_rcu(table->names, entry, node,
				   ss_name_hash(name),
				   lockdep_is_held(&sn->lock))
		if (!strcmp(entry->name, name))
			return entry;
	return NULL;
}

static void ss_table_bump(struct ss_table *table)
{
	unsigned int gen = table->gen + 1;

	WRITE_ONCE(table->gen, gen ?: 1);
}

/**
 * ss_table_insert() - publish an object
 * @sn: the namespace's state; the caller holds @sn->lock
 * @table: &sn->servers or &sn->clients
 * @entry: the object's entry, its name set and not in @table
 *
 * The object must be complete: readers may find it as soon as this starts.
 *
 * Return: 0 with @entry->id set, or -ENOMEM, or -EBUSY when no id is free.
 */
int ss_table_insert(struct ss_net *sn, struct ss_table *table,
		    struct ss_entry *entry)
{
	int err;

	lockdep_assert_held(&sn->lock);

	err = xa_alloc_cyclic(&table->ids, &entry->id, entry, xa_limit_31b,
			      &table->next_id, GFP_KERNEL);
	if (err < 0)
		return err;
	hash_add_rcu(table->names, &entry->node, ss_name_hash(entry->name));
	ss_table_bump(table);
	return 0;
}

/**
 * ss_table_remove() - unpublish an object
 * @sn: the namespace's state; the caller holds @sn->lock
 * @table: the table @entry is in
 * @entry: the object's entry
 *
 * RCU readers may still see the object until a grace period has passed.
 */
void ss_table_remove(struct ss_net *sn, struct ss_table *table,
		     struct ss_entry *entry)
{
	lockdep_assert_held(&sn->lock);

	xa_erase(&table->ids, entry->id);
	hash_del_rcu(&entry->node);
	ss_table_bump(table);
}

static void ss_table_init(struct ss_table *table)
{
	xa_init_flags(&table->ids, XA_FLAGS_ALLOC1);
	hash_init(table->names);
	table->next_id = 0;
	table->gen = 1;
}

static int __net_init ss_net_init(struct net *net)
{
	struct ss_net *sn = ss_net(net);

	mutex_init(&sn->lock);
	ss_table_init(&sn->servers);
	ss_table_init(&sn->clients);
	ss_resolve_net_init(&sn->lookups);
	return 0;
}

/*
 * No netlink socket of @net is left, so no request can race with this. The
 * servers' kernel sockets hold no reference on @net and must be released
 * here; being registered as a device, these operations exit before the
 * protocols' own per-namespace state is torn down.
 */
static void __net_exit ss_net_exit(struct net *net)
{
	struct ss_net *sn = ss_net(net);

	ss_server_remove_all(sn);
	ss_client_remove_all(sn);
	ss_resolve_net_exit(&sn->lookups);
	ss_replay_put(sn->replay);	/* servers' references keep it longer */
	WARN_ON(!xa_empty(&sn->servers.ids));
	WARN_ON(!xa_empty(&sn->clients.ids));
	xa_destroy(&sn->servers.ids);
	xa_destroy(&sn->clients.ids);
	mutex_destroy(&sn->lock);
}

static struct pernet_operations ss_net_ops = {
	.init = ss_net_init,
	.exit = ss_net_exit,
	.id = &ss_net_id,
	.size = sizeof(struct ss_net),
};

/**
 * ss_netns_init() - set the module's state up in every namespace
 *
 * Return: 0 or a negative errno.
 */
int ss_netns_init(void)
{
	return register_pernet_device(&ss_net_ops);
}

/**
 * ss_netns_uninit() - remove every object from every namespace
 *
 * Waits until the objects' memory, freed after an RCU grace period, is
 * gone: the callbacks doing it are module code.
 */
void ss_netns_uninit(void)
{
	unregister_pernet_device(&ss_net_ops);
	rcu_barrier();
}
