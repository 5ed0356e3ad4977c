/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for the kernel's <net/genetlink.h>: the uapi header
 * (struct genlmsghdr, GENL_HDRLEN) and the request a handler is given,
 * struct genl_info, with the members the shimmed files read (Linux 6.12
 * has more: the sender, the family, the namespace).
 */
#ifndef _SS_SHIM_NET_GENETLINK_H
#define _SS_SHIM_NET_GENETLINK_H

#include <linux/genetlink.h>
#include <net/netlink.h>

struct genl_info {
	const struct nlmsghdr *nlhdr;
	struct genlmsghdr *genlhdr;
	struct nlattr **attrs;
	struct netlink_ext_ack *extack;
};

#endif
