// SPDX-License-Identifier: GPL-2.0
/*
 * Client profiles: creation, lookup, removal and freeing.
 */

#include <linux/slab.h>
#include <linux/string.h>

#include "client.h"
#include "crypto.h"

static void ss_client_free(struct ss_client *cl)
{
	ss_stats_free(&cl->stats);
	kfree_sensitive(cl);	/* wipes the key */
}

static void ss_client_free_rcu(struct rcu_head *rcu)
{
	struct ss_client *cl = container_of(rcu, struct ss_client, rcu);

	pr_debug("client %s destroyed\n", cl->entry.name);
	ss_client_free(cl);
}

static void ss_client_release(struct kref *refcount)
{
	struct ss_client *cl = container_of(refcount, struct ss_client,
					    refcount);

	call_rcu(&cl->rcu, ss_client_free_rcu);
}

static void ss_client_put(struct ss_client *cl)
{
	kref_put(&cl->refcount, ss_client_release);
}

/**
 * ss_client_create() - create a client profile and publish it
 * @net: the namespace it lives in
 * @cfg: what it is
 *
 * Sleeps. The caller has validated @cfg and checked the method.
 *
 * Return: 0, -EEXIST when @net has a profile of that name, or -ENOMEM.
 */
int ss_client_create(struct net *net, const struct ss_client_cfg *cfg)
{
	struct ss_net *sn = ss_net(net);
	struct ss_client *cl;
	int err;

	cl = kzalloc(sizeof(*cl), GFP_KERNEL);
	if (!cl)
		return -ENOMEM;
	kref_init(&cl->refcount);
	strscpy(cl->entry.name, cfg->obj.name, sizeof(cl->entry.name));
	cl->method = cfg->obj.method;
	memcpy(cl->key, cfg->obj.key, cl->method->key_len);
	cl->remote = cfg->remote;
	cl->timeout = cfg->obj.timeout;
	err = ss_stats_init(&cl->stats);
	if (err)
		goto err_free;

	mutex_lock(&sn->lock);
	if (ss_table_lookup(sn, &sn->clients, cl->entry.name)) {
		err = -EEXIST;
		goto err_unlock;
	}
	err = ss_table_insert(sn, &sn->clients, &cl->entry);
	if (err)
		goto err_unlock;
	pr_debug("client %s created\n", cl->entry.name);
	mutex_unlock(&sn->lock);
	return 0;

err_unlock:
	mutex_unlock(&sn->lock);
err_free:
	ss_client_free(cl);	/* never published: no grace period needed */
	return err;
}

/* Unpublish and drop the table's reference; under ss_net.lock. */
static void ss_client_remove(struct ss_net *sn, struct ss_client *cl)
{
	ss_table_remove(sn, &sn->clients, &cl->entry);
	ss_client_put(cl);
}

/**
 * ss_client_find() - find a client profile by name
 * @sn: the namespace's state
 * @name: the name
 *
 * The caller holds rcu_read_lock() or @sn->lock; the profile stays valid
 * until it drops it (take a reference to keep it longer).
 *
 * Return: the profile, or NULL.
 */
struct ss_client *ss_client_find(struct ss_net *sn, const char *name)
{
	struct ss_entry *entry = ss_table_lookup(sn, &sn->clients, name);

	return entry ? container_of(entry, struct ss_client, entry) : NULL;
}

/**
 * ss_client_delete() - delete a client profile by name
 * @net: the namespace it lives in
 * @name: its name
 *
 * Return: 0, or -ENOENT when there is no such profile.
 */
int ss_client_delete(struct net *net, const char *name)
{
	struct ss_net *sn = ss_net(net);
	struct ss_client *cl;
	int err = 0;

	mutex_lock(&sn->lock);
	cl = ss_client_find(sn, name);
	if (cl)
		ss_client_remove(sn, cl);
	else
		err = -ENOENT;
	mutex_unlock(&sn->lock);
	return err;
}

/**
 * ss_client_remove_all() - delete every client profile of a namespace
 * @sn: the namespace's state
 */
void ss_client_remove_all(struct ss_net *sn)
{
	struct ss_entry *entry;
	unsigned long id;

	mutex_lock(&sn->lock);
	xa_for_each(&sn->clients.ids, id, entry)
		ss_client_remove(sn, container_of(entry, struct ss_client,
						  entry));
	mutex_unlock(&sn->lock);
}
