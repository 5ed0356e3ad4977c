// SPDX-License-Identifier: GPL-2.0
/*
 * The common part of servers and client profiles: set-up, publication,
 * reference counting and freeing.
 */

#include <linux/slab.h>
#include <linux/string.h>

#include "crypto.h"
#include "endpoint.h"
#include "replay.h"

/**
 * ss_endpoint_init() - set up the common part of a new object
 * @ep: the first member of a zeroed server or client profile
 * @cfg: name, method, key, timeouts and limit
 * @local: a client profile
 *
 * Return: 0 or -ENOMEM. Either way, ss_endpoint_free() frees the object
 * as long as it has not been published.
 */
int ss_endpoint_init(struct ss_endpoint *ep, const struct ss_obj_cfg *cfg,
		     bool local)
{
	kref_init(&ep->refcount);
	strscpy(ep->entry.name, cfg->name, sizeof(ep->entry.name));
	ep->local = local;
	ep->method = cfg->method;
	memcpy(ep->key, cfg->key, ep->method->key_len);
	ep->timeout = cfg->timeout;
	ep->handshake_timeout = cfg->handshake_timeout;
	ep->max_conns = cfg->max_conns;
	spin_lock_init(&ep->conns_lock);
	INIT_LIST_HEAD(&ep->conns);
	INIT_LIST_HEAD(&ep->unauth);
	init_waitqueue_head(&ep->conns_wq);
	return ss_stats_init(&ep->stats);
}

/**
 * ss_endpoint_free() - free an object at once
 * @ep: its common part; never published, or its grace period is over
 */
void ss_endpoint_free(struct ss_endpoint *ep)
{
	ss_replay_put(ep->replay);
	ss_stats_free(&ep->stats);
	kfree_sensitive(ep);	/* the whole object; wipes the key */
}

/**
 * ss_endpoint_publish() - make an object findable
 * @sn: the namespace's state; the caller holds its lock
 * @table: the table of its kind
 * @ep: the object
 *
 * Return: 0, -EEXIST when the table has that name, or -ENOMEM.
 */
int ss_endpoint_publish(struct ss_net *sn, struct ss_table *table,
			struct ss_endpoint *ep)
{
	int err;

	lockdep_assert_held(&sn->lock);
	if (ss_table_lookup(sn, table, ep->entry.name))
		return -EEXIST;
	err = ss_table_insert(sn, table, &ep->entry);
	if (!err)
		pr_debug("%s %s created\n", ss_endpoint_kind(ep),
			 ep->entry.name);
	return err;
}

static void ss_endpoint_free_rcu(struct rcu_head *rcu)
{
	struct ss_endpoint *ep = container_of(rcu, struct ss_endpoint, rcu);

	pr_debug("%s %s destroyed\n", ss_endpoint_kind(ep), ep->entry.name);
	ss_endpoint_free(ep);
}

static void ss_endpoint_release(struct kref *refcount)
{
	struct ss_endpoint *ep = container_of(refcount, struct ss_endpoint,
					      refcount);

	call_rcu(&ep->rcu, ss_endpoint_free_rcu);
}

/**
 * ss_endpoint_get() - take a reference
 * @ep: the object; the caller already holds a reference, or holds
 *	&ss_net.lock with @ep in its table
 */
void ss_endpoint_get(struct ss_endpoint *ep)
{
	kref_get(&ep->refcount);
}

/**
 * ss_endpoint_get_live() - take a reference on an object found under RCU
 * @ep: the object, found in its table under rcu_read_lock()
 *
 * Return: false if it is being freed (its removal has dropped the table's
 * reference, and nobody else held one).
 */
bool ss_endpoint_get_live(struct ss_endpoint *ep)
{
	return kref_get_unless_zero(&ep->refcount);
}

/**
 * ss_endpoint_put() - drop a reference
 * @ep: the object; freed after an RCU grace period with the last one
 */
void ss_endpoint_put(struct ss_endpoint *ep)
{
	kref_put(&ep->refcount, ss_endpoint_release);
}
