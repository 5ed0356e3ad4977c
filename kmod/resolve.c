// SPDX-License-Identifier: GPL-2.0
/*
 * Domain names of targets (server role).
 *
 * A lookup is asked of an agent in the server's own namespace (ssctl
 * resolver, subscribed to the family's "resolver" multicast group), so that
 * a server in a container resolves with the resolver configuration its
 * namespace sees, not the host's. The request is multicast in that
 * namespace with an id; the agent answers with SS_CMD_RESOLVE_REPLY, which
 * is matched by id among the lookups of the replying socket's namespace
 * only. In the initial namespace, while no agent listens, the kernel's
 * dns_resolver upcall answers instead (dns_query(): request-key runs in the
 * initial namespaces, so it is right there and only there); it sleeps for
 * as long as the upcall takes, so it runs in a work of its own queue. In
 * any other namespace without an agent the lookup fails at once.
 *
 * Bounds: a server has at most SS_LOOKUP_MAX_INFLIGHT lookups, so that one
 * client's names cannot hold up every other client's; an agent's lookup
 * fails after lookup_timeout seconds; a lookup ends with the connection
 * or association that asked (ss_lookup_cancel()), so that nothing outlives
 * it, and the namespace's end fails whatever is left.
 *
 * Lifetime. A lookup is referenced by its owner (from ss_lookup_start()
 * until ss_lookup_put()), by its pending state until it ends, by its
 * timeout work while that is queued or runs, and by its upcall work. It
 * holds a reference on its server and counts in the server's in-flight
 * lookups until it is freed: an upcall cannot be interrupted, so a
 * cancelled one keeps counting until it returns. Who ends a lookup is
 * decided once: for an agent's lookup by erasing it from the namespace's
 * table (the reply, the timeout, the owner's cancel, the namespace's exit
 * race for it under the xarray's lock), for an upcall by a bit. The winner
 * stops the timeout, calls the owner's done() (unless it is the owner,
 * cancelling) and drops the pending reference.
 */

#include <linux/time64.h>
#include <linux/dns_resolver.h>
#include <linux/err.h>
#include <linux/kref.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>

#include "addr.h"
#include "netlink.h"
#include "netns.h"
#include "resolve.h"
#include "server.h"

/* Bounded: a lookup must not wait longer than a handshake reasonably can. */
static unsigned int lookup_timeout = SS_LOOKUP_TIMEOUT;
module_param(lookup_timeout, uint, 0644);
MODULE_PARM_DESC(lookup_timeout,
		 "Seconds an agent (ssctl resolver) has to answer a lookup, 1 to 300 (default 10)");

/**
 * struct ss_lookup - one lookup under way
 * @refcount: see the top of this file
 * @srv: the server that asks; a reference held, and its
 *	&ss_server.nr_lookups counts this lookup until it is freed
 * @lookups: the namespace's table, for an agent's lookup; NULL for an
 *	upcall. Set before the lookup can be found, never changed.
 * @id: index in @lookups
 * @ended: bit 0 set once an upcall's lookup has ended
 * @timeout: fails an agent's lookup after lookup_timeout seconds
 * @work: runs the upcall
 * @done: the owner's callback
 * @owner: its argument
 * @port: the target's port (network byte order)
 * @len: length of @name
 * @name: the name, NUL-terminated
 */
struct ss_lookup {
	struct kref refcount;
	struct ss_server *srv;
	struct ss_lookups *lookups;
	u32 id;
	unsigned long ended;
	struct delayed_work timeout;
	struct work_struct work;
	void (*done)(void *owner, int err, const union ss_sockaddr *addr);
	void *owner;
	__be16 port;
	u8 len;
	char name[SS_DOMAIN_MAX + 1];
};

/*
 * Upcalls: unbound, and apart from the relay's workqueue, since each item
 * sleeps for as long as a DNS query takes and must hold up nothing else.
 */
