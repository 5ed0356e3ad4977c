// SPDX-License-Identifier: GPL-2.0
/*
 * The common part of servers and client profiles: set-up, publication,
 * reference counting and freeing.
 */

#include <linux/memcontrol.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "acl.h"
#include "blake3.h"
#include "crypto.h"
#include "endpoint.h"
#include "netlink.h"
#include "replay.h"

/**
 * ss_endpoint_init() - set up the common part of a new object
 * @ep: the first member of a zeroed server or client profile
 * @net: the namespace it will live in
 * @cfg: name, method, key, timeouts and limit
 * @local: a client profile
 *
 * Return: 0 or -ENOMEM. Either way, ss_endpoint_free() frees the object
 * as long as it has not been published.
 */
int ss_endpoint_init(struct ss_endpoint *ep, struct net *net,
		     const struct ss_obj_cfg *cfg, bool local)
{
	kref_init(&ep->refcount);
	ep->net = net;
	ep->memcg = get_mem_cgroup_from_mm(current->mm);
	ep->ev_refused = jiffies;
	ep->ev_bad = jiffies;
	strscpy(ep->entry.name, cfg->name, sizeof(ep->entry.name));
	ep->local = local;
	ep->method = cfg->method;
	memcpy(ep->key, cfg->key, ep->method->key_len);
	if (cfg->ikey) {
		struct ss_blake3 h;

		memcpy(ep->ikey, cfg->ikey, ep->method->key_len);
		ss_blake3_init(&h);
		ss_blake3_update(&h, ep->key, ep->method->key_len);
		ss_blake3_final(&h, ep->ikey_hash, sizeof(ep->ikey_hash));
		ep->has_ikey = true;
	}
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
	ss_acl_free(ep->acl);
	mem_cgroup_put(ep->memcg);
	ss_stats_free(&ep->stats);
	kfree_sensitive(ep);	/* the whole object; wipes the key */
}

/**
 * ss_endpoint_publish() - make an object findable
 * @sn: the namespace's state; the caller holds its lock
 * @table: the table of its kind
 * @ep: the object
 *
 * Return: 0, -EEXIST when the table has that name, -ESHUTDOWN when the
 * module is being unloaded, or -ENOMEM.
 */
int ss_endpoint_publish(struct ss_net *sn, struct ss_table *table,
			struct ss_endpoint *ep)
{
	int err;

	lockdep_assert_held(&sn->lock);
	if (ss_netns_closing())
		return -ESHUTDOWN;
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

/*
 * Send one of an object's rate-limited events: at most one a second per
 * limiter (@next, the jiffies before which none goes), and nothing at all
 * costs more than a test when nobody listens. Any context: the relay's
 * works, under spinlocks too.
 */
static void ss_endpoint_event(struct ss_endpoint *ep, unsigned long *next,
			      u8 cmd)
{
	unsigned long now = jiffies, due = READ_ONCE(*next);

	if (!ss_nl_monitored(ep->net) || time_before(now, due) ||
	    cmpxchg(next, due, now + HZ) != due)
		return;
	ss_nl_notify(ep->net, cmd, ep->local ? SS_OBJECT_CLIENT :
					       SS_OBJECT_SERVER,
		     ep->entry.name, 0, GFP_ATOMIC);
}

/**
 * ss_endpoint_refused() - count a connection or relay refused at max_conns
 * @ep: the server or client profile
 *
 * And tell the monitors, at most once a second (refused-ntf).
 */
void ss_endpoint_refused(struct ss_endpoint *ep)
{
	ss_stats_inc(&ep->stats, SS_STATS_A_REFUSED);
	ss_endpoint_event(ep, &ep->ev_refused, SS_CMD_REFUSED_NTF);
}

/**
 * ss_endpoint_bad() - count bad data from the encrypted side
 * @ep: the server or client profile
 * @ctr: the counter (SS_STATS_A_AUTH_FAIL, _REPLAY, _UDP_DROP_AUTH, ...)
 *
 * A server's authentication failures and replays also go to the monitors,
 * the first of either in each second (auth-fail-ntf, replay-ntf): an
 * attack or a misconfigured client, seen as it starts.
 */
void ss_endpoint_bad(struct ss_endpoint *ep, enum ss_stats_attr ctr)
{
	ss_stats_inc(&ep->stats, ctr);
	if (ep->local)
		return;
	switch (ctr) {
	case SS_STATS_A_AUTH_FAIL:
	case SS_STATS_A_UDP_DROP_AUTH:
		ss_endpoint_event(ep, &ep->ev_bad, SS_CMD_AUTH_FAIL_NTF);
		break;
	case SS_STATS_A_REPLAY:
	case SS_STATS_A_STALE_TIMESTAMP:
	case SS_STATS_A_UDP_DROP_REPLAY:
	case SS_STATS_A_UDP_DROP_WINDOW:
		ss_endpoint_event(ep, &ep->ev_bad, SS_CMD_REPLAY_NTF);
		break;
	default:
		break;
	}
}
