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
	err = ss_endpoint_init(&cl->ep, net, &cfg->obj, true);
	if (err)
		goto err_free;
	cl->remote = cfg->remote;
	if (cfg->password) {
		memcpy(cl->password, cfg->password, cfg->password_len);
		cl->password_len = cfg->password_len;
	}
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

static void ss_client_remove_entry(struct ss_net *sn, struct ss_entry *entry)
{
	ss_client_remove(sn, container_of(entry, struct ss_client, ep.entry));
}

const struct ss_kind ss_client_kind = {
	.object = SS_OBJECT_CLIENT,
	.table = offsetof(struct ss_net, clients),
	.remove = ss_client_remove_entry,
};
