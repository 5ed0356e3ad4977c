/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/string.h>: the C library's. */
#ifndef _SS_SHIM_LINUX_STRING_H
#define _SS_SHIM_LINUX_STRING_H

#include <string.h>

#endif
