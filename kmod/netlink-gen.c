// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/shadowsocks.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "netlink-gen.h"

#include <uapi/linux/shadowsocks_genl.h>
#include <compat.h>
#include <linux/shadowsocks.h>
#include <linux/shadowsocks.h>
#include <linux/shadowsocks.h>
#include <linux/shadowsocks.h>
#include <linux/err.h>

/* Integer value ranges */
static const struct netlink_range_validation ss_a_timeout_range = {
	.min	= 1ULL,
	.max	= SS_MAX_TIMEOUT,
};

static const struct netlink_range_validation ss_a_handshake_timeout_range = {
	.min	= 1ULL,
	.max	= SS_MAX_TIMEOUT,
};

static const struct netlink_range_validation ss_a_max_conns_range = {
	.min	= 1ULL,
	.max	= SS_MAX_MAX_CONNS,
};

/* Common nested types */
const struct nla_policy shadowsocks_acl_nl_policy[SS_ACL_A_RULES + 1] = {
	[SS_ACL_A_IPV4] = { .type = NLA_BINARY, },
	[SS_ACL_A_IPV6] = { .type = NLA_BINARY, },
	[SS_ACL_A_HOST] = { .type = NLA_STRING, .len = 254, },
	[SS_ACL_A_DOMAIN] = { .type = NLA_STRING, .len = 254, },
	[SS_ACL_A_RULES] = { .type = NLA_U32, },
};

