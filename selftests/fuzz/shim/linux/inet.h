/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/inet.h>: the kernel's parsers (shim/kernel.c). */
#ifndef _SS_SHIM_LINUX_INET_H
#define _SS_SHIM_LINUX_INET_H

#include <linux/types.h>

int in4_pton(const char *src, int srclen, u8 *dst, int delim, const char **end);
int in6_pton(const char *src, int srclen, u8 *dst, int delim, const char **end);
int hex_to_bin(unsigned char ch);

#endif
