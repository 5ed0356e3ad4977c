/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/shadowsocks.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_SHADOWSOCKS_GEN_H
#define _LINUX_SHADOWSOCKS_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/shadowsocks_genl.h>
#include <compat.h>
#include <linux/shadowsocks.h>
#include <linux/shadowsocks.h>
#include <linux/shadowsocks.h>
#include <linux/shadowsocks.h>
#include <linux/err.h>

/* Common nested types */
extern const struct nla_policy shadowsocks_acl_nl_policy[SS_ACL_A_RULES + 1];

extern const struct nla_policy shadowsocks_server_new_nl_policy[SS_A_ACL + 1];

extern const struct nla_policy shadowsocks_server_del_nl_policy[SS_A_NAME + 1];

extern const struct nla_policy shadowsocks_server_get_nl_policy[SS_A_NAME + 1];

extern const struct nla_policy shadowsocks_client_new_nl_policy[SS_A_PASSWORD + 1];

extern const struct nla_policy shadowsocks_client_del_nl_policy[SS_A_NAME + 1];

extern const struct nla_policy shadowsocks_client_get_nl_policy[SS_A_NAME + 1];

extern const struct nla_policy shadowsocks_relay_new_nl_policy[SS_A_REPLY + 1];

extern const struct nla_policy shadowsocks_udp_relay_new_nl_policy[SS_A_TPROXY + 1];

extern const struct nla_policy shadowsocks_resolve_reply_nl_policy[SS_A_LOOKUP_IPV6 + 1];

extern const struct nla_policy shadowsocks_user_new_nl_policy[SS_A_USER + 1];

extern const struct nla_policy shadowsocks_user_del_nl_policy[SS_A_USER + 1];

extern const struct nla_policy shadowsocks_user_get_nl_policy[SS_A_USER + 1];

extern const struct nla_policy shadowsocks_client_export_nl_policy[SS_A_NAME + 1];

/* Ops table for shadowsocks */
extern const struct genl_ops shadowsocks_nl_ops[13];

int shadowsocks_nl_server_new_doit(struct sk_buff *skb, struct genl_info *info);
int shadowsocks_nl_server_del_doit(struct sk_buff *skb, struct genl_info *info);
int shadowsocks_nl_server_get_doit(struct sk_buff *skb, struct genl_info *info);
int shadowsocks_nl_server_get_dumpit(struct sk_buff *skb,
				     struct netlink_callback *cb);
int shadowsocks_nl_client_new_doit(struct sk_buff *skb, struct genl_info *info);
int shadowsocks_nl_client_del_doit(struct sk_buff *skb, struct genl_info *info);
int shadowsocks_nl_client_get_doit(struct sk_buff *skb, struct genl_info *info);
int shadowsocks_nl_client_get_dumpit(struct sk_buff *skb,
				     struct netlink_callback *cb);
int shadowsocks_nl_relay_new_doit(struct sk_buff *skb, struct genl_info *info);
int shadowsocks_nl_udp_relay_new_doit(struct sk_buff *skb,
				      struct genl_info *info);
int shadowsocks_nl_resolve_reply_doit(struct sk_buff *skb,
				      struct genl_info *info);
int shadowsocks_nl_user_new_doit(struct sk_buff *skb, struct genl_info *info);
int shadowsocks_nl_user_del_doit(struct sk_buff *skb, struct genl_info *info);
int shadowsocks_nl_user_get_doit(struct sk_buff *skb, struct genl_info *info);
int shadowsocks_nl_user_get_dumpit(struct sk_buff *skb,
				   struct netlink_callback *cb);
int shadowsocks_nl_client_export_doit(struct sk_buff *skb,
				      struct genl_info *info);

enum {
	SHADOWSOCKS_NLGRP_RESOLVER,
	SHADOWSOCKS_NLGRP_MONITOR,
};

#endif /* _LINUX_SHADOWSOCKS_GEN_H */