/* SS_CMD_SERVER_NEW - do */
const struct nla_policy shadowsocks_server_new_nl_policy[SS_A_ACL + 1] = {
	[SS_A_NAME] = { .type = NLA_NUL_STRING, .len = SS_NAME_LEN, },
	[SS_A_LISTEN_IPV4] = NLA_POLICY_EXACT_LEN(4),
	[SS_A_LISTEN_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[SS_A_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[SS_A_METHOD] = NLA_POLICY_RANGE(NLA_U32, 1, 8),
	[SS_A_KEY] = { .type = NLA_BINARY, },
	[SS_A_MODE] = NLA_POLICY_MAX(NLA_U32, 2),
	[SS_A_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32, &ss_a_timeout_range),
	[SS_A_HANDSHAKE_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32, &ss_a_handshake_timeout_range),
	[SS_A_MAX_CONNS] = NLA_POLICY_FULL_RANGE(NLA_U32, &ss_a_max_conns_range),
	[SS_A_ALLOW_LOCAL] = NLA_POLICY_MAX(NLA_U8, 1),
	[SS_A_ACL] = NLA_POLICY_NESTED(shadowsocks_acl_nl_policy),
};

/* SS_CMD_SERVER_DEL - do */
const struct nla_policy shadowsocks_server_del_nl_policy[SS_A_NAME + 1] = {
	[SS_A_NAME] = { .type = NLA_NUL_STRING, .len = SS_NAME_LEN, },
};

/* SS_CMD_SERVER_GET - do */
const struct nla_policy shadowsocks_server_get_nl_policy[SS_A_NAME + 1] = {
	[SS_A_NAME] = { .type = NLA_NUL_STRING, .len = SS_NAME_LEN, },
};

/* SS_CMD_CLIENT_NEW - do */
const struct nla_policy shadowsocks_client_new_nl_policy[SS_A_PASSWORD + 1] = {
	[SS_A_NAME] = { .type = NLA_NUL_STRING, .len = SS_NAME_LEN, },
	[SS_A_REMOTE_IPV4] = NLA_POLICY_EXACT_LEN(4),
	[SS_A_REMOTE_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[SS_A_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[SS_A_METHOD] = NLA_POLICY_RANGE(NLA_U32, 1, 8),
	[SS_A_KEY] = { .type = NLA_BINARY, },
	[SS_A_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32, &ss_a_timeout_range),
	[SS_A_HANDSHAKE_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32, &ss_a_handshake_timeout_range),
	[SS_A_MAX_CONNS] = NLA_POLICY_FULL_RANGE(NLA_U32, &ss_a_max_conns_range),
	[SS_A_IDENTITY_KEY] = { .type = NLA_BINARY, },
	[SS_A_PASSWORD] = { .type = NLA_BINARY, },
};

/* SS_CMD_CLIENT_DEL - do */
const struct nla_policy shadowsocks_client_del_nl_policy[SS_A_NAME + 1] = {
	[SS_A_NAME] = { .type = NLA_NUL_STRING, .len = SS_NAME_LEN, },
};

/* SS_CMD_CLIENT_GET - do */
const struct nla_policy shadowsocks_client_get_nl_policy[SS_A_NAME + 1] = {
	[SS_A_NAME] = { .type = NLA_NUL_STRING, .len = SS_NAME_LEN, },
};

/* SS_CMD_RELAY_NEW - do */
const struct nla_policy shadowsocks_relay_new_nl_policy[SS_A_REPLY + 1] = {
	[SS_A_NAME] = { .type = NLA_NUL_STRING, .len = SS_NAME_LEN, },
	[SS_A_FD] = { .type = NLA_U32, },
	[SS_A_TARGET] = { .type = NLA_BINARY, },
	[SS_A_DATA] = { .type = NLA_BINARY, },
	[SS_A_REPLY] = { .type = NLA_BINARY, },
};

/* SS_CMD_UDP_RELAY_NEW - do */
const struct nla_policy shadowsocks_udp_relay_new_nl_policy[SS_A_TPROXY + 1] = {
	[SS_A_NAME] = { .type = NLA_NUL_STRING, .len = SS_NAME_LEN, },
	[SS_A_FD] = { .type = NLA_U32, },
	[SS_A_TARGET] = { .type = NLA_BINARY, },
	[SS_A_SOCKS5_UDP] = { .type = NLA_FLAG, },
	[SS_A_UDP_SOURCE] = { .type = NLA_BINARY, },
	[SS_A_TPROXY] = { .type = NLA_FLAG, },
	[SS_A_CTRL_FD] = { .type = NLA_U32, },
	[SS_A_REPLY] = { .type = NLA_BINARY, },
};

/* SS_CMD_RESOLVE_REPLY - do */
const struct nla_policy shadowsocks_resolve_reply_nl_policy[SS_A_LOOKUP_IPV6 + 1] = {
	[SS_A_LOOKUP_ID] = { .type = NLA_U32, },
	[SS_A_LOOKUP_ERROR] = NLA_POLICY_RANGE(NLA_U32, 1, MAX_ERRNO),
	[SS_A_LOOKUP_IPV4] = NLA_POLICY_EXACT_LEN(4),
	[SS_A_LOOKUP_IPV6] = NLA_POLICY_EXACT_LEN(16),
};

/* SS_CMD_USER_NEW - do */
const struct nla_policy shadowsocks_user_new_nl_policy[SS_A_USER + 1] = {
	[SS_A_NAME] = { .type = NLA_NUL_STRING, .len = SS_NAME_LEN, },
	[SS_A_USER] = { .type = NLA_NUL_STRING, .len = SS_NAME_LEN, },
	[SS_A_KEY] = { .type = NLA_BINARY, },
};

/* SS_CMD_USER_DEL - do */
const struct nla_policy shadowsocks_user_del_nl_policy[SS_A_USER + 1] = {
	[SS_A_NAME] = { .type = NLA_NUL_STRING, .len = SS_NAME_LEN, },
	[SS_A_USER] = { .type = NLA_NUL_STRING, .len = SS_NAME_LEN, },
};

/* SS_CMD_USER_GET - do */
const struct nla_policy shadowsocks_user_get_nl_policy[SS_A_USER + 1] = {
	[SS_A_NAME] = { .type = NLA_NUL_STRING, .len = SS_NAME_LEN, },
	[SS_A_USER] = { .type = NLA_NUL_STRING, .len = SS_NAME_LEN, },
};

/* SS_CMD_CLIENT_EXPORT - do */
const struct nla_policy shadowsocks_client_export_nl_policy[SS_A_NAME + 1] = {
	[SS_A_NAME] = { .type = NLA_NUL_STRING, .len = SS_NAME_LEN, },
};

/* Ops table for shadowsocks */
const struct genl_ops shadowsocks_nl_ops[13] = {
	{
		.cmd		= SS_CMD_SERVER_NEW,
		.doit		= shadowsocks_nl_server_new_doit,
		.policy		= shadowsocks_server_new_nl_policy,
		.maxattr	= SS_A_ACL,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= SS_CMD_SERVER_DEL,
		.doit		= shadowsocks_nl_server_del_doit,
		.policy		= shadowsocks_server_del_nl_policy,
		.maxattr	= SS_A_NAME,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= SS_CMD_SERVER_GET,
		.doit		= shadowsocks_nl_server_get_doit,
		.dumpit		= shadowsocks_nl_server_get_dumpit,
		.policy		= shadowsocks_server_get_nl_policy,
		.maxattr	= SS_A_NAME,
	},
	{
		.cmd		= SS_CMD_CLIENT_NEW,
		.doit		= shadowsocks_nl_client_new_doit,
		.policy		= shadowsocks_client_new_nl_policy,
		.maxattr	= SS_A_PASSWORD,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= SS_CMD_CLIENT_DEL,
		.doit		= shadowsocks_nl_client_del_doit,
		.policy		= shadowsocks_client_del_nl_policy,
		.maxattr	= SS_A_NAME,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= SS_CMD_CLIENT_GET,
		.doit		= shadowsocks_nl_client_get_doit,
		.dumpit		= shadowsocks_nl_client_get_dumpit,
		.policy		= shadowsocks_client_get_nl_policy,
		.maxattr	= SS_A_NAME,
	},
	{
		.cmd		= SS_CMD_RELAY_NEW,
		.doit		= shadowsocks_nl_relay_new_doit,
		.policy		= shadowsocks_relay_new_nl_policy,
		.maxattr	= SS_A_REPLY,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= SS_CMD_UDP_RELAY_NEW,
		.doit		= shadowsocks_nl_udp_relay_new_doit,
		.policy		= shadowsocks_udp_relay_new_nl_policy,
		.maxattr	= SS_A_TPROXY,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= SS_CMD_RESOLVE_REPLY,
		.doit		= shadowsocks_nl_resolve_reply_doit,
		.policy		= shadowsocks_resolve_reply_nl_policy,
		.maxattr	= SS_A_LOOKUP_IPV6,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= SS_CMD_USER_NEW,
		.doit		= shadowsocks_nl_user_new_doit,
		.policy		= shadowsocks_user_new_nl_policy,
		.maxattr	= SS_A_USER,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= SS_CMD_USER_DEL,
		.doit		= shadowsocks_nl_user_del_doit,
		.policy		= shadowsocks_user_del_nl_policy,
		.maxattr	= SS_A_USER,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= SS_CMD_USER_GET,
		.doit		= shadowsocks_nl_user_get_doit,
		.dumpit		= shadowsocks_nl_user_get_dumpit,
		.policy		= shadowsocks_user_get_nl_policy,
		.maxattr	= SS_A_USER,
	},
	{
		.cmd		= SS_CMD_CLIENT_EXPORT,
		.doit		= shadowsocks_nl_client_export_doit,
		.policy		= shadowsocks_client_export_nl_policy,
		.maxattr	= SS_A_NAME,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group shadowsocks_nl_mcgrps[] = {
	[SHADOWSOCKS_NLGRP_RESOLVER] = { "resolver", },
	[SHADOWSOCKS_NLGRP_MONITOR] = { "monitor", },
};
