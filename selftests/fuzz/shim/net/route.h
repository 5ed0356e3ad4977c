/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <net/route.h>: inet_addr_type(), the route type
 * of an IPv4 address in a namespace (RTN_UNICAST, RTN_LOCAL, ...). The fuzz
 * targets define it (fuzz.c).
 */
#ifndef _SS_SHIM_NET_ROUTE_H
#define _SS_SHIM_NET_ROUTE_H

#include <linux/rtnetlink.h>
#include <linux/types.h>

struct net;

unsigned int inet_addr_type(struct net *net, __be32 addr);

#endif
