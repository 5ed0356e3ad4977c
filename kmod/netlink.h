/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic netlink family "shadowsocks", and the resolver's requests
 * multicast on it.
 */

#ifndef _SS_NETLINK_H
#define _SS_NETLINK_H

#include <linux/types.h>

struct net;

int ss_genl_init(void);
void ss_genl_uninit(void);
bool ss_nl_resolver_listening(struct net *net);
int ss_nl_resolve_request(struct net *net, u32 id, const char *server,
			  const char *name);

#endif /* _SS_NETLINK_H */
