/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/in6.h>: the C library's in6_addr, sockaddr_in6. */
#ifndef _SS_SHIM_LINUX_IN6_H
#define _SS_SHIM_LINUX_IN6_H

#include <netinet/in.h>

#endif
