/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <net/addrconf.h>: ipv6_chk_addr(), which asks a
 * namespace whether an address is its own. The fuzz targets define it
 * (fuzz.c: a fixed set of "own" addresses).
 */
#ifndef _SS_SHIM_NET_ADDRCONF_H
#define _SS_SHIM_NET_ADDRCONF_H

#include <linux/in6.h>

struct net;
struct net_device;

int ipv6_chk_addr(struct net *net, const struct in6_addr *addr,
		  const struct net_device *dev, int strict);

#endif
