// SPDX-License-Identifier: GPL-2.0
/*
 * Servers: creation with their sockets, lookup, removal and freeing.
 */

#include <crypto/algapi.h>
#include <linux/ipv6.h>
#include <net/ipv6.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "acl.h"
#include "conn.h"
#include "crypto.h"
#include "listen.h"
#include "replay.h"
#include "saltpool.h"
#include "server.h"
#include "udp.h"

/*
 * Stop accepting, release every socket, then end every connection and wait
 * until their sockets are released too; the caller holds ss_net.lock.
 */
static void ss_server_close(struct ss_server *srv)
{
	int i;

	ss_listen_stop(srv);
	ss_udp_stop(srv);
	for (i = 0; i < SS_LISTEN_NR; i++) {
		ss_socket_release(&srv->listen[i].tcp);
		ss_socket_release(&srv->listen[i].udp);
	}
	ss_conn_kill_all(&srv->ep);
	/* No connection or session is left to use them. */
	ss_salt_pool_retire(&ss_net(srv->ep.net)->old_salts, srv->ep.salts);
	srv->ep.salts = NULL;
	ss_users_destroy(&srv->users);
}

/*
 * A 2022 server's salt pool: the one of a server of the namespace with the
 * same method and key, or the one such a server left within the last
 * minute, or a new one. The caller holds ss_net.lock, under which servers
 * in the table have theirs.
 */
static int ss_server_salts(struct ss_net *sn, struct ss_server *srv)
{
	const struct ss_method_info *m = srv->ep.method;
	struct ss_salt_pool *p;
	struct ss_entry *entry;
	unsigned long id;

	if (!ss_method_is_2022(m))
		return 0;
	xa_for_each(&sn->servers.ids, id, entry) {
		struct ss_server *o = container_of(entry, struct ss_server,
						   ep.entry);

		if (o->ep.salts && o->ep.method == m &&
		    !crypto_memneq(o->ep.key, srv->ep.key, m->key_len)) {
			srv->ep.salts = ss_salt_pool_get(o->ep.salts);
			return 0;
		}
	}
	p = ss_salt_pool_adopt(&sn->old_salts, m, srv->ep.key, m->key_len);
	if (!p)
		p = ss_salt_pool_new_server(m, srv->ep.key, m->key_len);
	if (IS_ERR(p))
		return PTR_ERR(p);
	srv->ep.salts = p;
	return 0;
}

/*
 * Create and bind the sockets of every listen address, for each protocol
 * the mode needs; the caller holds ss_net.lock. Binding now reports a port
 * in use at creation; ss_listen_start() listens once the server is
 * published.
 */
static int ss_server_open(struct ss_server *srv, struct net *net,
			  struct netlink_ext_ack *extack)
{
	bool tcp = srv->mode != SS_MODE_UDP_ONLY;
	bool udp = srv->mode != SS_MODE_TCP_ONLY;
	int i, err;

	err = ss_udp_init(srv, net);
	if (err)
		goto err_close;
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

/* Unpublish, close and drop the table's reference; under ss_net.lock. */
static void ss_server_remove(struct ss_net *sn, struct ss_server *srv)
{
	ss_table_remove(sn, &sn->servers, &srv->ep.entry);
	ss_server_close(srv);
	ss_endpoint_put(&srv->ep);
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
 * ss_server_create() - create a server, bind its sockets, publish it, listen
 * @net: the namespace it lives in
 * @cfg: what it is
 * @extack: where to say why not
 *
 * Sleeps. The caller has validated @cfg and checked the method. The server
 * takes @cfg->acl over, made or not: the caller must not free it.
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

	/*
	 * What a netlink caller makes is charged to its memory cgroup (here
	 * and in client.c, stats.c), and so is what traffic makes for the
	 * object later, in work items: connections, UDP sessions and their
	 * buffers (ss_memcg_enter()), the sockets we create and what they
	 * queue (ss_socket_create()), and what accepted sockets queue where
	 * nothing had arrived before they were accepted (ss_socket_charge()).
	 * Any user can make objects in a namespace of their own.
	 */
	srv = kzalloc(sizeof(*srv), GFP_KERNEL_ACCOUNT);
	if (!srv) {
		ss_acl_free(cfg->acl);
		return -ENOMEM;
	}
	/* (before anything can fail: ss_endpoint_free() frees it) */
	srv->ep.acl = cfg->acl;
	err = ss_endpoint_init(&srv->ep, net, &cfg->obj, false);
	if (err)
		goto err_free;
	srv->port = cfg->obj.port;
	srv->mode = cfg->mode;
	srv->allow_local = cfg->allow_local;
	ss_server_set_listen(srv, cfg);

	mutex_lock(&sn->lock);
	if (ss_table_lookup(sn, &sn->servers, srv->ep.entry.name)) {
		err = -EEXIST;
		goto err_unlock;
	}
	srv->ep.replay = ss_replay_net_get(&sn->replay);
	if (!srv->ep.replay) {
		NL_SET_ERR_MSG(extack, "no memory for the replay filter");
		err = -ENOMEM;
		goto err_unlock;
	}
	err = ss_server_open(srv, net, extack);
	if (err)
		goto err_unlock;
	err = ss_server_salts(sn, srv);
	if (err) {
		NL_SET_ERR_MSG(extack, "no memory for the salt pool");
		goto err_close;
	}
	/* SIP023 defines identity headers for the AES methods only. */
	if (srv->ep.method->aes_headers) {
		err = ss_users_init(&srv->users);
		if (err)
			goto err_close;
	}
	err = ss_endpoint_publish(sn, &sn->servers, &srv->ep);
	if (err)
		goto err_close;
	/*
	 * Connections hold references on the server from the first accept:
	 * from here on only the reference count frees it.
	 */
	err = ss_listen_start(srv, extack);
	if (err)
		ss_server_remove(sn, srv);
	else
		ss_udp_start(srv);
	mutex_unlock(&sn->lock);
	return err;

err_close:
	ss_server_close(srv);
err_unlock:
	mutex_unlock(&sn->lock);
err_free:
	ss_endpoint_free(&srv->ep);	/* never published: no grace period */
	return err;
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

	return entry ? container_of(entry, struct ss_server, ep.entry) : NULL;
}

static void ss_server_remove_entry(struct ss_net *sn, struct ss_entry *entry)
{
	ss_server_remove(sn, container_of(entry, struct ss_server, ep.entry));
}

const struct ss_kind ss_server_kind = {
	.object = SS_OBJECT_SERVER,
	.table = offsetof(struct ss_net, servers),
	.remove = ss_server_remove_entry,
};
