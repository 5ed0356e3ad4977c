/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A server's access control list for egress: the targets it refuses to
 * connect or send to (shadowsocks-libev's [outbound_block_list]).
 */

#ifndef _SS_ACL_H
#define _SS_ACL_H

#include <linux/shadowsocks.h>
#include <linux/types.h>

#include "socket.h"

struct genl_info;
struct ss_acl;

struct ss_acl *ss_acl_parse(const struct genl_info *info);
void ss_acl_free(struct ss_acl *acl);
u32 ss_acl_rules(const struct ss_acl *acl);
bool ss_acl_blocks_addr(const struct ss_acl *acl, const union ss_sockaddr *sa);
bool ss_acl_blocks_name(const struct ss_acl *acl, const char *name,
			size_t len);

#endif /* _SS_ACL_H */
