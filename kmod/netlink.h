/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic netlink family "shadowsocks".
 */

#ifndef _SS_NETLINK_H
#define _SS_NETLINK_H

int ss_genl_init(void);
void ss_genl_uninit(void);

#endif /* _SS_NETLINK_H */
