/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic netlink family "shadowsocks", and what is multicast on it:
 * the resolver's requests and the monitors' events.
 */

#ifndef _SS_NETLINK_H
#define _SS_NETLINK_H

#include <linux/gfp.h>
#include <linux/types.h>

struct net;

int ss_genl_init(void);
void ss_genl_uninit(void);
bool ss_nl_resolver_listening(struct net *net);
int ss_nl_resolve_request(struct net *net, u32 id, const char *server,
			  const char *name);
bool ss_nl_monitored(struct net *net);
void ss_nl_notify(struct net *net, u8 cmd, u32 object, const char *name,
		  u32 reason, gfp_t gfp);

#endif /* _SS_NETLINK_H */
