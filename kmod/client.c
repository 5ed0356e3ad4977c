// SPDX-License-Identifier: GPL-2.0
/*
 * Client profiles: creation, lookup, removal. The relays of the local role
 * (conn.c) each hold a reference on their profile; removing a profile ends
 * them first, and its UDP relays (udp_local.c).
 */

#include <linux/slab.h>

#include "client.h"
#include "conn.h"

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

	cl = kzalloc(sizeof(*cl), GFP_KERNEL_ACCOUNT);
	if (!cl)
		return -ENOMEM;
	err = ss_endpoint_init(&cl->ep, &cfg->obj, true);
	if (err)
		goto err_free;
	cl->remote = cfg->remote;
	ss_ludp_init(cl);

	mutex_lock(&sn->lock);
	err = ss_endpoint_publish(sn, &sn->clients, &cl->ep);
	mutex_unlock(&sn->lock);
	if (err)
		goto err_free;
	return 0;

err_free:
	ss_endpoint_free(&cl->ep);	/* never published: no grace period */
	return err;
}

/*
 * Unpublish, end every relay of the profile and drop the table's
 * reference; under ss_net.lock.
 */
static void ss_client_remove(struct ss_net *sn, struct ss_client *cl)
{
	ss_table_remove(sn, &sn->clients, &cl->ep.entry);
	ss_conn_kill_all(&cl->ep);
	ss_ludp_stop(cl);
	ss_endpoint_put(&cl->ep);
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

	return entry ? container_of(entry, struct ss_client, ep.entry) : NULL;
}

/**
 * ss_client_delete() - delete a client profile by name
 * @net: the namespace it lives in
 * @name: its name
 *
 * Every relay of the profile is closed before this returns.
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
						  ep.entry));
	mutex_unlock(&sn->lock);
}
