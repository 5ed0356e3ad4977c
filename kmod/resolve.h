/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Domain names of targets, resolved through the kernel's dns_resolver.
 */

#ifndef _SS_RESOLVE_H
#define _SS_RESOLVE_H

#include <linux/types.h>

struct net;
struct ss_conn;
struct work_struct;
union ss_sockaddr;

int ss_resolve_init(void);
void ss_resolve_uninit(void);
int ss_resolve_start(struct ss_conn *conn, const char *name, u8 len,
		     __be16 port);
int ss_resolve_name(struct net *net, const char *name, u8 len, __be16 port,
		    union ss_sockaddr *addr);
void ss_resolve_queue(struct work_struct *work);

#endif /* _SS_RESOLVE_H */
