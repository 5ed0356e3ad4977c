// SPDX-License-Identifier: GPL-2.0
/*
 * Servers: creation with their sockets, lookup, removal and freeing.
 */

#include <linux/ipv6.h>
#include <net/ipv6.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "compat.h"
#include "crypto.h"
#include "server.h"

static void ss_server_free(struct ss_server *srv)
{
	ss_stats_free(&srv->stats);
	kfree_sensitive(srv);	/* wipes the key */
}

static void ss_server_free_rcu(struct rcu_head *rcu)
{
	struct ss_server *srv = container_of(rcu, struct ss_server, rcu);

	pr_debug("server %s destroyed\n", srv->entry.name);
	ss_server_free(srv);
}

static void ss_server_release(struct kref *refcount)
{
	struct ss_server *srv = container_of(refcount, struct ss_server,
					     refcount);

	call_rcu(&srv->rcu, ss_server_free_rcu);
}

static void ss_server_put(struct ss_server *srv)
{
	kref_put(&srv->refcount, ss_server_release);
}

/* Release every socket; the caller holds ss_net.lock. */
static void ss_server_close(struct ss_server *srv)
{
	int i;

	for (i = 0; i < SS_LISTEN_NR; i++) {
		ss_socket_release(&srv->listen[i].tcp);
		ss_socket_release(&srv->listen[i].udp);
	}
}

/*
 * Create and bind the sockets of every listen address, for each protocol
 * the mode needs; the caller holds ss_net.lock. Binding now reports a port
 * in use at creation. The relay issue adds listen() and the accept and
 * receive callbacks here: a listening socket nobody accepts on would leave
 * clients hanging in the backlog.
 */
static int ss_server_open(struct ss_server *srv, struct net *net,
			  struct netlink_ext_ack *extack)
{
	bool tcp = srv->mode != SS_MODE_UDP_ONLY;
	bool udp = srv->mode != SS_MODE_TCP_ONLY;
	int i, err;

	for (i = 0; i < SS_LISTEN_NR; i++) {
		struct ss_listener *l = &srv->listen[i];

		if (!l->addr.sa.sa_family)
			continue;
		if (tcp) {
			err = ss_socket_bind(net, &l->addr, SOCK_STREAM,
					     &l->tcp, extack);
			if (err)
				goto err_close;
		}
		if (udp) {
			err = ss_socket_bind(net, &l->addr, SOCK_DGRAM,
					     &l->udp, extack);
			if (err)
				goto err_close;
		}
	}
	return 0;

err_close:
	ss_server_close(srv);
	return err;
}

static bool ss_sockaddr_overlap(const union ss_sockaddr *a,
				const union ss_sockaddr *b)
{
	if (!a->sa.sa_family || a->sa.sa_family != b->sa.sa_family)
		return false;
	if (a->sa.sa_family == AF_INET)
		return a->in4.sin_port == b->in4.sin_port &&
		       (a->in4.sin_addr.s_addr == b->in4.sin_addr.s_addr ||
			a->in4.sin_addr.s_addr == htonl(INADDR_ANY) ||
			b->in4.sin_addr.s_addr == htonl(INADDR_ANY));
	return a->in6.sin6_port == b->in6.sin6_port &&
	       (ipv6_addr_equal(&a->in6.sin6_addr, &b->in6.sin6_addr) ||
		ipv6_addr_any(&a->in6.sin6_addr) ||
		ipv6_addr_any(&b->in6.sin6_addr));
}

/*
 * Two bound TCP sockets that both have SO_REUSEADDR do not conflict until
 * one of them listens, and these do not listen yet (see ss_server_open()).
 * Refuse a TCP port another server of the namespace has, as bind() will
 * once the relay listens; the caller holds ss_net.lock.
 */
static int ss_server_check_tcp(struct ss_net *sn, const struct ss_server *srv,
			       struct netlink_ext_ack *extack)
{
	const struct ss_entry *entry;
	unsigned long id;
	int i, j;

	if (srv->mode == SS_MODE_UDP_ONLY)
		return 0;
	xa_for_each(&sn->servers.ids, id, entry) {
		const struct ss_server *other =
			container_of(entry, struct ss_server, entry);

		if (other->mode == SS_MODE_UDP_ONLY)
			continue;
		for (i = 0; i < SS_LISTEN_NR; i++) {
			const union ss_sockaddr *addr = &srv->listen[i].addr;

			for (j = 0; j < SS_LISTEN_NR; j++) {
				if (!ss_sockaddr_overlap(addr,
							 &other->listen[j].addr))
					continue;
				SS_SET_ERR_MSG_FMT(extack,
						   "cannot bind: address already in use",
						   "cannot bind %pISpc/tcp: address already in use",
						   &addr->sa);
				return -EADDRINUSE;
			}
		}
	}
	return 0;
}

