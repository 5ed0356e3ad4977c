// SPDX-License-Identifier: GPL-2.0
/*
 * The namespace the fuzz targets' ss_addr_is_local() asks: the kernel's
 * inet_addr_type() and ipv6_chk_addr(), answered for a fixed namespace
 * that owns 192.0.2.1 and 2001:db8::1, has the broadcast address
 * 192.0.2.255 and an unreachable route to 198.51.100.0/24.
 */
#include <net/addrconf.h>
#include <net/route.h>

#include "fuzz.h"

struct net {
	int unused;
};

struct net fuzz_net;

#define OWN4		0xc0000201	/* 192.0.2.1 */
#define BCAST4		0xc00002ff	/* 192.0.2.255 */
#define UNREACH4	0xc6336400	/* 198.51.100.0/24 */

static const struct in6_addr own6 = { { { 0x20, 0x01, 0x0d, 0xb8,
					  [15] = 0x01 } } };

/* As the kernel's __inet_dev_addr_type() answers, for this namespace. */
unsigned int inet_addr_type(struct net *net, __be32 addr)
{
	u32 a = ntohl(addr);

	CHECK(net == &fuzz_net, "another namespace");
	if (ipv4_is_zeronet(addr) || ipv4_is_lbcast(addr))
		return RTN_BROADCAST;
	if (ipv4_is_multicast(addr))
		return RTN_MULTICAST;
	if (ipv4_is_loopback(addr) || a == OWN4)
		return RTN_LOCAL;
	if (a == BCAST4)
		return RTN_BROADCAST;
	if ((a & 0xffffff00) == UNREACH4)
		return RTN_UNREACHABLE;
	return RTN_UNICAST;
}

int ipv6_chk_addr(struct net *net, const struct in6_addr *addr,
		  const struct net_device *dev, int strict)
{
	CHECK(net == &fuzz_net && !dev && !strict, "unexpected arguments");
	return !memcmp(addr, &own6, sizeof(own6)) ||
	       IN6_IS_ADDR_LOOPBACK(addr);
}

bool fuzz_net_own4(__be32 addr)
{
	return inet_addr_type(&fuzz_net, addr) != RTN_UNICAST;
}

bool fuzz_net_own6(const struct in6_addr *a)
{
	return ipv6_chk_addr(&fuzz_net, a, NULL, 0);
}
