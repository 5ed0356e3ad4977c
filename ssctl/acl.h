/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shadowsocks-libev's .acl files: sections of IP networks and domain
 * patterns, read into lists of networks, host names (matched exactly) and
 * domains (matched with every name under them). ssctl sends a file's
 * [outbound_block_list] to a server (SS_A_ACL); ss-socksd --acl picks
 * the targets it connects to directly ([bypass_list], [proxy_list],
 * [bypass_all], [proxy_all]).
 *
 * libev matches a domain pattern as a PCRE regular expression. We take
 * the forms its lists are written in and refuse every other, naming the
 * line: "(^|\.)example\.com$" (the domain and every name under it),
 * "^example\.com$" (that name only), "||example.com" (as the first) and a
 * plain name "example.com" (as the first: libev would match it anywhere
 * in a name).
 */

#ifndef SSCTL_ACL_H
#define SSCTL_ACL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum acl_section {
	ACL_OUTBOUND_BLOCK,	/* [outbound_block_list] */
	ACL_BYPASS,		/* [bypass_list], [black_list] */
	ACL_PROXY,		/* [proxy_list], [white_list] */
	ACL_NR_SECTIONS,
};

struct acl_net {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];	/* host bits under the prefix cleared */
	uint8_t prefix;
};

struct acl_list {
	struct acl_net *nets;
	size_t nr_nets;
	char **hosts;		/* lowercase, sorted */
	size_t nr_hosts;
	char **domains;		/* lowercase, sorted */
	size_t nr_domains;
};

struct acl {
	/*
	 * [bypass_all] (or [reject_all]): targets that no list names are
	 * connected directly; the default ([proxy_all], [accept_all]): they
	 * go through the relay.
	 */
	bool bypass_all;
	struct acl_list list[ACL_NR_SECTIONS];
};

/* the longest name a rule may have (a DNS name without its final dot) */
#define ACL_NAME_MAX	253

/*
 * acl_load() - read an .acl file
 * Returns 0, or -1 with "FILE:LINE: why" (or "FILE: why") in @err.
 */
int acl_load(const char *path, struct acl *acl, char *err, size_t errlen);
void acl_free(struct acl *acl);
size_t acl_list_rules(const struct acl_list *l);

/* Does @l hold @addr (4 or 16 bytes of @family; IPv4-mapped: both)? */
bool acl_match_addr(const struct acl_list *l, int family, const void *addr);
/* Does @l name @name (a trailing dot ignored, any case)? */
bool acl_match_name(const struct acl_list *l, const char *name);

#endif /* SSCTL_ACL_H */
