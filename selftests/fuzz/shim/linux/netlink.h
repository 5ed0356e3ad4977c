/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for the kernel's <linux/netlink.h>: the uapi header
 * (struct nlmsghdr, struct nlattr, NLA_*), the extended ACK a request's
 * handler reports through, and its NL_SET_ERR_MSG*() macros, as Linux
 * 6.12 has them (without the tracepoint, the cookie and the formatted
 * messages, which no shimmed file uses).
 */
#ifndef _SS_SHIM_LINUX_NETLINK_H
#define _SS_SHIM_LINUX_NETLINK_H

#include_next <linux/netlink.h>
#include <linux/types.h>

struct nla_policy;

struct netlink_ext_ack {
	const char *_msg;
	const struct nlattr *bad_attr;
	const struct nla_policy *policy;
};

/* (a string literal only, as in the kernel) */
#define NL_SET_ERR_MSG(extack, msg) do {		\
	static const char __msg[] = msg;		\
	struct netlink_ext_ack *__extack = (extack);	\
							\
	if (__extack)					\
		__extack->_msg = __msg;			\
} while (0)

#define NL_SET_ERR_MSG_ATTR_POL(extack, attr, pol, msg) do {	\
	static const char __msg[] = msg;			\
	struct netlink_ext_ack *__extack = (extack);		\
								\
	if (__extack) {						\
		__extack->_msg = __msg;				\
		__extack->bad_attr = (attr);			\
		__extack->policy = (pol);			\
	}							\
} while (0)

#define NL_SET_ERR_MSG_ATTR(extack, attr, msg)		\
	NL_SET_ERR_MSG_ATTR_POL(extack, attr, NULL, msg)

#endif
