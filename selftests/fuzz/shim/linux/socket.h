/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for the kernel's <linux/socket.h>: the uapi header
 * (__kernel_sa_family_t) and the C library's struct sockaddr.
 */
#ifndef _SS_SHIM_LINUX_SOCKET_H
#define _SS_SHIM_LINUX_SOCKET_H

#include_next <linux/socket.h>
#include <sys/socket.h>

#endif