static struct workqueue_struct *ss_resolve_wq __read_mostly;
/*
 * Agents' lookups' timeouts: apart from the upcalls, so that a namespace's
 * exit can wait for the running ones (which look at its table) without
 * waiting for an upcall.
 */
static struct workqueue_struct *ss_lookup_wq __read_mostly;

static void ss_lookup_release(struct kref *refcount)
{
	struct ss_lookup *l = container_of(refcount, struct ss_lookup,
					   refcount);
	struct ss_server *srv = l->srv;

	pr_debug("lookup of %s for server %s destroyed\n", l->name,
		 srv->ep.entry.name);
	atomic_dec(&srv->nr_lookups);
	kfree(l);
	ss_endpoint_put(&srv->ep);
}

/**
 * ss_lookup_put() - drop the owner's reference on a lookup
 * @l: the lookup; call ss_lookup_cancel() first if it may still be under
 *	way and its answer is no longer wanted
 *
 * Process context.
 */
void ss_lookup_put(struct ss_lookup *l)
{
	kref_put(&l->refcount, ss_lookup_release);
}

/* Decide that @l ends now: true for the one caller that does. */
static bool ss_lookup_claim(struct ss_lookup *l)
{
	if (l->lookups)
		return xa_cmpxchg(&l->lookups->ids, l->id, l, NULL, 0) == l;
	return !test_and_set_bit(0, &l->ended);
}

/*
 * The claim's winner: stop the timeout, tell the owner (unless it is the
 * owner) and drop the pending reference. Process context.
 */
static void ss_lookup_end(struct ss_lookup *l, int err,
			  const union ss_sockaddr *addr, bool tell)
{
	if (l->lookups && cancel_delayed_work(&l->timeout))
		ss_lookup_put(l);	/* the timeout's */
	if (tell)
		l->done(l->owner, err, addr);
	ss_lookup_put(l);		/* the pending one */
}

static void ss_lookup_timeout(struct work_struct *work)
{
	struct ss_lookup *l = container_of(to_delayed_work(work),
					   struct ss_lookup, timeout);

	if (ss_lookup_claim(l)) {
		pr_debug("lookup %u of %s timed out\n", l->id, l->name);
		ss_lookup_end(l, -ETIMEDOUT, NULL, true);
	}
	ss_lookup_put(l);		/* the timeout's */
}

static void ss_lookup_upcall(struct work_struct *work)
{
	struct ss_lookup *l = container_of(work, struct ss_lookup, work);
	union ss_sockaddr addr = {};
	char *result = NULL;
	int ret;

	/*
	 * "list": without options keyutils' key.dns_resolver asks for A
	 * records only, so a name with nothing but AAAA would fail; with it
	 * the answer is every address, comma-separated (ss_addr_pick chooses).
	 * The answer's key is invalidated at once, not cached: the names are
	 * the clients' choice, and cached keys count against root's key
	 * quota, which other users of keys (NFS, CIFS, AFS) need.
	 */
	ret = dns_query(&init_net, NULL, l->name, l->len, "list", &result,
			NULL, true);
	if (ret >= 0)
		ret = ss_addr_pick(result, ret, l->port, &addr);
	kfree(result);
	if (ss_lookup_claim(l))
		ss_lookup_end(l, ret, &addr, true);
	else
		pr_debug("upcall for %s returned after its lookup ended\n",
			 l->name);
	ss_lookup_put(l);		/* the work's */
}

