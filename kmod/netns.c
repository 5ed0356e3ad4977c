// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state: the tables of objects, and the namespace's
 * end taking its objects with it.
 */

#include <linux/jhash.h>
#include <linux/rcupdate.h>
#include <linux/string.h>

#include "netlink.h"
#include "netns.h"
#include "replay.h"

unsigned int ss_net_id __read_mostly;

/* The kinds of objects, from ss_netns_init(). */
static const struct ss_kind *const *ss_kinds __read_mostly;
static unsigned int ss_nr_kinds __read_mostly;

/*
 * Set when the module is being unloaded: no object is created any more
 * (ss_endpoint_publish() checks it under ss_net.lock), so what
 * ss_netns_shutdown() removed stays removed.
 */
static bool ss_closing;

/*
 * Every namespace's state, for ss_netns_shutdown(): a list of our own, so
 * that emptying them takes no lock of the core's (net_rwsem) across the
 * removals, which sleep and release sockets.
 */
static LIST_HEAD(ss_nets);
static DEFINE_MUTEX(ss_nets_lock);

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

	unsigned int i;

	mutex_init(&sn->lock);
	sn->net = net;
	ss_salt_pools_init(&sn->old_salts, &sn->lock);
	for (i = 0; i < ss_nr_kinds; i++)
		ss_table_init(ss_kind_table(sn, ss_kinds[i]));
	ss_resolve_net_init(&sn->lookups);
	mutex_lock(&ss_nets_lock);
	list_add(&sn->node, &ss_nets);
	mutex_unlock(&ss_nets_lock);
	return 0;
}

/*
 * Unpublish and end one object, and tell the monitors why. Under
 * @sn->lock. An object whose namespace ends cannot be watched from there
 * (a monitor's socket would have kept the namespace alive): those events
 * go to the initial namespace's monitors, who may watch every namespace.
 */
static void ss_obj_remove(struct net *net, struct ss_net *sn,
			  const struct ss_kind *kind, struct ss_entry *entry,
			  enum ss_reason reason)
{
	char name[SS_NAME_MAX];

	lockdep_assert_held(&sn->lock);
	strscpy(name, entry->name, sizeof(name));	/* freed after remove */
	kind->remove(sn, entry);
	if (reason == SS_REASON_NETNS_EXIT)
		net = &init_net;
	ss_nl_notify(net, SS_CMD_OBJECT_DEL_NTF, kind->object, name, reason,
		     GFP_KERNEL);
}

/**
 * ss_obj_delete() - delete an object by name
 * @net: the namespace it lives in
 * @kind: its kind
 * @name: its name
 *
 * Sleeps. The object's sockets, and those of its connections and relays,
 * are released before this returns.
 *
 * Return: 0, or -ENOENT when there is no such object.
 */
int ss_obj_delete(struct net *net, const struct ss_kind *kind,
		  const char *name)
{
	struct ss_net *sn = ss_net(net);
	struct ss_entry *entry;
	int err = 0;

	mutex_lock(&sn->lock);
	entry = ss_table_lookup(sn, ss_kind_table(sn, kind), name);
	if (entry)
		ss_obj_remove(net, sn, kind, entry, SS_REASON_USERSPACE);
	else
		err = -ENOENT;
	mutex_unlock(&sn->lock);
	return err;
}

/* Every object of every kind of a namespace, for @reason. */
static void ss_obj_remove_all(struct net *net, enum ss_reason reason)
{
	struct ss_net *sn = ss_net(net);
	struct ss_entry *entry;
	unsigned long id;
	unsigned int i;

	mutex_lock(&sn->lock);
	for (i = 0; i < ss_nr_kinds; i++)
		xa_for_each(&ss_kind_table(sn, ss_kinds[i])->ids, id, entry)
			ss_obj_remove(net, sn, ss_kinds[i], entry, reason);
	mutex_unlock(&sn->lock);
}

/**
 * ss_netns_closing() - is the module being unloaded?
 *
 * The caller holds a namespace's ss_net.lock: once true there, no object
 * may be published in that namespace.
 *
 * Return: true from ss_netns_shutdown() on.
 */
bool ss_netns_closing(void)
{
	return READ_ONCE(ss_closing);
}

/*
 * No netlink socket of @net is left, so no request can race with this. The
 * servers' kernel sockets hold no reference on @net and must be released
 * here; being registered as a device, these operations exit before the
 * protocols' own per-namespace state is torn down. At module unload,
 * ss_netns_shutdown() has emptied the tables already.
 */
static void __net_exit ss_net_exit(struct net *net)
{
	struct ss_net *sn = ss_net(net);
	unsigned int i;

	mutex_lock(&ss_nets_lock);
	list_del(&sn->node);
	mutex_unlock(&ss_nets_lock);
	ss_obj_remove_all(net, SS_REASON_NETNS_EXIT);
	ss_resolve_net_exit(&sn->lookups);
	ss_replay_put(sn->replay);	/* servers' references keep it longer */
	ss_salt_pools_destroy(&sn->old_salts);
	for (i = 0; i < ss_nr_kinds; i++) {
		struct ss_table *table = ss_kind_table(sn, ss_kinds[i]);

		WARN_ON(!xa_empty(&table->ids));
		xa_destroy(&table->ids);
	}
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
 * @kinds: the kinds of objects a namespace holds; static
 * @nr_kinds: how many
 *
 * Return: 0 or a negative errno.
 */
int ss_netns_init(const struct ss_kind *const *kinds, unsigned int nr_kinds)
{
	ss_kinds = kinds;
	ss_nr_kinds = nr_kinds;
	return register_pernet_device(&ss_net_ops);
}

/**
 * ss_netns_shutdown() - at module unload, remove every object, telling
 *	each namespace's monitors, while the family can still send
 *
 * No object is created afterwards (ss_netns_closing()). A namespace that
 * ends meanwhile waits for its turn in ss_net_exit(), and finds nothing.
 */
void ss_netns_shutdown(void)
{
	struct ss_net *sn;

	WRITE_ONCE(ss_closing, true);
	mutex_lock(&ss_nets_lock);
	list_for_each_entry(sn, &ss_nets, node)
		ss_obj_remove_all(sn->net, SS_REASON_MODULE_UNLOAD);
	mutex_unlock(&ss_nets_lock);
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
