// SPDX-License-Identifier: GPL-2.0
/*
 * check_target(): what ss_addr_parse() made of a valid address, held
 * against the address's bytes. Shared by the fuzz targets.
 */
#include "fuzz.h"

static bool v4mapped(const u8 *a)
{
	static const u8 prefix[12] = { [10] = 0xff, [11] = 0xff };

	return !memcmp(a, prefix, sizeof(prefix));
}

static void check_sockaddr(const union ss_sockaddr *sa, __be16 port)
{
	if (sa->sa.sa_family == AF_INET) {
		CHECK(sa->in4.sin_port == port, "IPv4 port");
		return;
	}
	CHECK(sa->sa.sa_family == AF_INET6, "family %d", sa->sa.sa_family);
	CHECK(sa->in6.sin6_port == port, "IPv6 port");
	CHECK(!sa->in6.sin6_flowinfo && !sa->in6.sin6_scope_id,
	      "IPv6 flow or scope set");
	CHECK(!v4mapped(sa->in6.sin6_addr.s6_addr),
	      "an IPv4-mapped address left IPv6");
}

void check_target(const u8 *p, size_t len, const struct ss_target *t)
{
	__be16 port;
	size_t i, n;

	CHECK(len >= 5 && len <= SS_ADDR_MAX, "length %zu", len);
	memcpy(&port, p + len - 2, sizeof(port));
	CHECK(port, "port 0 accepted");
	CHECK(t->port == port, "port");

	switch (p[0]) {
	case SS_ATYP_IPV4:
		CHECK(len == 7, "IPv4 length %zu", len);
		CHECK(t->addr.sa.sa_family == AF_INET && !t->name_len &&
		      !t->name[0], "IPv4 target");
		CHECK(!memcmp(&t->addr.in4.sin_addr, p + 1, 4), "IPv4 bytes");
		break;
	case SS_ATYP_IPV6:
		CHECK(len == 19, "IPv6 length %zu", len);
		CHECK(!t->name_len && !t->name[0], "IPv6 target has a name");
		if (v4mapped(p + 1))
			CHECK(t->addr.sa.sa_family == AF_INET &&
			      !memcmp(&t->addr.in4.sin_addr, p + 13, 4),
			      "IPv4-mapped IPv6 not made IPv4");
		else
			CHECK(t->addr.sa.sa_family == AF_INET6 &&
			      !memcmp(&t->addr.in6.sin6_addr, p + 1, 16),
			      "IPv6 bytes");
		break;
	case SS_ATYP_DOMAIN:
		n = p[1];
		CHECK(len == n + 4, "name length %zu, address %zu", n, len);
		if (t->addr.sa.sa_family) {
			/* an IP literal: only what a literal is made of */
			CHECK(!t->name_len && !t->name[0], "literal with a name");
			for (i = 0; i < n; i++)
				CHECK(strchr("0123456789abcdefABCDEF:.", p[2 + i]) &&
				      p[2 + i], "literal with byte 0x%02x",
				      p[2 + i]);
			break;
		}
		CHECK(t->name_len == n, "name length %u, want %zu",
		      t->name_len, n);
		CHECK(!memcmp(t->name, p + 2, n) && t->name[n] == '\0',
		      "name bytes");
		return;
	default:
		CHECK(0, "type %u parsed", p[0]);
	}
	check_sockaddr(&t->addr, port);
}