/* Put an agent's lookup in the table, set its timeout and multicast it. */
static int ss_lookup_ask(struct ss_lookup *l, struct net *net)
{
	struct ss_lookups *lookups = &ss_net(net)->lookups;
	int err;

	l->lookups = lookups;
	kref_get(&l->refcount);			/* the pending one */
	err = xa_alloc_cyclic(&lookups->ids, &l->id, l, xa_limit_32b,
			      &lookups->next_id, GFP_KERNEL);
	if (err < 0) {
		ss_lookup_put(l);
		return err;
	}
	kref_get(&l->refcount);			/* the timeout's */
	queue_delayed_work(ss_lookup_wq, &l->timeout,
			   clamp(READ_ONCE(lookup_timeout), 1U, 300U) * HZ);
	/*
	 * Ids are predictable: a reply may have found the lookup and ended it
	 * before the timeout was armed, when ss_lookup_end() had nothing to
	 * cancel. Then no one else will cancel it, and it must not fire after
	 * the namespace (l->lookups) is gone: cancel it here. If the reply's
	 * ss_lookup_end() cancels it too, only one of the two succeeds.
	 */
	if (xa_load(&lookups->ids, l->id) != l &&
	    cancel_delayed_work(&l->timeout))
		ss_lookup_put(l);		/* the timeout's */

	err = ss_nl_resolve_request(net, l->id, l->srv->ep.entry.name,
				    l->name);
	if (!err) {
		pr_debug("lookup %u of %s asked of the agent\n", l->id,
			 l->name);
		return 0;
	}
	/* Unless the agent has answered already, no answer will come. */
	if (!ss_lookup_claim(l))
		return 0;
	ss_lookup_end(l, err, NULL, false);
	return err;
}

/**
 * ss_lookup_start() - resolve a target's name in the background
 * @srv: the server that asks; counts it among its lookups in flight
 * @net: the server's namespace
 * @name: the name (checked by ss_addr_name_ok())
 * @len: its length, 1 to SS_DOMAIN_MAX
 * @port: the port to give the address (network byte order)
 * @done: called once with the answer, in process context, unless
 *	ss_lookup_cancel() wins; may be called before this returns
 * @owner: @done's first argument; the caller keeps it alive until @done
 *	runs or the cancel wins
 *
 * Process context.
 *
 * Return: the lookup (the caller's reference: ss_lookup_put()), or
 * ERR_PTR(-EBUSY) at the server's SS_LOOKUP_MAX_INFLIGHT, -ESRCH outside
 * the initial namespace with no agent, -ENOMEM; @done is not called then.
 */
struct ss_lookup *ss_lookup_start(struct ss_server *srv, struct net *net,
				  const char *name, u8 len, __be16 port,
				  void (*done)(void *owner, int err,
					       const union ss_sockaddr *addr),
				  void *owner)
{
	struct mem_cgroup *old;
	struct ss_lookup *l;
	int err;

	if (atomic_inc_return(&srv->nr_lookups) > SS_LOOKUP_MAX_INFLIGHT) {
		atomic_dec(&srv->nr_lookups);
		return ERR_PTR(-EBUSY);
	}
	old = ss_memcg_enter(&srv->ep);
	l = kzalloc(sizeof(*l), GFP_KERNEL_ACCOUNT);
	ss_memcg_leave(old);
	if (!l) {
		atomic_dec(&srv->nr_lookups);
		return ERR_PTR(-ENOMEM);
	}
	kref_init(&l->refcount);		/* the owner's */
	ss_endpoint_get(&srv->ep);
	l->srv = srv;
	INIT_DELAYED_WORK(&l->timeout, ss_lookup_timeout);
	INIT_WORK(&l->work, ss_lookup_upcall);
	l->done = done;
	l->owner = owner;
	l->port = port;
	l->len = len;
	memcpy(l->name, name, len);
	l->name[len] = '\0';
	pr_debug("lookup of %s for server %s created\n", l->name,
		 srv->ep.entry.name);

	if (ss_nl_resolver_listening(net)) {
		err = ss_lookup_ask(l, net);
	} else if (net_eq(net, &init_net)) {
		kref_get(&l->refcount);		/* the pending one */
		kref_get(&l->refcount);		/* the work's */
		queue_work(ss_resolve_wq, &l->work);
		err = 0;
	} else {
		err = -ESRCH;
	}
	if (err) {
		ss_lookup_put(l);
		return ERR_PTR(err);
	}
	return l;
}

