// SPDX-License-Identifier: GPL-2.0
/*
 * Domain names of targets, resolved with dns_query(): the dns_resolver key
 * type's upcall, which /sbin/request-key hands to keyutils'
 * key.dns_resolver, and which caches answers as keys for their TTL. It
 * sleeps for as long as the upcall takes, so it runs in a work of its own
 * queue, never in a connection's work. The connection does not wait for
 * it: the handshake deadline ends a connection whose name takes too long,
 * and the resolution finishes later on its own references.
 */

#include <linux/time64.h>
#include <linux/dns_resolver.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>

#include "addr.h"
#include "conn.h"
#include "resolve.h"

/**
 * struct ss_resolve - one resolution under way
 * @work: runs dns_query()
 * @conn: the connection that asked; a reference held
 * @net: the namespace whose keys cache the answer; a reference held, as
 *	the key lookup uses it, and the connection may be gone meanwhile
 * @port: the target's port (network byte order)
 * @len: length of @name
 * @name: the name, NUL-terminated
 */
struct ss_resolve {
	struct work_struct work;
	struct ss_conn *conn;
	struct net *net;
	__be16 port;
	u8 len;
	char name[SS_DOMAIN_MAX + 1];
};

/*
 * Unbound, and apart from the relay's workqueue: each item sleeps in an
 * upcall, for as long as a DNS query takes, and must hold up nothing else.
 */
static struct workqueue_struct *ss_resolve_wq __read_mostly;

/**
 * ss_resolve_name() - resolve a name now
 * @net: the namespace whose keys cache the answer
 * @name: the name, NUL-terminated
 * @len: its length, 1 to SS_DOMAIN_MAX
 * @port: the port to give the address (network byte order)
 * @addr: the answer
 *
 * Sleeps for as long as the upcall takes: call it from a work queued with
 * ss_resolve_queue(), never from a relay's work.
 *
 * Return: 0, or a negative errno.
 */
int ss_resolve_name(struct net *net, const char *name, u8 len, __be16 port,
		    union ss_sockaddr *addr)
{
	char *result = NULL;
	int ret;

	/*
	 * "list": without options keyutils' key.dns_resolver asks for A
	 * records only, so a name with nothing but AAAA would fail; with it
	 * the answer is every address, comma-separated (ss_addr_pick chooses).
	 */
	ret = dns_query(net, NULL, name, len, "list", &result, NULL, false);
	if (ret >= 0)
		ret = ss_addr_pick(result, ret, port, addr);
	kfree(result);
	return ret;
}

/**
 * ss_resolve_queue() - run a work on the resolver's workqueue
 * @work: a work that calls ss_resolve_name()
 *
 * ss_resolve_uninit() waits for it.
 */
void ss_resolve_queue(struct work_struct *work)
{
	queue_work(ss_resolve_wq, work);
}

static void ss_resolve_work(struct work_struct *work)
{
	struct ss_resolve *req = container_of(work, struct ss_resolve, work);
	union ss_sockaddr addr = {};
	int ret;

	ret = ss_resolve_name(req->net, req->name, req->len, req->port, &addr);
	put_net(req->net);

	ss_conn_resolved(req->conn, ret, &addr);
	ss_conn_put(req->conn);
	kfree(req);
}

/**
 * ss_resolve_start() - resolve a target's name in the background
 * @conn: the connection, which gets ss_conn_resolved() called when done
 * @name: the name
 * @len: its length, 1 to SS_DOMAIN_MAX
 * @port: the port to give the address (network byte order)
 *
 * Return: 0, -ENOMEM, or -ENOENT if the connection's namespace is going.
 */
int ss_resolve_start(struct ss_conn *conn, const char *name, u8 len,
		     __be16 port)
{
	struct ss_resolve *req;

	req = kmalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	req->net = maybe_get_net(conn->net);
	if (!req->net) {
		kfree(req);
		return -ENOENT;
	}
	INIT_WORK(&req->work, ss_resolve_work);
	ss_conn_get(conn);
	req->conn = conn;
	req->port = port;
	req->len = len;
	memcpy(req->name, name, len);
	req->name[len] = '\0';
	queue_work(ss_resolve_wq, &req->work);
	return 0;
}

/**
 * ss_resolve_init() - allocate the resolver's workqueue
 *
 * Return: 0 or -ENOMEM.
 */
int ss_resolve_init(void)
{
	ss_resolve_wq = alloc_workqueue("shadowsocks_dns", WQ_UNBOUND, 0);
	return ss_resolve_wq ? 0 : -ENOMEM;
}

/**
 * ss_resolve_uninit() - wait for every resolution and free the workqueue
 *
 * Before the relay's workqueue goes: finishing a resolution queues its
 * connection's work.
 */
void ss_resolve_uninit(void)
{
	destroy_workqueue(ss_resolve_wq);
}