/* Neither address given: 0.0.0.0 and, where IPv6 is enabled at all, ::. */
static void ss_server_set_listen(struct ss_server *srv,
				 const struct ss_server_cfg *cfg)
{
	union ss_sockaddr *l4 = &srv->listen[SS_LISTEN_IPV4].addr;
	union ss_sockaddr *l6 = &srv->listen[SS_LISTEN_IPV6].addr;

	*l4 = cfg->listen[SS_LISTEN_IPV4];
	*l6 = cfg->listen[SS_LISTEN_IPV6];
	if (l4->sa.sa_family || l6->sa.sa_family)
		return;

	l4->in4.sin_family = AF_INET;
	l4->in4.sin_port = htons(cfg->obj.port);
	l4->in4.sin_addr.s_addr = htonl(INADDR_ANY);
	if (ipv6_mod_enabled()) {
		l6->in6.sin6_family = AF_INET6;
		l6->in6.sin6_port = htons(cfg->obj.port);
		l6->in6.sin6_addr = in6addr_any;
	}
}

/**
 * ss_server_create() - create a server, bind its sockets and publish it
 * @net: the namespace it lives in
 * @cfg: what it is
 * @extack: where to say why not
 *
 * Sleeps. The caller has validated @cfg and checked the method.
 *
 * Return: 0; -EEXIST when @net has a server of that name (no message set);
 * another negative errno, with a message in @extack when sockets failed.
 */
int ss_server_create(struct net *net, const struct ss_server_cfg *cfg,
		     struct netlink_ext_ack *extack)
{
	struct ss_net *sn = ss_net(net);
	struct ss_server *srv;
	int err;

	srv = kzalloc(sizeof(*srv), GFP_KERNEL);
	if (!srv)
		return -ENOMEM;
	kref_init(&srv->refcount);
	strscpy(srv->entry.name, cfg->obj.name, sizeof(srv->entry.name));
	srv->method = cfg->obj.method;
	memcpy(srv->key, cfg->obj.key, srv->method->key_len);
	srv->port = cfg->obj.port;
	srv->mode = cfg->mode;
	srv->timeout = cfg->obj.timeout;
	ss_server_set_listen(srv, cfg);
	err = ss_stats_init(&srv->stats);
	if (err)
		goto err_free;

	mutex_lock(&sn->lock);
	if (ss_table_lookup(sn, &sn->servers, srv->entry.name)) {
		err = -EEXIST;
		goto err_unlock;
	}
	err = ss_server_check_tcp(sn, srv, extack);
	if (err)
		goto err_unlock;
	err = ss_server_open(srv, net, extack);
	if (err)
		goto err_unlock;
	err = ss_table_insert(sn, &sn->servers, &srv->entry);
	if (err)
		goto err_close;
	pr_debug("server %s created\n", srv->entry.name);
	mutex_unlock(&sn->lock);
	return 0;

err_close:
	ss_server_close(srv);
err_unlock:
	mutex_unlock(&sn->lock);
err_free:
	ss_server_free(srv);	/* never published: no grace period needed */
	return err;
}

/* Unpublish, close and drop the table's reference; under ss_net.lock. */
static void ss_server_remove(struct ss_net *sn, struct ss_server *srv)
{
	ss_table_remove(sn, &sn->servers, &srv->entry);
	ss_server_close(srv);
	ss_server_put(srv);
}

/**
 * ss_server_find() - find a server by name
 * @sn: the namespace's state
 * @name: the name
 *
 * The caller holds rcu_read_lock() or @sn->lock; the server stays valid
 * until it drops it (take a reference to keep it longer).
 *
 * Return: the server, or NULL.
 */
struct ss_server *ss_server_find(struct ss_net *sn, const char *name)
{
	struct ss_entry *entry = ss_table_lookup(sn, &sn->servers, name);

	return entry ? container_of(entry, struct ss_server, entry) : NULL;
}

/**
 * ss_server_delete() - delete a server by name
 * @net: the namespace it lives in
 * @name: its name
 *
 * Its sockets are released before this returns, so its ports are free.
 *
 * Return: 0, or -ENOENT when there is no such server.
 */
int ss_server_delete(struct net *net, const char *name)
{
	struct ss_net *sn = ss_net(net);
	struct ss_server *srv;
	int err = 0;

	mutex_lock(&sn->lock);
	srv = ss_server_find(sn, name);
	if (srv)
		ss_server_remove(sn, srv);
	else
		err = -ENOENT;
	mutex_unlock(&sn->lock);
	return err;
}

/**
 * ss_server_remove_all() - delete every server of a namespace
 * @sn: the namespace's state
 */
void ss_server_remove_all(struct ss_net *sn)
{
	struct ss_entry *entry;
	unsigned long id;

	mutex_lock(&sn->lock);
	xa_for_each(&sn->servers.ids, id, entry)
		ss_server_remove(sn, container_of(entry, struct ss_server,
						  entry));
	mutex_unlock(&sn->lock);
}
