/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Domain names of targets: lookups answered by an agent in the server's
 * namespace over generic netlink, or in the initial namespace by the
 * kernel's dns_resolver upcall when no agent listens.
 */

#ifndef _SS_RESOLVE_H
#define _SS_RESOLVE_H

#include <linux/types.h>
#include <linux/xarray.h>

struct net;
struct ss_lookup;
struct ss_server;
union ss_sockaddr;

/**
 * struct ss_lookups - a namespace's lookups waiting for its agent
 * @ids: id -> struct ss_lookup; the entry is the lookup's "pending"
 *	reference, and whoever erases it ends the lookup (the xarray's own
 *	lock decides who)
 * @next_id: where the cyclic id allocation goes on; under the xarray's
 *	lock
 */
struct ss_lookups {
	struct xarray ids;
	u32 next_id;
};

int ss_resolve_init(void);
void ss_resolve_uninit(void);
void ss_resolve_net_init(struct ss_lookups *lookups);
void ss_resolve_net_exit(struct ss_lookups *lookups);

struct ss_lookup *ss_lookup_start(struct ss_server *srv, struct net *net,
				  const char *name, u8 len, __be16 port,
				  void (*done)(void *owner, int err,
					       const union ss_sockaddr *addr),
				  void *owner);
bool ss_lookup_cancel(struct ss_lookup *l);
void ss_lookup_put(struct ss_lookup *l);
int ss_lookup_answer(struct net *net, u32 id, int err,
		     const union ss_sockaddr *addr);

#endif /* _SS_RESOLVE_H */
