/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/sort.h>: sort() is in shim/kernel.c. */
#ifndef _SS_SHIM_LINUX_SORT_H
#define _SS_SHIM_LINUX_SORT_H

#include <linux/types.h>

void sort(void *base, size_t num, size_t size, cmp_func_t cmp_func,
	  swap_func_t swap_func);

#endif