/**
 * ss_lookup_cancel() - end a lookup whose answer is no longer wanted
 * @l: the lookup; the caller holds its reference
 *
 * An agent's late reply then gets -ENOENT; an upcall runs on (it cannot
 * be interrupted) and its answer is dropped. Process context.
 *
 * Return: true if the lookup ended here, so that done() will not be
 * called; false if done() has been or is being called.
 */
bool ss_lookup_cancel(struct ss_lookup *l)
{
	if (!ss_lookup_claim(l))
		return false;
	pr_debug("lookup %u of %s cancelled\n", l->id, l->name);
	ss_lookup_end(l, 0, NULL, false);
	return true;
}

/**
 * ss_lookup_answer() - an agent's reply
 * @net: the namespace the reply came from
 * @id: the lookup it answers
 * @err: 0, or the negative errno the agent reported
 * @addr: the address the agent found, without a port, if @err is 0
 *
 * Process context.
 *
 * Return: 0, or -ENOENT when @net has no lookup @id under way.
 */
int ss_lookup_answer(struct net *net, u32 id, int err,
		     const union ss_sockaddr *addr)
{
	struct ss_lookup *l = xa_erase(&ss_net(net)->lookups.ids, id);
	union ss_sockaddr a = {};

	if (!l)
		return -ENOENT;
	if (!err) {
		a = *addr;
		if (a.sa.sa_family == AF_INET)
			a.in4.sin_port = l->port;
		else
			a.in6.sin6_port = l->port;
		pr_debug("lookup %u of %s answered: %pISc\n", id, l->name,
			 &a.sa);
	} else {
		pr_debug("lookup %u of %s failed: error %d\n", id, l->name,
			 err);
	}
	ss_lookup_end(l, err, &a, true);
	return 0;
}

/**
 * ss_resolve_net_init() - a namespace's table of lookups
 * @lookups: the table, in the namespace's state
 */
void ss_resolve_net_init(struct ss_lookups *lookups)
{
	xa_init_flags(&lookups->ids, XA_FLAGS_ALLOC);
	/* Ids need only be unique; not starting at 0 costs nothing. */
	lookups->next_id = get_random_u32();
}

/**
 * ss_resolve_net_exit() - end a namespace's lookups
 * @lookups: the table
 *
 * After the namespace's servers are gone, whose connections and
 * associations cancel their own: what is left fails.
 */
void ss_resolve_net_exit(struct ss_lookups *lookups)
{
	struct ss_lookup *l;
	unsigned long id;

	xa_for_each(&lookups->ids, id, l)
		if (xa_cmpxchg(&lookups->ids, id, l, NULL, 0) == l)
			ss_lookup_end(l, -ESHUTDOWN, NULL, true);
	/*
	 * A timeout that lost its lookup to someone else may still be
	 * looking at the table; the ones not running were cancelled by the
	 * winners.
	 */
	flush_workqueue(ss_lookup_wq);
	xa_destroy(&lookups->ids);
}

/**
 * ss_resolve_init() - allocate the resolver's workqueues
 *
 * Return: 0 or -ENOMEM.
 */
int ss_resolve_init(void)
{
	ss_resolve_wq = alloc_workqueue("shadowsocks_dns", WQ_UNBOUND, 0);
	if (!ss_resolve_wq)
		return -ENOMEM;
	ss_lookup_wq = alloc_workqueue("shadowsocks_dns_timeout", 0, 0);
	if (!ss_lookup_wq) {
		destroy_workqueue(ss_resolve_wq);
		return -ENOMEM;
	}
	return 0;
}

/**
 * ss_resolve_uninit() - wait for every upcall and free the workqueues
 *
 * After every namespace's exit (no agent's lookup is left), before the
 * relay's workqueue goes: an upcall that ends queues its connection's work.
 */
void ss_resolve_uninit(void)
{
	destroy_workqueue(ss_resolve_wq);
	destroy_workqueue(ss_lookup_wq);
}
