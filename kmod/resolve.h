/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Domain names of targets, resolved through the kernel's dns_resolver.
 */

#ifndef _SS_RESOLVE_H
#define _SS_RESOLVE_H

#include <linux/types.h>

struct ss_conn;

int ss_resolve_init(void);
void ss_resolve_uninit(void);
int ss_resolve_start(struct ss_conn *conn, const char *name, u8 len,
		     __be16 port);

#endif /* _SS_RESOLVE_H */
