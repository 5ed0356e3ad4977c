/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the fuzz targets share: the check that aborts (libFuzzer then keeps
 * the input as a crash), the namespace the local-target check asks (net.c),
 * and the protocol's own definitions (protocol.md, RFC 1928) written out
 * plainly, to hold the module's parsers against.
 */
#ifndef SS_FUZZ_H
#define SS_FUZZ_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: check failed: %s: ",	\
				__FILE__, __LINE__, #cond);		\
			fprintf(stderr, __VA_ARGS__);			\
			fputc('\n', stderr);				\
			abort();					\
		}							\
	} while (0)

/* The namespace ss_addr_is_local() asks (net.c): own addresses
 * 192.0.2.1 and 2001:db8::1, broadcast 192.0.2.255, an unreachable
 * route 198.51.100.0/24. */
extern struct net fuzz_net;
bool fuzz_net_own4(__be32 a);
bool fuzz_net_own6(const struct in6_addr *a);

/*
 * ref_addr_len() - protocol.md's address, read the obvious way: the
 * length if @len holds a whole valid address (type 1, 4, or 3 with a name
 * of 1..255 bytes, and a port that is not 0), 0 if more bytes could still
 * make one, -1 if none can.
 */
static inline int ref_addr_len(const u8 *p, size_t len)
{
	size_t need;

	if (!len)
		return 0;
	if (p[0] == SS_ATYP_IPV4)
		need = 7;
	else if (p[0] == SS_ATYP_IPV6)
		need = 19;
	else if (p[0] != SS_ATYP_DOMAIN)
		return -1;
	else if (len < 2)
		return 0;
	else if (p[1] == 0)
		return -1;
	else
		need = 4 + p[1];
	if (len < need)
		return 0;
	if (p[need - 2] == 0 && p[need - 1] == 0)
		return -1;
	return (int)need;
}

/* A name worth resolving: ASCII letters, digits, '-', '_', and dots
 * between non-empty labels (a trailing dot is allowed). */
static inline bool ref_name_ok(const char *s, size_t len)
{
	size_t i, label = 0;

	if (!len)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (!label)
				return false;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || c == '-' || c == '_') {
			label++;
		} else {
			return false;
		}
	}
	return true;
}

/* What a server refuses as local (README: allow-local), by address. */
static inline bool ref_is_local(const union ss_sockaddr *sa)
{
	if (sa->sa.sa_family == AF_INET) {
		u32 a = ntohl(sa->in4.sin_addr.s_addr);

		return (a >> 24) == 127 || a == 0 ||	/* loopback, any */
		       (a >> 16) == 0xa9fe ||		/* link-local */
		       (a >> 28) == 0xe ||		/* multicast */
		       a == 0xffffffff ||		/* broadcast */
		       a == 0x646464c8 ||		/* Alibaba metadata */
		       fuzz_net_own4(sa->in4.sin_addr.s_addr);
	}
	if (sa->sa.sa_family == AF_INET6) {
		static const u8 aws[16] = { 0xfd, 0x00, 0x0e, 0xc2, [14] = 0x02,
					    [15] = 0x54 };
		const u8 *b = sa->in6.sin6_addr.s6_addr;
		static const u8 zero[16];

		return !memcmp(b, zero, 16) ||		/* any */
		       (!memcmp(b, zero, 15) && b[15] == 1) ||	/* loopback */
		       (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) || /* link-local */
		       b[0] == 0xff ||			/* multicast */
		       !memcmp(b, aws, 16) ||		/* AWS metadata */
		       fuzz_net_own6(&sa->in6.sin6_addr);
	}
	CHECK(0, "family %d", sa->sa.sa_family);
	return false;
}

/* check_target() - what ss_addr_parse() made of a valid address @p of
 * @len bytes (target.c): the port, the family, the bytes, the name */
void check_target(const u8 *p, size_t len, const struct ss_target *t);

#endif
